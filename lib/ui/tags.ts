// Styled lines -> blessed tags. The only place view styles become terminal markup.
import blessed from 'blessed';
import type { Line, Style } from '../view/styled';

const TAGS: Record<Style, [string, string]> = {
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
};

/**
 * Styled line -> blessed tags. Text is escaped here so `{red-fg}` in a name shows literally. Neighbouring
 * segments of one style share one pair of tags (a grid row is ~20 segments, mostly of one style: blessed
 * parses every tag on every draw); empty segments add none.
 */
export function toTags(line: Line): string {
  let out = '';
  for (let i = 0; i < line.length; ) {
    const style = line[i].style;
    let text = line[i].text;
    for (i++; i < line.length && line[i].style === style; i++) text += line[i].text;
    if (text === '') continue;
    const [open, close] = TAGS[style];
    out += open + blessed.escape(text) + close;
  }
  return out;
}
