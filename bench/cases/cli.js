'use strict';
// End to end: `spmon --once --json --interval 0` as a user runs it (a new Node, module
// loading, one sample, JSON out) against a bare `node -e 0`, so that what spmon adds is
// visible. Commands run one after another in rotating order; wall time from spawn to
// exit, CPU time of the child from this process's cutime + cstime (clock ticks).

const fs = require('fs');
const path = require('path');
const { runCommand } = require('../lib/child');
const { summarize, ratio, yieldToEvents } = require('../lib/stats');

function commands(root, beforeRoot) {
  const spmon = path.join(root, 'bin', 'spmon');
  const list = [
    { id: 'node-e-0', label: 'node -e 0', argv: [process.execPath, '-e', '0'] },
    {
      id: 'spmon-json',
      label: 'spmon --once --json --interval 0',
      argv: [process.execPath, spmon, '--once', '--json', '--interval', '0'],
      baseline: 'node-e-0',
      headline: true,
      json: true,
    },
    {
      // The same bundle required directly, as bin/spmon does when there is no code cache (an npm-packed
      // install, a stamp that names another build): what dist/spmon.cache saves.
      id: 'spmon-json-nocache',
      label: 'spmon --once --json --interval 0 without the code cache',
      argv: [process.execPath, '-e', `require(${JSON.stringify(path.join(root, 'dist', 'spmon.js'))}).main(['node', 'spmon', '--once', '--json', '--interval', '0']).then((c) => { process.exitCode = c; })`],
      baseline: 'node-e-0',
      json: true,
    },
    { id: 'spmon-json-vs-nocache', group: 'the code cache: CPU and wall beyond node -e 0', label: 'spmon --once --json beyond node -e 0: with the code cache vs without', compare: ['spmon-json', 'spmon-json-nocache'], headline: true },
    {
      id: 'spmon-table',
      label: 'spmon --once --interval 0 (table)',
      argv: [process.execPath, spmon, '--once', '--interval', '0'],
      baseline: 'node-e-0',
    },
  ];
  if (beforeRoot) {
    // The same command from another checkout (--before-root), in the same rounds: before and after a change.
    const before = path.join(beforeRoot, 'bin', 'spmon');
    list.push(
      { id: 'spmon-json-before', label: `spmon --once --json --interval 0 of ${path.basename(beforeRoot)} (before)`, argv: [process.execPath, before, '--once', '--json', '--interval', '0'], baseline: 'node-e-0', json: true },
      { id: 'spmon-json-vs-before', label: 'spmon --once --json --interval 0 beyond node -e 0, vs before', compare: ['spmon-json', 'spmon-json-before'], headline: true },
    );
  }
  if (fs.existsSync('/usr/bin/ps') || fs.existsSync('/bin/ps')) {
    list.push({ id: 'ps', label: 'ps -eo pid,ppid,rss,vsz,args (reference)', argv: ['ps', '-eo', 'pid,ppid,rss,vsz,args'], baseline: 'node-e-0' });
  }
  return list;
}

function runOnce(cmd) {
  const { wallMs, cpuMs, stdout } = runCommand(cmd);
  let processes = null;
  if (cmd.json) processes = JSON.parse(stdout).processes.length;
  return { wallMs, cpuMs, processes, stdoutBytes: stdout.length };
}

module.exports = {
  name: 'cli',
  order: 20,
  title: 'end to end: spmon --once --json --interval 0 vs node -e 0',
  async run(ctx) {
    const { opts, spmonRoot, shouldStop } = ctx;
    const all = commands(spmonRoot, opts.beforeRoot);
    const cmds = all.filter((c) => !c.compare);
    const data = new Map(cmds.map((c) => [c.id, { wall: [], cpu: [], processes: null, stdoutBytes: null }]));
    const warm = Math.min(2, opts.warmup);
    for (let w = 0; w < warm; w++) for (const c of cmds) runOnce(c);
    for (let r = 0; r < opts.runs && !shouldStop(); r++) {
      for (let k = 0; k < cmds.length; k++) {
        const c = cmds[(r + k) % cmds.length];
        const x = runOnce(c);
        const d = data.get(c.id);
        d.wall.push(x.wallMs);
        d.cpu.push(x.cpuMs);
        if (x.processes !== null) d.processes = x.processes;
        d.stdoutBytes = x.stdoutBytes;
      }
      await yieldToEvents();
    }
    const sum = new Map([...data].map(([id, d]) => [id, { wall: summarize(d.wall), cpu: summarize(d.cpu) }]));
    const rows = all.map((c) => {
      if (c.compare) {
        // Beyond node -e 0: what each checkout adds, and the ratio of the two.
        const [a, b] = c.compare.map((id) => sum.get(id));
        const base = sum.get('node-e-0');
        const extra = (x, k) => x[k].median - base[k].median;
        return {
          id: c.id, group: c.group ?? 'before/after (--before-root): CPU and wall beyond node -e 0', label: c.label, baseline: c.compare[1], headline: true,
          wall: summarize([extra(a, 'wall')]), cpu: summarize([extra(a, 'cpu')]),
          ratioWall: ratio(extra(a, 'wall'), extra(b, 'wall')), ratioCpu: ratio(extra(a, 'cpu'), extra(b, 'cpu')),
          beforeExtraMs: { wall: extra(b, 'wall'), cpu: extra(b, 'cpu') },
        };
      }
      const s = sum.get(c.id);
      const b = c.baseline ? sum.get(c.baseline) : null;
      return {
        id: c.id,
        group: 'a fresh process per run (CPU: child user+sys, 10 ms ticks)',
        label: c.label,
        baseline: c.baseline || null,
        headline: !!c.headline,
        wall: s.wall,
        cpu: s.cpu,
        ratioWall: b ? ratio(s.wall.median, b.wall.median) : null,
        ratioCpu: b ? ratio(s.cpu.median, b.cpu.median) : null,
        extraWallMs: b ? s.wall.median - b.wall.median : null,
        extraCpuMs: b ? s.cpu.median - b.cpu.median : null,
        stdoutBytes: data.get(c.id).stdoutBytes,
        samplesMs: { wall: data.get(c.id).wall, cpu: data.get(c.id).cpu },
      };
    });
    const j = rows.find((r) => r.id === 'spmon-json');
    const notes = [
      `spmon --json listed ${data.get('spmon-json').processes} processes (${j.stdoutBytes} bytes of JSON); ` +
        `beyond node -e 0 it costs ${j.extraWallMs.toFixed(1)} ms wall, ${j.extraCpuMs.toFixed(0)} ms CPU (medians)`,
    ];
    return { processCount: data.get('spmon-json').processes, rows, notes };
  },
};
