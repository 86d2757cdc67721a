// The parser of Claude Code session logs (claude_discovery.ts finds them), one JSON record a line. Over
// 300 lines: the whole-record parse and the two byte-level readers below feed one summary's state.
//
// Usage is on `assistant` lines at message.usage. One API request is streamed as several lines (one per
// content block) that repeat the request's usage, the last line carrying the final numbers: each request
// (requestId, else message.id) counts once, with the last usage seen for it.
//
// Most of a log's bytes are text nobody here needs: tool output on `user` lines (twice: in message.content
// and in toolUseResult) and the content blocks of assistant lines (thinking, file contents). Claude Code
// writes a record as {"parentUuid":…,"isSidechain":…,"userType":…,"cwd":…,"sessionId":…,…} with short
// scalars first, a user record's "type" before its "message", an assistant record's after it, and a
// message as {"id","type","role","model","content":[…],"stop_reason",…,"usage"}. So:
// - a user record over SKIM_BYTES is read from its leading pairs (type, isSidechain, cwd, sessionId) and
//   its timestamp (its last pair, else its only "timestamp" key) without decoding the rest;
// - an assistant record is read around its content array: its pairs before `"content":[`, then from the
//   last `],"stop_reason":` the message's scalars and usage and the record's last pairs (a walk that must
//   close exactly the message and the record), and the content's tool_use block from its first pairs;
// and anything that is not exactly so is parsed whole.
import { ActivitySpan, ActivitySpanState, JsonObject, RecentMap, RecentMapState, asObject, count, str, timestampMs } from './json_fields';
import { LastText, LeadingPairs, isoMs, keyIs } from './json_pairs';
import { Finder, hasNonAscii, keyOpening, objectSpan, parseLatin1, parseUtf8, shortStringPair, startsWith, trailingStringPair } from './json_scan';
import type { LineParser } from './log_reader';
import type { LogSummary, SummaryParser } from './log_summary';

interface Usage {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
}

function usageOf(u: Record<string, unknown>): Usage {
  return {
    input: count(u.input_tokens) ?? 0,
    output: count(u.output_tokens) ?? 0,
    cacheCreation: count(u.cache_creation_input_tokens) ?? 0,
    cacheRead: count(u.cache_read_input_tokens) ?? 0,
  };
}

/** Lines at least this long are skimmed when they can be; shorter ones cost little to parse whole. */
const SKIM_BYTES = 512;
const TIMESTAMP_KEY = keyOpening('timestamp');
const TOOL_USE_ID = keyOpening('id');
const CONTENT_END = Buffer.from('],"stop_reason":', 'latin1');
const TOOL_USE = Buffer.from('{"type":"tool_use","id":"', 'latin1');
const key = (name: string): Buffer => Buffer.from(name, 'latin1');
const K = {
  parentUuid: key('parentUuid'), type: key('type'), isSidechain: key('isSidechain'), cwd: key('cwd'), sessionId: key('sessionId'),
  timestamp: key('timestamp'), message: key('message'), content: key('content'), id: key('id'), model: key('model'),
  requestId: key('requestId'), usage: key('usage'), assistant: key('assistant'), user: key('user'), input: key('input_tokens'), output: key('output_tokens'),
  cacheCreation: key('cache_creation_input_tokens'), cacheRead: key('cache_read_input_tokens'),
};

const NO_TOOL_USES: readonly string[] = [];
const NO_BYTES = Buffer.alloc(0);

/** A token count as written: digits (anything else is left to count(), which reads it as absent). */
function countAt(buf: Buffer, v0: number, v1: number): number | undefined {
  if (v1 - v0 > 15) return countText(buf, v0, v1);
  let n = 0;
  for (let i = v0; i < v1; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return countText(buf, v0, v1);
    n = n * 10 + d;
  }
  return n;
}
/** A count written otherwise (1e3, 2.5, -1): as JavaScript reads it. Apart, so that countAt stays small to optimize. */
function countText(buf: Buffer, v0: number, v1: number): number {
  return Number(buf.toString('latin1', v0, v1));
}
/** Record types of Claude Code logs: a line of one of them (or with a sessionId) makes the file an agent log. */
const RECORD_TYPES = new Set(['user', 'assistant', 'system', 'summary', 'file-history-snapshot', 'attachment', 'progress']);

/** What the leading pairs of a record said, as offsets into the line (-1: not there). */
class Leading {
  firstIsParentUuid = false;
  any = false;
  type0 = -1;
  type1 = -1;
  sidechain: boolean | null = null;
  cwd0 = -1;
  cwd1 = -1;
  sessionId0 = -1;
  sessionId1 = -1;
  timestamp0 = -1;
  timestamp1 = -1;
  requestId0 = -1;
  requestId1 = -1;
  /** Message level: id, model and the usage counts. */
  id0 = -1;
  id1 = -1;
  model0 = -1;
  model1 = -1;
  input: number | undefined = undefined;
  output: number | undefined = undefined;
  cacheCreation: number | undefined = undefined;
  cacheRead: number | undefined = undefined;
  reset(): void {
    this.firstIsParentUuid = this.any = false;
    this.type0 = this.type1 = this.cwd0 = this.cwd1 = this.sessionId0 = this.sessionId1 = this.timestamp0 = this.timestamp1 = -1;
    this.id0 = this.id1 = this.model0 = this.model1 = this.requestId0 = this.requestId1 = -1;
    this.input = this.output = this.cacheCreation = this.cacheRead = undefined;
    this.sidechain = null;
  }
}

/** What a ClaudeParser has counted (its saveState()): plain data, maps included, that a worker thread can post. */
export interface ClaudeState {
  sessionId: string | null;
  cwd: string | null;
  model: string | null;
  span: ActivitySpanState;
  requests: RecentMapState<Usage>;
  toolUseIds: RecentMapState<true>;
  nRequests: number;
  sum: Usage;
  seenUsage: boolean;
  contextTokens: number | null;
  peakContextTokens: number | null;
  toolUses: number;
  mainLines: number;
  sideLines: number;
  recognized: boolean;
}

/** Parses one Claude Code log, line by line; memory stays bounded (recent requests only). */
export class ClaudeParser implements LineParser, SummaryParser {
  private sessionId: string | null = null;
  private cwd: string | null = null;
  private model: string | null = null;
  private readonly span = new ActivitySpan();
  /** Latest usage per recent request; older requests stay in the sums below. */
  private readonly requests = new RecentMap<Usage>(4096);
  private readonly toolUseIds = new RecentMap<true>(4096);
  private nRequests = 0;
  private sum: Usage = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
  private seenUsage = false;
  private contextTokens: number | null = null;
  /** The most any main-conversation request held: past 200k, a 1M-capable model ran with the 1M window. */
  private peakContextTokens: number | null = null;
  private toolUses = 0;
  private mainLines = 0;
  private sideLines = 0;
  /** A line was a Claude Code record: the file is an agent log (a junk .jsonl never is). */
  recognized = false;
  private readonly timestamp = new Finder('"timestamp":"');
  private readonly pairs = new LeadingPairs();
  /** The same cwd, session id and model on every line: decoded when their bytes change. */
  private readonly text = { sessionId: new LastText(), cwd: new LastText(), model: new LastText() };
  private readonly lead = new Leading();
  private buf: Buffer = NO_BYTES;
  private readonly visitTop = (k0: number, k1: number, v0: number, v1: number, isString: boolean): void => {
    const b = this.buf;
    const l = this.lead;
    if (!l.any) {
      l.any = true;
      l.firstIsParentUuid = keyIs(b, k0, k1, K.parentUuid);
    }
    if (!isString) {
      if (keyIs(b, k0, k1, K.isSidechain)) l.sidechain = b[v0] === 0x74; // true
    } else if (keyIs(b, k0, k1, K.type)) {
      l.type0 = v0;
      l.type1 = v1;
    } else if (keyIs(b, k0, k1, K.cwd)) {
      l.cwd0 = v0;
      l.cwd1 = v1;
    } else if (keyIs(b, k0, k1, K.sessionId)) {
      l.sessionId0 = v0;
      l.sessionId1 = v1;
    } else if (keyIs(b, k0, k1, K.timestamp)) {
      l.timestamp0 = v0;
      l.timestamp1 = v1;
    } else if (keyIs(b, k0, k1, K.requestId)) {
      l.requestId0 = v0;
      l.requestId1 = v1;
    }
  };
  private readonly visitUsage = (k0: number, k1: number, v0: number, v1: number, isString: boolean): void => {
    if (isString) return;
    const b = this.buf;
    const l = this.lead;
    if (keyIs(b, k0, k1, K.input)) l.input = countAt(b, v0, v1);
    else if (keyIs(b, k0, k1, K.output)) l.output = countAt(b, v0, v1);
    else if (keyIs(b, k0, k1, K.cacheCreation)) l.cacheCreation = countAt(b, v0, v1);
    else if (keyIs(b, k0, k1, K.cacheRead)) l.cacheRead = countAt(b, v0, v1);
  };
  private readonly visitMessage = (k0: number, k1: number, v0: number, v1: number, isString: boolean): void => {
    if (!isString) return;
    if (keyIs(this.buf, k0, k1, K.id)) {
      this.lead.id0 = v0;
      this.lead.id1 = v1;
    } else if (keyIs(this.buf, k0, k1, K.model)) {
      this.lead.model0 = v0;
      this.lead.model1 = v1;
    }
  };

  line(buf: Buffer, start: number, end: number): boolean {
    const o = objectSpan(buf, start, end);
    if (o === null) return false; // not an object: not a record
    this.buf = buf; // for the visitors; let go of at the end (the parser outlives the line)
    try {
      const l = this.lead;
      l.reset();
      const p = this.pairs;
      if (p.walk(buf, o.start + 1, o.end, this.visitTop)) {
        if (p.key0 >= 0 && l.type0 < 0 && keyIs(buf, p.key0, p.key1, K.message) && buf[p.valueAt] === 0x7b) {
          if (this.assistant(buf, o.start, o.end, p.valueAt)) return true;
        } else if (end - start >= SKIM_BYTES && l.type0 >= 0 && !keyIs(buf, l.type0, l.type1, K.assistant)) {
          if (this.skim(buf, o.start, o.end)) return true;
        }
      }
    } finally {
      this.buf = NO_BYTES;
    }
    return this.parsed(buf, start, end);
  }

  /** The whole line, decoded and parsed. */
  private parsed(buf: Buffer, start: number, end: number): boolean {
    let rec = parseLatin1(buf, start, end);
    if (rec === null) return false;
    const message = asObject(rec.message);
    // Latin-1 keeps ASCII exact; a kept string with anything else is taken from a UTF-8 parse.
    if (hasNonAscii(rec.sessionId, rec.cwd, message?.model)) rec = parseUtf8(buf, start, end) ?? rec;
    this.record(rec);
    return true;
  }

  /**
   * An assistant record read around its content: the pairs of the record and of its message before the
   * content array, and after it (`],"stop_reason":...` to the end: the message's scalars and usage object,
   * then the record's last pairs), read from the bytes; the content's tool_use block from its first pairs.
   * The walk after the content closes exactly the message and the record only if that `]` closes the
   * content array. False when the line is not exactly so (then it is parsed whole).
   */
  private assistant(buf: Buffer, start: number, end: number, messageAt: number): boolean {
    const p = this.pairs;
    const l = this.lead;
    if (!p.walk(buf, messageAt + 1, end, this.visitMessage) || p.key0 < 0 || !keyIs(buf, p.key0, p.key1, K.content) || buf[p.valueAt] !== 0x5b) return false;
    const c0 = p.valueAt;
    const c1 = buf.lastIndexOf(CONTENT_END, end - CONTENT_END.length);
    if (c1 < c0) return false;
    let at = c1 + 1;
    let seenUsage = false;
    for (;;) {
      if (!p.walk(buf, at, end, null, false)) return false;
      if (p.key0 < 0) break; // the message's }
      if (seenUsage || !keyIs(buf, p.key0, p.key1, K.usage)) return false;
      at = p.object(buf, p.valueAt, end, this.visitUsage);
      if (at < 0) return false;
      seenUsage = true;
    }
    if (!seenUsage || !p.walk(buf, p.closeAt + 1, end, this.visitTop, false) || p.key0 >= 0 || p.closeAt !== end - 1) return false;
    if (l.type0 < 0 || !keyIs(buf, l.type0, l.type1, K.assistant)) return false;
    // The tool calls: a block opening {"type":"tool_use","id":"…"; one at most, as the first block. Only
    // the content is searched (a search through to the next hit would also cross the user records between).
    let toolUseId: string | undefined;
    const first = startsWith(buf, c0 + 1, c1, TOOL_USE);
    if (buf.subarray(c0, c1 + 1).indexOf(TOOL_USE, first ? 2 : 1) >= 0) return false;
    if (first) {
      const id = shortStringPair(buf, c0 + 1 + TOOL_USE.length - TOOL_USE_ID.length, c1, TOOL_USE_ID);
      if (id === null) return false;
      toolUseId = buf.toString('latin1', id.v0, id.v1);
    }
    // What record() does with a parsed assistant record, from the offsets.
    if (l.sessionId0 >= 0) this.sessionId = this.text.sessionId.of(buf, l.sessionId0, l.sessionId1);
    if (l.cwd0 >= 0) this.cwd = this.text.cwd.of(buf, l.cwd0, l.cwd1);
    this.recognized = true;
    this.span.add(l.timestamp0 >= 0 ? isoMs(buf, l.timestamp0, l.timestamp1) : null);
    const sidechain = l.sidechain === true;
    this.countLine(sidechain);
    const key = l.requestId0 >= 0 ? buf.toString('latin1', l.requestId0, l.requestId1) : l.id0 >= 0 ? buf.toString('latin1', l.id0, l.id1) : null;
    const usage: Usage = { input: count(l.input) ?? 0, output: count(l.output) ?? 0, cacheCreation: count(l.cacheCreation) ?? 0, cacheRead: count(l.cacheRead) ?? 0 };
    this.request(sidechain, l.model0 >= 0 ? this.text.model.of(buf, l.model0, l.model1) : null, toolUseId === undefined ? NO_TOOL_USES : [toolUseId], key, usage);
    return true;
  }

  /**
   * A big user (or system) record: what its leading pairs say, and its timestamp from its last pair or,
   * in a message record (those always carry one at the top level), from its only "timestamp" key.
   * False when that cannot be told exactly (then it is parsed whole).
   */
  private skim(buf: Buffer, start: number, end: number): boolean {
    const l = this.lead;
    let ts: { v0: number; v1: number } | null = l.timestamp0 >= 0 ? { v0: l.timestamp0, v1: l.timestamp1 } : trailingStringPair(buf, end, TIMESTAMP_KEY);
    if (ts === null) {
      if (!l.firstIsParentUuid || this.timestamp.countUpToTwo(buf, start, end) !== 1) return false;
      ts = shortStringPair(buf, this.timestamp.find(buf, start, end), end, TIMESTAMP_KEY);
      if (ts === null) return false;
    }
    if (l.sessionId0 >= 0) this.sessionId = this.text.sessionId.of(buf, l.sessionId0, l.sessionId1);
    if (l.cwd0 >= 0) this.cwd = this.text.cwd.of(buf, l.cwd0, l.cwd1);
    this.span.add(isoMs(buf, ts.v0, ts.v1));
    if (keyIs(buf, l.type0, l.type1, K.user)) this.countLine(l.sidechain === true);
    if (l.sessionId0 >= 0 || RECORD_TYPES.has(buf.toString('latin1', l.type0, l.type1))) this.recognized = true;
    return true;
  }

  private record(rec: JsonObject): void {
    const sid = str(rec.sessionId);
    if (sid !== null) this.sessionId = sid;
    const cwd = str(rec.cwd);
    if (cwd !== null) this.cwd = cwd;
    if (sid !== null || (typeof rec.type === 'string' && RECORD_TYPES.has(rec.type))) this.recognized = true;
    this.span.add(timestampMs(rec.timestamp));
    const sidechain = rec.isSidechain === true;
    if (rec.type === 'user' || rec.type === 'assistant') {
      this.countLine(sidechain);
    }
    if (rec.type !== 'assistant') return;
    const message = asObject(rec.message);
    if (message === null) return;
    const toolUses: (string | null)[] = [];
    if (Array.isArray(message.content)) {
      for (const item of message.content) {
        const block = asObject(item);
        if (block?.type === 'tool_use') toolUses.push(str(block.id));
      }
    }
    const u = asObject(message.usage);
    this.request(sidechain, str(message.model), toolUses, str(rec.requestId) ?? str(message.id), u === null ? null : usageOf(u));
  }

  /**
   * A user or assistant line of the main chain or of a sub-agent. Both counters are updated whichever it is:
   * a branch taken only by sub-agent lines would be one the optimizing compiler has not seen yet when the
   * first one comes (a deoptimization, and the parser compiled again).
   */
  private countLine(sidechain: boolean): void {
    const side = sidechain ? 1 : 0;
    this.sideLines += side;
    this.mainLines += 1 - side;
  }

  /** One assistant record: its model, tool calls and usage (null: none), keyed by request. */
  private request(sidechain: boolean, model: string | null, toolUses: readonly (string | null)[], key: string | null, usage: Usage | null): void {
    // '<synthetic>' marks messages Claude Code makes up itself (API errors, interruptions): no request.
    if (model === '<synthetic>') return;
    // The session's model is the main conversation's: a sub-agent's (often a smaller model, with another
    // window) stands only until the main conversation names one.
    if (model !== null && (!sidechain || this.model === null)) this.model = model;
    for (const id of toolUses) {
      if (id !== null) {
        if (this.toolUseIds.has(id)) continue;
        this.toolUseIds.set(id, true);
      }
      this.toolUses++;
    }
    if (usage === null) return;
    const prev = key !== null ? this.requests.get(key) : undefined;
    if (prev) {
      this.sum.input -= prev.input;
      this.sum.output -= prev.output;
      this.sum.cacheCreation -= prev.cacheCreation;
      this.sum.cacheRead -= prev.cacheRead;
    } else {
      this.nRequests++;
    }
    if (key !== null) this.requests.set(key, usage);
    this.sum.input += usage.input;
    this.sum.output += usage.output;
    this.sum.cacheCreation += usage.cacheCreation;
    this.sum.cacheRead += usage.cacheRead;
    this.seenUsage = true;
    // Claude Code's own figure (its status line's context_window.used_percentage): input + cache creation +
    // cache read of the last request of the main conversation; output is not counted.
    if (!sidechain) {
      this.contextTokens = usage.input + usage.cacheCreation + usage.cacheRead;
      if (this.peakContextTokens === null || this.contextTokens > this.peakContextTokens) this.peakContextTokens = this.contextTokens;
    }
  }

  /** What the lines so far came to, for another ClaudeParser to go on from (a log read by a worker thread). */
  saveState(): ClaudeState {
    return {
      sessionId: this.sessionId,
      cwd: this.cwd,
      model: this.model,
      span: this.span.state(),
      requests: this.requests.state(),
      toolUseIds: this.toolUseIds.state(),
      nRequests: this.nRequests,
      sum: { ...this.sum },
      seenUsage: this.seenUsage,
      contextTokens: this.contextTokens,
      peakContextTokens: this.peakContextTokens,
      toolUses: this.toolUses,
      mainLines: this.mainLines,
      sideLines: this.sideLines,
      recognized: this.recognized,
    };
  }

  loadState(state: unknown): void {
    const s = state as ClaudeState;
    this.sessionId = s.sessionId;
    this.cwd = s.cwd;
    this.model = s.model;
    this.span.restore(s.span);
    this.requests.restore(s.requests);
    this.toolUseIds.restore(s.toolUseIds);
    this.nRequests = s.nRequests;
    this.sum = { ...s.sum };
    this.seenUsage = s.seenUsage;
    this.contextTokens = s.contextTokens;
    this.peakContextTokens = s.peakContextTokens;
    this.toolUses = s.toolUses;
    this.mainLines = s.mainLines;
    this.sideLines = s.sideLines;
    this.recognized = s.recognized;
  }

  summary(): LogSummary {
    const s = this.sum;
    return {
      sessionId: this.sessionId,
      cwd: this.cwd,
      projectHash: null,
      model: this.model,
      tokens: this.seenUsage
        ? { input: s.input, output: s.output, cacheCreation: s.cacheCreation, cacheRead: s.cacheRead, total: s.input + s.output + s.cacheCreation + s.cacheRead }
        : { input: null, output: null, cacheCreation: null, cacheRead: null, total: null },
      contextTokens: this.contextTokens,
      peakContextTokens: this.peakContextTokens,
      contextWindow: null,
      firstActivityMs: this.span.first,
      lastActivityMs: this.span.last,
      toolUses: this.toolUses,
      requests: this.nRequests,
      sidechain: this.sideLines > 0 && this.mainLines === 0,
    };
  }
}
