// htop's keys in the real dashboard (tmux): F-keys reach it, Space tags a set that k ends, ← → choose the
// signal k sends, u shows one user; and a dashboard with nothing to read says so and exits non-zero.
import * as fs from 'fs';
import { Child, killAll, sleeper } from '../helpers/children';
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

function startSpmon(args = '', env = ''): void {
  session.start(`${env} node ${SPMON} --interval 0.3 ${args}; echo SPMON-EXIT-$?`);
}

test('F4 filters, F5 shows the tree, F6 picks the sort column, F10 quits', async () => {
  const tag = uid();
  children.push(sleeper(tag));
  startSpmon();
  await session.waitForText('PID');
  session.keys('F4');
  await session.waitForText('Filter: ');
  session.type(tag);
  session.keys('Enter');
  await session.waitForText('1-1 of 1');
  session.keys('F5');
  await session.waitForText('Tree view');
  session.keys('F6');
  await session.waitForText(' Sort by ');
  session.keys('Home');
  session.keys('Enter');
  await session.waitFor((s) => /PID▲/.test(s), 'sorted by pid');
  session.keys('F10');
  await session.waitForText('SPMON-EXIT-0');
});

test('Space tags two of three; k then y ends exactly those two', async () => {
  const tag = uid();
  children.push(sleeper(`${tag}-a`), sleeper(`${tag}-b`), sleeper(`${tag}-c`));
  startSpmon('--sort pid --grace 3');
  await session.waitForText('PID');
  const screen = await session.filterTo(tag, 3);
  const [first, second, third] = gridPids(screen);
  session.keys('Space');
  session.keys('Space');
  await session.waitForText('2 tagged');
  session.keys('k');
  await session.waitForText('Kill 2 tagged processes (USS');
  session.keys('y');
  const byPid = new Map(children.map((c) => [c.pid, c]));
  for (const pid of [first, second]) expect((await byPid.get(pid)!.exited).signal).toBe('SIGTERM');
  await session.waitFor((s) => /Ended the tagged set: 2 terminated/.test(s), 'the set ended');
  expect(byPid.get(third)!.alive()).toBe(true);
});

test('→ chooses the signal: SIGINT reaches the process', async () => {
  const tag = uid();
  const child = sleeper(tag);
  children.push(child);
  startSpmon();
  await session.waitForText('PID');
  await session.filterTo(tag);
  session.keys('k');
  await session.waitForText('(y/n)');
  session.keys('Right');
  await session.waitForText('SIGINT now, SIGKILL after');
  session.keys('y');
  expect((await child.exited).signal).toBe('SIGINT');
});

test('u: only the chosen user\'s processes', async () => {
  startSpmon();
  await session.waitForText('PID');
  session.keys('u');
  await session.waitForText(' Show the processes of ');
  // The first entry is every user; the next, the user with the most processes (here: root, as the tests run).
  session.keys('Down');
  session.keys('Enter');
  const screen = await session.waitForText('  user root');
  const uids = new Set(gridPids(screen).map((pid) => fs.statSync(`/proc/${pid}`, { throwIfNoEntry: false })?.uid));
  uids.delete(undefined);
  expect([...uids]).toEqual([0]);
});

test('with a process root that cannot be read, the dashboard says why and exits 1', async () => {
  startSpmon('', 'SPMON_PROC_ROOT=/nonexistent');
  const screen = await session.waitForText('SPMON-EXIT-1');
  expect(screen).toContain('spmon: cannot list the processes in /nonexistent: no such file or directory (ENOENT)');
});
