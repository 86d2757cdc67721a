'use strict';
// One dashboard tick's reading, driven in this process the way lib/ui/app.ts drives it,
// from the built model in dist/lib (so the plan is the dashboard's own, not a copy):
//
//   first tick (the Sampler has no history): reader.sample() with no smaps plan, so
//     every smaps_rollup is read;
//   then: smapsBudget.plan(rankSmaps(sampler.smapsCandidates(now), hot, schedule), budget)
//     with the budget of --smaps-budget (default 20 ms), reader.sample({ detailPid,
//     smapsPids, smapsCostMs, smapsBudgetMs }), smapsBudget.learn(raw),
//     sampler.ingest(raw, performance.now(), Date.now()) (lib/engine/engine.ts).
//
// `hot` is what a 120x40 pane shows: the first gridRows rows sorted by USS (the
// default sort), the first of them selected (and its detailPid read). Left out: the
// session collector's inspectPids (agent candidates: cwd and open files; none among
// the benchmark's own processes) and drawing. Each part is timed apart: plan and
// ingest are JavaScript, sample() is the addon.

const path = require('path');
const { performance } = require('perf_hooks');
const { timeOnce } = require('./stats');

/**
 * A long-lived reader and sampler. tick() returns { sample: { wallMs, cpuMs },
 * planMs, ingestMs (CPU), planned (pids in the plan, or null on the first tick), raw, snap }.
 */
function createTickDriver({ addon, procRoot, root, budgetMs, cols = 120, rows = 40 }) {
  const dist = (p) => require(path.resolve(root, 'dist', 'lib', p));
  const { Sampler } = dist('model/sampler');
  const { rankSmaps, defaultSmapsSchedule } = dist('model/smaps_schedule');
  const { SmapsBudget } = dist('model/smaps_budget');
  const { sortProcesses } = dist('view/process_table');
  const { dashboardLayout } = dist('view/dashboard_view');
  const reader = new addon.Reader({ procRoot });
  // The dashboard's Sampler with the default settings (lib/engine/engine.ts, lib/config.ts).
  const sampler = new Sampler({ thresholdPercent: 80, growth: { windowMs: 60000, minSpanMs: 15000 } });
  const schedule = { ...defaultSmapsSchedule, budgetMs: budgetMs ?? defaultSmapsSchedule.budgetMs };
  const smapsBudget = new SmapsBudget();
  const gridRows = dashboardLayout({ width: cols, height: rows }).gridRows;
  let snap = null;

  function options() {
    if (!sampler.hasHistory) return {};
    const onScreen = sortProcesses(snap.processes, 'uss').slice(0, gridRows);
    const hot = new Set(onScreen.map((p) => p.key));
    const plan = smapsBudget.plan(rankSmaps(sampler.smapsCandidates(Date.now()), hot, schedule), schedule.budgetMs);
    return { detailPid: onScreen.length ? onScreen[0].pid : undefined, ...plan };
  }

  function tick() {
    const p = timeOnce(options);
    const opts = p.result;
    const s = timeOnce(() => reader.sample(opts));
    const raw = s.result;
    const i = timeOnce(() => {
      smapsBudget.learn(raw);
      return sampler.ingest(raw, performance.now(), Date.now());
    });
    snap = i.result;
    return {
      sample: { wallMs: s.wallMs, cpuMs: s.cpuMs },
      planMs: p.cpuMs,
      ingestMs: i.cpuMs,
      planned: opts.smapsPids ? opts.smapsPids.length : null,
      raw,
      snap,
    };
  }

  /** Processes whose smaps_rollup the Sampler has never had a reading of (new ones wait for the budget). */
  function neverRead() {
    return sampler.hasHistory ? sampler.smapsCandidates(Date.now()).filter((c) => c.ageMs === null).length : null;
  }

  return { tick, neverRead, schedule, gridRows };
}

module.exports = { createTickDriver };
