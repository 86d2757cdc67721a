// spmon run by an unprivileged user (nobody, via setpriv) over root's processes:
// what cannot be read is shown as unknown and explained, nothing throws.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { NOBODY, readableCopy, ReadableCopy, SPMON_RUNTIME, SPMON_RUNTIME_PACKAGES } from './helpers/readable_copy';

let copy: ReadableCopy;
let dir: string;

beforeAll(() => {
  copy = readableCopy(SPMON_RUNTIME, SPMON_RUNTIME_PACKAGES);
  dir = copy.dir;
});

afterAll(() => copy?.dispose());

function asNobody(args: string[]) {
  return spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, path.join(dir, 'bin/spmon'), ...args], {
    encoding: 'utf8',
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, TMUX_TMPDIR: dir, LANG: 'C.UTF-8' },
  });
}

test('--once as nobody: root processes show "-" for USS/PSS, RSS still shows, the header says why', () => {
  const r = asNobody(['--once', '--interval', '0.2', '--filter', 'process_api', '--sort', 'pid']);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/Note: USS\/PSS of \d+ process(es)? unreadable .*needs root or CAP_SYS_PTRACE/);
  // PID 1 belongs to root: its USS and PSS are unknown, its RSS (from statm) is not.
  const row = r.stdout.split('\n').find((l) => /^\s+1 /.test(l));
  expect(row).toBeDefined();
  expect(row).toMatch(/\s-\s+-\s+[\d.]+ [KMG]iB/);
});

test('--json as nobody: unknown is null, never 0, and the document is whole', () => {
  const r = asNobody(['--json', '--interval', '0']);
  expect(r.status).toBe(0);
  const doc = JSON.parse(r.stdout);
  const init = doc.processes.find((p: { pid: number }) => p.pid === 1);
  expect(init.ussBytes).toBeNull();
  expect(init.pssBytes).toBeNull();
  expect(init.rssBytes).toBeGreaterThan(0);
  // Its own process is readable to itself.
  const self = doc.processes.find((p: { user: string; ussBytes: number | null; cmdline: string | null }) => p.user === 'nobody' && p.cmdline?.includes('spmon'));
  expect(self.ussBytes).toBeGreaterThan(0);
});
