// uid -> user name, from /etc/passwd (read once, lazily). Unknown uids stay numbers.
import * as fs from 'fs';

export type UserLookup = (uid: number | null) => string | null;

export function parsePasswd(text: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3) continue;
    const uid = Number(f[2]);
    if (f[0] && Number.isInteger(uid) && !map.has(uid)) map.set(uid, f[0]);
  }
  return map;
}

export function createUserLookup(passwdPath = '/etc/passwd'): UserLookup {
  let map: Map<number, string> | null = null;
  return (uid) => {
    if (uid === null) return null;
    if (map === null) {
      try {
        map = parsePasswd(fs.readFileSync(passwdPath, 'utf8'));
      } catch {
        map = new Map();
      }
    }
    return map.get(uid) ?? String(uid);
  };
}
