// Cgroup v1 for live tests (the CI machine: v1 memory and cpu controllers beside an empty unified tree):
// our own cgroup of a controller, child cgroups made as root, and their removal.
import * as fs from 'fs';
import * as path from 'path';
import { sleep } from './children';

export interface V1Hierarchy {
  /** Our cgroup path as /proc/self/cgroup gives it. */
  path: string;
  /** Its directory: the mount point joined with the path (relative to the mount's root). */
  dir: string;
}

/** Our own cgroup in the v1 hierarchy holding `controller`, found from /proc/self/{cgroup,mountinfo}. */
export function v1Hierarchy(controller: string): V1Hierarchy {
  const line = fs
    .readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f.length >= 3 && f[0] !== '0' && f[1].split(',').includes(controller));
  if (!line) throw new Error(`no v1 "${controller}" controller in /proc/self/cgroup; this test needs cgroup v1`);
  const cgPath = line.slice(2).join(':');
  for (const l of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [pre, post] = l.split(' - ');
    if (!post) continue;
    const [fsType, , superOpts] = post.split(' ');
    if (fsType !== 'cgroup' || !superOpts.split(',').includes(controller)) continue;
    const f = pre.split(' ');
    const root = f[3];
    const mountPoint = f[4];
    const rel = root === '/' ? cgPath : cgPath.startsWith(root) ? cgPath.slice(root.length) : '';
    return { path: cgPath, dir: path.join(mountPoint, rel) };
  }
  throw new Error(`no cgroup v1 mount with the "${controller}" controller in /proc/self/mountinfo`);
}

/** Directories we made, deepest last; removed in reverse after moving anything left back to the base. */
export const made: { base: string; dir: string }[] = [];

export function makeCgroup(base: string, ...names: string[]): string {
  let dir = base;
  for (const n of names) {
    dir = path.join(dir, n);
    fs.mkdirSync(dir);
    made.push({ base, dir });
  }
  return dir;
}

export async function removeCgroups(): Promise<void> {
  const errors: string[] = [];
  while (made.length > 0) {
    const { base, dir } = made.pop()!;
    // Move out anything still inside (our spmon runs have exited by now; this is belt and braces).
    for (const pid of fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
      try {
        fs.writeFileSync(path.join(base, 'cgroup.procs'), pid);
      } catch {
        /* gone already */
      }
    }
    for (let attempt = 0; ; attempt++) {
      try {
        fs.rmdirSync(dir);
        break;
      } catch (err) {
        if (attempt >= 50) {
          errors.push(`${dir}: ${(err as Error).message}`);
          break;
        }
        await sleep(100); // EBUSY while the last task is being torn down
      }
    }
  }
  if (errors.length) throw new Error(`could not remove cgroups: ${errors.join('; ')}`);
}

