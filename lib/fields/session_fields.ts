// Every per-session field, declared once: the sessions grid and --once table, the --json session rows
// (and MCP, metrics). The summed fields come from the process field table (`session` there), so a
// process field that sums over a session is one entry, not two.
import type { ProcessStat } from '../model/process_stat';
import type { Session } from '../model/sessions';
import type { ColumnSpec, Metric, ProcessField, Unit } from './field';
import { OVERLAP, SUMMED_FIELDS } from './process_fields';

/**
 * The sums of a session's members, by session JSON key (ussBytes, pssBytes, ...; else the field key); null when
 * no member knows. `memoryUnknown`: how many members' USS is not known (memoryUnknownOf).
 */
export type SessionTotals = Readonly<Record<string, number | null>>;

const totalsCache = new WeakMap<Session, SessionTotals>();

/** The session's sums (cached per session object: a session is made anew each tick). */
export function sessionTotals(s: Session): SessionTotals {
  let t = totalsCache.get(s);
  if (t) return t;
  t = sumMembers(s.members, SUMMED_VALUES, NO_CONTEXT);
  totalsCache.set(s, t);
  return t;
}

const SUMMED_VALUES = SUMMED_FIELDS.map((f) => f.value);

/**
 * Members whose USS is not known (smaps not readable, or not read yet), kernel threads and zombies aside
 * (they have no memory of their own): the session's USS and PSS are sums of the rest, never silently.
 * Counted in the same pass as the sums.
 */
export function memoryUnknownOf(s: Session): number {
  return sessionTotals(s).memoryUnknown as number;
}

/**
 * One pass over the members summing every field, made from the field table: each field's value is called
 * from a call site of its own (one call site for all of them saw a dozen functions and ran at V8's
 * slowest), and the result is one object literal. Unknown stays null: a sum only of what is known.
 */
const sumMembers = ((): ((members: readonly ProcessStat[], values: typeof SUMMED_VALUES, ctx: typeof NO_CONTEXT) => SessionTotals) => {
  const n = SUMMED_FIELDS.length;
  const idx = [...Array(n).keys()];
  const body = [
    ...idx.map((i) => `const f${i} = values[${i}]; let s${i} = null;`),
    'let unknown = 0;',
    'for (let j = 0; j < members.length; j++) {',
    '  const p = members[j]; let v;',
    "  if (p.ussBytes === null && !p.kernelThread && p.state !== 'Z') unknown++;",
    ...idx.map((i) => `  v = f${i}(p, ctx); if (typeof v === 'number') s${i} = (s${i} === null ? 0 : s${i}) + v;`),
    '}',
    `return { ${SUMMED_FIELDS.map((f, i) => `${JSON.stringify(f.session!.json ?? f.key)}: s${i}`).join(', ')}, memoryUnknown: unknown };`,
  ].join('\n');
  return new Function('members', 'values', 'ctx', body) as never;
})();

// Summed fields are numbers of the process itself: they never look at the context.
const NO_CONTEXT = {
  sessionIdsOf: () => [],
  sessionLabelOf: () => null,
  userName: () => null,
};

export interface SessionField {
  key: string;
  column: ColumnSpec | null;
  unit: Unit;
  /** undefined: does not apply to this session (a blank cell); null: unknown (`-`). */
  value(s: Session): unknown;
  json: string | null;
  /** JSON rounds to this many decimals. */
  digits?: number;
  metric: Metric | null;
  /** The process field a summed session field sums (its metric, when a counter, is counted by lib/metrics). */
  sums?: ProcessField;
  /** Emphasis from the agent's context level ('ctx'). */
  contextTone?: boolean;
}

const summed: SessionField[] = SUMMED_FIELDS.map((f) => ({
  key: f.key,
  column: f.session!.column,
  unit: f.unit,
  value: (s: Session) => sessionTotals(s)[f.session!.json ?? f.key],
  json: f.session!.json,
  digits: f.json?.digits,
  metric: f.session!.metric,
  sums: f,
}));

export const SESSION_FIELDS: readonly SessionField[] = [
  { key: 'id', column: null, unit: 'text', value: (s) => s.id, json: 'id', metric: null },
  { key: 'kind', column: { header: 'Kind', width: 6, align: 'left', priority: 100 }, unit: 'text', value: (s) => s.kind, json: 'kind', metric: null },
  { key: 'name', column: { header: 'Session', width: 0, align: 'left', priority: 95 }, unit: 'text', value: (s) => s.name, json: 'name', metric: null },
  { key: 'procs', column: { header: 'Procs', width: 5, align: 'right', priority: 80 }, unit: 'int', value: (s) => s.pids.length, json: null,
    metric: { name: 'processes', help: 'Live processes in the session.' + OVERLAP } },
  { key: 'pids', column: null, unit: 'text', value: (s) => s.pids, json: 'pids', metric: null },
  ...summed,
  { key: 'memoryUnknown', column: null, unit: 'int', value: (s) => memoryUnknownOf(s), json: 'memoryUnknown',
    metric: { name: 'memory_unknown_processes', help: "Live processes in the session whose USS/PSS is not known (another user's or protected, or not read yet): the session's USS and PSS are sums of the rest." + OVERLAP } },
  { key: 'state', column: { header: 'State', width: 8, align: 'left', priority: 58 }, unit: 'text',
    value: (s) => (s.run ? s.run.state : undefined), json: null, metric: null },
  { key: 'restarts', column: null, unit: 'int', value: (s) => (s.run ? s.run.restarts : undefined), json: null, metric: null },
  { key: 'model', column: { header: 'Tool/model', width: 22, align: 'left', priority: 55 }, unit: 'text',
    value: (s) => (s.agent ? `${s.agent.tool} ${s.agent.model ?? ''}`.trim() : ''), json: null, metric: null },
  { key: 'tokens', column: { header: 'Tokens', width: 7, align: 'right', priority: 65 }, unit: 'agentTokens',
    value: (s) => (s.agent ? s.agent : undefined), json: null, metric: null },
  { key: 'ctx', column: { header: 'Ctx%', width: 5, align: 'right', priority: 70 }, unit: 'percent0',
    value: (s) => (s.agent ? s.agent.contextPercent : undefined), json: null, metric: null, contextTone: true },
  { key: 'agent', column: null, unit: 'text', value: (s) => s.agent, json: 'agent', metric: null },
  { key: 'run', column: null, unit: 'text', value: (s) => s.run, json: 'run', metric: null },
];

/** The fields of the sessions grid, in order. */
export const SESSION_GRID_FIELDS = SESSION_FIELDS.filter((f) => f.column !== null);
