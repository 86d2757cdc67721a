// subtreePids (test/helpers/children.ts) is the truth other tests check spmon against (the tmux server's tree, a daemon's
// children): it is checked here against a tree this test builds, with a zombie in it.
import { spawn } from 'child_process';
import * as fs from 'fs';
import { sleep, subtreePids } from './helpers/children';

function statOf(pid: number): { state: string; ppid: number } | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: f[0], ppid: Number(f[1]) };
  } catch {
    return null;
  }
}

test('subtreePids: the root, its children and grandchildren, parents first; zombies kept unless asked not to', async () => {
  // root bash ─┬─ sleep            (a)
  //            └─ sleep (was sh)   (b) ── true, exited and never reaped: a zombie (z)
  // In its own process group, which the test ends as a whole.
  const root = spawn('bash', ['-c', 'sleep 600 & sh -c "true & exec sleep 600" & wait'], { stdio: 'ignore', detached: true });
  const exited = new Promise((r) => root.once('exit', r));
  try {
    const rootPid = root.pid!;
    let tree: number[] = [];
    let zombie: number | undefined;
    for (let i = 0; i < 200 && zombie === undefined; i++) {
      await sleep(25);
      tree = subtreePids(rootPid);
      zombie = tree.find((p) => statOf(p)?.state === 'Z');
    }
    expect(zombie).toBeDefined();
    expect(tree[0]).toBe(rootPid);
    expect(tree).toHaveLength(4);
    // Parents before children, and each one's parent is in the tree.
    for (const pid of tree.slice(1)) {
      const parent = statOf(pid)!.ppid;
      expect(tree.indexOf(parent)).toBeGreaterThanOrEqual(0);
      expect(tree.indexOf(parent)).toBeLessThan(tree.indexOf(pid));
    }
    const zombieParent = statOf(zombie!)!.ppid;
    expect(zombieParent).not.toBe(rootPid);
    expect(subtreePids(rootPid, { zombies: false }).sort()).toEqual(tree.filter((p) => p !== zombie).sort());
    // A subtree is that, not the whole machine: this test's own process is not in it.
    expect(tree).not.toContain(process.pid);
    expect(subtreePids(zombieParent)).toEqual([zombieParent, zombie]);
  } finally {
    process.kill(-root.pid!, 'SIGKILL');
    await exited;
  }
});
