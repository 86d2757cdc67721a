// `spmon mcp`: an MCP server on stdin/stdout for AI agents (Claude Code, Codex, Gemini CLI): sessions,
// processes, pod memory, tokens; with --allow-control it also starts and ends things.
import type { CommandDef } from './command';
import { SOCKET_OPTION, socketOf } from './daemon_client';

export const mcpCommand: CommandDef = {
  name: 'mcp',
  description: 'serve MCP (Model Context Protocol) on stdio: agents ask about sessions, processes, pod memory and tokens; read-only unless --allow-control',
  options: [SOCKET_OPTION],
  helpAfter: `
Register it with an agent, e.g. Claude Code:  claude mcp add spmon -- spmon mcp
It answers from the daemon when one runs (spmon daemon), else from an engine of its own. Logs go to stderr.`,
  async run(ctx) {
    // The SDK and zod load here only: no other command pays for them.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { serveStdio } = require('../mcp/server') as typeof import('../mcp/server');
    const log = (m: string) => ctx.io.stderr.write(`spmon mcp: ${m}\n`);
    if (process.stdin.isTTY) log('speaks MCP (JSON-RPC) on stdin and stdout, for an agent to start it; see spmon mcp --help. Ctrl-D ends it.');
    return serveStdio({ settings: ctx.settings, env: ctx.io.env, socketPath: socketOf(ctx), log });
  },
};
