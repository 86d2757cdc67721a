// The JSON schemas in docs/ (snapshot, tokens, ps), compiled with ajv (draft 2020-12, formats on).
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import * as fs from 'fs';
import { PS_SCHEMA_PATH, SCHEMA_PATH, TOKENS_SCHEMA_PATH } from './paths';

const validators = new Map<string, ValidateFunction>();

function validatorFor(schemaPath: string): ValidateFunction {
  let v = validators.get(schemaPath);
  if (!v) {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(ajv);
    v = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));
    validators.set(schemaPath, v);
  }
  return v;
}

export function snapshotValidator(): ValidateFunction {
  return validatorFor(SCHEMA_PATH);
}

function errorsOf(v: ValidateFunction, doc: unknown): string {
  if (v(doc)) return '';
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('\n');
}

/** Validate against docs/snapshot.schema.json; ajv's errors as readable text ('' when valid), for expect(...).toBe(''). */
export function schemaErrors(doc: unknown): string {
  return errorsOf(snapshotValidator(), doc);
}

/** The same against docs/tokens.schema.json (`spmon tokens --json`). */
export function tokensSchemaErrors(doc: unknown): string {
  return errorsOf(validatorFor(TOKENS_SCHEMA_PATH), doc);
}

/** The same against docs/ps.schema.json (`spmon ps --json`). */
export function psSchemaErrors(doc: unknown): string {
  return errorsOf(validatorFor(PS_SCHEMA_PATH), doc);
}
