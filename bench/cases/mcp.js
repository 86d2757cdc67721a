'use strict';
// Issue 15: `spmon mcp` answering from a running daemon (goal: list_processes and list_sessions in <= 50 ms
// median at ~1,000 processes), next to the cost of one `spmon --once --json --interval 0` in the same run.
//
// A private world (HOME, XDG_RUNTIME_DIR, XDG_STATE_HOME under bench/out): `spmon daemon --detach` at 1 Hz,
// then `spmon mcp` over stdio driven by the SDK's Client. Each round calls every subject once, in rotating
// order: list_processes (default limit 50), list_processes with every process (limit 100000), list_sessions.
// Wall: from the client's request to its answer (the client does not validate outputs: it never listed
// the tools; the server validates each against its schema, as always). CPU: the spmon mcp process and
// the daemon together, from /proc/<pid>/stat before and after each call (10 ms ticks: a mean over the calls).

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { runCommand } = require('../lib/child');
const { summarize, ratio, yieldToEvents } = require('../lib/stats');

const GOAL_MS = 50;
const NONE = { n: 0, median: null, p90: null, min: null, max: null, mean: null };

function cpuMsOf(pid) {
  const t = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

module.exports = {
  name: 'mcp',
  order: 37,
  title: 'spmon mcp from a daemon: list_processes and list_sessions vs --once --json --interval 0',
  async run(ctx) {
    const { root, spmonRoot, opts, shouldStop, log } = ctx;
    const home = spmonRoot || root;
    const bin = path.join(home, 'bin', 'spmon');
    const { Client } = require(require.resolve('@modelcontextprotocol/sdk/client/index.js', { paths: [home] }));
    const { StdioClientTransport } = require(require.resolve('@modelcontextprotocol/sdk/client/stdio.js', { paths: [home] }));
    fs.mkdirSync(path.join(root, 'bench', 'out'), { recursive: true });
    const base = fs.mkdtempSync(path.join(root, 'bench', 'out', 'mcp-'));
    const env = { ...process.env, HOME: base, XDG_RUNTIME_DIR: path.join(base, 'run'), XDG_STATE_HOME: path.join(base, 'state'), TMUX_TMPDIR: base };
    for (const k of Object.keys(env)) if (k.startsWith('SPMON_')) delete env[k];
    fs.mkdirSync(env.XDG_RUNTIME_DIR, { mode: 0o700 });
    const spmon = (...args) => {
      const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', cwd: base });
      if (r.status !== 0) throw new Error(`spmon ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    let daemonPid = null;
    let client = null;
    try {
      spmon('--interval', '1', 'daemon', '--detach');
      daemonPid = JSON.parse(spmon('status', '--json')).pid;
      const transport = new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp'], env, stderr: 'ignore' });
      client = new Client({ name: 'spmon-bench', version: '1' });
      await client.connect(transport);
      const mcpPid = transport.pid;
      const call = async (name, args) => {
        const r = await client.callTool({ name, arguments: args });
        if (r.isError) throw new Error(`${name}: ${r.content[0].text}`);
        return r.structuredContent;
      };
      const status = await call('get_monitor_status', {});
      if (status.backend !== 'daemon') throw new Error(`spmon mcp answers from ${status.backend}, not the daemon`);
      // The goal is for the calls an agent makes (the default limit); every process is measured for scale.
      const subjects = [
        { id: 'list-processes', label: 'list_processes (limit 50)', args: { limit: 50 }, tool: 'list_processes', goal: true },
        { id: 'list-processes-all', label: 'list_processes (every process)', args: { limit: 100000 }, tool: 'list_processes', goal: false },
        { id: 'list-sessions', label: 'list_sessions', args: {}, tool: 'list_sessions', goal: true },
      ];
      const wall = new Map(subjects.map((s) => [s.id, []]));
      const cpu = new Map(subjects.map((s) => [s.id, 0]));
      const bytes = new Map();
      let processCount = null;
      for (let w = 0; w < opts.warmup; w++) for (const s of subjects) await call(s.tool, s.args);
      for (let r = 0; r < opts.reps && !shouldStop(); r++) {
        for (let k = 0; k < subjects.length; k++) {
          const s = subjects[(r + k) % subjects.length];
          const c0 = cpuMsOf(mcpPid) + cpuMsOf(daemonPid);
          const t0 = process.hrtime.bigint();
          const out = await call(s.tool, s.args);
          wall.get(s.id).push(Number(process.hrtime.bigint() - t0) / 1e6);
          cpu.set(s.id, cpu.get(s.id) + cpuMsOf(mcpPid) + cpuMsOf(daemonPid) - c0);
          bytes.set(s.id, JSON.stringify(out).length);
          if (s.id === 'list-processes-all') processCount = out.processes.length;
        }
        await yieldToEvents();
      }
      // The baseline: one snapshot as a fresh process, in the same world.
      const once = { id: 'once-json', label: 'spmon --once --json --interval 0', argv: [process.execPath, bin, '--once', '--json', '--interval', '0'], env };
      const onceWall = [];
      const onceCpu = [];
      for (let r = 0; r < opts.runs && !shouldStop(); r++) {
        const x = runCommand(once);
        onceWall.push(x.wallMs);
        onceCpu.push(x.cpuMs);
        await yieldToEvents();
      }
      const onceRow = { id: 'once-json', group: 'mcp', label: once.label, baseline: null, headline: false, wall: summarize(onceWall), cpu: summarize(onceCpu) };
      const rows = [onceRow];
      for (const s of subjects) {
        const w = summarize(wall.get(s.id));
        const meanCpu = w.n ? cpu.get(s.id) / w.n : null;
        rows.push({
          id: `mcp-${s.id}`, group: 'mcp', label: `${s.label} from the daemon${s.goal ? ` (goal <= ${GOAL_MS} ms)` : ''}`, baseline: 'once-json', headline: s.goal,
          wall: w, cpu: { ...NONE, n: w.n, mean: meanCpu, median: meanCpu }, ratioWall: ratio(w.median, onceRow.wall.median), ratioCpu: ratio(meanCpu, onceRow.cpu.median),
          answerBytes: bytes.get(s.id), goalMs: s.goal ? GOAL_MS : null,
        });
      }
      const verdict = (r) => (r.goalMs === null ? '' : r.wall.median <= r.goalMs ? ' met;' : ' NOT met;');
      const notes = rows.slice(1).map((r) => `${r.label}: median ${r.wall.median.toFixed(1)} ms, p90 ${r.wall.p90.toFixed(1)} ms, ${r.answerBytes} bytes;${verdict(r)} ${r.ratioWall.toFixed(3)}x the wall of --once --json (${onceRow.wall.median.toFixed(0)} ms)`);
      notes.push(`daemon at 1 Hz with ${processCount} processes; CPU per call is spmon mcp + the daemon, a mean over the calls (10 ms ticks)`);
      log(notes.join('\n'));
      return { processCount, rows, notes };
    } finally {
      if (client) await client.close().catch(() => undefined);
      if (daemonPid) {
        try {
          process.kill(daemonPid, 'SIGTERM');
        } catch {
          /* gone */
        }
        for (let i = 0; i < 100; i++) {
          try {
            process.kill(daemonPid, 0);
          } catch {
            break;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      fs.rmSync(base, { recursive: true, force: true });
    }
  },
};
