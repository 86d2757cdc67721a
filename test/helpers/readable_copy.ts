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
export const SPMON_RUNTIME_PACKAGES = ['commander', 'node-gyp-build', 'string-width', 'emoji-regex', 'is-fullwidth-code-point', 'strip-ansi', 'ansi-regex'];

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
 * A world-readable folder under the temporary directory holding `paths` (relative to the clone, same
 * layout) and `packages` from node_modules (npm installs them hoisted).
 */
export function readableCopy(paths: string[], packages: string[] = []): ReadableCopy {
  const tmp = fs.realpathSync(os.tmpdir());
  const closed = closedAncestor(tmp);
  if (closed) throw new Error(`${closed} is closed to other users, so nobody cannot read a copy in ${tmp}: set TMPDIR to a folder they can enter (such as /tmp)`);
  const dir = fs.mkdtempSync(path.join(tmp, 'spmon-readable-'));
  for (const p of paths) fs.cpSync(path.join(ROOT, p), path.join(dir, p), { recursive: true });
  for (const name of packages) fs.cpSync(path.join(ROOT, 'node_modules', name), path.join(dir, 'node_modules', name), { recursive: true });
  const r = spawnSync('chmod', ['-R', 'a+rX', dir]);
  if (r.status !== 0) throw new Error(`chmod -R a+rX ${dir} failed`);
  return { dir, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
