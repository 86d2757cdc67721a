// Which processes belong to the session's plumbing (dimmed, warned about before a kill).

export const defaultSystemProcesses = [
  'pilot-agent',
  'envoy',
  'ttyd',
  'jupyter-lab',
  'code-server',
  'timeout.py',
  'listener.py',
];

/** A system process: its name equals, or its cmdline contains, one of `patterns`; or its name is `sh`. */
export function isSystemProcess(name: string, cmdline: string | null, patterns: readonly string[]): boolean {
  if (name === 'sh') return true;
  for (const p of patterns) {
    if (!p) continue;
    if (name === p) return true;
    if (cmdline !== null && cmdline.includes(p)) return true;
  }
  return false;
}
