// The metrics endpoint over a real engine reading the live /proc: formats by Accept, gzip, one rendering
// per frame for concurrent scrapes, loopback by default, and the exporter-toolkit web config (basic auth
// with bcrypt hashes, TLS, client certificates, headers, changes while running, mistakes refused by name).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveSettings } from '../lib/config';
import { Engine } from '../lib/engine/engine';
import { MetricsServer, parseAddress, startMetricsServer } from '../lib/metrics/server';
import { parseWebConfig, readWebConfig, WebConfigError } from '../lib/metrics/web_config';
import { basicAuth, get, makeCerts, TestCerts } from './helpers/metrics_http';
import { privateEnv, PrivateEnv } from './helpers/private_env';

jest.setTimeout(60_000);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const bcrypt = require('bcryptjs') as typeof import('bcryptjs');

const OM = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

let pe: PrivateEnv;
let engine: Engine;
let dir: string;
let certs: TestCerts;
const servers: MetricsServer[] = [];

beforeAll(() => {
  pe = privateEnv();
  engine = new Engine(resolveSettings({}, pe.env, {}), { env: pe.env });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-metrics-'));
  certs = makeCerts(path.join(dir, 'certs'));
});

afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

afterAll(async () => {
  await engine.close();
  pe.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function serve(opts: Parameters<typeof startMetricsServer>[1] = {}): Promise<MetricsServer> {
  const s = await startMetricsServer(engine, { address: '127.0.0.1:0', ...opts });
  servers.push(s);
  return s;
}

function webConfig(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('serving', () => {
  test('503 before the first frame; then the text format by default and OpenMetrics when asked, both across several frames', async () => {
    const fresh = new Engine(resolveSettings({}, pe.env, {}), { env: pe.env });
    const s = await startMetricsServer(fresh, { address: '127.0.0.1:0' });
    servers.push(s);
    try {
      const asked = Date.now();
      const before = await get(s.url);
      expect(before.status).toBe(503);
      expect(before.headers['retry-after']).toBe('1');
      // Every answer has one Date header (written by spmon, not Node): an HTTP date of the time it answered.
      const date = before.headers['date'] as string;
      expect(date).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/);
      expect(Math.abs(Date.parse(date) - asked)).toBeLessThan(60_000);
      for (let i = 0; i < 3; i++) {
        fresh.tick();
        const text = await get(s.url);
        expect(text.status).toBe(200);
        expect(text.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
        expect(text.body).toMatch(/^spmon_session_processes\{kind="pod",session="pod"\} \d+$/m);
        expect(text.body).toMatch(/^# TYPE spmon_session_cpu_seconds_total counter$/m);
        const om = await get(s.url, { headers: { Accept: OM } });
        expect(om.headers['content-type']).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
        expect(om.body).toMatch(/^# TYPE spmon_session_cpu_seconds counter$/m);
        expect(om.body.endsWith('\n# EOF\n')).toBe(true);
        // The text format asked after OpenMetrics still names the counter in full (client_js #829).
        expect((await get(s.url)).body).toMatch(/^spmon_session_cpu_seconds_total\{kind="pod",session="pod",mode="user"\} /m);
      }
      // The pod's process count is this machine's: spmon read the live /proc.
      const n = Number(/^spmon_session_processes\{kind="pod",session="pod"\} (\d+)$/m.exec((await get(s.url)).body)![1]);
      expect(n).toBe(fresh.frame!.processes.length);
      expect(n).toBeGreaterThan(1);
    } finally {
      await fresh.close();
    }
  });

  test('gzip when asked; HEAD; the landing page; 404 and 405', async () => {
    engine.tick();
    const s = await serve();
    const z = await get(s.url, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(z.headers['content-encoding']).toBe('gzip');
    expect(z.body).toContain('spmon_build_info{');
    const head = await get(s.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(100);
    expect((await get(s.url.replace('/metrics', '/'))).body).toContain('href="metrics"');
    expect((await get(s.url.replace('/metrics', '/other'))).status).toBe(404);
    const post = await get(s.url, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    for (const r of [z, head, post]) expect(r.headers['date']).toMatch(/ GMT$/);
  });

  test('concurrent scrapes of one frame share one rendering; the next frame is rendered once more', async () => {
    engine.tick();
    const s = await serve({ topN: 5 });
    const replies = await Promise.all(Array.from({ length: 12 }, () => get(s.url)));
    expect(new Set(replies.map((r) => r.body)).size).toBe(1);
    expect(s.renderer.renderings).toBe(1);
    expect(replies[0].body.match(/^spmon_process_memory_pss_bytes\{/gm)).toHaveLength(5);
    engine.tick();
    await Promise.all([get(s.url), get(s.url, { headers: { Accept: OM } })]);
    expect(s.renderer.renderings).toBe(2);
  });

  test('no host means loopback, never every interface; a taken port is a clear error', async () => {
    expect(parseAddress(':9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseAddress('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseAddress('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseAddress('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(() => parseAddress('localhost')).toThrow(/host:port/);
    expect(() => parseAddress('127.0.0.1:70000')).toThrow(/0 to 65535/);
    const s = await serve({ address: ':0' });
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    await expect(startMetricsServer(engine, { address: `127.0.0.1:${s.port}` })).rejects.toThrow(`cannot listen on 127.0.0.1:${s.port} for metrics: the address is in use`);
  });
});

test("a plain endpoint, scraped as text and with gzip, loads no https, tls, crypto, perf_hooks or v8 (prom-client's index would), and zlib only for gzip", () => {
  // A fresh node with the built modules: a real engine, the server on a free loopback port, two scrapes; then
  // the Node modules it loaded. The probe works: http and zlib (the gzip scrape) are among them.
  const dist = path.resolve(__dirname, '..', 'dist', 'lib');
  const script = `
    const http = require('http');
    const { resolveSettings } = require(${JSON.stringify(path.join(dist, 'config'))});
    const { Engine } = require(${JSON.stringify(path.join(dist, 'engine', 'engine'))});
    const { startMetricsServer } = require(${JSON.stringify(path.join(dist, 'metrics', 'server'))});
    const get = (url, headers) => new Promise((ok, no) => http.get(url, { headers }, (r) => { let n = 0; r.on('data', (d) => (n += d.length)); r.on('end', () => ok([r.statusCode, n])); }).on('error', no));
    (async () => {
      const engine = new Engine(resolveSettings({}, process.env, {}), { env: process.env });
      engine.tick();
      const s = await startMetricsServer(engine, { address: '127.0.0.1:0' });
      const answers = [await get(s.url, {})];
      const zlibBeforeGzip = process.moduleLoadList.includes('NativeModule zlib');
      answers.push(await get(s.url, { 'Accept-Encoding': 'gzip' }));
      await s.close();
      await engine.close();
      process.stdout.write(JSON.stringify({ answers, zlibBeforeGzip, loaded: process.moduleLoadList }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script], { env: pe.env, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  const out = JSON.parse(r.stdout) as { answers: [number, number][]; zlibBeforeGzip: boolean; loaded: string[] };
  // zlib is loaded by the first gzip scrape, not before.
  expect(out.zlibBeforeGzip).toBe(false);
  expect(out.answers.map((a) => a[0])).toEqual([200, 200]);
  expect(out.answers[0][1]).toBeGreaterThan(out.answers[1][1]); // the gzipped one is smaller
  expect(out.loaded).toEqual(expect.arrayContaining(['NativeModule http', 'NativeModule zlib']));
  expect(out.loaded.filter((m) => /^NativeModule (https|tls|crypto|perf_hooks|v8)$|^Internal Binding (crypto|tls_wrap)$/.test(m))).toEqual([]);
});

test("prom-client's own modules that the renderer loads are the classes its index exports", () => {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const index = require('prom-client') as typeof import('prom-client');
  expect(require('prom-client/lib/registry')).toBe(index.Registry);
  expect(require('prom-client/lib/gauge')).toBe(index.Gauge);
  expect(require('prom-client/lib/counter')).toBe(index.Counter);
  /* eslint-enable @typescript-eslint/no-require-imports */
});

describe('web config', () => {
  const hash = (pw: string) => bcrypt.hashSync(pw, 4);

  test('basic auth: 401 without, with a wrong password or an unknown user; 200 with the right one; $2y$ hashes from htpasswd work', async () => {
    engine.tick();
    // htpasswd -B writes $2y$: the same algorithm as $2b$.
    const y = hash('s3cret').replace(/^\$2b\$/, '$2y$');
    const file = webConfig('auth.yml', `basic_auth_users:\n  prometheus: ${y}\n  other: ${hash('x')}\n`);
    const s = await serve({ webConfigFile: file });
    const none = await get(s.url);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm="spmon"/);
    expect(none.body).not.toContain('spmon_');
    expect((await get(s.url, { headers: { Authorization: basicAuth('prometheus', 'wrong') } })).status).toBe(401);
    expect((await get(s.url, { headers: { Authorization: basicAuth('nobody', 's3cret') } })).status).toBe(401);
    expect((await get(s.url, { headers: { Authorization: 'Bearer s3cret' } })).status).toBe(401);
    const ok = await get(s.url, { headers: { Authorization: basicAuth('prometheus', 's3cret') } });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('spmon_build_info{');
    // The landing page is behind the same door.
    expect((await get(s.url.replace('/metrics', '/'))).status).toBe(401);
  });

  test('a change of the file is read on the next request: a new password works, the old one no longer', async () => {
    engine.tick();
    const file = webConfig('rotate.yml', `basic_auth_users:\n  p: ${hash('one')}\n`);
    const s = await serve({ webConfigFile: file });
    expect((await get(s.url, { headers: { Authorization: basicAuth('p', 'one') } })).status).toBe(200);
    fs.writeFileSync(file, `basic_auth_users:\n  p: ${hash('two')}\n# changed\n`);
    expect((await get(s.url, { headers: { Authorization: basicAuth('p', 'one') } })).status).toBe(401);
    expect((await get(s.url, { headers: { Authorization: basicAuth('p', 'two') } })).status).toBe(200);
    // A broken file serves nothing (500) until it is fixed.
    const logged: string[] = [];
    await servers.pop()!.close();
    const s2 = await serve({ webConfigFile: file, log: (l) => logged.push(l) });
    fs.writeFileSync(file, 'basic_auth_users: [unclosed\n');
    expect((await get(s2.url, { headers: { Authorization: basicAuth('p', 'two') } })).status).toBe(500);
    expect(logged.join('\n')).toMatch(/not valid YAML/);
  });

  test('TLS from cert_file and key_file (relative to the file), with headers; a plain HTTP client gets nothing', async () => {
    engine.tick();
    const file = webConfig(
      'tls.yml',
      [
        'tls_server_config:',
        `  cert_file: ${path.relative(dir, certs.certFile)}`,
        `  key_file: ${path.relative(dir, certs.keyFile)}`,
        '  min_version: TLS12',
        'http_server_config:',
        '  headers:',
        '    X-Content-Type-Options: nosniff',
        '    X-Frame-Options: deny',
        '',
      ].join('\n'),
    );
    const s = await serve({ webConfigFile: file });
    expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
    const r = await get(s.url, { ca: certs.ca });
    expect(r.status).toBe(200);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('deny');
    expect(r.body).toContain('spmon_build_info{');
    await expect(get(s.url.replace('https:', 'http:'))).rejects.toThrow();
    // A client that does not trust the CA refuses the server.
    await expect(get(s.url)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  test('client certificates: RequireAndVerifyClientCert refuses none and a stranger\'s; VerifyClientCertIfGiven lets none in, not a stranger', async () => {
    engine.tick();
    const base = [`tls_server_config:`, `  cert_file: ${certs.certFile}`, `  key_file: ${certs.keyFile}`, `  client_ca_file: ${certs.caFile}`];
    const strict = await serve({ webConfigFile: webConfig('mtls.yml', [...base, '  client_auth_type: RequireAndVerifyClientCert', ''].join('\n')) });
    expect((await get(strict.url, { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey })).status).toBe(200);
    await expect(get(strict.url, { ca: certs.ca })).rejects.toThrow();
    await expect(get(strict.url, { ca: certs.ca, cert: certs.strangerCert, key: certs.strangerKey })).rejects.toThrow();
    const ifGiven = await serve({ webConfigFile: webConfig('mtls2.yml', [...base, '  client_auth_type: VerifyClientCertIfGiven', ''].join('\n')) });
    expect((await get(ifGiven.url, { ca: certs.ca })).status).toBe(200);
    expect((await get(ifGiven.url, { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey })).status).toBe(200);
    await expect(get(ifGiven.url, { ca: certs.ca, cert: certs.strangerCert, key: certs.strangerKey })).rejects.toThrow();
  });

  test('mistakes are refused by name at start, never ignored', async () => {
    const bad: [string, RegExp][] = [
      ['tls_server_config:\n  cert_file: x.crt\n', /key given without|cannot read/],
      [`tls_server_config:\n  cert_file: ${certs.certFile}\n`, /cert given without key_file/],
      [`tls_server_config:\n  cert_file: ${certs.certFile}\n  key_file: ${certs.keyFile}\n  cert: abc\n`, /cert or cert_file, not both/],
      [`tls_server_config:\n  cert_file: ${certs.certFile}\n  key_file: ${certs.keyFile}\n  client_ca_file: ${certs.caFile}\n`, /verifies no client certificate/],
      [`tls_server_config:\n  cert_file: ${certs.certFile}\n  key_file: ${certs.keyFile}\n  client_auth_type: RequireAndVerifyClientCert\n`, /needs client_ca_file/],
      [`tls_server_config:\n  cert_file: ${certs.certFile}\n  key_file: ${certs.keyFile}\n  client_allowed_sans: [a]\n`, /client_allowed_sans is not supported/],
      [`tls_server_config:\n  cert_file: ${certs.certFile}\n  key_file: ${certs.keyFile}\n  min_version: TLS9\n`, /min_version must be one of TLS10, TLS11, TLS12, TLS13/],
      ['tls_server_config:\n  client_auth_type: RequireAnyClientCert\n', /given without a certificate/],
      ['basic_auth_users:\n  p: plaintext\n', /basic_auth_users\.p: not a bcrypt hash/],
      ['basic_auth_user:\n  p: x\n', /unknown key "basic_auth_user"/],
      ['rate_limit:\n  interval: 1s\n  burst: 2\n', /rate_limit is not supported/],
      ['http_server_config:\n  headers:\n    X-Frame-Options: allow\n', /not an accepted value/],
      ['basic_auth_users:\n  p: a\n  p: b\n', /not valid YAML/],
    ];
    for (const [text, message] of bad) {
      const file = webConfig('bad.yml', text);
      expect(() => readWebConfig(file)).toThrow(message);
      await expect(startMetricsServer(engine, { address: '127.0.0.1:0', webConfigFile: file })).rejects.toThrow(WebConfigError);
    }
    await expect(startMetricsServer(engine, { address: '127.0.0.1:0', webConfigFile: path.join(dir, 'missing.yml') })).rejects.toThrow(/cannot read the web config .*missing\.yml: ENOENT/);
    // An empty file and an empty tls_server_config ask for nothing: plain HTTP, no authentication.
    expect(parseWebConfig('', 'empty.yml')).toMatchObject({ tls: null, users: new Map() });
    expect(parseWebConfig('tls_server_config: {}\nhttp_server_config:\n  http2: true\n', 'x.yml').tls).toBeNull();
  });
});
