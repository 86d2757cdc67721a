// spmon's metrics scraped by a real Prometheus (Debian's package) every second: a tmux session of known
// allocations has the PSS that /proc says, an OOM kill in spmon's own cgroup (a v1 memory cgroup made for
// the test) counts in spmon_cgroup_oom_kills_total, promtool finds the text format clean, OpenMetrics ends
// in # EOF, and TLS, client certificates and basic auth from a web config work with Prometheus's own
// tls_config and basic_auth (and a wrong password is refused). Needs root (cgroups); fails, never skips.
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { makeCgroup, removeCgroups, v1Hierarchy } from './helpers/cgroup_v1';
import { sleep, subtreePids } from './helpers/children';
import { freePort, get, makeCerts, TestCerts } from './helpers/metrics_http';
import { MetricsTarget, startMetricsTarget } from './helpers/metrics_target';
import { privateEnv, PrivateEnv } from './helpers/private_env';
import { alertExprs, dashboardExprs, MONITORING_DOCS } from './helpers/monitoring_docs';
import { Prometheus, startPrometheus } from './helpers/prometheus';

jest.setTimeout(180_000);

const MiB = 1024 * 1024;
const OM = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5';

/** A session member: allocates and touches <MiB>, starts the next one (a fresh python: nothing shared copy-on-write), writes its pid, waits. */
const MEMBER_PY = `
import os, subprocess, sys, signal
label, mib, outdir, rest = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
buf = b'\\x01' * (mib << 20)
child = subprocess.Popen([sys.executable, sys.argv[0], rest[0], rest[1], outdir, *rest[2:]]) if rest else None
tmp = os.path.join(outdir, label + '.tmp')
with open(tmp, 'w') as f:
    f.write(str(os.getpid()))
os.rename(tmp, os.path.join(outdir, label + '.pid'))
while True:
    signal.pause()
`;

let pe: PrivateEnv;
let dir: string;
let certs: TestCerts;
let memDir: string;
let plain: MetricsTarget;
let secure: MetricsTarget;
let prom: Prometheus;
let plainUrl: string;
let tmuxConf: string;
const tmux = (...args: string[]) => execFileSync('tmux', ['-f', tmuxConf, ...args], { env: pe.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Pss of every process in the subtree of `root`, from /proc (the truth spmon is checked against), and their count. */
function subtreePss(root: number): { pss: number; count: number } {
  const pids = subtreePids(root);
  let pss = 0;
  for (const pid of pids) {
    const m = /^Pss:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    pss += Number(m![1]) * 1024;
  }
  return { pss, count: pids.length };
}

async function waitForFile(file: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > end) throw new Error(`no ${file} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('metrics_prometheus.test.ts must run as root: it makes a memory cgroup for the OOM kill');
  pe = privateEnv();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-prom-'));
  certs = makeCerts(path.join(dir, 'certs'));
  tmuxConf = path.join(dir, 'tmux.conf');
  fs.writeFileSync(tmuxConf, 'set -g status off\n');

  // spmon's own cgroup: 512 MiB, so a 1 GiB allocation beside it is OOM-killed.
  const mem = v1Hierarchy('memory');
  memDir = makeCgroup(mem.dir, `spmon-prom-${process.pid}-${Date.now()}`);
  fs.writeFileSync(path.join(memDir, 'memory.limit_in_bytes'), String(512 * MiB));

  // A tmux session of known allocations on the private TMUX_TMPDIR spmon watches.
  const script = path.join(dir, 'member.py');
  fs.writeFileSync(script, MEMBER_PY);
  const out = path.join(dir, 'members');
  fs.mkdirSync(out);
  tmux('new-session', '-d', '-s', 'mem', '-x', '80', '-y', '20', `python3 ${script} a 150 ${out} b 100`);
  await waitForFile(path.join(out, 'b.pid'), 20_000);

  const plainPort = await freePort();
  plainUrl = `http://127.0.0.1:${plainPort}/metrics`;
  plain = await startMetricsTarget({ address: `127.0.0.1:${plainPort}`, options: ['--metrics-top', '3'], env: pe.env, cgroupDirs: [memDir], url: plainUrl });

  // bcryptjs at cost 10, as `htpasswd -nBC 10` makes them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hash = (require('bcryptjs') as typeof import('bcryptjs')).hashSync('s3cret', 10);
  const web = path.join(dir, 'web.yml');
  fs.writeFileSync(
    web,
    [
      'tls_server_config:',
      `  cert_file: ${certs.certFile}`,
      `  key_file: ${certs.keyFile}`,
      `  client_ca_file: ${certs.caFile}`,
      '  client_auth_type: RequireAndVerifyClientCert',
      'basic_auth_users:',
      `  prometheus: ${hash}`,
      '',
    ].join('\n'),
  );
  const securePort = await freePort();
  secure = await startMetricsTarget({ address: `127.0.0.1:${securePort}`, options: ['--web-config', web], env: pe.env, url: `https://127.0.0.1:${securePort}/metrics`, ca: certs.ca });

  const tls = `    scheme: https\n    tls_config:\n      ca_file: ${certs.caFile}\n      cert_file: ${certs.clientCertFile}\n      key_file: ${certs.clientKeyFile}\n`;
  prom = await startPrometheus(
    path.join(dir, 'prometheus'),
    [
      `  - job_name: spmon\n    static_configs:\n      - targets: ['127.0.0.1:${plainPort}']\n`,
      `  - job_name: spmon_secure\n${tls}    basic_auth:\n      username: prometheus\n      password: s3cret\n    static_configs:\n      - targets: ['127.0.0.1:${securePort}']\n`,
      `  - job_name: spmon_wrong_password\n${tls}    basic_auth:\n      username: prometheus\n      password: wrong\n    static_configs:\n      - targets: ['127.0.0.1:${securePort}']\n`,
    ].join(''),
    [path.join(MONITORING_DOCS, 'alerts.yml')],
  );
  // The first scrape comes after service discovery's 5 s wait.
  await prom.waitFor('up{job="spmon"} == 1', (r) => r.length === 1, 60_000);
});

afterAll(async () => {
  await prom?.stop();
  await plain?.stop();
  await secure?.stop();
  if (tmuxConf) spawnSync('tmux', ['-f', tmuxConf, 'kill-server'], { env: pe.env, stdio: 'ignore' });
  await removeCgroups();
  pe?.dispose();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('a tmux session of known allocations: its PSS in Prometheus is within 3 % of what /proc says', async () => {
  const panePid = Number(tmux('list-panes', '-t', 'mem', '-F', '#{pane_pid}').trim());
  const truth = subtreePss(panePid);
  expect(truth.pss).toBeGreaterThan(250 * MiB);
  // Wait until the scraped frame has every member (the tmux listing runs beside the ticks).
  await prom.waitFor(`spmon_session_processes{job="spmon",kind="tmux",session="mem"} == ${truth.count}`, (r) => r.length === 1, 30_000);
  const [pss] = await prom.query('spmon_session_memory_pss_bytes{job="spmon",kind="tmux",session="mem"}');
  const now = subtreePss(panePid);
  expect(Math.abs(pss.value - now.pss) / now.pss).toBeLessThanOrEqual(0.03);
  // The pod holds the session, and kinds overlap: the pod's PSS is at least the session's.
  const [pod] = await prom.query('spmon_session_memory_pss_bytes{job="spmon",kind="pod"}');
  expect(pod.value).toBeGreaterThanOrEqual(pss.value);
  // --metrics-top 3: three processes with pid and comm; the two members are the biggest here or close.
  const top = await prom.query('spmon_process_memory_pss_bytes{job="spmon"}');
  expect(top).toHaveLength(3);
  for (const t of top) expect(t.metric).toEqual(expect.objectContaining({ pid: expect.stringMatching(/^\d+$/), comm: expect.any(String) }));
});

test("an OOM kill in spmon's cgroup increments spmon_cgroup_oom_kills_total, and spmon goes on serving", async () => {
  const before = await prom.waitFor('spmon_cgroup_oom_kills_total{job="spmon"}', (r) => r.length === 1, 20_000);
  const limit = await prom.query('spmon_cgroup_memory_limit_bytes{job="spmon"}');
  expect(limit.map((x) => x.value)).toEqual([512 * MiB]);
  // A child in the same cgroup allocates 1 GiB; its oom_score_adj makes it the one the kernel picks.
  const hog = spawn('bash', ['-c', `echo $$ > "${memDir}/cgroup.procs" && echo 1000 > /proc/self/oom_score_adj && exec python3 -c "b = b'\\x01' * (1024 << 20)"`], { stdio: 'ignore' });
  const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve) => hog.on('exit', (code, signal) => resolve({ code, signal })));
  expect(exit).toEqual({ code: null, signal: 'SIGKILL' });
  await prom.waitFor(`spmon_cgroup_oom_kills_total{job="spmon"} == ${before[0].value + 1}`, (r) => r.length === 1, 20_000);
  await prom.waitFor('up{job="spmon"} == 1', (r) => r.length === 1, 5_000);
  // docs/monitoring/alerts.yml, loaded into this Prometheus, fires on it.
  await prom.waitFor('ALERTS{alertname="SpmonOOMKill",job="spmon",alertstate="firing"}', (r) => r.length === 1, 20_000);
});

test("the Grafana dashboard's queries and the alert rules run on this Prometheus; the panels of sessions and pod memory have data", async () => {
  const live = (expr: string) => expr.replace(/\$instance/g, '.*').replace(/\$__rate_interval/g, '10s');
  for (const expr of [...dashboardExprs(), ...alertExprs()]) await prom.query(live(expr));
  const [sessions, pod] = dashboardExprs();
  expect((await prom.query(live(sessions))).map((r) => r.metric.session)).toContain('mem');
  expect((await prom.query(live(pod))).length).toBeGreaterThan(0);
});

test('promtool check metrics finds the text format clean; OpenMetrics ends in # EOF', async () => {
  const text = await get(plainUrl, { headers: { Accept: 'text/plain;version=0.0.4' } });
  expect(text.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text.body, encoding: 'utf8' });
  expect(check.stdout + check.stderr).toBe('');
  expect(check.status).toBe(0);
  const om = await get(plainUrl, { headers: { Accept: OM } });
  expect(om.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
  expect(om.body.endsWith('\n# EOF\n')).toBe(true);
});

test("TLS with a client certificate and basic auth from a web config: Prometheus's tls_config and basic_auth scrape it; a wrong password does not", async () => {
  await prom.waitFor('up{job="spmon_secure"} == 1', (r) => r.length === 1, 30_000);
  await prom.waitFor('up{job="spmon_wrong_password"} == 0', (r) => r.length === 1, 30_000);
  const [v] = await prom.query('spmon_build_info{job="spmon_secure"}');
  expect(v.value).toBe(1);
  expect(await prom.query('spmon_build_info{job="spmon_wrong_password"}')).toEqual([]);
});
