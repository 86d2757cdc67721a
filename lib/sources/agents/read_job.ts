// What the main thread and a log-reading worker thread share (parallel_read.ts starts the worker,
// read_worker.ts is its entry): the job, the slots of their shared Int32Array, and the worker's loop. The
// logs are listed biggest first; each log is claimed by one thread with a compare-and-swap on its own slot,
// the worker from the biggest end, the main thread from the smallest, each until it meets a log the other
// claimed. So whichever thread is free takes the next log (no split to guess, a worker that starts late or
// not at all only leaves more to the main thread), the two meet among middle-sized logs, and the main
// thread warms its compiled code up on small logs while the worker starts.
import type { DiscoveredLog } from './dir_entries';
import { TrackedLogOptions, TrackedLogState, trackedLogFor } from './tracked_log';

/** Slots of the shared Int32Array; the claim of log i is slot CLAIMS + i. */
export const SLOT = {
  /** The worker's state (STATE below). */
  state: 0,
  /** Logs the worker has claimed. */
  claimed: 1,
  /** Logs the worker has read and posted. */
  finished: 2,
} as const;
export const SLOTS = 3;
/** Where the claims start: 0 free, BY_WORKER or BY_MAIN. */
export const CLAIMS = SLOTS;
export const BY_WORKER = 1;
export const BY_MAIN = 2;

export const STATE = {
  /** Not running yet: the main thread may still cancel it (compareExchange to CANCELLED). */
  starting: 0,
  running: 1,
  /** Nothing left to claim, and everything it claimed is posted. */
  done: 2,
  /** It threw: what it claimed and did not post is the main thread's to read. */
  failed: 3,
  /** Cancelled before it ran (the main thread read everything). */
  cancelled: 4,
} as const;

export interface ReadJob {
  logs: DiscoveredLog[];
  opts: TrackedLogOptions;
}

/** One log read by the worker, posted to the main thread. */
export interface ReadOutcome {
  index: number;
  gone: boolean;
  bytesRead: number;
  state: TrackedLogState;
}

/** What a worker gets as workerData. */
export interface WorkerData {
  shared: Int32Array;
  port: import('worker_threads').MessagePort;
  job: ReadJob;
}

/** Wakes whoever waits on any slot (the main thread waits on one, whichever it is). */
export function notifyAll(shared: Int32Array): void {
  for (let i = 0; i < SLOTS; i++) Atomics.notify(shared, i);
}

/**
 * The worker's side: claims logs from the biggest until it meets one the main thread claimed, reads each to
 * its end and posts where it stands. Returns without reading when the main thread cancelled it first.
 */
export function workOn(data: WorkerData): void {
  const { shared, port, job } = data;
  if (Atomics.compareExchange(shared, SLOT.state, STATE.starting, STATE.running) !== STATE.starting) return;
  const scratch = Buffer.allocUnsafe(Math.max(1, job.opts.chunkBytes));
  for (let index = 0; index < job.logs.length; index++) {
    if (Atomics.compareExchange(shared, CLAIMS + index, 0, BY_WORKER) !== 0) break; // the main thread's from here on
    Atomics.add(shared, SLOT.claimed, 1);
    Atomics.notify(shared, SLOT.claimed);
    const t = trackedLogFor(job.logs[index], job.opts);
    const r = t.poll(Infinity, scratch);
    const outcome: ReadOutcome = { index, gone: r.gone, bytesRead: r.bytesRead, state: t.saveState() };
    port.postMessage(outcome);
    // Posted before counted: once the main thread sees the count, the message is on its port.
    Atomics.add(shared, SLOT.finished, 1);
    Atomics.notify(shared, SLOT.finished);
  }
  Atomics.store(shared, SLOT.state, STATE.done);
  notifyAll(shared);
}
