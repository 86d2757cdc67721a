#!/usr/bin/env node
'use strict';
// docs/mcp.schema.json from the zod schemas the MCP tools declare (lib/mcp/schemas.ts, built into dist/lib):
// each tool's input and output as JSON Schema (draft 2020-12) under $defs, "<tool>.input" and "<tool>.output".
// `node scripts/mcp_schema.js` writes it; `--check` exits 1 when the file differs (test/mcp.test.ts runs it).

const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'docs', 'mcp.schema.json');

function generate() {
  const { z } = require('zod');
  const { INPUTS, OUTPUTS } = require(path.join(ROOT, 'dist', 'lib', 'mcp', 'schemas.js'));
  const defs = {};
  const json = (schema, io) => {
    const s = z.toJSONSchema(schema, { target: 'draft-2020-12', io });
    delete s.$schema;
    return s;
  };
  for (const name of Object.keys(OUTPUTS)) {
    defs[`${name}.input`] = json(z.object(INPUTS[name]), 'input');
    defs[`${name}.output`] = json(OUTPUTS[name], 'output');
  }
  const doc = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://github.com/session-process-monitor/spmon/docs/mcp.schema.json',
    title: 'spmon MCP tools',
    description:
      "The tools of `spmon mcp`: each tool's arguments (<tool>.input) and its structuredContent (<tool>.output), as the server declares them in tools/list. Generated from lib/mcp/schemas.ts by scripts/mcp_schema.js. Every key of an output is always present; unknown is null. Process rows are spmon.snapshot/v1's, token rows spmon.tokens/v1's, supervised rows `spmon ps --json`'s.",
    $defs: defs,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

module.exports = { generate, OUT };

if (require.main === module) {
  const text = generate();
  if (process.argv.includes('--check')) {
    const now = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
    if (now !== text) {
      process.stderr.write('docs/mcp.schema.json is not what lib/mcp/schemas.ts declares: run node scripts/mcp_schema.js\n');
      process.exit(1);
    }
  } else {
    fs.writeFileSync(OUT, text);
    process.stdout.write(`${path.relative(ROOT, OUT)}: ${Object.keys(JSON.parse(text).$defs).length} schemas\n`);
  }
}
