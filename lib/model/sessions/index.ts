// Sessions: named sets of processes, one provider per kind. `buildSessions` assembles the kinds spmon
// finds by itself from plain inputs (what the engine does each tick; tests use it directly). Pure.
import type { Binding } from '../agent_binding';
import type { ModelSnapshot } from '../process_stat';
import { buildTree, ProcessTree } from '../tree';
import type { TmuxPane } from '../../sources/tmux';
import { agentProvider, AgentSessionFacts, podProvider, tmuxProvider, TreePick, treeProvider } from './kinds';
import { Assembly, assembleSessions, SessionProvider } from './provider';

export * from './session';
export * from './provider';
export * from './kinds';
export * from './run';

export interface SessionInput {
  tmux: readonly Pick<TmuxPane, 'socket' | 'sessionId' | 'sessionName' | 'panePid'>[];
  agents: readonly AgentSessionFacts[];
  /** Bindings of agent sessions to processes, by `${tool}:${sessionId}`. */
  bindings: ReadonlyMap<string, Binding>;
  trees: readonly TreePick[];
  /** More providers after these (the daemon's run sessions). */
  more?: readonly SessionProvider[];
  /** The snapshot's process tree from the caller (who may have built it already); else it is built here, when needed. */
  tree?: () => ProcessTree;
}

/** The pod, each tmux session, each agent session, each picked tree, then any other providers. */
export function buildSessions(snap: ModelSnapshot, input: SessionInput): Assembly {
  const providers: SessionProvider[] = [
    podProvider,
    tmuxProvider(() => input.tmux as readonly TmuxPane[]),
    agentProvider(() => ({ logs: input.agents, bindings: input.bindings })),
    treeProvider(() => input.trees),
    ...(input.more ?? []),
  ];
  return assembleSessions(snap, providers, input.tree ?? (() => buildTree(snap.processes)));
}
