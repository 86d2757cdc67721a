// Session providers: each kind of session (pod, tmux, agent, tree, run) is one provider behind this
// interface. A provider turns its own input (tmux panes, bound agent logs, picked trees, supervised
// runs) and the frame's processes into sessions; `assembleSessions` runs them all and works out which
// sessions each process belongs to. Pure: the engine feeds the inputs from the sources.
import type { ModelSnapshot, ProcessStat } from '../process_stat';
import type { ProcessTree } from '../tree';
import type { Session, SessionKind } from './session';

export interface ProviderContext {
  snap: ModelSnapshot;
  /** The process tree of the snapshot, built at most once per assembly, only when a provider asks. */
  tree(): ProcessTree;
}

export interface SessionProvider {
  readonly kind: SessionKind;
  /**
   * How specific this kind is: a process is labelled in the grid with its most specific session
   * (agent 3, run 2.5, tmux 2, tree 1, pod 0).
   */
  readonly labelRank: number;
  sessions(ctx: ProviderContext): Session[];
}

/** Which sessions each process is in (the pod always), and the one that names it in the grid. */
export interface Membership {
  idsOf(p: ProcessStat): readonly string[];
  labelOf(p: ProcessStat): string | null;
}

export interface Assembly {
  sessions: Session[];
  membership: Membership;
}

/** sessionIds of a process in no session but the pod: one array for all of them, never mutated. */
const POD_ONLY: readonly string[] = Object.freeze(['pod']);
const NONE: readonly string[] = Object.freeze([]);

/** Run the providers in order (the pod first) and index the membership. */
export function assembleSessions(snap: ModelSnapshot, providers: readonly SessionProvider[], tree: () => ProcessTree): Assembly {
  let built: ProcessTree | null = null;
  const ctx: ProviderContext = { snap, tree: () => (built ??= tree()) };
  const sessions: Session[] = [];
  const rankOf = new Map<string, number>();
  for (const provider of providers) {
    for (const s of provider.sessions(ctx)) {
      sessions.push(s);
      rankOf.set(s.id, provider.labelRank);
    }
  }
  // Most processes are in no session but the pod: only the others get an entry.
  const ids = new Map<string, string[]>();
  const label = new Map<string, { name: string; rank: number }>();
  const hasPod = sessions.some((s) => s.kind === 'pod');
  for (const s of sessions) {
    if (s.kind === 'pod') continue;
    const rank = rankOf.get(s.id) ?? 0;
    for (const k of s.keys) {
      let list = ids.get(k);
      if (!list) ids.set(k, (list = hasPod ? ['pod'] : []));
      list.push(s.id);
      const best = label.get(k);
      if (!best || rank > best.rank) label.set(k, { name: s.name, rank });
    }
  }
  return {
    sessions,
    membership: {
      idsOf: (p) => ids.get(p.key) ?? (hasPod ? POD_ONLY : NONE),
      labelOf: (p) => label.get(p.key)?.name ?? null,
    },
  };
}
