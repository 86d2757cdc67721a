// The metrics endpoint: `GET /metrics` over HTTP or HTTPS, answering from the last frame of a source (the
// engine) in the format the scraper asks for, with the exporter-toolkit web config's TLS and basic auth.
// It binds 127.0.0.1 unless told another address. No /proc read happens here: a scrape renders the last
// frame (once per frame and format, shared by every scrape of it).
import * as fs from 'fs';
import * as http from 'http';
import type * as https from 'https';
import type { AddressInfo } from 'net';
import type { TLSSocket } from 'tls';
import type { Frame } from '../engine/frame';
import { httpDate } from '../model/clock';
import { version as spmonVersion } from '../version';
import { negotiateFormat } from './accept';
import { BasicAuth } from './basic_auth';
import type { RunMetric } from './families';
import { CONTENT_TYPES } from './render';
import { MetricsRenderer } from './renderer';
import { readWebConfig, TlsSettings, WebConfig, WebConfigError } from './web_config';

export type { RunMetric } from './families';

/** Where the metrics come from: the engine (its last frame), and the daemon's supervised sessions. */
export interface MetricsSource {
  readonly frame: Frame | null;
  runs?: () => readonly RunMetric[];
}

export interface MetricsServerOptions {
  /** `host:port`, `[v6]:port`, `:port` or `port` (no host: 127.0.0.1); port 0 picks a free one. Default 127.0.0.1:9464. */
  address?: string;
  /** An exporter-toolkit web config file (TLS, basic auth, headers). */
  webConfigFile?: string;
  /** Per-process series for the top N by PSS (0: none; at most 100). */
  topN?: number;
  /** At most this many sessions besides the pod get series. */
  sessionLimit?: number;
  /** Hears of what goes wrong while serving (a bad web config after a change, a failed rendering). */
  log?: (line: string) => void;
}

export interface MetricsServer {
  /** e.g. `http://127.0.0.1:9464/metrics`. */
  url: string;
  port: number;
  renderer: MetricsRenderer;
  close(): Promise<void>;
}

export class MetricsAddressError extends Error {}

export const DEFAULT_METRICS_ADDRESS = '127.0.0.1:9464';

/** Host and port of an address; no host means loopback, never every interface. */
export function parseAddress(address: string): { host: string; port: number } {
  const a = address.trim();
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):(\d+)$/.exec(a) ?? /^()()(\d+)$/.exec(a);
  if (!m) throw new MetricsAddressError(`--metrics ${JSON.stringify(address)}: give host:port, e.g. 127.0.0.1:9464 (or [::1]:9464)`);
  const port = Number(m[3]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new MetricsAddressError(`--metrics ${JSON.stringify(address)}: port must be 0 to 65535`);
  // An empty host would make node listen on every interface: no host is loopback.
  const host = m[1] || m[2] || '127.0.0.1';
  return { host, port };
}

/** The web config, read again when it or a file it names changes (certificates rotate while spmon runs). */
class LiveWebConfig {
  private config: WebConfig;
  private stamp: string;
  auth: BasicAuth;

  constructor(private readonly file: string) {
    this.config = readWebConfig(file);
    this.stamp = this.stampOf(this.config.files);
    this.auth = new BasicAuth(this.config.users);
  }

  get current(): WebConfig {
    return this.config;
  }

  private stampOf(files: readonly string[]): string {
    return files
      .map((f) => {
        try {
          const s = fs.statSync(f);
          return `${s.ino}:${s.size}:${s.mtimeMs}`;
        } catch {
          return 'missing';
        }
      })
      .join('|');
  }

  /** Re-read when changed; the new config, or a WebConfigError (then nothing is served until it is fixed). */
  refresh(onTls: (tls: TlsSettings) => void): WebConfig {
    const stamp = this.stampOf(this.config.files);
    if (stamp === this.stamp) return this.config;
    const next = readWebConfig(this.file);
    if ((next.tls === null) !== (this.config.tls === null)) {
      throw new WebConfigError(`${this.file}: switching between HTTP and HTTPS needs a restart of spmon`);
    }
    if (next.tls) onTls(next.tls);
    this.config = next;
    this.stamp = this.stampOf(next.files);
    this.auth = new BasicAuth(next.users);
    return next;
  }
}

function tlsOptions(t: TlsSettings): https.ServerOptions {
  return {
    cert: t.cert,
    key: t.key,
    ...(t.ca ? { ca: t.ca } : {}),
    minVersion: t.minVersion,
    maxVersion: t.maxVersion,
    honorCipherOrder: t.honorCipherOrder,
    requestCert: t.clientAuth !== 'NoClientCert',
    // Only this one is decided in the handshake by Node; the others are checked on 'secureConnection'.
    rejectUnauthorized: t.clientAuth === 'RequireAndVerifyClientCert',
  };
}

/** Whether a TLS connection meets the client certificate policy (beyond what the handshake enforced). */
function clientCertAllowed(socket: TLSSocket, policy: TlsSettings['clientAuth']): boolean {
  const cert = socket.getPeerCertificate();
  const given = cert !== null && typeof cert === 'object' && Object.keys(cert).length > 0;
  switch (policy) {
    case 'RequireAnyClientCert':
      return given;
    case 'VerifyClientCertIfGiven':
      return !given || socket.authorized;
    case 'RequireAndVerifyClientCert':
      return given && socket.authorized;
    default:
      return true;
  }
}

const LANDING = '<!doctype html><html><head><title>spmon</title></head><body><h1>spmon</h1><p><a href="metrics">Metrics</a></p></body></html>\n';

/** Serve the metrics of `source`'s frames. Resolves once listening; rejects with a clear message when it cannot. */
export async function startMetricsServer(source: MetricsSource, opts: MetricsServerOptions = {}): Promise<MetricsServer> {
  const { host, port } = parseAddress(opts.address ?? DEFAULT_METRICS_ADDRESS);
  const web = opts.webConfigFile ? new LiveWebConfig(opts.webConfigFile) : null;
  const log = opts.log ?? (() => undefined);
  const renderer = new MetricsRenderer({
    topN: opts.topN,
    sessionLimit: opts.sessionLimit,
    version: spmonVersion(),
    runs: source.runs ? () => source.runs!() : undefined,
  });
  const tls = web?.current.tls ?? null;

  let server: http.Server | https.Server;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((err) => {
      log(`metrics: ${(err as Error).message}`);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else res.destroy();
    });
  };

  const send = (res: http.ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}, head = false) => {
    // The Date header from httpDate, not Node's (its toUTCString pages in ICU's time zone data: lib/model/clock.ts).
    res.sendDate = false;
    const headers: Record<string, string> = { Date: httpDate(Date.now()), ...(web?.current.headers ?? {}), 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...extra };
    res.writeHead(status, headers);
    res.end(head ? undefined : body);
  };

  let configBroken: string | null = null;
  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (web) {
      try {
        web.refresh((t) => (server as https.Server).setSecureContext(tlsOptions(t)));
        configBroken = null;
      } catch (err) {
        // Fail closed: a broken config serves nothing (as the exporter toolkit answers 500).
        const msg = (err as Error).message;
        if (configBroken !== msg) log(`metrics: ${msg}`);
        configBroken = msg;
        return send(res, 500, 'text/plain; charset=utf-8', 'web config error (see spmon\'s log)\n');
      }
      if (web.auth.enabled && !(await web.auth.check(req.headers.authorization))) {
        return send(res, 401, 'text/plain; charset=utf-8', 'Unauthorized\n', { 'WWW-Authenticate': 'Basic realm="spmon", charset="UTF-8"' });
      }
    }
    const url = (req.url ?? '/').split('?')[0];
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) return send(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
    if (url === '/') return send(res, 200, 'text/html; charset=utf-8', LANDING, {}, head);
    if (url !== '/metrics') return send(res, 404, 'text/plain; charset=utf-8', 'Not Found\n', {}, head);
    const frame = source.frame;
    if (!frame) return send(res, 503, 'text/plain; charset=utf-8', 'spmon has no frame yet; try again in a moment\n', { 'Retry-After': '1' }, head);
    const format = negotiateFormat(req.headers.accept);
    const gz = /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''));
    const body = await renderer.render(frame, format, gz);
    return send(res, 200, CONTENT_TYPES[format], body, { Vary: 'Accept, Accept-Encoding', ...(gz ? { 'Content-Encoding': 'gzip' } : {}) }, head);
  }

  if (tls) {
    // https (and with it tls and crypto) only when TLS is configured: a plain endpoint does not load them.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const s = (require('https') as typeof https).createServer(tlsOptions(tls), handler);
    s.on('secureConnection', (socket: TLSSocket) => {
      const policy = web!.current.tls?.clientAuth ?? 'NoClientCert';
      if (!clientCertAllowed(socket, policy)) socket.destroy();
    });
    server = s;
  } else {
    server = http.createServer(handler);
  }
  // A scraper needs one connection; these bound what a slow or greedy client can hold.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.maxConnections = 64;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'the address is in use' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EADDRNOTAVAIL' ? 'no such local address' : err.message;
      reject(new MetricsAddressError(`cannot listen on ${host}:${port} for metrics: ${why}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => log(`metrics: ${err.message}`));
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${tls ? 'https' : 'http'}://${shown}:${bound}/metrics`,
    port: bound,
    renderer,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
