// The fuzz regression corpus (test/fuzz-corpus) replayed through the native parsers
// built with AddressSanitizer and UBSan: real /proc and cgroup files, cut and garbled
// variants, edge cases, and every input the fuzzer (npm run fuzz) ever failed on.
// Each input is copied to a heap block of exactly its size, so reading one byte past
// the end is a report; every parser also checks invariants of its result.
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT } from './helpers/paths';

const CORPUS = path.join(ROOT, 'test', 'fuzz-corpus');
const SANITIZER_ENV = {
  ...process.env,
  ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0:symbolize=1',
  UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
};

let dir: string;
let replay: string;

function have(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

function run(args: string[], bin = replay): SpawnSyncReturns<string> {
  return spawnSync(bin, args, { env: SANITIZER_ENV, encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Build the replay binary with ASan and UBSan from native/fuzz and the given parse.cc. */
function buildReplay(out: string, parseCc: string): void {
  // g++ is what CI has; clang++ works as well. Neither is a failure, not a skip.
  const cxx = process.env.SPMON_REPLAY_CXX ?? (have('g++') ? 'g++' : 'clang++');
  const build = spawnSync(
    cxx,
    ['-std=c++17', '-g', '-O1', '-fno-omit-frame-pointer', '-fsanitize=address,undefined', '-fno-sanitize-recover=all',
      '-Wall', '-Wextra', '-o', out, path.join(ROOT, 'native/fuzz/replay_main.cc'),
      path.join(ROOT, 'native/fuzz/parse_targets.cc'), parseCc],
    { encoding: 'utf8' },
  );
  if (build.status !== 0 || build.stderr !== '')
    throw new Error(`building the replay with ${cxx} failed or warned:\n${build.error ?? ''}${build.stderr}`);
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-fuzz-replay-'));
  replay = path.join(dir, 'replay');
  buildReplay(replay, path.join(ROOT, 'native', 'parse.cc'));
}, 120_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the sanitizers are really compiled in: a heap overflow and a signed overflow are reported', () => {
  const asan = run(['--selftest', 'asan']);
  expect(asan.status).not.toBe(0);
  expect(asan.stderr).toContain('AddressSanitizer: heap-buffer-overflow');
  const ubsan = run(['--selftest', 'ubsan']);
  expect(ubsan.status).not.toBe(0);
  expect(ubsan.stderr).toContain('runtime error: signed integer overflow');
});

test('the corpus holds inputs for every parser', () => {
  const list = run(['--list']);
  expect(list.status).toBe(0);
  const tags = list.stdout.trim().split('\n').map((l) => l.split(' '));
  expect(tags.map(([, name]) => name)).toEqual(expect.arrayContaining(['stat', 'statm', 'status', 'io', 'smaps', 'meminfo',
    'procstat', 'uptime', 'cgroup-limit', 'cpu.max', 'mountinfo', 'proc-cgroup', 'space-key-value', 'single-number']));
  const firstBytes = new Map<string, number>();
  for (const f of fs.readdirSync(CORPUS)) {
    const b = fs.readFileSync(path.join(CORPUS, f));
    if (b.length > 0) firstBytes.set(String.fromCharCode(b[0]), (firstBytes.get(String.fromCharCode(b[0])) ?? 0) + 1);
  }
  // At least a real file, a cut one and an edge case for each parser.
  const thin = tags.filter(([tag]) => (firstBytes.get(tag) ?? 0) < 3).map(([, name]) => name);
  expect(thin).toEqual([]);
});

test('every corpus input replays through every parser without a sanitizer report or a broken invariant', () => {
  const files = fs.readdirSync(CORPUS).filter((f) => !f.startsWith('.'));
  expect(files.length).toBeGreaterThan(100);
  const out = run([CORPUS]);
  const report = `${out.stderr}\n(last input: ${out.stdout.trim().split('\n').pop()})`;
  expect({ status: out.status, signal: out.signal, report }).toEqual({ status: 0, signal: null, report: expect.any(String) });
  expect(out.stderr).not.toMatch(/Sanitizer|runtime error|invariant violated/);
  expect(out.stdout).toContain(`replayed ${files.length} inputs`);
}, 120_000);

test('the replay has teeth: an off-by-one planted in a copy of parse.cc is caught by the corpus', () => {
  // unescapeMountField reads s[i+1..i+3] after checking i + 3 < len; checking i + 2 < len
  // instead reads one byte past the end of a field cut inside an escape ("tail\04").
  const good = 'if (s[i] == \'\\\\\' && i + 3 < len';
  const source = fs.readFileSync(path.join(ROOT, 'native', 'parse.cc'), 'utf8');
  if (!source.includes(good)) throw new Error(`the planted bug no longer fits native/parse.cc: update this test (looked for ${good})`);
  const mutantDir = path.join(dir, 'mutant');
  fs.mkdirSync(mutantDir);
  fs.writeFileSync(path.join(mutantDir, 'parse.cc'), source.replace(good, good.replace('i + 3', 'i + 2')));
  fs.copyFileSync(path.join(ROOT, 'native', 'parse.h'), path.join(mutantDir, 'parse.h'));
  const mutant = path.join(mutantDir, 'replay');
  buildReplay(mutant, path.join(mutantDir, 'parse.cc'));
  const out = run([CORPUS], mutant);
  expect(out.status).not.toBe(0);
  expect(out.stderr).toContain('AddressSanitizer: heap-buffer-overflow');
  expect(out.stderr).toContain('unescapeMountField');
}, 120_000);
