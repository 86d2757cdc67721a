// What the dashboard draws, character by character: the widths its fitting assumes must be the widths blessed
// draws (emoji, CJK, combining marks), an ASCII screen without a UTF-8 locale, sparklines, NO_COLOR.
import blessed from 'blessed';
import stringWidth from 'string-width';
import { asciiText, blessedCells, drawable, drawableText, localeIsUtf8 } from '../lib/ui/terminal_text';
import { COLOURS, noColor, NO_COLOURS, toTags } from '../lib/ui/tags';
import { initialState, orderRows, reconcile } from '../lib/view/dashboard_state';
import { buildDashboardView, DashboardInputs, DashboardView } from '../lib/view/dashboard_view';
import { displayWidth } from '../lib/view/fit';
import { sparkline } from '../lib/view/sparkline';
import { lineText, Line } from '../lib/view/styled';
import { sessionOf } from '../lib/model/sessions';
import { proc, snapshot, TestFrame } from './helpers/process_stat';

const blessedWidth = (blessed as unknown as { unicode: { strWidth(s: string): number } }).unicode.strWidth;

function viewOf(snap: TestFrame, over: Partial<DashboardInputs> = {}, filter = '', width = 120): DashboardView {
  const r = reconcile({ ...initialState({ sort: 'uss', reverse: false, filter, readOnly: false }) }, snap, 25);
  const st = r.state;
  return buildDashboardView({
    snap, state: st, rows: orderRows(snap, st), sessionRows: r.sessionRows, size: { width, height: 40 }, history: undefined,
    detail: { cgroup: '/pod/🙂', cwd: '/home/🙂日本', exe: '/bin/🙂' }, jobs: [], ended: [], tickMs: 1, error: null, graceSec: 5, ...over,
  });
}

function allLines(v: DashboardView): Line[] {
  return [...v.header, v.gridHeader, ...v.grid.map((g) => g.line), ...(v.detail?.lines ?? []), ...(v.detail?.spark ?? []), v.status, ...(v.overlay?.lines ?? [])];
}

const HOSTILE = ['🙂wide日本', 'e\u0301t\u00e9', '👨‍👩‍👧 family', '☺️ text', '𠀀 ext-b', 'flag 🇩🇪', 'zw\u200bsp', 'a\ufe0fb', 'keycap 1\ufe0f\u20e3', 'hangul \u1100\u1161', 'thai \u0e01\u0e34'];

describe('the terminal text rule (lib/ui/terminal_text.ts)', () => {
  test('every code point let through is as wide for blessed as for the fitting (string-width)', () => {
    let kept = 0;
    for (let cp = 0x20; cp <= 0xffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (!drawable(cp)) continue;
      kept++;
      const ch = String.fromCharCode(cp);
      if (blessedCells(ch) !== stringWidth(ch)) throw new Error(`U+${cp.toString(16)}: blessed ${blessedCells(ch)}, string-width ${stringWidth(ch)}`);
    }
    // Latin, Greek, Cyrillic, CJK, Hangul, box drawing and the rest of the BMP's ordinary text stay.
    expect(kept).toBeGreaterThan(50_000);
  });

  test('what blessed gets wrong becomes U+FFFD, one per grapheme; ordinary text, CJK and accents stay', () => {
    expect(drawableText('🙂wide日本')).toBe('\ufffdwide日本');
    expect(drawableText('e\u0301t\u00e9')).toBe('e\u0301t\u00e9');
    expect(drawableText('👨‍👩‍👧 family')).toBe('\ufffd family');
    expect(drawableText('𠀀 ext-b')).toBe('\ufffd ext-b');
    expect(drawableText('plain ascii')).toBe('plain ascii');
    for (const t of HOSTILE) {
      const d = drawableText(t);
      expect(blessedWidth(d)).toBe(displayWidth(d));
    }
  });

  test('without UTF-8, every grapheme past ASCII is "?" once per column', () => {
    expect(asciiText('🙂wide日本 é')).toBe('??wide???? ?');
    expect(asciiText('plain')).toBe('plain');
  });

  test('the locale decides: LC_ALL, else LC_CTYPE, else LANG; unset is ASCII', () => {
    expect(localeIsUtf8({})).toBe(false);
    expect(localeIsUtf8({ LANG: 'C.UTF-8' })).toBe(true);
    expect(localeIsUtf8({ LANG: 'en_US.utf8' })).toBe(true);
    expect(localeIsUtf8({ LANG: 'C.UTF-8', LC_ALL: 'C' })).toBe(false);
    expect(localeIsUtf8({ LANG: 'C', LC_CTYPE: 'de_DE.UTF-8' })).toBe(true);
  });
});

describe('an emoji anywhere does not shift the screen', () => {
  const frameWith = () => {
    const a = proc(10, { name: '🙂wide日本', cmdline: '/tmp/x/🙂wide日本 600', uid: 7, pssBytes: 1.46 * 1024 * 1024, ussBytes: 1.46 * 1024 * 1024 });
    const b = proc(11, { name: 'plain', cmdline: 'plain 👨‍👩‍👧 --x' });
    const tmux = sessionOf('tmux:s:$1', 'tmux', 'work 🙂', [a]);
    const snap = snapshot([a, b], {}, [tmux]);
    snap.host.name = 'host🙂';
    snap.cgroup.path = '/kubepods/🙂';
    snap.userName = () => 'us🙂er';
    return snap;
  };

  test('every line is as wide for blessed as the view says, and grid lines exactly the screen width', () => {
    const snap = frameWith();
    for (const filter of ['', 'a🙂']) {
      const v = viewOf(snap, { text: drawableText }, filter);
      for (const l of allLines(v)) {
        const t = lineText(l);
        expect([t, blessedWidth(t)]).toEqual([t, displayWidth(t)]);
      }
      for (const g of [v.gridHeader, ...v.grid.map((r) => r.line), v.status]) expect(displayWidth(lineText(g))).toBe(120);
    }
    const v = viewOf(snap, { text: drawableText });
    // The number after the name is the row's own (the emoji once made "1.46 MiB" read "1647 MiB").
    const row = v.grid.map((g) => lineText(g.line)).find((t) => /^ +10 /.test(t));
    expect(row).toMatch(/^ +10 \ufffdwide日本 .* 1\.46 MiB +1\.46 MiB /);
    expect(row).toContain(' work \ufffd ');
  });
});

describe('without a UTF-8 locale', () => {
  test('gauges, arrows and sort marks are ASCII, with the same widths', () => {
    const snap = snapshot([proc(10, { name: '日本', system: true }), proc(11)]);
    const detail = { cgroup: '/pod/日本', cwd: '/home/x', exe: '/bin/x' };
    const utf = viewOf(snap, { text: drawableText, detail });
    const asc = viewOf(snap, { text: asciiText, ascii: true, detail });
    const a = allLines(asc).map(lineText);
    for (const t of a) expect(t).toMatch(/^[\x20-\x7e]*$/);
    expect(a.map((t, i) => [i, displayWidth(t)])).toEqual(allLines(utf).map(lineText).map((t, i) => [i, displayWidth(t)]));
    expect(lineText(asc.header[1])).toMatch(/^Mem +\[#*-*\|-*\]/);
    expect(lineText(asc.gridHeader)).toContain('USSv');
    expect(lineText(asc.header[1])).toContain('+PSS');
  });
});

describe('sparkline', () => {
  test('a ramp of byte values past 32 bits climbs from ▁ to █ and never falls', () => {
    const MiB = 1024 * 1024;
    const ramp = Array.from({ length: 16 }, (_, i) => 100 * MiB + i * 300 * MiB); // 100 MiB .. 4.5 GiB
    const s = sparkline(ramp, 16);
    expect(s).toHaveLength(16);
    expect(s[0]).toBe('▁');
    expect(s[15]).toBe('█');
    const levels = Array.from(s).map((ch) => '▁▂▃▄▅▆▇█'.indexOf(ch));
    for (let i = 1; i < levels.length; i++) expect(levels[i]).toBeGreaterThanOrEqual(levels[i - 1]);
  });

  test('the last values that fit; a flat series, and noise on one, draw a flat line; nothing for no values', () => {
    expect(sparkline([1, 2, 3, 4], 2)).toBe('▁█');
    expect(sparkline([5, 5, 5], 8)).toBe('███');
    const MiB = 1024 * 1024;
    // 0.15 % of noise was ██████▁▁▁ when the scale spanned only the series' own range.
    expect(sparkline([259.4 * MiB, 259.4 * MiB, 259.0 * MiB, 259.0 * MiB], 8)).toMatch(/^(.)\1+$/);
    expect(sparkline([0, 0, 0], 8)).toBe('▁▁▁');
    expect(sparkline([NaN], 8)).toBe('');
  });
});

describe('colours', () => {
  test('NO_COLOR set to anything non-empty turns every colour off; bold and inverse stay', () => {
    expect(noColor({ NO_COLOR: '1' })).toBe(true);
    expect(noColor({ NO_COLOR: '' })).toBe(false);
    expect(noColor({})).toBe(false);
    const tags = Object.values(NO_COLOURS).flat().join('');
    expect(tags).not.toMatch(/-fg|-bg|#/);
    const line: Line = [{ text: 'x', style: 'danger' }, { text: 'y', style: 'dim' }];
    expect(toTags(line, NO_COLOURS)).toBe('{bold}x{/bold}y');
    expect(toTags(line, COLOURS)).toBe('{bold}{red-fg}x{/red-fg}{/bold}{gray-fg}y{/gray-fg}');
  });
});
