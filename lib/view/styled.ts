// Styled text for the view model: the UI maps styles to colours. Text in a
// segment is already sanitised; the UI still escapes its own markup.

export type Style =
  | 'normal'
  | 'dim'
  | 'bold'
  | 'title'
  | 'ok'
  | 'warn'
  | 'danger'
  | 'gone'
  | 'key'
  | 'barOk'
  | 'barWarn'
  | 'barDanger'
  | 'barEmpty'
  | 'marker'
  /** A process tagged with Space. */
  | 'tagged'
  /** The highlighted item of a pick list. */
  | 'selected';

export interface Segment {
  text: string;
  style: Style;
}

export type Line = Segment[];

export const seg = (text: string, style: Style = 'normal'): Segment => ({ text, style });

export function lineText(line: Line): string {
  return line.map((s) => s.text).join('');
}
