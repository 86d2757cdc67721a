// lib/view with plain objects: sanitising, units, the process table and the pod memory gauge.
import { Sampler } from '../lib/model/sampler';
import { displayWidth, fit } from '../lib/view/fit';
import { formatBytes, formatCores, formatDuration, formatGrowth, formatPercent, formatRate } from '../lib/view/format';
import { hiddenMemoryCount, podMemory } from '../lib/view/pod_memory';
import { GRID_FIELDS } from '../lib/fields/process_fields';
import {
  displayCmdline,
  displayName,
  filterProcesses,
  headerCells,
  isSortKey,
  layoutColumns,
  rowCells,
  sortProcesses,
  SORT_KEYS,
} from '../lib/view/process_table';
import { isClean, sanitize, toSafeJson } from '../lib/view/sanitize';
import { processStat, rawCgroup, rawHost, rawSample } from './helpers/raw';
import { cgroup, proc, snapshot } from './helpers/process_stat';
import { renderTable } from '../lib/view/once_view';
import { wrapLine } from '../lib/view/wrap';
import { lineText, seg } from '../lib/view/styled';
import type { Settings } from '../lib/config';

const MiB = 1024 * 1024;
/** A field context for plain processes: in no session, owned by nobody known. */
const ctx = { sessionIdsOf: () => [], sessionLabelOf: () => null, userName: () => null };
const GiB = 1024 * MiB;

/** Code points a terminal would act on: C0 (all), DEL, C1, bidi controls, line/paragraph separators. */
// eslint-disable-next-line no-control-regex
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// eslint-disable-next-line no-control-regex
const DANGEROUS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('sanitize', () => {
  test.each([
    ['ESC', 'a\x1bb', 'a\u241bb'],
    ['OSC title', '\x1b]0;pwned\x07', '\u241b]0;pwned\u2407'],
    ['CSI clear screen', '\x1b[2J', '\u241b[2J'],
    ['C1 CSI (U+009B)', 'x\u009b31m', 'x\ufffd31m'],
    ['C1 NEL', '\u0085', '\ufffd'],
    ['DEL', 'a\x7f', 'a\u2421'],
    ['NUL, tab, newline, CR', '\x00\t\n\r', '\u2400\u2409\u240a\u240d'],
    ['bidi override U+202E', 'abc\u202etxt.exe', 'abc\ufffdtxt.exe'],
    ['bidi isolate U+2066', '\u2066x\u2069', '\ufffdx\ufffd'],
    ['line separator U+2028', 'a\u2028b', 'a\ufffdb'],
    ['lone high surrogate', 'a\ud800b', 'a\ufffdb'],
    ['lone low surrogate', 'a\udc00', 'a\ufffd'],
    ['reversed pair', '\udc00\ud800', '\ufffd\ufffd'],
  ])('%s becomes a visible placeholder', (_what, input, expected) => {
    expect(sanitize(input)).toBe(expected);
    expect(sanitize(input)).not.toMatch(DANGEROUS);
    expect(isClean(input)).toBe(false);
    expect(isClean(sanitize(input))).toBe(true);
  });

  test('ordinary text, wide characters, emoji and a blessed-style tag are left alone', () => {
    for (const t of ['node server.js --port=8080', 'データ処理', '🚀 build', '{red-fg}x{/red-fg}', 'é', '']) {
      expect(sanitize(t)).toBe(t);
      expect(isClean(t)).toBe(true);
    }
  });

  test('isClean gives the same answer when called repeatedly (no global-regex state leaks)', () => {
    expect([isClean('\x1b'), isClean('\x1b'), isClean('ok'), isClean('\x1b')]).toEqual([false, false, true, false]);
  });
});

describe('toSafeJson', () => {
  const everything = Array.from({ length: 0xa0 }, (_, i) => String.fromCharCode(i)).join('') + '\u202e\u2066\u2028\u2029\ufeff\udfff\ud800😀';
  const value = { name: everything, nested: [{ [`k\x1b\u0085`]: 'v\u009b' }], n: 1, nil: null };

  test('no raw control character of any kind in the output', () => {
    for (const indent of [undefined, 2]) {
      const out = toSafeJson(value, indent);
      // Newlines only come from the indentation, never from the values.
      expect(out.replace(/\n/g, '')).not.toMatch(DANGEROUS);
      expect(out).not.toMatch(LONE_SURROGATE);
      expect(out).toContain('\\u001b');
      expect(out).toContain('\\u0085');
      expect(out).toContain('\\u009b');
      expect(out).toContain('\\u202e');
      expect(out).toContain('\\ud800');
    }
  });

  test('parses back to exactly the same value', () => {
    expect(JSON.parse(toSafeJson(value))).toEqual(value);
    expect(JSON.parse(toSafeJson(value, 2))).toEqual(value);
  });
});

describe('format', () => {
  test('formatBytes: IEC units, three significant digits, unknown is "-"', () => {
    expect(formatBytes(null)).toBe('-');
    expect(formatBytes(NaN)).toBe('-');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.00 KiB');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(10.5 * MiB)).toBe('10.5 MiB');
    expect(formatBytes(256 * MiB)).toBe('256 MiB');
    expect(formatBytes(MiB - 1)).toBe('1.00 MiB'); // not "1024 KiB"
    expect(formatBytes(1.5 * GiB)).toBe('1.50 GiB');
    expect(formatBytes(-2 * MiB)).toBe('-2.00 MiB');
  });

  test('formatRate and formatGrowth', () => {
    expect(formatRate(null)).toBe('-');
    expect(formatRate(2048)).toBe('2.00 KiB/s');
    expect(formatRate(1023.9)).toBe('1.00 KiB/s'); // fractional rates round up into the next unit
    expect(formatRate(0.4)).toBe('0 B/s');
    expect(formatBytes(-0.3)).toBe('0 B');
    expect(formatGrowth(null)).toBe('-');
    expect(formatGrowth(500)).toBe('0 B/m');
    expect(formatGrowth(12 * MiB)).toBe('+12.0 MiB/m');
    expect(formatGrowth(-3 * MiB)).toBe('-3.00 MiB/m');
  });

  test('formatPercent, formatDuration, formatCores', () => {
    expect(formatPercent(null)).toBe('-');
    expect(formatPercent(12.345)).toBe('12.3');
    expect(formatPercent(99.96, 0)).toBe('100');
    expect(formatDuration(null)).toBe('-');
    expect(formatDuration(-1)).toBe('-');
    expect(formatDuration(3661)).toBe('01:01:01');
    expect(formatDuration(90061)).toBe('1d 01:01');
    expect(formatCores(null)).toBe('-');
    expect(formatCores(2)).toBe('2');
    expect(formatCores(0.5)).toBe('0.5');
    expect(formatCores(1.25)).toBe('1.25');
    expect(formatCores(0.999)).toBe('1'); // rounds to a whole number: no "1." left behind
    expect(formatCores(2.001)).toBe('2');
  });

  test('fit cuts with an ellipsis and pads to the exact display width', () => {
    expect(fit('abc', 5)).toBe('abc  ');
    expect(fit('abc', 5, 'right')).toBe('  abc');
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('データ処理', 5)).toBe('デー…');
    expect(fit('データ処理', 6)).toBe('デー… ');
    expect(displayWidth(fit('データ処理', 5))).toBe(5);
    expect(fit('x', 0)).toBe('');
  });
});

describe('process table', () => {
  const list = [
    processStat({ pid: 30, name: 'beta', cmdline: 'beta --serve', ussBytes: 10 * MiB, cpuPercent: 5 }),
    processStat({ pid: 10, name: 'Alpha', cmdline: null, ussBytes: null, cpuPercent: 50 }),
    processStat({ pid: 20, name: 'gamma', cmdline: 'python3 TRAIN.py', ussBytes: 300 * MiB, cpuPercent: null }),
    processStat({ pid: 40, name: 'delta', cmdline: 'delta', ussBytes: 10 * MiB, cpuPercent: 0 }),
  ];
  const pids = (ps: { pid: number }[]) => ps.map((p) => p.pid);

  test('numbers sort largest first, unknown last, ties by pid', () => {
    expect(pids(sortProcesses(list, 'uss'))).toEqual([20, 30, 40, 10]);
    expect(pids(sortProcesses(list, 'cpu'))).toEqual([10, 30, 40, 20]);
  });

  test('reverse flips the order but unknown still sorts last', () => {
    expect(pids(sortProcesses(list, 'uss', true))).toEqual([30, 40, 20, 10]);
    expect(pids(sortProcesses(list, 'cpu', true))).toEqual([40, 30, 10, 20]);
  });

  test('text sorts A to Z, case-insensitively; pid ascending', () => {
    expect(pids(sortProcesses(list, 'name'))).toEqual([10, 30, 40, 20]);
    expect(pids(sortProcesses(list, 'name', true))).toEqual([20, 40, 30, 10]);
    expect(pids(sortProcesses(list, 'pid'))).toEqual([10, 20, 30, 40]);
    expect(pids(sortProcesses(list, 'cmdline'))).toEqual([30, 40, 20, 10]);
  });

  test('every sort key is accepted and nothing else', () => {
    expect(SORT_KEYS).toEqual(['pid', 'name', 'cmdline', 'cpu', 'uss', 'pss', 'rss', 'growth', 'read', 'write']);
    for (const k of SORT_KEYS) expect(sortProcesses(list, k)).toHaveLength(4);
    expect(isSortKey('mem')).toBe(false);
  });

  test('filter: case-insensitive substring of name or cmdline; blank matches all', () => {
    expect(pids(filterProcesses(list, 'ALPHA'))).toEqual([10]);
    expect(pids(filterProcesses(list, 'train'))).toEqual([20]);
    expect(pids(filterProcesses(list, 'ta'))).toEqual([30, 40]);
    expect(pids(filterProcesses(list, '  '))).toEqual([30, 10, 20, 40]);
    expect(filterProcesses(list, 'nothing-matches')).toEqual([]);
  });

  test.each([40, 80, 120, 200])('layoutColumns(%i): fits, keeps PID and Name, widths add up', (width) => {
    const layout = layoutColumns(width);
    const keys = layout.columns.map((c) => c.key);
    expect(keys.slice(0, 2)).toEqual(['pid', 'name']);
    const total = layout.widths.reduce((a, b) => a + b, 0) + layout.columns.length - 1;
    expect(total).toBeLessThanOrEqual(width);
    const header = headerCells(layout).join(' ');
    expect(displayWidth(header)).toBe(total);
    const row = rowCells(list[0], layout, ctx).join(' ');
    expect(displayWidth(row)).toBe(total);
    if (width >= 120) {
      expect(keys).toEqual(GRID_FIELDS.filter((c) => c.key !== 'session').map((c) => c.key));
      expect(total).toBe(width); // cmdline takes what is left
    } else {
      expect(keys).toContain('uss');
      expect(keys).toContain('cpu');
    }
  });

  test('the Session column only when asked for', () => {
    expect(layoutColumns(200).columns.map((c) => c.key)).not.toContain('session');
    const withSession = layoutColumns(200, { session: true });
    expect(withSession.columns.map((c) => c.key)).toContain('session');
    expect(withSession.widths.reduce((a, b) => a + b, 0) + withSession.columns.length - 1).toBe(200);
  });

  test('narrow terminals drop the lowest-priority columns first', () => {
    expect(layoutColumns(40).columns.map((c) => c.key)).toEqual(['pid', 'name', 'cpu', 'uss']);
    const wide = layoutColumns(200);
    expect(wide.widths[wide.columns.findIndex((c) => c.key === 'cmdline')]).toBe(200 - 97);
  });

  test('names: kernel threads in brackets; cmdline placeholders; hostile text sanitised in cells', () => {
    expect(displayName(processStat({ pid: 2, name: 'kthreadd', kernelThread: true }))).toBe('[kthreadd]');
    expect(displayCmdline(processStat({ pid: 2, cmdline: null, kernelThread: true }))).toBe('(kernel thread)');
    expect(displayCmdline(processStat({ pid: 3, cmdline: null, state: 'Z' }))).toBe('(zombie)');
    expect(displayCmdline(processStat({ pid: 4, cmdline: null }))).toBe('-');
    const evil = processStat({ pid: 5, name: '\x1b]0;t\x07', cmdline: 'x \x1b[2J \u009b \u202e y', ussBytes: 1 });
    const line = rowCells(evil, layoutColumns(200), ctx).join(' ');
    expect(line).not.toMatch(DANGEROUS);
    expect(line).toContain('\u241b]0;t\u2407');
  });
});

describe('pod memory gauge', () => {
  const snap = (cg: Parameters<typeof rawCgroup>[0], host = rawHost(), threshold = 80) =>
    new Sampler({ thresholdPercent: threshold }).ingest(rawSample([], host, rawCgroup(cg)), 0, 0);

  test('the cgroup against its own limit', () => {
    expect(podMemory(snap({ memCurrent: 512 * MiB, memLimit: GiB }))).toEqual({
      usedBytes: 512 * MiB, limitBytes: GiB, limitSource: 'cgroup', availableBytes: 512 * MiB, percent: 50, thresholdPercent: 80, level: 'ok',
    });
  });

  test('levels: danger at the threshold, warn from 85 % of it', () => {
    expect(podMemory(snap({ memCurrent: 800, memLimit: 1000 })).level).toBe('danger');
    expect(podMemory(snap({ memCurrent: 700, memLimit: 1000 })).level).toBe('warn');
    expect(podMemory(snap({ memCurrent: 670, memLimit: 1000 })).level).toBe('ok');
    expect(podMemory(snap({ memCurrent: 600, memLimit: 1000 }, rawHost(), 60)).level).toBe('danger');
  });

  test('no limit (or one above host memory): host memory, with host MemAvailable', () => {
    const host = rawHost({ memTotal: 8 * GiB, memAvailable: 6 * GiB });
    for (const limit of [NaN, 64 * GiB]) {
      const pm = podMemory(snap({ memCurrent: 2 * GiB, memLimit: limit }, host));
      expect(pm).toMatchObject({ usedBytes: 2 * GiB, limitBytes: 8 * GiB, limitSource: 'host', availableBytes: 6 * GiB, percent: 25 });
    }
  });

  test('no cgroup: the host as a whole', () => {
    const pm = podMemory(snap({ version: 0 }, rawHost({ memTotal: 8 * GiB, memAvailable: 2 * GiB })));
    expect(pm).toMatchObject({ usedBytes: 6 * GiB, limitBytes: 8 * GiB, limitSource: 'host', percent: 75 });
  });

  test('nothing known: unknown, not 0 %', () => {
    const pm = podMemory(snap({ version: 0 }, rawHost({ memTotal: NaN, memAvailable: NaN })));
    expect(pm).toMatchObject({ usedBytes: null, limitBytes: null, limitSource: null, percent: null, level: 'unknown' });
  });

  test('hiddenMemoryCount counts processes with a memory map whose USS could not be read', () => {
    const s = new Sampler().ingest(
      rawSample([
        { pid: 1, statmResident: 4096 }, // denied smaps: hidden
        { pid: 2, kernelThread: true },
        { pid: 3, state: 'Z' },
        { pid: 4, statmResident: 4096, privateClean: 0, privateDirty: 4096 },
      ]),
      0,
      0,
    );
    expect(hiddenMemoryCount(s)).toBe(1);
  });

  test('hiddenMemoryCount: a newcomer whose smaps is not read yet is pending, not hidden; a failed read stays hidden until one succeeds', () => {
    const sampler = new Sampler();
    const first = sampler.ingest(rawSample([{ pid: 1, statmResident: 4096 }, { pid: 5, statmResident: 4096, smapsNotRead: true }]), 0, 0);
    expect(first.processes.find((p) => p.pid === 5)).toMatchObject({ ussBytes: null, memoryDenied: false });
    expect(hiddenMemoryCount(first)).toBe(1);
    // Next tick neither is read: the denied one is still hidden, the newcomer still only pending.
    const second = sampler.ingest(rawSample([{ pid: 1, statmResident: 4096, smapsNotRead: true }, { pid: 5, statmResident: 4096, smapsNotRead: true }]), 1000, 1000);
    expect(hiddenMemoryCount(second)).toBe(1);
    // Then the newcomer is read, and the other one too, successfully.
    const third = sampler.ingest(
      rawSample([{ pid: 1, statmResident: 4096, privateClean: 0, privateDirty: 4096 }, { pid: 5, statmResident: 4096, privateClean: 0, privateDirty: 8192 }]),
      2000,
      2000,
    );
    expect(hiddenMemoryCount(third)).toBe(0);
  });
});

describe('spmon tokens table and JSON', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { tokensTable, tokensJson } = require('../lib/view/tokens_view') as typeof import('../lib/view/tokens_view');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { sessionOf } = require('../lib/model/sessions') as typeof import('../lib/model/sessions');
  const agent = (sessionId: string, complete: boolean) =>
    sessionOf(`agent:codex:${sessionId}`, 'agent', 'codex w', [], {
      agent: {
        tool: 'codex', sessionId, model: 'gpt-5-codex', cwd: '/w', logPath: '/w/r.jsonl',
        tokens: { input: 1000, output: 10, cacheCreation: null, cacheRead: 500, total: 1510 },
        contextPercent: 12, contextTokens: 32_640, contextWindow: 272_000, evidence: null, confidence: null, complete, unreadBytes: complete ? 0 : 4096,
      },
    });

  test('a session whose logs could not all be read shows ~ before its total, and complete: false', () => {
    const out = tokensTable([agent('read-all', true), agent('partly', false)], 120);
    const row = (id: string) => out.split('\n').find((l) => l.includes(id))!;
    expect(row('read-all')).toMatch(/ 1\.5k +12 ok /);
    expect(row('partly')).toMatch(/ ~1\.5k +12 ok /);
    const doc = tokensJson([agent('read-all', true), agent('partly', false)], 0);
    expect(doc.sessions.map((s) => s.complete)).toEqual([true, false]);
  });
});

describe('--once table', () => {
  test('header lines wrap at a narrow width rather than lose their end (the OOM kills)', () => {
    const frame = snapshot([proc(10)], { cgroup: cgroup({ oomKills: 3, limitBytes: null }) });
    const settings = { filter: '', sort: 'uss', reverse: false, limit: null } as unknown as Settings;
    for (const width of [60, 80]) {
      const lines = renderTable(frame, settings, width).trimEnd().split('\n');
      expect(lines.every((l) => displayWidth(l) <= width)).toBe(true);
      const header = lines.slice(0, lines.indexOf(''));
      expect(header.join(' ')).toMatch(/OOM kills 3/);
      expect(header.join(' ')).toMatch(/threshold 80%/);
    }
  });
});

describe('wrapLine', () => {
  const text = (rows: ReturnType<typeof wrapLine>) => rows.map(lineText);
  test('words wrap at spaces, continuations indented, styles kept; a word longer than a row is cut to fit', () => {
    const line = [seg('key ', 'key'), seg('one two three four five', 'normal')];
    const rows = wrapLine(line, 14, 4);
    expect(text(rows)).toEqual(['key one two', '    three four', '    five']);
    expect(rows[0][0]).toEqual({ text: 'key ', style: 'key' });
    const long = wrapLine([seg('x ' + 'a'.repeat(25))], 12, 2);
    for (const r of text(long)) expect(r.length).toBeLessThanOrEqual(12);
    expect(text(long).join('').replace(/ /g, '')).toBe('x' + 'a'.repeat(25));
    // Wide characters count two columns.
    for (const r of text(wrapLine([seg('日本語 日本語 日本語')], 8, 0))) expect(displayWidth(r)).toBeLessThanOrEqual(8);
  });
});
