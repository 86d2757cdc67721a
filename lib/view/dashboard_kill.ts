// `k` and `K` in the dashboard: which processes a request takes (the selection, its tree, the tagged set, a
// session), refusing before asking what the protection rule refuses, and the signal it sends. Pure.
import type { SignalName } from '../engine/terminator';
import type { ProcessStat } from '../model/process_stat';
import { Guard, refusalOf, setRefusalOf } from '../model/protection';
import type { Session } from '../model/sessions';
import { buildTree, subtree } from '../model/tree';
import type { DashboardState, ReduceContext, ReduceResult } from './dashboard_state';
import { selectedIndex } from './dashboard_state';
import { SIGNAL_CHOICES } from './dashboard_menus';
import { reasonText } from './job_text';

/**
 * A confirmation holds copies of the processes as they were when the key was pressed: the
 * snapshot's own ProcessStats are updated in place by the next sample.
 */
export interface ConfirmRequest {
  /** One process, the process and all its descendants, the tagged processes (and with K theirs), or a session. */
  kind: 'process' | 'tree' | 'tagged' | 'session';
  target: ProcessStat;
  /** For kind 'session'. */
  session?: Session;
  members: ProcessStat[];
  /** For kind 'tagged' with K: the tagged processes whose descendants go too. */
  roots?: ProcessStat[];
  /** Any member is a system process. */
  system: boolean;
  /** What `y` sends (← → choose): SIGTERM unless chosen otherwise. */
  signal: SignalName;
}

/** The values a process has now (a snapshot's ProcessStat changes with the next sample). */
function copyOf(p: ProcessStat): ProcessStat {
  return { ...p };
}

const readOnly = (s: DashboardState): ReduceResult => ({
  state: { ...s, status: { text: 'Read-only mode: killing is off (--read-only)', level: 'warn' } },
});

function refusedText(p: ProcessStat, code: NonNullable<ReturnType<typeof refusalOf>>): string {
  return `Refused to end ${p.pid} ${p.name}: ${reasonText({ code })}`;
}

function ask(s: DashboardState, guard: Guard, request: Omit<ConfirmRequest, 'system' | 'signal'>): ReduceResult {
  const refused = setRefusalOf(request.members, guard);
  if (refused) return { state: { ...s, status: { text: refusedText(refused.member, refused.code), level: 'error' } } };
  const confirm: ConfirmRequest = { ...request, system: request.members.some((p) => p.system), signal: 'SIGTERM' };
  return { state: { ...s, mode: 'confirm', confirm } };
}

/** `k`/`K` in the process grid: the tagged set when there is one, else the selection (K: with its descendants). */
export function killInGrid(s: DashboardState, tree: boolean, ctx: ReduceContext): ReduceResult {
  if (s.readOnly) return readOnly(s);
  if (s.tagged.length > 0) {
    const byKey = new Map(ctx.all.map((p) => [p.key, p]));
    const tagged = s.tagged.map((k) => byKey.get(k)).filter((p): p is ProcessStat => p !== undefined);
    if (tagged.length === 0) return { state: { ...s, tagged: [], status: { text: 'The tagged processes have exited', level: 'warn' } } };
    let members = tagged;
    if (tree) {
      const t = buildTree(ctx.all);
      const seen = new Set<string>();
      members = [];
      for (const p of tagged.flatMap((q) => subtree(t, q.pid))) {
        if (seen.has(p.key)) continue;
        seen.add(p.key);
        members.push(p);
      }
    }
    return ask(s, ctx.guard, {
      kind: 'tagged', target: copyOf(tagged[0]), members: members.map(copyOf), roots: tree ? tagged.map(copyOf) : undefined,
    });
  }
  const cur = selectedIndex(s, ctx.rows);
  if (cur < 0) return { state: { ...s, status: { text: 'Nothing selected', level: 'warn' } } };
  const target = ctx.rows.list[cur];
  if (s.gone && s.gone.key === target.key)
    return { state: { ...s, status: { text: `Process ${target.pid} has already exited`, level: 'warn' } } };
  // A zombie has exited: a signal does nothing to it, only its parent's wait() clears it.
  if (target.state === 'Z')
    return { state: { ...s, status: { text: `Process ${target.pid} has already exited (a zombie): only its parent, pid ${target.ppid}, can clear it`, level: 'warn' } } };
  const sub = tree ? subtree(buildTree(ctx.all), target.pid) : [];
  const members = (sub.length > 0 ? sub : [target]).map(copyOf);
  return ask(s, ctx.guard, { kind: tree ? 'tree' : 'process', target: copyOf(target), members });
}

/** `k` in the sessions view: the whole session. */
export function killSession(s: DashboardState, x: Session | undefined, ctx: ReduceContext): ReduceResult {
  if (s.readOnly) return readOnly(s);
  if (!x) return { state: { ...s, status: { text: 'Nothing selected', level: 'warn' } } };
  if (x.kind === 'pod') return { state: { ...s, status: { text: 'The pod session cannot be ended from here', level: 'warn' } } };
  const byKey = new Map(ctx.all.map((p) => [p.key, p]));
  const members = x.keys.map((k) => byKey.get(k)).filter((p): p is ProcessStat => p !== undefined).map(copyOf);
  if (members.length === 0) return { state: { ...s, status: { text: `Session ${x.name} has no running processes`, level: 'warn' } } };
  const refused = setRefusalOf(members, ctx.guard);
  if (refused) {
    const hit = refused.member;
    return { state: { ...s, status: { text: `Refused: session ${x.name} contains spmon or its parent ${hit.pid} ${hit.name}`, level: 'error' } } };
  }
  const root = members.slice().sort((a, b) => a.pid - b.pid)[0];
  const confirm: ConfirmRequest = { kind: 'session', target: root, session: x, members, system: members.some((p) => p.system), signal: 'SIGTERM' };
  return { state: { ...s, mode: 'confirm', confirm } };
}

/** ← → in the confirmation: the next or previous signal. */
export function chooseSignal(s: DashboardState, dir: 1 | -1): DashboardState {
  if (!s.confirm) return s;
  const i = SIGNAL_CHOICES.indexOf(s.confirm.signal);
  const next = SIGNAL_CHOICES[(i + dir + SIGNAL_CHOICES.length) % SIGNAL_CHOICES.length];
  return { ...s, confirm: { ...s.confirm, signal: next } };
}
