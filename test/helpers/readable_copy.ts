// Tests that run something as another user (nobody) give it a copy it can read: the clone may sit in a
// 0700 home or a `mktemp -d` folder that nobody cannot enter.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT } from './paths';

export const NOBODY = 65534;

/** What spmon needs at run time without the dashboard: its bundle (and dist/lib's modules, for tests that load one), the addon, and the packages they load. */
export const SPMON_RUNTIME = ['bin', 'dist/spmon.js', 'dist/lib', 'package.json', 'build/Release/spmon.node'];
/** The packages spmon loads without the dashboard; readableCopy brings their dependencies along. */
export const SPMON_RUNTIME_PACKAGES = ['commander', 'node-gyp-build', 'string-width'];

export interface ReadableCopy {
  dir: string;
  dispose(): void;
}

/** The first folder above `dir` (or `dir` itself) that others cannot enter, or null. */
function closedAncestor(dir: string): string | null {
  for (let d = dir; ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) return d;
    if (d === path.dirname(d)) return null;
  }
}

/**
 * The folders (relative to the clone) of `names` and of everything they depend on, found as Node finds
 * them: hoisted to the top node_modules, or nested in a dependent's own (npm moves them as the tree changes).
 */
function packageFolders(names: string[]): string[] {
  const out = new Set<string>();
  // Node's lookup: node_modules/<name> in the dependent's folder, then in each folder above it.
  const find = (name: string, from: string): string => {
    for (let d = from; ; d = path.dirname(d)) {
      const candidate = path.join(d, 'node_modules', name);
      if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
      if (d === ROOT || d === path.dirname(d)) throw new Error(`${name} is not installed (needed from ${from})`);
    }
  };
  const visit = (name: string, from: string) => {
    const pkg = find(name, from);
    const rel = path.relative(ROOT, pkg);
    if (out.has(rel)) return;
    out.add(rel);
    const deps = (JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {};
    for (const d of Object.keys(deps)) visit(d, pkg);
  };
  for (const n of names) visit(n, ROOT);
  return [...out];
}

/**
 * A world-readable folder under the temporary directory holding `paths` (relative to the clone, same
 * layout) and `packages` from node_modules with their dependencies, each where the clone has it.
 */
export function readableCopy(paths: string[], packages: string[] = []): ReadableCopy {
  const tmp = fs.realpathSync(os.tmpdir());
  const closed = closedAncestor(tmp);
  if (closed) throw new Error(`${closed} is closed to other users, so nobody cannot read a copy in ${tmp}: set TMPDIR to a folder they can enter (such as /tmp)`);
  const dir = fs.mkdtempSync(path.join(tmp, 'spmon-readable-'));
  for (const p of paths) fs.cpSync(path.join(ROOT, p), path.join(dir, p), { recursive: true });
  for (const rel of packageFolders(packages)) fs.cpSync(path.join(ROOT, rel), path.join(dir, rel), { recursive: true });
  const r = spawnSync('chmod', ['-R', 'a+rX', dir]);
  if (r.status !== 0) throw new Error(`chmod -R a+rX ${dir} failed`);
  return { dir, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
