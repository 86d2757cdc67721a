#!/usr/bin/env node
'use strict';
// npm run bench [-- --procs N --reps N --quick ...]
//
// Runs every case in bench/cases/ (or those named by --case) at the current process
// count, then again with --procs extra processes that bench/load.js spawns and ends.
// The opt-in cases that bring their own load (scale, bigmem: --case scale,bigmem) run
// once after that.
// Prints a table per case and load, writes bench/out/bench-<time>.json (and latest.json).
// Figures are ratios against a baseline measured in the same rounds; nothing here is
// a pass/fail test.

const fs = require('fs');
const path = require('path');
const { parseOptions, UsageError, HELP } = require('./lib/options');
const { machine, processCount } = require('./lib/machine');
const { formatCase, formatSummary, writeJson } = require('./lib/report');
const load = require('./load');

const ROOT = path.resolve(__dirname, '..');
const ADDON = path.join(ROOT, 'build', 'Release', 'spmon.node');
const CLI = path.join(ROOT, 'dist', 'lib', 'cli.js');

class SetupError extends Error {}

function newestMtimeMs(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtimeMs(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Which build is measured: the commit, whether lib/ or native/ differ from it, and when
 * the addon (the one this process loads for the in-process cases) and the dist/ that
 * bin/spmon runs were last built. Other sessions may rebuild them during a run: a case
 * whose addon or dist/ changed while it ran says so in its notes.
 */
function buildInfo(spmonRoot = ROOT) {
  const info = { head: null, libOrNativeChanged: null, addonBuilt: null, distBuilt: null };
  try {
    const git = (...a) => require('child_process').execFileSync('git', a, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    info.head = git('rev-parse', '--short', 'HEAD').trim();
    info.libOrNativeChanged = git('status', '--porcelain', '--', 'lib', 'native').trim() !== '';
  } catch {
    /* not a git checkout */
  }
  try {
    info.addonBuilt = fs.statSync(ADDON).mtime.toISOString();
    info.distBuilt = new Date(newestMtimeMs(path.join(spmonRoot, 'dist', 'lib'))).toISOString();
  } catch {
    /* checked before the run */
  }
  return info;
}

let stopping = null; // the signal that asked us to stop
const log = (s) => process.stderr.write(s + '\n');

/**
 * The cases to run: those named by --case, else every case but the opt-in ones (a case
 * with `optIn: true`, such as scale and bigmem, takes minutes and runs when named).
 */
function loadCases(only) {
  const dir = path.join(__dirname, 'cases');
  const all = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => require(path.join(dir, f)))
    .sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.name.localeCompare(b.name));
  if (!only) return all.filter((c) => !c.optIn);
  const unknown = only.filter((n) => !all.some((c) => c.name === n));
  if (unknown.length) throw new UsageError(`no such case: ${unknown.join(', ')} (have: ${all.map((c) => c.name).join(', ')})`);
  return all.filter((c) => only.includes(c.name));
}

function installCleanup() {
  const onSignal = (sig) => {
    if (stopping) return;
    stopping = sig;
    log(`\nbench: ${sig}: stopping, ending the ${load.liveCount()} load processes...`);
    load.stopAll().then(
      () => process.exit(sig === 'SIGINT' ? 130 : 143),
      (err) => {
        log(`bench: ${err.message}`);
        process.exit(1);
      },
    );
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => onSignal(sig));
  process.on('uncaughtException', (err) => {
    log(`bench: ${err && err.stack ? err.stack : err}`);
    load.killAllSync();
    process.exit(1);
  });
  process.on('exit', () => load.killAllSync()); // last resort; normally nothing is left
}

/** Run one case at one level; its result (or error) goes into entry.cases and is printed. */
async function runCase(c, level, entry, { addon, spmonRoot, opts, shouldStop }) {
  log(`bench: ${c.name} @ ${level.label}...`);
  try {
    const before = buildInfo(spmonRoot);
    const res = await c.run({ addon, procRoot: '/proc', root: ROOT, spmonRoot, opts, level, shouldStop, log });
    if (shouldStop()) return; // partial figures are not worth printing
    if (!res) return; // the case has nothing to measure at this level
    const after = buildInfo(spmonRoot);
    res.build = { before, after };
    // A new commit alone changes nothing that runs; a rebuilt addon or dist/ does.
    if (before.addonBuilt !== after.addonBuilt || before.distBuilt !== after.distBuilt) {
      res.buildChanged = true;
      (res.notes = res.notes || []).push(
        `WARNING: rebuilt while this case ran (addon ${before.addonBuilt} -> ${after.addonBuilt}, ` +
          `dist ${before.distBuilt} -> ${after.distBuilt}): its figures may mix two builds`,
      );
    }
    entry.cases[c.name] = res;
    console.log(formatCase(c.name, c.title, level, res));
  } catch (err) {
    if (shouldStop()) return;
    entry.cases[c.name] = { error: err.message };
    log(`bench: case ${c.name} failed: ${err.stack || err}`);
  }
}

async function main() {
  const opts = parseOptions(process.argv.slice(2), process.env);
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  for (const [file, how] of [
    [ADDON, 'npm run build:native'],
    [CLI, 'npx tsc -p .'],
  ]) {
    if (!fs.existsSync(file)) throw new SetupError(`${path.relative(ROOT, file)} is missing; build it first (${how}, or npm run build)`);
  }
  const spmonRoot = opts.spmonRoot ? path.resolve(opts.spmonRoot) : ROOT;
  if (!fs.existsSync(path.join(spmonRoot, 'dist', 'lib', 'cli.js'))) throw new SetupError(`${spmonRoot}/dist/lib/cli.js is missing: build that checkout first`);
  const cases = loadCases(opts.cases);
  installCleanup();
  const addon = require(ADDON);
  const shouldStop = () => stopping !== null;

  const doc = {
    schema: 'spmon.bench/v1',
    time: new Date().toISOString(),
    command: ['npm run bench --', ...process.argv.slice(2)].join(' ').replace(/ --$/, ''),
    options: opts,
    machine: machine(),
    build: buildInfo(spmonRoot),
    spmonRoot: spmonRoot === ROOT ? null : spmonRoot,
    levels: [],
  };
  const m = doc.machine;
  console.log(
    `spmon bench: ${m.nproc} CPUs (${m.cpuModel}), ${(m.memTotalBytes / 2 ** 30).toFixed(1)} GiB, Linux ${m.kernel}, Node ${m.node}; ` +
      `${opts.reps} reps after ${opts.warmup} warm-up, ${opts.runs} end-to-end runs`,
  );
  const b = doc.build;
  if (doc.spmonRoot) console.log(`bin/spmon from ${doc.spmonRoot} (cli, floor and dashboard cases); sample() from this checkout's addon`);
  console.log(
    `build: commit ${b.head}${b.libOrNativeChanged ? ' (lib/ or native/ changed since)' : ''}, addon built ${b.addonBuilt}, ` +
      `${doc.spmonRoot ? `${doc.spmonRoot}/` : ''}dist/ built ${b.distBuilt}`,
  );

  // Cases with `ownLoad: true` (scale, bigmem) spawn and end their own processes: they
  // run once, after the load levels, with no load of run.js's running.
  const shared = cases.filter((c) => !c.ownLoad);
  const own = cases.filter((c) => c.ownLoad);
  const levels = [];
  if (shared.length) {
    levels.push({ name: 'current', label: 'current', extra: 0, cases: shared });
    if (opts.procs > 0) levels.push({ name: 'raised', label: `+${opts.procs}`, extra: opts.procs, cases: shared });
  }
  if (own.length) levels.push({ name: 'own', label: 'own load', extra: 0, cases: own, ownLoad: true });

  for (const level of levels) {
    if (shouldStop()) break;
    const entry = { name: level.name, label: level.label, extraProcs: level.extra, load: null, processCountBefore: null, cases: {} };
    doc.levels.push(entry);
    let running = null;
    try {
      if (level.extra > 0) {
        log(`bench: spawning ${level.extra} processes (${Math.min(opts.big, level.extra)} of them touching ${opts.bigMib} MiB)...`);
        running = await load.startLoad({ procs: level.extra, big: opts.big, bigMib: opts.bigMib, shouldStop, log });
        entry.load = { pids: running.pids.length, bigPids: running.bigPids, bigMib: opts.bigMib, bigRunner: running.bigRunner, spawnMs: running.spawnMs };
        log(`bench: load up in ${running.spawnMs} ms`);
      }
      entry.processCountBefore = processCount();
      entry.loadavgBefore = require('os').loadavg();
      const now =
        `${entry.processCountBefore} processes, load average ${entry.loadavgBefore.map((v) => v.toFixed(2)).join(' ')} ` +
        `on ${doc.machine.nproc} CPUs (other work on the machine inflates wall times; ratios hold better)`;
      console.log(
        level.ownLoad
          ? `\n--- cases that spawn their own load (${level.cases.map((c) => c.name).join(', ')}); before them: ${now}`
          : `\n--- load level ${level.label}: ${now}`,
      );
      for (const c of level.cases) {
        if (shouldStop()) break;
        await runCase(c, level, entry, { addon, spmonRoot, opts, shouldStop });
      }
      entry.loadavgAfter = require('os').loadavg();
    } finally {
      if (running) {
        const s = await running.stop();
        entry.load.stopMs = s.stopMs;
        log(`bench: ended the ${s.stopped} load processes in ${s.stopMs} ms`);
      }
    }
  }
  if (shouldStop()) return 130;
  const summary = formatSummary(doc);
  if (summary) console.log(summary);
  const file = writeJson(doc, opts.out ? path.resolve(opts.out) : path.join(__dirname, 'out'));
  console.log(`\nJSON: ${path.relative(process.cwd(), file)}`);
  return Object.values(doc.levels).some((l) => Object.values(l.cases).some((c) => c.error)) ? 1 : 0;
}

main().then(
  (code) => {
    if (!stopping) process.exitCode = code;
  },
  async (err) => {
    if (err instanceof UsageError) log(`bench: ${err.message}\n\n${HELP}`);
    else if (err instanceof SetupError) log(`bench: ${err.message}`);
    else log(`bench: ${err && err.stack ? err.stack : err}`);
    try {
      await load.stopAll();
    } catch (e) {
      log(`bench: ${e.message}`);
    }
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
