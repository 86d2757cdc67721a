// MCP test helpers: docs/mcp.schema.json compiled with ajv (each tool's declared output), and an in-process
// `spmon mcp` (lib/mcp/server.ts) with the SDK's Client over InMemoryTransport, in a private world.
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import * as fs from 'fs';
import * as path from 'path';
import { ROOT } from './paths';

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
