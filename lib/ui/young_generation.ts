// The dashboard allocates a little every tick for hours. V8 grows its young
// generation (two semi-spaces, up to 16 MiB each on 64-bit) whenever enough has
// survived scavenges since it last grew, and something always survives a tick
// (what the screen shows), so within half a minute at 1,000 processes the young
// generation reached its maximum, a quarter of the RSS (docs/performance.md). The maximum can only
// be set on the command line (--max-semi-space-size), which `node bin/spmon`
// and `#!/usr/bin/env node` cannot pass without a second process; the growth
// factor is read each time V8 grows the space, so setting it to 1 keeps the
// young generation at the size it has when the dashboard starts (2-4 MiB in
// all). It costs more, smaller scavenges. Newer V8 may refuse a factor below 2:
// then this changes nothing. `v8` is required when called, after the first frame: Node's v8 module loads
// its heap-snapshot code and with it Node's streams (twenty modules).
import type * as v8 from 'v8';

/** Stop V8's young generation from growing from now on. False where that cannot be done (not V8). */
export function holdYoungGeneration(): boolean {
  if (!process.versions.v8 || process.versions.bun !== undefined) return false;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('v8') as typeof v8).setFlagsFromString('--semi-space-growth-factor=1');
    return true;
  } catch {
    return false;
  }
}
