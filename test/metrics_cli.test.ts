// `spmon --once --format prometheus|openmetrics` as users run it (bin/spmon, a private HOME): one snapshot
// of the live machine as metrics, for node_exporter's textfile collector; promtool finds the text clean.
import { spawnSync } from 'child_process';
import { Children, python3 } from './helpers/children';
import { runCli } from './helpers/cli';
import { privateEnv } from './helpers/private_env';

jest.setTimeout(60_000);

test('--format prometheus: the text format promtool accepts, with the pod, the cgroup and --metrics-top processes', async () => {
  const r = await runCli(['--once', '--format', 'prometheus', '--metrics-top', '5']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^spmon_session_processes\{kind="pod",session="pod"\} \d+$/m);
  expect(r.stdout).toMatch(/^spmon_cgroup_memory_usage_bytes \d+$/m);
  expect(r.stdout.match(/^spmon_process_memory_pss_bytes\{pid="\d+",comm="[^"]*"\} \d+$/gm)).toHaveLength(5);
  expect(r.stdout).not.toContain('# EOF');
  const check = spawnSync('promtool', ['check', 'metrics'], { input: r.stdout, encoding: 'utf8' });
  expect(check.stdout + check.stderr).toBe('');
  expect(check.status).toBe(0);
});

test('--format openmetrics implies --once and ends in # EOF; io counters are read though it takes one sample', async () => {
  const pe = privateEnv();
  const kids = new Children(pe.env);
  try {
    // A child that wrote 4 MiB to storage and waits: its io write_bytes is known and non-zero.
    const child = kids.spawn(python3(), ['-c', "import os,sys\nf=open(sys.argv[1],'wb')\nf.write(b'x'*(4<<20))\nf.flush()\nos.fsync(f.fileno())\nprint('ready',flush=True)\nsys.stdin.read()", `${pe.home}/out.bin`]);
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    const r = await runCli(['--format', 'openmetrics', '--metrics-top', '100']);
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('\n# EOF\n')).toBe(true);
    expect(r.stdout).toMatch(/^# TYPE spmon_session_write_bytes counter$/m);
    const pod = /^spmon_session_write_bytes_total\{kind="pod",session="pod"\} (\d+)$/m.exec(r.stdout);
    expect(Number(pod![1])).toBeGreaterThanOrEqual(4 << 20);
  } finally {
    await kids.killAll();
    pe.dispose();
  }
});

test('bad or conflicting formats are usage errors (exit 2) that say what to do', async () => {
  const bad = await runCli(['--once', '--format', 'xml']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toBe('spmon: --format must be one of table, json, openmetrics, prometheus (got "xml")\n');
  const both = await runCli(['--json', '--format', 'prometheus']);
  expect(both.code).toBe(2);
  expect(both.stderr).toMatch(/--json and --format prometheus ask for two formats/);
  const top = await runCli(['--format', 'prometheus', '--metrics-top', '1000']);
  expect(top.code).toBe(2);
  expect(top.stderr).toMatch(/--metrics-top must be a whole number from 0 to 100/);
});
