#!/usr/bin/env node
'use strict';
// The metrics endpoint on a live engine, as the daemon will run it: `new Engine(settings).start(ms)` and
// startMetricsServer over it (dist/lib, built by npm run build:ts). Until `spmon daemon --metrics` exists
// the tests start this; switching them is the one line in test/helpers/metrics_target.ts.
//
//   metrics_server.js <address> [--web-config FILE] [--metrics-top N] [--metrics-session-limit N] [--interval S]
//
// Prints `listening <url>` once it serves; ends on SIGTERM or SIGINT.
const path = require('path');

const dist = path.join(__dirname, '..', '..', 'dist', 'lib');
const { Engine } = require(path.join(dist, 'engine', 'engine.js'));
const { resolveSettings } = require(path.join(dist, 'config.js'));
const { startMetricsServer } = require(path.join(dist, 'metrics', 'server.js'));

const args = process.argv.slice(2);
const address = args[0];
const opt = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};

async function main() {
  const settings = resolveSettings({}, process.env, {});
  const interval = Number(opt('--interval') ?? settings.interval);
  const engine = new Engine(settings, { env: process.env });
  engine.start(interval * 1000, (err) => process.stderr.write(`tick: ${err.message}\n`));
  const server = await startMetricsServer(engine, {
    address,
    webConfigFile: opt('--web-config'),
    topN: opt('--metrics-top') === undefined ? undefined : Number(opt('--metrics-top')),
    sessionLimit: opt('--metrics-session-limit') === undefined ? undefined : Number(opt('--metrics-session-limit')),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`listening ${server.url}\n`);
  const stop = async () => {
    await server.close();
    await engine.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`metrics_server: ${err.message}\n`);
  process.exit(1);
});
