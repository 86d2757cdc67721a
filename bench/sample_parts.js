#!/usr/bin/env node
'use strict';
// What one cold sample() costs, part by part: a long-lived Reader of each checkout's addon, one sample every
// --gap ms (default 250: the caches go cold as they do between a dashboard's ticks), the options rotating so
// that each part's cost is a difference within the same run: with and without the cgroup, with and without the
// host, the processes alone, and nothing at all (the call, its options and its result objects). smaps is off
// throughout (it has its own budget). docs/performance.md, "Issue 17, twelfth round".
//   node bench/sample_parts.js [--before DIR] [--rounds N] [--gap MS]
// DIR: another checkout with build/Release/spmon.node built; both are then measured in the same rotation.
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const PARTS = {
  'processes, host, cgroup': { smaps: false },
  'processes, host': { smaps: false, cgroup: false },
  'processes, cgroup': { smaps: false, host: false },
  'processes': { smaps: false, host: false, cgroup: false },
  'nothing': { processes: false, host: false, cgroup: false },
};

function parse(argv) {
  const o = { before: null, rounds: 30, gap: 250 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--before') o.before = path.resolve(argv[++i]);
    else if (argv[i] === '--rounds') o.rounds = Number(argv[++i]);
    else if (argv[i] === '--gap') o.gap = Number(argv[++i]);
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return o;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function main() {
  const o = parse(process.argv.slice(2));
  const sides = { after: ROOT, ...(o.before ? { before: o.before } : {}) };
  const readers = {};
  for (const [side, root] of Object.entries(sides)) {
    readers[side] = new (require(path.join(root, 'build', 'Release', 'spmon.node')).Reader)({});
    readers[side].sample({ smaps: false }); // the first sample lists and opens everything
    readers[side].sample({ smaps: false }); // the second starts holding processes' files
  }
  const times = {};
  const jobs = [];
  for (const side of Object.keys(sides)) for (const part of Object.keys(PARTS)) jobs.push([side, part]);
  for (let r = 0; r < o.rounds; r++) {
    for (let k = 0; k < jobs.length; k++) {
      const [side, part] = jobs[(k + r) % jobs.length]; // rotated: no part always follows the same one
      await new Promise((res) => setTimeout(res, o.gap));
      const t0 = process.hrtime.bigint();
      readers[side].sample(PARTS[part]);
      ((times[side] ??= {})[part] ??= []).push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  }
  const count = readers.after.sample({ smaps: false, host: false, cgroup: false }).count;
  console.log(`sample() wall µs, median of ${o.rounds}, ${o.gap} ms apart, ${count} processes, smaps off`);
  for (const side of Object.keys(sides)) {
    const m = Object.fromEntries(Object.entries(times[side]).map(([k, v]) => [k, median(v)]));
    console.log(`${side} (${sides[side]}):`);
    for (const [k, v] of Object.entries(m)) console.log(`  ${k.padEnd(24)} ${v.toFixed(0).padStart(6)}`);
    console.log(`  the cgroup's part         ${(m['processes, host, cgroup'] - m['processes, host']).toFixed(0).padStart(6)}`);
    console.log(`  the host's part           ${(m['processes, host, cgroup'] - m['processes, cgroup']).toFixed(0).padStart(6)}`);
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
