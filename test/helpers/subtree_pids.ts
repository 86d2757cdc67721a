// The process tree under a pid, from /proc (the truth tests check spmon against): one scan of every
// process's stat for its parent, then a walk down from the root.
import * as fs from 'fs';

/** `root` and all its descendants, parents before children; `zombies: false` leaves out zombies (and what hangs under them). */
export function subtreePids(root: number, opts: { zombies?: boolean } = {}): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (opts.zombies === false && f[0] === 'Z') continue;
      const ppid = Number(f[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // Exited meanwhile.
    }
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.shift()!;
    if (out.includes(pid)) continue;
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}
