// A field's value as the text of a cell, by the field's unit. Untrusted text is sanitised here.
import type { Unit } from '../fields/field';
import type { ProcessStat } from '../model/process_stat';
import { formatBytes, formatGrowth, formatPercent, formatRate, UNKNOWN } from './format';
import { sanitize } from './sanitize';

/** 1234567 -> "1.23M", 45000 -> "45.0k". */
export function formatCount(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return UNKNOWN;
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** An agent's token total; `~` before it while its logs are not all read (the count is still growing). */
export function formatTokenTotal(a: { tokens: { total: number | null }; complete: boolean }): string {
  return (a.complete ? '' : '~') + formatCount(a.tokens.total);
}

/** How a process is named on screen: kernel threads in brackets, as ps does. */
export function displayName(p: Pick<ProcessStat, 'name' | 'kernelThread'>): string {
  return sanitize(p.kernelThread ? `[${p.name}]` : p.name);
}

export function displayCmdline(p: Pick<ProcessStat, 'cmdline' | 'kernelThread' | 'state'>): string {
  if (p.cmdline !== null) return sanitize(p.cmdline);
  return p.kernelThread ? '(kernel thread)' : p.state === 'Z' ? '(zombie)' : UNKNOWN;
}

/** The text of a value of `unit`: undefined (does not apply) is blank, null (unknown) is "-". */
export function cellText(unit: Unit, v: unknown): string {
  if (v === undefined) return '';
  const n = typeof v === 'number' ? v : null;
  switch (unit) {
    case 'bytes':
      return formatBytes(n);
    case 'bytesPerSec':
      return formatRate(n);
    case 'bytesPerMin':
      return formatGrowth(n);
    case 'percent':
      return formatPercent(n);
    case 'percent0':
      return formatPercent(n, 0);
    case 'count':
      return formatCount(n);
    case 'agentTokens':
      return formatTokenTotal(v as { tokens: { total: number | null }; complete: boolean });
    case 'seconds':
      return n === null ? UNKNOWN : n.toFixed(2);
    case 'int':
      return n === null ? UNKNOWN : String(n);
    default:
      return v === null ? UNKNOWN : sanitize(String(v));
  }
}
