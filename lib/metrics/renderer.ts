// The metrics of the last frame, rendered once per frame and format: every scrape of the same frame, and
// concurrent scrapes, share one rendering (and one gzip of it). Nothing here reads /proc: the engine's
// frame is the only input, so a scrape costs a rendering, not a tick.
import type * as zlib from 'zlib';
import { promisify } from 'util';
import type { Frame } from '../engine/frame';
import { COUNTER_FIELDS, collectFamilies, DEFAULT_SESSION_LIMIT, Family, MAX_TOP_N, RunMetric } from './families';
import { MetricsFormat, renderFamilies } from './render';
import { SessionCounters } from './session_counters';

// zlib at the first scrape that asks for gzip (Prometheus does; curl and the bench do not).
let gzipFn: ((b: Buffer) => Promise<Buffer>) | null = null;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const gzip = (b: Buffer): Promise<Buffer> => (gzipFn ??= promisify((require('zlib') as typeof zlib).gzip))(b);

export interface RendererOptions {
  topN?: number;
  sessionLimit?: number;
  version: string;
  /** The daemon's supervised sessions, asked once per frame. */
  runs?: () => readonly RunMetric[];
}

interface Rendering {
  frame: Frame;
  families: Family[];
  text: Map<MetricsFormat, Promise<Buffer>>;
  gzipped: Map<MetricsFormat, Promise<Buffer>>;
}

export class MetricsRenderer {
  private readonly counters = new SessionCounters(COUNTER_FIELDS);
  private last: Rendering | null = null;
  readonly topN: number;
  readonly sessionLimit: number;
  /** Frames rendered (families collected) since the start: scrapes of one frame add none. */
  renderings = 0;

  constructor(private readonly opts: RendererOptions) {
    this.topN = Math.min(MAX_TOP_N, Math.max(0, Math.floor(opts.topN ?? 0)));
    this.sessionLimit = Math.max(0, Math.floor(opts.sessionLimit ?? DEFAULT_SESSION_LIMIT));
  }

  /** The exposition of `frame` in `format`, gzipped when asked; made once per frame and format. */
  render(frame: Frame, format: MetricsFormat, gzipped = false): Promise<Buffer> {
    const r = this.renderingOf(frame);
    let text = r.text.get(format);
    if (!text) r.text.set(format, (text = renderFamilies(r.families, format).then((s) => Buffer.from(s, 'utf8'))));
    if (!gzipped) return text;
    let z = r.gzipped.get(format);
    if (!z) r.gzipped.set(format, (z = text.then((b) => gzip(b))));
    return z;
  }

  /** The families of a frame: collected (and the session counters advanced) once per frame. */
  private renderingOf(frame: Frame): Rendering {
    if (this.last && this.last.frame === frame) return this.last;
    const families = collectFamilies(frame, { topN: this.topN, sessionLimit: this.sessionLimit, version: this.opts.version, runs: this.opts.runs?.() }, this.counters);
    this.renderings++;
    this.last = { frame, families, text: new Map(), gzipped: new Map() };
    return this.last;
  }
}
