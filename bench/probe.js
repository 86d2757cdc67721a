'use strict';
// Two measurements of a running dashboard that no bench case takes, as a preload (`node -r bench/probe.js`)
// and a reader of what it wrote (docs/performance.md, "Issue 17, eleventh round"):
//
//   SPMON_PROBE_ALLOC=<file>        V8's sampling heap profiler (every 512 bytes, objects later collected by
//                                   either GC kept) from 20 s to 50 s after start, written to <file>
//   SPMON_PROBE_FIRST_WRITE=<file>  appends one JSON line at the first write of over 2,000 bytes to fd 1 (the
//                                   dashboard's first frame): ms from Node's start to the preload and to the
//                                   write, and the process's CPU ms by then
//
//   node bench/probe.js alloc <file> [N]       KB per second allocated, by function (self and inclusive)
//   node bench/probe.js first <file>...        medians of the first-write lines of each file
//
// For example, the idle dashboard's allocations (bench/idle_cpu.sh runs it in a private tmux for 80 s):
//   SPMON_PROBE_ALLOC=/tmp/a.json bash bench/idle_cpu.sh node --single-threaded --no-opt \
//     --verify-snapshot-checksum -r ./bench/probe.js bin/spmon
//   node bench/probe.js alloc /tmp/a.json
const fs = require('fs');

const ALLOC_FROM_MS = 20_000;
const ALLOC_FOR_MS = 30_000;

function preload() {
  if (process.env.SPMON_PROBE_ALLOC) {
    const out = process.env.SPMON_PROBE_ALLOC;
    const inspector = require('inspector');
    const session = new inspector.Session();
    session.connect();
    setTimeout(() => {
      const opts = { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
      session.post('HeapProfiler.startSampling', opts, () => {
        setTimeout(() => {
          session.post('HeapProfiler.stopSampling', (err, r) => {
            if (!err) fs.writeFileSync(out, JSON.stringify({ seconds: ALLOC_FOR_MS / 1000, profile: r.profile }));
          });
        }, ALLOC_FOR_MS).unref();
      });
    }, ALLOC_FROM_MS).unref();
  }
  if (process.env.SPMON_PROBE_FIRST_WRITE) {
    const out = process.env.SPMON_PROBE_FIRST_WRITE;
    const { performance } = require('perf_hooks');
    const preloadMs = performance.now();
    const writeSync = fs.writeSync;
    let done = false;
    fs.writeSync = function probedWriteSync(fd, data, ...rest) {
      const n = writeSync.call(fs, fd, data, ...rest);
      if (!done && fd === 1 && (typeof data === 'string' ? data.length : data.byteLength) > 2000) {
        done = true;
        const cpu = process.cpuUsage();
        fs.appendFileSync(out, JSON.stringify({ preloadMs, frameMs: performance.now(), cpuMs: (cpu.user + cpu.system) / 1000 }) + '\n');
      }
      return n;
    };
  }
}

function summarizeAlloc(file, top = 25) {
  const { seconds, profile } = JSON.parse(fs.readFileSync(file, 'utf8'));
  const self = new Map();
  const incl = new Map();
  let total = 0;
  const walk = (node, stack) => {
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
    const here = stack.includes(key) ? stack : [...stack, key];
    total += node.selfSize;
    self.set(key, (self.get(key) ?? 0) + node.selfSize);
    for (const k of here) incl.set(k, (incl.get(k) ?? 0) + node.selfSize);
    for (const c of node.children) walk(c, here);
  };
  walk(profile.head, []);
  const rate = (b) => (b / 1024 / seconds).toFixed(1).padStart(8);
  const lines = [`allocated: ${rate(total).trim()} KB/s over ${seconds} s`, '  self KB/s:'];
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${rate(v)}  ${k}`);
  lines.push('  inclusive KB/s:');
  for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${rate(v)}  ${k}`);
  return lines.join('\n');
}

function summarizeFirst(files) {
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  return files
    .map((file) => {
      const rows = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      return `${file}: ${rows.length} starts; median ms from Node's start: preload ${median(rows.map((r) => r.preloadMs)).toFixed(1)}, first frame ${median(rows.map((r) => r.frameMs)).toFixed(1)} (after the preload ${median(rows.map((r) => r.frameMs - r.preloadMs)).toFixed(1)}); CPU by then ${median(rows.map((r) => r.cpuMs)).toFixed(1)}`;
    })
    .join('\n');
}

if (require.main === module) {
  const [what, ...args] = process.argv.slice(2);
  if (what === 'alloc' && args[0]) console.log(summarizeAlloc(args[0], Number(args[1] ?? 25)));
  else if (what === 'first' && args.length > 0) console.log(summarizeFirst(args));
  else {
    console.error('usage: node bench/probe.js alloc <file> [N] | first <file>...  (as a preload: node -r bench/probe.js, see the top of this file)');
    process.exit(2);
  }
} else {
  preload();
}
