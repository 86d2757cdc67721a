'use strict';
// Stands in for node-gyp-build inside the single-file executable (npm run sea aliases it): the
// addon is a SEA asset, written to a private temporary folder, loaded, and the file removed.

const fs = require('fs');
const os = require('os');
const path = require('path');

module.exports = function load() {
  const sea = require('node:sea');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spmon-addon-'));
  const file = path.join(dir, 'spmon.node');
  try {
    fs.writeFileSync(file, new Uint8Array(sea.getAsset('spmon.node')), { mode: 0o700 });
    const mod = { exports: {} };
    process.dlopen(mod, file);
    return mod.exports;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
