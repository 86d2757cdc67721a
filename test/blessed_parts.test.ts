// lib/ui/blessed_parts.ts compiles the capabilities of blessed's own terminfo files at their first call instead
// of all of them as the screen is made. Whatever the terminal, blessed must end up with the same terminfo (the
// same fallbacks) and every capability must write what blessed's eager compiler writes.
import * as fs from 'fs';
import * as path from 'path';
import { compileCapabilityNow, lazyTerminfo } from '../lib/ui/blessed_parts';

interface TestTput {
  info: { all: Record<string, unknown>; name: string; file: string };
  methods: Record<string, unknown>;
  error: Error | null;
  [cap: string]: unknown;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Tput = require('blessed/lib/tput') as { new (o: Record<string, unknown>): TestTput; prototype: { _compile: unknown } };
// The change is made as blessed is first needed (the dashboard's first screen); here, before any Tput is made.
lazyTerminfo();
const USR = path.join(path.dirname(require.resolve('blessed/lib/tput')), '..', 'usr');

/** Count the functions made with `new Function` (blessed's compiler) while fn runs. */
function countingFunctions<T>(fn: () => T): { result: T; made: number } {
  const real = globalThis.Function;
  let made = 0;
  (globalThis as { Function: unknown }).Function = new Proxy(real, {
    construct(target, args) {
      made++;
      return Reflect.construct(target, args);
    },
  });
  try {
    return { result: fn(), made };
  } finally {
    (globalThis as { Function: unknown }).Function = real;
  }
}

/** A Tput made with blessed's own eager compiler, as without spmon's change. */
function eagerTput(o: Record<string, unknown>): TestTput {
  const lazy = Tput.prototype._compile;
  const report = console.error;
  Tput.prototype._compile = compileCapabilityNow;
  console.error = () => undefined; // blessed prints a capability it cannot compile
  try {
    return new Tput(o);
  } finally {
    Tput.prototype._compile = lazy;
    console.error = report;
  }
}

const call = (f: unknown, tput: TestTput, p: unknown[]) => {
  try {
    return (f as (p: unknown[]) => unknown).call(tput, p.slice());
  } catch (e) {
    return `throws ${(e as Error).message}`;
  }
};

const PARAMS = [[], [0], [1], [7, 3], [24, 80], [5, 6, 7, 8, 9, 10, 11, 12, 13]];
const SHIPPED = fs.readdirSync(USR).filter((f) => !f.includes('.') && fs.statSync(path.join(USR, f)).isFile());
// Terminals users run the dashboard in (from the system's terminfo, where blessed parses it) and blessed's own files.
const TERMS = ['xterm', 'xterm-256color', 'screen', 'screen-256color', 'tmux-256color', 'linux', 'vt100', 'dumb', 'alacritty', ...SHIPPED.map((f) => path.join(USR, f))];

test('blessed ships terminfo files to fall back on, and this test reads them', () => {
  expect(SHIPPED).toEqual(expect.arrayContaining(['xterm', 'xterm-256color']));
});

test.each(TERMS)('%s: the same terminfo and fallback as the eager compiler, and every capability writes the same', (term) => {
  const o = { terminal: term, extended: true, padding: false };
  const eager = eagerTput(o);
  // Nothing printed while the terminal is set up (blessed printed the code of a capability it could not compile).
  const printed: unknown[][] = [];
  const report = console.error;
  console.error = (...a: unknown[]) => void printed.push(a);
  let lazy: TestTput;
  try {
    lazy = new Tput(o);
  } finally {
    console.error = report;
  }
  expect(printed).toEqual([]);
  expect([lazy.info.name, lazy.info.file, lazy.error?.message ?? null]).toEqual([eager.info.name, eager.info.file, eager.error?.message ?? null]);
  const keys = Object.keys(eager.methods);
  expect(Object.keys(lazy.methods).sort()).toEqual(keys.sort());
  let compared = 0;
  for (const key of keys) {
    if (typeof eager.methods[key] !== 'function') {
      expect([key, lazy.methods[key]]).toEqual([key, eager.methods[key]]);
      continue;
    }
    for (const p of PARAMS) {
      expect([key, p, call(lazy.methods[key], lazy, p)]).toEqual([key, p, call(eager.methods[key], eager, p)]);
      compared++;
    }
  }
  expect(compared).toBeGreaterThan(0);
  // And through the wrappers blessed's Program calls (tput.cup(row, col)).
  if (eager.info.all.cursor_address) expect((lazy.cup as (r: number, c: number) => string)(4, 9)).toBe((eager.cup as (r: number, c: number) => string)(4, 9));
});

test("blessed's own files are compiled capability by capability, at first call; a system file all at once", () => {
  const xterm = path.join(USR, 'xterm');
  const eager = countingFunctions(() => eagerTput({ terminal: xterm, extended: true }));
  const lazy = countingFunctions(() => new Tput({ terminal: xterm, extended: true }));
  expect(eager.made).toBeGreaterThan(100);
  expect(lazy.made).toBe(0);
  const cup = lazy.result.methods.cursor_address as (p: unknown[]) => string;
  const first = countingFunctions(() => [cup([1, 2]), cup([3, 4])]);
  expect(first.result).toEqual(['\x1b[2;3H', '\x1b[4;5H']);
  expect(first.made).toBe(1);
  // A terminal blessed reads from the system (vt100 parses and compiles here) keeps the eager compile.
  const system = countingFunctions(() => new Tput({ terminal: 'vt100', extended: true }));
  expect(path.dirname(system.result.info.file)).not.toBe(USR);
  expect(system.made).toBeGreaterThan(10);
});
