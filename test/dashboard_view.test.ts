// The dashboard's state, actions and view model, with plain objects (no terminal).
import { initialState, orderRows, reconcile, reduce, DashboardState, ReduceContext } from '../lib/view/dashboard_state';
import { AgentInfo, Session, sessionOf } from '../lib/model/sessions';
import { sortSessions } from '../lib/view/session_table';
import { buildDashboardView, dashboardLayout, DashboardInputs, overlayRows, overlayWidth } from '../lib/view/dashboard_view';
import { displayWidth } from '../lib/view/fit';
import { confirmOverlay, historyOverlay } from '../lib/view/dashboard_overlays';
import { sessionDetail } from '../lib/view/dashboard_detail';
import { lineText } from '../lib/view/styled';
import { keyToAction } from '../lib/ui/keys';
import { toTags } from '../lib/ui/tags';
import { proc, snapshot, TestFrame } from './helpers/process_stat';
import { guardOf } from '../lib/model/protection';

const start = () => initialState({ sort: 'uss', reverse: false, filter: '', readOnly: false });

function view(snap: TestFrame, state: DashboardState, size = { width: 120, height: 40 }, over: Partial<DashboardInputs> = {}) {
  const rows = orderRows(snap, state);
  return buildDashboardView({
    snap, state, rows, sessionRows: [], size, history: undefined, detail: null, jobs: [], ended: [], tickMs: 1.5, error: null,
    graceSec: 5, ...over,
  });
}

function ctx(snap: TestFrame, state: DashboardState, sessions: Session[] = []): ReduceContext {
  return { rows: orderRows(snap, state), sessionRows: sortSessions(sessions), pageSize: 25, all: snap.processes, guard: guardOf(snap.processes, 999999) };
}

function settle(snap: TestFrame, state: DashboardState) {
  return reconcile(state, snap, 25).state;
}

describe('selection follows identity', () => {
  test('stays on the same (pid, start) across a re-sort', () => {
    const a = proc(10, { ussBytes: 100 }), b = proc(20, { ussBytes: 200 }), c = proc(30, { ussBytes: 300 });
    const s1 = snapshot([a, b, c]);
    let st = settle(s1, start());
    expect(st.selectedKey).toBe(c.key); // largest USS first
    st = reduce(st, { type: 'move', delta: 1 }, ctx(s1, st)).state;
    expect(st.selectedKey).toBe(b.key);
    // b grows to the top: the selection moves with it.
    const s2 = snapshot([a, { ...b, ussBytes: 1000 }, c]);
    st = settle(s2, st);
    expect(st.selectedKey).toBe(b.key);
    expect(orderRows(s2, st).list[0].key).toBe(b.key);
  });

  test('k or K on a zombie: no y/n, it says the process has exited and who can clear it', () => {
    const z = proc(40, { state: 'Z', ppid: 7 });
    const snap = snapshot([z]);
    const st = settle(snap, start());
    for (const tree of [false, true]) {
      const r = reduce(st, { type: 'kill', tree }, ctx(snap, st));
      expect(r.state.mode).toBe('grid');
      expect(r.effect).toBeUndefined();
      expect(r.state.status).toEqual({ text: 'Process 40 has already exited (a zombie): only its parent, pid 7, can clear it', level: 'warn' });
    }
  });

  test('a process that exits is shown as gone, not replaced by a neighbour', () => {
    const a = proc(10), b = proc(20), c = proc(30);
    const s1 = snapshot([a, b, c]);
    let st = settle(s1, start());
    st = reduce(st, { type: 'move', delta: 1 }, ctx(s1, st)).state; // b
    const s2 = snapshot([a, c], { exited: [b] });
    st = settle(s2, st);
    expect(st.selectedKey).toBe(b.key);
    expect(st.gone?.key).toBe(b.key);
    const v = view(s2, st);
    const sel = v.grid.find((r) => r.selected)!;
    expect(lineText(sel.line)).toContain('✕');
    expect(lineText(sel.line)).toContain(' 20 ');
    // Killing a gone process is refused with a message.
    const r = reduce(st, { type: 'kill', tree: false }, ctx(s2, st));
    expect(r.state.mode).toBe('grid');
    expect(r.state.status?.text).toMatch(/already exited/);
    // Moving away lets it go.
    st = reduce(st, { type: 'move', delta: 1 }, ctx(s2, st)).state;
    expect(st.gone).toBeNull();
    expect(orderRows(s2, st).list.map((p) => p.pid)).toEqual([30, 10]);
  });

  test('a reused pid is a new process: the old selection is gone', () => {
    const old = proc(10, { startTicks: 5 });
    const s1 = snapshot([old]);
    let st = settle(s1, start());
    const s2 = snapshot([proc(10, { startTicks: 99 })], { exited: [old] });
    st = settle(s2, st);
    expect(st.gone?.startTicks).toBe(5);
    expect(orderRows(s2, st).list).toHaveLength(2);
  });
});

describe('keys and actions', () => {
  test('filter is live, case-insensitive, and Esc clears it', () => {
    const snap = snapshot([proc(1, { name: 'Python3' }), proc(2, { name: 'node', cmdline: 'node server.js' }), proc(3, { name: 'bash' })]);
    let st = settle(snap, start());
    st = reduce(st, keyToAction(st.mode, '/', { name: '/' }) as never, ctx(snap, st)).state;
    expect(st.mode).toBe('filter');
    for (const ch of 'PYTH') st = reduce(st, keyToAction(st.mode, ch, {}) as never, ctx(snap, st)).state;
    expect(orderRows(snap, st).list.map((p) => p.pid)).toEqual([1]);
    st = reduce(st, { type: 'filterAccept' }, ctx(snap, st)).state;
    expect(st.mode).toBe('grid');
    expect(st.filter).toBe('PYTH');
    st = reduce(st, { type: 'escape' }, ctx(snap, st)).state;
    expect(st.filter).toBe('');
    expect(orderRows(snap, st).list).toHaveLength(3);
  });

  test('keys map to the actions users of the Rust tool know', () => {
    expect(keyToAction('grid', 'q', {})).toBe('quit');
    expect(keyToAction('grid', undefined, { name: 'c', ctrl: true })).toBe('quit');
    expect(keyToAction('grid', 'k', {})).toEqual({ type: 'kill', tree: false });
    expect(keyToAction('grid', 'K', {})).toEqual({ type: 'kill', tree: true });
    expect(keyToAction('grid', undefined, { name: 'f9' })).toEqual({ type: 'kill', tree: true });
    expect(keyToAction('grid', 's', {})).toEqual({ type: 'cycleSort' });
    expect(keyToAction('grid', 'S', {})).toEqual({ type: 'reverse' });
    expect(keyToAction('grid', 'r', {})).toEqual({ type: 'reverse' });
    expect(keyToAction('grid', undefined, { name: 'pagedown' })).toEqual({ type: 'page', dir: 1 });
    expect(keyToAction('confirm', 'y', {})).toEqual({ type: 'confirmYes' });
    expect(keyToAction('confirm', 'q', {})).toBeNull(); // q does not kill or quit mid-question
    expect(keyToAction('confirm', undefined, { name: 'escape' })).toEqual({ type: 'confirmNo' });
    // In the filter, letters are text, not commands; control characters are dropped.
    expect(keyToAction('filter', 'k', {})).toEqual({ type: 'filterInput', text: 'k' });
    expect(keyToAction('filter', '\x1b', {})).toBeNull();
  });

  test('s cycles through every sort column and back', () => {
    const snap = snapshot([proc(1)]);
    let st = start();
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      st = reduce(st, { type: 'cycleSort' }, ctx(snap, st)).state;
      seen.push(st.sort);
    }
    expect(new Set(seen).size).toBe(10);
    expect(st.sort).toBe('uss');
  });

  test('PgDn, End and Home move by pages and to the ends, keeping the selection in view', () => {
    const snap = snapshot(Array.from({ length: 100 }, (_, i) => proc(i + 1)));
    let st = settle(snap, start());
    const rows = () => orderRows(snap, st);
    st = reduce(st, { type: 'page', dir: 1 }, ctx(snap, st)).state;
    expect(rows().list.findIndex((p) => p.key === st.selectedKey)).toBe(24);
    st = reduce(st, { type: 'end' }, ctx(snap, st)).state;
    expect(rows().list.findIndex((p) => p.key === st.selectedKey)).toBe(99);
    expect(st.top).toBe(75);
    st = reduce(st, { type: 'home' }, ctx(snap, st)).state;
    expect(st.top).toBe(0);
  });
});

describe('termination requests', () => {
  test('k asks with the name and USS; a system process is flagged in red words', () => {
    const snap = snapshot([proc(7, { name: 'jupyter-lab', system: true, ussBytes: 300 * 1024 * 1024 })]);
    let st = settle(snap, start());
    st = reduce(st, { type: 'kill', tree: false }, ctx(snap, st)).state;
    expect(st.mode).toBe('confirm');
    const v = view(snap, st);
    expect(v.overlay?.tone).toBe('danger');
    expect(lineText(v.overlay!.lines[0])).toBe('⚠ SYSTEM PROCESS — Kill 7 jupyter-lab (USS 300 MiB)? This may break the session. (y/n)');
    const r = reduce(st, { type: 'confirmNo' }, ctx(snap, st));
    expect(r.effect).toBeUndefined();
    expect(r.state.status?.text).toMatch(/Spared 7/);
  });

  test('y produces exactly one termination effect for the chosen process', () => {
    const snap = snapshot([proc(7, { ussBytes: 1024 * 1024 })]);
    let st = settle(snap, start());
    st = reduce(st, { type: 'kill', tree: false }, ctx(snap, st)).state;
    expect(lineText(view(snap, st).overlay!.lines[0])).toBe('Kill process 7 proc7 (USS 1.00 MiB)? (y/n)');
    const r = reduce(st, { type: 'confirmYes' }, ctx(snap, st));
    expect(r.effect).toEqual({ type: 'terminate', request: expect.objectContaining({ kind: 'process', target: snap.processes[0] }) });
    expect(r.state.mode).toBe('grid');
  });

  test('K takes the process and all its descendants, and counts them', () => {
    const snap = snapshot([proc(10, { ussBytes: 1024 }), proc(11, { ppid: 10, ussBytes: 1024 }), proc(12, { ppid: 11, ussBytes: 1024 }), proc(13)]);
    let st = settle(snap, start());
    st = { ...st, selectedKey: snap.processes[0].key };
    st = reduce(st, { type: 'kill', tree: true }, ctx(snap, st)).state;
    expect(st.confirm?.members.map((p) => p.pid).sort()).toEqual([10, 11, 12]);
    expect(lineText(view(snap, st).overlay!.lines[0])).toContain('10 proc10 and its 2 descendants (3 processes, USS 3.00 KiB)');
  });

  test('read-only refuses', () => {
    const snap = snapshot([proc(7)]);
    let st = settle(snap, initialState({ sort: 'uss', reverse: false, filter: '', readOnly: true }));
    st = reduce(st, { type: 'kill', tree: false }, ctx(snap, st)).state;
    expect(st.mode).toBe('grid');
    expect(st.status?.text).toMatch(/Read-only/);
  });
});

describe('view model', () => {
  test('renders only the visible rows, whatever the number of processes', () => {
    const snap = snapshot(Array.from({ length: 5000 }, (_, i) => proc(i + 1)));
    const st = settle(snap, start());
    const v = view(snap, st);
    expect(v.grid).toHaveLength(dashboardLayout({ width: 120, height: 40 }).gridRows);
    expect(v.position).toBe('1-25 of 5000');
  });

  test('unknown values are "-" and kernel threads say so', () => {
    const k = proc(2, { name: 'kthreadd', kernelThread: true, cmdline: null, ussBytes: null, pssBytes: null, rssBytes: null, cpuPercent: null });
    const snap = snapshot([k]);
    const st = settle(snap, start());
    const v = view(snap, st);
    const row = lineText(v.grid[0].line);
    expect(row).toContain('[kthreadd]');
    expect(row).toContain('(kernel thread)');
    expect(row.match(/ - /g)?.length).toBeGreaterThanOrEqual(3);
    expect(v.detail!.lines.map(lineText).join('\n')).toContain('kernel thread: no memory map');
  });

  test('the memory gauge marks the threshold and turns red above it', () => {
    const snap = snapshot([proc(1)], {});
    snap.cgroup.memory.currentBytes = 900 * 1024 * 1024; // of 1 GiB: 87.9 %
    const v = view(snap, settle(snap, start()));
    const mem = v.header[1];
    expect(lineText(mem)).toContain('900 MiB / 1.00 GiB | avail 124 MiB | 87.9%');
    expect(mem.some((s) => s.style === 'marker')).toBe(true);
    expect(mem.some((s) => s.style === 'barDanger')).toBe(true);
    expect(lineText(v.header[2])).toContain('not in any USS');
  });

  test('steady growth is highlighted; system processes are dimmed', () => {
    const snap = snapshot([
      proc(1, { growthBytesPerMin: 20 * 1024 * 1024, growthSteady: true }),
      proc(2, { system: true, ussBytes: 1 }),
    ]);
    const v = view(snap, settle(snap, start()));
    expect(v.grid[0].line.some((s) => s.style === 'danger' && s.text.includes('+20.0 MiB/m'))).toBe(true);
    expect(v.grid[1].line.every((s) => s.style === 'dim')).toBe(true);
  });

  test('a 20x6 terminal keeps a grid and a status bar, every line within 20 columns', () => {
    const snap = snapshot([proc(1), proc(2), proc(3), proc(4), proc(5)]);
    const size = { width: 20, height: 6 };
    const v = view(snap, settle(snap, start()), size);
    expect(v.layout.header).toBe(0);
    expect(v.detail).toBeNull();
    expect(v.grid.length).toBe(4);
    for (const l of [v.gridHeader, v.status, ...v.grid.map((g) => g.line)]) expect(lineText(l).length).toBeLessThanOrEqual(20);
    expect(lineText(v.gridHeader)).toMatch(/PID +Name/);
  });

  test('any width from 1 to 80 with room for the header: the view is made (no endless shrinking), every line fits', () => {
    const snap = snapshot([proc(1), proc(2)]);
    for (let width = 1; width <= 80; width++) {
      const v = view(snap, settle(snap, start()), { width, height: 40 });
      for (const [i, l] of [...v.header, v.gridHeader, v.status].entries()) expect([width, i, lineText(l)]).toEqual([width, i, lineText(l).slice(0, Math.max(0, width))]);
    }
  });

  test('blessed tags in a name are escaped, control characters are placeholders', () => {
    const snap = snapshot([proc(1, { name: '{red-fg}x\x1b[2J', cmdline: '{bold}y\x07' })]);
    const v = view(snap, settle(snap, start()));
    const tagged = toTags(v.grid[0].line);
    expect(tagged).toContain('{open}red-fg{close}x␛[2J');
    expect(tagged).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });

  test('toTags: one pair of tags per run of a style, none for empty text; the same text', () => {
    const line = [
      { text: 'a', style: 'dim' as const }, { text: ' ', style: 'dim' as const }, { text: '{b}', style: 'dim' as const },
      { text: '', style: 'warn' as const }, { text: 'c', style: 'normal' as const }, { text: 'd', style: 'normal' as const },
      { text: 'e', style: 'danger' as const },
    ];
    expect(toTags(line)).toBe('{gray-fg}a {open}b{close}{/gray-fg}cd{bold}{red-fg}e{/red-fg}{/bold}');
  });

  test('a refresh error is shown in the status bar', () => {
    const snap = snapshot([proc(1)]);
    const v = view(snap, settle(snap, start()), undefined, { error: 'EMFILE: too many open files' });
    expect(lineText(v.status)).toContain('Refresh failed: EMFILE');
  });
});

test('sessions: the pod first, then by ΣUSS, then ties by id in code-unit order (the same under every locale)', () => {
  const pod = sessionOf('pod', 'pod', 'pod', [proc(1, { ussBytes: 1 })]);
  const big = sessionOf('tmux:zz', 'tmux', 'zz', [proc(2, { ussBytes: 500 })]);
  // No processes: ΣUSS unknown, so these three tie and their ids decide: 'B' (U+0042) before 'a' (U+0061),
  // where a locale's collation would put 'a' first.
  const idle = ['agent:claude:a', 'agent:claude:B', 'agent:claude:\u00e9'].map((id) => sessionOf(id, 'agent', id, []));
  expect(sortSessions([...idle, big, pod]).map((s) => s.id)).toEqual(['pod', 'tmux:zz', 'agent:claude:B', 'agent:claude:a', 'agent:claude:\u00e9']);
});

describe('agent sessions whose logs are not all read yet', () => {
  const info = (sessionId: string, complete: boolean, unreadBytes: number): AgentInfo => ({
    tool: 'claude', sessionId, model: 'claude-sonnet-4-5', cwd: '/w', logPath: `/w/${sessionId}.jsonl`,
    tokens: { input: 2, output: 2, cacheCreation: 0, cacheRead: 1_234_000, total: 1_234_004 },
    contextPercent: 10, contextTokens: 20_000, contextWindow: 200_000, evidence: null, confidence: null, complete, unreadBytes,
  });

  test('the Tokens column marks an incomplete count with ~, and the detail says how much is left to read', () => {
    const snap = snapshot([proc(10)]);
    const partial = sessionOf('agent:claude:partial', 'agent', 'claude partial', [], { agent: info('partial', false, 150 * 1024 * 1024) });
    const done = sessionOf('agent:claude:done', 'agent', 'claude done', [], { agent: info('done', true, 0) });
    const st: DashboardState = { ...settle(snap, start()), view: 'sessions', sessionKey: partial.id };
    const v = view(snap, st, { width: 120, height: 40 }, { sessionRows: sortSessions([partial, done]) });
    const row = (name: string) => lineText(v.grid.find((r) => lineText(r.line).includes(name))!.line);
    expect(row('claude partial')).toMatch(/ ~1\.23M /);
    expect(row('claude done')).toMatch(/ 1\.23M /);
    expect(row('claude done')).not.toContain('~');
    const detail = v.detail!.lines.map(lineText).join('\n');
    expect(detail).toContain('reading logs: 150 MiB left');
    // A complete session's detail says nothing of the kind.
    const v2 = view(snap, { ...st, sessionKey: done.id }, { width: 120, height: 40 }, { sessionRows: sortSessions([partial, done]) });
    expect(v2.detail!.lines.map(lineText).join('\n')).not.toContain('reading logs');
  });
});

describe('tree view at depth', () => {
  // A chain 100 -> 101 -> ... -> 111: twelve levels, named l0 .. l11.
  const chain = Array.from({ length: 12 }, (_, d) => proc(100 + d, { ppid: d === 0 ? 1 : 99 + d, name: `l${d}`, ussBytes: 1024 }));
  const indentOf = (line: string, d: number) => line.indexOf(`l${d}`);

  test.each([[200], [120], [80], [60]])('at %i columns every child is drawn further right than its parent, its name readable', (width) => {
    const snap = snapshot(chain);
    const st = { ...settle(snap, start()), tree: true, sort: 'pid' as const };
    const v = view(snap, st, { width, height: 40 });
    const lines = v.grid.map((g) => lineText(g.line)).filter((l) => /\bl\d+\b/.test(l));
    expect(lines).toHaveLength(12);
    const at = lines.map((l) => {
      const d = Number(/\bl(\d+)\b/.exec(l)![1]);
      return { d, col: indentOf(l, d) };
    });
    expect(at.map((x) => x.d)).toEqual([...Array(12).keys()]);
    // Past the levels that had to be dropped for room ('…'), each level is drawn further right.
    const dropped = at.filter((x, i) => i > 0 && x.col <= at[i - 1].col);
    for (const x of dropped) expect(lines[x.d]).toContain('…');
    const deepest = at.slice(-4);
    for (let i = 1; i < deepest.length; i++) expect(deepest[i].col).toBeGreaterThan(deepest[i - 1].col);
  });
});

describe('memory that cannot be read', () => {
  test('the header says "needs root" only to a user who is not root', () => {
    const snap = snapshot([proc(5, { ussBytes: null, pssBytes: null, rssBytes: 9 * 1024 * 1024 }), proc(6)]);
    const st = settle(snap, start());
    expect(lineText(view(snap, st).header[0])).toContain('USS of 1 hidden (needs root)');
    expect(lineText(view(snap, st, undefined, { root: true }).header[0])).toContain('USS of 1 hidden (not readable)');
  });
});

describe('key hints', () => {
  test('the sessions view hints only keys it takes; the process view its own', () => {
    const snap = snapshot([proc(5), proc(6)]);
    const st = settle(snap, start());
    const procs = lineText(view(snap, st, { width: 200, height: 40 }).status);
    expect(procs).toMatch(/q quit {2}k kill {2}K kill tree {2}s sort {2}r reverse {2}\/ filter {2}t tree {2}Tab sessions/);
    const sess = lineText(view(snap, { ...st, view: 'sessions' }, { width: 200, height: 40 }).status);
    expect(sess).toMatch(/q quit {2}k end session {2}Enter its processes {2}Tab processes {2}h history {2}\? help/);
    expect(sess).not.toMatch(/\/ filter|t tree|s sort|Space tag|u user/);
  });
});

describe('the kill confirmation and the history say what happens', () => {
  const id = (t: string) => t;
  const text = (o: { lines: Parameters<typeof lineText>[0][] }) => o.lines.map(lineText).join('\n');

  test('"new descendants are found again" only where descendants go too (K, a session), not for k on tagged processes', () => {
    const a = proc(10), b = proc(11), kid = proc(12, { ppid: 10 });
    const base = { target: a, system: false, signal: 'SIGTERM' as const };
    const k = confirmOverlay({ ...base, kind: 'tagged', members: [a, b] }, 5, id);
    const K = confirmOverlay({ ...base, kind: 'tagged', members: [kid, a, b], roots: [a, b] }, 5, id);
    const tree = confirmOverlay({ ...base, kind: 'tree', members: [kid, a] }, 5, id);
    expect(text(k)).not.toMatch(/descendants/);
    expect(text(K)).toMatch(/new descendants are found again/);
    expect(text(tree)).toMatch(/new descendants are found again/);
  });

  test('a signal that ends nothing (STOP, CONT) is listed as sent, by name', () => {
    const o = historyOverlay(
      [
        { pid: 10, name: 'a', outcome: 'signalled', signal: 'SIGSTOP', requestedAt: 0, finishedAt: 1, message: '' },
        { pid: 11, name: 'b', outcome: 'terminated', signal: 'SIGTERM', requestedAt: 0, finishedAt: 1, message: '' },
      ],
      id,
    );
    expect(o.title).toMatch(/Ended and signalled/);
    expect(text(o)).toMatch(/10 {2}a .* SIGSTOP sent/);
    expect(text(o)).toMatch(/11 {2}b .* terminated/);
  });
});

describe('the help and the history fit their dialog', () => {
  test.each([[120, 40], [80, 24], [200, 60]])('at %ix%i the help wraps under its descriptions, and every row is reachable by scrolling', (width, height) => {
    const snap = snapshot([proc(5)]);
    const inner = overlayWidth(width) - 4;
    let st: DashboardState = { ...settle(snap, start()), mode: 'help' };
    const first = view(snap, st, { width, height }).overlay!;
    expect(first.lines.length).toBeLessThanOrEqual(overlayRows(height));
    const total = first.total!;
    const seen: string[] = [];
    const c = { ...ctx(snap, st), overlayMaxTop: Math.max(0, total - overlayRows(height)) };
    for (let i = 0; i <= total; i++) {
      const o = view(snap, st, { width, height }).overlay!;
      for (const l of o.lines) expect(displayWidth(lineText(l))).toBeLessThanOrEqual(inner);
      o.lines.forEach((l, j) => (seen[o.top! + j] = lineText(l)));
      st = reduce(st, keyToAction('help', undefined, { name: 'down' }) as never, c).state;
    }
    expect(seen.filter((x) => x !== undefined)).toHaveLength(total);
    expect(seen[total - 1]).toMatch(/Press \? or Esc to close/);
    // Continuations of a key's description are indented to it.
    const rows = seen.join('\n');
    expect(rows).not.toMatch(/\n(grace|next one)\b/);
    if (inner < 110) expect(rows).toMatch(/\n {24}\S/);
  });
});

describe('the detail pane words', () => {
  test('a session of one process says "1 process"; an unknown CPU share is "-", never "-%"', () => {
    const p = proc(5, { cpuPercent: null });
    const x = sessionOf('tmux:s:$1', 'tmux', 'one', [p], {});
    const d = sessionDetail(x, { snap: snapshot([p]), history: undefined, detail: null, clean: (t) => t, name: (q) => q.name }, 120, 7);
    const all = [...d.lines, ...d.spark].map(lineText).join('\n');
    expect(all).toMatch(/\b1 process\b/);
    expect(all).not.toMatch(/1 processes/);
    expect(all).not.toContain('-%');
    expect(all).toMatch(/CPU -/);
  });

  test('a session whose members\' USS is not all known says so beside its sums; one that is all known does not', () => {
    const a = proc(5, { ussBytes: 1024 * 1024 });
    const b = proc(6, { ussBytes: null, pssBytes: null, memoryDenied: true });
    const text = (x: ReturnType<typeof sessionOf>, ps: ReturnType<typeof proc>[]) =>
      sessionDetail(x, { snap: snapshot(ps), history: undefined, detail: null, clean: (t) => t, name: (q) => q.name }, 200, 9).lines.map(lineText).join('\n');
    expect(text(sessionOf('tmux:s:$1', 'tmux', 'two', [a, b], {}), [a, b])).toMatch(/ΣUSS\/ΣPSS leave out 1 of 2: USS not known \(not readable, or not read yet\)/);
    expect(text(sessionOf('tmux:s:$2', 'tmux', 'one', [a], {}), [a])).not.toMatch(/not known/);
  });
});

describe('Ctrl-U in the filter and the search', () => {
  test('empties the line and keeps the field open', () => {
    const snap = snapshot([proc(5), proc(6)]);
    let st: DashboardState = { ...settle(snap, start()), mode: 'filter', filter: 'abc' };
    const a = keyToAction('filter', undefined, { name: 'u', ctrl: true });
    expect(a).toEqual({ type: 'filterClearLine' });
    st = reduce(st, a as never, ctx(snap, st)).state;
    expect(st).toMatchObject({ mode: 'filter', filter: '' });
    st = { ...st, mode: 'search', search: 'xyz' };
    st = reduce(st, keyToAction('search', undefined, { name: 'u', ctrl: true }) as never, ctx(snap, st)).state;
    expect(st).toMatchObject({ mode: 'search', search: '' });
  });
});
