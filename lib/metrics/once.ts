// The metrics of one snapshot (`spmon --once --format prometheus|openmetrics`), e.g. for node_exporter's
// textfile collector. With no earlier rendering, each session counter is its members' sum now: it falls
// when a member exits (Prometheus reads that as a reset), so rates over sessions want the endpoint.
import type { Settings } from '../config';
import type { Frame } from '../engine/frame';
import { version } from '../version';
import type { MetricsFormat } from './render';
import { MetricsRenderer } from './renderer';

export async function renderOnce(frame: Frame, settings: Pick<Settings, 'metricsTop' | 'metricsSessionLimit'>, format: MetricsFormat): Promise<string> {
  const renderer = new MetricsRenderer({ topN: settings.metricsTop, sessionLimit: settings.metricsSessionLimit, version: version() });
  return (await renderer.render(frame, format)).toString('utf8');
}
