// Drive spmon's dashboard in a private tmux server, as a person would.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { aliveAs, startTicksOf } from '../helpers/daemon_env';
import { subtreePids } from '../helpers/children';

export const ROOT = path.resolve(__dirname, '../..');
export const SPMON = path.join(ROOT, 'bin/spmon');

export class TmuxSession {
  readonly tmpdir: string;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  private readonly name = 'spmon-e2e';

  /** `extra`: more environment for the server and what runs in it (a private daemon's XDG_RUNTIME_DIR...). */
  constructor(extra: NodeJS.ProcessEnv = {}) {
    this.tmpdir = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-tmux-'));
    this.home = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-home-'));
    this.env = { ...process.env, ...extra, TMUX_TMPDIR: this.tmpdir, HOME: this.home, TERM: 'xterm-256color', LANG: 'C.UTF-8' };
    delete this.env.TMUX;
  }

  private tmux(args: string[]): string {
    // No status line: the pane is then exactly the size asked for from the start.
    const conf = path.join(this.tmpdir, 'tmux.conf');
    if (!fs.existsSync(conf)) fs.writeFileSync(conf, 'set -g status off\n');
    return execFileSync('tmux', ['-f', conf, ...args], { env: this.env, encoding: 'utf8' });
  }

  /** Start `command` (a shell command line) in a detached session of the given size. */
  start(command: string, width = 120, height = 40): void {
    // The trailing sleep keeps the pane (and its last words) after the command exits.
    this.tmux(['new-session', '-d', '-s', this.name, '-x', String(width), '-y', String(height), `${command}; sleep 120`]);
  }

  /** From now on, every byte the pane's program writes is appended to `file` as well (tmux pipe-pane). */
  pipeTo(file: string): void {
    this.tmux(['pipe-pane', '-o', '-t', this.name, `cat >> '${file.replace(/'/g, "'\\''")}'`]);
  }

  keys(...keys: string[]): void {
    this.tmux(['send-keys', '-t', this.name, ...keys]);
  }

  /**
   * Type text literally. ASCII goes as hex bytes, so that the short-lived `tmux send-keys` process does not
   * carry the text in its own command line (a filter on a unique tag would find it, and a dashboard that
   * selected it would keep showing it once it exited).
   */
  type(text: string): void {
    if (/^[\x20-\x7e]*$/.test(text)) this.tmux(['send-keys', '-t', this.name, '-H', ...Array.from(Buffer.from(text), (b) => b.toString(16))]);
    else this.tmux(['send-keys', '-t', this.name, '-l', '--', text]);
  }

  /**
   * A mouse event at screen column x, row y (from 0), as a terminal in SGR mouse mode reports it: the bytes
   * go to the pane as if typed. `press`: the left button (0), the wheel (64 up, 65 down).
   */
  mouse(x: number, y: number, button: 'left' | 'wheelup' | 'wheeldown' = 'left'): void {
    this.bytes(sgrMouse(x, y, button));
  }

  /** Bytes as one write to the pane, as a terminal sends what it has at once (latin1: one byte a character). */
  bytes(seq: string): void {
    this.tmux(['send-keys', '-t', this.name, '-H', ...Buffer.from(seq, 'latin1').toString('hex').match(/../g)!]);
  }

  /** The pane's terminal device: what is written there shows in the pane as if the program had printed it. */
  paneTty(): string {
    return this.tmux(['display-message', '-p', '-t', this.name, '#{pane_tty}']).trim();
  }

  /** The tmux server's pid (spmon's ancestor when spmon runs in its pane). */
  serverPid(): number {
    return Number(this.tmux(['display-message', '-p', '-t', this.name, '#{pid}']).trim());
  }

  /** The tmux server and its descendants as (pid, start time); none when no server runs. */
  private serverTree(): [number, number | null][] {
    const r = spawnSync('tmux', ['display-message', '-p', '-t', this.name, '#{pid}'], { env: this.env, encoding: 'utf8' });
    const server = Number(r.stdout.trim());
    if (r.status !== 0 || !(server > 1)) return [];
    return subtreePids(server).map((pid) => [pid, startTicksOf(pid)]);
  }

  resize(width: number, height: number): void {
    this.tmux(['resize-window', '-t', this.name, '-x', String(width), '-y', String(height)]);
  }

  capture(): string {
    return this.tmux(['capture-pane', '-p', '-t', this.name]);
  }

  /** With escape sequences (colours, inverse), to check attributes. */
  captureEscaped(): string {
    return this.tmux(['capture-pane', '-p', '-e', '-t', this.name]);
  }

  async waitFor(pred: (screen: string) => boolean, what: string, timeoutMs = 15000): Promise<string> {
    const end = Date.now() + timeoutMs;
    let screen = '';
    while (Date.now() < end) {
      screen = this.capture();
      if (pred(screen)) return screen;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`timed out waiting for ${what}; screen was:\n${screen}`);
  }

  /**
   * Filter spmon's grid to a unique tag with "/" and keep it: waits until exactly `count` rows show and
   * the prompt is gone. Enter goes once the typed filter shows (not in the same read as the text), so a
   * click or key that follows reaches the grid, not the prompt.
   */
  async filterTo(tag: string, count = 1): Promise<string> {
    this.keys('/');
    this.type(tag);
    await this.waitFor((s) => s.includes(`1-${count} of ${count}`), `${count} row(s) for ${tag}`);
    this.keys('Enter');
    return this.waitFor((s) => s.includes(`1-${count} of ${count}`) && !s.includes('Enter keep'), `the filter on ${tag} kept`);
  }

  waitForText(text: string, timeoutMs?: number): Promise<string> {
    return this.waitFor((s) => s.includes(text), JSON.stringify(text), timeoutMs);
  }

  /**
   * End the server (its panes' processes get the hangup, as when a terminal closes), then end by (pid,
   * start time) whatever of its tree outlived the hangup by 5 s: a program that ignores it, or one stuck
   * in a loop, is not left running after the test.
   */
  kill(): void {
    const tree = this.serverTree();
    spawnSync('tmux', ['kill-server'], { env: this.env });
    let left = tree;
    for (const until = Date.now() + 5000; left.length > 0 && Date.now() < until; ) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      left = left.filter(([pid, start]) => aliveAs(pid, start));
    }
    const survivors = left.map(([pid]) => `${pid} ${commandOf(pid)}`);
    for (const [pid] of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    fs.rmSync(this.tmpdir, { recursive: true, force: true });
    fs.rmSync(this.home, { recursive: true, force: true });
    // What runs in a terminal ends when the terminal closes: a survivor is a bug (a dashboard stuck in a
    // loop outlived its terminal at 100 % CPU). It was ended above; the test fails.
    expect(survivors).toEqual([]);
  }
}

function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '(gone)';
  }
}

/** Pids of the process grid's rows, top to bottom (the detail pane's "<pid> <name>  ppid" line is not a row). */
export function gridPids(screen: string): number[] {
  const lines = screen.split('\n');
  const start = lines.findIndex((l) => l.includes('Cmdline'));
  const out: number[] = [];
  for (const l of lines.slice(start + 1)) {
    if (/ ppid \d+/.exec(l)) break;
    const m = l.match(/^ *(\d+) /);
    if (m) out.push(Number(m[1]));
  }
  return out;
}

/** What a terminal sends for a mouse event in SGR mode (x, y from 0). */
export function sgrMouse(x: number, y: number, button: 'left' | 'wheelup' | 'wheeldown' = 'left'): string {
  const code = button === 'left' ? 0 : button === 'wheelup' ? 64 : 65;
  return `\x1b[<${code};${x + 1};${y + 1}M` + (button === 'left' ? `\x1b[<${code};${x + 1};${y + 1}m` : '');
}
