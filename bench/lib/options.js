'use strict';
// Benchmark options: argv first, then SPMON_BENCH_* environment variables, then defaults
// (a --quick run has its own smaller defaults; an explicit value always wins).

const HELP = `Usage: npm run bench -- [options]

  --procs N      extra processes the benchmark spawns for the raised load (default 1000,
                 quick 100; 0 = measure the current load only)        SPMON_BENCH_PROCS
  --big N        how many of them touch --big-mib MiB each (default 4)  SPMON_BENCH_BIG
  --big-mib M    memory each big child touches (default 256, quick 32)  SPMON_BENCH_BIG_MIB
  --reps N       timed repetitions per in-process measurement (default 60, quick 10)
                                                                          SPMON_BENCH_REPS
  --warmup N     untimed repetitions first (default 5, quick 2)          SPMON_BENCH_WARMUP
  --runs N       runs per command in the end-to-end case (default 10, quick 3)
                                                                          SPMON_BENCH_RUNS
  --dash-seconds S  how long the dashboard case watches the dashboard at each load
                 (default 20, quick 5)                                   SPMON_BENCH_DASH_SECONDS
  --dash-interval-ms M  the dashboard's --interval, in ms (default 500)  SPMON_BENCH_DASH_INTERVAL_MS
  --no-apt       do not apt-get install smem when it is missing (the floor case then
                 skips smem, saying so)                                  SPMON_BENCH_NO_APT=1
  --spmon-root DIR  run bin/spmon of another checkout (built) in the cli, floor and
                 dashboard cases, e.g. an older commit for a before/after; the
                 in-process sample() stays this checkout's addon   SPMON_BENCH_SPMON_ROOT
  --case a,b     only these cases (default: all; see bench/cases/)       SPMON_BENCH_CASES
  --out DIR      where the JSON goes (default bench/out)                 SPMON_BENCH_OUT
  --quick        a fast smoke run                                        SPMON_BENCH_QUICK=1
  --help
`;

const SPEC = {
  procs: { env: 'SPMON_BENCH_PROCS', def: 1000, quick: 100, min: 0 },
  big: { env: 'SPMON_BENCH_BIG', def: 4, quick: 4, min: 0 },
  bigMib: { flag: 'big-mib', env: 'SPMON_BENCH_BIG_MIB', def: 256, quick: 32, min: 1 },
  reps: { env: 'SPMON_BENCH_REPS', def: 60, quick: 10, min: 1 },
  warmup: { env: 'SPMON_BENCH_WARMUP', def: 5, quick: 2, min: 0 },
  runs: { env: 'SPMON_BENCH_RUNS', def: 10, quick: 3, min: 1 },
  dashSeconds: { flag: 'dash-seconds', env: 'SPMON_BENCH_DASH_SECONDS', def: 20, quick: 5, min: 1 },
  dashIntervalMs: { flag: 'dash-interval-ms', env: 'SPMON_BENCH_DASH_INTERVAL_MS', def: 500, quick: 500, min: 50 },
};

class UsageError extends Error {}

function parseOptions(argv, env) {
  const given = {};
  let quick = /^(1|true|yes)$/i.test(env.SPMON_BENCH_QUICK || '');
  let cases = env.SPMON_BENCH_CASES ? env.SPMON_BENCH_CASES.split(',') : null;
  let out = env.SPMON_BENCH_OUT || null;
  let spmonRoot = env.SPMON_BENCH_SPMON_ROOT || null;
  let help = false;
  let noApt = /^(1|true|yes)$/i.test(env.SPMON_BENCH_NO_APT || '');
  const flagToKey = {};
  for (const [key, s] of Object.entries(SPEC)) flagToKey[s.flag || key] = key;

  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value = null;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const name = arg.replace(/^--/, '');
    const next = () => {
      if (value !== null) return value;
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--quick') quick = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--no-apt') noApt = true;
    else if (arg === '--case' || arg === '--cases') cases = next().split(',');
    else if (arg === '--out') out = next();
    else if (arg === '--spmon-root') spmonRoot = next();
    else if (arg.startsWith('--') && flagToKey[name]) given[flagToKey[name]] = next();
    else throw new UsageError(`unknown option ${argv[i]}`);
  }

  const opts = { quick, help, cases, out, noApt, spmonRoot };
  for (const [key, s] of Object.entries(SPEC)) {
    const raw = given[key] !== undefined ? given[key] : env[s.env];
    if (raw === undefined || raw === '') {
      opts[key] = quick ? s.quick : s.def;
      continue;
    }
    const n = Number(raw);
    if (!Number.isInteger(n) || n < s.min) throw new UsageError(`--${s.flag || key} wants an integer >= ${s.min}, not ${raw}`);
    opts[key] = n;
  }
  if (opts.big > opts.procs) opts.big = opts.procs;
  return opts;
}

module.exports = { parseOptions, UsageError, HELP };
