// The parts of neo-blessed the dashboard uses: the screen, the box, the tag escaper and the width table. `require('blessed')`
// loads every widget it has before returning (forty files, a PNG decoder among them: a fifth of the time to
// the first frame); these three need six of them. Only the width table is loaded with this module: the
// screen and box (and blessed's Node modules: child_process, assert, tty) at the first screen, after the
// dashboard's first frame is on the terminal. Types still come from @types/blessed.
import { createRequire } from 'module';
import * as path from 'path';
import type blessed from 'blessed';

/* eslint-disable @typescript-eslint/no-require-imports */
type CompileCapability = (this: unknown, info: unknown, key: string, str: unknown) => unknown;
interface TputProto {
  _compile: CompileCapability;
  options?: { stringify?: boolean };
  debug?: boolean;
}
/** blessed's terminal reader, with lazyTerminfo's change made once it is loaded. */
let tputClass: { prototype: TputProto } | null = null;
/** blessed's own compiler of one terminfo capability into a function (kept for the tests). */
let compileOriginal: CompileCapability | null = null;

/**
 * The terminfo reader with capabilities compiled at first call (below), loaded at the first screen: the
 * dashboard draws its first frame before blessed is loaded (lib/ui/first_paint.ts). Returns blessed's Tput.
 */
export function lazyTerminfo(): { prototype: TputProto } {
  if (tputClass) return tputClass;
  const Tput = require('blessed/lib/tput') as { prototype: TputProto };
  compileOriginal = Tput.prototype._compile;
  Tput.prototype._compile = lazyCapability;
  tputClass = Tput;
  return Tput;
}

/** blessed's eager compile of one capability (the function lazyTerminfo replaced). */
export function compileCapabilityNow(this: unknown, info: unknown, key: string, str: unknown): unknown {
  lazyTerminfo();
  return compileOriginal!.call(this, info, key, str);
}

/** The directory of the terminfo files blessed ships (xterm, xterm-256color, linux, windows-ansi). */
// (createRequire's resolve, not require.resolve: esbuild's transform of the bundle adds its ESM helpers for the
// latter, which scripts/build.js refuses.)
let blessedTerminfo: string | null = null;
/*
 * blessed compiles every string capability of the terminal (~400 for xterm, with a `new Function` each) as the
 * screen is made, ~9 ms of the time to the first frame, and the dashboard calls a few dozen of them. For the
 * terminfo files blessed ships, each one is compiled at its first call instead: the same function, made later
 * (test/blessed_parts.test.ts compares every capability of each file). Those are what blessed falls back to
 * for most terminals (tmux-256color, screen-256color, alacritty... whose system entries it cannot parse or
 * compile), and all of their capabilities compile. A system terminfo file keeps the eager compile, since a
 * capability that does not compile is how blessed learns to fall back. So do booleans, numbers, the init/reset
 * files and blessed's debug and stringify modes.
 */
function lazyCapability(this: unknown, info: unknown, key: string, str: unknown): unknown {
  const self = this as TputProto;
  const file = (info as { file?: unknown } | null)?.file;
  blessedTerminfo ??= path.join(path.dirname(createRequire(__filename).resolve('blessed/lib/tput')), '..', 'usr');
  if (
    typeof str !== 'string' ||
    str === '' ||
    key === 'init_file' ||
    key === 'reset_file' ||
    self.debug ||
    self.options?.stringify ||
    typeof file !== 'string' ||
    path.dirname(file) !== blessedTerminfo
  ) {
    if (self.debug) return compileCapabilityNow.call(this, info, key, str);
    // A capability that does not compile (screen-256color's plab_norm on Debian 12) is printed by blessed with
    // console.error before it throws, onto the terminal the user sees after spmon exits; blessed then falls back
    // to its own xterm entry, so the print says nothing the user can act on.
    const report = console.error;
    console.error = () => undefined;
    try {
      return compileCapabilityNow.call(this, info, key, str);
    } finally {
      console.error = report;
    }
  }
  let compiled: ((...a: unknown[]) => unknown) | null = null;
  return function capability(this: unknown, ...args: unknown[]): unknown {
    compiled ??= compileCapabilityNow.call(self, info, key, str) as (...a: unknown[]) => unknown;
    return compiled.apply(this, args);
  };
}

type ScreenClass = new (o: blessed.Widgets.IScreenOptions) => blessed.Widgets.Screen;
type BoxClass = new (o: blessed.Widgets.BoxOptions) => blessed.Widgets.BoxElement;
let widgetClasses: { Screen: ScreenClass; Box: BoxClass } | null = null;
/** blessed's screen and box, loaded at the first call (with the terminfo change). */
function widgets(): { Screen: ScreenClass; Box: BoxClass } {
  if (widgetClasses) return widgetClasses;
  lazyTerminfo();
  widgetClasses = { Screen: require('blessed/lib/widgets/screen') as ScreenClass, Box: require('blessed/lib/widgets/box') as BoxClass };
  return widgetClasses;
}
let helpers: { escape(text: string): string } | null = null;
/** blessed's width rule (lib/unicode.js: exported by neo-blessed, not declared by its types). */
export const unicode = require('blessed/lib/unicode') as unknown;
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * A screen. Inside tmux, blessed's Program runs `tmux -V` synchronously as it is made (~15 ms of a start, to
 * learn whether tmux is at least version 2); tmux 3.2 and later put their version in TERM_PROGRAM_VERSION,
 * so then blessed is given that answer instead of a child. Any other call goes through.
 */
export function screen(o: blessed.Widgets.IScreenOptions, env: NodeJS.ProcessEnv = process.env): blessed.Widgets.Screen {
  const version = env.TMUX && env.TERM_PROGRAM === 'tmux' ? env.TERM_PROGRAM_VERSION : undefined;
  const { Screen } = widgets();
  if (version === undefined || !/^[0-9]+(\.[0-9]+)*[a-z]?$/.test(version)) return new Screen(o);
  const cp = require('child_process') as { execFileSync: (...a: unknown[]) => unknown };
  const real = cp.execFileSync;
  cp.execFileSync = (file: unknown, args: unknown, ...rest: unknown[]) =>
    file === 'tmux' && Array.isArray(args) && args.length === 1 && args[0] === '-V' ? `tmux ${version}\n` : real(file, args, ...rest);
  try {
    return new Screen(o);
  } finally {
    cp.execFileSync = real;
  }
}
export const box = (o: blessed.Widgets.BoxOptions): blessed.Widgets.BoxElement => new (widgets().Box)(o);
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const escape = (text: string): string => (helpers ??= require('blessed/lib/helpers') as { escape(text: string): string }).escape(text);
