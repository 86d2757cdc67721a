// A stand-in for Claude Code with known behaviour, for tests of termination requests: an executable named
// `claude` (so spmon takes it for one) that holds its session log open, keeps a child, and on SIGINT
// records it and exits (or ignores SIGINT, as a stubborn agent would). Started again as the continuation
// (`claude --resume <id>`), it records its arguments and cwd. Markers are JSON files in a folder the test reads.
import * as fs from 'fs';
import * as path from 'path';
import { sleepMs } from './daemon_env';

const SCRIPT = `#!/usr/bin/env python3
import json, os, signal, subprocess, sys, time
markers = os.environ['FAKE_CLAUDE_MARKERS']
args = sys.argv[1:]
def mark(event, **extra):
    # Written aside and renamed into place: the test never reads half a marker.
    tmp = os.path.join(markers, '.%d-%s' % (os.getpid(), event))
    with open(tmp, 'w') as f:
        json.dump(dict({'pid': os.getpid(), 'args': args, 'cwd': os.getcwd(), 'event': event}, **extra), f)
    os.rename(tmp, os.path.join(markers, '%d-%s' % (os.getpid(), event)))
if os.environ.get('FAKE_CLAUDE_SIGINT') == 'ignore':
    signal.signal(signal.SIGINT, signal.SIG_IGN)
else:
    def on_int(sig, frame):
        mark('sigint')
        sys.exit(0)
    signal.signal(signal.SIGINT, on_int)
child = subprocess.Popen(['sleep', '1000'])
held = open(os.environ['FAKE_CLAUDE_LOG'], 'a') if os.environ.get('FAKE_CLAUDE_LOG') else None
mark('start')
ask = os.environ.get('FAKE_CLAUDE_ASK')
trigger = os.environ.get('FAKE_CLAUDE_TRIGGER')
while True:
    time.sleep(0.2)
    # Asked to run a command from inside its own tree (as an agent runs a tool): once the trigger exists.
    if ask and trigger and os.path.exists(trigger):
        os.remove(trigger)
        mark('asking')
        rc = subprocess.call(ask, shell=True)
        mark('asked', rc=rc)
`;

export interface Marker {
  pid: number;
  args: string[];
  cwd: string;
  event: 'start' | 'sigint' | 'asking' | 'asked';
  rc?: number;
}

/** Write `claude` into `binDir` (made executable) and return the markers folder. */
export function installFakeClaude(binDir: string, markers: string): void {
  fs.mkdirSync(binDir, { recursive: true });
  fs.mkdirSync(markers, { recursive: true });
  const file = path.join(binDir, 'claude');
  fs.writeFileSync(file, SCRIPT, { mode: 0o755 });
}

export function markers(dir: string): Marker[] {
  return fs
    .readdirSync(dir)
    .filter((f) => !f.startsWith('.'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Marker);
}

export async function waitForMarker(dir: string, pred: (m: Marker) => boolean, what: string, timeoutMs = 30_000): Promise<Marker> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const m = markers(dir).find(pred);
    if (m) return m;
    await sleepMs(100);
  }
  throw new Error(`timed out waiting for ${what}; markers: ${JSON.stringify(markers(dir))}`);
}

/** One Claude Code assistant record with a request's usage (what the transcript says after each request). */
export function claudeUsageLine(o: { sessionId: string; cwd: string; requestId: string; contextTokens: number; model?: string }): string {
  return (
    JSON.stringify({
      type: 'assistant',
      sessionId: o.sessionId,
      cwd: o.cwd,
      isSidechain: false,
      timestamp: new Date().toISOString(),
      requestId: o.requestId,
      message: {
        id: `msg_${o.requestId}`,
        role: 'assistant',
        model: o.model ?? 'claude-sonnet-4-5-20250929',
        content: [{ type: 'text', text: 'working' }],
        usage: { input_tokens: 100, cache_creation_input_tokens: 0, cache_read_input_tokens: o.contextTokens - 100, output_tokens: 50 },
      },
    }) + '\n'
  );
}

/** The log of a Claude Code session under HOME, as Claude Code names it; starts with a user record. */
export function claudeLogPath(home: string, cwd: string, sessionId: string): string {
  return path.join(home, '.claude', 'projects', cwd.replace(/[^A-Za-z0-9]/g, '-'), `${sessionId}.jsonl`);
}

export function startClaudeLog(home: string, cwd: string, sessionId: string): string {
  const file = claudeLogPath(home, cwd, sessionId);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ type: 'user', sessionId, cwd, isSidechain: false, timestamp: new Date().toISOString(), message: { role: 'user', content: 'start' } }) + '\n');
  fs.appendFileSync(file, claudeUsageLine({ sessionId, cwd, requestId: 'r0', contextTokens: 20_000 }));
  return file;
}
