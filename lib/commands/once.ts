// `spmon --once` / `--json` / `--format`: one snapshot from the engine, printed once.
import { socketPath } from '../daemon/paths';
import { fetchRuns } from '../daemon/runs_source';
import { Engine } from '../engine/engine';
import { runProvider } from '../model/sessions';
import { renderJson, renderTable } from '../view/once_view';
import { selfAndAncestors } from '../view/process_table';
import type { RunContext } from './command';
import type { OnceFormat } from './main';

export async function runOnce(ctx: RunContext, format: OnceFormat): Promise<number> {
  const engine = new Engine(ctx.settings, { env: ctx.io.env, mode: 'snapshot' });
  // The daemon's supervised sessions, when one runs.
  const runs = await fetchRuns(socketPath(ctx.io.env), ctx.io.env);
  if (runs.length > 0) engine.addProvider(runProvider(() => runs));
  try {
    if (format === 'openmetrics' || format === 'prometheus') {
      // Metrics are counters and gauges of one moment: one sample, with /proc/<pid>/io for the io counters.
      const frame = await engine.snapshot(0, { io: true });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { renderOnce } = require('../metrics/once') as typeof import('../metrics/once');
      ctx.io.stdout.write(await renderOnce(frame, ctx.settings, format));
      return 0;
    }
    const frame = await engine.snapshot(ctx.settings.interval);
    // spmon and its parents are matched by name only: their command lines hold the --filter text.
    const nameOnly = selfAndAncestors(engine.guard);
    ctx.io.stdout.write(format === 'json' ? renderJson(frame, ctx.settings, nameOnly) : renderTable(frame, ctx.settings, ctx.columns, nameOnly));
    return 0;
  } finally {
    await engine.close();
  }
}
