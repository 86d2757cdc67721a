// The parts of neo-blessed the dashboard uses: the screen, the box, the tag escaper and the width table. `require('blessed')`
// loads every widget it has before returning (forty files, a PNG decoder among them: a fifth of the time to
// the first frame); these three need six of them. Types still come from @types/blessed.
import type blessed from 'blessed';

/* eslint-disable @typescript-eslint/no-require-imports */
const Screen = require('blessed/lib/widgets/screen') as new (o: blessed.Widgets.IScreenOptions) => blessed.Widgets.Screen;
const Box = require('blessed/lib/widgets/box') as new (o: blessed.Widgets.BoxOptions) => blessed.Widgets.BoxElement;
const helpers = require('blessed/lib/helpers') as { escape(text: string): string };
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
export const box = (o: blessed.Widgets.BoxOptions): blessed.Widgets.BoxElement => new Box(o);
export const escape = (text: string): string => helpers.escape(text);
