// Untrusted text (process names, cmdlines, log contents, tmux names) is made
// safe here, once, before it reaches a terminal or a table cell.

// C0 controls become their Control Pictures (ESC -> ␛), DEL -> ␡; C1 controls,
// bidi overrides/isolates, line/paragraph separators and lone surrogates -> U+FFFD.
// Invalid UTF-8 has already become U+FFFD when the addon made a JS string.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function placeholder(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c < 0x20) return String.fromCharCode(0x2400 + c);
  if (c === 0x7f) return '\u2421';
  return '\ufffd';
}

/** Make a string safe to print: no control byte, escape sequence or bidi override survives. */
export function sanitize(text: string): string {
  return text.replace(UNSAFE, placeholder);
}

/**
 * A program's output made safe to print, as lines: newlines and tabs stay (CRLF becomes a newline),
 * every other control character and escape sequence becomes a visible placeholder, as in sanitize.
 */
export function sanitizeOutput(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => line.split('\t').map(sanitize).join('\t'))
    .join('\n');
}

/** True if `text` holds nothing that sanitize would change. */
export function isClean(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const r = !UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return r;
}

// In JSON, JSON.stringify already escapes C0 and lone surrogates; escape the rest
// (DEL, C1, bidi, separators) as \uXXXX so no raw control byte is printed while
// the parsed value stays exactly what the process said.
// eslint-disable-next-line no-control-regex
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function toSafeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    JSON_UNSAFE,
    (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}
