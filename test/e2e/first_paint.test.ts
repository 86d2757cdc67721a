// The dashboard writes its first frame before blessed is loaded (lib/ui/first_paint.ts), and blessed's first
// draw then replaces it. What the terminal showed in between must be blessed's frame cell for cell (text,
// colours, attributes) but for the detail pane, which only blessed draws: otherwise rows would jump or
// colours flicker as blessed takes over. Every byte spmon writes is recorded (tmux pipe-pane); the bytes
// before blessed's first output are replayed in a second pane, and the two panes are compared.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Child, killAll, spawnChild } from '../helpers/children';
import { SPMON, TmuxSession } from './tmux';

jest.setTimeout(90000);

let sessions: TmuxSession[] = [];
let children: Child[] = [];
let dirs: string[] = [];

beforeEach(() => {
  sessions = [];
  children = [];
  dirs = [];
});

afterEach(async () => {
  for (const s of sessions) s.kill();
  await killAll(children);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const session = () => {
  const s = new TmuxSession();
  sessions.push(s);
  return s;
};

/** The pane once two captures 100 ms apart agree (a frame is one write, which tmux may take in several reads). */
async function settled(s: TmuxSession): Promise<string[]> {
  let last = s.captureEscaped();
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const now = s.captureEscaped();
    if (now === last) return now.split('\n');
    last = now;
  }
}

/** Where blessed's first output starts: its alternate screen or its window title (OSC, or a DCS passthrough inside tmux). */
function blessedStart(raw: Buffer): number {
  const at = ['\x1b[?1049h', '\x1bP', '\x1b]'].map((s) => raw.indexOf(s, 1, 'latin1')).filter((i) => i > 0);
  return at.length > 0 ? Math.min(...at) : -1;
}

test.each([
  ['UTF-8, colours', ''],
  ['no UTF-8 locale', 'LANG=C LC_ALL=C'],
  ['NO_COLOR', 'NO_COLOR=1'],
  ['TERM=xterm (8 colours)', 'TERM=xterm'],
])('%s: the first frame, written before blessed, is the frame blessed draws over it (but the detail pane)', async (_what, env) => {
  const tag = `fp${process.pid}x${Math.floor(Math.random() * 1e9)}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `spmon-${tag}-`));
  dirs.push(dir);
  // A name with CJK (two columns each) and an emoji (drawn as one U+FFFD), as a row of the first frame.
  const exe = path.join(dir, '日本🙂e2e');
  fs.copyFileSync('/bin/sleep', exe);
  fs.chmodSync(exe, 0o755);
  children.push(spawnChild(`exec '${exe}' 600`));
  for (let i = 0; i < 3; i++) children.push(spawnChild(`exec '${exe}' 60${i}`));

  const live = session();
  const raw = path.join(live.tmpdir, 'written.bin');
  // The pipe is attached during the sleep, before spmon writes anything; the next tick is 30 s away.
  live.start(`sleep 0.5; env ${env} node ${SPMON} --interval 30 --filter ${tag}`);
  live.pipeTo(raw);
  await live.waitFor((s) => s.includes(' Selected ') && /sort uss/.test(s.trimEnd().split('\n').at(-1) ?? ''), 'blessed\'s first draw, to the status bar');
  const drawn = await settled(live);

  const bytes = fs.readFileSync(raw);
  // The first frame is the first thing written: the alternate screen, then the rows.
  expect(bytes.subarray(0, 8).toString('latin1')).toBe('\x1b[?1049h');
  const end = blessedStart(bytes);
  expect(end).toBeGreaterThan(200);
  const first = path.join(live.tmpdir, 'first.bin');
  fs.writeFileSync(first, bytes.subarray(0, end));
  const replay = session();
  replay.start(`cat '${first}'`);
  await replay.waitFor((s) => /sort uss/.test(s.trimEnd().split('\n').at(-1) ?? ''), 'the replayed first frame, to the status bar');
  const painted = await settled(replay);

  const plain = (l: string) => l.replace(/\x1b\[[0-9;]*m/g, '');
  const top = drawn.findIndex((l) => plain(l).includes(' Selected '));
  const bottom = drawn.findIndex((l, i) => i > top && /^[└+]/.test(plain(l)));
  expect(top).toBeGreaterThan(5);
  expect(bottom - top).toBe(8);
  expect(painted.length).toBe(drawn.length);
  for (let y = 0; y < drawn.length; y++) {
    // The detail pane is blessed's alone: blank in the first frame.
    if (y >= top && y <= bottom) expect([y, plain(painted[y]).trim()]).toEqual([y, '']);
    else expect([y, painted[y]]).toEqual([y, drawn[y]]);
  }
  // The rows were there: the grid's header and the named children.
  const text = painted.map(plain).join('\n');
  expect(text).toMatch(/PID +Name/);
  expect(text.match(/e2e/g)?.length).toBeGreaterThanOrEqual(4);
  if (env.includes('LANG=C')) expect(text).not.toMatch(/[^\x00-\x7f]/);
  else expect(text).toContain('日本\ufffde2e');
});

test('the first frame goes out before blessed is loaded, before Node makes its terminal streams, and before its streams or zlib load', async () => {
  // A preload notes, at the first write of the frame to fd 1, which modules the process has loaded.
  const live = session();
  const seen = path.join(live.tmpdir, 'seen.json');
  const preload = path.join(live.tmpdir, 'preload.js');
  fs.writeFileSync(
    preload,
    `const fs = require('fs');
const write = fs.writeSync;
let noted = false;
fs.writeSync = function (fd, data, ...rest) {
  if (!noted && fd === 1 && String(data).startsWith('\\x1b[?1049h')) {
    noted = true;
    write.call(fs, fs.openSync(${JSON.stringify(seen)}, 'w'), JSON.stringify({
      blessed: Object.keys(require.cache).filter((k) => /blessed[\\\\/]lib[\\\\/]/.test(k)).map((k) => k.replace(/.*blessed[\\\\/]lib[\\\\/]/, '')),
      tty: process.moduleLoadList.includes('NativeModule tty'),
      stream: process.moduleLoadList.includes('NativeModule stream'),
      zlib: process.moduleLoadList.includes('NativeModule zlib'),
    }));
  }
  return write.call(this, fd, data, ...rest);
};
`,
  );
  // Started as users start it: bin/spmon as a program, whose sh line gives Node the long-running flags.
  live.start(`NODE_OPTIONS='--require ${preload}' ${SPMON} --interval 30`);
  await live.waitFor((s) => s.includes(' Selected '), "blessed's draw");
  const at = JSON.parse(fs.readFileSync(seen, 'utf8')) as { blessed: string[]; tty: boolean; stream: boolean; zlib: boolean };
  // Only blessed's width table (the view's fitting agrees with it), none of its screen, program or terminfo; no
  // zlib (V8 checks the code cache under those flags) and no streams (Node's v8 module is required after the
  // frame). Under the flags Node compiles its own modules from source, so each one would delay the frame.
  expect(at).toEqual({ blessed: ['unicode.js'], tty: false, stream: false, zlib: false });
});
