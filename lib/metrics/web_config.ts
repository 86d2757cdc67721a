// The Prometheus exporter-toolkit web configuration file (`--web-config FILE`), as node_exporter and
// process-exporter read it: tls_server_config, http_server_config and basic_auth_users. Parsed with the
// `yaml` package, checked strictly: a key spmon does not know or does not implement is an error naming it,
// never silently ignored (an ignored client_allowed_sans would be a hole). Files named in it are read
// relative to the file's own folder, as the toolkit does.
import * as fs from 'fs';
import * as path from 'path';

export class WebConfigError extends Error {}

export type ClientAuthType = 'NoClientCert' | 'RequestClientCert' | 'RequireAnyClientCert' | 'VerifyClientCertIfGiven' | 'RequireAndVerifyClientCert';
const CLIENT_AUTH_TYPES: readonly ClientAuthType[] = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'];

type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
const TLS_VERSIONS: Readonly<Record<string, TlsVersion>> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

export interface TlsSettings {
  cert: Buffer;
  key: Buffer;
  /** CA certificates client certificates are verified against. */
  ca: Buffer | null;
  clientAuth: ClientAuthType;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  honorCipherOrder: boolean;
}

export interface WebConfig {
  tls: TlsSettings | null;
  /** Extra response headers (http_server_config.headers). */
  headers: Readonly<Record<string, string>>;
  /** basic_auth_users: user name to bcrypt hash; empty: no authentication. */
  users: ReadonlyMap<string, string>;
  /** Every file the configuration was made from (itself first), to notice a change. */
  files: readonly string[];
}

/** The headers the toolkit allows, and the values it accepts where it restricts them. */
const HEADERS: Readonly<Record<string, RegExp | null>> = {
  'Content-Security-Policy': null,
  'X-Frame-Options': /^(deny|sameorigin)$/i,
  'X-Content-Type-Options': /^nosniff$/i,
  'X-XSS-Protection': null,
  'Strict-Transport-Security': null,
};

/** $2a$, $2b$ or $2y$ (htpasswd -B), a two-digit cost, 53 characters of salt and hash. */
const BCRYPT = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An optional mapping: its keys must be among `known`; `unsupported` keys are refused by name. */
function section(v: unknown, where: string, known: readonly string[], unsupported: readonly string[] = []): Obj {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new WebConfigError(`${where} must be a mapping`);
  for (const k of Object.keys(v)) {
    if (unsupported.includes(k)) {
      // An empty list or null asks for nothing.
      const empty = v[k] === null || (Array.isArray(v[k]) && (v[k] as unknown[]).length === 0);
      if (!empty) throw new WebConfigError(`${where}.${k} is not supported by spmon (remove it, or put a proxy that does it in front)`);
      continue;
    }
    if (!known.includes(k)) throw new WebConfigError(`${where}: unknown key "${k}" (known: ${[...known, ...unsupported].join(', ')})`);
  }
  return v;
}

function str(v: unknown, where: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new WebConfigError(`${where} must be a string`);
  return v;
}

/** Parse and check a web configuration file; reads the certificate files it names. */
export function readWebConfig(file: string): WebConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new WebConfigError(`cannot read the web config ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseWebConfig(text, file);
}

/** Parse and check the text of a web configuration file named `file`. */
export function parseWebConfig(text: string, file: string): WebConfig {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const YAML = require('yaml') as typeof import('yaml');
  const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) throw new WebConfigError(`${file}: not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  const root = section(doc.toJS() as unknown, file, ['tls_server_config', 'http_server_config', 'basic_auth_users'], ['rate_limit']);
  const dir = path.dirname(path.resolve(file));
  const files = [path.resolve(file)];
  const readFile = (name: string, where: string): Buffer => {
    const p = path.resolve(dir, name);
    try {
      const b = fs.readFileSync(p);
      files.push(p);
      return b;
    } catch (err) {
      throw new WebConfigError(`${where}: cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };

  const tls = tlsSettings(
    section(root.tls_server_config, 'tls_server_config',
      ['cert', 'key', 'cert_file', 'key_file', 'client_ca', 'client_ca_file', 'client_auth_type', 'min_version', 'max_version', 'prefer_server_cipher_suites'],
      ['cipher_suites', 'curve_preferences', 'client_allowed_sans']),
    readFile,
  );

  const http = section(root.http_server_config, 'http_server_config', ['http2', 'headers']);
  // HTTP/2 is accepted as asked for: Prometheus scrapes over HTTP/1.1, which is what spmon serves.
  if (http.http2 !== undefined && http.http2 !== null && typeof http.http2 !== 'boolean') throw new WebConfigError('http_server_config.http2 must be true or false');
  const headers: Record<string, string> = {};
  const h = section(http.headers, 'http_server_config.headers', Object.keys(HEADERS));
  for (const [name, value] of Object.entries(h)) {
    const v = str(value, `http_server_config.headers.${name}`);
    if (v === undefined) continue;
    const rule = HEADERS[name];
    if (rule && !rule.test(v)) throw new WebConfigError(`http_server_config.headers.${name}: ${JSON.stringify(v)} is not an accepted value`);
    if (/[\r\n]/.test(v)) throw new WebConfigError(`http_server_config.headers.${name}: a line break in a header`);
    headers[name] = v;
  }

  const users = new Map<string, string>();
  const u = root.basic_auth_users;
  if (u !== undefined && u !== null) {
    if (!isObj(u)) throw new WebConfigError('basic_auth_users must be a mapping of user names to bcrypt hashes');
    for (const [name, hash] of Object.entries(u)) {
      if (typeof hash !== 'string' || !BCRYPT.test(hash)) {
        throw new WebConfigError(`basic_auth_users.${name}: not a bcrypt hash (make one with: htpasswd -nBC 10 "" | tr -d ':\\n')`);
      }
      users.set(name, hash);
    }
  }
  return { tls, headers, users, files };
}

function tlsSettings(t: Obj, readFile: (name: string, where: string) => Buffer): TlsSettings | null {
  const w = 'tls_server_config';
  const pem = (inline: string, fileKey: string): Buffer | null => {
    const a = str(t[inline], `${w}.${inline}`);
    const f = str(t[fileKey], `${w}.${fileKey}`);
    if (a !== undefined && f !== undefined) throw new WebConfigError(`${w}: give ${inline} or ${fileKey}, not both`);
    if (a !== undefined) return Buffer.from(a, 'utf8');
    return f === undefined ? null : readFile(f, `${w}.${fileKey}`);
  };
  const cert = pem('cert', 'cert_file');
  const key = pem('key', 'key_file');
  const ca = pem('client_ca', 'client_ca_file');
  const authRaw = str(t.client_auth_type, `${w}.client_auth_type`);
  if (cert === null && key === null) {
    // No certificate: plain HTTP, as the toolkit serves then; anything else asked of TLS is a mistake.
    const asked = Object.keys(t).filter((k) => t[k] !== null && t[k] !== undefined && t[k] !== '');
    if (asked.length > 0) throw new WebConfigError(`${w}: ${asked.join(', ')} given without a certificate (cert_file and key_file)`);
    return null;
  }
  if (cert === null) throw new WebConfigError(`${w}: key given without cert_file (or cert)`);
  if (key === null) throw new WebConfigError(`${w}: cert given without key_file (or key)`);
  const clientAuth = (authRaw ?? 'NoClientCert') as ClientAuthType;
  if (!CLIENT_AUTH_TYPES.includes(clientAuth)) throw new WebConfigError(`${w}.client_auth_type must be one of ${CLIENT_AUTH_TYPES.join(', ')} (got ${JSON.stringify(authRaw)})`);
  const verifies = clientAuth === 'VerifyClientCertIfGiven' || clientAuth === 'RequireAndVerifyClientCert';
  if (verifies && ca === null) throw new WebConfigError(`${w}.client_auth_type ${clientAuth} needs client_ca_file (or client_ca)`);
  if (!verifies && ca !== null) throw new WebConfigError(`${w}: client_ca_file given, but client_auth_type ${clientAuth} verifies no client certificate (use RequireAndVerifyClientCert)`);
  const version = (k: string, dflt: TlsVersion): TlsVersion => {
    const v = str(t[k], `${w}.${k}`);
    if (v === undefined) return dflt;
    const r = TLS_VERSIONS[v];
    if (!r) throw new WebConfigError(`${w}.${k} must be one of ${Object.keys(TLS_VERSIONS).join(', ')} (got ${JSON.stringify(v)})`);
    return r;
  };
  const minVersion = version('min_version', 'TLSv1.2');
  const maxVersion = version('max_version', 'TLSv1.3');
  if (minVersion > maxVersion) throw new WebConfigError(`${w}: min_version is above max_version`);
  const pref = t.prefer_server_cipher_suites;
  if (pref !== undefined && pref !== null && typeof pref !== 'boolean') throw new WebConfigError(`${w}.prefer_server_cipher_suites must be true or false`);
  return { cert, key, ca, clientAuth, minVersion, maxVersion, honorCipherOrder: pref !== false };
}
