// `spmon logs ID`: a supervised session's output (stdout and stderr, as written), read by byte offset.
import type { DaemonClient } from '../daemon/client';
import { sanitizeOutput, toSafeJson } from '../view/sanitize';
import { CommandDef, RunContext, UsageError } from './command';
import { SOCKET_OPTION, withDaemon } from './daemon_client';

interface LogChunk {
  id: string;
  data: string;
  offset: number;
  nextOffset: number;
  skipped: number;
  startOffset: number;
  endOffset: number;
  ended: boolean;
}

const FOLLOW_POLL_MS = 200;

function nonNegative(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new UsageError(`${flag} must be a whole number, 0 or more (got ${JSON.stringify(v)})`);
  return Number(v);
}

/** Decode bytes as UTF-8 without splitting a character across chunks. */
class Utf8Stream {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  push(b: Buffer, end = false): string {
    return this.decoder.decode(b, { stream: !end });
  }
}

async function readLogs(ctx: RunContext, c: DaemonClient, id: string, tail: number | undefined, from: number | undefined): Promise<number> {
  const json = ctx.opts.json === true;
  const raw = ctx.opts.raw === true;
  const follow = ctx.opts.follow === true;
  let offset = from;
  const text = new Utf8Stream();
  let first = true;
  for (;;) {
    const chunk: LogChunk = await c.request('logs', { id, ...(first && tail !== undefined ? { tail } : offset !== undefined ? { offset } : {}) });
    first = false;
    const bytes = Buffer.from(chunk.data, 'base64');
    if (chunk.skipped > 0 && !json && !raw) ctx.io.stderr.write(`spmon: ${chunk.skipped} bytes before offset ${chunk.offset} were freed to keep the log's size cap\n`);
    if (json) {
      ctx.io.stdout.write(
        toSafeJson({ id: chunk.id, text: text.push(bytes, chunk.ended), offset: chunk.offset, nextOffset: chunk.nextOffset, skipped: chunk.skipped, ended: chunk.ended }) + '\n',
      );
    } else if (raw) ctx.io.stdout.write(bytes);
    else ctx.io.stdout.write(sanitizeOutput(text.push(bytes, chunk.ended)));
    offset = chunk.nextOffset;
    if (chunk.nextOffset < chunk.endOffset) continue; // more held: read on at once
    if (!follow || chunk.ended) return 0;
    await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
  }
}

export const logsCommand: CommandDef = {
  name: 'logs',
  description: "a supervised session's output (stdout and stderr), shown sanitised; read by byte offset",
  arguments: '<id>',
  options: [
    { flags: '--tail <n>', description: 'only the last n lines' },
    { flags: '--offset <bytes>', description: 'from this byte offset (a nextOffset of --json)' },
    { flags: '-F, --follow', description: 'keep printing what comes until the session ends (Ctrl-C to stop)' },
    { flags: '--json', description: 'JSON lines {id, text, offset, nextOffset, skipped, ended}' },
    { flags: '--raw', description: 'the bytes exactly as written (escape sequences included: not for a terminal)' },
    SOCKET_OPTION,
  ],
  run: (ctx) => {
    // Checked before the daemon is asked: a bad option is a usage error (exit 2) with or without a daemon.
    const tail = nonNegative(ctx.opts.tail, '--tail');
    const offset = nonNegative(ctx.opts.offset, '--offset');
    return withDaemon(ctx, (c) => readLogs(ctx, c, ctx.args[0], tail, offset));
  },
};
