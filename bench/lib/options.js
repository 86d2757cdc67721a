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
  --before-root DIR  also run another checkout (built) beside this one: its
                 --once --json in the same rounds of the cli case, its dashboard
                 right after this one's; rows *-vs-before give the ratios     SPMON_BENCH_BEFORE_ROOT
  --case a,b     only these cases (default: all but scale, bigmem, metrics and
                 peers, which take minutes; see bench/cases/)      SPMON_BENCH_CASES

  scale case (npm run bench -- --case scale):
  --scale-levels a,b,...  extra sleeping processes at each step (default
                 1000,2500,5000,10000; quick 200,1000)         SPMON_BENCH_SCALE_LEVELS
  --scale-dash-levels L  where the real dashboard is watched too: ends (the lowest
                 and highest step, default), all, none, or a list of steps
                                                          SPMON_BENCH_SCALE_DASH_LEVELS
  --scale-reps N C floor passes per step (default 10, quick 3) SPMON_BENCH_SCALE_REPS
  --scale-ticks N  dashboard ticks driven in process per step, --dash-interval-ms
                 apart (default 20, quick 5)                    SPMON_BENCH_SCALE_TICKS

  bigmem case (npm run bench -- --case bigmem):
  --bigmem-procs N  processes mapping the same memfd (default 25, quick 5)
                                                               SPMON_BENCH_BIGMEM_PROCS
  --bigmem-mib M size of that memfd, MiB (default 4096, quick 256; less, with a
                 note, when MemAvailable is under twice that)    SPMON_BENCH_BIGMEM_MIB
  --bigmem-ticks N  dashboard ticks driven in process, --dash-interval-ms apart
                 (default 100, about 55 s: past the schedule's 30 s maxAge, when
                 the big readings come due again; quick 10)    SPMON_BENCH_BIGMEM_TICKS
  --bigmem-dash-seconds S  how long the real dashboard is watched at this load
                 (default 60, for the same reason; quick 5)
                                                        SPMON_BENCH_BIGMEM_DASH_SECONDS

  tokens case (agent logs: spmon against ccusage on the same files):
  --tokens-mb M  MiB of generated Claude Code, Codex and Gemini CLI logs (default 300,
                 quick 40; two thirds of it Claude's)                  SPMON_BENCH_TOKENS_MB

  metrics case (npm run bench -- --case metrics):
  --metrics-levels a,b,...  extra sleeping processes at each step, 0 for the
                 machine as it is (default 0,9000: ~1,000 and ~10,000 processes
                 here; quick 0,1000)                          SPMON_BENCH_METRICS_LEVELS
  --metrics-ticks N  daemon ticks per step, each followed by scrapes (default 20,
                 quick 5)                                       SPMON_BENCH_METRICS_TICKS

  peers case (npm run bench -- --case peers): spmon's dashboard, htop, btop (Debian's
  packages, installed when missing) and the daemon with /metrics scraped at 1 Hz, each
  alone in turn, at the current load and at +--procs:
  --peers-seconds S  how long each is measured, after the warm-up (default 30,
                 quick 5)                                      SPMON_BENCH_PEERS_SECONDS
  --peers-warmup S   seconds from its start before the measurement (default 30,
                 quick 2)                                       SPMON_BENCH_PEERS_WARMUP
  --peers-starts N   starts timed to the first frame with process rows, median
                 (default 3, quick 1)                           SPMON_BENCH_PEERS_STARTS

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
  scaleReps: { flag: 'scale-reps', env: 'SPMON_BENCH_SCALE_REPS', def: 10, quick: 3, min: 1 },
  scaleTicks: { flag: 'scale-ticks', env: 'SPMON_BENCH_SCALE_TICKS', def: 20, quick: 5, min: 1 },
  bigmemProcs: { flag: 'bigmem-procs', env: 'SPMON_BENCH_BIGMEM_PROCS', def: 25, quick: 5, min: 1 },
  bigmemMib: { flag: 'bigmem-mib', env: 'SPMON_BENCH_BIGMEM_MIB', def: 4096, quick: 256, min: 16 },
  bigmemTicks: { flag: 'bigmem-ticks', env: 'SPMON_BENCH_BIGMEM_TICKS', def: 100, quick: 10, min: 2 },
  metricsTicks: { flag: 'metrics-ticks', env: 'SPMON_BENCH_METRICS_TICKS', def: 20, quick: 5, min: 1 },
  bigmemDashSeconds: { flag: 'bigmem-dash-seconds', env: 'SPMON_BENCH_BIGMEM_DASH_SECONDS', def: 60, quick: 5, min: 1 },
  peersSeconds: { flag: 'peers-seconds', env: 'SPMON_BENCH_PEERS_SECONDS', def: 30, quick: 5, min: 1 },
  peersWarmup: { flag: 'peers-warmup', env: 'SPMON_BENCH_PEERS_WARMUP', def: 30, quick: 2, min: 0 },
  peersStarts: { flag: 'peers-starts', env: 'SPMON_BENCH_PEERS_STARTS', def: 3, quick: 1, min: 1 },
  tokensMb: { flag: 'tokens-mb', env: 'SPMON_BENCH_TOKENS_MB', def: 300, quick: 40, min: 1 },
};

const SCALE_LEVELS = { def: [1000, 2500, 5000, 10000], quick: [200, 1000] };
const METRICS_LEVELS = { def: [0, 9000], quick: [0, 1000] };

/** "1000,2500" -> [1000, 2500]: integers of at least `min`, sorted, no repeats. */
function parseLevels(raw, flag = '--scale-levels', min = 1) {
  const out = [...new Set(raw.split(',').map((x) => x.trim()).filter((x) => x !== '').map(Number))].sort((a, b) => a - b);
  if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n < min)) throw new UsageError(`${flag} wants integers of at least ${min}, a,b,..., not ${raw}`);
  return out;
}

/** Which scale levels the dashboard is watched at: ends, all, none, or a list (each one of the levels). */
function parseDashLevels(raw, levels) {
  if (raw === 'ends') return [...new Set([levels[0], levels[levels.length - 1]])];
  if (raw === 'all') return levels.slice();
  if (raw === 'none') return [];
  const list = parseLevels(raw, '--scale-dash-levels');
  const stray = list.filter((n) => !levels.includes(n));
  if (stray.length) throw new UsageError(`--scale-dash-levels ${stray.join(',')}: not among --scale-levels ${levels.join(',')}`);
  return list;
}

class UsageError extends Error {}

function parseOptions(argv, env) {
  const given = {};
  let quick = /^(1|true|yes)$/i.test(env.SPMON_BENCH_QUICK || '');
  let cases = env.SPMON_BENCH_CASES ? env.SPMON_BENCH_CASES.split(',') : null;
  let out = env.SPMON_BENCH_OUT || null;
  let spmonRoot = env.SPMON_BENCH_SPMON_ROOT || null;
  let beforeRoot = env.SPMON_BENCH_BEFORE_ROOT || null;
  let help = false;
  let noApt = /^(1|true|yes)$/i.test(env.SPMON_BENCH_NO_APT || '');
  let scaleLevels = env.SPMON_BENCH_SCALE_LEVELS || null;
  let scaleDashLevels = env.SPMON_BENCH_SCALE_DASH_LEVELS || 'ends';
  let metricsLevels = env.SPMON_BENCH_METRICS_LEVELS || null;
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
    else if (arg === '--before-root') beforeRoot = next();
    else if (arg === '--scale-levels') scaleLevels = next();
    else if (arg === '--scale-dash-levels') scaleDashLevels = next();
    else if (arg === '--metrics-levels') metricsLevels = next();
    else if (arg.startsWith('--') && flagToKey[name]) given[flagToKey[name]] = next();
    else throw new UsageError(`unknown option ${argv[i]}`);
  }

  const opts = { quick, help, cases, out, noApt, spmonRoot, beforeRoot };
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
  opts.scaleLevels = scaleLevels ? parseLevels(scaleLevels) : quick ? SCALE_LEVELS.quick : SCALE_LEVELS.def;
  opts.scaleDashLevels = parseDashLevels(scaleDashLevels, opts.scaleLevels);
  opts.metricsLevels = metricsLevels ? parseLevels(metricsLevels, '--metrics-levels', 0) : quick ? METRICS_LEVELS.quick : METRICS_LEVELS.def;
  return opts;
}

module.exports = { parseOptions, UsageError, HELP };
