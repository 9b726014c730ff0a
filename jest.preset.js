// Shared by every package: swc transpiles TypeScript (type checking is the `typecheck` target), and the
// workspace packages resolve to their sources so tests never need a prior build.
const path = require('path');
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'].filter((p) => require('fs').existsSync(p.replace('<rootDir>', process.cwd()))),
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/'],
  moduleNameMapper: {
    '^@flightdeck/([a-z]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 120000,
  passWithNoTests: true,
  // A test that leaks a socket or a child process must not hang CI after its results are in.
  forceExit: true,
};
