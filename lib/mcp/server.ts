// `spmon mcp`: an MCP server (the official SDK) whose tools answer from the daemon when one runs, else
// from an engine of its own. Loaded only by `spmon mcp` (lib/commands/mcp.ts), so no other command pays
// for the SDK and zod.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Settings } from '../config';
import { version } from '../version';
import { Backends } from './backends';
import { SafeStdioTransport } from './stdio';
import { registerTools } from './tools';

export interface McpOptions {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  socketPath: string;
  /** How to run spmon to start a daemon (default: this executable or script). */
  spmonCommand?: string[];
  log: (message: string) => void;
  /** The in-process engine stops ticking after this long without a call, ms. */
  idleMs?: number;
}

export interface SpmonMcp {
  server: McpServer;
  backends: Backends;
  /** Finish the calls under way (terminations included), then close the backends and the server. */
  close(): Promise<void>;
}

export function createMcpServer(o: McpOptions): SpmonMcp {
  const server = new McpServer(
    { name: 'spmon', title: 'spmon: sessions, memory, tokens', version: version() },
    {
      instructions:
        'spmon answers which session is eating this machine or pod (list_sessions, get_pod_memory, list_processes), how full an AI agent\'s context is (get_token_usage, check_should_terminate; "mine" is the session of the agent that runs this server), and, when control is allowed, starts supervised sessions (start_session, read_output) and ends sessions or processes safely (terminate_session, request_termination).',
    },
  );
  const backends = new Backends({ socketPath: o.socketPath, settings: o.settings, env: o.env, spmonCommand: o.spmonCommand, log: o.log, idleMs: o.idleMs });
  const inflight = new Set<Promise<unknown>>();
  registerTools(server, { backends, settings: o.settings, socketPath: o.socketPath, inflight });
  let closing: Promise<void> | null = null;
  return {
    server,
    backends,
    close: () =>
      (closing ??= (async () => {
        // A client that went away mid-call: what the call started (a termination, a supervised session)
        // is finished, not left half done.
        await Promise.allSettled([...inflight]);
        await backends.close(0);
        await server.close().catch(() => undefined);
      })()),
  };
}

/** Serve on stdin/stdout until the client closes stdin (or SIGTERM/SIGINT); resolves with the exit status. */
export async function serveStdio(o: McpOptions): Promise<number> {
  const mcp = createMcpServer(o);
  // stdout is the protocol channel: a client that closed it ends the connection, and the calls under way
  // are finished before the process exits (bin/spmon would exit at once on EPIPE).
  process.stdout.removeAllListeners('error');
  const transport = new SafeStdioTransport(process.stdin, process.stdout);
  await mcp.server.connect(transport);
  const why = await new Promise<string>((resolve) => {
    // The SDK set its own onclose in connect: ours runs after it.
    const sdkClose = transport.onclose;
    transport.onclose = () => {
      sdkClose?.();
      resolve('the client closed the connection');
    };
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  o.log(`stopping: ${why}`);
  await mcp.close();
  process.stdin.destroy();
  return 0;
}
