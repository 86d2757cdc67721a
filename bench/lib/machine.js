'use strict';
// What the figures were measured on.
const fs = require('fs');
const os = require('os');

function processCount(procRoot = '/proc') {
  return fs.readdirSync(procRoot).filter((n) => /^[1-9][0-9]*$/.test(n)).length;
}

function machine() {
  const cpus = os.cpus();
  let cgroupMemLimit = null;
  for (const p of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const v = fs.readFileSync(p, 'utf8').trim();
      cgroupMemLimit = v === 'max' || Number(v) >= 2 ** 62 ? 'none' : Number(v);
      break;
    } catch {
      /* not here */
    }
  }
  return {
    nproc: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    cpuModel: cpus.length ? cpus[0].model : null,
    memTotalBytes: os.totalmem(),
    kernel: os.release(),
    kernelVersion: os.version(),
    arch: os.arch(),
    node: process.version,
    rootCgroupMemLimit: cgroupMemLimit,
    loadavg: os.loadavg(),
    pidMax: Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8')),
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
  };
}

module.exports = { machine, processCount };
