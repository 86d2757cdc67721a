#!/usr/bin/env node
'use strict';
// npm run sea [-- --arch x64|arm64]: a single-file executable, dist/sea/linux-<arch>/spmon (Node single
// executable application), for this machine's arch unless told. esbuild bundles lib/cli.ts with
// scripts/sea/entry.js; the bundle, the glibc addon prebuild for the arch and blessed's fallback
// terminal descriptions make the SEA blob, which this Node writes; postject injects it into a copy of
// a Node of the same version: this one, or for another arch the official build from the npm registry
// (scripts/toolchain.js). Official Node builds are glibc programs, hence the glibc prebuild; Node's musl
// builds are unofficial and not in the npm registry, so there is no musl executable.

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { ensureTool, TOOLS } = require('./toolchain');
const { TARGETS, prebuildPath } = require('./prebuild');
const { readWorkerCode } = require('./build');

const ROOT = path.resolve(__dirname, '..');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** Rewrites in blessed for the bundle: each file, the text it must hold, and what replaces it. */
const BLESSED_PATCHES = [
  // Widgets are loaded with require('./widgets/' + file): make that a static table.
  {
    file: 'widget.js',
    from: "require('./widgets/' + file)",
    to: (dir) => {
      const names = fs.readdirSync(path.join(dir, 'widgets')).filter((f) => f.endsWith('.js'));
      const table = names.map((f) => `${JSON.stringify(f.slice(0, -3))}: () => require('./widgets/${f}')`);
      return `({ ${table.join(', ')} })[file]()`;
    },
  },
  // Fallback terminfo/termcap files live in ../usr: the entry writes them out (scripts/sea/entry.js).
  { file: 'tput.js', from: "__dirname + '/../usr/", to: () => "globalThis.__spmonBlessedUsr + '/" },
];

const blessedPatches = {
  name: 'blessed-patches',
  setup(build) {
    build.onLoad({ filter: /[\\/]blessed[\\/]lib[\\/](widget|tput)\.js$/ }, (args) => {
      const dir = path.dirname(args.path);
      let contents = fs.readFileSync(args.path, 'utf8');
      for (const p of BLESSED_PATCHES.filter((p) => p.file === path.basename(args.path))) {
        if (!contents.includes(p.from)) throw new Error(`${args.path}: no ${p.from} to replace (blessed changed?)`);
        contents = contents.split(p.from).join(p.to(dir));
      }
      return { contents, loader: 'js', resolveDir: dir };
    });
  },
};

function parseArgs(argv) {
  const opts = { arch: process.arch };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--arch' && argv[i + 1]) opts.arch = argv[++i];
    else throw new Error(`unknown argument ${argv[i]} (use --arch ${TARGETS.map((t) => t.arch).filter((a, j, all) => all.indexOf(a) === j).join('|')})`);
  }
  return opts;
}

/** The Node executable to inject into: this one for this machine's arch, else the official one from npm. */
function nodeFor(arch) {
  if (arch === process.arch) return process.execPath;
  const tool = `node-${arch}`;
  if (!TOOLS[tool]) throw new Error(`no Node for linux-${arch} in scripts/toolchain.js`);
  return ensureTool(tool);
}

async function main() {
  const { arch } = parseArgs(process.argv.slice(2));
  const target = TARGETS.find((t) => t.arch === arch && t.libc === 'glibc');
  if (process.platform !== 'linux' || !target) throw new Error(`no prebuild for ${process.platform}-${arch}`);
  const out = path.join(ROOT, 'dist', 'sea', `linux-${arch}`);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });

  const esbuild = require('esbuild');
  const bundle = path.join(out, 'spmon.js');
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'sea', 'entry.js')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    format: 'cjs',
    define: {
      SPMON_VERSION: JSON.stringify(require(path.join(ROOT, 'package.json')).version),
      SPMON_AGENT_READ_WORKER: JSON.stringify(await readWorkerCode(`node${process.versions.node.split('.')[0]}`)),
    },
    alias: { 'node-gyp-build': path.join(__dirname, 'sea', 'node-gyp-build.js') },
    // blessed tries these optional terminal back ends inside try/catch; spmon uses neither. esbuild: only
    // TypeScript sources bundle the agent log read worker with it (this one is defined above).
    external: ['pty.js', 'term.js', 'esbuild'],
    plugins: [blessedPatches],
    logLevel: 'error',
  });

  const blessedUsr = path.join(path.dirname(require.resolve('blessed/package.json', { paths: [ROOT] })), 'usr');
  const assets = { 'spmon.node': prebuildPath(target) };
  for (const name of ['xterm', 'xterm-256color', 'linux', 'windows-ansi', 'xterm.termcap']) {
    assets[`blessed-usr/${name}`] = path.join(blessedUsr, name);
  }
  const blob = path.join(out, 'sea-prep.blob');
  const config = path.join(out, 'sea-config.json');
  fs.writeFileSync(config, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, assets }, null, 2));
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });

  const exe = path.join(out, 'spmon');
  fs.copyFileSync(nodeFor(arch), exe);
  fs.chmodSync(exe, 0o755);
  const { inject } = require(ensureTool('postject'));
  await inject(exe, 'NODE_SEA_BLOB', fs.readFileSync(blob), { sentinelFuse: FUSE });
  for (const f of [blob, config]) fs.rmSync(f);
  const mb = (f) => (fs.statSync(f).size / 1048576).toFixed(1);
  process.stderr.write(`${path.relative(ROOT, exe)}: ${mb(exe)} MiB (bundle ${mb(bundle)} MiB, Node ${process.versions.node} for linux-${arch})\n`);
}

main().catch((err) => {
  process.stderr.write(`sea: ${err.message}\n`);
  process.exit(1);
});
