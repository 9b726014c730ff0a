import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { generateCurveKeyPair } from '../ingest/index.js';

export function keysCommand(program: Command): void {
  program
    .command('keys')
    .description('generate a CurveZMQ key pair (for `serve --public` and for trainers that connect to it)')
    .option('--out <file>', 'write the pair as JSON to this file (mode 600) instead of printing it')
    .action((opts: { out?: string }) => {
      const pair = generateCurveKeyPair();
      const json = `${JSON.stringify(pair, null, 2)}\n`;
      if (opts.out) {
        writeFileSync(opts.out, json, { mode: 0o600, flag: 'wx' });
        process.stdout.write(`wrote ${opts.out}; public key ${pair.publicKey}\n`);
      } else process.stdout.write(json);
    });
}
