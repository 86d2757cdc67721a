// `spmon --once` / `--json`: one snapshot from the engine, printed once.
import { socketPath } from '../daemon/paths';
import { fetchRuns } from '../daemon/runs_source';
import { Engine } from '../engine/engine';
import { runProvider } from '../model/sessions';
import { renderJson, renderTable } from '../view/once_view';
import type { RunContext } from './command';

export async function runOnce(ctx: RunContext, json: boolean): Promise<number> {
  const engine = new Engine(ctx.settings, { env: ctx.io.env, mode: 'snapshot' });
  // The daemon's supervised sessions, when one runs.
  const runs = await fetchRuns(socketPath(ctx.io.env));
  if (runs.length > 0) engine.addProvider(runProvider(() => runs));
  try {
    const frame = await engine.snapshot(ctx.settings.interval);
    ctx.io.stdout.write(json ? renderJson(frame, ctx.settings) : renderTable(frame, ctx.settings, ctx.columns));
    return 0;
  } finally {
    await engine.close();
  }
}
