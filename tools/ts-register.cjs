// Lets plain `node` run the TypeScript sources: `node -r ./tools/ts-register.cjs bench/store.ts`.
// swc strips the types (as jest does through @swc/jest), `./x.js` imports resolve to `./x.ts`, and
// `@flightdeck/<pkg>` resolves to that package's src/index.ts, so nothing needs building first.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const swc = require('@swc/core');

const packages = path.join(__dirname, '..', 'packages');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  const workspace = /^@flightdeck\/([a-z]+)$/.exec(request);
  if (workspace) return path.join(packages, workspace[1], 'src', 'index.ts');
  if (parent?.filename?.endsWith('.ts') && request.startsWith('.') && request.endsWith('.js')) {
    const ts = path.resolve(path.dirname(parent.filename), request.slice(0, -3) + '.ts');
    if (fs.existsSync(ts)) return ts;
  }
  return resolve.call(this, request, parent, ...rest);
};

require.extensions['.ts'] = function (module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
