'use strict';
// Timing and summaries. Every subject of a case runs in the same rounds, in a rotating
// order, so drift (other load, CPU frequency, page cache) hits all of them alike.

/** Quantile by linear interpolation between closest ranks (q in [0, 1]). */
function quantile(values, q) {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

function summarize(values) {
  if (values.length === 0) return { n: 0, median: null, p90: null, min: null, max: null, mean: null };
  let sum = 0;
  for (const v of values) sum += v;
  return {
    n: values.length,
    median: quantile(values, 0.5),
    p90: quantile(values, 0.9),
    min: Math.min(...values),
    max: Math.max(...values),
    mean: sum / values.length,
  };
}

/** Wall and CPU (user + system, this process) of one synchronous call, in ms. */
function timeOnce(fn) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = fn();
  const t1 = process.hrtime.bigint();
  const c = process.cpuUsage(c0);
  return { wallMs: Number(t1 - t0) / 1e6, cpuMs: (c.user + c.system) / 1000, result };
}

/**
 * Run every subject `warmup` rounds untimed, then `reps` timed rounds. Subjects are
 * { id, run() } with run synchronous and timed here (this process's CPU), or
 * { id, measure() } returning { wallMs, cpuMs } measured elsewhere (a child that times
 * itself, such as the C floor). Returns { [id]: { wall, cpu, samplesMs } }.
 * `shouldStop()` lets Ctrl-C end a long measurement early.
 */
async function measureRounds(subjects, { warmup, reps, shouldStop = () => false }) {
  for (let w = 0; w < warmup && !shouldStop(); w++) {
    for (const s of subjects) (s.measure || s.run)();
    await yieldToEvents();
  }
  const wall = new Map(subjects.map((s) => [s.id, []]));
  const cpu = new Map(subjects.map((s) => [s.id, []]));
  for (let r = 0; r < reps && !shouldStop(); r++) {
    for (let k = 0; k < subjects.length; k++) {
      const s = subjects[(r + k) % subjects.length];
      const t = s.measure ? s.measure() : timeOnce(() => s.run());
      wall.get(s.id).push(t.wallMs);
      cpu.get(s.id).push(t.cpuMs);
    }
    await yieldToEvents(); // outside the timed calls: lets Ctrl-C and child exits through
  }
  const out = {};
  for (const s of subjects) {
    out[s.id] = { wall: summarize(wall.get(s.id)), cpu: summarize(cpu.get(s.id)), samplesMs: { wall: wall.get(s.id), cpu: cpu.get(s.id) } };
  }
  return out;
}

function yieldToEvents() {
  return new Promise((resolve) => setImmediate(resolve));
}

function ratio(a, b) {
  return a === null || b === null || b === 0 ? null : a / b;
}

module.exports = { quantile, summarize, timeOnce, measureRounds, yieldToEvents, ratio };
