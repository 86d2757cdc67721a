// bench/lib/monitor_pane.js processRows(): the peers bench case's "first frame with process rows", for htop's,
// btop's and spmon's layouts, against live processes of this machine (this test's own, and a sleep it starts).
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';

const { processRows } = require('../bench/lib/monitor_pane.js') as {
  processRows(screen: string): { line: number; pid: number }[];
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

test("htop's thread rows: a thread's id beside its process's command counts (a multi-threaded pid 1 fills htop's first screen)", async () => {
  // A python3 with a thread named zqthread (its comm), as /process_api's threads are named vsock-console.
  const py = spawn('python3', ['-c', 'import ctypes,threading,time\ndef f():\n  ctypes.CDLL(None).prctl(15, b"zqthread", 0, 0, 0)\n  time.sleep(60)\nthreading.Thread(target=f, daemon=True).start()\ntime.sleep(60)'], { stdio: 'ignore' });
  try {
    let tid: number | undefined;
    for (let i = 0; i < 300 && tid === undefined; i++) {
      await new Promise((r) => setTimeout(r, 10));
      try {
        tid = fs.readdirSync(`/proc/${py.pid}/task`).map(Number).find((t) => t !== py.pid && comm(t) === 'zqthread');
      } catch {
        // not yet
      }
    }
    expect(tid).toBeDefined();
    const line = (id: number, cmd: string) => `  ${id} root        20   0 1012M 80.1M 40.2M S   0.0  0.3  0:00.02 ${cmd}`;
    const screen = [
      line(tid!, `/usr/bin/${comm(py.pid!)} -c import ctypes`), // a thread row: its process's command
      line(tid!, '/usr/bin/pyth -c'), // the start of its process's comm is not enough for a thread
      line(tid!, 'zqth'), // its own name, as btop or spmon would show it
      line(tid!, 'sleep 60'),
    ].join('\n');
    expect(processRows(screen)).toEqual([
      { line: 0, pid: tid },
      { line: 2, pid: tid },
    ]);
  } finally {
    const gone = new Promise((r) => py.once('exit', r));
    py.kill('SIGKILL');
    await gone;
  }
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
