// The native reader against fixture /proc trees (test/fixtures/proc): what the host
// cannot produce on demand. Unknown must come back as NaN, never as 0, and nothing throws.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createReader, FLAG_KERNEL_THREAD, FLAG_SMAPS_FALLBACK, RawSample } from '../lib/native';
import { cgroupFixture, FIXTURE_PROC } from './helpers/paths';
import { mustRow as must } from './helpers/rows';

const KiB = 1024;
const MiB = 1024 * KiB;

const MEMORY_FIELDS = ['rss', 'pss', 'privateClean', 'privateDirty', 'swap', 'swapPss'] as const;

describe('fixture /proc through Reader.sample()', () => {
  const { procRoot, cgroupRoot } = cgroupFixture('v2');
  let s: RawSample;
  beforeAll(() => {
    s = createReader({ procRoot, cgroupRoot }).sample();
  });

  test('reads every process directory and nothing else', () => {
    // 104 has a stat cut off before the start time (no identity); 12abc and self are not pids.
    expect(Array.from(s.pid).sort((a, b) => a - b)).toEqual([1, 2, 100, 101, 102, 103, 105, 106, 107, 108]);
    expect(s.count).toBe(10);
    for (const col of ['ppid', 'startTime', 'rss', 'name', 'cmdline'] as const) expect(s[col].length).toBe(10);
  });

  test('an ordinary process: stat, statm, status, io, smaps_rollup, cmdline', () => {
    const page = s.host!.pageSize;
    expect(must(s, 1)).toMatchObject({
      ppid: 0,
      state: 'S',
      name: 'init',
      cmdline: '/sbin/init splash',
      startTime: 5,
      utime: 250,
      stime: 150,
      threads: 1,
      uid: 0,
      flags: 12, // status read (bit 3), smaps read (bit 2), not from the smaps fallback (bit 1), not a kernel thread (bit 0)
      statmResident: 1024 * page,
      statmShared: 512 * page,
      vmSize: 2560 * page,
      rssAnon: 1536 * KiB,
      rssFile: 2048 * KiB,
      rssShmem: 512 * KiB,
      vmSwap: 128 * KiB,
      rchar: 1000,
      wchar: 2000,
      readBytes: 4096,
      writeBytes: 8192,
      rss: 4 * MiB,
      pss: 2 * MiB,
      privateClean: 512 * KiB,
      privateDirty: 1536 * KiB,
      swap: 128 * KiB,
      swapPss: 64 * KiB,
    });
  });

  test('a name with spaces and ")" inside is cut at the last ")"', () => {
    const r = must(s, 100);
    expect(r.name).toBe('(a) b)');
    expect(r).toMatchObject({ ppid: 1, state: 'S', utime: 40, stime: 2, threads: 3, startTime: 1000, uid: 1000 });
    expect(r.cmdline).toBe('./a b --flag=(x)');
  });

  test('a kernel thread: flagged, no memory map, so memory is unknown (not 0)', () => {
    const r = must(s, 2);
    expect(r.name).toBe('kthreadd');
    expect((r.flags as number) & FLAG_KERNEL_THREAD).toBe(FLAG_KERNEL_THREAD);
    for (const f of [...MEMORY_FIELDS, 'statmResident', 'vmSize', 'rssAnon', 'vmSwap']) expect(r[f]).toBeNaN();
    expect(r.cmdline).toBe('');
  });

  test('a zombie: state Z, memory unknown', () => {
    const r = must(s, 101);
    expect(r).toMatchObject({ state: 'Z', name: 'defunct', ppid: 100, flags: 8 }); // status read (bit 3); no smaps for a zombie
    for (const f of [...MEMORY_FIELDS, 'statmResident', 'rssAnon']) expect(r[f]).toBeNaN();
  });

  test('no smaps_rollup: smaps is summed over its mappings', () => {
    const r = must(s, 102);
    expect((r.flags as number) & FLAG_SMAPS_FALLBACK).toBe(FLAG_SMAPS_FALLBACK);
    // heap 100 + libc 200 + stack 40 kB; see test/fixtures/proc/102/smaps.
    expect(r.rss).toBe(340 * KiB);
    expect(r.pss).toBe(190 * KiB);
    expect(r.privateClean).toBe(40 * KiB);
    expect(r.privateDirty).toBe(100 * KiB);
    expect(r.swap).toBe(8 * KiB);
    expect(r.swapPss).toBe(4 * KiB);
  });

  test('an unreadable smaps_rollup: smaps fields unknown, no fallback, the rest still read', () => {
    expect(fs.statSync(path.join(procRoot, '103', 'smaps_rollup')).isDirectory()).toBe(true);
    const r = must(s, 103);
    for (const f of MEMORY_FIELDS) expect(r[f]).toBeNaN();
    expect((r.flags as number) & FLAG_SMAPS_FALLBACK).toBe(0);
    expect(r.statmResident).toBe(300 * s.host!.pageSize);
    expect(r.readBytes).toBe(4096);
  });

  test('files cut off mid-line: the cut values are unknown, the whole lines before them are read', () => {
    const r = must(s, 105);
    // stat ends right after the start time: still a process.
    expect(r).toMatchObject({ startTime: 3200, utime: 7, stime: 3, threads: 2, name: 'truncated' });
    expect(r.statmResident).toBeNaN(); // statm: "2560"
    expect(r.rssAnon).toBe(1536 * KiB);
    expect(r.rssFile).toBeNaN(); // "RssFile:\t    20" with no unit and no newline
    expect(r.rchar).toBe(1000);
    expect(r.wchar).toBe(2000);
    expect(r.readBytes).toBeNaN(); // "read_bytes: 40", cut
    expect(r.writeBytes).toBeNaN(); // missing
    expect(r.rss).toBe(4 * MiB);
    expect(r.pss).toBe(2 * MiB);
    expect(r.privateClean).toBe(512 * KiB);
    expect(r.privateDirty).toBeNaN(); // "Private_Dirty:        15", cut
    expect(r.swap).toBeNaN();
  });

  test('garbage where numbers belong: every field unknown, never 0', () => {
    const r = must(s, 106);
    const fields = [...MEMORY_FIELDS, 'statmResident', 'vmSize', 'uid', 'rssAnon', 'rssFile', 'rssShmem', 'vmSwap'];
    for (const f of [...fields, 'rchar', 'wchar', 'readBytes', 'writeBytes']) {
      expect([f, r[f]]).toEqual([f, NaN]);
    }
    expect(r.name).toBe('garbage');
  });

  test('empty files and missing files: unknown, no throw', () => {
    for (const pid of [107, 108]) {
      const r = must(s, pid);
      for (const f of [...MEMORY_FIELDS, 'statmResident', 'uid', 'rssAnon', 'vmSwap', 'rchar', 'readBytes', 'writeBytes'])
        expect([pid, f, r[f]]).toEqual([pid, f, NaN]);
    }
    expect(must(s, 107).cmdline).toBe('');
    expect(must(s, 108).cmdline).toBeNull();
  });

  test('host files', () => {
    expect(s.host).toMatchObject({
      cpuUser: 10000,
      cpuNice: 200,
      cpuSystem: 3000,
      cpuIdle: 80000,
      cpuIowait: 500,
      cpuSoftirq: 100,
      bootTime: 1_700_000_000,
      cpuCount: 4,
      memTotal: 8 * 1024 * MiB,
      memFree: 2 * 1024 * MiB,
      memAvailable: 6 * 1024 * MiB,
      swapTotal: 1024 * MiB,
      uptimeSec: 12345.67,
    });
    expect(s.host!.clockTicks).toBeGreaterThan(0);
  });

  test('read groups can be switched off: those fields stay unknown', () => {
    const t = createReader({ procRoot, cgroupRoot }).sample({ smaps: false, io: false, cmdline: false, host: false, cgroup: false });
    const r = must(t, 1);
    expect(r.pss).toBeNaN();
    expect(r.readBytes).toBeNaN();
    expect(r.cmdline).toBeNull();
    expect(r.statmResident).toBe(1024 * s.host!.pageSize);
    expect(t.host).toBeUndefined();
    expect(t.cgroup).toBeUndefined();
  });

  test('smapsPids limits smaps reads to the pids given', () => {
    const t = createReader({ procRoot, cgroupRoot }).sample({ smapsPids: [100] });
    expect(must(t, 100).pss).toBe(1 * MiB);
    expect(must(t, 1).pss).toBeNaN();
  });

  test("a process's cgroup (detailPid): the memory controller's line, else the unified one; malformed lines never count", () => {
    const detail = (pid: number) => createReader({ procRoot, cgroupRoot }).sample({ processes: false, host: false, cgroup: false, detailPid: pid }).detail!;
    expect(detail(1)).toEqual({ pid: 1, cgroup: '/session.slice/pod.scope', cwd: null, exe: null });
    // 100: v1 memory beside a unified "0::/", then a word for an id, one colon, a relative path, no id.
    const lines100 = fs.readFileSync(path.join(procRoot, '100', 'cgroup'), 'utf8');
    expect(lines100).toMatch(/^x:memory:\/word-for-an-id$/m);
    expect(lines100).toMatch(/^4:memory:relative$/m);
    expect(detail(100).cgroup).toBe('/kubepods/pod1/ctr');
    // 106: nothing but malformed lines; 108: no cgroup file. Unknown, not a wrong path.
    expect(fs.readFileSync(path.join(procRoot, '106', 'cgroup'), 'utf8')).toMatch(/^:memory:\/no-id$/m);
    expect(detail(106).cgroup).toBeNull();
    expect(detail(108).cgroup).toBeNull();
  });

  test('a procRoot that does not exist gives an empty sample that says why (its errno), not an exception', () => {
    const t = createReader({ procRoot: path.join(FIXTURE_PROC, 'no-such-dir'), cgroupRoot }).sample();
    expect(t.count).toBe(0);
    expect(t.stats).toMatchObject({ rootErrno: os.constants.errno.ENOENT, fdErrors: 0 });
    expect(t.host!.memTotal).toBeNaN();
    expect(t.cgroup!.version).toBe(0);
  });

  test('a readable root without processes is no error: rootErrno 0', () => {
    const f = cgroupFixture('v1');
    const t = createReader(f).sample();
    expect(t.count).toBe(0);
    expect(t.stats).toMatchObject({ rootErrno: 0, fdErrors: 0 });
    expect(s.stats).toMatchObject({ rootErrno: 0, fdErrors: 0 });
  });
});

describe('fixture cgroups through Reader.sample()', () => {
  const read = (name: Parameters<typeof cgroupFixture>[0]) => createReader(cgroupFixture(name)).sample({ processes: false }).cgroup!;
  const GiB = 1024 * MiB;

  test('v1: memory, co-mounted cpu,cpuacct and pids; the lowest limit of the cgroup and its ancestors', () => {
    const c = read('v1');
    expect(c).toMatchObject({
      version: 1,
      path: '/kubepods/pod1/ctr',
      memCurrent: 512 * MiB,
      memLimit: 2 * GiB, // on pod1; ctr and kubepods say 9223372036854771712 (none)
      anon: 220 * MiB, // total_rss wins over rss
      file: 110 * MiB,
      shmem: 5 * MiB,
      inactiveFile: 60 * MiB,
      oomKills: 3,
      cpuQuotaCores: 1.5, // pod1 150000/100000; kubepods 4; ctr -1
      cpuUsageUsec: 123456789,
      pidsCurrent: 12,
      pidsMax: 1024,
    });
    expect(c.memHigh).toBeNaN();
    expect(c.dir).toBe(path.join(cgroupFixture('v1').cgroupRoot, 'memory', 'kubepods', 'pod1', 'ctr'));
  });

  test('v1 with no limits anywhere, in a container that sees only its own cgroup', () => {
    const c = read('v1-unlimited');
    expect(c).toMatchObject({ version: 1, path: '/docker/abc123', memCurrent: 1234567, oomKills: 0, cpuUsageUsec: 5000 });
    expect(c.memLimit).toBeNaN(); // 9223372036854771712 means none
    expect(c.cpuQuotaCores).toBeNaN(); // cfs_quota_us -1
    expect(c.dir).toBe(path.join(cgroupFixture('v1-unlimited').cgroupRoot, 'memory'));
  });

  test('hybrid: v1 memory and cpu win over an empty 0::/ line and its unified tree', () => {
    const c = read('hybrid');
    expect(c).toMatchObject({ version: 1, path: '/process_api/abc', memCurrent: 256 * MiB, memLimit: 1 * GiB, pidsCurrent: 80 });
    expect(c.cpuUsageUsec).toBe(42_000_000);
    expect(c.cpuQuotaCores).toBeNaN(); // not the unified tree's decoy cpu.max
  });

  test('v2: memory.max "max" is no limit; memory.high, memory.stat, oom_kill, cpu.max 50000 100000 = 0.5 cores', () => {
    const c = read('v2');
    expect(c).toMatchObject({
      version: 2,
      path: '/session.slice/pod.scope',
      memCurrent: 1 * GiB,
      memHigh: 3 * GiB,
      anon: 512 * MiB,
      file: 384 * MiB,
      shmem: 16 * MiB,
      inactiveFile: 256 * MiB,
      oomKills: 1,
      cpuQuotaCores: 0.5,
      cpuUsageUsec: 5_000_000,
      pidsCurrent: 7,
    });
    expect(c.memLimit).toBeNaN();
    expect(c.pidsMax).toBeNaN();
  });

  test('v2 where the mount shows a subtree (mountinfo root /kubepods/pod1, our path /kubepods/pod1/ctr)', () => {
    const c = read('v2-subtree');
    const { cgroupRoot } = cgroupFixture('v2-subtree');
    expect(c.dir).toBe(path.join(cgroupRoot, 'ctr'));
    expect(c).toMatchObject({ version: 2, path: '/kubepods/pod1/ctr', memCurrent: 100 * MiB, oomKills: 0 });
    expect(c.memLimit).toBe(768 * MiB); // the mount's root (pod1) is lower than ctr's 1 GiB
    expect(c.cpuQuotaCores).toBe(2); // ctr "max", pod1 200000/100000
    expect(c.memHigh).toBeNaN();
  });

  test('malformed lines in self/cgroup are skipped, however early they come', () => {
    // v1: a word for an id, an empty and a relative path on memory lines before the real one;
    // v2: an empty unified line and one with an id 0 but a controller before the real "0::" line.
    const lines = (name: Parameters<typeof cgroupFixture>[0]) => fs.readFileSync(path.join(cgroupFixture(name).procRoot, 'self', 'cgroup'), 'utf8');
    expect(lines('v1').split('\n').slice(0, 3)).toEqual(['x:memory:/word-for-an-id', '4:memory:', '4:memory:relative']);
    expect(read('v1')).toMatchObject({ version: 1, path: '/kubepods/pod1/ctr', memLimit: 2 * GiB });
    expect(lines('v2').split('\n').slice(0, 2)).toEqual(['0::', '0:x:/not-unified']);
    expect(read('v2')).toMatchObject({ version: 2, path: '/session.slice/pod.scope', memCurrent: 1 * GiB });
  });

  test('no cgroup at all: version 0 and every number unknown', () => {
    const c = read('none');
    expect(c.version).toBe(0);
    expect(c.path).toBeNull();
    for (const k of ['memCurrent', 'memLimit', 'memHigh', 'anon', 'oomKills', 'cpuQuotaCores', 'cpuUsageUsec', 'pidsCurrent'] as const)
      expect([k, c[k]]).toEqual([k, NaN]);
  });
});
