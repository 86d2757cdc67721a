// Where Claude Code keeps its session logs: <dir>/projects/<cwd with / as ->/<sessionId>.jsonl, for each
// config dir, and its sub-agents' logs beside them.
import * as path from 'path';
import { DiscoveredLog, dirMtimeMs, regularFiles, subdirs } from './dir_entries';

/**
 * Claude's config directories: each entry of CLAUDE_CONFIG_DIR (comma-separated; `~/` is HOME; relative
 * entries are ignored), else both $HOME/.config/claude and $HOME/.claude.
 */
export function claudeConfigDirs(env: Readonly<Record<string, string | undefined>>, home: string): string[] {
  const raw = env.CLAUDE_CONFIG_DIR;
  if (raw && raw.trim() !== '') {
    const dirs: string[] = [];
    for (let entry of raw.split(',')) {
      entry = entry.trim();
      if (entry === '~') entry = home;
      else if (entry.startsWith('~/')) entry = path.join(home, entry.slice(2));
      if (path.isAbsolute(entry) && !dirs.includes(path.normalize(entry))) dirs.push(path.normalize(entry));
    }
    return dirs;
  }
  return [path.join(home, '.config', 'claude'), path.join(home, '.claude')];
}

const isJsonl = (name: string): boolean => name.endsWith('.jsonl');

/**
 * Logs under <dir>/projects/<project>/: `<sessionId>.jsonl`, older sub-agent logs `agent-*.jsonl` (their lines
 * carry the parent's sessionId), and newer sub-agent logs `<sessionId>/subagents/*.jsonl`. Only files modified
 * at or after `sinceMs`.
 */
export function discoverClaudeLogs(configDirs: readonly string[], sinceMs: number): DiscoveredLog[] {
  const out: DiscoveredLog[] = [];
  for (const dir of configDirs) {
    for (const project of subdirs(path.join(dir, 'projects'))) {
      for (const f of regularFiles(project, isJsonl)) {
        if (f.mtimeMs < sinceMs) continue;
        const sidechain = path.basename(f.path).startsWith('agent-');
        out.push({ tool: 'claude', path: f.path, mtimeMs: f.mtimeMs, sizeBytes: f.sizeBytes, format: 'jsonl', sidechain, parentSessionId: null, projectDir: null });
      }
      for (const sessionDir of subdirs(project)) {
        const agents = path.join(sessionDir, 'subagents');
        const m = dirMtimeMs(agents);
        if (m === null) continue;
        for (const f of regularFiles(agents, isJsonl)) {
          if (f.mtimeMs < sinceMs) continue;
          out.push({
            tool: 'claude',
            path: f.path,
            mtimeMs: f.mtimeMs,
            sizeBytes: f.sizeBytes,
            format: 'jsonl',
            sidechain: true,
            parentSessionId: path.basename(sessionDir),
            projectDir: null,
          });
        }
      }
    }
  }
  return out;
}
