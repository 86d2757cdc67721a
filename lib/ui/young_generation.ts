// The dashboard allocates a little every tick for hours. V8 grows its young
// generation (two semi-spaces, up to 16 MiB each on 64-bit) whenever enough has
// survived scavenges since it last grew, and what survives one tick is the
// snapshot the screen shows, so over a minute or two the young generation grows
// to its maximum: ~30 MB of a ~110 MB RSS at 1,000 processes. The maximum can
// only be set on the command line (--max-semi-space-size), which `node
// bin/spmon` and `#!/usr/bin/env node` cannot pass without a second process;
// the growth factor is read each time V8 grows the space, so setting it to 1
// keeps the young generation at the size it has when the dashboard starts
// (a few MiB). It costs a few more, smaller scavenges.
import * as v8 from 'v8';

/** Stop V8's young generation from growing from now on. False where that cannot be done (not V8). */
export function holdYoungGeneration(): boolean {
  if (!process.versions.v8 || process.versions.bun !== undefined) return false;
  try {
    v8.setFlagsFromString('--semi-space-growth-factor=1');
    return true;
  } catch {
    return false;
  }
}
