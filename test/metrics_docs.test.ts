// The monitoring files in docs/monitoring: the alert rules pass `promtool check rules` and their tests
// (`promtool test rules`); the Grafana dashboard is an importable dashboard with the panels the README
// names; the Kubernetes example is spmon as a sidecar with a shared process namespace; and every metric
// name they use is one spmon exposes, every SPMON_* variable one it reads.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { SETTINGS } from '../lib/config';
import { FAMILIES } from '../lib/metrics/families';
import { alertExprs, dashboardExprs, MONITORING_DOCS as DOCS } from './helpers/monitoring_docs';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const YAML = require('yaml') as typeof import('yaml');

/** Metric names as a scraper stores them (a counter's samples carry _total in both formats). */
const EXPOSED = new Set(FAMILIES.map((f) => f.name));

function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\bspmon_[a-z_]+\b/g)].map((m) => m[0]);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('alert rules', () => {
  test('promtool check rules', () => {
    const r = spawnSync('promtool', ['check', 'rules', 'alerts.yml'], { cwd: DOCS, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/SUCCESS: 4 rules found/);
    expect(r.status).toBe(0);
  });

  test('promtool test rules: pod memory above the threshold (not without a limit), OOM kills, an agent above 90 %, a stale frame', () => {
    const r = spawnSync('promtool', ['test', 'rules', 'alerts_test.yml'], { cwd: DOCS, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });

  test('the rules use only metrics spmon exposes', () => {
    for (const expr of alertExprs()) for (const name of metricNames(expr)) expect(EXPOSED).toContain(name);
  });
});

describe('Grafana dashboard', () => {
  const d = JSON.parse(fs.readFileSync(path.join(DOCS, 'grafana_dashboard.json'), 'utf8'));

  test('importable: a Prometheus data source input, a uid, panels with unique ids, positions and queries', () => {
    expect(d.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    expect(typeof d.uid).toBe('string');
    expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
    const ids = d.panels.map((p: Json) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of d.panels) {
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      expect(p.gridPos).toEqual(expect.objectContaining({ x: expect.any(Number), y: expect.any(Number), w: expect.any(Number), h: expect.any(Number) }));
      expect(p.targets.length).toBeGreaterThan(0);
      for (const t of p.targets) expect(t.expr).toMatch(/spmon_/);
    }
  });

  test('the panels the README names, using only metrics spmon exposes; no sum across session kinds', () => {
    const titles = d.panels.map((p: Json) => p.title);
    expect(titles).toEqual(expect.arrayContaining(['Sessions by PSS', 'Pod memory against limit and threshold', 'OOM kills', 'Agent context fill']));
    for (const expr of dashboardExprs()) {
      for (const name of metricNames(expr)) expect(EXPOSED).toContain(name);
      // Sums over sessions keep `kind` (a process is in several kinds at once).
      for (const m of expr.matchAll(/sum by \(([^)]*)\) \(\w*\(?spmon_session_/g)) expect(m[1]).toMatch(/\bkind\b/);
    }
  });
});

describe('Kubernetes example', () => {
  const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(DOCS, 'kubernetes.yaml'), 'utf8')).map((x) => {
    expect(x.errors).toEqual([]);
    return x.toJS() as Json;
  });
  const pod = docs.find((x) => x.kind === 'Pod');
  const spmon = pod.spec.containers.find((c: Json) => c.name === 'spmon');

  test('spmon is a sidecar in a shared process namespace, serving metrics on the port Prometheus is told', () => {
    expect(pod.spec.shareProcessNamespace).toBe(true);
    const args: string[] = spmon.args;
    expect(args[0]).toBe('daemon');
    const address = args[args.indexOf('--metrics') + 1];
    const port = Number(address.split(':').pop());
    expect(spmon.ports).toEqual([{ name: 'metrics', containerPort: port }]);
    expect(pod.metadata.annotations['prometheus.io/port']).toBe(String(port));
    expect(pod.metadata.annotations['prometheus.io/path']).toBe('/metrics');
    const monitor = docs.find((x) => x.kind === 'PodMonitor');
    expect(monitor.spec.podMetricsEndpoints[0].port).toBe('metrics');
    expect(monitor.spec.selector.matchLabels).toEqual(pod.metadata.labels);
  });

  test('its SPMON_* variables are settings spmon reads; the session and the sidecar share /tmp and home', () => {
    const known = new Set<string>(SETTINGS.flatMap((s) => s.env));
    for (const e of spmon.env) if (e.name.startsWith('SPMON_')) expect(known).toContain(e.name);
    const session = pod.spec.containers.find((c: Json) => c.name === 'session');
    for (const mount of ['/tmp', '/home/user']) {
      const vol = (c: Json) => c.volumeMounts.find((m: Json) => m.mountPath === mount)?.name;
      expect(vol(spmon)).toBeDefined();
      expect(vol(spmon)).toBe(vol(session));
    }
  });
});
