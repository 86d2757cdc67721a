// displayWidth and fit: the fast path (one column per UTF-16 unit) agrees with string-width on every
// character it takes, and a cut keeps whole characters.
import stringWidth from 'string-width';
import { VIEW_GLYPHS } from '../lib/view/ascii_glyphs';
import { displayWidth, fit, NARROW_TEXT } from '../lib/view/fit';

describe('the narrow fast path', () => {
  test('every character it takes is one column for string-width too', () => {
    const taken: number[] = [];
    for (let cp = 0; cp <= 0xffff; cp++) {
      const ch = String.fromCharCode(cp);
      if (NARROW_TEXT.test(ch)) taken.push(cp);
    }
    // It takes the printable ASCII and the view's own glyphs (box drawing and blocks whole), nothing else.
    expect(taken.length).toBe(95 + 160 + 17);
    for (const g of VIEW_GLYPHS) expect([g, NARROW_TEXT.test(g)]).toEqual([g, true]);
    const wrong = taken.filter((cp) => stringWidth(String.fromCharCode(cp)) !== 1).map((cp) => cp.toString(16));
    expect(wrong).toEqual([]);
  });

  test('text outside it still goes to string-width: wide, emoji, combining, control', () => {
    for (const t of ['日本', '🙂', 'é', 'e\u0301', 'a\u200bb', '⚠\ufe0f', '▶\ufe0f', '\u25fd', 'Ω', '\u2194']) {
      expect(displayWidth(t)).toBe(stringWidth(t));
    }
    expect(displayWidth('█░│┃├└─▁▇ · … ←→↑↓')).toBe(18);
  });

  test('fit cuts and pads gauges and sparklines by columns', () => {
    expect(fit('▁▂▃▄▅▆▇█', 5)).toBe('▁▂▃▄…');
    expect(fit('█░', 4, 'right')).toBe('  █░');
    expect(fit('日本語', 5)).toBe('日本…');
    expect(displayWidth(fit('ab', 600))).toBe(600);
  });
});
