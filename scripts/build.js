#!/usr/bin/env node
'use strict';
// dist/spmon.js: the CLI (lib/cli.ts and everything it imports) in one file, bundled by esbuild, so Node
// finds, reads and compiles one file instead of one per module. blessed stays outside: it loads widgets
// and terminal descriptions from its own folder at run time. node-gyp-build stays outside: it finds the
// addon relative to the package. prom-client, yaml and bcryptjs stay outside: only the metrics front end
// loads them. tsc runs first: it checks the types and writes
// dist/lib, the modules one by one, which tests and benchmarks load in their own processes (only the
// bundle ships).

const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'dist', 'spmon.js');

/** tsc into a clean dist/lib (a module deleted from lib/ leaves nothing behind). */
function typecheck() {
  fs.rmSync(path.join(ROOT, 'dist', 'lib'), { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json')], { stdio: 'inherit' });
}

async function build() {
  typecheck();
  const esbuild = require('esbuild');
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, 'lib', 'cli.ts')],
    outfile: OUT,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    define: { SPMON_VERSION: JSON.stringify(require(path.join(ROOT, 'package.json')).version) },
    // Loaded from node_modules only when used: ajv and ajv-formats by a daemon when a request file arrives,
    // the metrics libraries when metrics are served or printed, the MCP SDK and zod by `spmon mcp`. Bundled,
    // every other command would parse them.
    external: ['blessed', 'node-gyp-build', 'ajv', 'ajv/*', 'ajv-formats', 'prom-client', 'yaml', 'bcryptjs', '@modelcontextprotocol/sdk', '@modelcontextprotocol/sdk/*', 'zod', 'zod/*'],
    logLevel: 'warning',
    metafile: true,
  });
  const bytes = result.metafile.outputs[path.relative(process.cwd(), OUT)]?.bytes ?? Object.values(result.metafile.outputs)[0].bytes;
  return { out: OUT, bytes, inputs: Object.keys(result.metafile.inputs).length };
}

module.exports = { build, OUT };

if (require.main === module) {
  build().then(
    (r) => process.stdout.write(`dist/spmon.js: ${r.inputs} modules, ${Math.round(r.bytes / 1024)} KiB\n`),
    (err) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
