#!/usr/bin/env node
// Type-checks every package and the benchmark scripts, runs every package's tests through Nx and prints one summary line, `N passed, N failed`, counting every test
// of every package (a suite that could not run counts as one failure). The line is also kept in
// reports/summary.txt for CI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const reports = join(root, 'reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const nx = spawnSync('npx', ['nx', 'run-many', '-t', 'typecheck', 'test', '--parallel=2', '--outputStyle=stream', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});

// The benchmark scripts are not a package; they are type-checked against the sources here so that none rots.
const bench = spawnSync('npx', ['tsc', '-p', join(root, 'bench')], { cwd: root, stdio: 'inherit' });
if (bench.status !== 0) console.error('bench/: the benchmark scripts do not type-check (see above)');

let passed = 0;
let failed = bench.status === 0 ? 0 : 1;
const packages = readdirSync(join(root, 'packages'));
for (const pkg of packages) {
  const file = join(reports, `jest-${pkg}.json`);
  if (!existsSync(file)) {
    console.error(`no test report for ${pkg}: its test target did not run to the end`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
  for (const s of r.testResults) if (s.status === 'failed' && s.assertionResults.length === 0) console.error(`suite failed to run: ${s.name}\n${s.message}`);
}
if (nx.status !== 0 && failed === 0) failed = 1;
const line = `${passed} passed, ${failed} failed`;
writeFileSync(join(reports, 'summary.txt'), line + '\n');
console.log(line);
process.exit(failed ? 1 : 0);
