// Which processes belong to the session's plumbing (dimmed, warned about before a kill, never picked by
// the memory guard): those whose program is on a configurable list. The program is matched, not the
// whole cmdline (a file named tail-jupyter-lab.log or an argument "jupyter-lab" does not make one). Pure.

export const defaultSystemProcesses = ['pilot-agent', 'envoy', 'ttyd', 'jupyter-lab', 'code-server', 'timeout.py', 'listener.py', 'sh'];

/** Programs that run a script named by their first non-option argument. */
const INTERPRETER = /^(python[0-9.]*|node|nodejs|bun|deno|perl|ruby|bash|sh|dash|zsh)$/;
/** Interpreter options after which no script follows (the code is inline). */
const INLINE = new Set(['-c', '-e', '--eval', '-p', '--print']);

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/**
 * The paths that name what a process runs: its comm, argv[0], and for an interpreter the script (or, for
 * python -m, the module).
 */
export function programPaths(name: string, cmdline: string | null): string[] {
  const out = [name];
  if (cmdline === null) return out;
  // The first words only: a cmdline can be long (kilobytes of arguments), and a system process is
  // decided for every new process of a tick.
  const argv = firstWords(cmdline, 9);
  const argv0 = argv[0];
  if (argv0 === undefined) return out;
  out.push(argv0);
  if (!INTERPRETER.test(basename(argv0))) return out;
  for (let i = 1; i < argv.length && i < 8; i++) {
    const a = argv[i];
    if (INLINE.has(a)) break;
    if (a === '-m') {
      if (argv[i + 1] !== undefined) out.push(argv[i + 1]);
      break;
    }
    if (a.startsWith('-')) continue;
    out.push(a);
    break;
  }
  return out;
}

/** Up to `max` space-separated words of `text`, empty ones skipped (as `text.split(' ')` filtered). */
function firstWords(text: string, max: number): string[] {
  const out: string[] = [];
  let at = 0;
  while (out.length < max && at < text.length) {
    const end = text.indexOf(' ', at);
    const stop = end < 0 ? text.length : end;
    if (stop > at) out.push(text.slice(at, stop));
    at = stop + 1;
  }
  return out;
}

/** The non-empty patterns of a list, as a set (made once per list: the settings' list lives for the run). */
const patternSets = new WeakMap<readonly string[], Set<string>>();

/**
 * A system process: one of `patterns` is the basename of its comm, argv[0] or interpreted script, or a
 * directory of that program's path (code-server runs as `node /usr/lib/code-server/out/node/entry`).
 */
export function isSystemProcess(name: string, cmdline: string | null, patterns: readonly string[]): boolean {
  let wanted = patternSets.get(patterns);
  if (wanted === undefined) patternSets.set(patterns, (wanted = new Set(patterns.filter((p) => p !== ''))));
  if (wanted.size === 0) return false;
  for (const path of programPaths(name, cmdline)) {
    for (const part of path.split('/')) if (part !== '' && wanted.has(part)) return true;
  }
  return false;
}
