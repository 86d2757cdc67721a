// Child processes with known behaviour, spawned by the tests (and only ever signalled by them or by spmon).
import { ChildProcess, spawn } from 'child_process';

export interface Child {
  proc: ChildProcess;
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
}

export function spawnChild(script: string, env?: NodeJS.ProcessEnv): Child {
  const proc = spawn('bash', ['-c', script], { stdio: 'ignore', env });
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  if (proc.pid === undefined) throw new Error(`could not spawn: ${script}`);
  return { proc, pid: proc.pid, exited, alive: () => !done };
}

/** A sleeper whose argv[0] is `name` (so a filter on its cmdline finds it). */
export function sleeper(name: string): Child {
  return spawnChild(`exec -a ${name} sleep 600`);
}

/** Ignores SIGTERM; only SIGKILL ends it. */
export function stubborn(name: string): Child {
  return spawnChild(`trap '' TERM; exec -a ${name} bash -c 'trap "" TERM; while :; do sleep 0.2; done'`);
}

export function killAll(children: Child[]): Promise<unknown> {
  for (const c of children) if (c.alive()) c.proc.kill('SIGKILL');
  return Promise.all(children.map((c) => c.exited));
}
