'use strict';
// Realistic agent logs for the tokens case: Claude Code, Codex and Gemini CLI sessions in the shapes of
// test/fixtures/agents/ (big assistant messages with tool calls, tool output repeated in toolUseResult,
// streamed requests that repeat their usage, sub-agent logs, Codex reasoning blobs and cumulative
// token_count events, Gemini messages rewritten with their tokens), written under a HOME of the caller's.
// Deterministic for a seed. File sizes follow a real-world profile of Claude Code logs (median ~100 KB,
// p99 ~5 MB, one log in tens of MB). Every writer also returns what it wrote: the token totals the
// parsers must find. Over 300 lines: one writer per tool's format, kept together so that the bench and a
// profiling run by hand write the same bytes for the same seed.
//
//   node bench/lib/agent_logs.js DIR [--mb 300] [--seed 1]   # writes DIR/.claude, .codex, .gemini

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const MiB = 1024 * 1024;

/** mulberry32: a small seeded PRNG, so every run writes the same bytes. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
    /** Log-uniform between lo and hi: many small values, a few big ones. */
    logInt: (lo, hi) => Math.round(Math.exp(Math.log(lo) + next() * (Math.log(hi) - Math.log(lo)))),
  };
}

const WORDS = (
  'the of and to in is that for it as with was on be by this are or from at which but not have an they ' +
  'function return const let value result error file path test build config server client request response ' +
  'session process memory token context window buffer stream parse read write update cache index table ' +
  'über naïve café résumé 日本語 ✓ → …'
).split(' ');
const IDENTS = ['foo', 'bar', 'baz', 'count', 'total', 'items', 'opts', 'ctx', 'handler', 'reader', 'parser', 'entry', 'node', 'list', 'map'];

/** Source-code-like text: quotes, backslashes, tabs, indentation, some non-ASCII. */
function codeText(r, bytes) {
  const lines = [];
  let n = 0;
  while (n < bytes) {
    const indent = '  '.repeat(r.int(0, 4));
    let l;
    switch (r.int(0, 7)) {
      case 0:
        l = `${indent}const ${r.pick(IDENTS)}${r.int(0, 99)} = ${r.pick(IDENTS)}("${r.pick(WORDS)} ${r.pick(WORDS)}", ${r.int(0, 9999)});`;
        break;
      case 1:
        l = `${indent}if (${r.pick(IDENTS)} === null || ${r.pick(IDENTS)}.length > ${r.int(1, 500)}) return '${r.pick(WORDS)}';`;
        break;
      case 2:
        l = `${indent}// ${Array.from({ length: r.int(3, 12) }, () => r.pick(WORDS)).join(' ')}`;
        break;
      case 3:
        l = `${indent}path = "C:\\\\Users\\\\${r.pick(IDENTS)}\\\\${r.pick(WORDS)}.txt"; re = /\\d+\\.\\w*/g;`;
        break;
      case 4:
        l = `${indent}\tlog.info(\`${r.pick(WORDS)}: \${${r.pick(IDENTS)}} {"key": "${r.pick(WORDS)}", "n": ${r.int(0, 1e6)}}\`);`;
        break;
      case 5:
        l = `${indent}}`;
        break;
      case 6:
        l = '';
        break;
      default:
        l = `${indent}${r.pick(IDENTS)}.${r.pick(IDENTS)}(${r.pick(IDENTS)}, ${r.pick(IDENTS)}) // ${r.pick(WORDS)}`;
    }
    lines.push(l);
    n += l.length + 1;
  }
  return lines.join('\n');
}

function prose(r, bytes) {
  const out = [];
  let n = 0;
  while (n < bytes) {
    const w = r.pick(WORDS);
    out.push(w);
    n += w.length + 1;
  }
  return out.join(' ');
}

/** Read tool output: `     1→line` numbering, as Claude Code shows files to the model. */
function numbered(text) {
  return text
    .split('\n')
    .map((l, i) => `${String(i + 1).padStart(6)}→${l}`)
    .join('\n');
}

function uuid(r) {
  const h = [];
  for (let i = 0; i < 16; i++) h.push(r.int(0, 255));
  h[6] = (h[6] & 0x0f) | 0x40;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

function base64(r, bytes) {
  const b = Buffer.allocUnsafe(Math.ceil((bytes * 3) / 4));
  for (let i = 0; i < b.length; i++) b[i] = r.int(0, 255);
  return b.toString('base64');
}

/** Sizes of `count` logs adding up to about `totalBytes`, after the real-world quantiles of Claude Code logs. */
function fileSizes(totalBytes, count) {
  const q = [
    [0, 236],
    [0.5, 105267],
    [0.75, 233572],
    [0.9, 653972],
    [0.95, 1504757],
    [0.99, 5383751],
    [1, 87033471],
  ];
  const raw = [];
  for (let i = 0; i < count; i++) {
    const p = (i + 0.5) / count;
    let k = 1;
    while (k < q.length - 1 && p > q[k][0]) k++;
    const [p0, s0] = q[k - 1];
    const [p1, s1] = q[k];
    raw.push(s0 + ((s1 - s0) * (p - p0)) / (p1 - p0));
  }
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((s) => Math.max(2048, Math.round((s * totalBytes) / sum)));
}

/** Buffered line writer (bounded memory for a log of any size). */
class LineFile {
  constructor(file) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.file = file;
    this.fd = fs.openSync(file, 'w');
    this.parts = [];
    this.pending = 0;
    this.bytes = 0;
  }
  line(obj) {
    const s = JSON.stringify(obj) + '\n';
    this.parts.push(s);
    const n = Buffer.byteLength(s);
    this.pending += n;
    this.bytes += n;
    if (this.pending > 4 * MiB) this.flush();
  }
  raw(s) {
    this.parts.push(s);
    const n = Buffer.byteLength(s);
    this.pending += n;
    this.bytes += n;
  }
  flush() {
    if (this.parts.length) fs.writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.pending = 0;
  }
  close() {
    this.flush();
    fs.closeSync(this.fd);
  }
}

const zero = () => ({ input: 0, output: 0, cacheCreation: 0, cacheRead: 0, total: 0 });
const add = (a, b) => {
  for (const k of Object.keys(a)) a[k] += b[k];
};

// ---- Claude Code ------------------------------------------------------------------------------------------

const CLAUDE_MODELS = ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-haiku-4-5-20251001'];

/**
 * One Claude Code session log of about `target` bytes: turns of a user prompt, requests streamed as one
 * line per content block (thinking, text, tool_use; each repeating the request's usage with output
 * growing, the last line final), tool results with their output twice (message content and toolUseResult).
 * Returns the expected token sums (each request once, with its last usage).
 */
function writeClaudeSession(file, r, o) {
  const f = new LineFile(file);
  const sid = o.sessionId;
  const t0 = o.startMs;
  let t = t0;
  const tick = () => new Date((t += r.int(200, 4000))).toISOString();
  const sum = zero();
  let requests = 0;
  let parent = null;
  const base = () => ({
    parentUuid: parent,
    isSidechain: o.sidechain,
    userType: 'external',
    cwd: o.cwd,
    sessionId: sid,
    version: '2.0.14',
    gitBranch: 'main',
    ...(o.agentId ? { agentId: o.agentId } : {}),
  });
  const push = (rec) => {
    const u = uuid(r);
    f.line({ ...rec, uuid: u, timestamp: tick(), ...(rec.toolUseResult ? { toolUseResult: rec.toolUseResult } : {}) });
    parent = u;
  };
  if (!o.sidechain && r.chance(0.5)) f.line({ type: 'summary', summary: prose(r, 60), leafUuid: uuid(r) });
  let ctx = r.int(12000, 20000);
  const model = r.pick(CLAUDE_MODELS);
  while (f.bytes < o.target) {
    push({ ...base(), type: 'user', message: { role: 'user', content: prose(r, r.logInt(30, 3000)) } });
    const steps = r.int(1, 6);
    for (let s = 0; s < steps && f.bytes < o.target; s++) {
      requests++;
      const reqId = `req_011C${uuid(r).replace(/-/g, '').slice(0, 20)}`;
      const msgId = `msg_01${uuid(r).replace(/-/g, '').slice(0, 22)}`;
      const cacheCreation = r.chance(0.3) ? r.int(200, 8000) : 0;
      const input = r.int(1, 12);
      const cacheRead = ctx;
      ctx = Math.min(190000, ctx + cacheCreation + r.int(100, 3000));
      const finalOut = r.logInt(20, 4000);
      const blocks = [];
      if (r.chance(0.6)) blocks.push({ type: 'thinking', thinking: prose(r, r.logInt(100, 4000)), signature: base64(r, r.int(200, 800)) });
      if (r.chance(0.7)) blocks.push({ type: 'text', text: prose(r, r.logInt(20, 2000)) });
      const tools = [];
      const nTools = r.chance(0.75) ? r.int(1, 3) : 0;
      for (let k = 0; k < nTools; k++) {
        const id = `toolu_01${uuid(r).replace(/-/g, '').slice(0, 22)}`;
        const kind = r.pick(['Read', 'Read', 'Bash', 'Bash', 'Edit', 'Write', 'Grep', 'Task']);
        let input;
        const filePath = `${o.cwd}/src/${r.pick(IDENTS)}/${r.pick(IDENTS)}.ts`;
        if (kind === 'Read') input = { file_path: filePath };
        else if (kind === 'Bash') input = { command: `npm test -- ${r.pick(IDENTS)} 2>&1 | tail -${r.int(5, 200)}`, description: prose(r, 40) };
        else if (kind === 'Edit') input = { file_path: filePath, old_string: codeText(r, r.logInt(50, 4000)), new_string: codeText(r, r.logInt(50, 4000)) };
        else if (kind === 'Write') input = { file_path: filePath, content: codeText(r, r.logInt(500, 40000)) };
        else if (kind === 'Grep') input = { pattern: `${r.pick(IDENTS)}\\(`, path: o.cwd, output_mode: 'content' };
        else input = { description: prose(r, 30), prompt: prose(r, r.logInt(200, 3000)), subagent_type: 'general-purpose' };
        tools.push({ id, kind, input });
        blocks.push({ type: 'tool_use', id, name: kind, input });
      }
      if (blocks.length === 0) blocks.push({ type: 'text', text: prose(r, 50) });
      blocks.forEach((b, i) => {
        const last = i === blocks.length - 1;
        const out = last ? finalOut : Math.max(1, Math.round((finalOut * (i + 1)) / (blocks.length + 1)));
        push({
          ...base(),
          message: {
            id: msgId,
            type: 'message',
            role: 'assistant',
            model,
            content: [b],
            stop_reason: last ? (tools.length ? 'tool_use' : 'end_turn') : null,
            stop_sequence: null,
            usage: {
              input_tokens: input,
              cache_creation_input_tokens: cacheCreation,
              cache_read_input_tokens: cacheRead,
              cache_creation: { ephemeral_5m_input_tokens: cacheCreation, ephemeral_1h_input_tokens: 0 },
              output_tokens: out,
              service_tier: 'standard',
            },
          },
          requestId: reqId,
          type: 'assistant',
        });
      });
      add(sum, { input, output: finalOut, cacheCreation, cacheRead, total: input + finalOut + cacheCreation + cacheRead });
      for (const tu of tools) {
        let content;
        let toolUseResult;
        if (tu.kind === 'Read') {
          const text = codeText(r, r.logInt(200, 60000));
          content = numbered(text);
          const numLines = text.split('\n').length;
          toolUseResult = { type: 'text', file: { filePath: tu.input.file_path, content: text, numLines, startLine: 1, totalLines: numLines } };
        } else if (tu.kind === 'Bash') {
          const out = codeText(r, r.logInt(20, 30000));
          content = out;
          toolUseResult = { stdout: out, stderr: '', interrupted: false, isImage: false };
        } else if (tu.kind === 'Task') {
          const text = prose(r, r.logInt(200, 4000));
          content = [{ type: 'text', text }];
          // A sub-agent's result carries its usage: a user line with "usage":{ that must not be counted.
          toolUseResult = {
            status: 'completed',
            prompt: tu.input.prompt,
            content: [{ type: 'text', text }],
            totalDurationMs: r.int(1000, 90000),
            totalTokens: r.int(1000, 90000),
            totalToolUseCount: r.int(1, 30),
            usage: { input_tokens: r.int(1, 99), cache_creation_input_tokens: r.int(0, 5000), cache_read_input_tokens: r.int(0, 90000), output_tokens: r.int(1, 4000), service_tier: 'standard' },
          };
        } else {
          content = tu.kind === 'Grep' ? codeText(r, r.logInt(50, 8000)) : `The file ${tu.input.file_path} has been updated.`;
          toolUseResult = { filePath: tu.input.file_path, oldString: tu.input.old_string ?? null, newString: tu.input.new_string ?? null, structuredPatch: [] };
        }
        push({
          ...base(),
          type: 'user',
          message: { role: 'user', content: [{ tool_use_id: tu.id, type: 'tool_result', content }] },
          toolUseResult,
        });
      }
    }
    if (r.chance(0.05)) {
      push({ ...base(), type: 'system', subtype: 'informational', content: prose(r, 80), isMeta: false, level: 'info' });
    }
    if (r.chance(0.02)) {
      // An API error Claude Code records itself: a synthetic assistant message with zero usage.
      push({
        ...base(),
        type: 'assistant',
        isApiErrorMessage: true,
        message: {
          id: uuid(r),
          model: '<synthetic>',
          role: 'assistant',
          type: 'message',
          content: [{ type: 'text', text: 'API Error: 529 overloaded' }],
          usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
      });
    }
  }
  f.close();
  return { path: file, bytes: f.bytes, tokens: sum, requests, endMs: t };
}

// ---- Codex ------------------------------------------------------------------------------------------------

function writeCodexSession(file, r, o) {
  const f = new LineFile(file);
  let t = o.startMs;
  const ts = () => new Date((t += r.int(100, 3000))).toISOString();
  f.line({
    timestamp: ts(),
    type: 'session_meta',
    payload: {
      id: o.sessionId,
      timestamp: new Date(o.startMs).toISOString(),
      cwd: o.cwd,
      originator: 'codex_cli_rs',
      cli_version: '0.46.0',
      instructions: prose(r, r.int(2000, 12000)),
      git: { commit_hash: uuid(r).replace(/-/g, ''), branch: 'main', repository_url: 'git@example.com:x/y.git' },
    },
  });
  const total = { input: 0, cached: 0, output: 0, reasoning: 0 };
  let requests = 0;
  let ctx = r.int(8000, 15000);
  const model = r.pick(['gpt-5-codex', 'gpt-5', 'gpt-5.1-codex']);
  while (f.bytes < o.target) {
    f.line({
      timestamp: ts(),
      type: 'turn_context',
      payload: { cwd: o.cwd, approval_policy: 'on-request', sandbox_policy: { mode: 'workspace-write', network_access: false }, model, effort: 'medium', summary: 'auto' },
    });
    const prompt = prose(r, r.logInt(30, 2000));
    f.line({ timestamp: ts(), type: 'response_item', payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: prompt }] } });
    f.line({ timestamp: ts(), type: 'event_msg', payload: { type: 'user_message', message: prompt, kind: 'plain' } });
    const steps = r.int(1, 8);
    for (let s = 0; s < steps && f.bytes < o.target; s++) {
      const summary = prose(r, r.logInt(30, 600));
      f.line({ timestamp: ts(), type: 'event_msg', payload: { type: 'agent_reasoning', text: summary } });
      f.line({
        timestamp: ts(),
        type: 'response_item',
        payload: { type: 'reasoning', summary: [{ type: 'summary_text', text: summary }], content: null, encrypted_content: base64(r, r.logInt(500, 12000)) },
      });
      const callId = `call_${uuid(r).replace(/-/g, '').slice(0, 24)}`;
      if (r.chance(0.8)) {
        const args = JSON.stringify({ command: ['bash', '-lc', `rg -n "${r.pick(IDENTS)}" src | head -${r.int(5, 200)}`], workdir: o.cwd, timeout_ms: 120000 });
        f.line({ timestamp: ts(), type: 'response_item', payload: { type: 'function_call', name: 'shell', arguments: args, call_id: callId } });
        const output = JSON.stringify({ output: codeText(r, r.logInt(50, 40000)), metadata: { exit_code: 0, duration_seconds: r.next() * 5 } });
        f.line({ timestamp: ts(), type: 'response_item', payload: { type: 'function_call_output', call_id: callId, output } });
      } else {
        f.line({ timestamp: ts(), type: 'response_item', payload: { type: 'custom_tool_call', status: 'completed', call_id: callId, name: 'apply_patch', input: `*** Begin Patch\n${codeText(r, r.logInt(100, 6000))}\n*** End Patch` } });
        f.line({ timestamp: ts(), type: 'response_item', payload: { type: 'custom_tool_call_output', call_id: callId, output: 'Success. Updated the following files:\nM src/x.ts' } });
      }
      const lastInput = ctx;
      const cached = Math.round(ctx * (0.5 + r.next() * 0.45));
      const out = r.logInt(20, 5000);
      const reasoning = Math.round(out * r.next() * 0.6);
      ctx = Math.min(250000, ctx + r.int(200, 6000));
      total.input += lastInput;
      total.cached += cached;
      total.output += out;
      total.reasoning += reasoning;
      requests++;
      const usage = (i, c, ou, re) => ({ input_tokens: i, cached_input_tokens: c, output_tokens: ou, reasoning_output_tokens: re, total_tokens: i + ou });
      f.line({
        timestamp: ts(),
        type: 'event_msg',
        payload: {
          type: 'token_count',
          info: {
            total_token_usage: usage(total.input, total.cached, total.output, total.reasoning),
            last_token_usage: usage(lastInput, cached, out, reasoning),
            model_context_window: 272000,
          },
          rate_limits: { primary: { used_percent: r.int(0, 100), window_minutes: 300, resets_in_seconds: r.int(0, 18000) } },
        },
      });
    }
    const answer = prose(r, r.logInt(50, 3000));
    f.line({ timestamp: ts(), type: 'response_item', payload: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: answer }] } });
    f.line({ timestamp: ts(), type: 'event_msg', payload: { type: 'agent_message', message: answer } });
  }
  f.close();
  // spmon: input excludes the cached part; total = input + output (Codex's total_tokens).
  return {
    path: file,
    bytes: f.bytes,
    tokens: { input: total.input - total.cached, output: total.output, cacheCreation: 0, cacheRead: total.cached, total: total.input + total.output },
    requests,
    endMs: t,
  };
}

// ---- Gemini CLI -------------------------------------------------------------------------------------------

function geminiMessages(r, o, emit) {
  let t = o.startMs;
  const ts = () => new Date((t += r.int(200, 5000))).toISOString();
  const sum = zero();
  let n = 0;
  let ctx = r.int(8000, 20000);
  let bytes = 0;
  while (bytes < o.target) {
    n++;
    bytes += emit({ id: uuid(r), timestamp: ts(), type: 'user', content: [{ text: prose(r, r.logInt(30, 2000)) }] });
    const steps = r.int(1, 5);
    for (let s = 0; s < steps; s++) {
      const id = uuid(r);
      const toolCalls = [];
      for (let k = r.chance(0.7) ? r.int(1, 2) : 0; k > 0; k--) {
        const out = codeText(r, r.logInt(100, 30000));
        toolCalls.push({
          id: `${r.pick(['read_file', 'run_shell_command', 'search_file_content'])}-${Date.now()}-${r.int(0, 1e9)}`,
          name: 'read_file',
          args: { absolute_path: `${o.cwd}/src/${r.pick(IDENTS)}.ts` },
          result: [{ functionResponse: { id: uuid(r), name: 'read_file', response: { output: out } } }],
          status: 'success',
          timestamp: ts(),
          resultDisplay: out,
          displayName: 'ReadFile',
          description: prose(r, 40),
          renderOutputAsMarkdown: true,
        });
      }
      const input = ctx;
      const cached = Math.round(ctx * r.next() * 0.9);
      const output = r.logInt(10, 3000);
      const thoughts = r.int(0, 2000);
      const tool = r.int(0, 100);
      ctx = Math.min(900000, ctx + r.int(200, 8000));
      const tokens = { input, output, cached, thoughts, tool, total: input + output + thoughts + tool };
      const msg = {
        id,
        timestamp: ts(),
        type: 'gemini',
        content: prose(r, r.logInt(20, 3000)),
        thoughts: [{ subject: prose(r, 20), description: prose(r, r.logInt(50, 1500)), timestamp: ts() }],
        ...(toolCalls.length ? { toolCalls } : {}),
        model: o.model,
      };
      if (o.jsonl && r.chance(0.3)) bytes += emit({ ...msg, tokens: null }); // written before its tokens arrive
      bytes += emit({ ...msg, tokens });
      sum.input += input - cached;
      sum.cacheRead += cached;
      sum.output += output;
      sum.total += tokens.total;
      n++;
    }
  }
  return { sum, n, endMs: t };
}

function writeGeminiSession(file, r, o) {
  const meta = { sessionId: o.sessionId, projectHash: o.projectHash, startTime: new Date(o.startMs).toISOString(), lastUpdated: new Date(o.startMs).toISOString(), kind: 'main' };
  if (o.jsonl) {
    const f = new LineFile(file);
    f.line(meta);
    const res = geminiMessages(r, o, (m) => {
      const before = f.bytes;
      f.line(m);
      if (r.chance(0.2)) f.line({ $set: { lastUpdated: m.timestamp } });
      return f.bytes - before;
    });
    f.close();
    return { path: file, bytes: f.bytes, tokens: res.sum, requests: res.n, endMs: res.endMs };
  }
  // The older layout: one document, rewritten as the chat goes on (written here once, at its end).
  const messages = [];
  const res = geminiMessages(r, o, (m) => {
    messages.push(m);
    return JSON.stringify(m).length;
  });
  const text = JSON.stringify({ ...meta, lastUpdated: new Date(res.endMs).toISOString(), messages }, null, 2);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return { path: file, bytes: Buffer.byteLength(text), tokens: res.sum, requests: res.n, endMs: res.endMs };
}

// ---- all of it --------------------------------------------------------------------------------------------

/**
 * Writes about `mb` MiB of logs under `home` (.claude 2/3, .codex 2/9, .gemini 1/9 of it), all of the last
 * few hours. Returns per tool: files, bytes, expected token sums (as spmon reports them: input without
 * cache reads; Claude's cache creation; Codex and Gemini cache reads).
 */
function writeAgentLogs(home, { mb = 300, seed = 1, now = Date.now() } = {}) {
  const r = rng(seed);
  const total = mb * MiB;
  const out = {};
  const tally = (tool, w) => {
    const t = (out[tool] ??= { files: 0, bytes: 0, sessions: 0, tokens: zero(), requests: 0 });
    t.files++;
    t.bytes += w.bytes;
    add(t.tokens, w.tokens);
    t.requests += w.requests;
  };
  const startOf = () => now - r.int(2, 20) * 3600 * 1000;

  // Claude Code: a file count in proportion to the real-world profile (~2.5 files per MB).
  const claudeBytes = Math.round((total * 2) / 3);
  const sizes = fileSizes(claudeBytes, Math.max(4, Math.round((claudeBytes / MiB) * 2.5)));
  for (let i = 0; i < sizes.length; i++) {
    const sessionId = uuid(r);
    const cwd = `/home/user/proj${i % 12}`;
    const dir = path.join(home, '.claude', 'projects', cwd.replace(/[^A-Za-z0-9]/g, '-'));
    const start = startOf();
    // One log in eight of a session over 200 KB spends a fifth of it in a sub-agent's log beside it.
    const sub = sizes[i] > 200 * 1024 && r.chance(0.125);
    const main = writeClaudeSession(path.join(dir, `${sessionId}.jsonl`), r, { sessionId, cwd, startMs: start, target: sub ? sizes[i] * 0.8 : sizes[i], sidechain: false });
    tally('claude', main);
    out.claude.sessions++;
    if (sub) {
      const agentId = uuid(r).slice(0, 8);
      const w = writeClaudeSession(path.join(dir, sessionId, 'subagents', `agent-${agentId}.jsonl`), r, {
        sessionId, cwd, startMs: start + 1000, target: sizes[i] * 0.2, sidechain: true, agentId,
      });
      tally('claude', w);
    }
  }

  // Codex: rollout files under sessions/YYYY/MM/DD.
  const codexSizes = fileSizes(Math.round((total * 2) / 9), Math.max(3, Math.round((total * 2) / 9 / MiB / 2)));
  for (const size of codexSizes) {
    const sessionId = uuid(r);
    const start = startOf();
    const d = new Date(start);
    const day = path.join(home, '.codex', 'sessions', String(d.getUTCFullYear()), String(d.getUTCMonth() + 1).padStart(2, '0'), String(d.getUTCDate()).padStart(2, '0'));
    const stamp = d.toISOString().slice(0, 19).replace(/:/g, '-');
    tally('codex', writeCodexSession(path.join(day, `rollout-${stamp}-${sessionId}.jsonl`), r, { sessionId, cwd: `/home/user/codex${r.int(0, 5)}`, startMs: start, target: size }));
    out.codex.sessions++;
  }

  // Gemini CLI: .jsonl chats, and every fourth an older .json document.
  const geminiSizes = fileSizes(Math.round(total / 9), Math.max(3, Math.round(total / 9 / MiB / 2)));
  geminiSizes.forEach((size, i) => {
    const root = `/home/user/gem${i % 4}`;
    const projectHash = crypto.createHash('sha256').update(root).digest('hex');
    const sessionId = uuid(r);
    const start = startOf();
    const jsonl = i % 4 !== 3;
    const stamp = new Date(start).toISOString().slice(0, 16).replace(/:/g, '-');
    const file = path.join(home, '.gemini', 'tmp', projectHash, 'chats', `session-${stamp}-${sessionId.slice(0, 8)}.${jsonl ? 'jsonl' : 'json'}`);
    tally('gemini', writeGeminiSession(file, r, { sessionId, projectHash, cwd: root, startMs: start, target: Math.min(size, 48 * MiB), jsonl, model: r.pick(['gemini-2.5-pro', 'gemini-2.5-flash']) }));
    out.gemini.sessions++;
  });
  return out;
}

module.exports = { writeAgentLogs, writeClaudeSession, writeCodexSession, writeGeminiSession, rng };

if (require.main === module) {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith('--'));
  const opt = (name, def) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : def;
  };
  if (!dir) {
    process.stderr.write('usage: node bench/lib/agent_logs.js DIR [--mb 300] [--seed 1]\n');
    process.exit(2);
  }
  const t0 = Date.now();
  const res = writeAgentLogs(path.resolve(dir), { mb: opt('mb', 300), seed: opt('seed', 1) });
  process.stdout.write(JSON.stringify(res, null, 2) + '\n');
  process.stderr.write(`written in ${Date.now() - t0} ms\n`);
}
