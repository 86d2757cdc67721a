// Families as text, through prom-client (the Prometheus organisation's Node client): the text format
// 0.0.4 or OpenMetrics 1.0. prom-client is loaded on first use, so only a process that serves or prints
// metrics pays for it, and only the parts that write the text.
//
// Each rendering fills a registry of its own format with metric objects of its own. One registry shared
// by both formats renames counters after the first OpenMetrics rendering (prom-client strips `_total` from
// the registered name in place: client_js #829), and a reused label-less metric shows 0 after a reset
// where spmon knows nothing (unknown is not zero). Fresh objects for a few dozen families cost little.
import type { Family } from './families';

export type MetricsFormat = 'prometheus' | 'openmetrics';

export const CONTENT_TYPES: Readonly<Record<MetricsFormat, string>> = {
  prometheus: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

type PromClient = typeof import('prom-client');
/*
 * The three classes this file uses, from their own modules of prom-client (it has no `exports` map, so they
 * are its public paths too). Its index also loads its Pushgateway, default metrics and cluster aggregator,
 * which pull in Node's https, tls, crypto, zlib, cluster, dns, perf_hooks and v8: +8 MB of RSS in a bare
 * node, ~2.5 MB of a scraped daemon (docs/performance.md, fifth round). test/metrics_server.test.ts keeps
 * these the classes the index exports.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const promClient = (): Pick<PromClient, 'Registry' | 'Gauge' | 'Counter'> => ({
  Registry: require('prom-client/lib/registry') as PromClient['Registry'],
  Gauge: require('prom-client/lib/gauge') as PromClient['Gauge'],
  Counter: require('prom-client/lib/counter') as PromClient['Counter'],
});
/* eslint-enable @typescript-eslint/no-require-imports */

/** The families with samples, in order, in `format` (OpenMetrics ends with `# EOF`). */
export async function renderFamilies(families: readonly Family[], format: MetricsFormat): Promise<string> {
  const { Registry, Gauge, Counter } = promClient();
  const contentType = format === 'openmetrics' ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE;
  const registry = new Registry<import('prom-client').RegistryContentType>();
  registry.setContentType(contentType);
  for (const f of families) {
    // A family with no sample is left out: no value known, so no series (and no HELP of nothing).
    if (f.samples.length === 0) continue;
    const config = { name: f.name, help: f.help, labelNames: f.labelNames.slice(), registers: [registry] };
    if (f.type === 'counter') {
      const c = new Counter(config);
      for (const s of f.samples) c.inc(s.labels, s.value);
    } else {
      const g = new Gauge(config);
      for (const s of f.samples) g.set(s.labels, s.value);
    }
  }
  const text = await registry.metrics();
  // prom-client ends an empty OpenMetrics exposition with "\n# EOF": the spec wants "# EOF\n" alone.
  return format === 'openmetrics' && text.startsWith('\n') ? text.slice(1) : text;
}
