// Termination policy against real processes: children spawned here, no mocks.
// Tests read /proc to learn a child's start time; lib/engine/terminator.ts never does.
import { ChildProcess, execFile, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { endOptionsFor, Job, leavesFirst, ProcessJob, TerminateTarget, Terminator } from '../lib/engine/terminator';
import { ancestorPids } from '../lib/model/protection';
import { historyText, jobText } from '../lib/view/job_text';
import { NOBODY, readableCopy, SPMON_RUNTIME, SPMON_RUNTIME_PACKAGES } from './helpers/readable_copy';
import { subtreePids } from './helpers/children';

const ROOT = path.resolve(__dirname, '..');

let home: string;
let savedHome: string | undefined;
const children: ChildProcess[] = [];
const terminators: Terminator[] = [];

beforeAll(() => {
  savedHome = process.env.HOME;
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-control-'));
  process.env.HOME = home;
});

afterAll(() => {
  process.env.HOME = savedHome;
  fs.rmSync(home, { recursive: true, force: true });
});

afterEach(async () => {
  for (const t of terminators.splice(0)) t.close();
  // Only children node has not reaped yet: their pids are still theirs.
  const live = children.splice(0).filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(
    live.map(
      (c) =>
        new Promise<void>((resolve) => {
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }),
    ),
  );
  // Grandchildren of a killed bash (a pending `sleep 0.1`) exit on their own within 0.1 s.
});

function terminator(opts: ConstructorParameters<typeof Terminator>[0] = {}): Terminator {
  const t = new Terminator(opts);
  terminators.push(t);
  return t;
}

function stat(pid: number): { state: string; ppid: number; startTicks: number } | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the name, which is in parentheses and may hold anything.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: f[0], ppid: Number(f[1]), startTicks: Number(f[19]) };
}

function startTicksOf(pid: number): number {
  const s = stat(pid);
  if (!s) throw new Error(`no /proc/${pid}/stat`);
  return s.startTicks;
}

/** Alive, not a zombie, and still the same process. */
function aliveAs(pid: number, startTicks: number): boolean {
  const s = stat(pid);
  return s !== null && s.startTicks === startTicks && s.state !== 'Z' && s.state !== 'X';
}

function spawnChild(cmd: string, args: string[]): ChildProcess {
  const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, HOME: home } });
  children.push(c);
  return c;
}

/** A child that prints `ready` once its traps are set. */
async function spawnReady(script: string): Promise<ChildProcess> {
  const c = spawnChild('bash', ['-c', script]);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    c.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    });
    c.once('exit', () => reject(new Error(`child exited early: ${script}`)));
  });
  return c;
}

const IGNORES_TERM = 'trap "" TERM; echo ready; while :; do sleep 0.1; done';
const EXITS_ON_TERM = 'trap "exit 0" TERM; echo ready; while :; do sleep 0.1; done';

function target(c: ChildProcess, name: string, extra: Partial<TerminateTarget> = {}): TerminateTarget {
  return { pid: c.pid!, startTicks: startTicksOf(c.pid!), name, ...extra };
}

function exitOf(c: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve({ code: c.exitCode, signal: c.signalCode });
  return new Promise((resolve) => c.once('exit', (code, signal) => resolve({ code, signal })));
}

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidfdCount(): number {
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`).includes('pidfd')) n++;
    } catch {
      // The fd of the directory listing itself is gone by now.
    }
  }
  return n;
}

/** Pids of every live (not zombie) descendant of `pid`. */
const descendants = (pid: number): number[] => subtreePids(pid, { zombies: false }).slice(1);

function targetsOf(root: number): TerminateTarget[] {
  const out: TerminateTarget[] = [];
  for (const pid of [root, ...descendants(root)]) {
    const s = stat(pid);
    if (!s) continue;
    let name = '?';
    try {
      name = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      // Exited meanwhile.
    }
    out.push({ pid, startTicks: s.startTicks, ppid: s.ppid, name });
  }
  return out;
}

async function waitUntil(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleepMs(20);
  }
}

describe('terminate one process', () => {
  test('an ordinary child exits after SIGTERM: terminated', async () => {
    const c = spawnChild('sleep', ['60']);
    const t = terminator({ graceMs: 1000 });
    const job = t.terminate(target(c, 'sleep', { ussBytes: 1.2 * 1024 ** 3 }));
    expect(job.state).toBe('terminating');
    expect(jobText(job)).toBe(`SIGTERM sent to ${c.pid} sleep, SIGKILL in 1 s`);
    const done = await job.done;
    expect(done).toBe(job);
    expect(job.state).toBe('terminated');
    expect(jobText(job)).toBe(`Terminated ${c.pid} sleep (USS 1.20 GiB)`);
    expect(job.signals.map((s) => [s.signal, s.result])).toEqual([['SIGTERM', 'sent']]);
    expect(job.finishedAt).not.toBeNull();
    expect(await exitOf(c)).toEqual({ code: null, signal: 'SIGTERM' });
  });

  test('a child that handles TERM and exits: terminated, no SIGKILL', async () => {
    const c = await spawnReady(EXITS_ON_TERM);
    const job = terminator({ graceMs: 3000 }).terminate(target(c, 'bash'));
    await job.done;
    expect(job.state).toBe('terminated');
    expect(job.signals.map((s) => s.signal)).toEqual(['SIGTERM']);
    expect((await exitOf(c)).code).toBe(0);
  });

  test('a child that ignores SIGTERM is force-killed after the grace period and is really dead', async () => {
    const c = await spawnReady(IGNORES_TERM);
    const tg = target(c, 'bash', { ussBytes: null });
    const seen: string[] = [];
    const t = terminator({ graceMs: 800, onChange: (j: Job) => seen.push(j.state) });
    const started = Date.now();
    const job = t.terminate(tg);
    expect(job.state).toBe('terminating');
    expect(t.active()).toEqual([job]);
    await job.done;
    const took = Date.now() - started;
    expect(job.state).toBe('force-killed');
    expect(took).toBeGreaterThanOrEqual(800);
    expect(took).toBeLessThan(800 + 2000);
    expect(jobText(job)).toBe(`Force-killed ${c.pid} bash after 0.8 s`);
    expect(job.signals.map((s) => [s.signal, s.result])).toEqual([
      ['SIGTERM', 'sent'],
      ['SIGKILL', 'sent'],
    ]);
    // SIGKILL came no earlier than the grace period after SIGTERM.
    expect(job.signals[1].at - job.signals[0].at).toBeGreaterThanOrEqual(790);
    expect(seen).toContain('terminating');
    expect(seen).toContain('killing');
    expect(seen[seen.length - 1]).toBe('force-killed');
    expect(t.active()).toEqual([]);
    expect(await exitOf(c)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(aliveAs(tg.pid, tg.startTicks)).toBe(false);
  });

  test('the countdown shows whole seconds left and onChange reports it', async () => {
    const c = await spawnReady(IGNORES_TERM);
    const messages: string[] = [];
    const t = terminator({ graceMs: 2500, onChange: (j) => messages.push(jobText(j)) });
    const job = t.terminate(target(c, 'bash'));
    expect(job.secondsLeft).toBe(3);
    await job.done;
    const name = `${c.pid} bash`;
    expect(messages).toContain(`SIGTERM sent to ${name}, SIGKILL in 3 s`);
    expect(messages).toContain(`SIGTERM sent to ${name}, SIGKILL in 2 s`);
    expect(messages).toContain(`SIGTERM sent to ${name}, SIGKILL in 1 s`);
    expect(messages).toContain(`SIGKILL sent to ${name} after 2.5 s, waiting for it to exit`);
    // No repeats: onChange fires on changes, not every poll.
    expect(new Set(messages).size).toBe(messages.length);
    expect(job.secondsLeft).toBeNull();
  });

  test('a wrong start time is already gone and the real process is not signalled', async () => {
    const c = spawnChild('sleep', ['60']);
    const real = target(c, 'sleep');
    const job = terminator({ graceMs: 300 }).terminate({ ...real, startTicks: real.startTicks + 1 });
    expect(job.state).toBe('already-gone');
    expect(job.signals).toEqual([]);
    expect(jobText(job)).toBe(`${c.pid} sleep was already gone (nothing signalled)`);
    await sleepMs(600);
    expect(aliveAs(real.pid, real.startTicks)).toBe(true);
    expect(c.exitCode).toBeNull();
    expect(c.signalCode).toBeNull();
  });

  test('a process that has already exited is already gone', async () => {
    const c = spawnChild('sleep', ['60']);
    const tg = target(c, 'sleep');
    c.kill('SIGKILL');
    await exitOf(c);
    const job = terminator().terminate(tg);
    expect(job.state).toBe('already-gone');
    await expect(job.done).resolves.toBe(job);
  });

  test('PID 1, spmon itself and a bad identity are refused without signalling', () => {
    const t = terminator();
    const init = t.terminate({ pid: 1, startTicks: startTicksOf(1), name: 'init' });
    expect(init.state).toBe('refused');
    expect(jobText(init)).toBe('Refused to end 1 init: it is PID 1 (init)');
    const self = t.terminate({ pid: process.pid, startTicks: startTicksOf(process.pid), name: 'node' });
    expect(self.state).toBe('refused');
    expect(jobText(self)).toBe(`Refused to end ${process.pid} node: it is spmon itself`);
    expect(t.terminate({ pid: 0, startTicks: 0, name: 'x' }).state).toBe('refused');
    expect(t.terminate({ pid: -5, startTicks: 0, name: 'x' }).state).toBe('refused');
    expect(t.terminate({ pid: 1.5, startTicks: 0, name: 'x' }).state).toBe('refused');
    expect(jobText(t.terminate({ pid: 12345, startTicks: NaN, name: 'x' }))).toBe('Refused to end 12345 x: its start time is unknown');
    for (const e of t.history()) expect(e.signals).toEqual([]);
  });

  test('a protected pid (an ancestor of spmon) is refused', async () => {
    const c = spawnChild('sleep', ['60']);
    const tg = target(c, 'sleep');
    const job = terminator({ protectedPids: [c.pid!] }).terminate(tg);
    expect(job.state).toBe('refused');
    expect(jobText(job)).toContain('protected');
    await sleepMs(200);
    expect(aliveAs(tg.pid, tg.startTicks)).toBe(true);
  });

  test('read-only mode refuses every request with a clear message', async () => {
    const c = spawnChild('sleep', ['60']);
    const tg = target(c, 'sleep');
    const t = terminator({ readOnly: true, graceMs: 100 });
    const job = t.terminate(tg);
    expect(job.state).toBe('refused');
    expect(jobText(job)).toBe(`Refused to end ${c.pid} sleep: spmon is in read-only mode (--read-only)`);
    const set = t.terminateSet([tg], { label: 'main' });
    expect(set.state).toBe('refused');
    expect(jobText(set)).toBe('Refused to end main: spmon is in read-only mode (--read-only)');
    expect(set.members[0].state).toBe('refused');
    await sleepMs(300);
    expect(aliveAs(tg.pid, tg.startTicks)).toBe(true);
  });

  test('the event loop keeps running while a job escalates', async () => {
    const c = await spawnReady(IGNORES_TERM);
    const t = terminator({ graceMs: 800 });
    let ticks = 0;
    let last = Date.now();
    let maxGap = 0;
    const iv = setInterval(() => {
      const now = Date.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 20);
    const before = Date.now();
    const job = t.terminate(target(c, 'bash'));
    // terminate() returned at once.
    expect(Date.now() - before).toBeLessThan(100);
    await job.done;
    clearInterval(iv);
    expect(job.state).toBe('force-killed');
    expect(ticks).toBeGreaterThanOrEqual(20);
    expect(maxGap).toBeLessThan(400);
  });

  test('asking twice for a running job returns the same job', async () => {
    const c = await spawnReady(IGNORES_TERM);
    const t = terminator({ graceMs: 300 });
    const tg = target(c, 'bash');
    const a = t.terminate(tg);
    const b = t.terminate(tg);
    expect(b).toBe(a);
    await a.done;
    expect(a.signals.filter((s) => s.signal === 'SIGTERM')).toHaveLength(1);
  });

  test('handles are closed when jobs end, whatever the outcome', async () => {
    const before = pidfdCount();
    const t = terminator({ graceMs: 300 });
    const a = spawnChild('sleep', ['60']);
    const b = await spawnReady(IGNORES_TERM);
    const ja = t.terminate(target(a, 'sleep'));
    const jb = t.terminate(target(b, 'bash'));
    expect(pidfdCount()).toBe(before + 2);
    await Promise.all([ja.done, jb.done]);
    expect([ja.state, jb.state]).toEqual(['terminated', 'force-killed']);
    expect(pidfdCount()).toBe(before);
  });

  test('close() stops watching, closes handles and sends no SIGKILL', async () => {
    const c = await spawnReady(IGNORES_TERM);
    const tg = target(c, 'bash');
    const before = pidfdCount();
    const t = terminator({ graceMs: 300 });
    const job = t.terminate(tg);
    t.close();
    expect(job.state).toBe('failed');
    expect(jobText(job)).toContain('stopped watching');
    expect(pidfdCount()).toBe(before);
    await sleepMs(600);
    expect(aliveAs(tg.pid, tg.startTicks)).toBe(true);
    expect(job.signals.map((s) => s.signal)).toEqual(['SIGTERM']);
  });
});

describe('history', () => {
  test('records what was ended, newest first', async () => {
    const t = terminator({ graceMs: 300 });
    const a = spawnChild('sleep', ['60']);
    const ta = target(a, 'first');
    await t.terminate(ta).done;
    const b = await spawnReady(IGNORES_TERM);
    const tb = target(b, 'second', { ussBytes: 4096 });
    const requested = Date.now();
    await t.terminate(tb).done;
    const h = t.history();
    expect(h.map((e) => [e.pid, e.name, e.outcome])).toEqual([
      [tb.pid, 'second', 'force-killed'],
      [ta.pid, 'first', 'terminated'],
    ]);
    expect(h[0].startTicks).toBe(tb.startTicks);
    expect(h[0].ussBytes).toBe(4096);
    expect(h[0].requestedAt).toBeGreaterThanOrEqual(requested);
    expect(h[0].finishedAt).toBeGreaterThanOrEqual(h[0].requestedAt + 300);
    expect(h[0].signals.map((s) => s.signal)).toEqual(['SIGTERM', 'SIGKILL']);
    expect(h[0].set).toBeNull();
    expect(historyText(h[0])).toContain('Force-killed');
    // A copy: callers cannot rewrite it.
    h.pop();
    expect(t.history()).toHaveLength(2);
  });

  test('is bounded to the last 100 by default', () => {
    const t = terminator();
    for (let i = 0; i < 105; i++) t.terminate({ pid: 1, startTicks: 0, name: `n${i}` });
    const h = t.history();
    expect(h).toHaveLength(100);
    expect(h[0].name).toBe('n104');
    expect(h[99].name).toBe('n5');
  });

  test('honours historyLimit', () => {
    const t = terminator({ historyLimit: 3 });
    for (let i = 0; i < 5; i++) t.terminate({ pid: process.pid, startTicks: 0, name: `n${i}` });
    expect(t.history().map((e) => e.name)).toEqual(['n4', 'n3', 'n2']);
  });
});

describe('leavesFirst and ancestorPids (plain objects)', () => {
  test('orders by depth among the set, deepest first, stable, cycle safe', () => {
    const t = (pid: number, ppid: number) => ({ pid, ppid, startTicks: 0, name: String(pid) });
    const list = [t(10, 1), t(11, 10), t(12, 10), t(13, 11), t(20, 99), t(30, 31), t(31, 30)];
    expect(leavesFirst(list).map((x) => x.pid)).toEqual([13, 11, 12, 30, 31, 10, 20]);
    expect(leavesFirst([])).toEqual([]);
  });

  test('ancestors of a pid from ppid links', () => {
    const ps = [
      { pid: 1, ppid: 0 },
      { pid: 50, ppid: 1 },
      { pid: 60, ppid: 50 },
      { pid: 70, ppid: 60 },
      { pid: 80, ppid: 50 },
    ];
    expect([...ancestorPids(ps, 70)]).toEqual([60, 50, 1]);
    expect([...ancestorPids(ps, 1)]).toEqual([]);
    expect([...ancestorPids([{ pid: 5, ppid: 6 }, { pid: 6, ppid: 5 }], 5)]).toEqual([6]);
  });
});

describe('terminate a set (a session)', () => {
  test('ends a parent with its children and grandchild, leaves first', async () => {
    const parent = spawnChild('bash', ['-c', 'sleep 60 & bash -c "sleep 60 & wait" & wait']);
    await waitUntil(() => descendants(parent.pid!).length === 3);
    const targets = targetsOf(parent.pid!);
    const depthOf = new Map<number, number>([[parent.pid!, 0]]);
    for (const tg of targets) if (tg.pid !== parent.pid) depthOf.set(tg.pid, tg.ppid === parent.pid ? 1 : 2);
    const t = terminator({ graceMs: 2000 });
    // Parent first in the input: the set reorders.
    const set = t.terminateSet(targets, { label: 'tree' });
    expect(set.state).toBe('terminating');
    // Usually 4; on a loaded machine the inner bash may exit (its child gone) before its own SIGTERM.
    expect(jobText(set)).toMatch(/^SIGTERM sent to [34] processes of tree, SIGKILL in 2 s \([34] running\)$/);
    const order = set.members.map((m) => depthOf.get(m.pid));
    expect(order).toEqual([2, 1, 1, 0]);
    // Signals went out in that order.
    const at = set.members.map((m) => m.signals[0].at);
    for (let i = 1; i < at.length; i++) expect(at[i]).toBeGreaterThanOrEqual(at[i - 1]);
    await set.done;
    expect(set.state).toBe('done');
    expect(set.members.map((m) => m.state)).toEqual(['terminated', 'terminated', 'terminated', 'terminated']);
    expect(set.counts.terminated).toBe(4);
    expect(jobText(set)).toBe('Ended tree: 4 terminated');
    for (const tg of targets) expect(aliveAs(tg.pid, tg.startTicks)).toBe(false);
    const h = t.history();
    expect(h).toHaveLength(4);
    expect(h.every((e) => e.set === 'tree' && e.outcome === 'terminated')).toBe(true);
  });

  test('a chosen signal that only asks (SIGSTOP) is sent to every member once, no SIGKILL after; the words say so', async () => {
    const a = spawnChild('sleep', ['60']);
    const b = spawnChild('sleep', ['60']);
    const t = terminator({ graceMs: 300 });
    const set = t.terminateSet([target(a, 'sleep'), target(b, 'sleep')], { label: 'the tagged set', ...endOptionsFor('SIGSTOP', 300) });
    await set.done;
    expect(set.members.map((m) => m.state)).toEqual(['signalled', 'signalled']);
    expect(jobText(set)).toBe('SIGSTOP sent to the tagged set (2 processes)');
    await waitUntil(() => stat(a.pid!)?.state === 'T' && stat(b.pid!)?.state === 'T');
    await sleepMs(600); // past the grace: still stopped, not killed
    expect([stat(a.pid!)?.state, stat(b.pid!)?.state]).toEqual(['T', 'T']);
  });

  test('one grace period for the set, SIGKILL for survivors, newcomers found by rescan are killed', async () => {
    const dir = fs.mkdtempSync(path.join(home, 'set-'));
    // Ignores SIGTERM by starting a new long-lived child when it arrives.
    const parent = await spawnReady(`trap 'sleep 60 & echo $! > ${dir}/newcomer' TERM; echo ready; while :; do sleep 0.1; done`);
    const polite = spawnChild('sleep', ['60']);
    const targets = [target(parent, 'bash', { ussBytes: 1024 ** 2 }), target(polite, 'sleep', { ussBytes: 1024 ** 2 })];
    let rescans = 0;
    const t = terminator({ graceMs: 700 });
    const started = Date.now();
    const set = t.terminateSet(targets, {
      label: 'agent',
      rescan: () => {
        rescans++;
        return [...targetsOf(parent.pid!), ...targets];
      },
    });
    await set.done;
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(rescans).toBe(1);
    const newcomerPid = Number(fs.readFileSync(`${dir}/newcomer`, 'utf8').trim());
    const byPid = new Map(set.members.map((m) => [m.pid, m] as [number, ProcessJob]));
    expect(byPid.get(polite.pid!)!.state).toBe('terminated');
    expect(byPid.get(parent.pid!)!.state).toBe('force-killed');
    const nc = byPid.get(newcomerPid);
    expect(nc).toBeDefined();
    expect(nc!.state).toBe('force-killed');
    expect(nc!.signals.map((s) => s.signal)).toEqual(['SIGKILL']);
    expect(stat(newcomerPid) === null || stat(newcomerPid)!.state === 'Z').toBe(true);
    expect(await exitOf(parent)).toEqual({ code: null, signal: 'SIGKILL' });
    // The loop's `sleep 0.1` of the moment is a child too: found by the rescan, it ends on SIGTERM and counts
    // as terminated, or is force-killed, or ended on its own between the rescan and its signal (already gone:
    // nothing signalled, as a loaded CI host showed); every other member is the polite sleep or force-killed.
    const loopSleeps = set.members.filter((m) => ![parent.pid, polite.pid, newcomerPid].includes(m.pid));
    expect(loopSleeps.filter((m) => !['terminated', 'force-killed', 'already-gone'].includes(m.state)).map((m) => m.state)).toEqual([]);
    for (const m of loopSleeps.filter((x) => x.state === 'already-gone')) expect(m.signals).toEqual([]);
    const loopTerminated = loopSleeps.filter((m) => m.state === 'terminated').length;
    expect(set.counts.terminated).toBe(1 + loopTerminated);
    expect(jobText(set)).toMatch(new RegExp(`^Ended agent: ${1 + loopTerminated} terminated, ${set.counts['force-killed']} force-killed`));
    expect(jobText(set)).toContain('(USS 2.00 MiB)');
  });

  test('refuses a whole set containing spmon itself, PID 1 or an ancestor, and signals none of it', async () => {
    const c = spawnChild('sleep', ['60']);
    const tg = target(c, 'sleep');
    const t = terminator({ graceMs: 100 });
    const self = t.terminateSet([tg, { pid: process.pid, startTicks: startTicksOf(process.pid), name: 'node', ppid: process.ppid }], { label: 'pod' });
    expect(self.state).toBe('refused');
    expect(jobText(self)).toBe(`Refused to end pod: it contains ${process.pid} node, spmon itself`);
    expect(self.members.every((m) => m.state === 'refused' && m.signals.length === 0)).toBe(true);
    expect(t.terminateSet([tg, { pid: 1, startTicks: 0, name: 'init' }]).state).toBe('refused');
    const anc = t.terminateSet([tg], { label: 'tmux', protectedPids: [c.pid!] });
    expect(anc.state).toBe('refused');
    expect(jobText(anc)).toContain('protected');
    await sleepMs(300);
    expect(aliveAs(tg.pid, tg.startTicks)).toBe(true);
  });

  test('members already gone are reported, an empty set is nothing to do', async () => {
    const c = spawnChild('sleep', ['60']);
    const tg = target(c, 'sleep');
    const t = terminator({ graceMs: 500 });
    const set = t.terminateSet([{ ...tg, startTicks: tg.startTicks + 7 }], { label: 'stale' });
    expect(set.state).toBe('done');
    expect(jobText(set)).toBe('Ended stale: 1 already gone');
    expect(aliveAs(tg.pid, tg.startTicks)).toBe(true);
    const empty = t.terminateSet([], { label: 'nothing' });
    expect(empty.state).toBe('done');
    expect(jobText(empty)).toBe('Nothing to end in nothing');
    await expect(empty.done).resolves.toBe(empty);
  });
});

// Runs inside a private pid namespace (pid 1 there is this node), where
// /proc/sys/kernel/ns_last_pid makes the kernel hand out a chosen pid.
// Loads lib/engine/terminator.ts through a tiny TypeScript require hook.
const REUSE_SCRIPT = `
const fs = require('fs');
const cp = require('child_process');
const ts = require(${JSON.stringify(require.resolve('typescript'))});
require.extensions['.ts'] = (m, file) => {
  const out = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  m._compile(out.outputText, file);
};
const { Terminator } = require(${JSON.stringify(path.join(ROOT, 'lib/engine/terminator.ts'))});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stat = (pid) => {
  try {
    const t = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
    const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
    return { state: f[0], startTicks: Number(f[19]) };
  } catch { return null; }
};
const exited = (c) => c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r));
const spawnAt = async (pid, args) => {
  for (let i = 0; i < 20; i++) {
    fs.writeFileSync('/proc/sys/kernel/ns_last_pid', String(pid - 1));
    const c = cp.spawn('sleep', args, { stdio: 'ignore' });
    if (c.pid === pid) return c;
    c.kill('SIGKILL');
    await exited(c);
  }
  throw new Error('the kernel did not hand out pid ' + pid + ' again');
};
const step = (s) => process.stderr.write('[' + Math.round(performance.now()) + ' ms] ' + s + '\\n');
(async () => {
  const out = {};
  step('loaded');
  const t = new Terminator({ graceMs: 500 });

  // 1. A finished job's (pid, start time) later names a newcomer: a stale request must not touch it.
  const victim = cp.spawn('sleep', ['60'], { stdio: 'ignore' });
  const pid = victim.pid;
  const oldStart = stat(pid).startTicks;
  const first = await t.terminate({ pid, startTicks: oldStart, name: 'victim' }).done;
  out.first = first.state;
  await exited(victim);
  step('victim ended');
  await sleep(30); // at least one clock tick, so the start times differ
  const newcomer = await spawnAt(pid, ['60']);
  out.samePid = newcomer.pid === pid;
  step('newcomer spawned');
  out.newStart = stat(pid).startTicks;
  out.oldStart = oldStart;
  const stale = await t.terminate({ pid, startTicks: oldStart, name: 'victim' }).done;
  out.stale = stale.state;
  out.staleSignals = stale.signals.length;
  const staleSet = await t.terminateSet([{ pid, startTicks: oldStart, name: 'victim' }], { label: 's' }).done;
  out.staleSet = staleSet.members[0].state;
  await sleep(300);
  const s1 = stat(pid);
  out.newcomerAlive = newcomer.exitCode === null && newcomer.signalCode === null && s1 !== null && s1.state !== 'Z' && s1.startTicks === out.newStart;
  newcomer.kill('SIGKILL');
  await exited(newcomer);

  // 2. A job holding a handle while its process dies and the pid is reused before the
  //    job looks again: the pending SIGKILL must not reach the newcomer.
  const stubborn = cp.spawn('bash', ['-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((r) => stubborn.stdout.once('data', r));
  const pid2 = stubborn.pid;
  step('stubborn ready');
  const slow = new Terminator({ graceMs: 200, pollMs: 1500 });
  const job = slow.terminate({ pid: pid2, startTicks: stat(pid2).startTicks, name: 'stubborn' });
  stubborn.kill('SIGKILL'); // dies by other means while the job waits
  await exited(stubborn);
  await sleep(30);
  const newcomer2 = await spawnAt(pid2, ['60']);
  out.samePid2 = newcomer2.pid === pid2;
  await job.done;
  step('held job done');
  out.heldJob = job.state;
  out.heldSignals = job.signals.map((s) => s.signal);
  await sleep(300);
  out.newcomer2Alive = newcomer2.exitCode === null && newcomer2.signalCode === null;
  newcomer2.kill('SIGKILL');
  await exited(newcomer2);
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

describe('PID reuse', () => {
  test('a stale job never signals the process that now has its pid', async () => {
    const probe = spawnSync('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', 'true'], { stdio: 'ignore' });
    if (probe.status !== 0) {
      throw new Error(
        'PID reuse could not be produced: `unshare --pid --fork --mount-proc` failed here (needs root or CAP_SYS_ADMIN). ' +
          'Without a private pid namespace this test cannot choose the next pid.',
      );
    }
    const result = await new Promise<string>((resolve, reject) => {
      execFile(
        'unshare',
        ['--pid', '--fork', '--kill-child', '--mount-proc', process.execPath, '-e', REUSE_SCRIPT],
        // unshare ignores SIGTERM while it waits; SIGKILL takes the namespace down (--kill-child).
        { cwd: ROOT, env: { ...process.env, HOME: home }, timeout: 45000, killSignal: 'SIGKILL' },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      );
    });
    const out = JSON.parse(result);
    expect(out.first).toBe('terminated');
    expect(out.samePid).toBe(true);
    expect(out.newStart).not.toBe(out.oldStart);
    expect(out.stale).toBe('already-gone');
    expect(out.staleSignals).toBe(0);
    expect(out.staleSet).toBe('already-gone');
    expect(out.newcomerAlive).toBe(true);
    expect(out.samePid2).toBe(true);
    // The held handle saw its own process exit; SIGKILL was never sent.
    expect(out.heldJob).toBe('terminated');
    expect(out.heldSignals).toEqual(['SIGTERM']);
    expect(out.newcomer2Alive).toBe(true);
  });
});

describe('permission', () => {
  test('an unprivileged spmon cannot signal root processes: permission denied', async () => {
    if (process.getuid?.() !== 0) throw new Error('this test must run as root: it runs the Terminator as uid 65534');
    const c = spawnChild('sleep', ['60']);
    const tg = target(c, 'sleep');
    // nobody loads the built Terminator (dist/, which pretest builds) from a copy it can read.
    const copy = readableCopy(SPMON_RUNTIME, SPMON_RUNTIME_PACKAGES);
    const script = `
      const { Terminator } = require(${JSON.stringify(path.join(copy.dir, 'dist/lib/engine/terminator.js'))});
      const { jobText } = require(${JSON.stringify(path.join(copy.dir, 'dist/lib/view/job_text.js'))});
      const job = new Terminator({ graceMs: 200 }).terminate(${JSON.stringify(tg)});
      job.done.then((j) => process.stdout.write(JSON.stringify({ state: j.state, message: jobText(j) })));
    `;
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['-e', script], { uid: NOBODY, gid: NOBODY, cwd: '/', env: { PATH: process.env.PATH, HOME: home }, timeout: 20000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    }).finally(() => copy.dispose());
    const r = JSON.parse(out) as { state: string; message: string };
    expect(r.state).toBe('permission-denied');
    expect(r.message).toBe(`Permission denied: cannot signal ${c.pid} sleep`);
    expect(aliveAs(tg.pid, tg.startTicks)).toBe(true);
  });
});
