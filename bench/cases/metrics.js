'use strict';
// Issue 16: "a scrape at ~1,000 and ~10,000 processes costs no more than one daemon tick; concurrent
// scrapes share one rendering". The case grows its own `sleep` crowd (--metrics-levels extra processes,
// default 0 and +9,000: ~1,000 and ~10,000 here) and at each step runs what the daemon runs: one Engine
// (dist/lib) ticking --dash-interval-ms apart, and startMetricsServer over it on a loopback port with
// --metrics-top 100 (the most series spmon gives per process). After each tick, scrapes over HTTP:
//
//   text       GET /metrics of the new frame, text format (collects the families and renders them)
//   cached     the same GET again: the same frame, served from its rendering
//   om         GET with Prometheus's Accept header: OpenMetrics of the same frame (a second format)
//   burst      after a second tick, 10 concurrent GETs of the new frame; it checks they caused one rendering
//
// Each scrape's CPU is this process's (server and client both live here, so it is an upper bound of the
// server's); ratios are against the tick (engine.tick(): sample, sessions, frame) measured in the same run.

const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { startSleepers } = require('../lib/forker');
const { processCount } = require('../lib/machine');
const { summarize, ratio } = require('../lib/stats');

const SLEEP_SECONDS = 3600;
const BURST = 10;
const OM_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const delay = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (v, d = 1) => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(d));

function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

/** Wall and this process's CPU of an async call, ms. */
async function timed(fn) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = await fn();
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000, result };
}

async function measureStep(ctx, engine, server) {
  const { opts, shouldStop } = ctx;
  const rows = { tick: [], text: [], cached: [], om: [], burst: [] };
  let bytes = 0;
  let series = 0;
  let burstRenderings = [];
  // Warm up: the first ticks read every smaps_rollup, and the first scrape loads prom-client.
  for (let i = 0; i < 3 && !shouldStop(); i++) {
    engine.tick();
    await get(server.url);
  }
  for (let i = 0; i < opts.metricsTicks && !shouldStop(); i++) {
    await delay(opts.dashIntervalMs);
    rows.tick.push(await timed(async () => engine.tick()));
    const text = await timed(() => get(server.url));
    rows.text.push(text);
    rows.cached.push(await timed(() => get(server.url)));
    rows.om.push(await timed(() => get(server.url, { Accept: OM_ACCEPT })));
    bytes = text.result.length;
    series = text.result.toString('utf8').split('\n').filter((l) => l && !l.startsWith('#')).length;

    await delay(opts.dashIntervalMs);
    rows.tick.push(await timed(async () => engine.tick()));
    const before = server.renderer.renderings;
    rows.burst.push(await timed(() => Promise.all(Array.from({ length: BURST }, () => get(server.url)))));
    burstRenderings.push(server.renderer.renderings - before);
  }
  const sum = (xs) => ({ wall: summarize(xs.map((x) => x.wallMs)), cpu: summarize(xs.map((x) => x.cpuMs)) });
  return {
    tick: sum(rows.tick),
    text: sum(rows.text),
    cached: sum(rows.cached),
    om: sum(rows.om),
    burst: sum(rows.burst),
    bytes,
    series,
    burstRenderings: [...new Set(burstRenderings)],
    count: engine.frame ? engine.frame.processes.length : null,
  };
}

module.exports = {
  name: 'metrics',
  order: 85,
  ownLoad: true,
  optIn: true,
  title: 'a metrics scrape against a daemon tick at ~1,000 and ~10,000 processes (issue 16)',
  async run(ctx) {
    const { root, opts, shouldStop, log } = ctx;
    const dist = path.join(root, 'dist', 'lib');
    const { Engine } = require(path.join(dist, 'engine', 'engine.js'));
    const { resolveSettings } = require(path.join(dist, 'config.js'));
    const { startMetricsServer } = require(path.join(dist, 'metrics', 'server.js'));
    // A private HOME and TMUX_TMPDIR: no agent logs or tmux servers of whoever runs the benchmark.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-bench-metrics-'));
    const env = { ...process.env, HOME: tmp, TMUX_TMPDIR: tmp };
    const engine = new Engine(resolveSettings({}, env, {}), { env });
    const server = await startMetricsServer(engine, { address: '127.0.0.1:0', topN: 100 });
    const outDir = path.join(root, 'bench', 'out');
    const sleepers = await startSleepers({ outDir, seconds: SLEEP_SECONDS, shouldStop, log });
    const steps = [];
    try {
      for (const extra of opts.metricsLevels) {
        if (shouldStop()) return null;
        if (extra > 0) {
          log(`bench: metrics: growing the load to ${extra} sleeping processes...`);
          await sleepers.grow(extra);
        }
        log(`bench: metrics @ +${extra} (${processCount()} processes): ${opts.metricsTicks} rounds of tick + scrapes...`);
        const r = await measureStep(ctx, engine, server);
        if (shouldStop()) return null;
        steps.push({ extra, ...r });
      }
    } finally {
      await server.close();
      await engine.close();
      const s = await sleepers.stop();
      log(`bench: metrics: ended the ${s.stopped} sleepers in ${s.stopMs} ms`);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    return report(steps);
  },
};

function report(steps) {
  const rows = [];
  for (const st of steps) {
    const G = `+${st.extra} (${st.count} processes): a scrape against one daemon tick`;
    const base = { group: G, processCount: st.count };
    const tickId = `tick@${st.extra}`;
    const vs = (id, label, r, headline) => ({
      ...base,
      id: `${id}@${st.extra}`,
      label,
      baseline: tickId,
      headline,
      wall: r.wall,
      cpu: r.cpu,
      ratioWall: ratio(r.wall.median, st.tick.wall.median),
      ratioCpu: ratio(r.cpu.median, st.tick.cpu.median),
    });
    rows.push({ ...base, id: tickId, label: 'engine.tick(): sample, sessions, frame', baseline: null, headline: false, wall: st.tick.wall, cpu: st.tick.cpu });
    rows.push(vs('text', 'GET /metrics, new frame, text format', st.text, true));
    rows.push(vs('cached', 'GET /metrics again, same frame', st.cached, false));
    rows.push(vs('om', 'GET /metrics, OpenMetrics, same frame', st.om, false));
    rows.push(vs('burst', `${BURST} concurrent GETs of a new frame (all of them)`, st.burst, true));
  }
  const notes = steps.map(
    (st) =>
      `+${st.extra} (${st.count} processes): ${st.series} series, ${fmt(st.bytes / 1024)} KiB of text; a new frame's text scrape ` +
      `${fmt(st.text.cpu.median)} ms CPU against a ${fmt(st.tick.cpu.median)} ms tick (${fmt(st.text.cpu.median / st.tick.cpu.median, 2)}x); ` +
      `renderings per burst of ${BURST}: ${st.burstRenderings.join(', ')}`,
  );
  return { processCount: steps.map((s) => s.count).join('–'), rows, notes, steps };
}
