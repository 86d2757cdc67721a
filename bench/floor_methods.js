// Issue 17: where the bench's dashboard/floor ratio and the issue's own method part. One load (1,000 sleep
// + four 256 MiB python3 processes, all ended at the end), one C floor (median of 9 passes, before and
// after), then the dashboard in a private tmux (bench/lib/dashboard_tmux.js, its tick probe) five ways:
// the bench's cadence and window, the issue's, each with and without --single-threaded, and a steady
// window. `node bench/floor_methods.js` (about 3 minutes); docs/performance.md has a run.
const path = require('path');
const { spawn } = require('child_process');
const root = path.join(__dirname, '..');
const { Dashboard } = require(root + '/bench/lib/dashboard_tmux');
const { buildFloor, runFloor } = require(root + '/bench/lib/floor');
const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const kids = [];
async function main() {
  for (let i = 0; i < 1000; i++) kids.push(spawn('sleep', ['900'], { stdio: 'ignore' }));
  for (let i = 0; i < 4; i++) {
    const p = spawn('python3', ['-c', "import sys,time\nb=bytearray(b'\\x01')*(256<<20)\nprint('ready',flush=True)\ntime.sleep(900)"], { stdio: ['ignore', 'pipe', 'ignore'] });
    kids.push(p);
    await new Promise((r) => p.stdout.once('data', r));
  }
  await delay(2000);
  const { bin } = buildFloor(path.join(root, 'bench', 'out'), () => {});
  const floor = () => median(Array.from({ length: 9 }, () => runFloor(bin, 1)[0].cpuMs));
  const f0 = floor();
  console.log(`floor pass: ${f0.toFixed(1)} ms CPU (${runFloor(bin, 1)[0].pids} pids)`);
  const variants = [
    { label: 'bench: --interval 0.5, no flag, 20 s after 3 ticks', interval: 0.5, flag: false, from: null, to: 20 },
    { label: 'issue: --interval 1, no flag, 10-30 s after start', interval: 1, flag: false, from: 10, to: 30 },
    { label: 'issue: --interval 1, --single-threaded, 10-30 s', interval: 1, flag: true, from: 10, to: 30 },
    { label: 'steady: --interval 1, --single-threaded, 40-60 s', interval: 1, flag: true, from: 40, to: 60 },
    { label: 'bench: --interval 0.5, --single-threaded, 20 s after 3 ticks', interval: 0.5, flag: true, from: null, to: 20 },
  ];
  for (const v of variants) {
    const d = new Dashboard({ root, intervalSec: v.interval });
    if (v.flag) d.argv.splice(1, 0, '--single-threaded');
    const t0 = Date.now();
    try {
      let a, n0;
      if (v.from === null) {
        await d.start({ warmTicks: 3 });
        n0 = await d.nextTick();
        a = d.reading();
        await delay(v.to * 1000);
      } else {
        await d.start({ warmTicks: 1 });
        await delay(t0 + v.from * 1000 - Date.now());
        a = d.reading();
        n0 = d.ticks().length;
        await delay(t0 + v.to * 1000 - Date.now());
      }
      const b = d.reading();
      const n1 = d.ticks().length;
      const cpu = b.dashboard.selfMs - a.dashboard.selfMs;
      const ticks = n1 - n0;
      const wallS = (b.atMs - a.atMs) / 1000;
      const nominal = wallS / v.interval;
      console.log(`${v.label}: ${cpu.toFixed(0)} ms CPU, ${ticks} ticks (nominal ${nominal.toFixed(0)}): ${(cpu / ticks).toFixed(1)} ms/tick = ${(cpu / ticks / f0).toFixed(2)}x floor; per nominal tick ${(cpu / nominal).toFixed(1)} = ${(cpu / nominal / f0).toFixed(2)}x; tick() median ${median(d.ticks().slice(n0, n1).map((t) => t.cpuMs)).toFixed(1)} ms`);
    } finally {
      await d.stop();
    }
  }
  console.log(`floor pass after: ${floor().toFixed(1)} ms`);
}
main().catch((e) => console.error(e)).finally(() => { for (const k of kids) try { k.kill('SIGKILL'); } catch {} });
