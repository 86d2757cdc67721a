'use strict';
// Issue 11 §3: how fast spmon reads agent logs, against ccusage (the npm package users already run for
// token counts; a Rust binary, two threads here) on the same files, in the same rounds. The logs are
// generated (bench/lib/agent_logs.js: realistic Claude Code, Codex and Gemini CLI sessions, --tokens-mb in
// all) under a temporary HOME that is removed afterwards. Every subject is a fresh process:
//   spmon-read     node loading dist/lib/sources/agents and calling readAll() on the Claude logs: the parser
//   spmon-read-2t  the same with readAll()'s worker thread used whatever the size and the load average
//   spmon-tokens   bin/spmon tokens --json on the Claude logs (CLAUDE_CONFIG_DIR): the command, /proc included
//   ccusage        ccusage claude daily --json --offline on the same Claude logs (its native binary)
//   ccusage-1t     the same with --single-thread
//   spmon-all / ccusage-all   every tool's logs: spmon tokens --json, ccusage daily --json --offline
// and the totals are checked: spmon's against what the generator wrote and against ccusage's (Claude).

const fs = require('fs');
const os = require('os');
const path = require('path');
const { runCommand } = require('../lib/child');
const { summarize, ratio, yieldToEvents } = require('../lib/stats');
const { writeAgentLogs } = require('../lib/agent_logs');

const MiB = 1024 * 1024;

function ccusageBinary(root) {
  const { ensureTool } = require(path.join(root, 'scripts', 'toolchain.js'));
  const cli = ensureTool('ccusage');
  const pkgDir = path.resolve(path.dirname(cli), '..', '..');
  const bin = path.join(pkgDir, '@ccusage', `ccusage-${process.platform}-${process.arch}`, 'bin', 'ccusage');
  if (!fs.existsSync(bin)) throw new Error(`ccusage has no native binary for ${process.platform}-${process.arch} (looked for ${bin})`);
  fs.chmodSync(bin, 0o755); // installed with --ignore-scripts: its wrapper would set the mode on first use
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, 'ccusage', 'package.json'), 'utf8')).version;
  return { bin, version };
}

function dirBytes(dir) {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return n;
}

const sumTokens = (sessions) => {
  const t = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
  for (const s of sessions) for (const k of Object.keys(t)) t[k] += s.tokens[k] ?? 0;
  return t;
};
const fromCcusage = (doc) => {
  const t = doc.totals ?? {};
  return { input: t.inputTokens, output: t.outputTokens, cacheCreation: t.cacheCreationTokens, cacheRead: t.cacheReadTokens };
};
const same = (a, b) => Object.keys(a).every((k) => a[k] === b[k]);

module.exports = {
  name: 'tokens',
  order: 40,
  title: 'agent logs: spmon reading them against ccusage on the same files',
  async run(ctx) {
    const { opts, root, spmonRoot, level, shouldStop, log } = ctx;
    if (level.extra > 0) return null; // reading files: the process count does not matter
    const cc = ccusageBinary(root);
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-bench-tokens-'));
    const cleanup = () => fs.rmSync(base, { recursive: true, force: true });
    process.once('exit', cleanup); // Ctrl-C: run.js exits; the logs go with it
    try {
      const home = path.join(base, 'home');
      const empty = path.join(base, 'empty');
      fs.mkdirSync(home);
      fs.mkdirSync(empty);
      log(`bench: tokens: writing ${opts.tokensMb} MiB of agent logs under ${base}...`);
      const t0 = Date.now();
      const want = writeAgentLogs(home, { mb: opts.tokensMb, seed: 1 });
      log(`bench: tokens: written in ${Date.now() - t0} ms`);
      const claudeDir = path.join(home, '.claude');
      const claudeBytes = dirBytes(claudeDir);
      const allBytes = dirBytes(home);
      const spmon = path.join(spmonRoot, 'bin', 'spmon');
      const agentsLib = path.join(spmonRoot, 'dist', 'lib', 'sources', 'agents');
      const env = (o) => ({ PATH: process.env.PATH, LANG: 'C.UTF-8', ...o });
      const claudeOnly = env({ HOME: empty, CLAUDE_CONFIG_DIR: claudeDir, TMUX_TMPDIR: base });
      const everything = env({ HOME: home, TMUX_TMPDIR: base });
      // readAll() as spmon calls it (one thread below its threshold), and with its worker thread whatever the size and load.
      const readScript = (readWorker) =>
        `const { AgentLogs } = require(${JSON.stringify(agentsLib)});` +
        `const a = new AgentLogs({ env: { HOME: ${JSON.stringify(empty)}, CLAUDE_CONFIG_DIR: ${JSON.stringify(claudeDir)} }, readWorker: ${JSON.stringify(readWorker)} });` +
        `const s = a.readAll();` +
        `process.stdout.write(JSON.stringify({ worker: a.stats.lastWorker, sessions: s.map((x) => ({ tokens: x.tokens, complete: x.complete })) }));`;
      const cmds = [
        { id: 'ccusage', label: `ccusage ${cc.version} claude daily --json --offline`, argv: [cc.bin, 'claude', 'daily', '--json', '--offline'], env: claudeOnly, bytes: claudeBytes },
        { id: 'ccusage-1t', label: '  the same, --single-thread', argv: [cc.bin, 'claude', 'daily', '--json', '--offline', '--single-thread'], env: claudeOnly, bytes: claudeBytes, baseline: 'ccusage' },
        { id: 'spmon-read', label: 'spmon parser: readAll() in a fresh node', argv: [process.execPath, '-e', readScript({})], env: claudeOnly, bytes: claudeBytes, baseline: 'ccusage', headline: true },
        {
          id: 'spmon-read-2t',
          label: '  the same with its worker thread (whatever the size and load)',
          argv: [process.execPath, '-e', readScript({ minBytes: 0, ignoreLoad: true })],
          env: claudeOnly,
          bytes: claudeBytes,
          baseline: 'ccusage',
        },
        { id: 'spmon-tokens', label: 'spmon tokens --json', argv: [process.execPath, spmon, 'tokens', '--json'], okExit: [1, 2], env: claudeOnly, bytes: claudeBytes, baseline: 'ccusage', headline: true },
        { id: 'ccusage-all', label: `ccusage daily --json --offline (all tools)`, argv: [cc.bin, 'daily', '--json', '--offline'], env: everything, bytes: allBytes },
        { id: 'spmon-all', label: 'spmon tokens --json (all tools)', argv: [process.execPath, spmon, 'tokens', '--json'], okExit: [1, 2], env: everything, bytes: allBytes, baseline: 'ccusage-all' },
      ];
      const data = new Map(cmds.map((c) => [c.id, { wall: [], cpu: [], out: null }]));
      // One untimed round: the page cache holds the logs for everyone, and each output is kept for the checks.
      for (const c of cmds) data.get(c.id).out = runCommand({ ...c, label: c.id }).stdout;
      for (let r = 0; r < opts.runs && !shouldStop(); r++) {
        for (let k = 0; k < cmds.length; k++) {
          const c = cmds[(r + k) % cmds.length];
          const x = runCommand({ ...c, label: c.id });
          data.get(c.id).wall.push(x.wallMs);
          data.get(c.id).cpu.push(x.cpuMs);
        }
        await yieldToEvents();
      }

      // The totals: spmon against the generator, and against ccusage on the Claude logs.
      const expectedClaude = { ...want.claude.tokens };
      delete expectedClaude.total;
      const readDoc = JSON.parse(data.get('spmon-read').out);
      const read = readDoc.sessions;
      const spmonRead = sumTokens(read);
      const read2 = JSON.parse(data.get('spmon-read-2t').out);
      const spmonTokens = sumTokens(JSON.parse(data.get('spmon-tokens').out).sessions);
      const ccClaude = fromCcusage(JSON.parse(data.get('ccusage').out));
      const all = JSON.parse(data.get('spmon-all').out).sessions;
      const byTool = (tool) => sumTokens(all.filter((s) => s.tool === tool));
      const strip = (t) => ({ input: t.input, output: t.output, cacheCreation: t.cacheCreation, cacheRead: t.cacheRead });
      const checks = {
        claudeSessions: { spmon: read.length, written: want.claude.sessions },
        claudeAgreesWithGenerator: same(spmonRead, expectedClaude) && same(spmonTokens, expectedClaude) && same(sumTokens(read2.sessions), expectedClaude),
        /** What the worker did in the -2t row's untimed round, and that the plain row used none. */
        worker: { plain: readDoc.worker, forced: read2.worker },
        claudeAgreesWithCcusage: same(spmonTokens, ccClaude),
        codexAgreesWithGenerator: same(strip(byTool('codex')), strip(want.codex.tokens)),
        geminiAgreesWithGenerator: same(strip(byTool('gemini')), strip(want.gemini.tokens)),
        allComplete: read.every((s) => s.complete) && read2.sessions.every((s) => s.complete) && all.every((s) => s.complete),
        spmon: spmonTokens,
        ccusage: ccClaude,
        generator: expectedClaude,
      };

      const sum = new Map([...data].map(([id, d]) => [id, { wall: summarize(d.wall), cpu: summarize(d.cpu) }]));
      const rows = cmds.map((c) => {
        const s = sum.get(c.id);
        const b = c.baseline ? sum.get(c.baseline) : null;
        return {
          id: c.id,
          group: `fresh process per run; ${(claudeBytes / MiB).toFixed(0)} MiB of Claude logs, ${(allBytes / MiB).toFixed(0)} MiB in all`,
          label: c.label,
          baseline: c.baseline || null,
          headline: !!c.headline,
          wall: s.wall,
          cpu: s.cpu,
          ratioWall: b ? ratio(s.wall.median, b.wall.median) : null,
          ratioCpu: b ? ratio(s.cpu.median, b.cpu.median) : null,
          mibPerSecWall: s.wall.median ? c.bytes / MiB / (s.wall.median / 1000) : null,
          mibPerSecCpu: s.cpu.median ? c.bytes / MiB / (s.cpu.median / 1000) : null,
          samplesMs: { wall: data.get(c.id).wall, cpu: data.get(c.id).cpu },
        };
      });
      const row = (id) => rows.find((x) => x.id === id);
      const notes = [
        `MiB/s by wall (median): spmon parser ${row('spmon-read').mibPerSecWall.toFixed(0)} (with its worker ${row('spmon-read-2t').mibPerSecWall.toFixed(0)}: ` +
          `${read2.worker ? `${read2.worker.workerLogs} logs, ${(read2.worker.workerBytes / MiB).toFixed(0)} MiB read by the worker` : 'no worker'}), spmon tokens ${row('spmon-tokens').mibPerSecWall.toFixed(0)}, ` +
          `ccusage ${row('ccusage').mibPerSecWall.toFixed(0)} (single thread ${row('ccusage-1t').mibPerSecWall.toFixed(0)}); ` +
          `all tools: spmon ${row('spmon-all').mibPerSecWall.toFixed(0)}, ccusage ${row('ccusage-all').mibPerSecWall.toFixed(0)}`,
        `Claude totals: spmon ${checks.claudeAgreesWithCcusage ? 'agrees' : 'DISAGREES'} with ccusage ${cc.version} and ` +
          `${checks.claudeAgreesWithGenerator ? 'agrees' : 'DISAGREES'} with the generator (${read.length} sessions of ${want.claude.sessions} written); ` +
          `Codex ${checks.codexAgreesWithGenerator ? 'agrees' : 'DISAGREES'}, Gemini ${checks.geminiAgreesWithGenerator ? 'agrees' : 'DISAGREES'} with the generator; ` +
          `every session complete: ${checks.allComplete}`,
      ];
      if (!checks.claudeAgreesWithCcusage || !checks.claudeAgreesWithGenerator) {
        notes.push(`WARNING: totals differ: spmon ${JSON.stringify(spmonTokens)}, ccusage ${JSON.stringify(ccClaude)}, generator ${JSON.stringify(expectedClaude)}`);
      }
      return { processCount: require('../lib/machine').processCount(), rows, notes, checks, logs: { mib: opts.tokensMb, claudeBytes, allBytes, files: { claude: want.claude.files, codex: want.codex.files, gemini: want.gemini.files } } };
    } finally {
      cleanup();
      process.removeListener('exit', cleanup);
    }
  },
};
