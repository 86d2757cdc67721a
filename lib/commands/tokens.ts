// `spmon tokens`: token use and context fill of every AI agent session, with an exit status scripts can
// act on (0 below warn, 1 at warn, 2 at critical; 3 for usage errors such as an unknown session).
import { Engine } from '../engine/engine';
import { checkSessionOption, exitStatusFor, selectAgentSessions, tokensJson, tokensTable, UnknownSessionError, worstLevel } from '../view/tokens_view';
import { toSafeJson } from '../view/sanitize';
import { CommandDef, UsageError } from './command';

export const tokensCommand: CommandDef = {
  name: 'tokens',
  description: 'token use and context fill of AI agent sessions; exit 0 below 80 %, 1 at warn, 2 at critical (90 %)',
  options: [
    { flags: '--session <id>', description: 'one session: agent:<tool>:<id>, the bare id, or a unique prefix' },
    { flags: '--json', description: 'JSON (schema spmon.tokens/v1)' },
  ],
  usageExit: 3,
  errorExit: 4,
  async run(ctx) {
    // Before reading anything: an empty --session is a usage error.
    try {
      checkSessionOption(ctx.opts.session as string | undefined);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const engine = new Engine(ctx.settings, { env: ctx.io.env, mode: 'snapshot' });
    try {
      // It shows no memory, so no smaps_rollup is read (its cost: docs/performance.md, tokens case).
      const frame = await engine.snapshot(0, { smaps: false });
      let chosen;
      try {
        chosen = selectAgentSessions(frame.sessions, ctx.opts.session as string | undefined);
      } catch (err) {
        if (err instanceof UnknownSessionError) throw new UsageError(err.message);
        throw err;
      }
      chosen.sort((a, b) => (b.lastActivityMs ?? 0) - (a.lastActivityMs ?? 0));
      ctx.io.stdout.write(ctx.opts.json === true ? toSafeJson(tokensJson(chosen, frame.wallMs), 2) + '\n' : tokensTable(chosen, ctx.columns));
      return exitStatusFor(worstLevel(chosen));
    } finally {
      await engine.close();
    }
  },
};
