import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The Python client's own unittest suites, run from jest so that CI counts them. Debian's python3 has torch,
// functorch, pyzmq and protobuf; the schema classes come from the codegen-python target.
const PYTHON_DIR = join(__dirname, '..', 'python');

test.each(['tests.test_instruments', 'tests.test_stream'])('python unittest %s', (suite) => {
  const r = spawnSync('/usr/bin/python3', ['-m', 'unittest', '-v', suite], { cwd: PYTHON_DIR, encoding: 'utf8', timeout: 110_000 });
  if (r.status !== 0) throw new Error(`python3 -m unittest ${suite} exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
  expect(r.stderr).toMatch(/\nOK\b/);
});
