// What the engine publishes each tick: every number of one moment, for every front end to read.
import type { FieldContext } from '../fields/field';
import type { RawDetail } from '../native';
import type { CgroupStat, HostStat, ProcessStat } from '../model/process_stat';
import type { Session } from '../model/sessions';

export interface FrameHost extends HostStat {
  name: string | null;
  kernel: string | null;
}

/**
 * One tick's numbers. The ProcessStats are the Sampler's own and are updated in place by the next tick
 * (making them anew each tick was a quarter of the dashboard's allocation): read a frame before the next
 * tick, or copy what must keep its values. Everything else in a frame is made anew each tick.
 * Its FieldContext methods say which sessions a process is in and who owns it.
 */
export interface Frame extends FieldContext {
  /** 1 for the first frame of an engine. */
  seq: number;
  /** When the sample was taken, ms since the epoch. */
  wallMs: number;
  /** Time since the previous sample, ms; null for the first. */
  intervalMs: number | null;
  host: FrameHost;
  cgroup: CgroupStat;
  processes: readonly ProcessStat[];
  /** Processes of the previous frame that are gone: their last values. */
  exited: readonly ProcessStat[];
  /** The pod first, then the other kinds in provider order. */
  sessions: readonly Session[];
  /** cgroup, cwd and exe of the process a consumer asked about (`detailPid`). */
  detail: RawDetail | null;
  /** CPU ms the native sample took, and the whole previous tick (sample, sessions and every consumer of its frame). */
  cost: { sampleMs: number; lastTickCpuMs: number | null };
}
