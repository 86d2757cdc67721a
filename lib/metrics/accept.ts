// Which exposition format a scraper asked for, from its Accept header: OpenMetrics 1.0 when it prefers it
// (Prometheus sends `application/openmetrics-text;version=1.0.0,...,text/plain;version=0.0.4;q=0.5,...`),
// else the text format 0.0.4, which every scraper reads. Pure.
import type { MetricsFormat } from './render';

interface Range {
  type: string;
  params: Map<string, string>;
  q: number;
}

function parseAccept(header: string): Range[] {
  const out: Range[] = [];
  for (const part of header.split(',')) {
    const [type, ...rest] = part.split(';').map((s) => s.trim());
    if (!type) continue;
    const params = new Map<string, string>();
    let q = 1;
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const k = p.slice(0, eq).trim().toLowerCase();
      const v = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (k === 'q') q = Number.isFinite(Number(v)) ? Math.min(1, Math.max(0, Number(v))) : 0;
      else params.set(k, v);
    }
    out.push({ type: type.toLowerCase(), params, q });
  }
  return out;
}

/** The format to answer an Accept header with. */
export function negotiateFormat(accept: string | undefined): MetricsFormat {
  if (!accept) return 'prometheus';
  let om = 0;
  let text = 0;
  for (const r of parseAccept(accept)) {
    const version = r.params.get('version');
    if (r.type === 'application/openmetrics-text' && (version === undefined || version === '1.0.0')) om = Math.max(om, r.q);
    else if (r.type === 'text/plain' && (version === undefined || version === '0.0.4')) text = Math.max(text, r.q);
    else if (r.type === '*/*' || r.type === 'text/*') text = Math.max(text, r.q);
  }
  return om > 0 && om >= text ? 'openmetrics' : 'prometheus';
}
