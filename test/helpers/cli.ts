// Run bin/spmon as users do: a separate node process with a private HOME.
import { spawn } from 'child_process';
import { BIN } from './paths';
import { privateEnv } from './private_env';

export interface CliResult {
  code: number | null;
  /** Raw bytes, to check that no control byte is printed. */
  stdoutBytes: Buffer;
  stdout: string;
  stderr: string;
}

/** Run `spmon ...args`; env adds to (or, with undefined values, removes from) a private environment. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<CliResult> {
  const pe = privateEnv();
  const full = { ...pe.env, ...env };
  for (const k of Object.keys(full)) if (full[k] === undefined) delete full[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: full, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      pe.dispose();
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      pe.dispose();
      const stdoutBytes = Buffer.concat(out);
      resolve({ code, stdoutBytes, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}
