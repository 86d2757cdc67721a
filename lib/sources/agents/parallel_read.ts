// readAll() on two threads: when there is enough to read and a CPU to spare, one worker_threads Worker reads
// logs beside the main thread. Both claim logs of one list, biggest first, the worker from the biggest end
// and the main thread from the smallest (read_job.ts); the main thread then waits for the worker's last
// log, synchronously (Atomics.wait on a SharedArrayBuffer), takes the worker's messages with receiveMessageOnPort, and puts each log's state into its own TrackedLog, as if it had read
// the log itself (later polls go on from there). Whatever the worker did not deliver (it could not start,
// threw, or stalled) the main thread reads: never a partial answer.
//
// The worker's code: the bundle and the single executable carry read_worker.ts bundled on its own, as a
// string (scripts/build.js defines SPMON_AGENT_READ_WORKER), started with `eval: true` (a single
// executable cannot start a worker from a file); the modules tsc writes start read_worker.js beside this
// file; TypeScript sources (tests under ts-jest) have it bundled by esbuild on first use.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type * as WorkerThreads from 'worker_threads';
import { BY_MAIN, CLAIMS, ReadJob, ReadOutcome, SLOT, SLOTS, STATE, WorkerData } from './read_job';
import type { TrackedLog, TrackedLogOptions } from './tracked_log';

declare const SPMON_AGENT_READ_WORKER: string | undefined;

const MiB = 1024 * 1024;

export interface ReadWorkerOptions {
  /**
   * 'auto': a worker when at least minBytes are to be read in at least two logs never read before, on a
   * machine with two CPUs or more of which one looks free. 'never': one thread. 'always' (tests): a worker
   * whenever two fresh logs or more are to be read, whatever the load and the size, and it claims the first
   * log before the main thread claims any (so it surely reads one).
   */
  mode?: 'auto' | 'always' | 'never';
  /** Bytes (listed sizes of the fresh logs) from which 'auto' starts a worker. Default DEFAULT_MIN_BYTES. */
  minBytes?: number;
  /** Tests: the worker's code in place of read_worker's (one that throws, hangs or does not compile). */
  code?: string;
  /** A worker whose log in progress is not done after this long (plus 1 ms per 64 KiB of it) is given up. Default 10 s. */
  stallMs?: number;
  /** Tests: readAll() throws when the worker read no log (the worker path must work where it runs). */
  strict?: boolean;
  /** Benchmarks: 'auto' does not look at the load average. */
  ignoreLoad?: boolean;
}

/**
 * Below this a worker costs more than it saves (docs/performance.md, "Agent logs": on 2 CPUs, 216 MiB read
 * 1.18x slower with it, 646 MiB as fast, 1005 MiB 0.88x): each thread compiles the parser for itself,
 * and the worker starts ~50 ms late.
 */
export const DEFAULT_MIN_BYTES = 768 * MiB;

/** What reading a log did, wherever it was read. */
export interface LogRead {
  gone: boolean;
  bytesRead: number;
}

export interface ParallelOutcome {
  /** Logs the worker read (their state is now in the main thread's TrackedLogs). */
  workerLogs: number;
  workerBytes: number;
  /** Why the worker delivered less than it claimed, or null: 'failed' (threw), 'stalled', 'not-started' (did not start before the main thread was done). */
  fallback: 'failed' | 'stalled' | 'not-started' | null;
}

/** Whether 'auto' uses a worker: enough bytes, two logs or more, two CPUs or more, one of them free. */
export function worthAWorker(freshBytes: number, freshLogs: number, opts: ReadWorkerOptions): boolean {
  const mode = opts.mode ?? 'auto';
  if (mode === 'never' || freshLogs < 2) return false;
  if (mode === 'always') return true;
  if (freshBytes < (opts.minBytes ?? DEFAULT_MIN_BYTES)) return false;
  const cpus = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  if (cpus < 2) return false;
  // The 1-minute load average counts runnable threads: at cpus - 1 or more, no CPU is free for a second thread
  // (with one of 2 CPUs kept busy, 940 MiB took 1.1x as long with a worker).
  return opts.ignoreLoad === true || os.loadavg()[0] < cpus - 1;
}

/**
 * Reads `logs` (fresh TrackedLogs, biggest first) to their ends on this thread and one worker. `readHere`
 * reads one log on this thread; `done` is told of every log, wherever it was read. Returns null when no
 * worker could be made (the caller reads them all), else what the worker did.
 */
export function readWithWorker(
  logs: readonly TrackedLog[],
  trackedOpts: TrackedLogOptions,
  readHere: (t: TrackedLog) => LogRead,
  done: (t: TrackedLog, r: LogRead) => void,
  opts: ReadWorkerOptions,
): ParallelOutcome | null {
  const wt = require('worker_threads') as typeof WorkerThreads; // loaded when a worker is worth it
  const code = opts.code ?? workerBody();
  if (code === null) return null;
  const shared = new Int32Array(new SharedArrayBuffer((SLOTS + logs.length) * 4));
  const { port1, port2 } = new wt.MessageChannel();
  const job: ReadJob = { logs: logs.map((t) => t.found), opts: trackedOpts };
  const data: WorkerData = { shared, port: port2, job };
  let worker: WorkerThreads.Worker;
  try {
    worker = new wt.Worker(wrap(code), { eval: true, workerData: data, transferList: [port2], stdout: true, stderr: true });
  } catch {
    port1.close();
    return null;
  }
  worker.on('error', () => {}); // reported through the shared state; never an uncaught error here
  worker.unref();

  const n = logs.length;
  const mine = new Uint8Array(n);
  const stallMs = opts.stallMs ?? 10_000;
  try {
    if (opts.mode === 'always') {
      // Tests: the worker claims a log before this thread claims any.
      waitUntil(shared, SLOT.claimed, () => Atomics.load(shared, SLOT.claimed) > 0 || Atomics.load(shared, SLOT.state) > STATE.running, stallMs);
    }
    // From the smallest log up, until one the worker claimed (read_job.ts).
    for (let index = n - 1; index >= 0; index--) {
      if (Atomics.compareExchange(shared, CLAIMS + index, 0, BY_MAIN) !== 0) break;
      mine[index] = 1;
      done(logs[index], readHere(logs[index]));
    }
    // Everything is claimed. A worker that has not started yet is cancelled; one that runs is waited for.
    let fallback: ParallelOutcome['fallback'] = null;
    if (Atomics.compareExchange(shared, SLOT.state, STATE.starting, STATE.cancelled) === STATE.starting) fallback = 'not-started';
    else {
      const claimed = n - mine.reduce((a, b) => a + b, 0);
      // A bound on the size of the log in progress: the biggest the worker claimed (the list is biggest first).
      const inProgress = (): number => {
        for (let i = 0; i < n; i++) if (!mine[i]) return logs[i].found.sizeBytes;
        return 0;
      };
      const ok = waitUntil(
        shared,
        SLOT.finished,
        () => Atomics.load(shared, SLOT.finished) >= claimed || Atomics.load(shared, SLOT.state) >= STATE.done,
        stallMs + inProgress() / (64 * 1024),
      );
      const state = Atomics.load(shared, SLOT.state);
      if (!ok) fallback = 'stalled';
      else if (state === STATE.failed) fallback = 'failed';
    }
    // What the worker posted; the rest of its claims are read here.
    let workerLogs = 0;
    let workerBytes = 0;
    const delivered = new Uint8Array(n);
    for (let m = wt.receiveMessageOnPort(port1); m !== undefined; m = wt.receiveMessageOnPort(port1)) {
      const o = m.message as ReadOutcome;
      if (mine[o.index] || delivered[o.index]) continue;
      const t = logs[o.index];
      try {
        t.loadState(o.state);
      } catch {
        continue; // read here below
      }
      delivered[o.index] = 1;
      workerLogs++;
      workerBytes += o.bytesRead;
      done(t, { gone: o.gone, bytesRead: o.bytesRead });
    }
    for (let i = 0; i < n; i++) {
      if (mine[i] || delivered[i]) continue;
      if (fallback === null) fallback = 'failed'; // done, yet a log is missing
      done(logs[i], readHere(logs[i]));
    }
    return { workerLogs, workerBytes, fallback };
  } finally {
    port1.close();
    void worker.terminate();
  }
}

/**
 * Waits (Atomics.wait on `slot`, woken by the worker's notify) until `ready()`; false when it was not
 * within `ms` of the last change of the slot's value.
 */
function waitUntil(shared: Int32Array, slot: number, ready: () => boolean, ms: number): boolean {
  let last = Atomics.load(shared, slot);
  let since = Date.now();
  while (!ready()) {
    const left = since + ms - Date.now();
    if (left <= 0) return false;
    Atomics.wait(shared, slot, last, Math.min(left, 200));
    const now = Atomics.load(shared, slot);
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
  return true;
}

/** The worker's script: its code, and a report in the shared state if it cannot even load. */
function wrap(body: string): string {
  return [
    '"use strict";',
    `const { workerData: __spmonData } = require('worker_threads');`,
    'try {',
    body,
    '} catch (err) {',
    `  Atomics.store(__spmonData.shared, ${SLOT.state}, ${STATE.failed});`,
    `  for (let i = 0; i < ${SLOTS}; i++) Atomics.notify(__spmonData.shared, i);`,
    '}',
  ].join('\n');
}

let tsBundle: string | null | undefined;

/** read_worker's code as a statement to evaluate in the worker, or null when there is none to run. */
function workerBody(): string | null {
  if (typeof SPMON_AGENT_READ_WORKER === 'string') return SPMON_AGENT_READ_WORKER;
  const js = path.join(__dirname, 'read_worker.js');
  if (fs.existsSync(js)) return `require(${JSON.stringify(js)});`;
  const ts = path.join(__dirname, 'read_worker.ts');
  if (tsBundle === undefined) tsBundle = fs.existsSync(ts) ? bundleTypeScript(ts) : null;
  return tsBundle;
}

/** TypeScript sources (tests): read_worker.ts bundled now, as scripts/build.js does for the bundle. */
function bundleTypeScript(entry: string): string | null {
  try {
    // esbuild is a development dependency: there only when the sources are.
    const esbuild = require('esbuild') as typeof import('esbuild');
    const r = esbuild.buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'iife', write: false, logLevel: 'silent' });
    return r.outputFiles[0].text;
  } catch {
    return null;
  }
}
