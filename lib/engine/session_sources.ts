// The engine's session inputs from the sources: tmux panes (listed in the background, never waited for
// in a tick), agent logs (read incrementally) and their binding to live processes, and the trees the
// user picked. Each kind becomes a provider (lib/model/sessions); this file only feeds them.
import type { AgentTool, Binding } from '../model/agent_binding';
import type { ModelSnapshot, ProcessStat } from '../model/process_stat';
import { agentProvider, podProvider, SessionProvider, tmuxProvider, TreePick, treeProvider } from '../model/sessions';
import { ProcessTree, subtree, TreeCache } from '../model/tree';
import { AgentLogs, AgentLogSession } from '../sources/agents';
import { startTmuxListing, TmuxPane, TmuxWatcher } from '../sources/tmux';

/**
 * The agent binding model, loaded on first use: a snapshot without agent logs never needs it (and with it
 * node's crypto, costly to load: docs/performance.md).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const agentBinding = () => require('../model/agent_binding') as typeof import('../model/agent_binding');

/**
 * tmux is listed again at least this often though no server or pane process came or went (a rename), ms. Each
 * listing forks a `tmux` client (~15 ms of CPU with its child, ~10 % of an idle dashboard's CPU at 10 s);
 * Ctrl-L in the dashboard lists at once (`relist()`).
 */
export const TMUX_RENAME_MS = 30_000;

/**
 * What of the process table a tmux listing depends on: the tmux servers and their children (the panes'
 * processes), by identity. A session or window made or closed changes it; a rename does not.
 */
export function tmuxSignature(processes: readonly ProcessStat[]): string {
  // Indexed loops, as in every walk over all processes per tick: without the optimizing compiler a for-of
  // allocates an iterator result per step.
  const servers = new Set<number>();
  for (let i = 0; i < processes.length; i++) if (processes[i].name === 'tmux: server') servers.add(processes[i].pid);
  if (servers.size === 0) return '';
  const keys: string[] = [];
  for (let i = 0; i < processes.length; i++) {
    const p = processes[i];
    if (servers.has(p.pid) || servers.has(p.ppid)) keys.push(p.key);
  }
  return keys.sort().join(' ');
}

/** At most this many agent processes have their open files read per tick. */
const MAX_INSPECT = 32;

export interface SessionSourcesOptions {
  env?: NodeJS.ProcessEnv;
  /** Poll agent logs and list tmux at most this often, ms (default 2000). */
  pollMs?: number;
  /** List tmux at least this often for renames, ms (default TMUX_RENAME_MS). */
  renameMs?: number;
}

export class SessionSources {
  private readonly tmux: TmuxWatcher;
  private readonly agents: AgentLogs;
  private bindings = new Map<string, Binding>();
  private logs: AgentLogSession[] = [];
  private lastAgentPoll = -Infinity;
  private lastTmuxRefresh = -Infinity;
  private tmuxSig = '';
  private readonly pollMs: number;
  private readonly renameMs: number;
  private readonly env: NodeJS.ProcessEnv;
  private tmuxOnce: TmuxPane[] | null = null;
  private picks: TreePick[] = [];
  private readonly trees = new TreeCache();
  /** The providers of the kinds spmon finds by itself, in order; more (run sessions) may follow. */
  readonly providers: SessionProvider[];

  constructor(opts: SessionSourcesOptions = {}) {
    this.env = opts.env ?? process.env;
    this.tmux = new TmuxWatcher({ env: this.env });
    this.agents = new AgentLogs({ env: this.env });
    this.pollMs = opts.pollMs ?? 2000;
    this.renameMs = opts.renameMs ?? TMUX_RENAME_MS;
    this.providers = [
      podProvider,
      tmuxProvider(() => this.tmuxOnce ?? this.tmux.latest()),
      agentProvider(() => ({ logs: this.logs, bindings: this.bindings })),
      treeProvider(() => this.picks),
    ];
  }

  /** The trees the user picked as sessions. */
  get treePicks(): readonly TreePick[] {
    return this.picks;
  }

  setTreePicks(picks: readonly TreePick[]): void {
    this.picks = picks.slice();
  }

  /**
   * The agent processes of a process list, worked out at most once per list (the engine asks for
   * `inspectPids` before a tick and binds after it).
   */
  private agentsOf(processes: readonly ProcessStat[]): { p: ProcessStat; tool: AgentTool }[] {
    if (this.agentsFor !== processes) {
      const { agentToolOf } = agentBinding();
      const out: { p: ProcessStat; tool: AgentTool }[] = [];
      for (const p of processes) {
        // A process keeps its ProcessStat while it lives: test its argv again only when it changed.
        let t = this.tools.get(p);
        if (t === undefined || t.name !== p.name || t.cmdline !== p.cmdline || t.kernelThread !== p.kernelThread) {
          t = { name: p.name, cmdline: p.cmdline, kernelThread: p.kernelThread, tool: agentToolOf(p) };
          this.tools.set(p, t);
        }
        if (t.tool) out.push({ p, tool: t.tool });
      }
      this.agentsFor = processes;
      this.agentList = out;
    }
    return this.agentList;
  }
  private agentsFor: readonly ProcessStat[] | null = null;
  private agentList: { p: ProcessStat; tool: AgentTool }[] = [];
  private readonly tools = new WeakMap<ProcessStat, { name: string; cmdline: string | null; kernelThread: boolean; tool: AgentTool | null }>();

  /** The process tree of a list, built again only when the list changed. */
  treeOf(processes: readonly ProcessStat[]): ProcessTree {
    return this.trees.of(processes);
  }

  /** Pids whose cwd and open files the next sample should read: candidate agents and their children, while there are agent logs. */
  inspectPids(processes: readonly ProcessStat[]): number[] {
    if (this.logs.length === 0) return [];
    const agents = this.agentsOf(processes);
    if (agents.length === 0) return [];
    const tree = this.treeOf(processes);
    const pids: number[] = [];
    for (const a of agents) {
      for (const q of subtree(tree, a.p.pid).slice(0, 4)) if (!pids.includes(q.pid)) pids.push(q.pid);
      if (pids.length >= MAX_INSPECT) break;
    }
    return pids.slice(0, MAX_INSPECT);
  }

  /**
   * For a snapshot: list tmux, then read every agent log to its end. `started` resolves once the tmux children run
   * (or none is needed), `done` when the listing and the logs are read.
   */
  settle(): { started: Promise<void>; done: Promise<void> } {
    const tmux = startTmuxListing({ env: this.env });
    const done = tmux.listing.then((listing) => {
      this.tmuxOnce = listing.panes;
      this.logs = this.agents.readAll();
      this.lastAgentPoll = Date.now();
    });
    return { started: tmux.started, done };
  }

  /** List tmux at the next update, whatever changed (the user asked to see everything afresh). */
  relist(): void {
    this.lastTmuxRefresh = -Infinity;
  }

  /** Before the sessions of a tick are built: refresh what is due (tmux in the background, agent logs), bind agents. */
  update(snap: ModelSnapshot, nowMs: number = Date.now()): void {
    if (!this.tmuxOnce && nowMs - this.lastTmuxRefresh >= this.pollMs) {
      // Listing tmux forks a child (a few ms of a large process's CPU): only when a server or a pane
      // process came or went since the last listing, and every renameMs for what the processes do
      // not show (a renamed session).
      const sig = tmuxSignature(snap.processes);
      if (sig !== this.tmuxSig || nowMs - this.lastTmuxRefresh >= this.renameMs) {
        this.tmux.refresh();
        this.lastTmuxRefresh = nowMs;
        this.tmuxSig = sig;
      }
    }
    if (!this.tmuxOnce && nowMs - this.lastAgentPoll >= this.pollMs) {
      this.logs = this.agents.poll();
      this.lastAgentPoll = nowMs;
    }
    this.bindings = this.logs.length === 0 ? new Map() : this.bind(snap);
  }

  /** Agent log sessions to their processes. */
  private bind(snap: ModelSnapshot): Map<string, Binding> {
    const agents = this.agentsOf(snap.processes);
    const tree = this.treeOf(snap.processes);
    const files = new Map(snap.inspect.map((f) => [f.pid, f]));
    return agentBinding().bindAgents({
      logs: this.logs,
      agents,
      files,
      descendants: (p) => subtree(tree, p.pid).slice(1),
      previous: this.bindings,
    });
  }

  /** List tmux no more; let a listing already running finish (clean exit). */
  close(): Promise<void> {
    return this.tmux.close();
  }
}
