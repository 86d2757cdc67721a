// Session counters that only go up. A session's CPU seconds or io bytes summed over its members *now*
// would fall whenever a member exits, and Prometheus reads every fall as a counter reset (a rate() spike
// of the whole remaining sum). So each session keeps a running total: on each rendering, a member seen
// before adds what its counter grew by, a new member adds its whole counter (CPU time from its start),
// and a member that left keeps what it added. What a member did between the last rendering and its exit
// is not seen (as with process-exporter); a process that starts and exits between two renderings is
// not counted at all. Pure: the caller passes the sessions of each frame.
import type { ProcessField } from '../fields/field';
import type { ProcessStat } from '../model/process_stat';
import type { Session } from '../model/sessions';

const NO_CONTEXT = { sessionIdsOf: () => [], sessionLabelOf: () => null, userName: () => null };

interface SessionState {
  /** Per counter field; NaN until some member's value is known. */
  totals: Float64Array;
  /** Each member's last counter values, by process key. */
  last: Map<string, Float64Array>;
  seen: number;
}

export class SessionCounters {
  private readonly states = new Map<string, SessionState>();
  private round = 0;

  /** `fields`: the process fields whose session sums are counters, in a fixed order. */
  constructor(readonly fields: readonly ProcessField[]) {}

  /**
   * Advance every session's totals to this frame's members; sessions not in the list are forgotten (their
   * series end). Returns each session's totals (NaN: unknown), in `fields` order, by session id.
   */
  update(sessions: readonly Session[]): Map<string, Float64Array> {
    this.round++;
    const n = this.fields.length;
    const out = new Map<string, Float64Array>();
    for (const s of sessions) {
      let st = this.states.get(s.id);
      if (!st) this.states.set(s.id, (st = { totals: new Float64Array(n).fill(NaN), last: new Map(), seen: 0 }));
      st.seen = this.round;
      const next = new Map<string, Float64Array>();
      for (const p of s.members) next.set(p.key, this.advance(st, p));
      st.last = next;
      out.set(s.id, st.totals);
    }
    for (const [id, st] of this.states) if (st.seen !== this.round) this.states.delete(id);
    return out;
  }

  /** Add what one member's counters grew by since its last values (all of them when it is new); its values now. */
  private advance(st: SessionState, p: ProcessStat): Float64Array {
    const prev = st.last.get(p.key);
    const cur = prev ?? new Float64Array(this.fields.length).fill(NaN);
    for (let i = 0; i < this.fields.length; i++) {
      const v = this.fields[i].value(p, NO_CONTEXT);
      if (typeof v !== 'number' || !Number.isFinite(v)) continue; // unknown now: keep the last known value
      const before = prev === undefined ? NaN : prev[i];
      const grew = Number.isNaN(before) ? v : v - before;
      // The same process's counter never falls; if it seems to, add nothing rather than subtract.
      if (grew > 0) st.totals[i] = (Number.isNaN(st.totals[i]) ? 0 : st.totals[i]) + grew;
      else if (Number.isNaN(st.totals[i])) st.totals[i] = 0;
      cur[i] = v;
    }
    return cur;
  }
}
