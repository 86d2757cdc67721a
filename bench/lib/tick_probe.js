'use strict';
// Preloaded into the dashboard by the `dashboard` case (node -r bench/lib/tick_probe.js
// bin/spmon ...) to count its ticks exactly, without changing lib/. The dashboard's
// tick() (lib/ui/app.ts) brackets its work with process.cpuUsage() and
// process.cpuUsage(start), the figure its status bar shows as "tick X ms"; this wraps
// process.cpuUsage and appends one line per completed tick to the file named by
// SPMON_BENCH_TICK_FILE:
//
//   <tick cpu ms, as the status bar> <tick wall ms> <ms since the probe loaded, at tick end>
//   <V8 heap total> <V8 heap used> <external + array buffers> <rss>   (bytes, at tick end)
//
// Cost: process.memoryUsage() and one write(2) of ~80 bytes per tick, outside tick()'s
// own figure. A tick period is the interval plus the tick's own wall time (the next
// tick is scheduled when one ends), so counting ticks beats dividing elapsed time by
// the interval.

const fs = require('fs');
const { performance } = require('perf_hooks');

const file = process.env.SPMON_BENCH_TICK_FILE;
if (file) {
  const fd = fs.openSync(file, 'a');
  const original = process.cpuUsage;
  let wall0 = null;
  process.cpuUsage = function cpuUsage(previous) {
    const r = original.call(process, previous);
    if (previous === undefined) wall0 = performance.now();
    else if (wall0 !== null) {
      const now = performance.now();
      const m = process.memoryUsage();
      fs.writeSync(
        fd,
        `${((r.user + r.system) / 1000).toFixed(3)} ${(now - wall0).toFixed(3)} ${now.toFixed(1)} ` +
          `${m.heapTotal} ${m.heapUsed} ${m.external + m.arrayBuffers} ${m.rss}\n`,
      );
      wall0 = null;
    }
    return r;
  };
  delete process.env.SPMON_BENCH_TICK_FILE; // not inherited by what the dashboard spawns
}
