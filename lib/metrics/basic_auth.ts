// HTTP basic authentication against the web config's bcrypt hashes (basic_auth_users). bcryptjs: the
// widely used pure-JavaScript bcrypt (no dependencies, no native build: spmon's one addon and its
// prebuilds stay the only native code), compatible with $2a$/$2b$/$2y$ hashes from htpasswd. Its compare
// works in slices off the event loop's critical path. A bcrypt check costs tens of milliseconds by design,
// and Prometheus sends the same credentials every scrape, so results are remembered (as the exporter
// toolkit does) under a digest of user, hash and password, never the password itself.
import type * as crypto from 'crypto';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const bcrypt = () => require('bcryptjs') as typeof import('bcryptjs');

/** The hash of a random password nobody kept: an unknown user costs one bcrypt check too, so timing tells no names. */
const DUMMY_HASH = '$2b$10$4SY3ccnkkn9ggZL2zhFbSu99Rk7AuET7hdI3ej4hzDte0FZEgmEZi';

const CACHE_MAX = 256;

export interface Credentials {
  user: string;
  password: string;
}

/** The user and password of an `Authorization: Basic ...` header, or null. */
export function parseBasicAuth(header: string | undefined): Credentials | null {
  if (!header) return null;
  const m = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export class BasicAuth {
  private readonly cache = new Map<string, boolean>();

  constructor(private readonly users: ReadonlyMap<string, string>) {}

  get enabled(): boolean {
    return this.users.size > 0;
  }

  /** Whether the Authorization header names a user of the config with the right password. */
  async check(header: string | undefined): Promise<boolean> {
    const c = parseBasicAuth(header);
    if (!c) return false;
    const hash = this.users.get(c.user);
    // crypto only for a config with users (a plain endpoint does not load it).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const key = (require('crypto') as typeof crypto).createHash('sha256').update(`${c.user}\u0000${hash ?? ''}\u0000${c.password}`).digest('hex');
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const ok = await bcrypt().compare(c.password, hash ?? DUMMY_HASH);
    const result = hash !== undefined && ok;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(key, result);
    return result;
  }
}

