'use strict';
// What a command needs from the machine, found out and brought in: a table of needs (see test_deps.js)
// is probed, the Debian packages of what is missing are installed with apt-get when this runs as root
// on Debian, and otherwise it stops with the exact `apt-get install` line; npm-registry tools come from
// scripts/toolchain.js into node_modules/.cache.
//
// A need is { id, why, one probe, and what brings it }:
//   command: 'tmux'                      found when an executable of that name is on PATH
//   file: '/lib/ld-musl-x86_64.so.1'     found when the file exists
//   check: (ctx) => true | false | null  its own probe; null = cannot tell until the others are present
//   debian: ['musl'] | (ctx) => [...]    the Debian packages that bring it
//   tool: 'bun-musl'                     a tool of scripts/toolchain.js (installed on first use)
//   sysroot: 'arm64'                     Debian packages of that architecture, unpacked into a cache by
//                                        scripts/sysroot.js (apt-get download: no root, apt unchanged)

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

/** The executable `name` on the PATH of `env`, or null. */
function which(name, env = process.env) {
  for (const dir of (env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

/** 'ok', 'missing', or 'unknown' (the probe needs another need first). */
function probe(need, ctx) {
  if (need.command) return which(need.command, ctx.env) ? 'ok' : 'missing';
  if (need.file) return fs.existsSync(need.file) ? 'ok' : 'missing';
  if (need.check) {
    const r = need.check(ctx);
    return r === null ? 'unknown' : r ? 'ok' : 'missing';
  }
  if (need.tool) return fs.existsSync(ctx.toolPath(need.tool)) ? 'ok' : 'missing';
  if (need.sysroot) return ctx.hasSysroot(need.sysroot) ? 'ok' : 'missing';
  throw new Error(`need ${need.id}: no command, file, check, tool or sysroot to probe`);
}

/** How a missing need shows in a message. */
function describe(need) {
  if (need.command) return `${need.command} is not on PATH`;
  if (need.file) return `${need.file} is missing`;
  if (need.tool) return `${need.tool} is not in node_modules/.cache`;
  if (need.sysroot) return `Debian's ${need.sysroot} packages are not unpacked in node_modules/.cache`;
  return need.missingText || 'its probe failed';
}

/**
 * What is missing and what would bring it: Debian packages (in table order, once each), npm tools,
 * sysroots, and the needs that cannot be probed yet.
 */
function plan(needs, ctx) {
  const out = { missing: [], unknown: [], debian: [], tools: [], sysroots: [] };
  for (const need of needs) {
    const state = probe(need, ctx);
    if (state === 'ok') continue;
    if (state === 'unknown') {
      out.unknown.push(need);
      continue;
    }
    out.missing.push(need);
    if (need.tool) out.tools.push(need.tool);
    if (need.sysroot && !out.sysroots.includes(need.sysroot)) out.sysroots.push(need.sysroot);
    const pkgs = typeof need.debian === 'function' ? need.debian(ctx) : need.debian || [];
    for (const p of pkgs) if (!out.debian.includes(p)) out.debian.push(p);
  }
  return out;
}

/** Brought by `apt-get install` (not by the npm registry or an unpacked sysroot). */
const installedByApt = (need) => !need.tool && !need.sysroot;

const aptLine = (pkgs) => `apt-get install -y ${pkgs.join(' ')}`;

/** The message for needs this process cannot install: what is missing, for what, and the line to run. */
function cannotInstall(title, missing, pkgs, why) {
  const debianNeeds = missing.filter(installedByApt);
  const w = Math.max(...debianNeeds.map((n) => n.id.length));
  const rows = debianNeeds.map((n) => `  ${n.id.padEnd(w)}  ${describe(n)}: ${n.why}`);
  return [
    `${title}: missing on this machine:`,
    ...rows,
    `${why} Install them, then run the command again:`,
    `  ${aptLine(pkgs)}`,
    '',
  ].join('\n');
}

/** apt-get, quiet and non-interactive; `apt-get update` only when the package lists do not know a package. */
function aptInstall(pkgs, ctx) {
  const env = { ...ctx.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (cmd, args) => {
    const r = spawnSync(which(cmd, ctx.env) || cmd, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: r.status === 0, out: `${r.stdout || ''}${r.stderr || ''}${r.error ? r.error.message : ''}` };
  };
  // Wait for another apt or dpkg instead of failing on its lock.
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  const update = () => run('apt-get', ['update', '-qq', ...lock]);
  let updated = false;
  if (!run('apt-cache', ['show', '--no-all-versions', ...pkgs]).ok) {
    ctx.log('apt-get update (the package lists do not know all of them yet)');
    const u = update();
    if (!u.ok) return { ok: false, out: u.out };
    updated = true;
  }
  const install = () => run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...lock, ...pkgs]);
  let r = install();
  if (!r.ok && !updated) {
    // Stale lists name versions the mirror no longer has.
    ctx.log('apt-get install failed; apt-get update, then once more');
    update();
    r = install();
  }
  return r;
}

/**
 * Make every need present. Returns { ok, message }: ok false with a message (the exact apt-get line)
 * when Debian packages are missing and this process cannot install them (not root, or no apt-get), or
 * when what was installed did not bring what was missing.
 *
 * options: env (PATH to probe and to run apt-get from), isRoot, title (who asks), log(line),
 * ensureTool(name) and toolPath(name) (scripts/toolchain.js), ensureSysroot(arch) and
 * hasSysroot(arch) (scripts/sysroot.js).
 */
function ensure(needs, options) {
  const ctx = {
    env: options.env || process.env,
    isRoot: options.isRoot ?? process.getuid?.() === 0,
    log: options.log || ((line) => process.stderr.write(`${options.title}: ${line}\n`)),
    toolPath: options.toolPath,
    hasSysroot: options.hasSysroot,
  };
  const installed = [];
  // Rounds: a need whose probe needs another one (the sanitizers need g++) is probed once that is in.
  for (let round = 0; round < 3; round++) {
    const p = plan(needs, ctx);
    if (p.debian.length === 0) break;
    const again = p.debian.filter((pkg) => installed.includes(pkg));
    if (again.length) {
      const still = p.missing.filter(installedByApt).map((n) => `${n.id} (${describe(n)})`);
      return { ok: false, message: `${options.title}: installed ${again.join(' ')}, yet still missing: ${still.join(', ')}\n` };
    }
    if (!which('apt-get', ctx.env)) {
      return { ok: false, message: cannotInstall(options.title, p.missing, p.debian, 'This is not a Debian or Ubuntu machine (no apt-get): install the equivalents of these Debian packages.') };
    }
    if (!ctx.isRoot) {
      return { ok: false, message: cannotInstall(options.title, p.missing, p.debian, 'Installing Debian packages needs root.') };
    }
    ctx.log(`installing ${p.debian.join(' ')} (${aptLine(p.debian)})`);
    const r = aptInstall(p.debian, ctx);
    if (!r.ok) return { ok: false, message: `${options.title}: ${aptLine(p.debian)} failed:\n${r.out.trim().split('\n').slice(-20).join('\n')}\n` };
    installed.push(...p.debian);
  }
  const p = plan(needs, ctx);
  const left = [...p.unknown, ...p.missing.filter(installedByApt)];
  if (left.length) {
    return { ok: false, message: `${options.title}: still missing: ${left.map((n) => `${n.id} (${describe(n)})`).join(', ')}\n` };
  }
  for (const tool of p.tools) {
    try {
      options.ensureTool(tool);
    } catch (err) {
      return { ok: false, message: `${options.title}: could not install ${tool} from the npm registry: ${err.message}\n` };
    }
  }
  for (const arch of p.sysroots) {
    try {
      options.ensureSysroot(arch);
    } catch (err) {
      const why = p.missing.filter((n) => n.sysroot === arch).map((n) => n.why).join('; ');
      return {
        ok: false,
        message:
          `${options.title}: could not unpack Debian's ${arch} packages into node_modules/.cache (for ${why}; ` +
          `scripts/sysroot.js runs apt-get download and dpkg-deb, which need a Debian or Ubuntu machine, not root):\n${err.message}\n`,
      };
    }
  }
  return { ok: true, message: '' };
}

module.exports = { which, probe, plan, ensure, aptLine };
