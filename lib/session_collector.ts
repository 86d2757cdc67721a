// Wires the session sources (tmux, agent logs) to the session model: which
// processes to inspect next tick, and the sessions of this tick.
import type { AgentTool, Binding } from './model/agent_binding';
import type { ModelSnapshot, ProcessStat } from './model/sampler';
import { buildSessions, SessionsResult, TmuxPaneFacts, TreePick } from './model/sessions';
import { ProcessTree, subtree, TreeCache } from './model/tree';
import { AgentLogs, AgentLogSession } from './sources/agents';
import { startTmuxListing, TmuxWatcher } from './sources/tmux';

/**
 * The agent binding model, loaded on first use: a snapshot without agent logs never needs it (and with it
 * node's crypto, ~4 ms to load).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const agentBinding = () => require('./model/agent_binding') as typeof import('./model/agent_binding');

/** At most this many agent processes have their open files read per tick. */
const MAX_INSPECT = 32;

export interface SessionCollectorOptions {
  env?: NodeJS.ProcessEnv;
  /** Poll agent logs at most this often, ms (default 2000). */
  agentPollMs?: number;
}

export class SessionCollector {
  private readonly tmux: TmuxWatcher;
  private readonly agents: AgentLogs;
  private bindings = new Map<string, Binding>();
  private logs: AgentLogSession[] = [];
  private lastAgentPoll = -Infinity;
  private lastTmuxRefresh = -Infinity;
  private readonly agentPollMs: number;
  private readonly env: NodeJS.ProcessEnv;

  constructor(opts: SessionCollectorOptions = {}) {
    this.env = opts.env ?? process.env;
    this.tmux = new TmuxWatcher({ env: this.env });
    this.agents = new AgentLogs({ env: this.env });
    this.agentPollMs = opts.agentPollMs ?? 2000;
  }

  /**
   * The agent processes and the process tree of a process list, each worked out at most once for
   * `inspectPids` and `update` (a snapshot calls both with the same list; the dashboard calls `update`
   * after tick N and `inspectPids` before tick N+1), the tree only when something needs it. At 1,000
   * processes each costs a few ms.
   */
  private agentsOf(snap: ModelSnapshot): { p: ProcessStat; tool: AgentTool }[] {
    if (this.agentsFor !== snap.processes) {
      const { agentToolOf } = agentBinding();
      const out: { p: ProcessStat; tool: AgentTool }[] = [];
      for (const p of snap.processes) {
        // A process keeps its ProcessStat while it lives: test its argv again only when it changed.
        let t = this.tools.get(p);
        if (t === undefined || t.name !== p.name || t.cmdline !== p.cmdline || t.kernelThread !== p.kernelThread) {
          t = { name: p.name, cmdline: p.cmdline, kernelThread: p.kernelThread, tool: agentToolOf(p) };
          this.tools.set(p, t);
        }
        if (t.tool) out.push({ p, tool: t.tool });
      }
      this.agentsFor = snap.processes;
      this.agentList = out;
    }
    return this.agentList;
  }
  private agentsFor: readonly ProcessStat[] | null = null;
  private agentList: { p: ProcessStat; tool: AgentTool }[] = [];
  private readonly tools = new WeakMap<ProcessStat, { name: string; cmdline: string | null; kernelThread: boolean; tool: AgentTool | null }>();

  private treeOf(snap: ModelSnapshot): ProcessTree {
    return this.trees.of(snap.processes);
  }
  private readonly trees = new TreeCache();

  /** Pids whose cwd and open files the next sample should read (candidate agents and their children). */
  inspectPids(snap: ModelSnapshot): number[] {
    const agents = this.agentsOf(snap);
    if (agents.length === 0) return [];
    const tree = this.treeOf(snap);
    const pids: number[] = [];
    for (const a of agents) {
      for (const q of subtree(tree, a.p.pid).slice(0, 4)) if (!pids.includes(q.pid)) pids.push(q.pid);
      if (pids.length >= MAX_INSPECT) break;
    }
    return pids.slice(0, MAX_INSPECT);
  }

  /**
   * For a snapshot (`--once`): list tmux, then read every agent log to its end. `started` resolves once
   * the tmux children run (or none is needed), `done` when the listing and the logs are read.
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
  private tmuxOnce: TmuxPaneFacts[] | null = null;

  /** The sessions of this snapshot (tmux from its latest listing, agents from their logs). */
  update(snap: ModelSnapshot, trees: readonly TreePick[], nowMs: number = Date.now()): SessionsResult {
    let panes: readonly TmuxPaneFacts[];
    if (this.tmuxOnce) panes = this.tmuxOnce;
    else {
      // Listing tmux forks a child (~8 ms of a tick at 1,000 processes): every 2 s is enough.
      if (nowMs - this.lastTmuxRefresh >= this.agentPollMs) {
        this.tmux.refresh();
        this.lastTmuxRefresh = nowMs;
      }
      panes = this.tmux.latest();
    }
    if (nowMs - this.lastAgentPoll >= this.agentPollMs) {
      this.logs = this.agents.poll();
      this.lastAgentPoll = nowMs;
    }
    this.bindings = this.logs.length === 0 ? new Map() : this.bind(snap);
    return buildSessions(snap, { tmux: panes, agents: this.logs, bindings: this.bindings, trees, tree: () => this.treeOf(snap) });
  }

  /** Agent log sessions to their processes (without logs there is nothing to bind: no agents or tree needed). */
  private bind(snap: ModelSnapshot): Map<string, Binding> {
    const agents = this.agentsOf(snap);
    const tree = this.treeOf(snap);
    const files = new Map(snap.inspect.map((f) => [f.pid, f]));
    return agentBinding().bindAgents({
      logs: this.logs,
      agents,
      files,
      descendants: (p) => subtree(tree, p.pid).slice(1),
      previous: this.bindings,
    });
  }

  /** Whether any agent log session is known (else no process needs inspecting for a binding). */
  get hasAgentLogs(): boolean {
    return this.logs.length > 0;
  }

  /** Let a pending tmux listing finish (clean exit). */
  idle(): Promise<void> {
    return this.tmux.idle();
  }
}
