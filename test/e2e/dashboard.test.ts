// The dashboard end to end in tmux: what a person sees and what their keys do.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Child, killAll, sleeper, spawnChild, stubborn } from '../helpers/children';
import { gridPids, SPMON, TmuxSession } from './tmux';

jest.setTimeout(60000);

let session: TmuxSession;
let children: Child[] = [];
const uid = () => `spmone2e${process.pid}x${Math.floor(Math.random() * 1e9)}`;

beforeEach(() => {
  session = new TmuxSession();
  children = [];
});

afterEach(async () => {
  session.kill();
  await killAll(children);
});

function startSpmon(args = '', width = 120, height = 40): void {
  session.start(`node ${SPMON} --interval 0.3 ${args}; echo SPMON-EXIT-$?`, width, height);
}

test('shows the columns, the gauges and the status bar', async () => {
  startSpmon();
  const screen = await session.waitForText('PID');
  for (const col of ['PID', 'Name', 'Cmdline', 'CPU%', 'USS', 'PSS', 'RSS', 'Growth', 'Read', 'Write']) {
    expect(screen).toContain(col);
  }
  expect(screen).toMatch(/Mem\s+\[/);
  expect(screen).toMatch(/CPU\s+\[/);
  expect(screen).toMatch(/danger at 80%/);
  expect(screen).toMatch(/q quit/);
  // The selected row is drawn in reverse video.
  expect(session.captureEscaped()).toMatch(/\x1b\[[0-9;]*7m/);
});

test('the filter narrows the grid live, Esc clears it', async () => {
  const tag = uid();
  children.push(sleeper(`${tag}-a`), sleeper(`${tag}-b`), sleeper('other-sleeper'));
  startSpmon();
  await session.waitForText('PID');
  session.keys('/');
  session.type(tag);
  let screen = await session.waitFor((s) => s.includes('1-2 of 2'), 'two matching rows');
  expect(gridPids(screen).sort()).toEqual([children[0].pid, children[1].pid].sort());
  expect(screen).not.toContain('other-sleeper');
  expect(screen).toContain(`Filter: ${tag}`);
  session.type('-a');
  screen = await session.waitFor((s) => s.includes('1-1 of 1'), 'one matching row');
  expect(gridPids(screen)).toEqual([children[0].pid]);
  session.keys('Escape');
  await session.waitFor((s) => Number(s.match(/\d+-\d+ of (\d+)/)?.[1] ?? 0) >= 3 && !s.includes('Filter:'), 'filter cleared');
});

test('s cycles the sort column and r reverses it', async () => {
  const tag = uid();
  children.push(sleeper(`${tag}-1`), sleeper(`${tag}-2`), sleeper(`${tag}-3`));
  startSpmon();
  await session.waitForText('PID');
  await session.filterTo(tag, 3);
  const pids = children.map((c) => c.pid).sort((a, b) => a - b);
  const order = (screen: string) => gridPids(screen).filter((p) => pids.includes(p));
  // Cycle from uss (default) round to pid: the sort keys are pid name cmdline cpu uss ...
  for (let i = 0; i < 6; i++) session.keys('s');
  let screen = await session.waitFor((s) => /PID▲/.test(s), 'sort by pid ascending');
  expect(order(screen)).toEqual(pids);
  session.keys('r');
  screen = await session.waitFor((s) => /PID▼/.test(s), 'sort by pid descending');
  expect(order(screen)).toEqual(pids.slice().reverse());
});

test('k then y ends the selected process', async () => {
  const tag = uid();
  const child = sleeper(tag);
  children.push(child);
  startSpmon('--grace 3');
  await session.waitForText('PID');
  await session.filterTo(tag);
  session.keys('k');
  const confirm = await session.waitForText('(y/n)');
  expect(confirm).toContain(`Kill process ${child.pid} sleep (USS`);
  session.keys('y');
  const how = await child.exited;
  expect(how.signal).toBe('SIGTERM');
  await session.waitForText(`Terminated ${child.pid}`);
});

test('a process that ignores SIGTERM is force-killed after the grace period', async () => {
  const tag = uid();
  const child = stubborn(tag);
  children.push(child);
  startSpmon('--grace 1');
  await session.waitForText('PID');
  await session.filterTo(tag);
  session.keys('k');
  await session.waitForText('(y/n)');
  session.keys('y');
  const how = await child.exited;
  expect(how.signal).toBe('SIGKILL');
  await session.waitFor((s) => /force-killed/i.test(s), 'force-killed message');
});

test('n spares a system process, and the warning says it is one', async () => {
  const tag = uid();
  // Its program (argv[0]) is ttyd: a system process by the default list.
  const child = sleeper(`/tmp/${tag}/ttyd`);
  children.push(child);
  startSpmon();
  await session.waitForText('PID');
  await session.filterTo(tag);
  session.keys('k');
  const screen = await session.waitForText('SYSTEM PROCESS');
  expect(screen).toContain(`⚠ SYSTEM PROCESS — Kill ${child.pid} sleep (USS`);
  expect(screen).toContain('This may break the session. (y/n)');
  // Drawn in red.
  expect(session.captureEscaped()).toMatch(/\x1b\[[0-9;]*31m[^\n]*SYSTEM PROCESS/);
  session.keys('n');
  await session.waitForText(`Spared ${child.pid}`);
  await new Promise((r) => setTimeout(r, 500));
  expect(child.alive()).toBe(true);
});

test("k and K on spmon's own tmux server are refused before any y/n", async () => {
  startSpmon('--sort pid');
  await session.waitForText('PID');
  const server = session.serverPid();
  session.keys('/');
  session.type('tmux: server');
  session.keys('Enter');
  await session.waitForText('filter "tmux: server"');
  // Other tmux servers may run: walk down to ours (the detail pane names the selection).
  const selected = (s: string) => Number(s.match(/^│(\d+) /m)?.[1] ?? NaN);
  const selectServer = async () => {
    session.keys('Home');
    for (let i = 0; i < 100 && selected(session.capture()) !== server; i++) {
      session.keys('Down');
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(selected(session.capture())).toBe(server);
  };
  for (const key of ['k', 'K']) {
    await selectServer();
    session.keys(key);
    const screen = await session.waitForText(`Refused to end ${server} tmux: server: it is protected`);
    expect(screen).not.toContain('(y/n)');
    // The next key clears it (and may move the selection: the walk starts again).
    session.keys('Down');
    session.keys('Up');
    await session.waitFor((s) => !s.includes('Refused'), 'the refusal gone with the next key');
  }
});

test('keys typed ahead, before the dashboard is up, reach it: a filter and Enter', async () => {
  const tag = uid();
  const child = sleeper(tag);
  children.push(child);
  // Typed while the shell sleeps: the terminal is still in cooked mode, and Enter arrives as a line feed.
  session.start(`sleep 1; node ${SPMON} --interval 0.3; echo SPMON-EXIT-$?`);
  session.keys('/');
  session.type(tag);
  session.keys('Enter');
  await session.waitFor((s) => s.includes('1-1 of 1') && s.includes(`filter "${tag}"`) && !s.includes('Enter keep'), 'the typed-ahead filter kept');
  session.keys('q');
  await session.waitForText('SPMON-EXIT-0');
});

test('--read-only refuses to kill', async () => {
  const tag = uid();
  const child = sleeper(tag);
  children.push(child);
  startSpmon('--read-only');
  await session.waitForText('PID');
  await session.filterTo(tag);
  session.keys('k');
  await session.waitForText('Read-only mode');
  expect(child.alive()).toBe(true);
});

test('q gives the shell back with exit status 0', async () => {
  startSpmon();
  await session.waitForText('PID');
  session.keys('q');
  const screen = await session.waitForText('SPMON-EXIT-0');
  // The alternate screen is gone: no grid left behind.
  expect(screen).not.toContain('Cmdline');
});

test.each([
  ['SIGTERM', 143],
  ['SIGHUP', 129],
  ['SIGINT', 130],
] as const)('%s restores the terminal', async (sig, code) => {
  const tag = uid();
  startSpmon(`--filter ${tag}`);
  await session.waitForText('PID');
  // Only the node process: the tmux server's own cmdline holds the same words.
  const ps = spawnSync('pgrep', ['-f', '--', `^node .*--filter ${tag}`], { encoding: 'utf8' });
  const pid = Number(ps.stdout.trim().split('\n').find((l) => l && Number(l) !== process.pid));
  expect(pid).toBeGreaterThan(1);
  process.kill(pid, sig);
  const screen = await session.waitForText(`SPMON-EXIT-${code}`);
  expect(screen).not.toContain('Cmdline');
});

test('closing the terminal (its tmux server killed) ends spmon by the hangup, not by a crash on the way out', async () => {
  // A wrapper that outlives the hangup records how spmon ended. Node 20 aborts in its exit handler
  // when the terminal is gone (restoring its settings fails with EIO): that was SIGSEGV/SIGABRT, in about
  // one close in three, whichever way out spmon took. Three terminals are closed, each in a new tmux server.
  const ends: string[] = [];
  for (let round = 0; round < 3; round++) {
    if (round > 0) session = new TmuxSession(); // the last one is killed by afterEach
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-hangup-')); // session.kill() removes its own dirs
    const wrapper = path.join(dir, 'wrapper.js');
    const result = path.join(dir, 'ended');
    fs.writeFileSync(
      wrapper,
      `process.on('SIGHUP', () => {});
       const c = require('child_process').spawn(process.execPath, [${JSON.stringify(SPMON)}, '--interval', '0.3'], { stdio: 'inherit' });
       c.on('exit', (code, sig) => require('fs').writeFileSync(${JSON.stringify(result)}, String(sig || code)));`,
    );
    session.start(`node ${wrapper}`);
    await session.waitForText('PID');
    session.kill();
    let ended = '';
    for (let i = 0; i < 100 && !ended; i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (fs.existsSync(result)) ended = fs.readFileSync(result, 'utf8');
    }
    fs.rmSync(dir, { recursive: true, force: true });
    ends.push(ended);
  }
  expect(ends).toEqual(['SIGHUP', 'SIGHUP', 'SIGHUP']);
});

test('a resize re-lays out the screen', async () => {
  startSpmon();
  let screen = await session.waitForText('Write');
  expect(screen).toContain('Cmdline');
  session.resize(60, 20);
  screen = await session.waitFor((s) => !s.includes('Write') && s.includes('PID'), 'narrow layout');
  expect(screen.split('\n').every((l) => l.length <= 60)).toBe(true);
  session.resize(150, 45);
  await session.waitForText('Write');
});

test('TERM=dumb is refused with a message, leaving the terminal as it was', async () => {
  session.start(`TERM=dumb node ${SPMON}; echo SPMON-EXIT-$?`);
  const screen = await session.waitForText('SPMON-EXIT-1');
  expect(screen).toContain('TERM=dumb cannot draw the dashboard');
});

test('a 20x6 terminal still draws and q quits', async () => {
  startSpmon('', 20, 6);
  const screen = await session.waitForText('PID');
  expect(screen.split('\n').every((l) => l.length <= 20)).toBe(true);
  session.keys('q');
  await session.waitForText('SPMON-EXIT-0');
});

test('a name full of markup and escapes is shown literally and harmlessly', async () => {
  const tag = uid();
  const child = spawnChild(`exec -a '{red-fg}${tag}'$'\\e]0;pwned\\a' sleep 600`);
  children.push(child);
  startSpmon();
  await session.waitForText('PID');
  await session.filterTo(tag);
  // The detail pane shows the whole cmdline: the tag is literal text, ESC and BEL are placeholders.
  const screen = await session.waitForText(`{red-fg}${tag}␛]0;pwned␇`);
  expect(screen).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
});

test('the help overlay opens with ? and closes with Esc', async () => {
  startSpmon();
  await session.waitForText('PID');
  session.keys('?');
  await session.waitForText('kill the selected or tagged processes and all their descendants');
  session.keys('Escape');
  await session.waitFor((s) => !s.includes('all their descendants'), 'help closed');
});

test('without a terminal, the dashboard says so and exits non-zero', () => {
  const r = spawnSync('node', [SPMON], { encoding: 'utf8', env: { ...process.env, HOME: session.home } });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/needs a terminal/);
  expect(r.stdout).toBe('');
});
