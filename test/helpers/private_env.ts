// Every child and CLI run gets a private HOME and TMUX_TMPDIR, so no test reads the
// real home, config file or tmux socket.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface PrivateEnv {
  env: NodeJS.ProcessEnv;
  home: string;
  dispose(): void;
}

/** A fresh HOME and TMUX_TMPDIR under a mkdtemp dir; SPMON_* and XDG_CONFIG_HOME removed. */
export function privateEnv(extra: NodeJS.ProcessEnv = {}): PrivateEnv {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-test-'));
  const home = path.join(base, 'home');
  const tmux = path.join(base, 'tmux');
  fs.mkdirSync(home);
  fs.mkdirSync(tmux, { mode: 0o700 });
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('SPMON_') || k === 'XDG_CONFIG_HOME' || k === 'HYPERPLANE_SESSION_PROCESS_TERMINATOR_THRESHOLD_PERCENT' || k === 'TMUX')
      continue;
    env[k] = v;
  }
  Object.assign(env, { HOME: home, TMUX_TMPDIR: tmux }, extra);
  return {
    env,
    home,
    dispose: () => fs.rmSync(base, { recursive: true, force: true }),
  };
}
