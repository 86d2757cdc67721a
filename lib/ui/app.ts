// The interactive dashboard: draws the view model with neo-blessed, and turns keys and mouse events into
// actions. No /proc reads, no rules here.
import type blessed from 'blessed';
import * as widgets from './blessed_parts';
import type { Settings } from '../config';
import { DaemonClient } from '../daemon/client';
import { socketPath } from '../daemon/paths';
import { RunsWatcher } from '../daemon/runs_source';
import { Engine, EngineError } from '../engine/engine';
import { runProvider } from '../model/sessions';
import type { Frame } from '../engine/frame';
import { endOptionsFor, isFinal } from '../engine/terminator';
import type { Session } from '../model/sessions';
import { Action, DashboardState, initialState, reconcile, reduce, Rows, selectedIndex } from '../view/dashboard_state';
import { detailGeometry } from '../view/dashboard_detail';
import { buildDashboardView, dashboardLayout, DashboardView, overlayRows, overlayWidth } from '../view/dashboard_view';
import { historyText, jobText } from '../view/job_text';
import { signalEnds } from '../view/dashboard_menus';
import { sanitize } from '../view/sanitize';
import { keyToAction } from './keys';
import { mouseToAction, separateMouseReports } from './mouse';
import { cellBox, CellBox } from './cell_box';
import { COLOURS, noColor, NO_COLOURS, STYLE_COLOURS, STYLE_NO_COLOURS, toTags } from './tags';
import { localeIsUtf8, terminalText } from './terminal_text';
import { holdYoungGeneration } from './young_generation';
import { canPaintFirst, firstPaint, writeFd } from './first_paint';
import { terminalSize } from '../native';

export async function runDashboard(settings: Settings, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const engine = new Engine(settings, { env });
  // The daemon's supervised sessions, polled in the background.
  const runs = new RunsWatcher(socketPath(env), env);
  engine.addProvider(runProvider(() => runs.latest()));

  // Draw box lines as Unicode rather than through the terminal's alternate
  // character set, which tmux and some terminals show as letters (q, x, m).
  if (process.env.NCURSES_NO_UTF8_ACS === undefined) process.env.NCURSES_NO_UTF8_ACS = '1';
  // The locale decides, for blessed and for the view alike: without UTF-8, blessed prints '?' for anything
  // past ASCII, so the view draws its gauges and arrows in ASCII and names become '?' column for column.
  const utf8 = localeIsUtf8(env);
  const colours = !noColor(env);
  const palette = colours ? COLOURS : NO_COLOURS;
  const styles = colours ? STYLE_COLOURS : STYLE_NO_COLOURS;
  const text = terminalText(utf8);

  let state: DashboardState = initialState(settings);
  let frame: Frame | null = null;
  let rows: Rows = { list: [], prefixes: null };
  let sessionRows: Session[] = [];
  let error: string | null = null;
  let finished = false;
  let view: DashboardView | null = null;

  engine.onJobs((job) => {
    // A job that has ended leaves its outcome in the status bar.
    const ended = job.kind === 'set' ? job.state === 'done' || job.state === 'refused' : isFinal(job.state);
    if (ended) {
      const good = job.kind === 'set' ? job.state === 'done' : job.state === 'terminated' || job.state === 'force-killed' || job.state === 'already-gone' || job.state === 'signalled';
      state = { ...state, status: { text: jobText(job), level: good ? 'ok' : 'error' } };
    }
    render();
  });

  // The screen's size once blessed has one; before, for the first frame, the terminal's (from the addon: Node's
  // terminal streams, ~10 ms to make, are made with blessed's screen, after the first frame).
  const terminal = terminalSize(1);
  let drawnOn: blessed.Widgets.Screen | null = null;
  const size = () =>
    drawnOn
      ? { width: Math.max(1, drawnOn.width as number), height: Math.max(1, drawnOn.height as number) }
      : { width: Math.max(1, terminal?.columns ?? 80), height: Math.max(1, terminal?.rows ?? 24) };
  const pageSize = () => dashboardLayout(size()).gridRows;
  const tags = (l: DashboardView['status']) => toTags(l, palette);

  function draw(v: DashboardView): void {
    const { layout } = v;
    const w = size().width;
    header.element.top = 0;
    header.element.height = layout.header;
    header.setLines(v.header);
    layout.header > 0 ? header.element.show() : header.element.hide();
    gridHeader.element.top = layout.header;
    gridHeader.setLines([v.gridHeader]);
    grid.element.top = layout.header + 1;
    grid.element.height = layout.gridRows;
    grid.setLines(v.grid.map((r) => r.line), v.grid.findIndex((r) => r.selected));
    if (v.detail) {
      detail.show();
      detail.top = layout.header + 1 + layout.gridRows;
      detail.height = layout.detail;
      // Children are placed from the frame's outer edge: one in from the border on every side.
      const { textWidth, sparkWidth } = detailGeometry(w);
      const inner = Math.max(1, layout.detail - 2);
      detailText.element.top = 1;
      detailText.element.left = 1;
      detailText.element.width = textWidth;
      detailText.element.height = inner;
      spark.element.top = 1;
      spark.element.left = Math.max(1, w - 1 - sparkWidth);
      spark.element.width = sparkWidth;
      spark.element.height = inner;
      detailText.setLines(v.detail.lines);
      spark.setLines(v.detail.spark);
    } else {
      detail.hide();
    }
    status.setLines([v.status]);
    if (v.overlay) {
      overlay.setLabel(v.overlay.title);
      if (colours) overlay.style.border = { fg: v.overlay.tone === 'danger' ? 'red' : 'cyan' };
      // Wrapped to the dialog's width and cut to the rows that fit by the view (its scroll position).
      const lines = v.overlay.lines;
      overlay.setContent(lines.map(tags).join('\n'));
      overlay.height = Math.min(size().height, lines.length + 2);
      overlay.width = overlayWidth(w);
      overlay.show();
      overlay.setFront();
    } else {
      overlay.hide();
    }
    screen.render();
  }

  function render(): void {
    if (finished) return;
    draw(buildView());
  }

  function buildView(): DashboardView {
    const ended = engine.terminator.history().map((h) => ({
      pid: h.pid, name: h.name, outcome: h.outcome, signal: h.signals.at(-1)?.signal ?? null, requestedAt: h.requestedAt, finishedAt: h.finishedAt, message: historyText(h),
    }));
    const sel = selectedIndex(state, rows);
    const selected = sel >= 0 ? rows.list[sel] : null;
    const d = frame?.detail ?? null;
    view = buildDashboardView({
      snap: frame, state, rows, sessionRows, size: size(),
      history: selected ? engine.history(selected.key) : undefined,
      detail: selected && d && d.pid === selected.pid ? d : null,
      jobs: engine.terminator.active().map(jobText),
      ended,
      tickMs: frame?.cost.lastTickCpuMs ?? null,
      error,
      graceSec: settings.grace,
      text,
      ascii: !utf8,
      root: process.geteuid?.() === 0,
    });
    return view;
  }

  /** Re-derive the rows (and follow the selection) after anything changed, and tell the engine what is on screen. */
  function settle(): void {
    if (!frame) return;
    const r = reconcile(state, frame, pageSize(), engine.guard);
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

  let painted = false;
  // blessed's terminfo has no way back from the alternate screen (xterm-r5 and the like): the first frame's is
  // left here.
  let leaveAlternate = false;
  let resolveRun: (code: number) => void = () => undefined;
  const ran = new Promise<number>((resolve) => (resolveRun = resolve));
  /** The terminal's cursor and main screen back, when no screen of blessed's does it (best effort: it may be gone). */
  const restoreTerminal = (sequence: string) => {
    try {
      writeFd(1, sequence);
    } catch {
      // a terminal that is gone or stuck: nothing more to restore
    }
  };
  // A terminal that is gone (hung up: no longer a terminal to the addon) cannot be left normally: Node 20's exit
  // handler restores the terminal's settings, gets EIO and fails an assertion (a core dump, SIGABRT or SIGSEGV,
  // instead of a quiet exit). So whichever way out comes first with the terminal gone (the hangup, an I/O error,
  // blessed failing to make its screen on it, bin/spmon's exit on a write's EIO, the end of the event loop),
  // spmon ends by the hangup itself, with the default action, as a process without a handler would.
  const terminalGone = () => terminal !== null && terminalSize(1) === null;
  const endByHangup = () => {
    process.removeAllListeners('SIGHUP');
    process.kill(process.pid, 'SIGHUP');
  };
  /** End the dashboard: the terminal restored (blessed's screen, or the first frame's alternate screen). */
  const finish = (code: number, message?: string) => {
    if (finished) return;
    finished = true;
    unlisten();
    void engine.close();
    if (drawnOn) drawnOn.destroy();
    if (painted && (!drawnOn || leaveAlternate)) restoreTerminal('\x1b[?25h\x1b[?1049l');
    if (message) process.stderr.write(message);
    if (terminalGone()) return endByHangup(); // at once: not after whatever still keeps the event loop going
    resolveRun(code);
  };
  // The handlers are in place before anything is written to the terminal: with no listener, a SIGTERM while
  // blessed loads would end the process at once, leaving the first frame's alternate screen and hidden cursor.
  // With one, Node runs it after the synchronous start below, so with blessed's screen made. finish waits for
  // the next tick: blessed's own SIGTERM, SIGINT and uncaughtException handlers, which run after these, exit
  // at once unless another listener is still there (hence `on`, not `once`), and finish's destroy of the
  // screen removes theirs; finish then removes these, so a second signal has its default action.
  const onSignal = (sig: NodeJS.Signals, code: number) => () => process.nextTick(() => finish(code, `spmon: ${sig}\n`));
  // A hangup usually means the terminal is gone: after restoring what can be restored, spmon ends by it (above),
  // also when restoring a terminal that is gone throws (blessed's destroy writes to it and resets its modes).
  const onHangup = () => {
    try {
      finish(129, 'spmon: SIGHUP\n');
    } finally {
      endByHangup();
    }
  };
  // An I/O error of the terminal itself (EIO: it is gone, the hangup may not have come yet) ends as a hangup too.
  const onException = (err: Error) =>
    (err as NodeJS.ErrnoException).code === 'EIO' ? onHangup() : process.nextTick(() => finish(1, `spmon: ${err.stack ?? err.message}\n`));
  const handlers: [NodeJS.Signals, () => void][] = [
    ['SIGTERM', onSignal('SIGTERM', 143)],
    ['SIGHUP', onHangup],
    ['SIGINT', onSignal('SIGINT', 130)],
  ];
  for (const [sig, h] of handlers) process.on(sig, h);
  process.on('uncaughtException', onException);
  // The ways out that do not pass through finish (bin/spmon's exit on a write's EIO, a library's exit) or pass
  // it before the terminal was seen gone: the hangup ends them before Node's exit handler. Left to the end.
  process.on('exit', () => {
    if (terminalGone()) endByHangup();
  });
  function unlisten(): void {
    for (const [sig, h] of handlers) process.removeListener(sig, h);
    process.removeListener('uncaughtException', onException);
  }
  // The first frame: sampled and drawn before blessed is loaded (first_paint.ts), then drawn again by blessed
  // in the same write as its screen's clear. Nothing readable at all (no /proc, no fds) ends here with why.
  try {
    frame = engine.tick();
    settle();
    if (canPaintFirst({ isTTY: terminal !== null }, env)) {
      const text = firstPaint(buildView(), size(), styles, utf8);
      // (Set first: a write cut short may have switched the screen already.)
      painted = true;
      writeFd(1, text);
    }
  } catch (err) {
    if (!frame && err instanceof EngineError) {
      finish(1, `spmon: ${err.message}\n`);
      return ran;
    }
    error = (err as Error).message;
  }
  // After the first frame, which it would delay by the modules it loads (young_generation.ts).
  holdYoungGeneration();

  let screen: blessed.Widgets.Screen;
  try {
    screen = widgets.screen({
      smartCSR: true,
      fullUnicode: utf8,
      forceUnicode: utf8,
      title: 'spmon',
      warnings: false,
      // Children are placed from their parent's outer edge (the detail pane places its own inside its frame).
      autoPadding: false,
    });
  } catch (err) {
    // No screen after all: the terminal gets its cursor and main screen back before the error is reported.
    finish(1, `spmon: ${(err as Error).message}\n`);
    return ran;
  }
  drawnOn = screen;
  leaveAlternate = painted && !(screen.program as unknown as { tput?: { strings?: Record<string, unknown> } }).tput?.strings?.exit_ca_mode;
  // blessed reduces colours to what terminfo declares: for an 8-colour TERM (xterm, screen, and
  // tmux-256color, whose terminfo blessed cannot parse and so reads as xterm) it turned `gray` (8, bright
  // black) into 0, black, and dimmed text vanished on a dark background. Every terminal those names run on
  // draws SGR 90, so gray stays 8.
  const internal = screen as unknown as { _reduceColor(c: number): number };
  const reduceColor = internal._reduceColor.bind(screen);
  internal._reduceColor = (c: number) => (c === 8 ? 8 : reduceColor(c));

  const border = (fg: string) => (colours ? { border: { fg } } : {});
  const box = (opts: blessed.Widgets.BoxOptions) => widgets.box({ tags: true, wrap: false, ...opts } as blessed.Widgets.BoxOptions);
  // The text of the header, grid, detail and status bar goes straight into blessed's cells (cell_box.ts);
  // only the overlay (help, menus, dialogs) goes through blessed's tags.
  const cells = (opts: blessed.Widgets.BoxOptions) => cellBox(widgets.box({ wrap: false, ...opts } as blessed.Widgets.BoxOptions), styles);
  let header!: CellBox, gridHeader!: CellBox, grid!: CellBox, detailText!: CellBox, spark!: CellBox, status!: CellBox;
  let detail!: blessed.Widgets.BoxElement, overlay!: blessed.Widgets.BoxElement;
  try {
    header = cells({ parent: screen, top: 0, left: 0, width: '100%', height: 4 });
    gridHeader = cells({ parent: screen, top: 4, left: 0, width: '100%', height: 1 });
    grid = cells({ parent: screen, top: 5, left: 0, width: '100%', height: 10 });
    // The detail pane: a frame, and inside it (one row and column in from each edge) the text and the sparklines.
    detail = box({ parent: screen, left: 0, width: '100%', height: 9, border: { type: 'line' }, label: ' Selected ', style: border('gray') });
    detailText = cells({ parent: detail, top: 0, left: 0, height: 7, width: 10 });
    spark = cells({ parent: detail, top: 0, left: 11, height: 7, width: 10 });
    status = cells({ parent: screen, bottom: 0, left: 0, width: '100%', height: 1 });
    overlay = widgets.box({
      parent: screen, top: 'center', left: 'center', width: '80%', height: 'shrink', tags: true,
      border: { type: 'line' }, hidden: true, padding: { left: 1, right: 1 }, style: border('cyan'),
    });
    if (frame) {
      // At blessed's size (the terminal may have been resized since the first frame).
      settle();
      render();
    }
  } catch (err) {
    finish(1, `spmon: ${(err as Error).message}\n`);
    return ran;
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

  function stopRun(id: string, signal: string): void {
    state = { ...state, status: { text: `Stopping ${sanitize(id)} (${signal}, then SIGKILL after ${settings.grace} s) through the daemon...`, level: 'ok' } };
    void (async () => {
      let status: DashboardState['status'];
      try {
        const c = await DaemonClient.connect(socketPath(env), 2000);
        try {
          const r = await c.request<{ id: string; state: string; lastExit: { code: number | null; signal: string | null } | null }>(
            'stop', { id, signal, graceSec: settings.grace }, (settings.grace + 30) * 1000);
          const exit = r.lastExit ? (r.lastExit.signal ?? `exit ${r.lastExit.code ?? '?'}`) : 'exit not seen';
          status = { text: `Stopped ${sanitize(r.id)}: ${sanitize(r.state)} (${sanitize(exit)}); it is not restarted`, level: 'ok' };
        } finally {
          c.close();
        }
      } catch (err) {
        status = { text: `Could not stop ${sanitize(id)} through the daemon: ${sanitize((err as Error).message)}`, level: 'error' };
      }
      if (finished) return;
      state = { ...state, status };
      render();
    })();
  }

  function dispatch(action: Action): void {
    const treesBefore = state.trees;
    const shown = view?.overlay;
    const overlayMaxTop = shown ? Math.max(0, (shown.total ?? 0) - overlayRows(size().height)) : 0;
    const result = reduce(state, action, { rows, sessionRows, pageSize: pageSize(), all: frame?.processes ?? [], guard: engine.guard, overlayMaxTop });
    state = result.state;
    // A picked tree becomes a session at once, not at the next tick.
    if (state.trees !== treesBefore) {
      engine.setTreePicks(state.trees);
      frame = engine.frame;
    }
    if (result.effect?.type === 'terminate') {
      const req = result.effect.request;
      const opts = endOptionsFor(req.signal, settings.grace * 1000);
      if (req.kind === 'process') engine.endProcess(req.target, opts);
      // A supervised session is stopped by its daemon, as `spmon stop` does: ended behind the daemon's back,
      // a session with restart=always would only start again.
      else if (req.kind === 'session' && req.session?.kind === 'run' && signalEnds(req.signal)) stopRun(req.session.id, req.signal);
      else if (req.kind === 'session' && req.session) engine.endSession(req.session.id, { ...opts, members: req.members });
      else if (req.kind === 'tagged') engine.endSet(req.members, { ...opts, label: 'the tagged set', roots: req.roots });
      else engine.endTree(req.target, { ...opts, members: req.members });
    }
    settle();
    render();
  }

  screen.on('keypress', (ch: string | undefined, key: blessed.Widgets.Events.IKeyEventArg) => {
    const action = keyToAction(state.mode, ch, key);
    if (action === 'quit') return finish(0);
    if (action === 'redraw') {
      // Ctrl-L: forget what is on the terminal and draw every cell again; tmux is listed at the next tick.
      engine.relist();
      screen.realloc();
      return render();
    }
    if (action) dispatch(action);
  });
  separateMouseReports(screen.program.input);
  screen.enableMouse();
  screen.on('mouse', (data: blessed.Widgets.Events.IMouseEventArg) => {
    const action = view ? mouseToAction(view, state.mode, data) : null;
    if (action) dispatch(action);
  });
  screen.on('resize', () => {
    settle();
    render();
  });
  // The first tick was the first frame's: the next one an interval later.
  engine.start(settings.interval * 1000, (err) => {
    error = err.message;
    render();
  }, frame ? settings.interval * 1000 : 0);
  return ran;
}
