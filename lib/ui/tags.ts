// Styled lines -> blessed tags. The only place view styles become terminal markup.
import { escape } from './blessed_parts';
import type { Line, Style } from '../view/styled';

export type Palette = Record<Style, [string, string]>;

// `gray` is blessed's colour 8 (bright black), drawn as SGR 90; lib/ui/app.ts keeps terminals that their
// terminfo says have 8 colours from reducing it to 0, black.
export const COLOURS: Palette = {
  normal: ['', ''],
  dim: ['{gray-fg}', '{/gray-fg}'],
  bold: ['{bold}', '{/bold}'],
  title: ['{bold}{cyan-fg}', '{/cyan-fg}{/bold}'],
  ok: ['{green-fg}', '{/green-fg}'],
  warn: ['{yellow-fg}', '{/yellow-fg}'],
  danger: ['{bold}{red-fg}', '{/red-fg}{/bold}'],
  gone: ['{red-fg}', '{/red-fg}'],
  key: ['{bold}{cyan-fg}', '{/cyan-fg}{/bold}'],
  barOk: ['{green-fg}', '{/green-fg}'],
  barWarn: ['{yellow-fg}', '{/yellow-fg}'],
  barDanger: ['{red-fg}', '{/red-fg}'],
  barEmpty: ['{gray-fg}', '{/gray-fg}'],
  marker: ['{bold}{white-fg}', '{/white-fg}{/bold}'],
  tagged: ['{bold}{yellow-fg}', '{/yellow-fg}{/bold}'],
  selected: ['{inverse}', '{/inverse}'],
};

/**
 * NO_COLOR (https://no-color.org): attributes only. What colour told apart is still told by text (the
 * gauges' bars, ✕ for a gone process, the warning words) or by bold, underline and inverse.
 */
export const NO_COLOURS: Palette = {
  normal: ['', ''],
  dim: ['', ''],
  bold: ['{bold}', '{/bold}'],
  title: ['{bold}', '{/bold}'],
  ok: ['', ''],
  warn: ['{bold}', '{/bold}'],
  danger: ['{bold}', '{/bold}'],
  gone: ['{underline}', '{/underline}'],
  key: ['{bold}', '{/bold}'],
  barOk: ['', ''],
  barWarn: ['', ''],
  barDanger: ['{bold}', '{/bold}'],
  barEmpty: ['', ''],
  marker: ['{bold}', '{/bold}'],
  tagged: ['{underline}', '{/underline}'],
  selected: ['{inverse}', '{/inverse}'],
};

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
