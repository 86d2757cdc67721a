'use strict';
// Reads what a shared object asks of the system: ELF machine, DT_NEEDED libraries, versioned
// symbol requirements (GLIBC_2.17, ...) and exported symbols. Plain JS, so checking a prebuild
// needs no binutils and works for any target architecture. ELF64 little-endian only (x64, arm64).

const fs = require('fs');

const MACHINES = { 3: 'x86', 40: 'arm', 62: 'x86-64', 183: 'aarch64' };
const SHT_DYNSYM = 11;
const SHT_DYNAMIC = 6;
const SHT_GNU_VERNEED = 0x6ffffffe;
const DT_NEEDED = 1;
const DT_SONAME = 14;

/**
 * @returns {{machine: string, type: number, needed: string[], soname: string|null,
 *   versionNeeds: {file: string, versions: string[]}[], exports: string[], imports: string[]}}
 */
function readElf(file) {
  const b = fs.readFileSync(file);
  if (b.length < 64 || b.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file}: not an ELF file`);
  if (b[4] !== 2 || b[5] !== 1) throw new Error(`${file}: not ELF64 little-endian`);
  const type = b.readUInt16LE(0x10);
  const machineCode = b.readUInt16LE(0x12);
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);

  const sections = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    sections.push({
      type: b.readUInt32LE(o + 4),
      offset: Number(b.readBigUInt64LE(o + 24)),
      size: Number(b.readBigUInt64LE(o + 32)),
      link: b.readUInt32LE(o + 40),
      info: b.readUInt32LE(o + 44),
    });
  }
  const str = (sec, off) => {
    const start = sections[sec.link].offset + off;
    return b.toString('latin1', start, b.indexOf(0, start));
  };

  const needed = [];
  let soname = null;
  const versionNeeds = [];
  const exports = [];
  const imports = [];
  for (const sec of sections) {
    if (sec.type === SHT_DYNAMIC) {
      for (let o = sec.offset; o + 16 <= sec.offset + sec.size; o += 16) {
        const tag = Number(b.readBigInt64LE(o));
        if (tag === 0) break;
        const val = Number(b.readBigUInt64LE(o + 8));
        if (tag === DT_NEEDED) needed.push(str(sec, val));
        else if (tag === DT_SONAME) soname = str(sec, val);
      }
    } else if (sec.type === SHT_GNU_VERNEED) {
      let o = sec.offset;
      for (let i = 0; i < sec.info; i++) {
        const cnt = b.readUInt16LE(o + 2);
        const entry = { file: str(sec, b.readUInt32LE(o + 4)), versions: [] };
        let a = o + b.readUInt32LE(o + 8);
        for (let j = 0; j < cnt; j++) {
          entry.versions.push(str(sec, b.readUInt32LE(a + 8)));
          a += b.readUInt32LE(a + 12);
        }
        versionNeeds.push(entry);
        o += b.readUInt32LE(o + 12);
      }
    } else if (sec.type === SHT_DYNSYM) {
      for (let o = sec.offset + 24; o + 24 <= sec.offset + sec.size; o += 24) {
        const name = str(sec, b.readUInt32LE(o));
        if (!name) continue;
        const bind = b[o + 4] >> 4;
        const shndx = b.readUInt16LE(o + 6);
        if (shndx === 0) imports.push(name);
        else if (bind === 1 || bind === 2) exports.push(name);
      }
    }
  }
  return { machine: MACHINES[machineCode] ?? `machine ${machineCode}`, type, needed, soname, versionNeeds, exports, imports };
}

/** Compares dotted versions: "2.17" < "2.28". */
function compareVersions(a, b) {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** Newest version of a prefix (GLIBC_, GLIBCXX_) the object requires, or null when none. */
function maxVersion(info, prefix = 'GLIBC_') {
  let max = null;
  for (const need of info.versionNeeds) {
    for (const v of need.versions) {
      if (!v.startsWith(prefix)) continue;
      const n = v.slice(prefix.length);
      if (!/^\d+(\.\d+)*$/.test(n)) continue; // GLIBC_PRIVATE
      if (max === null || compareVersions(n, max) > 0) max = n;
    }
  }
  return max;
}

module.exports = { readElf, maxVersion, compareVersions };
