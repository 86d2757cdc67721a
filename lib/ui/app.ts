// The interactive dashboard: draws the view model with neo-blessed and
// blessed-contrib, and turns keys into actions. No /proc reads, no rules here.
import blessed from 'blessed';
import type { Settings } from '../config';
import { socketPath } from '../daemon/paths';
import { RunsWatcher } from '../daemon/runs_source';
import { Engine } from '../engine/engine';
import { runProvider } from '../model/sessions';
import type { Frame } from '../engine/frame';
import { isFinal } from '../engine/terminator';
import type { Session } from '../model/sessions';
import {
  Action,
  DashboardState,
  initialState,
  reconcile,
  reduce,
  Rows,
  selectedIndex,
} from '../view/dashboard_state';
import { buildDashboardView, dashboardLayout, DashboardView } from '../view/dashboard_view';
import { jobText } from '../view/job_text';
import { historyText } from '../view/job_text';
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
  const engine = new Engine(settings, { env });
  // The daemon's supervised sessions, polled in the background.
  const runs = new RunsWatcher(socketPath(env));
  engine.addProvider(runProvider(() => runs.latest()));

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
  let frame: Frame | null = null;
  let rows: Rows = { list: [], prefixes: null };
  let sessionRows: Session[] = [];
  let error: string | null = null;
  let finished = false;

  engine.onJobs((job) => {
    // A job that has ended leaves its outcome in the status bar.
    const ended = job.kind === 'set' ? job.state === 'done' || job.state === 'refused' : isFinal(job.state);
    if (ended) {
      const good = job.kind === 'set' ? job.state === 'done' : job.state === 'terminated' || job.state === 'force-killed' || job.state === 'already-gone' || job.state === 'signalled';
      state = { ...state, status: { text: jobText(job), level: good ? 'ok' : 'error' } };
    }
    render();
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
    const ended = engine.terminator.history().map((h) => ({
      pid: h.pid, name: h.name, outcome: h.outcome, requestedAt: h.requestedAt, finishedAt: h.finishedAt, message: historyText(h),
    }));
    const sel = selectedIndex(state, rows);
    const selected = sel >= 0 ? rows.list[sel] : null;
    const detail = frame?.detail ?? null;
    const view = buildDashboardView({
      snap: frame, state, rows, sessionRows, size: size(),
      history: selected ? engine.history(selected.key) : undefined,
      detail: selected && detail && detail.pid === selected.pid ? detail : null,
      jobs: engine.terminator.active().map(jobText),
      ended,
      tickMs: frame?.cost.lastTickCpuMs ?? null,
      error,
      graceSec: settings.grace,
    });
    draw(view);
  }

  /** Re-derive the rows (and follow the selection) after anything changed, and tell the engine what is on screen. */
  function settle(): void {
    if (!frame) return;
    const r = reconcile(state, frame, pageSize());
    state = r.state;
    rows = r.rows;
    sessionRows = r.sessionRows;
    // What the next tick reads first: the visible rows' smaps, the selected session's members, the selection's detail.
    const hot: string[] = [];
    if (state.view === 'processes') for (const p of rows.list.slice(state.top, state.top + pageSize())) hot.push(p.key);
    if (state.selectedKey) hot.push(state.selectedKey);
    const sel = selectedIndex(state, rows);
    engine.watch('dashboard', {
      hotKeys: hot,
      sessionId: state.view === 'sessions' ? state.sessionKey : null,
      detailPid: sel >= 0 ? rows.list[sel].pid : null,
    });
  }

  engine.subscribe((f) => {
    if (finished) return;
    frame = f;
    error = null;
    try {
      settle();
      render();
    } catch (err) {
      error = (err as Error).message;
    }
  });

  function dispatch(action: Action): void {
    const treesBefore = state.trees;
    const result = reduce(state, action, { rows, sessionRows, pageSize: pageSize(), all: frame?.processes ?? [], guard: engine.guard });
    state = result.state;
    // A picked tree becomes a session at once, not at the next tick.
    if (state.trees !== treesBefore) {
      engine.setTreePicks(state.trees);
      frame = engine.frame;
    }
    if (result.effect?.type === 'terminate') {
      const req = result.effect.request;
      if (req.kind === 'process') engine.endProcess(req.target);
      else if (req.kind === 'session' && req.session) engine.endSession(req.session.id, { members: req.members });
      else engine.endTree(req.target, { members: req.members });
    }
    settle();
    render();
  }

  return new Promise<number>((resolve) => {
    const finish = (code: number, message?: string) => {
      if (finished) return;
      finished = true;
      void engine.close();
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
    engine.start(settings.interval * 1000, (err) => {
      error = err.message;
      render();
    });
  });
}
