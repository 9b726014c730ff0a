import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import {
  checkOutput,
  checkResult,
  decodeEnvelope,
  DeepobsJsonSink,
  encodeEnvelope,
  envelopesFromResult,
  findResultFiles,
  float2str,
  formatOutputCheck,
  formatResult,
  parseResult,
  pyFloatRepr,
  readResultFile,
  resultFromEnvelopes,
  RunStatus,
  RunStream,
  settingFolderName,
  writeResultFile,
  type DeepobsResult,
  type Envelope,
} from '../src/index.js';

const FIXTURE = join(__dirname, 'fixtures', 'deepobs-baselines');

function python(code: string, input: string): string {
  return execFileSync('/usr/bin/python3', ['-c', code], { input, encoding: 'utf8' });
}

describe('Python number formatting', () => {
  const values = [
    0.001, 0.99, 10 ** -0.8, 1, 100, 1e-5, 1e-4, 0.5, 1e16, 1e15, 123456789012345680000, 2.5e-7, -3.75, 7.274642172980381e28,
    // Exact ties at the 11th significant digit: Python rounds them to even, JS toExponential upwards.
    1234567890.25, 1234567890.75, 1234567892.5, -1234567890.25, 5e-324, 1.7976931348623157e308,
  ];
  const rng = (() => {
    let s = 12345;
    return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  })();
  for (let i = 0; i < 200; i++) values.push((rng() - 0.5) * 10 ** Math.floor(rng() * 40 - 20));

  it('float2str matches DeepOBS on the documented examples', () => {
    expect(float2str(0.001)).toBe('1.e-03');
    expect(float2str(0.99)).toBe('9.9e-01');
    expect(float2str(10 ** -0.8)).toBe('1.5848931925e-01');
    expect(() => float2str(NaN)).toThrow(/non-finite/);
  });

  it('float2str and repr agree with Python on 220 values, ties included', () => {
    const py = python(
      'import sys,json\nfor x in map(float, json.load(sys.stdin)):\n  s="{:.10e}".format(x); m,e=s.split("e"); print(m.rstrip("0")+"e"+e, repr(x))',
      JSON.stringify(values),
    );
    const expected = py.trim().split('\n');
    values.forEach((x, i) => expect(`${float2str(x)} ${pyFloatRepr(x)}`).toBe(expected[i]));
  });
});

describe('the DeepOBS baselines (all 540 files of the fixture)', () => {
  let refs: Array<{ path: string; setting: string; text: string; result: DeepobsResult }>;

  beforeAll(async () => {
    refs = [];
    for await (const ref of findResultFiles(FIXTURE)) {
      const read = await readResultFile(ref.path);
      if (!read.ok) throw read.error;
      refs.push({ path: ref.path, setting: ref.setting, text: readFileSync(ref.path, 'utf8'), result: read.result });
    }
  });

  it('reads every file as DeepOBS 1.1, NaN curves included', () => {
    expect(refs).toHaveLength(540);
    expect(refs.every((r) => r.result.format === '1.1')).toBe(true);
    const diverged = refs.filter((r) => r.result.metrics.test_losses?.some(Number.isNaN));
    expect(diverged.length).toBeGreaterThan(10);
    expect(refs.filter((r) => r.result.minibatchTrainLosses).length).toBe(12);
  });

  it('writes every file back byte for byte, and names its setting folder as DeepOBS did', () => {
    for (const r of refs) {
      expect(formatResult(r.result)).toBe(r.text);
      expect(settingFolderName(r.result)).toBe(r.setting);
    }
  });

  it('read → write (1.2) → read gives the same result', () => {
    for (const r of refs) {
      const again = parseResult(formatResult(r.result, '1.2'), r.path);
      if (!again.ok) throw again.error;
      expect(again.result).toEqual({ ...r.result, format: '1.2' });
    }
  });

  it('result → envelopes → result is lossless (through the binary codec for the 528 files without mini-batch losses)', async () => {
    const viaCodec = (e: Envelope) => {
      const d = decodeEnvelope(encodeEnvelope(e));
      if (!d.ok) throw d.error;
      return d.envelope;
    };
    for (const r of refs) {
      const envs = envelopesFromResult(r.result, 'run-1');
      // 46,800 step envelopes per mini-batch file would make the codec (tested in codec.test.ts) the bulk of this test.
      expect(await resultFromEnvelopes(r.result.minibatchTrainLosses ? envs : envs.map(viaCodec))).toEqual(r.result);
    }
  });

  it('check_output counts 35 single-seed settings and one 10-seed setting per problem and optimizer', async () => {
    const check = await checkOutput(FIXTURE);
    expect(check.unreadable).toEqual([]);
    expect(check.malformed).toEqual([]);
    const lines = formatOutputCheck(check).split('\n');
    expect(lines).toHaveLength(12);
    for (const l of lines) expect(l).toMatch(/^\w+ \/ \w+: 1 setting\(s\) with 1 seed\(s\)|35 setting\(s\) with 1 seed\(s\), 1 setting\(s\) with 10 seed\(s\)$/);
  });
});

describe('DeepOBS 1.2 files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deepobs-json-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Written by Python's json module itself, as DeepOBS 1.2's TF flavour (Crowded Valley) writes them.
  const pyText = python(
    [
      'import json,sys',
      'nan=float("nan")',
      'd={"testproblem":"quadratic_deep","batch_size":128,"num_epochs":2,"random_seed":42,"l2_reg":None,',
      ' "optimizer_name":"AdamOptimizer","optimizer_hyperparams":{"learning_rate":0.001,"beta1":0.9,"beta2":0.999,"epsilon":1e-08,"use_locking":False},',
      ' "training_params":{"lr_sched_epochs":[1,2],"lr_sched_factors":[0.5,0.0]},',
      ' "train_losses":[3.5,nan,1.0],"valid_losses":[3.0,2.0,float("inf")],"test_losses":[3.25,2.0,1.5],',
      ' "minibatch_train_losses":[3.5,3.5,2.0,2.0]}',
      'sys.stdout.write(json.dumps(d, indent=4))',
    ].join('\n'),
    '',
  );

  it('reads a 1.2 file with l2_reg, training params and bare NaN, and writes it back byte for byte', () => {
    const read = parseResult(pyText, 'x.json');
    if (!read.ok) throw read.error;
    const r = read.result;
    expect(r).toMatchObject({ format: '1.2', optimizer: 'AdamOptimizer', weightDecay: null, weightDecayKey: 'l2_reg', numEpochs: 2 });
    expect(r.hyperparams).toEqual({ learning_rate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, use_locking: false });
    expect(r.metrics.train_losses).toEqual([3.5, NaN, 1]);
    expect(r.metrics.valid_losses).toEqual([3, 2, Infinity]);
    expect(r.trainLogInterval).toBeUndefined();
    expect(formatResult(r)).toBe(pyText);
    expect(settingFolderName(r)).toBe(
      'num_epochs__2__batch_size__128__beta1__9.e-01__beta2__9.99e-01__epsilon__1.e-08__learning_rate__1.e-03__use_locking__False__lr_sched_epochs__[1, 2]__lr_sched_factors__[0.5, 0.0]',
    );
  });

  it('keeps keys DeepOBS does not define as written (ints, integral floats, NaN), also through envelopes', async () => {
    const withExtra = python(
      'import json,sys\nd=json.loads(sys.stdin.read())\nd.update(note="x", count=3, scale=1.0, bad=float("nan"), nested={"k": [1, 2.0]})\nsys.stdout.write(json.dumps(d, indent=4))',
      pyText,
    );
    const read = parseResult(withExtra, 'extra.json');
    if (!read.ok) throw read.error;
    expect(read.result.extra).toEqual({ note: 'x', count: 3n, scale: 1, bad: NaN, nested: { k: [1n, 2] } });
    expect(formatResult(read.result)).toBe(withExtra);
    const back = await resultFromEnvelopes(envelopesFromResult(read.result, 'extra-1').map((e) => {
      const d = decodeEnvelope(encodeEnvelope(e));
      if (!d.ok) throw d.error;
      return d.envelope;
    }));
    expect(formatResult(back)).toBe(withExtra);
  });

  it('writes <out>/<problem>/<optimizer>/<setting>/random_seed__<s>__<time>.json atomically', async () => {
    const read = parseResult(pyText);
    if (!read.ok) throw read.error;
    const date = new Date(2026, 10, 29, 13, 5, 9);
    const path = await writeResultFile(dir, read.result, { date });
    expect(basename(path)).toBe('random_seed__42__2026-11-29-13-05-09.json');
    expect(basename(dirname(path))).toBe(settingFolderName(read.result));
    expect(path.startsWith(join(dir, 'quadratic_deep', 'AdamOptimizer'))).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(pyText);
  });

  it('names the file and the place of a truncated or invalid result', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, pyText.slice(0, 200));
    const read = await readResultFile(bad);
    expect(read.ok).toBe(false);
    if (!read.ok) {
      expect(read.error.file).toBe(bad);
      expect(read.error.message).toMatch(new RegExp(`^${bad}: not valid JSON: .*line \\d+, column \\d+`));
    }
    const missing = parseResult(pyText.replace('"test_losses"', '"other"'), 'm.json');
    expect(!missing.ok && missing.error.message).toBe('m.json: missing "test_losses"');
    const noValid = parseResult(pyText.replace('"valid_losses"', '"other"'), 'v.json');
    expect(noValid.ok && checkResult(noValid.result)).toEqual(['valid_losses missing']);
    const wrongType = parseResult('{"train_losses": [1], "test_losses": [1], "testproblem": "p", "optimizer": 3}', 'w.json');
    expect(!wrongType.ok && wrongType.error.message).toBe('w.json: "optimizer" must be a string, got 3');
    expect((await readResultFile(join(dir, 'nope.json'))).ok).toBe(false);
  });
});

describe('writing from a stream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deepobs-sink-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(sink: DeepobsJsonSink, runId: string, seed: number, status: number, epochsRun: number): Promise<void> {
    const s = new RunStream(runId, sink);
    await s.started({
      testProblem: 'two_d_rosenbrock',
      optimizer: 'SGD',
      hyperparameters: { lr: { number: 0.01 } },
      seed,
      batchSize: 4,
      numEpochs: 3,
      trainLogInterval: 2,
    });
    let step = 0;
    for (let epoch = 0; epoch <= epochsRun; epoch++) {
      await s.evaluation({ epoch, trainLoss: 10 - epoch, validLoss: 11 - epoch, testLoss: 12 - epoch });
      if (epoch === 3) break;
      for (let j = 0; j < 5; j++, step++) await s.step({ step, epoch, loss: 100 * epoch + j });
    }
    await s.finished({ status });
  }

  it('keeps every train_log_interval-th loss of each epoch and writes one file per finished run', async () => {
    const sink = new DeepobsJsonSink(dir);
    await run(sink, 'ok', 1, RunStatus.COMPLETED, 3);
    await run(sink, 'crashed', 2, RunStatus.FAILED, 1);
    await run(sink, 'diverged', 3, RunStatus.DIVERGED, 1);
    await sink.close();
    expect(sink.written.map((w) => w.runId)).toEqual(['ok', 'diverged']);
    expect(sink.skipped).toEqual([{ runId: 'crashed', reason: expect.stringMatching(/run crashed .*did not complete \(status FAILED\)/) }]);
    const ok = await readResultFile(sink.written[0].path);
    if (!ok.ok) throw ok.error;
    expect(ok.result.minibatchTrainLosses).toEqual([0, 2, 4, 100, 102, 104, 200, 202, 204]);
    expect(ok.result.metrics.test_losses).toEqual([12, 11, 10, 9]);
    const div = await readResultFile(sink.written[1].path);
    if (!div.ok) throw div.error;
    // DeepOBS 1.2 pads the epochs a diverged run did not reach with its epoch-0 values.
    expect(div.result.metrics.train_losses).toEqual([10, 9, 10, 10]);
  });

  it('refuses a stream cut off before RunFinished, naming the run', async () => {
    const setting = join(FIXTURE, 'quadratic_deep', 'GradientDescentOptimizer', 'num_epochs__100__batch_size__128__lr__1.e-01');
    const read = await readResultFile(join(setting, readdirSync(setting)[0]));
    if (!read.ok) throw read.error;
    const envs: Envelope[] = envelopesFromResult(read.result, 'cut').slice(0, -1);
    await expect(resultFromEnvelopes(envs)).rejects.toThrow(/run cut \(quadratic_deep\/GradientDescentOptimizer seed 42\) has no RunFinished/);
  });
});
