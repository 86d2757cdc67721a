// What spmon exposes to Prometheus, as plain data: metric families (name, help, type, label names) and one
// frame's samples of them. Session and process series come from the field table (lib/fields: each field's
// `metric`); the cgroup, agent, run and self series are declared here. No prom-client here (render.ts
// formats). Pure, but for the running session counters the caller keeps (SessionCounters).
import type { Metric } from '../fields/field';
import { PROCESS_FIELDS } from '../fields/process_fields';
import { SESSION_FIELDS, SessionField } from '../fields/session_fields';
import type { Frame } from '../engine/frame';
import type { ProcessStat } from '../model/process_stat';
import type { Session, SessionKind } from '../model/sessions';
import { labelValue, uniqueSessionLabels } from './labels';
import { SessionCounters } from './session_counters';
import { monotonicMs } from '../model/clock';
import { byCodeUnits } from '../model/text_order';

export type MetricType = 'gauge' | 'counter';

export interface FamilyDef {
  name: string;
  help: string;
  type: MetricType;
  labelNames: readonly string[];
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface Family extends FamilyDef {
  samples: Sample[];
}

/** A supervised session's state and restarts, as the daemon knows them. */
export interface RunMetric {
  /** The session id of its frame session (kind `run`): its label is that session's. */
  id: string;
  /** Its name (the `session` label, as for its spmon_session_* series). */
  name: string;
  /** e.g. `running`, `exited`, `failed`, `stopped`: one series with value 1, for the state it is in. */
  state: string;
  restarts: number;
}

export interface CollectOptions {
  /** Processes with spmon_process_* series: the top N by PSS; 0 (default) none. At most MAX_TOP_N. */
  topN: number;
  /** Sessions (besides the pod) with series: those with the most PSS first. */
  sessionLimit: number;
  runs?: readonly RunMetric[];
  /** spmon's version, for spmon_build_info. */
  version: string;
}

/** The hard maximum of --metrics-top: per-process series are for finding the culprit, not an inventory. */
export const MAX_TOP_N = 100;
export const DEFAULT_SESSION_LIMIT = 200;

const PREFIX = 'spmon_';

// --- declarations ---------------------------------------------------------------------------------------

interface FieldFamily<F> extends FamilyDef {
  /** The fields giving this family's series, with their fixed labels. */
  members: { field: F; labels: Readonly<Record<string, string>> }[];
}

/** Families of fields with the same metric name, in table order; the first field's help speaks for all. */
function fieldFamilies<F>(fields: readonly F[], metricOf: (f: F) => Metric | null | undefined, infix: string, baseLabels: string[]): FieldFamily<F>[] {
  const byName = new Map<string, FieldFamily<F>>();
  for (const f of fields) {
    const m = metricOf(f);
    if (!m) continue;
    const name = `${PREFIX}${infix}${m.name}`;
    let fam = byName.get(name);
    if (!fam) {
      fam = { name, help: m.help, type: m.type ?? 'gauge', labelNames: [...baseLabels, ...Object.keys(m.labels ?? {})], members: [] };
      byName.set(name, fam);
    }
    fam.members.push({ field: f, labels: m.labels ?? {} });
  }
  return [...byName.values()];
}

const SESSION_FAMILIES = fieldFamilies(SESSION_FIELDS, (f) => f.metric, 'session_', ['kind', 'session']);
const PROCESS_FAMILIES = fieldFamilies(PROCESS_FIELDS, (f) => f.metric, 'process_', ['pid', 'comm']);

/** The process fields whose session sums are counters: SessionCounters keeps them, in this order. */
export const COUNTER_FIELDS = SESSION_FIELDS.filter((f) => f.metric?.type === 'counter' && f.sums).map((f) => f.sums!);

const def = (name: string, type: MetricType, help: string, labelNames: string[] = []): FamilyDef => ({ name: PREFIX + name, type, help, labelNames });

const F = {
  sessionsOmitted: def('sessions_omitted', 'gauge', 'Live sessions without spmon_session_* and spmon_agent_* series, by kind: beyond --metrics-session-limit (those with the least PSS are left out).', ['kind']),
  processesOmitted: def('processes_omitted', 'gauge', 'Live processes without spmon_process_* series: all but the top --metrics-top by PSS (all of them when it is 0).'),
  cgUsage: def('cgroup_memory_usage_bytes', 'gauge', "Memory charged to spmon's cgroup (the pod or container): memory.current, or memory.usage_in_bytes on cgroup v1."),
  cgWorkingSet: def('cgroup_memory_working_set_bytes', 'gauge', "Usage minus inactive file cache, as cAdvisor's container_memory_working_set_bytes: what the OOM killer and eviction look at."),
  cgLimit: def('cgroup_memory_limit_bytes', 'gauge', "The cgroup's memory limit, the lowest over it and its ancestors. No series when there is none."),
  cgThreshold: def('cgroup_memory_threshold_ratio', 'gauge', "spmon's danger mark for usage against the limit, 0 to 1 (--threshold, HYPERPLANE_SESSION_PROCESS_TERMINATOR_THRESHOLD_PERCENT)."),
  cgOom: def('cgroup_oom_kills_total', 'counter', 'Processes the kernel OOM killer ended in the cgroup (memory.events oom_kill).'),
  cgCpu: def('cgroup_cpu_usage_seconds_total', 'counter', 'CPU time of every process of the cgroup, seconds (cpu.stat usage_usec, cpuacct.usage).'),
  cgQuota: def('cgroup_cpu_quota_cores', 'gauge', "The cgroup's CPU quota in cores (cpu.max quota over period). No series when there is none."),
  agentTokens: def('agent_tokens_total', 'counter', "Tokens an AI agent session used, from its logs, by type: input (without cache reads), output, cache_read, cache_creation. A type the tool does not report has no series.", ['tool', 'session', 'model', 'type']),
  agentUsed: def('agent_context_used_tokens', 'gauge', "Tokens in an agent session's context at its last request.", ['tool', 'session', 'model']),
  agentLimit: def('agent_context_limit_tokens', 'gauge', "The context window of an agent session's model (from its log, else spmon's table).", ['tool', 'session', 'model']),
  agentRatio: def('agent_context_ratio', 'gauge', "The context fill an agent session's tool shows its user, 0-1 (Codex leaves its baseline out of both parts): what spmon tokens shows as Ctx%.", ['tool', 'session', 'model']),
  runState: def('run_state', 'gauge', 'A supervised session (spmon run) and the state it is in: 1 on the series of its current state.', ['session', 'state']),
  runRestarts: def('run_restarts_total', 'counter', 'Times spmon restarted a supervised session by its restart policy.', ['session']),
  frameTime: def('frame_timestamp_seconds', 'gauge', 'When the sample behind these metrics was taken, seconds since the epoch: a scrape serves the last frame, so time() minus this is its age.'),
  sampleDuration: def('sample_duration_seconds', 'gauge', 'Time the native read of /proc and the cgroup took for this frame, seconds.'),
  scrapeDuration: def('scrape_duration_seconds', 'gauge', "Time spent collecting this frame's metrics before formatting them, seconds (every scrape of the same frame shares one rendering)."),
  buildInfo: def('build_info', 'gauge', 'Always 1: the version of spmon and of Node.js it runs on.', ['version', 'nodejs']),
};

/** Every family spmon can expose, in exposition order: each format's registry is made from this list. */
export const FAMILIES: readonly FamilyDef[] = [
  ...SESSION_FAMILIES,
  F.sessionsOmitted,
  F.cgUsage, F.cgWorkingSet, F.cgLimit, F.cgThreshold, F.cgOom, F.cgCpu, F.cgQuota,
  F.agentTokens, F.agentUsed, F.agentLimit, F.agentRatio,
  F.runState, F.runRestarts,
  ...PROCESS_FAMILIES,
  F.processesOmitted,
  F.frameTime, F.sampleDuration, F.scrapeDuration, F.buildInfo,
].map(({ name, help, type, labelNames }) => ({ name, help, type, labelNames }));

// --- one frame --------------------------------------------------------------------------------------------

const OMITTABLE_KINDS: readonly SessionKind[] = ['tmux', 'agent', 'tree', 'run'];

const known = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The sessions with series: the pod, then the live sessions with the most PSS, at most `limit` of them
 * (ended sessions, which have no member, have none). Also what was left out, by kind.
 */
export function chooseSessions(sessions: readonly Session[], limit: number): { kept: Session[]; omitted: Map<SessionKind, number> } {
  const pss = SESSION_FIELDS.find((f) => f.key === 'pss')!;
  const live = sessions.filter((s) => s.kind !== 'pod' && s.members.length > 0);
  const pssOf = (s: Session) => {
    const v = pss.value(s);
    return known(v) ? v : -1;
  };
  live.sort((a, b) => pssOf(b) - pssOf(a) || byCodeUnits(a.id, b.id));
  const omitted = new Map<SessionKind, number>();
  for (const s of live.slice(limit)) omitted.set(s.kind, (omitted.get(s.kind) ?? 0) + 1);
  return { kept: [...sessions.filter((s) => s.kind === 'pod'), ...live.slice(0, limit)], omitted };
}

/** The top `n` processes by PSS (unknown PSS never makes it). */
export function topProcesses(processes: readonly ProcessStat[], n: number): ProcessStat[] {
  if (n <= 0) return [];
  const withPss = processes.filter((p) => p.pssBytes !== null);
  withPss.sort((a, b) => b.pssBytes! - a.pssBytes! || a.pid - b.pid);
  return withPss.slice(0, n);
}

/**
 * One frame's families, in FAMILIES order. `counters` carries the sessions' running counters from one
 * rendering to the next (a fresh one: each counter is its members' sum, as `--once` gives it).
 */
export function collectFamilies(frame: Frame, opts: CollectOptions, counters: SessionCounters = new SessionCounters(COUNTER_FIELDS)): Family[] {
  const t0 = monotonicMs();
  const out = new Map<string, Family>(FAMILIES.map((d) => [d.name, { ...d, samples: [] }]));
  const put = (d: FamilyDef, value: number | null | undefined, labels: Record<string, string> = {}) => {
    if (known(value)) out.get(d.name)!.samples.push({ labels, value });
  };

  // Sessions: every live one advances its counters; the kept ones get series.
  const totals = counters.update(frame.sessions.filter((s) => s.kind === 'pod' || s.members.length > 0));
  const { kept, omitted } = chooseSessions(frame.sessions, opts.sessionLimit);
  const labels = uniqueSessionLabels(kept);
  const counterIndex = new Map(counters.fields.map((f, i) => [f, i]));
  for (const fam of SESSION_FAMILIES) {
    const target = out.get(fam.name)!;
    kept.forEach((s, i) => {
      for (const { field, labels: fixed } of fam.members) {
        const value = sessionValue(field, s, totals.get(s.id), counterIndex);
        if (known(value)) target.samples.push({ labels: { kind: s.kind, session: labels[i], ...fixed }, value });
      }
    });
  }
  for (const kind of OMITTABLE_KINDS) put(F.sessionsOmitted, omitted.get(kind) ?? 0, { kind });

  // The cgroup (none found: no series; unknown is not zero).
  const cg = frame.cgroup;
  if (cg.version !== null) {
    put(F.cgUsage, cg.memory.currentBytes);
    put(F.cgWorkingSet, cg.memory.workingSetBytes);
    put(F.cgLimit, cg.memory.limitBytes);
    put(F.cgOom, cg.memory.oomKills);
    put(F.cgCpu, cg.cpu.usageSeconds);
    put(F.cgQuota, cg.cpu.quotaCores);
  }
  put(F.cgThreshold, cg.memory.thresholdPercent / 100);

  // Agents: the kept agent sessions (running ones: an ended agent's series end with it).
  kept.forEach((s, i) => {
    const a = s.agent;
    if (s.kind !== 'agent' || !a) return;
    const base = { tool: a.tool, session: labels[i], model: labelValue(a.model) };
    put(F.agentTokens, a.tokens.input, { ...base, type: 'input' });
    put(F.agentTokens, a.tokens.output, { ...base, type: 'output' });
    put(F.agentTokens, a.tokens.cacheRead, { ...base, type: 'cache_read' });
    put(F.agentTokens, a.tokens.cacheCreation, { ...base, type: 'cache_creation' });
    put(F.agentUsed, a.contextTokens, base);
    put(F.agentLimit, a.contextWindow, base);
    put(F.agentRatio, a.contextPercent === null ? null : a.contextPercent / 100, base);
  });

  // Supervised sessions: labelled as their frame sessions are.
  if (opts.runs && opts.runs.length > 0) {
    const runLabel = new Map(kept.map((s, i) => [s.id, labels[i]]));
    for (const r of opts.runs) {
      const session = runLabel.get(r.id) ?? labelValue(r.name);
      put(F.runState, 1, { session, state: labelValue(r.state, 32) });
      put(F.runRestarts, r.restarts, { session });
    }
  }

  // The top processes by PSS.
  const n = Math.min(Math.max(0, Math.floor(opts.topN)), MAX_TOP_N);
  const top = topProcesses(frame.processes, n);
  for (const fam of PROCESS_FAMILIES) {
    const target = out.get(fam.name)!;
    for (const p of top) {
      const base = { pid: String(p.pid), comm: labelValue(p.name, 32) };
      for (const { field, labels: fixed } of fam.members) {
        const v = field.value(p, frame);
        if (known(v)) target.samples.push({ labels: { ...base, ...fixed }, value: v });
      }
    }
  }
  put(F.processesOmitted, frame.processes.length - top.length);

  put(F.frameTime, frame.wallMs / 1000);
  put(F.sampleDuration, frame.cost.sampleMs / 1000);
  put(F.buildInfo, 1, { version: labelValue(opts.version, 32), nodejs: process.versions.node });
  put(F.scrapeDuration, (monotonicMs() - t0) / 1000);
  return [...out.values()];
}

/** A session field's value for the metrics: a counter's running total, else the field's own value. */
function sessionValue(f: SessionField, s: Session, totals: Float64Array | undefined, index: Map<unknown, number>): unknown {
  if (f.metric?.type === 'counter' && f.sums) {
    const i = index.get(f.sums);
    // Sums of floats (CPU seconds in clock ticks) gather noise in the last digits; rounding keeps the order.
    return i === undefined || !totals ? null : Math.round(totals[i] * 1e6) / 1e6;
  }
  return f.value(s);
}

