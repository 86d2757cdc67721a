// bin/spmon run as a program: sh starts Node with LONG_RUNNING_FLAGS for the dashboard and the daemon only,
// and each loads the code cache made for its own flags (V8 refuses one made under other flags).
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { COMMANDS } from '../lib/commands';
import { LONG_RUNNING_FLAGS } from '../lib/engine/jit_tier';
import { privateEnv } from './helpers/private_env';
import { SPMON, TmuxSession } from './e2e/tmux';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '..');
const argvOf = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
const SH_LINE = fs.readFileSync(SPMON, 'utf8').split('\n')[1];

test('the launcher line names every command but the dashboard and the daemon, and is a comment to JavaScript', () => {
  const named = [...SH_LINE.matchAll(/\*" ([a-z][a-z-]*) "\*/g)].map((m) => m[1]).sort();
  const expected = COMMANDS.map((c) => c.name).filter((n) => n !== '' && n !== 'daemon').sort();
  expect(named).toEqual(expected);
  expect(SH_LINE.startsWith("':' //;")).toBe(true);
  expect(fs.statSync(SPMON).mode & 0o111).not.toBe(0);
});

test('the sh line, the launcher and a daemon started from a command use the same long-running Node flags', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const launcher = require(SPMON) as { LEAN_FLAGS: string[] };
  expect(launcher.LEAN_FLAGS).toEqual([...LONG_RUNNING_FLAGS]);
  expect(SH_LINE.endsWith(`exec node ${LONG_RUNNING_FLAGS.join(' ')} "$0" "$@"`)).toBe(true);
});

test('a snapshot starts without the flag and uses the plain code cache', () => {
  const pe = privateEnv();
  try {
    const r = spawnSync(SPMON, ['--once', '--json', '--interval', '0'], { env: pe.env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const me = (JSON.parse(r.stdout) as { processes: { pid: number; cmdline: string | null }[] }).processes.find((p) => p.pid === r.pid);
    expect(me?.cmdline).toBeTruthy();
    expect(me!.cmdline).toContain('bin/spmon --once');
    expect(me!.cmdline).not.toContain('--single-threaded');
  } finally {
    pe.dispose();
  }
});

test('a start loads neither crypto nor perf_hooks (the cache check and the clock do without them); a long-running one no zlib', () => {
  const pe = privateEnv();
  try {
    // A preload that lists, at exit, the Node modules this process loaded.
    const probe = path.join(pe.home, 'modules.js');
    const out = path.join(pe.home, 'modules.txt');
    fs.writeFileSync(probe, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join('\\n')));`);
    for (const flags of [[], [...LONG_RUNNING_FLAGS]]) {
      const r = spawnSync(process.execPath, [...flags, '-r', probe, SPMON, '--once', '--json', '--interval', '0'], { env: pe.env, encoding: 'utf8' });
      expect(r.status).toBe(0);
      const loaded = fs.readFileSync(out, 'utf8').split('\n');
      // The probe itself worked: the bundle's own modules are there.
      expect(loaded).toContain('NativeModule vm');
      expect(loaded.filter((m) => /^NativeModule (crypto|perf_hooks)$|^Internal Binding crypto$/.test(m))).toEqual([]);
      // With the long-running flags V8 checks the cache's checksum itself: no zlib for a CRC-32 (the plain
      // start checks the CRC-32 with it).
      expect(loaded.includes('NativeModule zlib')).toBe(flags.length === 0);
    }
  } finally {
    pe.dispose();
  }
});

test('both code caches are taken by the Node flags they were made for', () => {
  for (const flags of [[], [...LONG_RUNNING_FLAGS]]) {
    const r = spawnSync(process.execPath, [...flags, '-e', `
      const b = require(${JSON.stringify(SPMON)});
      const c = b.cachedBundle();
      process.stdout.write(JSON.stringify({ file: b.CODE_CACHE, used: c ? b.loadBundle(c.source, c.cachedData).cacheUsed : null }));`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { file: string; used: boolean | null };
    expect([flags, path.basename(out.file), out.used]).toEqual([flags, flags.length ? 'spmon.lean.cache' : 'spmon.cache', true]);
  }
});

test('the dashboard in a terminal and the daemon run with the long-running flags', async () => {
  const t = new TmuxSession();
  try {
    t.start(SPMON);
    await t.waitFor((s) => /PID\s+Name/.test(s), 'the dashboard');
    const shell = Number(execTmux(t, ['display-message', '-p', '#{pane_pid}']));
    // The pane runs `sh -c "<spmon>; sleep 120"`: its child is spmon (sh execs node).
    const child = fs.readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/).map(Number)[0];
    expect(argvOf(child).slice(1, 2 + LONG_RUNNING_FLAGS.length)).toEqual([...LONG_RUNNING_FLAGS, SPMON]);
  } finally {
    t.kill();
  }
  const pe = privateEnv();
  const runtime = fs.mkdtempSync(path.join(pe.home, 'rt-'));
  const daemon = spawn(SPMON, ['daemon', '--socket', path.join(runtime, 'd.sock')], {
    env: { ...pe.env, XDG_RUNTIME_DIR: runtime, XDG_STATE_HOME: path.join(pe.home, 'state') }, stdio: 'ignore',
  });
  try {
    const sock = path.join(runtime, 'd.sock');
    for (let i = 0; i < 100 && !fs.existsSync(sock); i++) await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(sock)).toBe(true);
    expect(argvOf(daemon.pid!).slice(1, 3 + LONG_RUNNING_FLAGS.length)).toEqual([...LONG_RUNNING_FLAGS, SPMON, 'daemon']);
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => (daemon.exitCode !== null ? r(null) : daemon.once('exit', r)));
    pe.dispose();
  }
});

function execTmux(t: TmuxSession, args: string[]): string {
  return spawnSync('tmux', args, { env: t.env, encoding: 'utf8' }).stdout.trim();
}
