// V8's optimizing compiler for the long-running front ends. bin/spmon starts the dashboard and the daemon
// with `--no-opt`: V8 then runs the interpreter's and Sparkplug's baseline code only, which at the size of a
// session pod (tens of processes) costs less CPU than TurboFan's compiles and keeps its code out of memory
// (~6 MB less resident; docs/performance.md, "Issue 17, fourth round"). With
// many processes the per-process loops dominate a tick and baseline code cost up to ~1.5x the CPU of
// TurboFan's, so past OPTIMIZE_AT processes the engine turns it on, once, for the rest of the run (V8
// reads the flag at each tier-up decision; Node leaves flags writable after start for v8.setFlagsFromString).
import type * as v8 from 'v8';

/**
 * The Node flags of the long-running commands: bin/spmon's sh line gives them to the dashboard and the
 * daemon, and a daemon started from a command (selfCommand) gets them as well. test/launcher.test.ts keeps
 * the sh line, bin/spmon's LEAN_FLAGS and this list equal. `--verify-snapshot-checksum` makes V8 write a
 * checksum into the code cache it makes and check it when it takes one, so bin/spmon need not check the
 * cache's bytes itself (which loaded zlib and Node's streams before the first frame).
 */
export const LONG_RUNNING_FLAGS: readonly string[] = ['--single-threaded', '--no-opt', '--verify-snapshot-checksum'];

/**
 * Processes from which TurboFan pays: where the two CPU lines measured at ~70 and ~1,070 processes cross
 * (docs/performance.md).
 */
export const OPTIMIZE_AT = 350;

let optimizing: boolean | null = null;

/** Whether V8's optimizing compiler is on in this process (off only under `--no-opt` until many processes were seen). */
export function optimizerOn(): boolean {
  if (optimizing === null) optimizing = !process.execArgv.includes('--no-opt');
  return optimizing;
}

/** Called with each tick's process count: turns the optimizing compiler on at OPTIMIZE_AT processes (once). */
export function tierForProcesses(count: number): void {
  if (count < OPTIMIZE_AT || optimizerOn()) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('v8') as typeof v8).setFlagsFromString('--opt');
  optimizing = true;
}
