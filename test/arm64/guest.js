'use strict';
// Runs inside an aarch64 Bun under qemu (test/prebuilds_arm64.test.ts): loads the addon named by
// argv[2], then answers each JSON request on a stdin line with one JSON line, so that one slow start
// under emulation serves every check. Unknown numbers (NaN) come out as null.

const readline = require('readline');

const addon = { exports: {} };
process.dlopen(addon, process.argv[2]);
const reader = new addon.exports.Reader({});

function indexOf(s, pid) {
  const i = Array.from(s.pid).indexOf(pid);
  if (i < 0) throw new Error(`pid ${pid} is not in the sample`);
  return i;
}

const ops = {
  processes() {
    const s = reader.sample({ smaps: false });
    const self = indexOf(s, process.pid);
    return {
      count: s.count,
      pids: Array.from(s.pid),
      startTimes: Array.from(s.startTime),
      self: { pid: process.pid, ppid: s.ppid[self], state: String.fromCharCode(s.state[self]), cmdline: s.cmdline[self] },
      host: { cpuCount: s.host.cpuCount, memTotal: s.host.memTotal, clockTicks: s.host.clockTicks },
    };
  },
  memory({ pid }) {
    const s = reader.sample({ smapsPids: [pid] });
    const i = indexOf(s, pid);
    return { uss: s.privateClean[i] + s.privateDirty[i], pss: s.pss[i], rss: s.rss[i] };
  },
  signal({ pid, startTime, signal }) {
    const r = addon.exports.openProcess(pid, startTime);
    if (!r.handle) return { status: r.status };
    try {
      return { status: r.status, outcome: r.handle.signal(signal) };
    } finally {
      r.handle.close();
    }
  },
};

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let reply;
  try {
    const req = JSON.parse(line);
    reply = ops[req.op](req);
  } catch (err) {
    reply = { error: String(err && err.message) };
  }
  process.stdout.write(`${JSON.stringify(reply)}\n`);
});
process.stdout.write(`${JSON.stringify({ ready: true, arch: process.arch })}\n`);
