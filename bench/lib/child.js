'use strict';
// A command run as a fresh process, as a user runs it: wall time from spawn to exit, and
// the CPU time (user + system) of the child and what it waited for, read from this
// process's cutime + cstime in /proc/self/stat (clock ticks of 10 ms).

const { spawnSync } = require('child_process');
const fs = require('fs');

const TICK_MS = 10; // USER_HZ is 100 on every Linux Node runs on

function childCpuMs() {
  const s = fs.readFileSync('/proc/self/stat', 'latin1');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) * TICK_MS; // fields 16, 17: cutime, cstime
}

/** Run cmd.argv once; { wallMs, cpuMs, stdout }. Throws when it fails to run or exits non-zero (other than cmd.okExit). */
function runCommand(cmd) {
  const c0 = childCpuMs();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd.argv[0], cmd.argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30, env: cmd.env });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpuMs = childCpuMs() - c0;
  if (r.error) throw r.error;
  if (r.status !== 0 && !(cmd.okExit || []).includes(r.status)) throw new Error(`${cmd.label} exited ${r.status ?? r.signal}: ${String(r.stderr).slice(0, 500)}`);
  return { wallMs, cpuMs, stdout: r.stdout };
}

module.exports = { TICK_MS, childCpuMs, runCommand };
