// What a field declaration says: one entry per process or session field, read by every front end
// (grid, sort, --once table, JSON, metrics) and by the engine's consumers to ask for the reads they need.
// Pure declarations: no formatting (lib/view formats by unit), no I/O.
import type { ProcessStat } from '../model/process_stat';

/** How a value is shown; lib/view/cell.ts formats each unit. */
export type Unit =
  | 'int'
  | 'text'
  /** A process name: kernel threads in brackets. */
  | 'name'
  /** A cmdline: "(kernel thread)", "(zombie)" when there is none. */
  | 'cmdline'
  | 'percent'
  | 'bytes'
  | 'bytesPerSec'
  | 'bytesPerMin'
  | 'count'
  /** An agent's token total, marked while its logs are still being read. */
  | 'agentTokens'
  | 'percent0'
  /** Seconds of CPU time. */
  | 'seconds';

/** The native reads a value comes from (htop's Process_fields flags): a consumer asks for the union. */
export type NativeRead = 'io' | 'smaps' | 'status' | 'cmdline';

/** Emphasis a value asks for; lib/view maps it to a style. */
export type Tone = 'warn' | 'danger' | null;

/** What a field may need beyond the process itself: the frame's session membership and user names. */
export interface FieldContext {
  sessionIdsOf(p: ProcessStat): readonly string[];
  sessionLabelOf(p: ProcessStat): string | null;
  userName(uid: number | null): string | null;
}

/** undefined: does not apply (a blank cell; not in JSON as such); null: unknown. */
export type Value = number | string | boolean | null | undefined | readonly string[];

/** A column of a grid or table. */
export interface ColumnSpec {
  header: string;
  /** Columns; 0: takes what the others leave (one such column per table). */
  width: number;
  align: 'left' | 'right';
  /** Lower is dropped first when the terminal is narrow. */
  priority: number;
}

/**
 * A Prometheus/OpenMetrics series a field gives (lib/metrics renders them). Base units, no percentages;
 * a counter's name ends in `_total`. Fields with the same name are one family told apart by `labels`.
 */
export interface Metric {
  /** Without the `spmon_` prefix and the per-kind infix (`memory_uss_bytes` is `spmon_session_memory_uss_bytes` for a session). */
  name: string;
  help: string;
  /** Default gauge. A counter only goes up while its series lives (sessions: see lib/metrics/accumulate.ts). */
  type?: 'gauge' | 'counter';
  /** Labels with a fixed value for this field, telling it apart from the others of its family (`mode="user"`). */
  labels?: Readonly<Record<string, string>>;
}

export interface ProcessField {
  /** Stable id; the --sort key of sortable fields. */
  key: string;
  /** In the process grid and the --once table; null: JSON only. */
  column: ColumnSpec | null;
  unit: Unit;
  value(p: ProcessStat, ctx: FieldContext): Value;
  /** Sortable fields: the value compared (numbers, or lower-case text); unknown sorts last. */
  sort: ((p: ProcessStat) => number | string | null) | null;
  /** Numbers sort largest first by default, text A to Z. */
  descending: boolean;
  /** Key in --json process rows (and MCP); null: not in JSON. `digits`: round to this many decimals. */
  json: { key: string; digits?: number } | null;
  /**
   * Sessions sum this field over their members (ΣUSS adds up; ΣRSS double counts, and its header says so).
   * `json`: the key in --json session rows; null: not there (the sum still is in sessionTotals, by field key).
   */
  session: { column: ColumnSpec | null; json: string | null; metric: Metric | null } | null;
  /** The per-process series of the opt-in top-N of the metrics endpoint (`--metrics-top`). */
  metric?: Metric;
  tone?: (p: ProcessStat) => Tone;
  reads: readonly NativeRead[];
}
