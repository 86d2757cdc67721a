// The long-running front ends start without V8's optimizing compiler (bin/spmon gives them --no-opt) and
// the engine turns it on once a tick sees OPTIMIZE_AT processes. Checked in real Node children: what V8
// makes of a hot function (%GetOptimizationStatus), and a real engine's tick over the real /proc with
// enough processes that this test spawned.
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as path from 'path';
import { OPTIMIZE_AT } from '../lib/engine/jit_tier';
import { privateEnv } from './helpers/private_env';
import { ROOT } from './helpers/paths';

jest.setTimeout(60_000);

const DIST = path.join(ROOT, 'dist', 'lib');
// V8's OptimizationStatus bit for code made by TurboFan.
const OPTIMIZED = 16;

/**
 * Run `script` in `node <flags> --allow-natives-syntax` and parse the JSON it prints. With
 * `--single-threaded` (as bin/spmon starts the long-running commands) V8 compiles on the main thread, so a
 * function run hot is compiled when the loop returns.
 */
function inNode(flags: string[], script: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, [...flags, '--allow-natives-syntax', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 50_000 });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  return JSON.parse(r.stdout);
}

// A function run hot, then asked whether TurboFan compiled it.
const HOT = `
  const hot = (n) => { let s = 0; for (let i = 0; i < n; i++) s += (i * 7) % 13; return s; };
  const heat = () => { let t = 0; for (let k = 0; k < 3000; k++) t += hot(2000); return t; };
  const optimized = () => { heat(); return (%GetOptimizationStatus(hot) & ${OPTIMIZED}) !== 0; };
`;

test('under --no-opt hot code stays unoptimized below OPTIMIZE_AT processes and is optimized from there on', () => {
  const out = inNode(['--single-threaded', '--no-opt'], `${HOT}
    const t = require(${JSON.stringify(path.join(DIST, 'engine', 'jit_tier.js'))});
    const r = { onAtStart: t.optimizerOn() };
    t.tierForProcesses(t.OPTIMIZE_AT - 1);
    r.below = { on: t.optimizerOn(), optimized: optimized() };
    t.tierForProcesses(t.OPTIMIZE_AT);
    r.at = { on: t.optimizerOn(), optimized: optimized() };
    process.stdout.write(JSON.stringify(r));`);
  expect(out).toEqual({ onAtStart: false, below: { on: false, optimized: false }, at: { on: true, optimized: true } });
});

test('without --no-opt (the short commands) the optimizer is on from the start and nothing is changed', () => {
  const out = inNode(['--single-threaded'], `${HOT}
    const t = require(${JSON.stringify(path.join(DIST, 'engine', 'jit_tier.js'))});
    t.tierForProcesses(0);
    process.stdout.write(JSON.stringify({ on: t.optimizerOn(), optimized: optimized() }));`);
  expect(out).toEqual({ on: true, optimized: true });
});

describe('a live engine', () => {
  const kids: ChildProcess[] = [];
  afterAll(() => {
    for (const k of kids) k.kill('SIGKILL');
  });

  test(`its tick turns the optimizer on when /proc holds at least ${OPTIMIZE_AT} processes`, async () => {
    // As many of our own as the threshold and some: other suites' processes come and go meanwhile (counting
    // /proc first and topping it up failed in CI when some of those ended before the tick).
    for (let i = 0; i < OPTIMIZE_AT + 20; i++) kids.push(spawn('sleep', ['60'], { stdio: 'ignore' }));
    await new Promise((r) => setTimeout(r, 200));
    const pe = privateEnv();
    try {
      const out = inNode(['--single-threaded', '--no-opt'], `
        const { Engine } = require(${JSON.stringify(path.join(DIST, 'engine', 'engine.js'))});
        const { resolveSettings } = require(${JSON.stringify(path.join(DIST, 'config.js'))});
        const t = require(${JSON.stringify(path.join(DIST, 'engine', 'jit_tier.js'))});
        const env = JSON.parse(${JSON.stringify(JSON.stringify(pe.env))});
        const before = t.optimizerOn();
        const engine = new Engine(resolveSettings({}, env, {}), { env });
        const frame = engine.tick();
        const r = { before, processes: frame.processes.length >= t.OPTIMIZE_AT, after: t.optimizerOn() };
        engine.close().then(() => process.stdout.write(JSON.stringify(r)));`);
      expect(out).toEqual({ before: false, processes: true, after: true });
    } finally {
      pe.dispose();
    }
  });
});
