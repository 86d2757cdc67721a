// The dashboard in tmux under what real terminals bring: emoji in names, TERM values whose terminfo says 8
// colours, no UTF-8 locale, NO_COLOR, the mouse, Ctrl-L, and a growing process's sparkline.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import stringWidth from 'string-width';
import { Child, killAll, python3, sleeper, spawnChild } from '../helpers/children';
import { gridPids, sgrMouse, SPMON, TmuxSession } from './tmux';

jest.setTimeout(90000);

let session: TmuxSession;
let children: Child[] = [];
let dirs: string[] = [];
const uid = () => `spmone2e${process.pid}x${Math.floor(Math.random() * 1e9)}`;

beforeEach(() => {
  session = new TmuxSession();
  children = [];
  dirs = [];
});

afterEach(async () => {
  session.kill();
  await killAll(children);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function startSpmon(args = '', env = '', width = 120, height = 40): void {
  session.start(`${env} node ${SPMON} --interval 0.3 ${args}; echo SPMON-EXIT-$?`, width, height);
}

/** The pid in the detail pane's first line: the selection. */
const selectedPid = (screen: string) => Number(screen.match(/^│(\d+) /m)?.[1] ?? NaN);

/** Colour codes in SGR sequences (not 39/49, which are the terminal's default colours). */
function colourCodes(escaped: string): string[] {
  const out: string[] = [];
  for (const m of escaped.matchAll(/\x1b\[([0-9;]*)m/g)) {
    const ps = m[1].split(';');
    for (let i = 0; i < ps.length; i++) {
      const n = Number(ps[i]);
      if (n === 38 || n === 48) {
        out.push(ps.slice(i, i + 3).join(';'));
        i += 2;
      } else if ((n >= 30 && n <= 37) || (n >= 40 && n <= 47) || (n >= 90 && n <= 97) || (n >= 100 && n <= 107)) out.push(String(n));
    }
  }
  return out;
}

test('an emoji in a name, a cmdline and the filter shifts nothing: numbers stay under their headers', async () => {
  const tag = uid();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${tag}-`));
  dirs.push(dir);
  const exe = path.join(dir, '🙂wide日本');
  fs.copyFileSync('/bin/sleep', exe);
  fs.chmodSync(exe, 0o755);
  children.push(spawnChild(`exec '${exe}' 600`));
  startSpmon();
  await session.waitForText('PID');
  const screen = await session.filterTo(tag);
  const lines = screen.split('\n');
  for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(120);
  const head = lines.find((l) => l.includes('Cmdline'))!;
  const row = lines.find((l) => l.includes('wide日本'))!;
  expect(row).toContain('\ufffdwide日本');
  // Each number ends where its header ends (right-aligned columns), by display width.
  const prefix = (l: string, cols: number) => {
    let out = '';
    for (const ch of l) {
      if (stringWidth(out + ch) > cols) break;
      out += ch;
    }
    return out;
  };
  for (const h of ['USS', 'PSS', 'RSS']) {
    const end = stringWidth(head.slice(0, head.indexOf(h) + h.length)) + (head.includes(`${h}▼`) ? 1 : 0);
    expect(prefix(row, end)).toMatch(/(\d B|iB| -)$/);
    expect(prefix(row, end + 1)).toMatch(/ $/);
  }
  // Typing an emoji into the filter keeps the header at the top of the screen.
  session.keys('Escape');
  await session.waitFor((s) => !s.includes(`filter "${tag}"`), 'the filter cleared');
  session.keys('/');
  session.type('a🙂');
  const typed = await session.waitForText('Filter: a');
  expect(typed.split('\n')[0]).toMatch(/^spmon {2}host /);
  expect(typed).toContain('Filter: a\ufffd█');
});

test.each(['xterm', 'xterm-256color', 'screen', 'screen-256color', 'tmux-256color'])(
  'TERM=%s: dimmed text is drawn gray (SGR 90), never black (SGR 30)',
  async (term) => {
    const tag = uid();
    // A system process (its program is ttyd): its row is dimmed.
    children.push(sleeper(`/tmp/${tag}/ttyd`), sleeper(`/tmp/${tag}/other`));
    startSpmon('--sort pid', `TERM=${term}`);
    await session.waitForText('danger at');
    await session.filterTo(tag, 2);
    const escaped = session.captureEscaped();
    const codes = colourCodes(escaped);
    expect(codes).not.toContain('30');
    // The header's labels and the system process's row.
    expect(escaped).toMatch(/\x1b\[[0-9;]*90m {5}anon/);
    const plain = (l: string) => l.replace(/\x1b\[[0-9;]*m/g, '');
    const ttydRow = escaped.split('\n').find((l) => new RegExp(`^ *${children[0].pid} `).test(plain(l)))!;
    expect(colourCodes(ttydRow)).toContain('90');
  },
);

test('without a UTF-8 locale the gauges, arrows and borders are ASCII, not "?"', async () => {
  // Only the test's own process is listed: another process's cmdline may hold
  // bytes that are rightly drawn as "?" (a newline, a non-ASCII character), and
  // this test is about what spmon itself draws.
  const tag = uid();
  children.push(sleeper(`/tmp/${tag}/plain`));
  startSpmon(`--filter ${tag}`, 'env -u LANG -u LC_ALL -u LC_CTYPE -u LANGUAGE');
  const screen = await session.waitFor((s) => s.includes('danger at') && s.includes(`${children[0].pid} `), 'the sleeper listed');
  expect(screen).toMatch(/^Mem +\[[#-]*\|[#-]*\] /m);
  expect(screen).toMatch(/^CPU +\[[#-]*\] /m);
  expect(screen).toContain('USSv');
  expect(screen).toContain('+PSS');
  expect(screen).not.toMatch(/\?{2,}|USS\?|\?PSS/);
  // Nothing but ASCII reached the terminal.
  expect(screen).toMatch(/^[\x20-\x7e\n]*$/);
});

test('NO_COLOR=1: no colour at all, the selection still inverse', async () => {
  startSpmon('', 'NO_COLOR=1');
  await session.waitForText('danger at');
  const escaped = session.captureEscaped();
  expect(colourCodes(escaped)).toEqual([]);
  expect(escaped).toMatch(/\x1b\[[0-9;]*7m/);
});

test('the mouse: a click selects a row, a click on a header sorts, the wheel scrolls', async () => {
  const tag = uid();
  children.push(sleeper(`${tag}-a`), sleeper(`${tag}-b`), sleeper(`${tag}-c`));
  startSpmon();
  await session.waitForText('PID');
  let screen = await session.filterTo(tag, 3);
  const lines = screen.split('\n');
  const headerRow = lines.findIndex((l) => l.includes('Cmdline'));
  const pids = gridPids(screen);
  // Click the third row.
  session.mouse(10, headerRow + 3);
  screen = await session.waitFor((s) => selectedPid(s) === pids[2], `the detail pane on ${pids[2]}`);
  // Click "PID": sorted by pid, ascending; again: descending.
  session.mouse(4, headerRow);
  screen = await session.waitFor((s) => s.includes('PID▲'), 'sorted by pid');
  const sorted = children.map((c) => c.pid).sort((a, b) => a - b);
  expect(gridPids(screen)).toEqual(sorted);
  session.mouse(4, headerRow);
  await session.waitFor((s) => s.includes('PID▼'), 'reversed');
  // The wheel moves the selection down (three rows; there are three). Home may change nothing and still be
  // unread when the wheel comes: the two then reach spmon together (the next test).
  session.keys('Home');
  await session.waitFor((s) => selectedPid(s) === sorted[2], 'the first row selected');
  session.mouse(10, headerRow + 1, 'wheeldown');
  await session.waitFor((s) => selectedPid(s) === sorted[0], 'the last row selected');
});

test('keys and a wheel notch that reach spmon in one read all act, in order', async () => {
  const tag = uid();
  for (const n of ['a', 'b', 'c', 'd', 'e', 'f']) children.push(sleeper(`${tag}-${n}`));
  startSpmon();
  await session.waitForText('PID');
  let screen = await session.filterTo(tag, 6);
  const headerRow = screen.split('\n').findIndex((l) => l.includes('Cmdline'));
  // Sorted by pid, so that the rows keep their places from tick to tick.
  session.mouse(4, headerRow);
  screen = await session.waitFor((s) => s.includes('PID▲'), 'sorted by pid');
  const pids = gridPids(screen);
  expect(pids).toHaveLength(6);
  session.keys('Home');
  await session.waitFor((s) => selectedPid(s) === pids[0], 'the first row selected');
  // Down, a wheel notch down (three rows), Down, as a terminal sends them when they come at once: the sixth row.
  // Otherwise the second or third (the arrows alone), the fourth (the wheel alone) or the first (nothing: what
  // neo-blessed made of it before the input was cut at mouse reports).
  const down = '\x1b[B';
  session.bytes(`${down}${sgrMouse(10, headerRow + 1, 'wheeldown')}${down}`);
  await session.waitFor((s) => selectedPid(s) === pids[5], 'the sixth row selected');
});

test('the detail pane sits inside its frame: " Selected " on the top border, nothing left below', async () => {
  startSpmon();
  const screen = await session.waitFor((s) => /^│\d+ /m.test(s), 'the detail pane');
  const lines = screen.split('\n');
  const top = lines.findIndex((l) => l.startsWith('┌─ Selected ─'));
  expect(top).toBeGreaterThan(0);
  const bottom = lines.findIndex((l, i) => i > top && l.startsWith('└'));
  expect(bottom - top).toBe(8);
  for (const l of lines.slice(top + 1, bottom)) expect(l).toMatch(/^│.*│$/);
  // The status bar follows the frame at once: no orphan "│ … │" line.
  expect(lines[bottom + 1]).toMatch(/sort uss/);
});

test('Ctrl-L draws the whole screen again', async () => {
  startSpmon();
  const before = await session.waitForText('┌─ Selected');
  // Something else writes to the terminal (a background job, a wall message): on the frame's top border,
  // which no refresh redraws.
  const row = before.split('\n').findIndex((l) => l.startsWith('┌─ Selected'));
  fs.writeFileSync(session.paneTty(), `\x1b[${row + 1};60HSTRAY-TEXT`);
  await session.waitForText('STRAY-TEXT');
  await new Promise((r) => setTimeout(r, 1000));
  expect(session.capture()).toContain('STRAY-TEXT');
  session.keys('C-l');
  // (The redraw is one write, which the terminal may take in several reads: wait for the whole row.)
  const after = await session.waitFor((s) => !s.includes('STRAY-TEXT') && /^┌─ Selected/.test(s.split('\n')[row]), 'the stray text gone, the border drawn');
  expect(after.split('\n')[row]).toMatch(/^┌─ Selected ─+┐$/);
});

test('a steadily growing process draws a rising USS sparkline (it wrapped round past 8 MiB)', async () => {
  const tag = uid();
  // Grows 4 MiB every 0.2 s to 200 MiB, touching every page.
  const grower = spawnChild(
    `exec -a ${tag} ${python3()} -c 'import time
b = []
for i in range(50):
    b.append(bytearray(b"\\x01") * (4 << 20)); time.sleep(0.2)
time.sleep(600)'`,
  );
  children.push(grower);
  startSpmon('--interval 0.3');
  await session.waitForText('PID');
  await session.filterTo(tag);
  const spark = (s: string) => {
    const lines = s.split('\n');
    const i = lines.findIndex((l) => /USS [\d.]+ [KMG]iB:/.test(l));
    return i < 0 ? '' : (lines[i + 1].match(/[▁▂▃▄▅▆▇█]+/)?.[0] ?? '');
  };
  const screen = await session.waitFor((s) => spark(s).length >= 12, 'a sparkline of 12 points', 30000);
  const levels = Array.from(spark(screen)).map((ch) => '▁▂▃▄▅▆▇█'.indexOf(ch));
  // Rising: never more than one level down (an estimate corrected by a fresh reading), ending high.
  for (let i = 1; i < levels.length; i++) expect(levels[i]).toBeGreaterThanOrEqual(levels[i - 1] - 1);
  expect(levels[levels.length - 1]).toBeGreaterThanOrEqual(6);
  expect(levels[0]).toBeLessThanOrEqual(2);
});
