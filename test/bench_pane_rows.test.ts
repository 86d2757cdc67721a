// bench/lib/monitor_pane.js processRows(): the peers bench case's "first frame with process rows", for htop's,
// btop's and spmon's layouts, against live processes of this machine (this test's own, and a sleep it starts).
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';

const { processRows } = require('../bench/lib/monitor_pane.js') as {
  processRows(screen: string, lookup?: (pid: number) => string | null): { line: number; pid: number }[];
};

const comm = (pid: number) => fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();

let sleeper: ChildProcess;
beforeAll(async () => {
  sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  // Until it has exec'd sleep (its comm says so).
  for (let i = 0; i < 200 && !(fs.existsSync(`/proc/${sleeper.pid}/comm`) && comm(sleeper.pid!) === 'sleep'); i++) await new Promise((r) => setTimeout(r, 10));
});
afterAll(async () => {
  if (sleeper.exitCode === null && sleeper.signalCode === null) {
    const gone = new Promise((r) => sleeper.once('exit', r));
    sleeper.kill('SIGKILL');
    await gone;
  }
});

test('htop: rows are the lines whose pid is alive and whose command names it; meters and headers are not', () => {
  const me = process.pid;
  const s = sleeper.pid!;
  const screen = [
    '    0[||||                 2.0%]   Tasks: 70, 100 thr; 1 running',
    `  Mem[|||||||        1.2G/23.5G]   Uptime: ${me}`, // a live pid, but nothing names it
    `  Swp[ ${me}M ${comm(me)}]`, // a number with a unit is no pid
    '',
    '    PID USER       PRI  NI  VIRT   RES   SHR S  CPU% MEM%   TIME+  Command',
    `  ${me} root        20   0 1012M 80.1M 40.2M S   1.3  0.3  0:00.52 ${comm(me)} /usr/bin/jest`,
    `  ${s} root        20   0  5480  1024   896 S   0.0  0.0  0:00.00 sleep 60`,
    `  ${s} root        20   0  5480  1024   896 S   0.0  0.0  0:00.00 zzzz`, // a live pid, another name
    ' 9999999 root        20   0  5480  1024   896 S   0.0  0.0  0:00.00 sleep 60', // no such pid
  ].join('\n');
  expect(processRows(screen)).toEqual([
    { line: 5, pid: me },
    { line: 6, pid: s },
  ]);
});

test("btop: rows inside box frames, names cut short, beside another box's figures", () => {
  const s = sleeper.pid!;
  const me = process.pid;
  const screen = [
    '┌ mem ─────────────┐┌ proc ────────────────────────────────────────┐',
    '│ Used:  1.2G  12% ││Pid:    Program:  Command:      Threads: User:│',
    `│ Free: 20.1G  88% ││${String(s).padStart(7)} sleep     sleep 60             1 root │`,
    `│ Cached: ${me} kB ││${String(me).padStart(7)} ${comm(me).slice(0, 9).padEnd(9)} jest                15 root │`,
    '└──────────────────┘└──────────────────────────────────────────────┘',
  ].join('\n');
  expect(processRows(screen)).toEqual([
    { line: 2, pid: s },
    { line: 3, pid: me },
  ]);
});

test('spmon: the grid under its header', () => {
  const s = sleeper.pid!;
  const screen = [
    'spmon  pod memory 1.2 GiB of 24 GiB (5%)   70 processes   tick 12.1 ms',
    'PID▼  Name              Cmdline                         CPU%     USS     PSS     RSS  Growth',
    `${String(s).padStart(5)}  sleep             sleep 60                         0.0   0.1 M   0.1 M   1.0 M       -`,
  ].join('\n');
  expect(processRows(screen).map((r) => r.pid)).toEqual([s]);
  expect(processRows('')).toEqual([]);
});
