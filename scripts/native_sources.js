'use strict';
// The files a prebuild is made from (binding.gyp and native/*.cc, native/*.h) and their
// SHA-256, in `sha256sum` format: prebuilds/SOURCES.sha256 records them when the prebuilds are
// made, and a test fails when they differ from the tree (native/ changed, prebuilds not remade).

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const SOURCES_FILE = path.join('prebuilds', 'SOURCES.sha256');

/** Paths relative to root, sorted: binding.gyp, then native/*.cc and native/*.h (not subfolders). */
function nativeSourceFiles(root) {
  const native = fs
    .readdirSync(path.join(root, 'native'), { withFileTypes: true })
    .filter((d) => d.isFile() && /\.(cc|h)$/.test(d.name))
    .map((d) => `native/${d.name}`)
    .sort();
  return ['binding.gyp', ...native];
}

/** `<sha256>  <path>` lines for the current tree. */
function sourceHashes(root) {
  return nativeSourceFiles(root)
    .map((f) => `${crypto.createHash('sha256').update(fs.readFileSync(path.join(root, f))).digest('hex')}  ${f}\n`)
    .join('');
}

module.exports = { SOURCES_FILE, nativeSourceFiles, sourceHashes };
