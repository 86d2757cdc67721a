// npm run sea: the single-file executable runs alone, away from the package, with no compiler on PATH.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT } from './helpers/paths';
import { privateEnv } from './helpers/private_env';
import { schemaErrors } from './helpers/schema';

let dir: string;
let exe: string;

beforeAll(() => {
  // dist/lib is built by pretest; this bundles it and injects it into a copy of node.
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'sea.js')], { cwd: ROOT, stdio: 'ignore' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-sea-'));
  exe = path.join(dir, 'spmon');
  fs.copyFileSync(path.join(ROOT, 'dist', 'sea', `linux-${process.arch}`, 'spmon'), exe);
  fs.chmodSync(exe, 0o755);
}, 240_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('a copy in an empty folder prints a valid --once --json snapshot with only itself on PATH', () => {
  const pe = privateEnv({ PATH: dir });
  const addonDirs = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('spmon-addon-'));
  const before = addonDirs();
  try {
    // maxBuffer: a snapshot of a machine with a thousand processes is over spawnSync's default 1 MiB.
    const r = spawnSync(exe, ['--once', '--json', '--interval', '0'], { cwd: dir, env: pe.env, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { schema: string; processes: { pid: number; name: string }[] };
    expect(doc.schema).toBe('spmon.snapshot/v1');
    expect(schemaErrors(doc)).toBe('');
    expect(doc.processes.some((p) => p.name === 'spmon')).toBe(true);
    // The addon was written to a private temporary folder only to be loaded: nothing is left.
    expect(addonDirs().filter((f) => !before.includes(f))).toEqual([]);
  } finally {
    pe.dispose();
  }
});

test('the bundle needs no file of the package: --version from the copy, with an empty environment', () => {
  const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
  const r = spawnSync(exe, ['--version'], { cwd: dir, env: { PATH: dir }, encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe(version);
});

test('spmon tokens reads agent logs on two threads: the read worker starts from the executable (no file to start it from)', () => {
  const pe = privateEnv({ PATH: dir });
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { writeAgentLogs } = require('../bench/lib/agent_logs') as { writeAgentLogs: (home: string, o: { mb: number; seed: number }) => Record<string, { tokens: Record<string, number> }> };
    const written = writeAgentLogs(pe.home, { mb: 2, seed: 3 });
    // SPMON_TEST_READ_WORKER=always: the worker reads logs, or the command fails.
    const r = spawnSync(exe, ['tokens', '--json'], { cwd: dir, env: { ...pe.env, SPMON_TEST_READ_WORKER: 'always' }, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 });
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as { sessions: { tool: string; tokens: Record<string, number | null>; complete: boolean }[] };
    for (const tool of ['claude', 'codex', 'gemini']) {
      const got = doc.sessions.filter((s) => s.tool === tool);
      expect(got.every((s) => s.complete)).toBe(true);
      expect(got.reduce((n, s) => n + (s.tokens.output ?? 0), 0)).toBe(written[tool].tokens.output);
    }
  } finally {
    pe.dispose();
  }
});
