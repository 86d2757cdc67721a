// A long-lived Reader leaves the stat of a quiet single-threaded process unread when its schedstat shows no
// run time since its last stat (FLAG_STAT_REUSED): what stat holds moves only when the process runs, except
// its parent (reparenting) and its resident pages (reclaim), which the reader checks after the walk and at
// every tenth pass. These tests check that this changes what a pass costs, never what it reads: a reused
// record equals a fresh reader's, a process that ran (however briefly) is read, a multi-threaded one always
// is, a process whose parent exits (or only becomes a zombie) shows its new parent in the very next pass, and one
// whose session leader exits shows its terminal gone in the very next pass.
import { ChildProcess, spawn } from 'child_process';
import { createReader, FLAG_IO_REUSED, FLAG_QUIET, FLAG_STAT_REUSED, RawSample } from '../lib/native';
import { python3 } from './helpers/children';
import { mustRow, Row } from './helpers/rows';

const opts = { smaps: false, host: false, cgroup: false } as const;
const STAT_KEYS = ['ppid', 'pgrp', 'session', 'tty', 'state', 'startTime', 'utime', 'stime', 'threads', 'name'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const reused = (r: Row) => ((r.flags as number) & FLAG_STAT_REUSED) !== 0;
const pick = (r: Row) => Object.fromEntries(STAT_KEYS.map((k) => [k, r[k]]));

function exited(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));
}

function firstLine(c: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    c.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    c.once('exit', () => reject(new Error(`exited before a line: ${JSON.stringify(buf)}`)));
  });
}

const children: ChildProcess[] = [];
const grandchildren: number[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const pid of grandchildren) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone already */
    }
  }
  await Promise.all(children.map(exited));
});

function child(cmd: string, args: string[], stdout: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
  const c = spawn(cmd, args, { stdio: ['ignore', stdout, 'inherit'] });
  children.push(c);
  return c;
}

test('a quiet single-threaded process has its stat reused, and the reused record is what a fresh read gives', async () => {
  const quiet = child('sleep', ['600']);
  const busy = child('sh', ['-c', 'while :; do :; done']);
  // Python wakes every 0.2 s and sleeps again: microseconds each time, no page faults once warm, too little to
  // move its CPU time in clock ticks, so its stat mostly shows nothing moved; its schedstat does, so its stat
  // is read in every pass.
  const waker = child(python3(), ['-c', 'import time\nwhile True: time.sleep(0.2)']);
  await sleep(300);
  const reader = createReader();
  const rows: { quiet: Row; busy: Row; waker: Row; sample: RawSample }[] = [];
  for (let i = 0; i < 16; i++) {
    const s = reader.sample(opts);
    rows.push({ quiet: mustRow(s, quiet.pid!), busy: mustRow(s, busy.pid!), waker: mustRow(s, waker.pid!), sample: s });
    if (reused(rows[i].quiet)) {
      // What the reused stat says is what stat says now.
      const fresh = createReader().sample(opts);
      expect(pick(rows[i].quiet)).toEqual(pick(mustRow(fresh, quiet.pid!)));
    }
    await sleep(250);
  }
  const quietReused = rows.map((r) => reused(r.quiet));
  // Pass 1 sees it first, pass 2 finds it quiet, pass 3 takes the baseline; from pass 4 on it is reused, except
  // at its tenth pass ((pass + pid) % 10 === 0), when stat is read whatever schedstat says.
  quietReused.forEach((isReused, i) => {
    const pass = i + 1;
    expect({ pass, isReused }).toEqual({ pass, isReused: pass >= 4 && (pass + quiet.pid!) % 10 !== 0 });
  });
  expect(rows.some((r) => reused(r.busy))).toBe(false);
  expect(rows.some((r) => reused(r.waker))).toBe(false);
  expect(rows[rows.length - 1].busy.utime as number).toBeGreaterThan(rows[0].busy.utime as number);
  for (const { sample } of rows) {
    const flags = Array.from(sample.flags);
    let n = 0;
    flags.forEach((f, i) => {
      if ((f & FLAG_STAT_REUSED) === 0) return;
      n++;
      expect(sample.threads[i]).toBe(1);  // another thread's run time is not in the main thread's schedstat
    });
    expect(sample.stats!.statReused).toBe(n);
  }
  expect(rows[rows.length - 1].sample.stats!.statReused).toBeGreaterThan(0);
});

test('a multi-threaded process always has its stat read', async () => {
  // Node with its worker threads sits idle in a timer; its threads wake now and then (or not): either way its
  // main thread's schedstat does not speak for them.
  const idle = child(process.execPath, ['-e', 'setInterval(() => {}, 60000)']);
  await sleep(500);
  const reader = createReader();
  for (let i = 0; i < 8; i++) {
    const r = mustRow(reader.sample(opts), idle.pid!);
    expect(r.threads as number).toBeGreaterThan(1);
    expect(reused(r)).toBe(false);
    await sleep(100);
  }
});

test("a quiet process's io is not read again while it has not run, not even at its tenth pass; its first write after shows at once", async () => {
  // Python blocks reading a line (it does not run), then writes 12,345 bytes to /dev/null and says so. At its
  // tenth pass ((pass + pid) % 10 === 0) statm is read whatever it did (FLAG_QUIET clear), io is not
  // (FLAG_IO_REUSED set); io counts only what the process itself does, so the reading left standing is what io
  // says now.
  const io = spawn(python3(), ['-u', '-c', 'import os, sys\nprint("ready")\nfor line in sys.stdin:\n    os.write(os.open("/dev/null", os.O_WRONLY), b"x" * 12345)\n    print("wrote")'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(io);
  const lines: string[] = [];
  let buf = '';
  io.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      lines.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  const line = async (text: string) => {
    for (let i = 0; i < 250 && !lines.includes(text); i++) await sleep(20);
    expect(lines).toContain(text);
  };
  await line('ready');
  const reader = createReader();
  let last: Row | null = null;
  const seen: { pass: number; statmStands: boolean; ioStands: boolean }[] = [];
  for (let pass = 1; pass <= 24; pass++) {
    last = mustRow(reader.sample(opts), io.pid!);
    const flags = last.flags as number;
    if (pass >= 14) seen.push({ pass, statmStands: (flags & FLAG_QUIET) !== 0, ioStands: (flags & FLAG_IO_REUSED) !== 0 });
    await sleep(50);
  }
  // Its schedstat is first read at pass 3; an io reading from before that read does not count, so io is read once
  // more at its first tenth pass after it (by pass 13). Passes 14 to 24 hold its next tenth: statm is read there,
  // io is not.
  const tenth = (pass: number) => (pass + io.pid!) % 10 === 0;
  expect(seen.some(({ pass }) => tenth(pass))).toBe(true);
  expect(seen).toEqual(seen.map(({ pass }) => ({ pass, statmStands: !tenth(pass), ioStands: true })));
  expect(last!.wchar).toBe(mustRow(createReader().sample(opts), io.pid!).wchar);
  const before = last!.wchar as number;
  io.stdin!.write('go\n');
  await line('wrote');
  const after = mustRow(reader.sample(opts), io.pid!);
  expect((after.flags as number) & FLAG_IO_REUSED).toBe(0);
  expect(after.wchar as number).toBeGreaterThanOrEqual(before + 12345);
  expect(after.wchar).toBe(mustRow(createReader().sample(opts), io.pid!).wchar);
});

/** Sample until `pid`'s stat is reused and the next pass is not its tenth (which reads stat anyway). */
async function reusedNow(reader: ReturnType<typeof createReader>, pid: number): Promise<Row> {
  for (let pass = 1; pass <= 30; pass++) {
    const r = mustRow(reader.sample(opts), pid);
    if (reused(r) && (pass + 1 + pid) % 10 !== 0) return r;
    await sleep(50);
  }
  throw new Error(`pid ${pid}: its stat was never reused in 30 passes`);
}

test('a quiet process whose parent exits shows its new parent in the next pass, not at its tenth', async () => {
  const parent = child('sh', ['-c', 'sleep 600 & echo $!; wait'], 'pipe');
  const orphan = Number(await firstLine(parent));
  grandchildren.push(orphan);
  expect(orphan).toBeGreaterThan(0);
  const reader = createReader();
  const before = await reusedNow(reader, orphan);
  expect(before.ppid).toBe(parent.pid);
  parent.kill('SIGKILL');
  await exited(parent);
  const after = mustRow(reader.sample(opts), orphan);
  expect(after.ppid).not.toBe(parent.pid);
  expect(after.ppid as number).toBeGreaterThan(0);
  expect(after).toMatchObject(pick(mustRow(createReader().sample(opts), orphan)));
});

test('a quiet process whose parent is only a zombie (exited, not reaped) shows its new parent in the next pass', async () => {
  // The outer sh runs the middle one in the background and execs a sleep that never reaps it: when the middle
  // one exits (on a line from us) it stays a zombie, and its child, the quiet sleep, is reparented.
  // (A background job's stdin is /dev/null unless redirected: hence fd 3.)
  const outer = spawn('sh', ['-c', 'exec 3<&0; sh -c \'sleep 600 & echo $!; read x\' <&3 & exec sleep 600'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.push(outer);
  const orphan = Number(await firstLine(outer));
  grandchildren.push(orphan);
  const reader = createReader();
  const before = await reusedNow(reader, orphan);
  const middle = before.ppid as number;
  expect(middle).not.toBe(outer.pid);
  outer.stdin!.end('\n');
  // Until the middle sh is a zombie.
  for (let i = 0; i < 100 && mustRow(createReader().sample(opts), middle).state !== 'Z'; i++) await sleep(20);
  expect(mustRow(createReader().sample(opts), middle).state).toBe('Z');
  const after = mustRow(reader.sample(opts), orphan);
  expect(after.ppid).not.toBe(middle);
  expect(after).toMatchObject(pick(mustRow(createReader().sample(opts), orphan)));
});

test("a quiet process on a terminal shows it gone in the next pass once its session's leader exits", async () => {
  // A Python session leader on a pty starts a child in its own process group (so the leader's exit signals
  // nothing to it), which starts the quiet sleep and waits for it. When the leader exits, the kernel clears the
  // terminal of every process in the session; neither the sleep nor its parent runs, and the sleep's parent
  // stays the same, so only the terminal says its stat moved.
  const script = [
    'import os, pty, sys',
    'pid, fd = pty.fork()',
    'if pid == 0:',
    '    r, w = os.pipe()',
    '    if os.fork() == 0:',
    '        os.setpgid(0, 0)',
    '        s = os.fork()',
    '        if s == 0:',
    '            os.execvp("sleep", ["sleep", "600"])',
    '        os.write(w, str(s).encode() + b"\\n")',
    '        os.waitpid(s, 0)',
    '        os._exit(0)',
    '    sys.stdout.write(os.read(r, 64).decode())',
    '    sys.stdout.flush()',
    '    sys.stdin.readline()',
    '    os._exit(0)',
    'out = b""',
    'while not out.endswith(b"\\n"):',
    '    out += os.read(fd, 64)',
    'sys.stdout.write(out.decode().strip() + "\\n")',
    'sys.stdout.flush()',
    'sys.stdin.readline()',
    'os.write(fd, b"\\n")',
    'os.waitpid(pid, 0)',
    'sys.stdin.readline()',
  ].join('\n');
  const holder = spawn(python3(), ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(holder);
  const quiet = Number(await firstLine(holder));
  grandchildren.push(quiet);
  const reader = createReader();
  const before = await reusedNow(reader, quiet);
  expect(before.tty as number).toBeGreaterThan(0);
  const ppid = before.ppid;
  grandchildren.push(ppid as number);
  holder.stdin!.write('\n');
  // Until the leader (the pty's session, the quiet one's session id) is gone.
  for (let i = 0; i < 100 && Array.from(createReader().sample(opts).pid).includes(before.session as number); i++) await sleep(20);
  const after = mustRow(reader.sample(opts), quiet);
  expect(after.ppid).toBe(ppid);
  expect(after.tty).toBe(mustRow(createReader().sample(opts), quiet).tty);
  expect(after.tty).not.toBe(before.tty);
});
