// Every child and CLI run gets a private HOME, TMUX_TMPDIR, XDG_RUNTIME_DIR and XDG_STATE_HOME, so no
// test reads the real home, config file, tmux socket or daemon socket.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface PrivateEnv {
  env: NodeJS.ProcessEnv;
  home: string;
  dispose(): void;
}

/** A fresh HOME, TMUX_TMPDIR, XDG_RUNTIME_DIR and XDG_STATE_HOME under a mkdtemp dir; SPMON_* and XDG_CONFIG_HOME removed. */
export function privateEnv(extra: NodeJS.ProcessEnv = {}): PrivateEnv {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-test-'));
  const home = path.join(base, 'home');
  const tmux = path.join(base, 'tmux');
  fs.mkdirSync(home);
  fs.mkdirSync(tmux, { mode: 0o700 });
  // A daemon some command starts by mistake gets a socket and records of its own, never the user's.
  const runtime = path.join(base, 'xdg-run');
  const state = path.join(base, 'xdg-state');
  fs.mkdirSync(runtime, { mode: 0o700 });
  fs.mkdirSync(state, { mode: 0o700 });
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('SPMON_') || k === 'XDG_CONFIG_HOME' || k === 'HYPERPLANE_SESSION_PROCESS_TERMINATOR_THRESHOLD_PERCENT' || k === 'TMUX')
      continue;
    env[k] = v;
  }
  Object.assign(env, { HOME: home, TMUX_TMPDIR: tmux, XDG_RUNTIME_DIR: runtime, XDG_STATE_HOME: state }, extra);
  return {
    env,
    home,
    dispose: () => fs.rmSync(base, { recursive: true, force: true }),
  };
}
