'use strict';
// The baseline: the same per-process files the addon reads (stat, statm, status, io,
// smaps_rollup, cmdline), read with plain Node `fs` and parsed minimally into the same
// numbers and the same columnar shape, so that the comparison is about reading and
// parsing, not about doing less. Same skips as native/proc_reader.cc: no statm or
// smaps_rollup for kernel threads, no smaps_rollup for zombies, statm of all zeros is
// unknown, a process whose stat cannot be read is left out, unknown numbers are NaN.
//
// Two ways to read a file:
//   readFileSync  fs.readFileSync(path): a fresh Buffer per file (what most code does)
//   reusedBuffer  fs.openSync + fs.readSync into one Buffer kept across files + closeSync
// and an optional cmdline cache keyed by (pid, start time), as the addon keeps one.

const fs = require('fs');

const PF_KTHREAD = 0x00200000;
const MAX_CMDLINE = 64 * 1024;

// Node has no sysconf(_SC_PAGESIZE): the cases pass the addon's host.pageSize; 4 KiB otherwise.
const DEFAULT_PAGE = 4096;

function makeColumns(n) {
  const f = () => new Float64Array(n).fill(NaN);
  return {
    count: 0,
    pid: new Int32Array(n), ppid: new Int32Array(n), pgrp: new Int32Array(n), session: new Int32Array(n), tty: new Int32Array(n),
    state: new Uint8Array(n), flags: new Uint8Array(n),
    startTime: f(), utime: f(), stime: f(), threads: f(), uid: f(),
    vmSize: f(), statmResident: f(), statmShared: f(),
    rssAnon: f(), rssFile: f(), rssShmem: f(), vmSwap: f(),
    readBytes: f(), writeBytes: f(), rchar: f(), wchar: f(),
    rss: f(), pss: f(), privateClean: f(), privateDirty: f(), swap: f(), swapPss: f(),
    name: new Array(n), cmdline: new Array(n),
  };
}

/** "Key:   123 kB" lines: calls fn(key, value) with kB turned into bytes. */
function forEachColonKeyValue(text, fn) {
  let i = 0;
  const len = text.length;
  while (i < len) {
    let eol = text.indexOf('\n', i);
    if (eol < 0) eol = len;
    const colon = text.indexOf(':', i);
    if (colon > i && colon < eol) {
      const v = parseInt(text.slice(colon + 1, eol), 10); // skips leading blanks, stops at " kB"
      if (!Number.isNaN(v)) fn(text.slice(i, colon), text.endsWith('kB', eol) ? v * 1024 : v);
    }
    i = eol + 1;
  }
}

function parseStatInto(buf, c, i) {
  const open = buf.indexOf(0x28); // (
  const close = buf.lastIndexOf(0x29); // ) the last one: comm may hold ')' and spaces
  if (open < 0 || close <= open) return false;
  const f = buf.toString('latin1', close + 2).split(' ');
  if (f.length < 20 || f[0].length !== 1) return false;
  const start = Number(f[19]);
  if (!Number.isFinite(start)) return false;
  c.name[i] = buf.toString('utf8', open + 1, close);
  c.state[i] = f[0].charCodeAt(0);
  c.ppid[i] = Number(f[1]);
  c.pgrp[i] = Number(f[2]);
  c.session[i] = Number(f[3]);
  c.tty[i] = Number(f[4]);
  c.flags[i] = Number(f[6]) & PF_KTHREAD ? 1 : 0;
  c.utime[i] = Number(f[11]);
  c.stime[i] = Number(f[12]);
  c.threads[i] = Number(f[17]);
  c.startTime[i] = start;
  return true;
}

function parseStatmInto(text, c, i, page) {
  const f = text.split(' ', 3);
  const size = Number(f[0]);
  const resident = Number(f[1]);
  if (size === 0 && resident === 0) return; // zombies and exited processes read all zeros
  c.vmSize[i] = size * page;
  c.statmResident[i] = resident * page;
  c.statmShared[i] = Number(f[2]) * page;
}

function parseStatusInto(text, c, i) {
  forEachColonKeyValue(text, (k, v) => {
    if (k === 'RssAnon') c.rssAnon[i] = v;
    else if (k === 'RssFile') c.rssFile[i] = v;
    else if (k === 'RssShmem') c.rssShmem[i] = v;
    else if (k === 'VmSwap') c.vmSwap[i] = v;
    else if (k === 'Uid') c.uid[i] = v;
  });
}

function parseIoInto(text, c, i) {
  forEachColonKeyValue(text, (k, v) => {
    if (k === 'rchar') c.rchar[i] = v;
    else if (k === 'wchar') c.wchar[i] = v;
    else if (k === 'read_bytes') c.readBytes[i] = v;
    else if (k === 'write_bytes') c.writeBytes[i] = v;
  });
}

function parseSmapsInto(text, c, i) {
  forEachColonKeyValue(text, (k, v) => {
    if (k === 'Rss') c.rss[i] = v;
    else if (k === 'Pss') c.pss[i] = v;
    else if (k === 'Private_Clean') c.privateClean[i] = v;
    else if (k === 'Private_Dirty') c.privateDirty[i] = v;
    else if (k === 'Swap') c.swap[i] = v;
    else if (k === 'SwapPss') c.swapPss[i] = v;
  });
}

function cmdlineText(buf) {
  let n = Math.min(buf.length, MAX_CMDLINE);
  while (n > 0 && buf[n - 1] === 0) n--;
  const b = buf.subarray(0, n);
  for (let k = 0; k < n; k++) if (b[k] === 0) b[k] = 0x20;
  return b.toString('utf8');
}

/** Fresh Buffer per file. Returns null when the file cannot be read. */
function readFresh(path) {
  try {
    return fs.readFileSync(path);
  } catch {
    return null;
  }
}

/** One Buffer reused for every file (grown when a file does not fit). */
function makeReusedReader() {
  let buf = Buffer.allocUnsafe(64 * 1024);
  return function readReused(path) {
    let fd;
    try {
      fd = fs.openSync(path, 'r');
    } catch {
      return null;
    }
    try {
      let used = 0;
      for (;;) {
        if (used === buf.length) {
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger, 0, 0, used);
          buf = bigger;
        }
        const n = fs.readSync(fd, buf, used, buf.length - used, null);
        if (n === 0) break;
        used += n;
      }
      return buf.subarray(0, used);
    } catch {
      return null;
    } finally {
      fs.closeSync(fd);
    }
  };
}

/**
 * A reader like the addon's: `sample()` walks procRoot once and returns columns.
 * mode: 'readFileSync' | 'reusedBuffer'. cacheCmdline: keep cmdlines per (pid, start time).
 */
function createNodeReader({ procRoot = '/proc', mode = 'readFileSync', cacheCmdline = false, page = DEFAULT_PAGE } = {}) {
  const read = mode === 'reusedBuffer' ? makeReusedReader() : readFresh;
  const cache = new Map(); // pid -> { start, cmdline, pass }
  let pass = 0;
  return {
    sample() {
      pass++;
      const names = fs.readdirSync(procRoot);
      const c = makeColumns(names.length);
      let i = 0;
      for (const name of names) {
        const ch = name.charCodeAt(0);
        if (ch < 49 || ch > 57) continue; // 1-9
        const pid = Number(name);
        if (!Number.isInteger(pid)) continue;
        const dir = `${procRoot}/${name}/`;
        const stat = read(dir + 'stat');
        if (stat === null || !parseStatInto(stat, c, i)) continue;
        c.pid[i] = pid;
        const kthread = c.flags[i] & 1;
        if (!kthread) {
          const b = read(dir + 'statm');
          if (b !== null) parseStatmInto(b.toString('latin1'), c, i, page);
        }
        let b = read(dir + 'status');
        if (b !== null) parseStatusInto(b.toString('latin1'), c, i);
        b = read(dir + 'io');
        if (b !== null) parseIoInto(b.toString('latin1'), c, i);
        if (!kthread && c.state[i] !== 90 /* Z */) {
          b = read(dir + 'smaps_rollup');
          if (b !== null) parseSmapsInto(b.toString('latin1'), c, i);
        }
        const start = c.startTime[i];
        const hit = cacheCmdline ? cache.get(pid) : undefined;
        if (hit && hit.start === start) {
          hit.pass = pass;
          c.cmdline[i] = hit.cmdline;
        } else {
          b = read(dir + 'cmdline');
          const text = b === null ? null : cmdlineText(b);
          c.cmdline[i] = text;
          // Like the addon: an empty cmdline may still be filling in, so it is not kept.
          if (cacheCmdline && text) cache.set(pid, { start, cmdline: text, pass });
        }
        i++;
      }
      if (cacheCmdline) for (const [pid, e] of cache) if (e.pass !== pass) cache.delete(pid);
      c.count = i;
      return c;
    },
  };
}

module.exports = { createNodeReader };
