// A termination request's continuation in the agent's own tmux pane: typed into the pane's shell (when the
// agent was started from a shell, which is still there), or the pane respawned with it (when the agent
// was the pane's own process). Then checked: a continuation that ends within `minUptimeMs` failed.
import type * as childProcess from 'child_process';
import type { Engine } from '../engine/engine';
import type { Frame } from '../engine/frame';
import type { ProcessStat } from '../model/process_stat';
import { listTmuxPanes, TmuxPane } from '../sources/tmux';
import { shellQuote } from './requests';

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'fish', 'ash', 'mksh']);

function tmux(pane: TmuxPane, args: string[], env: NodeJS.ProcessEnv): Promise<{ ok: boolean; out: string; err: string }> {
  const e = { ...env };
  delete e.TMUX;
  return new Promise((resolve) => {
    (require('child_process') as typeof childProcess).execFile('tmux', ['-u', '-S', pane.socketPath, ...args], { env: e, timeout: 5000 }, (err, out, stderr) => resolve({ ok: !err, out: String(out), err: String(stderr) }));
  });
}

/** The pane whose process is `root` or one of its ancestors. */
export async function findPane(root: ProcessStat, frame: Frame, env: NodeJS.ProcessEnv): Promise<TmuxPane | null> {
  const byPid = new Map(frame.processes.map((p) => [p.pid, p]));
  const chain = new Set<number>();
  for (let p: ProcessStat | undefined = root; p && !chain.has(p.pid); p = byPid.get(p.ppid)) chain.add(p.pid);
  // A one-off listing at request time, not a tick's: a loaded host gets longer than a tick's 1 s to answer
  // (a pane missed here would send the continuation to a new supervised session instead).
  const { panes } = await listTmuxPanes({ env, timeoutMs: 5000 });
  return panes.find((p) => chain.has(p.panePid)) ?? null;
}

export interface PaneContinuation {
  ok: boolean;
  how: 'typed' | 'respawned' | 'new-window';
  detail: string | null;
}

export async function continueInPane(pane: TmuxPane, command: string, cwd: string | null, engine: Engine, minUptimeMs: number, env: NodeJS.ProcessEnv): Promise<PaneContinuation> {
  const frame = engine.tick();
  const shell = frame.processes.find((p) => p.pid === pane.panePid && p.state !== 'Z');
  const since = Date.now();
  let how: PaneContinuation['how'];
  if (shell && SHELLS.has(shell.name)) {
    // The agent ran as a command of the pane's shell, which is at its prompt again: type the continuation.
    how = 'typed';
    const line = cwd ? `cd ${shellQuote(cwd)} && ${command}` : command;
    const typed = await tmux(pane, ['send-keys', '-t', pane.paneId, '-l', line], env);
    const enter = typed.ok ? await tmux(pane, ['send-keys', '-t', pane.paneId, 'Enter'], env) : typed;
    if (!enter.ok) return { ok: false, how, detail: `tmux send-keys: ${enter.err.trim()}` };
  } else {
    const exists = await tmux(pane, ['display-message', '-p', '-t', pane.paneId, '#{pane_id}'], env);
    const cwdArgs = cwd ? ['-c', cwd] : [];
    if (exists.ok && exists.out.trim() === pane.paneId) {
      how = 'respawned';
      const r = await tmux(pane, ['respawn-pane', '-k', '-t', pane.paneId, ...cwdArgs, command], env);
      if (!r.ok) return { ok: false, how, detail: `tmux respawn-pane: ${r.err.trim()}` };
    } else {
      // The pane closed with the agent: a new window of the same session.
      how = 'new-window';
      const r = await tmux(pane, ['new-window', '-t', pane.sessionId, ...cwdArgs, command], env);
      if (!r.ok) return { ok: false, how, detail: `tmux new-window: ${r.err.trim()}` };
    }
  }
  await new Promise((r) => setTimeout(r, minUptimeMs));
  // Running, and started after we asked: a process in the pane (the shell's child, or the pane's new process).
  const after = engine.tick();
  // A one-off listing at request time, not a tick's: a loaded host gets longer than a tick's 1 s to answer
  // (a pane missed here would send the continuation to a new supervised session instead).
  const { panes } = await listTmuxPanes({ env, timeoutMs: 5000 });
  const roots = new Set<number>([pane.panePid]);
  for (const p of panes) if (p.sessionId === pane.sessionId && p.socketPath === pane.socketPath) roots.add(p.panePid);
  const byPid = new Map(after.processes.map((p) => [p.pid, p]));
  const inPane = (p: ProcessStat) => {
    const seen = new Set<number>();
    for (let q: ProcessStat | undefined = p; q && !seen.has(q.pid); q = byPid.get(q.ppid)) {
      if (roots.has(q.pid)) return true;
      seen.add(q.pid);
    }
    return false;
  };
  const fresh = after.processes.filter((p) => p.state !== 'Z' && p.startTime !== null && p.startTime >= since - 1000 && inPane(p));
  return fresh.length > 0 ? { ok: true, how, detail: null } : { ok: false, how, detail: `nothing of it was running after ${minUptimeMs / 1000} s` };
}
