import type { Command } from 'commander';
import type { FsyncPolicy } from '@flightdeck/core';
import { Bridge } from '../bridge/index.js';
import { deepobsTestSplits } from '../onnx/index.js';
import { port, positiveNumber, readAllowedKeys, readKeyPairFile } from './options.js';
import { DEFAULT_STORE } from './runs.js';

interface ServeFlags {
  store: string;
  bind: string;
  public?: boolean;
  curveKeys?: string;
  allowKeys?: string;
  token?: string;
  silence: number;
  fsync: string;
  dashboard: boolean;
  httpPort: number;
  dataDir?: string;
}

const FSYNC: FsyncPolicy[] = ['always', 'interval', 'never'];

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('receive training runs over ZeroMQ, store them durably and fan them out live')
    .option('--store <dir>', 'run store folder', DEFAULT_STORE)
    .option('--bind <endpoint>', 'ZeroMQ endpoint to bind', 'tcp://127.0.0.1:5555')
    .option('--public', 'allow a non-loopback --bind (needs --curve-keys, --allow-keys and --token)')
    .option('--curve-keys <file>', 'server CurveZMQ key pair (from `flightdeck keys --out`)')
    .option('--allow-keys <file>', 'client public keys allowed in, one per line')
    .option('--token <token>', 'access token for the dashboard when --public')
    .option('--silence <seconds>', 'mark a run interrupted after this long without records', positiveNumber, 60)
    .option('--fsync <policy>', `store durability: ${FSYNC.join(', ')}`, 'always')
    .option('--http-port <port>', 'dashboard port (0 = any free port)', port, 8080)
    .option('--no-dashboard', 'do not serve the live dashboard')
    .option('--data-dir <dir>', 'DeepOBS data folder: ONNX checkpoints are evaluated on the problem\'s test split')
    .action(async (flags: ServeFlags) => {
      if (!FSYNC.includes(flags.fsync as FsyncPolicy)) throw new Error(`--fsync must be one of ${FSYNC.join(', ')}, got "${flags.fsync}"`);
      if (flags.curveKeys && !flags.allowKeys) throw new Error('--curve-keys needs --allow-keys (the client public keys to let in)');
      if (flags.allowKeys && !flags.curveKeys) throw new Error('--allow-keys needs --curve-keys (the server key pair)');
      if (flags.public && !flags.token) throw new Error('--public needs --token (the dashboard access token) as well as CurveZMQ keys');
      const curve = flags.curveKeys ? { ...readKeyPairFile(flags.curveKeys), allowedClientKeys: readAllowedKeys(flags.allowKeys!) } : undefined;
      const bridge = await Bridge.start({
        storeDir: flags.store,
        bind: flags.bind,
        public: flags.public,
        curve,
        silenceMs: flags.silence * 1000,
        fsync: flags.fsync as FsyncPolicy,
        testSplit: deepobsTestSplits({ dataDir: flags.dataDir }),
      });
      process.stdout.write(`flightdeck: ingest listening on ${bridge.ingest.address}${curve ? ` (CurveZMQ, server public key ${curve.publicKey})` : ''}\n`);
      process.stdout.write(`flightdeck: run store ${flags.store} (${bridge.store.runs().length} runs)\n`);
      // Loaded only when wanted: the dashboard brings the chart and tfjs stack along.
      const dashboard = flags.dashboard
        ? await (await import('@flightdeck/cockpit')).createDashboardServer({
            source: bridge.live,
            listRuns: () => bridge.store.runs(),
            readRun: (runId) => bridge.store.read(runId),
            host: flags.public ? '0.0.0.0' : '127.0.0.1',
            port: flags.httpPort,
            token: flags.token,
            log: (line) => process.stdout.write(`flightdeck: ${line}\n`),
          })
        : undefined;
      if (dashboard) process.stdout.write(`flightdeck: dashboard at ${dashboard.url}\n`);
      const stop = async (signal: string) => {
        process.stdout.write(`flightdeck: ${signal}, storing what was received and stopping\n`);
        // Everything acknowledged is on disk already and clients resend the rest, so a stuck shutdown may be cut short.
        setTimeout(() => {
          process.stderr.write('flightdeck: could not stop cleanly within 10 s; exiting\n');
          process.exit(1);
        }, 10_000).unref();
        await dashboard?.close();
        await bridge.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    });
}
