// Reads $XDG_CONFIG_HOME/spmon/config.json (else ~/.config/spmon/config.json).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'spmon', 'config.json');
}

/** Errors that mean the file cannot be reached (a HOME another user owns, a path through a file). */
const UNREACHABLE = new Set(['EACCES', 'EPERM', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG']);

/**
 * The file's object, {} when there is none. A file that cannot be reached is not an error either:
 * `warn` is told why and {} returned. One that is there but unreadable as a file, or malformed, throws a
 * clear Error. `strict`: one that cannot be reached throws too (a daemon reloading keeps what it has,
 * rather than taking the defaults).
 */
export function readConfigFile(file: string, warn: (message: string) => void = () => undefined, strict = false): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOENT') return {};
    if (UNREACHABLE.has(code)) {
      if (strict) throw new Error(`config file ${file} cannot be reached (${code})`);
      warn(`config file ${file} cannot be reached (${code}); using flags, SPMON_* variables and defaults`);
      return {};
    }
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${file} must hold a JSON object, e.g. {"interval": 2}`);
  }
  return value as Record<string, unknown>;
}
