#!/usr/bin/env node
'use strict';
// What of the node binary a process holds in memory: resident MB of ICU's data (the `icudt*_dat` symbol, 33 MB
// of .rodata), of the binary's executable code, and its whole RSS, from /proc/<pid>/pagemap (root, or the
// process's owner). docs/performance.md, "Issue 17, fifth round".
//   node bench/binary_pages.js <pid>            a running process (the dashboard, a daemon)
//   node bench/binary_pages.js -e '<code>' [node flags]   a fresh `node [flags] -e '<code>'`, measured after
//                                                the code ran (node bench/binary_pages.js -e "require('prom-client')"
//                                                --single-threaded --no-opt: as the dashboard and daemon run)
// Only for a node binary that is not position-independent (Debian's /usr/bin/node): its symbols' addresses are
// its pages' addresses. Needs `nm` (binutils).
const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const { memOf } = require('./lib/monitor_pane');

function regions(binary) {
  let nm;
  try {
    nm = execFileSync('nm', ['-S', binary], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  } catch (err) {
    throw new Error(`nm -S ${binary} failed (${err.code ?? err.message}): install binutils`);
  }
  const icu = /^([0-9a-f]+) ([0-9a-f]+) [Rr] icudt\d+_dat$/m.exec(nm);
  if (!icu) throw new Error(`${binary} has no icudt*_dat symbol (no embedded ICU, or stripped)`);
  const out = [['ICU data', parseInt(icu[1], 16), parseInt(icu[2], 16)]];
  const elf = execFileSync('readelf', ['-lW', binary], { encoding: 'utf8' });
  for (const m of elf.matchAll(/LOAD\s+0x[0-9a-f]+ 0x([0-9a-f]+) 0x[0-9a-f]+ 0x([0-9a-f]+) 0x[0-9a-f]+ R E/g)) out.push(['code (R E)', parseInt(m[1], 16), parseInt(m[2], 16)]);
  return out;
}

function measure(pid) {
  const binary = fs.readlinkSync(`/proc/${pid}/exe`);
  const fd = fs.openSync(`/proc/${pid}/pagemap`, 'r');
  const sums = new Map();
  try {
    for (const [name, start, size] of regions(binary)) {
      const p0 = Math.floor(start / 4096);
      const p1 = Math.ceil((start + size) / 4096);
      const buf = Buffer.alloc((p1 - p0) * 8);
      fs.readSync(fd, buf, 0, buf.length, p0 * 8);
      let n = 0;
      for (let i = 0; i < p1 - p0; i++) if (buf.readUInt32LE(i * 8 + 4) & 0x80000000) n++;
      sums.set(name, (sums.get(name) ?? 0) + n * 4096);
    }
  } finally {
    fs.closeSync(fd);
  }
  const rss = memOf(pid)?.rssBytes ?? NaN;
  const mb = (b) => (b / 1e6).toFixed(2);
  return `pid ${pid} (${binary}): ${[...sums].map(([k, v]) => `${k} ${mb(v)} MB`).join(', ')}, RSS ${mb(rss)} MB`;
}

const args = process.argv.slice(2);
if (args[0] === '-e' && args[1] !== undefined) {
  // The child runs the code, says it is done, and waits to be measured and ended.
  const child = spawn(process.execPath, [...args.slice(2), '-e', `${args[1]};\nprocess.stdout.write('ran\\n'); setTimeout(() => {}, 60000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.once('data', () => {
    setTimeout(() => {
      console.log(`${JSON.stringify(args[1])}: ${measure(child.pid)}`);
      child.kill('SIGKILL');
    }, 300);
  });
} else if (/^\d+$/.test(args[0] ?? '')) {
  console.log(measure(Number(args[0])));
} else {
  console.error('usage: node bench/binary_pages.js <pid> | -e <code> [node flags]');
  process.exit(2);
}
