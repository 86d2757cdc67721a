'use strict';
// A terminal monitor as a user runs it: one program (spmon's dashboard, htop, btop) in a pane of
// a private tmux server (its own TMUX_TMPDIR in a fresh temp directory, no config file, status
// line off, 120x40 by default), optionally with a private HOME holding the program's config.
// The pane runs the program directly (no shell), so the pane's pid is the program's pid.
//
// launch() first starts the server with a placeholder (`sleep`) in the pane, then replaces it
// with the program (respawn-pane -k) and returns the time just before that: the server's own
// start is not counted in the time to the first frame. waitForRows() polls `capture-pane -p`
// until the screen holds process rows (processRows(): lines naming a live pid and its comm).
//
// Readings: /proc/<pid>/stat of the program (own, reaped children, and children still alive,
// recursively), its threads, VmRSS and VmHWM, and the tmux server's CPU.
//
// Only a server this module started is ever ended, through its own socket (kill-server); a
// program that outlives it is SIGKILLed by pid after its start time is checked. A server still
// up when this process exits is ended from an 'exit' hook, so Ctrl-C leaves nothing behind.

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');

const live = new Set(); // MonitorPane objects whose server may be up
const delay = (ms) => new Promise((r) => setTimeout(r, ms));

const TICK_MS = 10; // USER_HZ

/** Fields of /proc/<pid>/stat after the comm, or null when the process is gone. */
function statFields(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU of a process in ms: own (utime + stime) and reaped children (cutime + cstime), and its start time. */
function cpuOf(pid) {
  const f = statFields(pid);
  if (!f) return null;
  return {
    selfMs: (Number(f[11]) + Number(f[12])) * TICK_MS,
    childrenMs: (Number(f[13]) + Number(f[14])) * TICK_MS,
    start: f[19],
  };
}

/** Pids of the children of a process still alive (/proc/<pid>/task/<tid>/children of every thread). */
/** The thread ids of a process, or null when it is gone. */
function tasksOf(pid) {
  try {
    return fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
}

function childrenOf(pid) {
  const out = [];
  for (const tid of tasksOf(pid) ?? []) {
    try {
      for (const c of fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' ')) if (c) out.push(Number(c));
    } catch {
      /* thread gone */
    }
  }
  return out;
}

/**
 * CPU ms of a process and everything it started: its own utime + stime, its reaped children's
 * (cutime + cstime), and each child still alive, recursively (a child reaped between two readings
 * moves from the live sum into cutime, so a difference of two readings counts it once). Null
 * when the process is gone.
 */
function treeCpuMs(pid, depth = 0) {
  const c = cpuOf(pid);
  if (!c) return null;
  let ms = c.selfMs + c.childrenMs;
  if (depth < 8) for (const k of childrenOf(pid)) ms += treeCpuMs(k, depth + 1) || 0;
  return ms;
}

/**
 * CPU ms (utime + stime) of each thread of a process, summed by thread name (comm;
 * the main thread is "main"): tells the JavaScript thread from V8's GC helpers
 * ("V8 DefaultWorke") and libuv's pool ("libuv-worker"). Threads that ended are not
 * counted, so take the difference of two readings as a lower bound per group.
 */
function threadsOf(pid) {
  const out = {};
  const tids = tasksOf(pid);
  if (tids === null) return null;
  for (const tid of tids) {
    const f = statFields(`${pid}/task/${tid}`);
    if (!f) continue;
    let name = 'main';
    if (tid !== String(pid)) {
      try {
        name = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      } catch {
        continue;
      }
    }
    out[name] = (out[name] || 0) + (Number(f[11]) + Number(f[12])) * TICK_MS;
  }
  return out;
}

/** VmRSS and VmHWM (peak) of a process in bytes, or null. */
function memOf(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return null;
  }
  const kb = (key) => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  return { rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
}

/** The comm of a live pid, or null. */
function commOf(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * What a row of a live pid shows, or null when it is gone: the first 4 characters of its comm and, for a
 * thread (htop lists threads as rows under their process's command; a multi-threaded pid 1 fills its first
 * screen with them), its process's whole comm.
 */
function rowNames(pid) {
  const own = commOf(pid);
  if (own === null) return null;
  const needles = own ? [own.slice(0, 4)] : [];
  try {
    const tgid = Number(/^Tgid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1]);
    const leader = tgid && tgid !== pid ? commOf(tgid) : null;
    if (leader) needles.push(leader);
  } catch {
    // gone since: its comm alone
  }
  return needles;
}

/**
 * The process rows on a screen, whatever the monitor's layout: a line is a row when one of
 * its numbers is the pid of a live process or thread (`rowNames(pid)` not null) and the line also
 * shows the first characters of its name (up to 4 of its comm, as a name column or a command line
 * shows it; monitors cut names short) or, for a thread, its process's whole comm. A header's figures ("Tasks: 70") do not
 * name the process that has that pid, so they do not count. Box-drawing characters (btop's
 * frames) separate numbers like spaces. Returns [{ line, pid }], one per line, top to bottom.
 */
function processRows(screen) {
  const out = [];
  const seen = new Map(); // one lookup per number per screen
  const name = (pid) => {
    if (!seen.has(pid)) seen.set(pid, rowNames(pid));
    return seen.get(pid);
  };
  const lines = screen.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const re = /(?:^|[^0-9A-Za-z._:/-])([1-9][0-9]{0,6})(?=$|[^0-9A-Za-z._:/%-])/g;
    let m;
    while ((m = re.exec(line)) !== null) {
      const pid = Number(m[1]);
      const needles = name(pid);
      if (!needles) continue;
      const rest = line.slice(m.index + m[0].length);
      if (needles.some((n) => rest.includes(n))) {
        out.push({ line: i, pid });
        break;
      }
    }
  }
  return out;
}

class MonitorPane {
  /**
   * argv: the program and its arguments; expect: a string its /proc/<pid>/cmdline holds once it
   * has exec'd; env: more environment (over this process's); home: a private HOME (and XDG
   * directories) under the temp directory, `files` written into it ({ '.config/x/y.conf': text }).
   */
  constructor({ argv, expect, cols = 120, rows = 40, env = {}, home = false, files = {}, prefix = 'spmon-bench-tmux-' }) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
    this.socket = path.join(this.dir, `tmux-${uid}`, 'default'); // where TMUX_TMPDIR puts the default server
    this.env = { ...process.env, ...env, TMUX_TMPDIR: this.dir };
    delete this.env.TMUX;
    delete this.env.TMUX_PANE;
    this.home = null;
    if (home) {
      this.home = path.join(this.dir, 'home');
      const xdg = {
        HOME: this.home,
        XDG_CONFIG_HOME: path.join(this.home, '.config'),
        XDG_CACHE_HOME: path.join(this.home, '.cache'),
        XDG_DATA_HOME: path.join(this.home, '.local', 'share'),
        XDG_STATE_HOME: path.join(this.home, '.local', 'state'),
        XDG_RUNTIME_DIR: path.join(this.dir, 'run'),
      };
      for (const [k, v] of Object.entries(xdg)) {
        fs.mkdirSync(v, { recursive: true, mode: 0o700 });
        this.env[k] = v;
      }
      for (const [rel, text] of Object.entries(files)) {
        const file = path.join(this.home, rel);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text);
      }
    }
    this.argv = argv;
    this.expect = expect;
    this.cols = cols;
    this.rows = rows;
    this.pid = null;
    this.startTime = null;
    this.serverPid = null;
    this.stopped = false;
  }

  tmux(...args) {
    const r = spawnSync('tmux', ['-S', this.socket, ...args], { env: this.env, encoding: 'utf8', timeout: 10000 });
    if (r.error) throw new Error(`tmux ${args[0]}: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`tmux ${args[0]} exited ${r.status}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  /**
   * Start the server (a placeholder in the pane), then the program in its place. Returns t0,
   * performance.now() just before the program was started. Resolves once the pane's process
   * has exec'd the program (its cmdline holds `expect`).
   */
  async launch({ timeoutMs = 10000 } = {}) {
    fs.mkdirSync(path.dirname(this.socket), { recursive: true, mode: 0o700 });
    live.add(this);
    this.tmux(
      '-f', '/dev/null', 'new-session', '-d', '-s', 'bench', '-x', String(this.cols), '-y', String(this.rows), 'sleep', '3600',
      ';', 'set-option', '-g', 'status', 'off',
      ';', 'set-option', '-g', 'remain-on-exit', 'on',
    );
    this.serverPid = Number(this.tmux('display-message', '-p', '-t', 'bench', '#{pid}').trim());
    const t0 = performance.now();
    this.tmux('respawn-pane', '-k', '-t', 'bench', ...this.argv);
    this.pid = Number(this.tmux('display-message', '-p', '-t', 'bench', '#{pane_pid}').trim());
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let cmd = '';
      try {
        cmd = fs.readFileSync(`/proc/${this.pid}/cmdline`, 'latin1');
      } catch {
        /* not there yet, or gone */
      }
      const c = cpuOf(this.pid);
      if (c && cmd.includes(this.expect)) {
        this.startTime = c.start;
        break;
      }
      if (Date.now() > deadline) throw new Error(`pane pid ${this.pid} is not ${this.expect} (${cmd.replace(/\0/g, ' ')}):\n${this.capture()}`);
      await delay(2);
    }
    return t0;
  }

  /**
   * Poll the screen (`capture-pane -p`, every `pollMs` after the last one returned) until it
   * shows at least `minRows` process rows. Returns { ms, lowerMs, polls, rows, screen }: ms
   * from t0 to the end of the capture that showed them (the frame was there by then), lowerMs
   * to the end of the capture before it (it was not there yet).
   */
  async waitForRows(t0, { minRows = 5, pollMs = 20, timeoutMs = 60000 } = {}) {
    let lower = 0;
    let polls = 0;
    for (;;) {
      const screen = this.capture();
      const at = performance.now() - t0;
      polls++;
      const rows = processRows(screen);
      if (rows.length >= minRows) return { ms: at, lowerMs: lower, polls, rows: rows.length, screen };
      if (this.paneDead()) throw new Error(`${this.expect} exited before showing process rows:\n${screen}`);
      if (at > timeoutMs) throw new Error(`${this.expect} showed no ${minRows} process rows in ${timeoutMs} ms:\n${screen}`);
      lower = at;
      await delay(pollMs);
    }
  }

  paneDead() {
    try {
      return this.tmux('display-message', '-p', '-t', 'bench', '#{pane_dead}').trim() === '1';
    } catch {
      return true;
    }
  }

  /** CPU and memory of the program and the tmux server now. */
  reading() {
    return {
      atMs: performance.now(),
      proc: cpuOf(this.pid),
      treeMs: treeCpuMs(this.pid),
      threads: threadsOf(this.pid),
      mem: memOf(this.pid),
      server: cpuOf(this.serverPid),
    };
  }

  capture() {
    try {
      return this.tmux('capture-pane', '-p', '-t', 'bench');
    } catch (err) {
      return `(capture-pane failed: ${err.message})`;
    }
  }

  /** End exactly this server; make sure the program is gone; remove the temp directory. */
  async stop() {
    if (this.stopped) return;
    this.stopped = true;
    live.delete(this);
    this.stopSync();
    for (let i = 0; i < 100 && this.alive(); i++) await delay(50);
    if (this.alive()) process.kill(this.pid, 'SIGKILL'); // ours: same pid and start time
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  alive() {
    const c = this.pid ? cpuOf(this.pid) : null;
    return c !== null && c.start === this.startTime;
  }

  stopSync() {
    spawnSync('tmux', ['-S', this.socket, 'kill-server'], { env: this.env, stdio: 'ignore', timeout: 10000 });
  }
}

process.on('exit', () => {
  for (const p of live) {
    p.stopSync();
    try {
      if (p.alive()) process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    fs.rmSync(p.dir, { recursive: true, force: true });
  }
});

module.exports = { MonitorPane, processRows, cpuOf, treeCpuMs, childrenOf, memOf, threadsOf, commOf, TICK_MS };
