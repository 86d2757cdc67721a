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

/**
 * lib/sources/agents/read_worker.ts bundled on its own, as text: the code of the worker thread that reads
 * agent logs beside the main thread (lib/sources/agents/parallel_read.ts), which the bundle and the single
 * executable start with `new Worker(code, { eval: true })` (a single executable has no file to start).
 */
async function readWorkerCode(target = 'node18') {
  const esbuild = require('esbuild');
  const r = await esbuild.build({
    entryPoints: [path.join(ROOT, 'lib', 'sources', 'agents', 'read_worker.ts')],
    bundle: true,
    platform: 'node',
    target,
    format: 'iife',
    // Minified: less for the worker to compile, and none of esbuild's helper names (shareNamespaces below
    // looks for the main bundle's own __toESM, and this text is in that bundle).
    minify: true,
    write: false,
    logLevel: 'warning',
  });
  return r.outputFiles[0].text;
}

async function build() {
  typecheck();
  const esbuild = require('esbuild');
  const readWorker = await readWorkerCode();
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, 'lib', 'cli.ts')],
    outfile: OUT,
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    define: { SPMON_VERSION: JSON.stringify(require(path.join(ROOT, 'package.json')).version), SPMON_AGENT_READ_WORKER: JSON.stringify(readWorker) },
    // Loaded from node_modules only when used: ajv and ajv-formats by a daemon when a request file arrives,
    // the metrics libraries when metrics are served or printed, the MCP SDK and zod by `spmon mcp`. Bundled,
    // every other command would parse them. esbuild: only TypeScript sources bundle the read worker with it.
    external: ['esbuild', 'blessed', 'blessed/*', 'node-gyp-build', 'ajv', 'ajv/*', 'ajv-formats', 'prom-client', 'prom-client/*', 'yaml', 'bcryptjs', '@modelcontextprotocol/sdk', '@modelcontextprotocol/sdk/*', 'zod', 'zod/*'],
    logLevel: 'warning',
    metafile: true,
    plugins: [lazyCommanderChildProcess],
  });
  shareNamespaces(OUT);
  compact(OUT);
  return { out: OUT, bytes: fs.statSync(OUT).size, inputs: Object.keys(result.metafile.inputs).length };
}

/**
 * commander requires child_process when it loads, for executable subcommands that spmon does not have;
 * child_process (and net, which it loads) cost a start of `spmon --once` ~5 ms of compiling Node's own
 * modules. Its one use, `childProcess.spawn`, is made to require it then. A commander whose source no
 * longer has that line is bundled as it is, with a warning.
 */
const COMMANDER_CP = "const childProcess = require('node:child_process');";
const lazyCommanderChildProcess = {
  name: 'lazy-commander-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = fs.readFileSync(args.path, 'utf8');
      if (!text.includes(COMMANDER_CP))
        return { contents: text, loader: 'js', warnings: [{ text: 'commander no longer requires child_process as expected: loaded eagerly' }] };
      const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      return { contents: text.replace(COMMANDER_CP, lazy), loader: 'js' };
    });
  },
};

/**
 * esbuild turns each `import * as fs from 'fs'` into `__toESM(require('fs'))`, which copies every export of
 * the module into a new object: once per importing file (fs alone 26 times), a measurable part of a start
 * (docs/performance.md, "code cache and namespaces"). An ES module's namespace object is one per module,
 * so the bundle's helper is wrapped to make one per (module, mode) and hand it to every importer.
 */
function shareNamespaces(file) {
  const text = fs.readFileSync(file, 'utf8');
  const def = 'var __toESM = (';
  const at = text.indexOf(def);
  if (at < 0) return; // nothing imported that way
  if (text.indexOf(def, at + 1) >= 0) throw new Error(`${file}: esbuild's __toESM helper is defined twice; scripts/build.js expects one`);
  const shared = [
    'var __toESMShared = new WeakMap();',
    'function __toESM(mod, isNodeMode) {',
    '  if (mod === null || (typeof mod !== "object" && typeof mod !== "function")) return __toESMEach(mod, isNodeMode);',
    '  let made = __toESMShared.get(mod);',
    '  if (!made) __toESMShared.set(mod, (made = [undefined, undefined]));',
    '  const i = isNodeMode ? 1 : 0;',
    '  return made[i] === undefined ? (made[i] = __toESMEach(mod, isNodeMode)) : made[i];',
    '}',
    '',
  ].join('\n');
  fs.writeFileSync(file, text.slice(0, at) + shared + 'var __toESMEach = (' + text.slice(at + def.length));
}

/**
 * The bundle without comments and indentation (esbuild's whitespace and syntax minification; names are kept,
 * so stack traces still name functions): V8 holds a script's whole source for lazy compilation, and 716 KiB
 * became ~490 KiB, ~0.4 MB less of the dashboard's RSS (docs/performance.md, fourth round). After
 * shareNamespaces, which rewrites esbuild's helper as esbuild writes it.
 */
function compact(file) {
  const esbuild = require('esbuild');
  const r = esbuild.transformSync(fs.readFileSync(file, 'utf8'), { loader: 'js', format: 'cjs', platform: 'node', target: 'node18', charset: 'ascii', minifyWhitespace: true, minifySyntax: true, legalComments: 'none' });
  // The transform adds esbuild's module helpers of its own when the text has something it converts (a
  // `require.resolve(...)` does): its __toESM then takes the name and shareNamespaces' helper becomes __toESM2.
  if (/\b__toESM2\b/.test(r.code)) throw new Error(`${file}: esbuild's transform added module helpers of its own (a require.resolve in lib/?); compact() expects none`);
  fs.writeFileSync(file, r.code);
}

module.exports = { build, readWorkerCode, OUT };

if (require.main === module) {
  build().then(
    (r) => {
      process.stdout.write(`dist/spmon.js: ${r.inputs} modules, ${Math.round(r.bytes / 1024)} KiB\n`);
      const { makeCodeCache, CODE_CACHE } = require('./code_cache');
      const why = makeCodeCache();
      if (why) process.stdout.write(`dist/spmon.cache: not made (${why}); spmon compiles the bundle at each start\n`);
      else process.stdout.write(`dist/spmon.cache: ${Math.round(fs.statSync(CODE_CACHE).size / 1024)} KiB of V8 code cache\n`);
    },
    (err) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
