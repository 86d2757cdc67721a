// The snapshot schema, compiled with ajv (draft 2020-12, formats on).
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import * as fs from 'fs';
import { SCHEMA_PATH } from './paths';

let validator: ValidateFunction | null = null;

export function snapshotValidator(): ValidateFunction {
  if (validator) return validator;
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  validator = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8')));
  return validator;
}

/** Validate and return ajv's errors as readable text ('' when valid), for expect(...).toBe(''). */
export function schemaErrors(doc: unknown): string {
  const v = snapshotValidator();
  if (v(doc)) return '';
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`).join('\n');
}
