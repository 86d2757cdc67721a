// Where things are, for tests.
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'spmon');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');
/** The fixture /proc: processes, host files and a v2 self/cgroup (pair it with cgroupFixture('v2')). */
export const FIXTURE_PROC = path.join(FIXTURES, 'proc');
export const SCHEMA_PATH = path.join(ROOT, 'docs', 'snapshot.schema.json');
export const TOKENS_SCHEMA_PATH = path.join(ROOT, 'docs', 'tokens.schema.json');
export const PS_SCHEMA_PATH = path.join(ROOT, 'docs', 'ps.schema.json');
export const ADDON_PATH = path.join(ROOT, 'build', 'Release', 'spmon.node');

/** procRoot and cgroupRoot of one cgroup fixture (test/fixtures/cgroup/<name>). */
export function cgroupFixture(name: 'v1' | 'v1-unlimited' | 'hybrid' | 'v2' | 'v2-subtree' | 'none'): {
  procRoot: string;
  cgroupRoot: string;
} {
  if (name === 'v2') return { procRoot: FIXTURE_PROC, cgroupRoot: path.join(FIXTURES, 'cgroup', 'v2') };
  const dir = path.join(FIXTURES, 'cgroup', name);
  return { procRoot: path.join(dir, 'proc'), cgroupRoot: path.join(dir, 'sys') };
}
