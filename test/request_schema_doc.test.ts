// docs/termination-request.schema.json is what the daemon validates request files with
// (lib/daemon/request_schema.ts): the two must not drift apart.
import * as fs from 'fs';
import * as path from 'path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { TERMINATION_REQUEST_SCHEMA } from '../lib/daemon/request_schema';

const doc = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'docs', 'termination-request.schema.json'), 'utf8'));

test('the documented schema is the one the daemon checks with', () => {
  expect(TERMINATION_REQUEST_SCHEMA).toEqual(doc);
});

test('it accepts amplifier-shaped requests and refuses what a daemon must not act on', () => {
  const ajv = new Ajv2020({ allErrors: true });
  addFormats(ajv);
  const ok = ajv.compile(doc);
  expect(ok({ timestamp: '2026-12-04T10:00:00Z', reason: 'token_limit_approaching', continuation_command: 'claude --resume x', priority: 'graceful', pid: 4242 })).toBe(true);
  expect(ok({ reason: 'manual', session: 'run:web', pidStartTime: 5 })).toBe(true);
  expect(ok({ reason: 'manual' })).toBe(false); // no target
  expect(ok({ reason: 'bored', session: 'run:web' })).toBe(false);
  expect(ok({ reason: 'manual', pid: 1 })).toBe(false);
  expect(ok({ reason: 'manual', session: 'run:web', command: 'rm -rf ~' })).toBe(false); // unknown key
  expect(ok({ reason: 'manual', session: 'run:web', priority: 'now' })).toBe(false);
});
