// MCP test helpers: docs/mcp.schema.json compiled with ajv (each tool's declared output), and an in-process
// `spmon mcp` (lib/mcp/server.ts) with the SDK's Client over InMemoryTransport, in a private world.
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import * as fs from 'fs';
import * as path from 'path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { resolveSettings, Settings } from '../../lib/config';
import { createMcpServer, SpmonMcp } from '../../lib/mcp/server';
import { BIN, ROOT } from './paths';

export const MCP_SCHEMA_PATH = path.join(ROOT, 'docs', 'mcp.schema.json');

let ajv: Ajv2020 | null = null;
const validators = new Map<string, ValidateFunction>();

export function mcpSchemaDoc(): { $id: string; $defs: Record<string, Record<string, unknown>> } {
  return JSON.parse(fs.readFileSync(MCP_SCHEMA_PATH, 'utf8'));
}

function validator(def: string): ValidateFunction {
  let v = validators.get(def);
  if (!v) {
    if (!ajv) {
      ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
      addFormats(ajv);
      ajv.addSchema(mcpSchemaDoc());
    }
    v = ajv.getSchema(`${mcpSchemaDoc().$id}#/$defs/${def}`);
    if (!v) throw new Error(`no $defs/${def} in docs/mcp.schema.json`);
    validators.set(def, v);
  }
  return v;
}

/** ajv's errors for a tool's structured output against docs/mcp.schema.json ('' when valid). */
export function mcpOutputErrors(tool: string, value: unknown): string {
  const v = validator(`${tool}.output`);
  if (v(value)) return '';
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('\n');
}


export interface ToolAnswer {
  isError: boolean;
  text: string;
  /** structuredContent (undefined for an error). */
  data: Record<string, unknown>;
}

/** A tool call through an SDK Client; a result that is not an error must validate against docs/mcp.schema.json. */
export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<ToolAnswer> {
  const r = (await client.callTool({ name, arguments: args }, undefined, { timeout: timeoutMs })) as {
    isError?: boolean;
    content: { type: string; text: string }[];
    structuredContent?: Record<string, unknown>;
  };
  const answer = { isError: r.isError === true, text: r.content.map((c) => c.text).join('\n'), data: r.structuredContent ?? {} };
  if (!answer.isError) {
    const errors = mcpOutputErrors(name, r.structuredContent);
    if (errors) throw new Error(`${name}: output does not validate against docs/mcp.schema.json:\n${errors}`);
  }
  return answer;
}

export interface InProcess {
  client: Client;
  mcp: SpmonMcp;
  call(name: string, args?: Record<string, unknown>): Promise<ToolAnswer>;
  close(): Promise<void>;
}

/**
 * `spmon mcp` in this process (its engine reads this process's world: `env`'s HOME, TMUX_TMPDIR), connected
 * to an SDK Client over InMemoryTransport. `settings` override the defaults (interval 0.5 s, grace 1 s).
 */
export async function inProcessMcp(env: NodeJS.ProcessEnv, socketPath: string, settings: Partial<Settings> = {}, idleMs?: number): Promise<InProcess> {
  const s: Settings = { ...resolveSettings({}, {}, {}), interval: 0.5, grace: 1, ...settings };
  const mcp = createMcpServer({ settings: s, env, socketPath, spmonCommand: [process.execPath, BIN], log: () => undefined, idleMs });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await mcp.server.connect(serverSide);
  const client = new Client({ name: 'spmon-test', version: '1.0.0' });
  await client.connect(clientSide);
  // Listing the tools makes the client check every structuredContent against its declared output schema.
  await client.listTools();
  return {
    client,
    mcp,
    call: (name, args = {}) => callTool(client, name, args),
    close: async () => {
      await client.close();
      await mcp.close();
    },
  };
}
