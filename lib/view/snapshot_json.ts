// The `spmon.snapshot/v1` document (see docs/snapshot.schema.json): process and session rows from the
// field tables. Every key is always present; unknown is null.
import type { FieldContext } from '../fields/field';
import { jsonValue, PROCESS_FIELDS } from '../fields/process_fields';
import { SESSION_FIELDS } from '../fields/session_fields';
import type { CgroupStat, HostStat, ProcessStat } from '../model/process_stat';
import type { Session } from '../model/sessions';
import { isoTime } from '../model/clock';

export const SNAPSHOT_SCHEMA = 'spmon.snapshot/v1';

const JSON_PROCESS_FIELDS = PROCESS_FIELDS.filter((f) => f.json !== null);
const JSON_SESSION_FIELDS = SESSION_FIELDS.filter((f) => f.json !== null);

const round = (v: number | null, digits = 2): number | null => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

type RowMaker = (value: (i: number, p: ProcessStat, ctx: FieldContext) => unknown, p: ProcessStat, ctx: FieldContext) => Record<string, unknown>;

/**
 * A process row is one object literal with every key of the field table, made once: a row filled key by
 * key in a loop takes V8's slow path for every store (what it costs: docs/performance.md, issue 12's
 * before and after). The keys are the table's JSON keys, checked identifiers, never outside data.
 */
const makeRow = ((): RowMaker => {
  const keys = JSON_PROCESS_FIELDS.map((f) => f.json!.key);
  for (const k of keys) if (!/^[A-Za-z][A-Za-z0-9]*$/.test(k)) throw new Error(`process field JSON key ${JSON.stringify(k)} is not an identifier`);
  return new Function('v', 'p', 'ctx', `return { ${keys.map((k, i) => `${k}: v(${i}, p, ctx)`).join(', ')} };`) as RowMaker;
})();

const fieldValue = (i: number, p: ProcessStat, ctx: FieldContext): unknown => jsonValue(JSON_PROCESS_FIELDS[i], p, ctx) ?? null;

/** One process row as --json (and MCP's list_processes) give it. */
export function processJson(p: ProcessStat, ctx: FieldContext): Record<string, unknown> {
  return makeRow(fieldValue, p, ctx);
}

/** One session row as --json gives it. */
export function sessionJson(s: Session): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const f of JSON_SESSION_FIELDS) {
    const v = f.value(s);
    row[f.json!] = typeof v === 'number' && f.digits !== undefined ? round(v, f.digits) : (v ?? null);
  }
  return row;
}

export interface SnapshotInput {
  wallMs: number;
  intervalMs: number | null;
  host: HostStat & { name: string | null; kernel: string | null };
  cgroup: CgroupStat;
  processes: readonly ProcessStat[];
  sessions: readonly Session[];
  ctx: FieldContext;
}

export function snapshotJson(o: SnapshotInput) {
  const c = o.cgroup;
  return {
    schema: SNAPSHOT_SCHEMA,
    time: isoTime(o.wallMs),
    intervalMs: o.intervalMs === null ? null : Math.round(o.intervalMs),
    host: {
      name: o.host.name,
      kernel: o.host.kernel,
      cpuCount: o.host.cpuCount,
      memTotalBytes: o.host.memTotalBytes,
      memAvailableBytes: o.host.memAvailableBytes,
      uptimeSec: round(o.host.uptimeSec),
    },
    cgroup: {
      version: c.version,
      path: c.path,
      memory: {
        currentBytes: c.memory.currentBytes,
        limitBytes: c.memory.limitBytes,
        highBytes: c.memory.highBytes,
        workingSetBytes: c.memory.workingSetBytes,
        anonBytes: c.memory.anonBytes,
        fileBytes: c.memory.fileBytes,
        shmemBytes: c.memory.shmemBytes,
        thresholdPercent: c.memory.thresholdPercent,
        oomKills: c.memory.oomKills,
      },
      cpu: { quotaCores: c.cpu.quotaCores, usagePercent: round(c.cpu.usagePercent) },
    },
    processes: o.processes.map((p) => processJson(p, o.ctx)),
    sessions: o.sessions.map(sessionJson),
  };
}
