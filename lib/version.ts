// spmon's version: put in by the bundler (scripts/build.js, scripts/sea.js), else read from package.json
// (the modules tsc writes to dist/lib, which tests load).
import * as path from 'path';
import { packageRoot } from './native';

declare const SPMON_VERSION: string | undefined;

export function version(): string {
  if (typeof SPMON_VERSION === 'string') return SPMON_VERSION;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(packageRoot, 'package.json')) as { version: string }).version;
}
