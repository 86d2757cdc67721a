// lib/sources/tmux.ts against real tmux servers on a private TMUX_TMPDIR (never the machine's own socket).
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { listTmuxPanes, parseListPanes, startTmuxListing, TmuxPane, tmuxSocketDir, TmuxWatcher } from '../lib/sources/tmux';
import { tmuxSessionId } from '../lib/model/sessions';
import { PrivateEnv, privateEnv } from './helpers/private_env';

const UID = process.getuid!();

let pe: PrivateEnv;
/** Socket paths of the servers this test started: the only ones afterEach kills. */
let started: string[];
/** Pids this test started outside tmux (hung fake tmux and its children), killed in afterEach. */
let strays: number[];

beforeEach(() => {
  pe = privateEnv();
  started = [];
  strays = [];
});

afterEach(() => {
  for (const socket of started) spawnSync('tmux', ['-S', socket, 'kill-server'], { env: pe.env });
  for (const pid of strays) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  pe.dispose();
});

function tmux(args: string[]): string {
  // -f /dev/null: no /etc/tmux.conf; the private HOME has no ~/.tmux.conf either.
  return execFileSync('tmux', ['-f', '/dev/null', ...args], { env: pe.env, encoding: 'utf8' }).trim();
}

/** Start a session running `sleep 600` on the server of `socketArgs` (e.g. [] or ['-L', 'other']). */
function startSession(socketArgs: string[], name: string): { socketPath: string; sessionId: string; panePid: number } {
  tmux([...socketArgs, 'new-session', '-d', '-s', name, 'sleep 600']);
  const [sessionId, pid, socketPath] = tmux([
    ...socketArgs,
    'display',
    '-p',
    '-t',
    `=${name}:`,
    '#{session_id} #{pane_pid} #{socket_path}',
  ]).split(' ');
  if (!started.includes(socketPath)) started.push(socketPath);
  return { socketPath, sessionId, panePid: Number(pid) };
}

function byKey(a: TmuxPane, b: TmuxPane): number {
  return a.socket.localeCompare(b.socket) || a.sessionId.localeCompare(b.sessionId);
}

function cmdline(pid: number): string {
  return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
}

/** A process that is gone or a zombie: nothing left running. */
function finished(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/s.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function waitUntil(pred: () => boolean, what: string, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function script(name: string, body: string): string {
  const file = path.join(pe.home, name);
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

describe('parseListPanes', () => {
  test('pid, session id, then the rest of the line as the name; malformed lines skipped; names kept verbatim', () => {
    const text = [
      '101 %0 $0 alpha',
      '102 %1 $1 my session',
      '103 %2 $2  two  spaces ',
      '104 %3 $3 costs $5 today',
      '105 %4 $4 \x1b[31mred\x1b[0m',
      '',
      'garbage',
      'x %5 $5 name',
      '0 %6 $6 pid zero',
      '106 %7 5 no dollar',
      '107 %8 $ empty id',
      '-108 %9 $7 negative',
      '99999999999 %10 $8 too big',
      '109 %11 $9',
      '110 $10 no pane id',
    ].join('\n');
    const panes = parseListPanes(text, 'default', '/t/tmux-0/default');
    expect(panes.map((p) => [p.panePid, p.sessionId, p.sessionName])).toEqual([
      [101, '$0', 'alpha'],
      [102, '$1', 'my session'],
      [103, '$2', ' two  spaces '],
      [104, '$3', 'costs $5 today'],
      [105, '$4', '\x1b[31mred\x1b[0m'], // not sanitised here: the view does that
    ]);
    expect(panes[0]).toEqual({ socket: 'default', socketPath: '/t/tmux-0/default', sessionId: '$0', sessionName: 'alpha', panePid: 101, paneId: '%0' });
  });

  test('tmuxSessionId and tmuxSocketDir', () => {
    expect(tmuxSessionId({ socket: 'other', sessionId: '$3' })).toBe('tmux:other:$3');
    expect(tmuxSocketDir({ TMUX_TMPDIR: '/x/y' }, 1234)).toBe('/x/y/tmux-1234');
    expect(tmuxSocketDir({}, 1234)).toBe('/tmp/tmux-1234');
    expect(tmuxSocketDir({ TMUX_TMPDIR: '' }, 7)).toBe('/tmp/tmux-7');
  });
});

describe('listTmuxPanes with real tmux servers', () => {
  test('every pane of a server: names with spaces, session ids and pane pids as tmux reports them', async () => {
    const a = startSession([], 'alpha');
    const b = startSession([], 'my session');
    expect(a.socketPath).toBe(path.join(pe.env.TMUX_TMPDIR!, `tmux-${UID}`, 'default'));

    const { panes, problems } = await listTmuxPanes({ env: pe.env, uid: UID });
    expect(problems).toEqual([]);
    expect(panes.sort(byKey)).toEqual([
      { socket: 'default', socketPath: a.socketPath, sessionId: a.sessionId, sessionName: 'alpha', panePid: a.panePid, paneId: expect.stringMatching(/^%\d+$/) },
      { socket: 'default', socketPath: a.socketPath, sessionId: b.sessionId, sessionName: 'my session', panePid: b.panePid, paneId: expect.stringMatching(/^%\d+$/) },
    ]);
    expect(a.sessionId).not.toBe(b.sessionId);
    // The pane pids are the processes the panes run.
    for (const p of panes) expect(cmdline(p.panePid)).toContain('sleep 600');
    expect(panes.map(tmuxSessionId).sort()).toEqual([`tmux:default:${a.sessionId}`, `tmux:default:${b.sessionId}`].sort());
  });

  test('names past ASCII come through whole whatever the locale (tmux alone writes "_" for them under LANG=C)', async () => {
    const a = startSession([], 'wörk😀日本');
    const c = { ...pe.env, LANG: 'C', LC_ALL: undefined, LC_CTYPE: undefined };
    delete c.LC_ALL;
    delete c.LC_CTYPE;
    // What tmux itself says to a client without UTF-8, so the test means something.
    expect(execFileSync('tmux', ['-S', a.socketPath, 'list-panes', '-a', '-F', '#{session_name}'], { env: c, encoding: 'utf8' }).trim()).toMatch(/^w_rk_+$/);
    const { panes } = await listTmuxPanes({ env: c, uid: UID });
    expect(panes.map((p) => p.sessionName)).toEqual(['wörk😀日本']);
  });

  test('a second server on another socket (tmux -L other) is found too', async () => {
    const a = startSession([], 'alpha');
    const o = startSession(['-L', 'other'], 'beta');
    expect(o.socketPath).not.toBe(a.socketPath);

    const { panes, problems } = await listTmuxPanes({ env: pe.env, uid: UID });
    expect(problems).toEqual([]);
    expect(panes.sort(byKey).map((p) => [p.socket, p.socketPath, p.sessionName, p.panePid, tmuxSessionId(p)])).toEqual([
      ['default', a.socketPath, 'alpha', a.panePid, `tmux:default:${a.sessionId}`],
      ['other', o.socketPath, 'beta', o.panePid, `tmux:other:${o.sessionId}`],
    ]);
  });

  test('no socket directory: no panes, no throw, the reason recorded', async () => {
    const r = await listTmuxPanes({ env: pe.env, uid: UID });
    expect(r.panes).toEqual([]);
    expect(r.problems.join('\n')).toContain(`no tmux socket directory ${tmuxSocketDir(pe.env, UID)}`);
  });

  test('a socket directory without servers: no panes, the reason recorded', async () => {
    fs.mkdirSync(tmuxSocketDir(pe.env, UID), { mode: 0o700 });
    const r = await listTmuxPanes({ env: pe.env, uid: UID });
    expect(r.panes).toEqual([]);
    expect(r.problems.join('\n')).toMatch(/no tmux server sockets/);
  });

  test('the stale socket of a killed server gives nothing and no error; a live server beside it is still listed', async () => {
    const live = startSession([], 'alive');
    const dead = startSession(['-L', 'stale'], 'doomed');
    const serverPid = Number(tmux(['-L', 'stale', 'display', '-p', '#{pid}']));
    process.kill(serverPid, 'SIGKILL');
    await waitUntil(() => finished(serverPid), 'the killed tmux server to go');
    expect(fs.lstatSync(dead.socketPath).isSocket()).toBe(true); // the socket file stays behind

    const { panes, problems } = await listTmuxPanes({ env: pe.env, uid: UID });
    expect(panes.map((p) => [p.socket, p.sessionName, p.panePid])).toEqual([['default', 'alive', live.panePid]]);
    expect(problems).toEqual(['tmux socket stale: no server running']);
  });

  test('a stale socket alone starts no tmux child: nobody accepts on it, so that is the answer', async () => {
    startSession(['-L', 'stale'], 'doomed');
    const serverPid = Number(tmux(['-L', 'stale', 'display', '-p', '#{pid}']));
    process.kill(serverPid, 'SIGKILL');
    await waitUntil(() => finished(serverPid), 'the killed tmux server to go');
    const ran = path.join(pe.home, 'ran');
    const spy = script('spy-tmux', `echo ran >> '${ran}'\nexec tmux "$@"`);

    const { panes, problems } = await listTmuxPanes({ env: pe.env, uid: UID, tmuxBin: spy });
    expect(panes).toEqual([]);
    expect(problems).toEqual(['tmux socket stale: no server running']);
    expect(fs.existsSync(ran)).toBe(false);
  });

  test('started: the tmux child runs before this thread blocks; blocked past the timeout, its answer is kept', async () => {
    const a = startSession([], 'alpha');
    const run = startTmuxListing({ env: pe.env, uid: UID, timeoutMs: 300 });
    await run.started;
    // As a native sample of 10,000 processes would: the timer comes due before the output is read.
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      // busy
    }
    const { panes, problems } = await run.listing;
    expect(problems).toEqual([]);
    expect(panes.map((p) => [p.sessionName, p.panePid])).toEqual([['alpha', a.panePid]]);
  });

  test('only sockets count: a symlink to a socket and a regular file in the directory are ignored', async () => {
    const a = startSession([], 'alpha');
    const dir = path.dirname(a.socketPath);
    fs.symlinkSync(a.socketPath, path.join(dir, 'link'));
    fs.writeFileSync(path.join(dir, 'notes'), 'not a socket');

    const { panes, problems } = await listTmuxPanes({ env: pe.env, uid: UID });
    expect(panes.map((p) => p.socket)).toEqual(['default']);
    expect(problems).toEqual([]);
  });

  test('a socket directory that others may enter is refused, as tmux itself refuses it', async () => {
    const a = startSession([], 'alpha');
    const dir = path.dirname(a.socketPath);
    fs.chmodSync(dir, 0o777);
    try {
      const r = await listTmuxPanes({ env: pe.env, uid: UID });
      expect(r.panes).toEqual([]);
      expect(r.problems.join('\n')).toMatch(/unsafe/);
    } finally {
      fs.chmodSync(dir, 0o700);
    }
  });

  test('tmux not installed: no panes, no throw, a problem recorded', async () => {
    startSession([], 'alpha');
    const r = await listTmuxPanes({ env: pe.env, uid: UID, tmuxBin: '/nonexistent/tmux' });
    expect(r.panes).toEqual([]);
    expect(r.problems).toEqual(['tmux socket default: /nonexistent/tmux not found']);
  });

  test('a hung tmux: resolves with no panes, the hung process is killed', async () => {
    startSession([], 'alpha');
    const pidFile = path.join(pe.home, 'hung.pid');
    const hung = script('hung-tmux', `echo $$ > '${pidFile}'\nexec sleep 120`);

    const r = await listTmuxPanes({ env: pe.env, uid: UID, tmuxBin: hung, timeoutMs: 1000 });
    expect(r.panes).toEqual([]);
    expect(r.problems).toEqual(['tmux socket default: no answer within 1000 ms']);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    strays.push(pid);
    await waitUntil(() => finished(pid), 'the hung fake tmux to be killed');
  });

  test('a hung tmux whose child holds the output pipe open still resolves (before the 60 s test timeout)', async () => {
    startSession([], 'alpha');
    const pidFile = path.join(pe.home, 'child.pid');
    // The script's child inherits stdout and outlives the killed script for 120 s.
    const hung = script('hung-tmux', `sleep 120 &\necho $! > '${pidFile}'\nwait`);

    const r = await listTmuxPanes({ env: pe.env, uid: UID, tmuxBin: hung, timeoutMs: 500 });
    if (fs.existsSync(pidFile)) strays.push(Number(fs.readFileSync(pidFile, 'utf8')));
    expect(r.panes).toEqual([]);
    expect(r.problems).toEqual(['tmux socket default: no answer within 500 ms']);
  });

  test('the tmux child gets no TMUX or TMUX_PANE variable', async () => {
    startSession([], 'alpha');
    const seen = path.join(pe.home, 'seen-env');
    const wrapper = script('env-tmux', `echo "TMUX=\${TMUX-unset} TMUX_PANE=\${TMUX_PANE-unset}" > '${seen}'\nexec tmux "$@"`);
    const env = { ...pe.env, TMUX: '/somewhere/else,1,0', TMUX_PANE: '%9' };

    const { panes } = await listTmuxPanes({ env, uid: UID, tmuxBin: wrapper });
    expect(panes.map((p) => p.sessionName)).toEqual(['alpha']);
    expect(fs.readFileSync(seen, 'utf8').trim()).toBe('TMUX=unset TMUX_PANE=unset');
  });
});

describe('TmuxWatcher', () => {
  test('latest() is the last completed listing; refresh() never starts a second listing while one is in flight', async () => {
    const a = startSession([], 'alpha');
    const calls = path.join(pe.home, 'calls');
    const counting = script('counting-tmux', `echo run >> '${calls}'\nexec tmux "$@"`);
    const runs = () => (fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n').length : 0);

    const w = new TmuxWatcher({ env: pe.env, uid: UID, tmuxBin: counting });
    expect(w.latest()).toEqual([]);
    expect(w.generation).toBe(0);

    w.refresh();
    w.refresh();
    w.refresh();
    expect(w.busy).toBe(true);
    expect(w.latest()).toEqual([]); // nothing completed yet: the tick does not wait
    await w.idle();
    expect(runs()).toBe(1);
    expect(w.generation).toBe(1);
    expect(w.busy).toBe(false);
    expect(w.latest().map((p) => [p.sessionName, p.panePid])).toEqual([['alpha', a.panePid]]);
    expect(w.problems()).toEqual([]);

    // A new session shows up on the next refresh; the previous result stays readable meanwhile.
    const b = startSession([], 'my session');
    w.refresh();
    expect(w.latest().map((p) => p.sessionName)).toEqual(['alpha']);
    await w.idle();
    expect(runs()).toBe(2);
    expect(w.latest().map((p) => [p.sessionName, p.panePid]).sort()).toEqual(
      [['alpha', a.panePid], ['my session', b.panePid]].sort(),
    );
  });

  test('a listing that rejects leaves no panes and a problem, and the watcher keeps working', async () => {
    let n = 0;
    const pane: TmuxPane = { socket: 'default', socketPath: '/s', sessionId: '$0', sessionName: 'x', panePid: 42, paneId: '%0' };
    const w = new TmuxWatcher({}, async () => {
      n++;
      if (n === 1) throw new Error('boom');
      return { panes: [pane], problems: [] };
    });
    w.refresh();
    // Not while the caller's tick runs: the listing starts after it.
    expect(n).toBe(0);
    await w.idle();
    expect(w.latest()).toEqual([]);
    expect(w.problems()).toEqual(['tmux: boom']);
    w.refresh();
    await w.idle();
    expect(w.latest()).toEqual([pane]);
    expect(n).toBe(2);
    // Closed right after a tick asked for a listing: it does not start, and no later one does.
    w.refresh();
    await w.close();
    w.refresh();
    await w.idle();
    expect(n).toBe(2);
  });
});
