// The short text beside each tool's structured result: what a model or a person reads first. Built from
// the structured result (the daemon sends JSON, not frames); every string that came from another process,
// a log or a tmux server is sanitised here. Pure.
import { formatCount } from '../view/cell';
import { formatBytes, formatGrowth, formatPercent, UNKNOWN } from '../view/format';
import { sanitize, sanitizeOutput } from '../view/sanitize';

type Row = Record<string, unknown>;

const s = (v: unknown): string => (v === null || v === undefined ? UNKNOWN : sanitize(String(v)));
const b = (v: unknown): string => formatBytes(typeof v === 'number' ? v : null);
const pct = (v: unknown, d = 1): string => formatPercent(typeof v === 'number' ? v : null, d);
/** At most `n` characters of untrusted text, sanitised (cut first: a cmdline may be megabytes). */
const cut = (v: unknown, n: number): string => {
  const text = v === null || v === undefined ? UNKNOWN : String(v);
  return text.length > n ? `${sanitize(text.slice(0, n - 1))}…` : sanitize(text);
};
/** The text is short: past this many rows it points at the structured content. */
const MAX_TEXT_ROWS = 100;

function rowsText(rows: Row[], line: (r: Row) => string): string[] {
  const out = rows.slice(0, MAX_TEXT_ROWS).map(line);
  if (rows.length > MAX_TEXT_ROWS) out.push(`… ${rows.length - MAX_TEXT_ROWS} more in the structured content`);
  return out;
}

function sessionLine(r: Row): string {
  const agent = r.agent as Row | null;
  const run = r.run as Row | null;
  const extra: string[] = [];
  if (agent) extra.push(`${s(agent.tool)} ${s(agent.model)} ctx ${pct(agent.contextPercent, 0)}% tokens ${formatCount((agent.tokens as Row).total as number | null)}`);
  if (run) extra.push(`${s(run.state)} restarts ${s(run.restarts)}`);
  if (r.mine) extra.push('(yours)');
  return `${s(r.kind).padEnd(5)} ${cut(r.name, 30).padEnd(30)} ${String(r.processCount).padStart(5)} procs  USS ${b(r.ussBytes).padStart(9)}  CPU ${pct(r.cpuPercent).padStart(5)}%  ${s(r.id)}${extra.length ? '  ' + extra.join('  ') : ''}`;
}

function processLine(p: Row): string {
  return `${String(p.pid).padStart(7)} ${cut(p.name, 15).padEnd(15)} ${pct(p.cpuPercent).padStart(6)} ${b(p.ussBytes).padStart(9)} ${b(p.pssBytes).padStart(9)} ${b(p.rssBytes).padStart(9)} ${formatGrowth(typeof p.growthBytesPerMin === 'number' ? p.growthBytesPerMin : null).padStart(11)}  ${p.cmdline === null ? (p.kernelThread ? '(kernel thread)' : UNKNOWN) : cut(p.cmdline, 80)}`;
}

const PROCESS_HEADER = `${'PID'.padStart(7)} ${'Name'.padEnd(15)} ${'CPU%'.padStart(6)} ${'USS'.padStart(9)} ${'PSS'.padStart(9)} ${'RSS'.padStart(9)} ${'Growth'.padStart(11)}  Cmdline`;

export const TEXT = {
  list_sessions: (r: Row) => {
    const list = r.sessions as Row[];
    return [`${list.length} session${list.length === 1 ? '' : 's'} at ${s(r.time)} (kind, name, processes, ΣUSS, ΣCPU%, id):`, ...rowsText(list, sessionLine)].join('\n');
  },
  get_session: (r: Row) => {
    const lines = [sessionLine(r.session as Row)];
    const members = r.members as Row[];
    lines.push(`${r.memberCount} member${r.memberCount === 1 ? '' : 's'}${members.length < (r.memberCount as number) ? `, the ${members.length} largest by USS` : ''}:`, PROCESS_HEADER, ...rowsText(members, processLine));
    const refusal = r.endRefusal as Row | null;
    lines.push(refusal ? `Ending it: ${s(refusal.message)}` : 'Ending it: allowed for this caller (terminate_session, with control allowed).');
    const sup = r.supervised as Row | null;
    if (sup) lines.push(`Supervised: ${s(sup.state)}, restart ${s(sup.restartPolicy)}, restarts ${s(sup.restarts)}, log ${s(sup.logPath)}`);
    return lines.join('\n');
  },
  list_processes: (r: Row) => {
    const rows = r.processes as Row[];
    return [`${r.matched} of ${r.total} processes match; ${rows.length} listed:`, PROCESS_HEADER, ...rowsText(rows, processLine)].join('\n');
  },
  get_token_usage: (r: Row) => {
    const list = r.sessions as Row[];
    if (list.length === 0) return 'No agent sessions (Claude Code, Codex, Gemini CLI logs of the last 24 h).';
    return [
      `${list.length} agent session${list.length === 1 ? '' : 's'}, worst level ${s(r.worst)}:`,
      ...list.map((x) => {
        const t = x.tokens as Row;
        const n = (v: unknown) => formatCount(typeof v === 'number' ? v : null);
        return `${s(x.tool)} ${s(x.sessionId)} ${s(x.model)}: context ${pct(x.contextPercent)}% (${s(x.level)}), tokens ${n(t.total)} (input ${n(t.input)}, output ${n(t.output)}, cache write ${n(t.cacheCreation)}, cache read ${n(t.cacheRead)})${x.running ? `, pids ${(x.pids as number[]).join(' ')}` : ', not running'}${x.mine ? ' (yours)' : ''}`;
      }),
    ].join('\n');
  },
  check_should_terminate: (r: Row) => {
    const x = r.session as Row;
    return `${r.shouldTerminate ? 'Yes: terminate (hand over) now.' : 'No.'} ${s(x.id)}: level ${s(r.level)}; ${s(r.reason)}.`;
  },
  get_pod_memory: (r: Row) => {
    const limit = r.limitSource === 'host' ? `${b(r.limitBytes)} (host; no cgroup limit)` : b(r.limitBytes);
    const lines = [
      `Pod memory: ${b(r.usedBytes)} of ${limit} (${pct(r.percent)}%), threshold ${r.thresholdPercent}%, level ${s(r.level)}; working set ${b(r.workingSetBytes)}; OOM kills ${s(r.oomKills)}`,
    ];
    if ((r.hiddenProcesses as number) > 0) lines.push(`USS/PSS of ${r.hiddenProcesses} processes unreadable (other users').`);
    const sessions = r.topSessions as Row[];
    if (sessions.length) lines.push('Top sessions by USS:', ...rowsText(sessions, sessionLine));
    lines.push('Top processes by USS:', PROCESS_HEADER, ...rowsText(r.topProcesses as Row[], processLine));
    return lines.join('\n');
  },
  start_session: (r: Row) => `Started ${s(r.id)}: ${s(r.state)}, pid ${s(r.pid)}, in ${s(r.cwd)}; read its output with read_output (id ${s(r.id)}).`,
  read_output: (r: Row) => {
    const text = sanitizeOutput(String(r.text));
    const skipped = (r.skipped as number) > 0 ? `; ${r.skipped} older bytes were freed by the log cap` : '';
    return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}[bytes ${r.offset}..${r.nextOffset} of ${r.endOffset}${skipped}; ${r.ended ? 'the session has ended and all its output was read' : `more may come: read on from offset ${r.nextOffset}`}]`;
  },
  terminate_session: (r: Row) => {
    const lines = [s(r.message)];
    for (const m of (r.members as Row[] | null) ?? []) lines.push(`  ${m.pid} ${s(m.name)}: ${s(m.outcome)}${(m.signals as string[]).length ? ` (${(m.signals as string[]).join(', ')})` : ''}`);
    return lines.join('\n');
  },
  request_termination: (r: Row) => {
    const t = (r.target ?? {}) as Row;
    const what = t.session ?? (t.pid !== null && t.pid !== undefined ? `pid ${t.pid}` : '-');
    const then = r.continuationCommand ? `; then: ${s(r.continuationCommand)}` : '';
    return `Termination request ${s(r.id)} for ${s(what)} (${s(r.priority)}): ${s(r.state)}${r.outcome ? `, ${s(r.outcome)}` : ''}${then}.`;
  },
  get_monitor_status: (r: Row) => {
    const f = r.frame as Row;
    const d = r.daemon as Row | null;
    const t = r.terminations as Row;
    return [
      `spmon ${s(r.version)}, answering from ${r.backend === 'daemon' ? `the daemon (pid ${d?.pid}, up ${d?.uptimeSec} s, ${d?.sessions} supervised sessions)` : 'its own engine (no daemon)'}`,
      `Frame ${f.seq} of ${s(f.time)} (${f.ageMs} ms old), every ${r.intervalSec} s; ${r.processes} processes, ${(r.sessions as Row).total} sessions; ${(r.ticks as Row).count} ticks, ${(r.ticks as Row).cpuMs} ms CPU`,
      `Control: ${(r.server as Row).allowControl ? 'allowed' : 'read-only'}${(r.server as Row).allowForce ? ', force allowed' : ''}${r.readOnly ? ' (signals off: --read-only)' : ''}; terminations under way ${t.active}`,
      ...(t.recent as Row[]).map((e) => `  ended ${e.pid} ${s(e.name)}: ${s(e.outcome)} at ${s(e.at)}`),
    ].join('\n');
  },
  health_check: (r: Row) => [`${String(r.status).toUpperCase()} (${r.backend})`, ...(r.checks as Row[]).map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${s(c.name)}: ${s(c.detail)}`)].join('\n'),
} as const;
