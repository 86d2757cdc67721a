// The agent policy: on every frame, each agent session's context fill against the warning (80 %) and
// critical (90 %) levels; on reaching one, what the policy says for it: `notify` (an event; the dashboard
// shows the level), `request` (a termination request with the tool's continuation), or nothing. A place
// (a run session, a tmux pane, a directory) that had a request is left alone for the cool-down, so a
// continued session that is still full does not loop.
import type { AgentPolicy, AgentsSettings, LevelAction } from '../config';
import type { Frame } from '../engine/frame';
import { ACT_CONFIDENCE, CONFIDENCE } from '../model/agent_binding';
import { contextLevel, ContextLevel } from '../model/context_level';
import type { Session } from '../model/sessions';
import type { EventLog } from './events';
import { ApiError } from './protocol';
import { defaultContinuation, RequestProcessor } from './requests';

/** The action for one level of one session: per session, else per tool, else the default. */
export function policyFor(agents: AgentsSettings, s: Pick<Session, 'id'> & { agent: { tool: 'claude' | 'codex' | 'gemini'; sessionId: string } | null }, level: 'warning' | 'critical'): LevelAction {
  const a = s.agent;
  const per = (p: Partial<AgentPolicy> | undefined) => p?.[level];
  return (a ? (per(agents.policy.sessions[s.id]) ?? per(agents.policy.sessions[a.sessionId]) ?? per(agents.policy.tools[a.tool])) : undefined) ?? agents.policy[level];
}

export class AgentPolicyWatcher {
  /** The level each agent session was last seen at (and handled). */
  private readonly seen = new Map<string, ContextLevel>();
  /** Sessions at a level the policy would request on but cannot yet (no process bound, or a guess): said once. */
  private readonly waiting = new Map<string, { level: ContextLevel; guess: boolean }>();

  constructor(
    private readonly requests: RequestProcessor,
    private readonly events: EventLog,
    private readonly agents: () => AgentsSettings,
    private readonly log: (m: string) => void,
  ) {}

  onFrame(frame: Frame): void {
    for (const s of frame.sessions) {
      if (s.kind !== 'agent' || !s.agent) continue;
      const level = contextLevel(s.agent.contextPercent);
      if (level === null) continue;
      const before = this.seen.get(s.id) ?? 'ok';
      // Acts on reaching a level (or first seeing a session already there); ok again resets it.
      if (level === 'ok' || level === before || (before === 'critical' && level === 'warn')) {
        this.seen.set(s.id, level);
        this.waiting.delete(s.id);
        continue;
      }
      const name = level === 'critical' ? 'critical' : 'warning';
      const action = policyFor(this.agents(), s as never, name);
      const pct = Math.round((s.agent.contextPercent ?? 0) * 10) / 10;
      if (action === 'none' || action === 'notify') {
        this.seen.set(s.id, level);
        this.waiting.delete(s.id);
        if (action === 'notify')
          this.events.add(`context-${name}`, s.id, { reason: `context ${pct} %`, outcome: s.pids.length === 0 ? 'not running' : 'notified', details: { contextPercent: pct, tool: s.agent.tool, model: s.agent.model } });
        continue;
      }
      // A policy signals only the process it knows runs the session: not before one is bound to it (an agent
      // that just started, a daemon in its first ticks), never a guess between two agents. Until then the
      // level is not taken as handled: it is acted on when the process is known, and said once meanwhile.
      // One that was a guess at the crossing needs proof (the open log) before it is acted on: the one left
      // in the directory after the other went is not known to be the one that wrote the log.
      const wasGuess = this.waiting.get(s.id)?.guess === true;
      const confidence = s.agent.confidence ?? 0;
      const why =
        s.pids.length === 0
          ? 'no running process is bound to it yet; requested once one is'
          : confidence < ACT_CONFIDENCE || (wasGuess && confidence < CONFIDENCE.sticky)
            ? `which process runs it ${confidence < ACT_CONFIDENCE ? 'is' : 'was'} a guess (more than one ${s.agent.tool} in its directory); requested only once its open log proves which, else end it by hand`
            : null;
      if (why !== null) {
        const w = this.waiting.get(s.id);
        const guess = wasGuess || s.pids.length > 0;
        if (w?.level !== level || w.guess !== guess) {
          this.waiting.set(s.id, { level, guess });
          this.events.add(`context-${name}`, s.id, { reason: `context ${pct} %`, outcome: `not requested: ${why}`, details: { contextPercent: pct, confidence: s.agent.confidence } });
        }
        continue;
      }
      this.seen.set(s.id, level);
      this.waiting.delete(s.id);
      this.request(s, name, pct, frame);
    }
  }

  private request(s: Session, level: 'warning' | 'critical', pct: number, frame: Frame): void {
    const a = s.agent!;
    const agents = this.agents();
    try {
      const rec = this.requests.file({
        source: 'policy',
        session: s.id,
        reason: 'token_limit_approaching',
        priority: 'graceful',
        continuationCommand: defaultContinuation(agents, a.tool, a.sessionId),
        note: `context ${pct} % (${level})`,
        cooldownSec: agents.cooldownSec,
      }, frame);
      this.events.add(`context-${level}`, s.id, { reason: `context ${pct} %`, outcome: rec.state === 'refused' ? `not requested: ${rec.outcome}` : `requested ${rec.id}`, details: { contextPercent: pct, request: rec.id } });
    } catch (err) {
      const why = err instanceof ApiError ? err.message : (err as Error).message;
      this.log(`policy request for ${s.id} failed: ${why}`);
      this.events.add(`context-${level}`, s.id, { reason: `context ${pct} %`, outcome: `not requested: ${why}`, details: { contextPercent: pct } });
    }
  }
}
