'use strict';
// Entry of the single-file executable (npm run sea). Does what the package layout gives bin/spmon,
// then runs the same CLI: the addon comes from a SEA asset (see node-gyp-build.js here), and so
// do the terminal descriptions blessed keeps beside its sources.

const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

/** blessed's own terminfo/termcap files (its fallbacks), as SEA assets: see scripts/sea.js. */
const BLESSED_USR = ['xterm', 'xterm-256color', 'linux', 'windows-ansi', 'xterm.termcap'];

/**
 * blessed reads fallback terminal descriptions from __dirname/../usr, which in the executable is
 * beside it and absent (and it falls back to them for a terminfo it cannot parse, such as ncurses
 * 6's tmux-256color). Write them once into a cache folder; the bundle reads them from there.
 */
function provideBlessedUsr() {
  const sea = require('node:sea');
  const files = BLESSED_USR.map((name) => ({ name, data: Buffer.from(sea.getAsset(`blessed-usr/${name}`)) }));
  const hash = crypto.createHash('sha256');
  for (const f of files) hash.update(f.name).update(f.data);
  const name = `blessed-usr-${hash.digest('hex').slice(0, 12)}`;
  const cache = process.env.XDG_CACHE_HOME || (process.env.HOME ? path.join(process.env.HOME, '.cache') : '');
  const dirs = [cache && path.join(cache, 'spmon'), path.join(os.tmpdir(), `spmon-${process.getuid()}`)].filter(Boolean);
  for (const base of dirs) {
    const dir = path.join(base, name);
    try {
      for (const f of files) {
        const file = path.join(dir, f.name);
        if (fs.existsSync(file) && fs.readFileSync(file).equals(f.data)) continue;
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const part = `${file}.${process.pid}`;
        fs.writeFileSync(part, f.data);
        fs.renameSync(part, file);
      }
      globalThis.__spmonBlessedUsr = dir;
      return;
    } catch {
      // not writable: try the next place
    }
  }
}

provideBlessedUsr();
const cli = require('../../lib/cli.ts');
cli.main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`spmon: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  },
);
