// bin/spmon end to end: --once tables and --json documents, on fixture trees and on the live /proc.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Children, python3, waitForLine } from './helpers/children';
import { CliResult, runCli } from './helpers/cli';
import { cgroupFixture, FIXTURE_PROC, ROOT } from './helpers/paths';
import { privateEnv, PrivateEnv } from './helpers/private_env';
import { schemaErrors } from './helpers/schema';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const HYPER = 'HYPERPLANE_SESSION_PROCESS_TERMINATOR_THRESHOLD_PERCENT';

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

interface Doc {
  schema: string;
  intervalMs: number | null;
  host: Record<string, unknown>;
  cgroup: { version: number | null; path: string | null; memory: Record<string, number | null>; cpu: Record<string, number | null> };
  processes: Record<string, unknown>[];
  sessions: { id: string; kind: string; pids: number[]; agent: unknown }[];
}

/** stdout must be exactly one JSON document that the schema accepts. */
function oneDocument(r: CliResult): Doc {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout) as Doc; // throws on two documents or trailing text
  expect(schemaErrors(doc)).toBe('');
  return doc;
}

const fixtureArgs = (name: Parameters<typeof cgroupFixture>[0]) => {
  const f = cgroupFixture(name);
  return ['--proc-root', f.procRoot, '--cgroup-root', f.cgroupRoot];
};

const pidsOf = (d: Doc) => d.processes.map((p) => p.pid);

describe('--json on the fixture /proc', () => {
  let doc: Doc;
  beforeAll(async () => {
    doc = oneDocument(await runCli(['--json', '--interval', '0', ...fixtureArgs('v2')]));
  });

  test('validates, one sample: no interval, no rates, no growth', () => {
    expect(doc.schema).toBe('spmon.snapshot/v1');
    expect(doc.intervalMs).toBeNull();
    for (const p of doc.processes) {
      expect([p.pid, p.cpuPercent, p.readBytesPerSec, p.writeBytesPerSec, p.growthBytesPerMin]).toEqual([p.pid, null, null, null, null]);
    }
  });

  test('every process, sorted by USS descending (RSS where USS could not be read), unknown last (by pid)', () => {
    // 105's smaps_rollup is cut short and 103's cannot be read: they sort by their RSS (4 MiB, 1.17 MiB).
    expect(pidsOf(doc)).toEqual([105, 1, 103, 100, 102, 2, 101, 106, 107, 108]);
  });

  test('host from the fixture files', () => {
    expect(doc.host).toEqual({
      name: os.hostname(),
      kernel: os.release(),
      cpuCount: 4,
      memTotalBytes: 8 * GiB,
      memAvailableBytes: 6 * GiB,
      uptimeSec: 12345.67,
    });
  });

  test('processes: identities, memory, unknowns as null', () => {
    const by = new Map(doc.processes.map((p) => [p.pid, p]));
    expect(by.get(1)).toMatchObject({
      ppid: 0, name: 'init', cmdline: '/sbin/init splash', state: 'S', threads: 1, user: 'root',
      startTime: 1_700_000_000_000 + (5 / 100) * 1000, ussBytes: 2 * MiB, pssBytes: 2 * MiB, rssBytes: 4 * MiB,
      swapBytes: 128 * KiB, system: false, sessionIds: ['pod'],
    });
    expect(by.get(100)).toMatchObject({ name: '(a) b)', cmdline: './a b --flag=(x)', threads: 3, ussBytes: 1 * MiB });
    expect(by.get(2)).toMatchObject({ name: 'kthreadd', cmdline: null, ussBytes: null, pssBytes: null, rssBytes: null, kernelThread: true });
    expect(by.get(101)).toMatchObject({ state: 'Z', cmdline: null, ussBytes: null, rssBytes: null });
    expect(by.get(102)).toMatchObject({ ussBytes: 140 * KiB, pssBytes: 190 * KiB, rssBytes: 340 * KiB, swapBytes: 8 * KiB, memorySource: 'smaps' });
    expect(by.get(103)).toMatchObject({ ussBytes: null, pssBytes: null, memorySource: null });
    expect(by.get(103)!.rssBytes).toBeGreaterThan(0); // statm
    for (const pid of [106, 107, 108]) {
      expect(by.get(pid)).toMatchObject({ ussBytes: null, pssBytes: null, rssBytes: null, swapBytes: null });
    }
  });

  test('cgroup v2 and the pod session', () => {
    expect(doc.cgroup).toEqual({
      version: 2,
      path: '/session.slice/pod.scope',
      memory: {
        currentBytes: GiB, limitBytes: null, highBytes: 3 * GiB, workingSetBytes: 768 * MiB, anonBytes: 512 * MiB,
        fileBytes: 384 * MiB, shmemBytes: 16 * MiB, thresholdPercent: 80, oomKills: 1,
      },
      cpu: { quotaCores: 0.5, usagePercent: null },
    });
    expect(doc.sessions).toHaveLength(1);
    expect(doc.sessions[0]).toMatchObject({ id: 'pod', kind: 'pod', agent: null, ussBytes: 2 * MiB + 1 * MiB + 140 * KiB });
    expect(doc.sessions[0].pids).toEqual([1, 2, 100, 101, 102, 103, 105, 106, 107, 108]);
  });

  test('two samples of unchanging files: rates are 0, not null', async () => {
    const d = oneDocument(await runCli(['--json', '--interval', '0.1', ...fixtureArgs('v2')]));
    expect(d.intervalMs).toBeGreaterThan(0);
    const init = d.processes.find((p) => p.pid === 1)!;
    expect([init.cpuPercent, init.readBytesPerSec, init.writeBytesPerSec]).toEqual([0, 0, 0]);
  });
});

describe('--json with each cgroup fixture', () => {
  test.each([
    ['v1', 1, '/kubepods/pod1/ctr', 512 * MiB, 2 * GiB, 1.5],
    ['v1-unlimited', 1, '/docker/abc123', 1234567, null, null],
    ['hybrid', 1, '/process_api/abc', 256 * MiB, 1 * GiB, null],
    ['v2-subtree', 2, '/kubepods/pod1/ctr', 100 * MiB, 768 * MiB, 2],
  ] as const)('%s', async (name, version, cgPath, current, limit, quota) => {
    const d = oneDocument(await runCli(['--json', '--interval', '0', ...fixtureArgs(name)]));
    expect(d.cgroup.version).toBe(version);
    expect(d.cgroup.path).toBe(cgPath);
    expect(d.cgroup.memory.currentBytes).toBe(current);
    expect(d.cgroup.memory.limitBytes).toBe(limit);
    expect(d.cgroup.cpu.quotaCores).toBe(quota);
    expect(d.processes).toEqual([]);
  });

  test('no cgroup: the object is there, version and every field null', async () => {
    const d = oneDocument(await runCli(['--json', '--interval', '0', ...fixtureArgs('none')]));
    expect(d.cgroup).toEqual({
      version: null,
      path: null,
      memory: {
        currentBytes: null, limitBytes: null, highBytes: null, workingSetBytes: null, anonBytes: null, fileBytes: null,
        shmemBytes: null, thresholdPercent: 80, oomKills: null,
      },
      cpu: { quotaCores: null, usagePercent: null },
    });
  });
});

describe('--once table on fixtures', () => {
  const headerLine = (out: string) => out.split('\n').find((l) => /^\s*PID\s/.test(l))!;

  test('column headers, pod memory against host memory, threshold, quota', async () => {
    const r = await runCli(['--once', '--interval', '0', ...fixtureArgs('v2')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(headerLine(r.stdout).trim().split(/\s+/)).toEqual(['PID', 'Name', 'Cmdline', 'CPU%', 'USS', 'PSS', 'RSS', 'Growth', 'Read', 'Write']);
    expect(r.stdout).toContain('Pod memory: 1.00 GiB / 8.00 GiB (host; no cgroup limit)  (12.5%)  threshold 80%');
    expect(r.stdout).toContain('quota 0.5 cores');
    expect(r.stdout).toContain('cgroup v2 /session.slice/pod.scope');
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
    // Rows: kernel thread in brackets, zombie marked, unknown shown as "-".
    const row = (pid: number) => r.stdout.split('\n').find((l) => l.trimStart().startsWith(`${pid} `))!;
    expect(row(2)).toMatch(/\[kthreadd\]\s+\(kernel thread\)\s+-\s+-\s+-\s+-/);
    expect(row(101)).toContain('(zombie)');
    expect(row(1)).toMatch(/init\s+\/sbin\/init splash\s+-\s+2\.00 MiB\s+2\.00 MiB\s+4\.00 MiB/);
    expect(row(100)).toContain('(a) b)');
  });

  test('a cgroup limit and the threshold from HYPERPLANE_..., marked when above it', async () => {
    const r = await runCli(['--once', '--interval', '0', ...fixtureArgs('v1')], { [HYPER]: '20' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Pod memory: 512 MiB / 2.00 GiB  (25.0%)  threshold 20%  ABOVE THRESHOLD  OOM kills 3');
    expect(r.stdout).toContain('quota 1.5 cores');
    const calm = await runCli(['--once', '--interval', '0', ...fixtureArgs('v1')]);
    expect(calm.stdout).toContain('(25.0%)  threshold 80%  OOM kills 3');
  });

  test('narrow terminals are not a thing for pipes: 120 columns', async () => {
    const r = await runCli(['--once', '--interval', '0', ...fixtureArgs('v2')], { COLUMNS: '40' });
    expect(headerLine(r.stdout).length).toBe(120);
  });
});

describe('--sort, --reverse, --filter, --limit', () => {
  const json = async (...args: string[]) => oneDocument(await runCli(['--json', '--interval', '0', ...fixtureArgs('v2'), ...args]));

  test('--sort picks the column, in its natural direction; --reverse flips it; unknown stays last', async () => {
    expect(pidsOf(await json('--sort', 'pid'))).toEqual([1, 2, 100, 101, 102, 103, 105, 106, 107, 108]);
    expect(pidsOf(await json('--sort', 'pid', '--reverse'))).toEqual([108, 107, 106, 105, 103, 102, 101, 100, 2, 1]);
    expect(pidsOf(await json('--sort', 'uss', '--reverse'))).toEqual([102, 100, 103, 1, 105, 2, 101, 106, 107, 108]);
    expect(pidsOf(await json('--sort', 'name')).slice(0, 4)).toEqual([100, 101, 107, 106]); // "(a) b)", defunct, empty, garbage
  });

  test('--filter matches name or cmdline, case-insensitively', async () => {
    expect(pidsOf(await json('--filter', 'SBIN'))).toEqual([1]);
    expect(pidsOf(await json('--filter', '(A) B)'))).toEqual([100]);
    expect(pidsOf(await json('--filter', 'nothing-like-this'))).toEqual([]);
  });

  test('--filter on the live /proc does not find spmon itself by the filter text in its own command line', async () => {
    const tag = `nothing-but-spmon-${process.pid}-${Date.now()}`;
    const d = oneDocument(await runCli(['--json', '--interval', '0', '--filter', tag]));
    expect(d.processes).toEqual([]); // was spmon's own row: its argv holds the tag
  });

  test('--limit keeps the first n after sorting and filtering; sessions still count everything', async () => {
    const d = await json('--limit', '2');
    expect(pidsOf(d)).toEqual([105, 1]);
    expect(d.sessions[0].pids).toHaveLength(10);
    expect(pidsOf(await json('-n', '1', '--sort', 'pid', '-r'))).toEqual([108]);
  });

  test('--sort cpu on live processes: a spinner before an idle process, and after it with --reverse', async () => {
    const pe = privateEnv();
    const kids = new Children(pe.env);
    try {
      const tag = `spmonsort${process.pid}`;
      const busy = kids.spawn('bash', ['-c', `exec -a ${tag}-busy node -e 'console.log("go"); for(;;){}'`]);
      const idle = kids.spawn('bash', ['-c', `exec -a ${tag}-idle node -e 'console.log("go"); setInterval(()=>{}, 1e6)'`]);
      await Promise.all([waitForLine(busy, /go/), waitForLine(idle, /go/)]);
      // The filter goes in the environment: on the command line it would match spmon's own cmdline.
      const order = async (...extra: string[]) => {
        const d = oneDocument(await runCli(['--json', '--interval', '0.5', '--sort', 'cpu', ...extra], { SPMON_FILTER: tag }));
        return d.processes.map((p) => p.pid);
      };
      expect(await order()).toEqual([busy.pid, idle.pid]);
      expect(await order('--reverse')).toEqual([idle.pid, busy.pid]);
    } finally {
      await kids.killAll();
      pe.dispose();
    }
  });
});

describe('configuration through the CLI', () => {
  let pe: PrivateEnv;
  beforeEach(() => {
    pe = privateEnv();
  });
  afterEach(() => pe.dispose());

  const writeConfig = (dir: string, obj: unknown) => {
    fs.mkdirSync(path.join(dir, 'spmon'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'spmon', 'config.json'), typeof obj === 'string' ? obj : JSON.stringify(obj));
  };
  const count = async (env: NodeJS.ProcessEnv, ...args: string[]) =>
    oneDocument(await runCli(['--json', '--interval', '0', ...fixtureArgs('v2'), ...args], { HOME: pe.home, ...env })).processes.length;

  test('config file < SPMON_* < flag', async () => {
    writeConfig(path.join(pe.home, '.config'), { limit: 2, interval: 5 });
    expect(await count({})).toBe(2);
    expect(await count({ SPMON_LIMIT: '3' })).toBe(3);
    expect(await count({ SPMON_LIMIT: '3' }, '--limit', '1')).toBe(1);
  });

  test('$XDG_CONFIG_HOME wins over ~/.config', async () => {
    writeConfig(path.join(pe.home, '.config'), { limit: 2 });
    const xdg = path.join(pe.home, 'xdg');
    writeConfig(xdg, { limit: 4 });
    expect(await count({ XDG_CONFIG_HOME: xdg })).toBe(4);
  });

  test('a threshold in the config file reaches the JSON', async () => {
    writeConfig(path.join(pe.home, '.config'), { threshold: 55 });
    const d = oneDocument(await runCli(['--json', '--interval', '0', ...fixtureArgs('v2')], { HOME: pe.home }));
    expect(d.cgroup.memory.thresholdPercent).toBe(55);
    const h = oneDocument(await runCli(['--json', '--interval', '0', ...fixtureArgs('v2')], { HOME: pe.home, [HYPER]: '66' }));
    expect(h.cgroup.memory.thresholdPercent).toBe(66);
  });

  test('a broken config file: exit 2, the file named, nothing on stdout', async () => {
    writeConfig(path.join(pe.home, '.config'), '{"limit": ');
    const r = await runCli(['--json', ...fixtureArgs('v2')], { HOME: pe.home });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(path.join(pe.home, '.config', 'spmon', 'config.json'));
    expect(r.stderr).toContain('not valid JSON');
  });
});

describe('--json with real sessions', () => {
  test('pod, tmux and agent sessions in one document that validates', async () => {
    const pe = privateEnv();
    const kids = new Children(pe.env);
    const tmux = (...args: string[]) => execFileSync('tmux', args, { env: pe.env, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    try {
      // An agent log in the private HOME, held open by a process whose argv[0] is "claude".
      fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'agents', 'claude'), path.join(pe.home, '.claude'), { recursive: true });
      const sid = '11111111-1111-4111-8111-111111111111';
      const log = path.join(pe.home, '.claude', 'projects', '-home-user-proj', `${sid}.jsonl`);
      const agent = kids.spawn('bash', ['-c', 'exec -a claude "$0" -c "$1" "$2"', python3(), 'import sys, time\nf = open(sys.argv[1])\nprint("ready", flush=True)\ntime.sleep(600)', log]);
      await waitForLine(agent, /^ready$/);
      // A tmux server on the private TMUX_TMPDIR, one session running sleep.
      tmux('new-session', '-d', '-s', 'work', 'sleep 600');
      const panePid = Number(tmux('list-panes', '-a', '-F', '#{pane_pid}').trim());

      const d = oneDocument(await runCli(['--json', '--interval', '0.2'], { HOME: pe.home, TMUX_TMPDIR: pe.env.TMUX_TMPDIR }));
      const byKind = (k: string) => d.sessions.filter((x) => x.kind === k);
      expect(byKind('pod')).toHaveLength(1);
      expect(byKind('tmux')).toHaveLength(1);
      expect(byKind('tmux')[0].pids).toContain(panePid);
      const agents = byKind('agent');
      expect(agents).toHaveLength(1);
      expect(agents[0].id).toBe(`agent:claude:${sid}`);
      expect(agents[0].pids).toContain(agent.pid);
      expect(agents[0].agent).toMatchObject({ tool: 'claude', sessionId: sid, logPath: log, evidence: 'open-log' });
      const proc = d.processes.find((p) => p.pid === agent.pid)!;
      expect(proc.sessionIds).toEqual(expect.arrayContaining(['pod', `agent:claude:${sid}`]));
    } finally {
      try {
        tmux('kill-server'); // only the server on our private socket
      } catch {
        /* not started */
      }
      await kids.killAll();
      pe.dispose();
    }
  });
});

describe('usage', () => {
  test('--help lists the options and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const opt of ['--once', '--json', '--interval', '--sort', '--reverse', '--filter', '--limit', '--threshold', 'SPMON_'])
      expect(r.stdout).toContain(opt);
    // Wrapped for 80 columns (but for a single word longer than that), and no sentence broken by a hard
    // line break: commander wraps the descriptions, which hold none.
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.length > 80 && /\S\s+\S/.test(l))).toEqual([]);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { COMMANDS } = require('../lib/commands') as typeof import('../lib/commands');
    const texts = COMMANDS.flatMap((c) => [c.description, ...c.options.map((o) => o.description)]);
    expect(texts.length).toBeGreaterThan(COMMANDS.length);
    expect(texts.filter((t) => /\n/.test(t))).toEqual([]);
  });

  test('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  test.each([
    [['--once', '--sort', 'bogus'], /--sort must be one of pid, name, cmdline, cpu, uss, pss, rss, growth, read, write/],
    [['--once', '--interval', 'soon'], /--interval must be a number of seconds/],
    [['--json', '--limit', '0'], /--limit must be a whole number of at least 1/],
    [['--once', '--no-such-flag'], /unknown option '--no-such-flag'/],
  ])('%j exits 2 with a message on stderr', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  test('without a terminal and without --once: a hint, exit 1', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--once');
  });
});

describe('live /proc', () => {
  test('--json: one document that validates, with this very process and the pod session', async () => {
    const d = oneDocument(await runCli(['--json', '--interval', '0.3']));
    expect(d.intervalMs).toBeGreaterThan(0);
    expect(d.processes.length).toBeGreaterThan(3);
    expect(d.processes.some((p) => p.pid === process.pid)).toBe(true);
    expect(d.sessions.map((s) => s.id)).toEqual(['pod']);
    expect(d.host.cpuCount).toBe(os.cpus().length);
    // Rates exist for processes seen twice.
    expect(d.processes.filter((p) => p.cpuPercent !== null).length).toBeGreaterThan(0);
  });

  test('--once: the table for the real machine, no raw control characters', async () => {
    const r = await runCli(['--once', '--interval', '0.2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Pod memory: .* threshold 80%/m);
    expect(r.stdout).toMatch(/^\s+PID Name\s+Cmdline\s+CPU%\s+USS\s+PSS\s+RSS\s+Growth\s+Read\s+Write$/m);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
  });

  test('a snapshot waits the interval between its two samples', async () => {
    // Not a timing assertion on the machine: the interval it reports is the one it slept.
    const d = oneDocument(await runCli(['--json', '--interval', '0.5', '--limit', '1']));
    expect(d.intervalMs).toBeGreaterThanOrEqual(490);
  });
});

describe('what could not be read is an error, not an empty answer', () => {
  test.each([['--once'], ['--json']])('%s with a /proc that does not exist: a message, exit 1, nothing on stdout', async (flag) => {
    const r = await runCli([flag, '--interval', '0'], { SPMON_PROC_ROOT: '/nonexistent' });
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('spmon: cannot list the processes in /nonexistent: no such file or directory (ENOENT)\n');
    expect(r.code).toBe(1);
  });

  test('an empty but readable process root is an answer (no processes), exit 0', async () => {
    const f = cgroupFixture('v1');
    expect(fs.readdirSync(f.procRoot).filter((n) => /^\d+$/.test(n))).toEqual([]);
    const d = oneDocument(await runCli(['--json', '--interval', '0', ...fixtureArgs('v1')]));
    expect(d.processes).toEqual([]);
  });

  test('an fd limit too low (ulimit -n from where Node starts up): a one-line message and exit 1, or the whole answer; never a partial one', () => {
    // How many descriptors Node itself and the streams take depends on the machine and on how the streams
    // are connected, so every limit from where Node can start up to a comfortable one is tried; below a
    // first answer each run must fail in one line (its start, or the read of the processes); from it on, each
    // must answer in full.
    const pe = privateEnv();
    try {
      const outcomes: string[] = [];
      let answered = false;
      let messages = 0;
      for (let n = 16; n <= 40; n++) {
        const r = spawnSync('bash', ['-c', `ulimit -n ${n} && exec "$0" "$1" --json --interval 0`, process.execPath, path.join(ROOT, 'bin/spmon')], {
          env: pe.env, encoding: 'utf8', timeout: 60_000,
        });
        // Node itself did not get as far as spmon's code (it crashes in its own start, or cannot read bin/spmon).
        if (!answered && messages === 0 && (r.signal !== null || /EMFILE: too many open files, open '[^']*bin\/spmon'/.test(r.stderr))) {
          outcomes.push(`${n}: node`);
          continue;
        }
        if (r.status === 0) {
          const d = JSON.parse(r.stdout) as { processes: { pid: number; ussBytes: number | null }[] };
          expect(r.stderr).toBe('');
          // Whole: this process's own child is in it, read, and about as many processes as /proc lists now.
          expect(d.processes.find((p) => p.pid === r.pid)?.ussBytes).toEqual(expect.any(Number));
          const listed = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
          expect(Math.abs(d.processes.length - listed)).toBeLessThan(Math.max(10, listed * 0.1));
          answered = true;
          outcomes.push(`${n}: answer`);
          continue;
        }
        expect([n, answered]).toEqual([n, false]);
        expect([n, r.stdout]).toEqual([n, '']);
        expect(r.stderr).toMatch(/^spmon: (\d+ process(es)? could not be read: no file descriptor left|no file descriptor left to start) \(the limit, ulimit -n, is too low\)\n$/);
        expect(r.status).toBe(1);
        messages++;
        outcomes.push(`${n}: ${r.stderr.trim()}`);
      }
      expect({ answered, messages, outcomes }).toEqual({ answered: true, messages: expect.any(Number), outcomes: expect.any(Array) });
      expect(messages).toBeGreaterThan(0);
      // Between a start that has no fd left and a whole answer, the read of the processes itself fails for some limit.
      expect(outcomes.some((o) => /could not be read: no file descriptor left/.test(o))).toBe(true);
    } finally {
      pe.dispose();
    }
  });

  test('a full disk (`--once > /dev/full`): one line on stderr, no stack trace, exit 1', () => {
    const pe = privateEnv();
    try {
      const r = spawnSync('sh', ['-c', '"$0" "$1" --once --interval 0 > /dev/full', process.execPath, path.join(ROOT, 'bin/spmon')], {
        env: pe.env, encoding: 'utf8', timeout: 60_000,
      });
      expect(r.stderr).toBe('spmon: cannot write the output: no space left on device (ENOSPC)\n');
      expect(r.status).toBe(1);
    } finally {
      pe.dispose();
    }
  });
});

describe('a reader that stops early', () => {
  test('`spmon --once --json | head -c 1` ends quietly: no EPIPE stack trace', async () => {
    // Two children with 60 KB command lines make the document far larger than a pipe holds.
    const pe = privateEnv();
    const kids = new Children(pe.env);
    try {
      for (let i = 0; i < 2; i++) {
        const c = kids.spawn(python3(), ['-c', 'import sys; print("ready", flush=True); sys.stdin.readline()', 'x'.repeat(60_000)]);
        await waitForLine(c, /^ready$/);
      }
      const cmd = `"${process.execPath}" "${path.join(ROOT, 'bin/spmon')}" --once --json --interval 0 | head -c 1 >/dev/null`;
      const r = spawnSync('sh', ['-c', cmd], { env: pe.env, encoding: 'utf8', timeout: 60_000 });
      expect(r.stderr).toBe(''); // spmon's stderr: was "Error: write EPIPE" and a stack
      expect(r.status).toBe(0);
    } finally {
      await kids.killAll();
      pe.dispose();
    }
  });
});
