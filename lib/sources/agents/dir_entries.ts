// Directory listing for log discovery. Below a tool's root directory, symlinks are never followed: only real
// directories are entered and only regular files are candidates (spmon may run as root in a user's home).
import * as fs from 'fs';
import * as path from 'path';
import type { AgentTool } from './log_summary';

/** Entries of a directory; [] when it is missing or unreadable. */
export function listDir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Real subdirectories (not symlinks to directories). */
export function subdirs(dir: string): string[] {
  return listDir(dir)
    .filter((d) => d.isDirectory())
    .map((d) => path.join(dir, d.name));
}

/** Regular files (not symlinks, FIFOs, sockets or devices) whose names pass `accept`, with their mtime and size. */
export function regularFiles(dir: string, accept: (name: string) => boolean): { path: string; mtimeMs: number; sizeBytes: number }[] {
  const out: { path: string; mtimeMs: number; sizeBytes: number }[] = [];
  for (const d of listDir(dir)) {
    if (!d.isFile() || !accept(d.name)) continue;
    const p = path.join(dir, d.name);
    try {
      const st = fs.lstatSync(p);
      if (st.isFile()) out.push({ path: p, mtimeMs: st.mtimeMs, sizeBytes: st.size });
    } catch {
      // gone between readdir and lstat
    }
  }
  return out;
}

/** mtime of a real directory (not a symlink); null otherwise. */
export function dirMtimeMs(dir: string): number | null {
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() ? st.mtimeMs : null;
  } catch {
    return null;
  }
}

/** A candidate log file found by a tool's discovery. */
export interface DiscoveredLog {
  tool: AgentTool;
  path: string;
  mtimeMs: number;
  /** Size when listed: what is left to read of a log not read yet. */
  sizeBytes: number;
  /** 'jsonl': appended lines, read incrementally; 'json': one document, re-read when it changes. */
  format: 'jsonl' | 'json';
  /** A sub-agent's log (merged into the parent session). */
  sidechain: boolean;
  /** The parent session, when the layout says so (a sub-agent directory named by it). */
  parentSessionId: string | null;
  /** Gemini: the project temp dir (holds `.project_root` in newer versions). */
  projectDir: string | null;
}
