// The PromQL of docs/monitoring: the Grafana dashboard's queries and the alert rules' expressions.
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './paths';

export const MONITORING_DOCS = path.join(ROOT, 'docs', 'monitoring');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export function dashboardExprs(): string[] {
  const d = JSON.parse(fs.readFileSync(path.join(MONITORING_DOCS, 'grafana_dashboard.json'), 'utf8'));
  return d.panels.flatMap((p: Json) => p.targets.map((t: Json) => t.expr as string));
}

export function alertExprs(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const YAML = require('yaml') as typeof import('yaml');
  const doc = YAML.parse(fs.readFileSync(path.join(MONITORING_DOCS, 'alerts.yml'), 'utf8'));
  return doc.groups.flatMap((g: Json) => g.rules.map((r: Json) => r.expr as string));
}
