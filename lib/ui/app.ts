// The interactive dashboard: draws the view model with neo-blessed and
// blessed-contrib, and turns keys into actions. No /proc reads, no rules here.
import * as os from 'os';
import blessed from 'blessed';
import type { Settings } from '../config';
import { ancestorPids, isFinal, Terminator } from '../control';
import { Monitor } from '../monitor';
import { SessionCollector } from '../session_collector';
import type { Session } from '../model/sessions';
import type { ModelSnapshot } from '../model/sampler';
import { buildTree, subtree } from '../model/tree';
import { defaultSmapsSchedule, rankSmaps } from '../model/smaps_schedule';
import type { SmapsTickPlan } from '../model/smaps_budget';
import { createUserLookup } from '../sources/passwd';
import {
  Action,
  DashboardState,
  initialState,
  reconcile,
  reduce,
  Rows,
  selectedIndex,
} from '../view/dashboard_state';
import { buildDashboardView, dashboardLayout, DashboardView, setHostName } from '../view/dashboard_view';
import { keyToAction } from './keys';
import { toTags } from './tags';
import { holdYoungGeneration } from './young_generation';

// blessed-contrib's index loads every widget (maps, markdown): take only the sparkline.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Sparkline = require('blessed-contrib/lib/widget/sparkline') as (opts: object) => blessed.Widgets.BoxElement & {
  setData(titles: string[], data: number[][]): void;
};

export async function runDashboard(settings: Settings, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  holdYoungGeneration();
  const monitor = new Monitor(settings);
  const userName = createUserLookup();
  setHostName(os.hostname());

  // Draw box lines as Unicode rather than through the terminal's alternate
  // character set, which tmux and some terminals show as letters (q, x, m).
  if (process.env.NCURSES_NO_UTF8_ACS === undefined) process.env.NCURSES_NO_UTF8_ACS = '1';
  const screen = blessed.screen({
    smartCSR: true,
    fullUnicode: true,
    title: 'spmon',
    warnings: false,
    autoPadding: false,
  });
  const header = blessed.box({ parent: screen, top: 0, left: 0, width: '100%', height: 4, tags: true, wrap: false } as blessed.Widgets.BoxOptions);
  const gridHeader = blessed.box({ parent: screen, top: 4, left: 0, width: '100%', height: 1, tags: true, wrap: false } as blessed.Widgets.BoxOptions);
  const grid = blessed.box({ parent: screen, top: 5, left: 0, width: '100%', height: 10, tags: true, wrap: false } as blessed.Widgets.BoxOptions);
  const detail = blessed.box({
    parent: screen, left: 0, width: '100%', height: 9, tags: true,
    border: { type: 'line' }, label: ' Selected ', style: { border: { fg: 'gray' } },
  });
  const detailText = blessed.box({ parent: detail, top: 0, left: 0, height: '100%-2', tags: true, wrap: false } as blessed.Widgets.BoxOptions);
  const spark = Sparkline({
    parent: detail, top: 0, right: 0, height: '100%-2', tags: true, border: undefined,
    style: { fg: 'cyan', titleFg: 'white' },
  });
  const status = blessed.box({ parent: screen, bottom: 0, left: 0, width: '100%', height: 1, tags: true, wrap: false } as blessed.Widgets.BoxOptions);
  const overlay = blessed.box({
    parent: screen, top: 'center', left: 'center', width: '80%', height: 'shrink', tags: true,
    border: { type: 'line' }, hidden: true, padding: { left: 1, right: 1 },
    style: { border: { fg: 'cyan' } },
  });

  let state: DashboardState = initialState(settings);
  let snap: ModelSnapshot | null = null;
  let rows: Rows = { list: [], prefixes: null };
  let sessions: Session[] = [];
  let sessionRows: Session[] = [];
  const collector = new SessionCollector({ env });
  let error: string | null = null;
  let tickMs: number | null = null;
  let detailInfo: DashboardViewDetail = null;
  let timer: NodeJS.Timeout | null = null;
  let finished = false;

  const terminator = new Terminator({
    graceMs: settings.grace * 1000,
    procRoot: settings.procRoot,
    readOnly: settings.readOnly,
    onChange: (job) => {
      // A job that has ended leaves its outcome in the status bar.
      const ended = job.kind === 'set' ? job.state === 'done' || job.state === 'refused' : isFinal(job.state);
      if (ended) {
        const good = job.kind === 'set' ? job.state === 'done' : job.state === 'terminated' || job.state === 'force-killed' || job.state === 'already-gone';
        state = { ...state, status: { text: job.message, level: good ? 'ok' : 'error' } };
      }
      render();
    },
  });

  const size = () => ({ width: Math.max(1, screen.width as number), height: Math.max(1, screen.height as number) });
  const pageSize = () => dashboardLayout(size()).gridRows;

  function draw(view: DashboardView): void {
    const { layout } = view;
    const w = size().width;
    header.top = 0;
    header.height = layout.header;
    header.setContent(view.header.map(toTags).join('\n'));
    layout.header > 0 ? header.show() : header.hide();
    gridHeader.top = layout.header;
    gridHeader.setContent(toTags(view.gridHeader));
    grid.top = layout.header + 1;
    grid.height = layout.gridRows;
    grid.setContent(view.grid.map((r) => (r.selected ? `{inverse}${toTags(r.line)}{/inverse}` : toTags(r.line))).join('\n'));
    if (view.detail) {
      detail.show();
      detail.top = layout.header + 1 + layout.gridRows;
      detail.height = layout.detail;
      const sparkW = Math.min(40, Math.floor(w / 3));
      detailText.width = Math.max(1, w - sparkW - 3);
      spark.width = sparkW;
      detailText.setContent(view.detail.lines.map(toTags).join('\n'));
      spark.setData([view.detail.ussLabel, view.detail.cpuLabel], [
        view.detail.uss.length ? view.detail.uss : [0],
        view.detail.cpu.length ? view.detail.cpu : [0],
      ]);
    } else {
      detail.hide();
    }
    status.setContent(toTags(view.status));
    if (view.overlay) {
      overlay.setLabel(view.overlay.title);
      overlay.style.border = { fg: view.overlay.tone === 'danger' ? 'red' : 'cyan' };
      const maxLines = Math.max(1, size().height - 4);
      const lines = view.overlay.lines.slice(state.overlayTop, state.overlayTop + maxLines);
      overlay.setContent(lines.map(toTags).join('\n'));
      overlay.height = Math.min(size().height, lines.length + 2);
      overlay.width = Math.min(w, Math.max(40, Math.floor(w * 0.9)));
      overlay.show();
      overlay.setFront();
    } else {
      overlay.hide();
    }
    screen.render();
  }

  function render(): void {
    if (finished) return;
    const ended = terminator.history().map((h) => ({
      pid: h.pid, name: h.name, outcome: h.outcome, requestedAt: h.requestedAt, finishedAt: h.finishedAt, message: h.message,
    }));
    const sel = selectedIndex(state, rows);
    const selected = sel >= 0 ? rows.list[sel] : null;
    const view = buildDashboardView({
      snap, state, rows, sessionRows, size: size(),
      history: selected ? monitor.sampler.history(selected.key) : undefined,
      detail: selected && detailInfo && detailInfo.pid === selected.pid ? detailInfo : null,
      jobs: terminator.active().map((j) => j.message),
      ended,
      tickMs,
      error,
      graceSec: settings.grace,
      userName,
    });
    draw(view);
  }

  /** Re-derive the rows (and follow the selection) after anything changed. */
  function settle(): void {
    if (!snap) return;
    const r = reconcile(state, snap, pageSize(), sessions);
    state = r.state;
    rows = r.rows;
    sessionRows = r.sessionRows;
  }

  function tick(): void {
    if (finished) return;
    const cpu0 = process.cpuUsage();
    try {
      const sel = selectedIndex(state, rows);
      const detailPid = sel >= 0 ? rows.list[sel].pid : undefined;
      const inspectPids = snap ? collector.inspectPids(snap) : [];
      snap = monitor.tick({ detailPid, inspectPids, ...smapsPlan() });
      detailInfo = snap.detail ?? null;
      sessions = collector.update(snap, state.trees).sessions;
      error = null;
      settle();
    } catch (err) {
      error = (err as Error).message;
    }
    try {
      render();
    } catch (err) {
      error = (err as Error).message;
    }
    const used = process.cpuUsage(cpu0);
    tickMs = (used.user + used.system) / 1000;
    timer = setTimeout(tick, Math.max(50, settings.interval * 1000));
  }

  /**
   * After the first sample, smaps_rollup is read within a budget: what is on
   * screen (and the selected session's members) first. See model/smaps_schedule.ts (the order)
   * and model/smaps_budget.ts (the time).
   */
  function smapsPlan(): Partial<SmapsTickPlan> {
    if (!monitor.sampler.hasHistory) return {};
    const hot = new Set<string>();
    if (state.view === 'processes') {
      for (const p of rows.list.slice(state.top, state.top + pageSize())) hot.add(p.key);
    } else {
      const sel = sessionRows.find((x) => x.id === state.sessionKey);
      if (sel && sel.kind !== 'pod') for (const k of sel.keys) hot.add(k);
    }
    if (state.selectedKey) hot.add(state.selectedKey);
    const schedule = { ...defaultSmapsSchedule, budgetMs: settings.smapsBudget };
    return monitor.smapsBudget.plan(rankSmaps(monitor.sampler.smapsCandidates(Date.now()), hot, schedule), schedule.budgetMs);
  }

  function dispatch(action: Action): void {
    const treesBefore = state.trees;
    const result = reduce(state, action, { rows, sessionRows, pageSize: pageSize(), all: snap?.processes ?? [], selfPid: process.pid });
    state = result.state;
    // A picked tree becomes a session at once, not at the next tick.
    if (snap && state.trees !== treesBefore) sessions = collector.update(snap, state.trees).sessions;
    if (result.effect?.type === 'terminate') {
      const req = result.effect.request;
      if (req.kind === 'process') terminator.terminate(req.target);
      else if (req.kind === 'session' && req.session) {
        const id = req.session.id;
        terminator.terminateSet(req.members, {
          label: `session ${req.session.name}`,
          protectedPids: snap ? ancestorPids(snap.processes) : [],
          // New members (children born during the grace) are ended too.
          rescan: () => {
            const now = sessions.find((x) => x.id === id);
            if (!now || !snap) return req.members;
            const byKey = new Map(snap.processes.map((p) => [p.key, p]));
            return now.keys.map((k) => byKey.get(k)).filter((p): p is NonNullable<typeof p> => p !== undefined);
          },
        });
      } else
        terminator.terminateSet(req.members, {
          label: `tree of ${req.target.pid}`,
          protectedPids: snap ? ancestorPids(snap.processes) : [],
          rescan: () => (snap ? subtree(buildTree(snap.processes), req.target.pid) : req.members),
        });
    }
    settle();
    render();
  }

  return new Promise<number>((resolve) => {
    const finish = (code: number, message?: string) => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      terminator.close();
      screen.destroy();
      if (message) process.stderr.write(message);
      resolve(code);
    };
    screen.on('keypress', (ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg) => {
      const action = keyToAction(state.mode, ch, key);
      if (action === 'quit') return finish(0);
      if (action) dispatch(action);
    });
    screen.on('resize', () => {
      settle();
      render();
    });
    const onSignal = (sig: NodeJS.Signals, code: number) => () => finish(code, `spmon: ${sig}\n`);
    // A hangup usually means the terminal is gone. Node 20 then aborts on its way out (its exit
    // handler restores the terminal's settings, gets EIO, and fails an assertion: a core dump and
    // "Assertion failed" instead of a quiet exit). So after restoring what can be restored, spmon
    // ends by the hangup itself, with the default action, as a process without a handler would.
    const onHangup = () => {
      finish(129, 'spmon: SIGHUP\n');
      process.removeAllListeners('SIGHUP');
      process.kill(process.pid, 'SIGHUP');
    };
    const handlers: [NodeJS.Signals, () => void][] = [
      ['SIGTERM', onSignal('SIGTERM', 143)],
      ['SIGHUP', onHangup],
      ['SIGINT', onSignal('SIGINT', 130)],
    ];
    for (const [sig, h] of handlers) process.once(sig, h);
    process.once('uncaughtException', (err) => {
      finish(1, `spmon: ${err.stack ?? err.message}\n`);
    });
    tick();
  });
}

type DashboardViewDetail = { pid: number; cgroup: string | null; cwd: string | null; exe: string | null } | null;
