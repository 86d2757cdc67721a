// Reads $XDG_CONFIG_HOME/spmon/config.json (else ~/.config/spmon/config.json).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export function configFilePath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'spmon', 'config.json');
}

/** The file's object, {} when there is none; throws a clear Error when it is malformed. */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
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
