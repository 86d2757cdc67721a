#!/usr/bin/env node
'use strict';
// dist/spmon.cache: V8's code cache for dist/spmon.js, made the way bin/spmon loads the bundle, after it
// has run `spmon --once --json --interval 0` in a child Node (so the functions a snapshot runs are compiled
// in it), and dist/spmon.cache.json: the size and mtime of the bundle it was made for and the cache's length and CRC-32 (SHA-256 on a Node without zlib.crc32). bin/spmon uses the
// cache only for that file; a build that cannot make one (no /proc to read, say) leaves none, and spmon
// compiles the bundle as usual. What it saves: docs/performance.md ("code cache").
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const { BUNDLE, CODE_CACHE, CACHE_STAMP, LEAN_FLAGS } = require(path.join(ROOT, 'bin', 'spmon'));

// Run in the child: load the bundle without a cache, run a snapshot with its output thrown away, then
// write the cache (temporary file, renamed) and the stamp of the bundle as it was read.
const CHILD = `
const fs = require('fs');
const { loadBundle, cacheDigest, BUNDLE, CODE_CACHE, CACHE_STAMP } = require(${JSON.stringify(path.join(ROOT, 'bin', 'spmon'))});
const fd = fs.openSync(BUNDLE, 'r');
const st = fs.fstatSync(fd);
const source = fs.readFileSync(fd, 'utf8');
fs.closeSync(fd);
const { exports: cli, script } = loadBundle(source, undefined);
process.stdout.write = () => true;
cli.main(['node', 'spmon', '--once', '--json', '--interval', '0']).then((code) => {
  if (code !== 0) throw new Error('the snapshot ended with status ' + code);
  const tmp = CODE_CACHE + '.' + process.pid + '.tmp';
  const data = script.createCachedData();
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, CODE_CACHE);
  fs.writeFileSync(CACHE_STAMP, JSON.stringify({ size: st.size, mtimeMs: st.mtimeMs, cacheBytes: data.length, ...cacheDigest(data) }) + '\\n');
});
`;

// The lean cache: the same, made by a Node with the flags bin/spmon gives the dashboard and the daemon.
const LEAN_CACHE = path.join(path.dirname(CODE_CACHE), 'spmon.lean.cache');
const LEAN_STAMP = path.join(path.dirname(CODE_CACHE), 'spmon.lean.cache.json');

/** Make one cache in a child Node with these flags; null when it was made, else why not. */
function makeOne(flags, cache, stamp) {
  for (const f of [cache, stamp]) fs.rmSync(f, { force: true });
  const r = spawnSync(process.execPath, [...flags, '-e', CHILD], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  if (r.status === 0 && fs.existsSync(cache) && fs.existsSync(stamp)) return null;
  for (const f of [cache, stamp]) fs.rmSync(f, { force: true });
  const why = (r.error ? r.error.message : r.stderr || `exit ${r.status}`).trim().split('\n').slice(-1)[0];
  return why || 'unknown';
}

/** Make both caches (plain and with LEAN_FLAGS); null when they were made, else why not (the build goes on without). */
function makeCodeCache() {
  return makeOne([], CODE_CACHE, CACHE_STAMP) ?? makeOne(LEAN_FLAGS, LEAN_CACHE, LEAN_STAMP);
}

module.exports = { makeCodeCache, BUNDLE, CODE_CACHE, LEAN_CACHE };

if (require.main === module) {
  const why = makeCodeCache();
  if (why) process.stdout.write(`dist/spmon.cache: not made (${why}); spmon compiles the bundle at each start\n`);
  else process.stdout.write(`dist/spmon.cache: ${Math.round(fs.statSync(CODE_CACHE).size / 1024)} KiB\n`);
}
