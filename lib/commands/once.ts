// `spmon --once` / `--json`: one snapshot from the engine, printed once.
import { Engine } from '../engine/engine';
import { renderJson, renderTable } from '../view/once_view';
import { selfAndAncestors } from '../view/process_table';
import type { RunContext } from './command';

export async function runOnce(ctx: RunContext, json: boolean): Promise<number> {
  const engine = new Engine(ctx.settings, { env: ctx.io.env, mode: 'snapshot' });
  try {
    const frame = await engine.snapshot(ctx.settings.interval);
    // spmon and its parents are matched by name only: their command lines hold the --filter text.
    const nameOnly = selfAndAncestors(engine.guard);
    ctx.io.stdout.write(json ? renderJson(frame, ctx.settings, nameOnly) : renderTable(frame, ctx.settings, ctx.columns, nameOnly));
    return 0;
  } finally {
    await engine.close();
  }
}
