// Styled lines -> blessed tags. The only place view styles become terminal markup.
import { escape } from './blessed_parts';
import type { Line, Style } from '../view/styled';

/** How the UI draws one view style: a foreground colour (blessed's name) and attributes. */
export interface CellStyle {
  fg?: string;
  bold?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

export type StylePalette = Record<Style, CellStyle>;

// `gray` is blessed's colour 8 (bright black), drawn as SGR 90; lib/ui/app.ts keeps terminals that their
// terminfo says have 8 colours from reducing it to 0, black.
export const STYLE_COLOURS: StylePalette = {
  normal: {},
  dim: { fg: 'gray' },
  bold: { bold: true },
  title: { bold: true, fg: 'cyan' },
  ok: { fg: 'green' },
  warn: { fg: 'yellow' },
  danger: { bold: true, fg: 'red' },
  gone: { fg: 'red' },
  key: { bold: true, fg: 'cyan' },
  barOk: { fg: 'green' },
  barWarn: { fg: 'yellow' },
  barDanger: { fg: 'red' },
  barEmpty: { fg: 'gray' },
  marker: { bold: true, fg: 'white' },
  tagged: { bold: true, fg: 'yellow' },
  selected: { inverse: true },
};

/**
 * NO_COLOR (https://no-color.org): attributes only. What colour told apart is still told by text (the
 * gauges' bars, ✕ for a gone process, the warning words) or by bold, underline and inverse.
 */
export const STYLE_NO_COLOURS: StylePalette = {
  normal: {},
  dim: {},
  bold: { bold: true },
  title: { bold: true },
  ok: {},
  warn: { bold: true },
  danger: { bold: true },
  gone: { underline: true },
  key: { bold: true },
  barOk: {},
  barWarn: {},
  barDanger: { bold: true },
  barEmpty: {},
  marker: { bold: true },
  tagged: { underline: true },
  selected: { inverse: true },
};

export type Palette = Record<Style, [string, string]>;

/** A style as blessed's opening and closing tags. */
function tagsOf(c: CellStyle): [string, string] {
  const names = [c.bold && 'bold', c.underline && 'underline', c.inverse && 'inverse', c.fg && `${c.fg}-fg`].filter((n): n is string => !!n);
  return [names.map((n) => `{${n}}`).join(''), names.reverse().map((n) => `{/${n}}`).join('')];
}

function tagPalette(p: StylePalette): Palette {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, tagsOf(v)])) as Palette;
}

/** The same palettes as blessed tags (the overlay is drawn through them). */
export const COLOURS: Palette = tagPalette(STYLE_COLOURS);
export const NO_COLOURS: Palette = tagPalette(STYLE_NO_COLOURS);

/** NO_COLOR set to anything but the empty string turns colours off. */
export function noColor(env: NodeJS.ProcessEnv): boolean {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '';
}

/**
 * Styled line -> blessed tags. Text is escaped here so `{red-fg}` in a name shows literally. Neighbouring
 * segments of one style share one pair of tags (a grid row is ~20 segments, mostly of one style: blessed
 * parses every tag on every draw); empty segments add none.
 */
export function toTags(line: Line, palette: Palette = COLOURS): string {
  let out = '';
  for (let i = 0; i < line.length; ) {
    const style = line[i].style;
    let text = line[i].text;
    for (i++; i < line.length && line[i].style === style; i++) text += line[i].text;
    if (text === '') continue;
    const [open, close] = palette[style];
    out += open + escape(text) + close;
  }
  return out;
}
