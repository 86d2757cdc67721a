// tmux is listed (a forked `tmux` child) only when its servers or pane processes change, every
// TMUX_RENAME_MS for renames, and when asked (Ctrl-L): a real tmux server in a private TMUX_TMPDIR, a real
// engine reading /proc.
import { execFileSync } from 'child_process';
import { resolveSettings } from '../lib/config';
import { Engine } from '../lib/engine/engine';
import type { Frame } from '../lib/engine/frame';
import { tmuxSignature, TMUX_RENAME_MS } from '../lib/engine/session_sources';
import type { ProcessStat } from '../lib/model/process_stat';
import { privateEnv, PrivateEnv } from './helpers/private_env';

jest.setTimeout(60_000);

const proc = (pid: number, ppid: number, name: string, start = 100) => ({ pid, ppid, name, key: `${pid}:${start}` }) as ProcessStat;

test('the signature: tmux servers and their children by identity; other processes do not count', () => {
  const base = [proc(1, 0, 'init'), proc(50, 1, 'tmux: server'), proc(51, 50, 'bash'), proc(60, 1, 'python3')];
  const sig = tmuxSignature(base);
  expect(sig).not.toBe('');
  expect(tmuxSignature([...base, proc(61, 60, 'sleep')])).toBe(sig);
  expect(tmuxSignature([...base, proc(52, 50, 'bash')])).not.toBe(sig); // a new window or session
  expect(tmuxSignature(base.filter((p) => p.pid !== 51))).not.toBe(sig); // a pane closed
  expect(tmuxSignature(base.map((p) => (p.pid === 51 ? proc(51, 50, 'bash', 200) : p)))).not.toBe(sig); // pid reused
  expect(tmuxSignature([proc(1, 0, 'init')])).toBe('');
});

test('renames are looked for every 30 s by default', () => {
  expect(TMUX_RENAME_MS).toBe(30_000);
});

describe('a live tmux server', () => {
  let pe: PrivateEnv;
  let engine: Engine;
  const RENAME_MS = 3000;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-f', '/dev/null', ...args], { env: pe.env, encoding: 'utf8' });

  beforeAll(() => {
    pe = privateEnv();
    tmux('new-session', '-d', '-s', 'first', 'sleep 600');
    engine = new Engine(resolveSettings({}, pe.env, {}), { env: pe.env, sourcePollMs: 100, tmuxRenameMs: RENAME_MS });
    engine.start(100);
  });

  afterAll(async () => {
    await engine.close();
    execFileSync('tmux', ['kill-server'], { env: pe.env });
    pe.dispose();
  });

  const tmuxNames = (f: Frame) => f.sessions.filter((s) => s.kind === 'tmux').map((s) => s.name).sort();
  const until = (what: string, ok: (f: Frame) => boolean, ms: number) =>
    new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out waiting for ${what}; tmux sessions: ${JSON.stringify(engine.frame ? tmuxNames(engine.frame) : null)}`));
      }, ms);
      const off = engine.subscribe((f) => {
        if (!ok(f)) return;
        clearTimeout(timer);
        off();
        resolve(f);
      });
    });

  test('a new session is seen at the next poll; a rename (no process changes) within the rename period', async () => {
    await until('the first session', (f) => tmuxNames(f).includes('first'), 20_000);
    tmux('new-session', '-d', '-s', 'second', 'sleep 600');
    await until('the second session', (f) => tmuxNames(f).includes('second'), RENAME_MS / 2);
    tmux('rename-session', '-t', 'second', 'renamed');
    const f = await until('the rename', (x) => tmuxNames(x).includes('renamed'), RENAME_MS * 2);
    expect(tmuxNames(f)).toEqual(['first', 'renamed']);
  });

  test('relist(): a rename shows at the next poll, long before the rename period', async () => {
    // A rename seen marks a periodic listing that has just happened: the next is RENAME_MS away.
    tmux('rename-session', '-t', 'first', 'marked');
    await until('the periodic listing', (f) => tmuxNames(f).includes('marked'), RENAME_MS * 2);
    tmux('rename-session', '-t', 'marked', 'asked');
    engine.relist();
    const f = await until('the rename after relist', (x) => tmuxNames(x).includes('asked'), RENAME_MS / 3);
    expect(tmuxNames(f)).toEqual(['asked', 'renamed']);
  });
});
