// The process tree from ppid links. Pure.
import type { ProcessStat } from './sampler';

export interface ProcessTree<T extends ProcessStat = ProcessStat> {
  byPid: Map<number, T>;
  children: Map<number, T[]>;
}

export function buildTree<T extends ProcessStat>(list: readonly T[]): ProcessTree<T> {
  const byPid = new Map<number, T>();
  const children = new Map<number, T[]>();
  for (const p of list) byPid.set(p.pid, p);
  for (const p of list) {
    if (p.ppid === p.pid) continue;
    let c = children.get(p.ppid);
    if (!c) children.set(p.ppid, (c = []));
    c.push(p);
  }
  return { byPid, children };
}

/**
 * The tree of a process list, built again only when the list changed: other processes, another order or
 * a new ppid. A process keeps its ProcessStat while it lives (the Sampler updates it in place), so from
 * one sample to the next the list is mostly the same objects, and so is their tree.
 */
export class TreeCache<T extends ProcessStat = ProcessStat> {
  private list: readonly T[] = [];
  private ppids = new Float64Array(0);
  private tree: ProcessTree<T> | null = null;

  of(list: readonly T[]): ProcessTree<T> {
    if (this.tree !== null && this.unchanged(list)) return this.tree;
    this.tree = buildTree(list);
    this.list = list;
    if (this.ppids.length < list.length) this.ppids = new Float64Array(Math.max(list.length, this.ppids.length * 2));
    for (let i = 0; i < list.length; i++) this.ppids[i] = list[i].ppid;
    return this.tree;
  }

  private unchanged(list: readonly T[]): boolean {
    const prev = this.list;
    if (list.length !== prev.length) return false;
    for (let i = 0; i < list.length; i++) if (list[i] !== prev[i] || list[i].ppid !== this.ppids[i]) return false;
    return true;
  }
}

/** `root` and all its descendants (breadth first; cycles cannot loop). */
export function subtree<T extends ProcessStat>(tree: ProcessTree<T>, rootPid: number): T[] {
  const root = tree.byPid.get(rootPid);
  if (!root) return [];
  const out: T[] = [root];
  const seen = new Set<number>([rootPid]);
  for (let i = 0; i < out.length; i++) {
    for (const c of tree.children.get(out[i].pid) ?? []) {
      if (seen.has(c.pid)) continue;
      seen.add(c.pid);
      out.push(c);
    }
  }
  return out;
}

/** Pids of `pid`'s ancestors (not itself), nearest first. */
export function ancestors(tree: ProcessTree, pid: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>([pid]);
  let p = tree.byPid.get(pid);
  while (p && !seen.has(p.ppid) && p.ppid > 0) {
    out.push(p.ppid);
    seen.add(p.ppid);
    p = tree.byPid.get(p.ppid);
  }
  return out;
}

export interface TreeRow<T> {
  p: T;
  depth: number;
  /** Drawing prefix, e.g. "│ ├─ ". */
  prefix: string;
}

/**
 * Order `list` as a tree: roots (whose parent is not in the list) in `list`'s
 * order, each followed by its children in `list`'s order, depth first.
 */
export function treeOrder<T extends ProcessStat>(list: readonly T[]): TreeRow<T>[] {
  const inList = new Set(list.map((p) => p.pid));
  const order = new Map(list.map((p, i) => [p.pid, i]));
  const kids = new Map<number, T[]>();
  const roots: T[] = [];
  for (const p of list) {
    if (p.ppid !== p.pid && inList.has(p.ppid)) {
      let c = kids.get(p.ppid);
      if (!c) kids.set(p.ppid, (c = []));
      c.push(p);
    } else roots.push(p);
  }
  for (const c of kids.values()) c.sort((a, b) => order.get(a.pid)! - order.get(b.pid)!);
  const out: TreeRow<T>[] = [];
  const seen = new Set<number>();
  const walk = (p: T, depth: number, lead: string, last: boolean) => {
    if (seen.has(p.pid)) return;
    seen.add(p.pid);
    out.push({ p, depth, prefix: depth === 0 ? '' : lead + (last ? '└─ ' : '├─ ') });
    const c = kids.get(p.pid) ?? [];
    const nextLead = depth === 0 ? '' : lead + (last ? '   ' : '│  ');
    c.forEach((k, i) => walk(k, depth + 1, nextLead, i === c.length - 1));
  };
  for (const r of roots) walk(r, 0, '', true);
  // Members of a ppid cycle have no root: add them flat.
  for (const p of list) if (!seen.has(p.pid)) out.push({ p, depth: 0, prefix: '' });
  return out;
}
