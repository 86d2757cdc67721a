// Parsers for /proc and cgroup file contents. Pure functions over byte buffers:
// no I/O, no Node, so they can be fuzzed and tested on their own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace spmon {

// "Unknown" for a number: NaN travels through typed arrays and becomes null in JS.
double unknown();
bool isKnown(double v);

// Parse an unsigned decimal at s[0..len). Returns false on no digits or overflow.
bool parseU64(const char* s, size_t len, uint64_t* out);
// Parse a signed decimal (leading '-').
bool parseI64(const char* s, size_t len, int64_t* out);

// /proc/<pid>/stat. comm is everything between the first '(' and the *last* ')'.
struct StatFields {
  std::string comm;
  char state = '?';
  int64_t ppid = -1, pgrp = -1, session = -1, ttyNr = -1;
  uint64_t flags = 0;
  uint64_t minflt = 0, majflt = 0;  // page faults: memory it touched
  uint64_t utime = 0, stime = 0;
  int64_t numThreads = -1;
  uint64_t startTime = 0;  // clock ticks since boot
  uint64_t vsize = 0;
  int64_t rssPages = -1;
};
bool parseStat(const char* buf, size_t len, StatFields* out);
constexpr uint64_t kPfKthread = 0x00200000;

// /proc/<pid>/statm: size resident shared text lib data dt (pages).
struct StatmFields {
  uint64_t size = 0, resident = 0, shared = 0;
};
bool parseStatm(const char* buf, size_t len, StatmFields* out);

// /proc/<pid>/status essentials (bytes; NaN when absent, e.g. kernel threads).
struct StatusFields {
  double rssAnon, rssFile, rssShmem, vmSwap;
  int64_t uid = -1;
  StatusFields();
};
void parseStatus(const char* buf, size_t len, StatusFields* out);

// /proc/<pid>/io (bytes; NaN when absent).
struct IoFields {
  double rchar, wchar, readBytes, writeBytes;
  IoFields();
};
void parseIo(const char* buf, size_t len, IoFields* out);

// smaps_rollup, or the whole of smaps (fields are summed over every mapping).
struct SmapsFields {
  double rss, pss, privateClean, privateDirty, swap, swapPss;
  bool any = false;  // at least one known field was seen
  SmapsFields();
};
void parseSmaps(const char* buf, size_t len, SmapsFields* out);

// /proc/meminfo (bytes; NaN when absent).
struct MeminfoFields {
  double memTotal, memFree, memAvailable, buffers, cached, swapTotal, swapFree, shmem;
  MeminfoFields();
};
void parseMeminfo(const char* buf, size_t len, MeminfoFields* out);

// /proc/stat: aggregate cpu line (ticks), number of cpuN lines, btime, processes.
struct ProcStatFields {
  double user, nice, system, idle, iowait, irq, softirq, steal;
  int cpuCount = 0;
  double bootTime;  // seconds since epoch
  double forks;     // "processes": forks (and clones) since boot, in the whole system
  ProcStatFields();
};
void parseProcStat(const char* buf, size_t len, ProcStatFields* out);

// /proc/<pid>/schedstat: "<run time ns> <run delay ns> <timeslices>": the time the process's main thread has
// run and how many times it was put on a CPU; false unless all three are there, one space apart.
bool parseSchedstat(const char* buf, size_t len, uint64_t* runNs, uint64_t* timeslices);

// /proc/uptime: first number, seconds.
double parseUptime(const char* buf, size_t len);

// "key value" lines (memory.stat, cpu.stat, memory.events). Calls fn for each
// line whose value parses. fn(key, keyLen, value).
template <typename Fn>
void forEachSpaceKeyValue(const char* buf, size_t len, Fn fn) {
  size_t i = 0;
  while (i < len) {
    size_t eol = i;
    while (eol < len && buf[eol] != '\n') eol++;
    size_t sp = i;
    while (sp < eol && buf[sp] != ' ' && buf[sp] != '\t') sp++;
    if (sp > i && sp < eol) {
      size_t v = sp;
      while (v < eol && (buf[v] == ' ' || buf[v] == '\t')) v++;
      size_t ve = v;
      while (ve < eol && buf[ve] >= '0' && buf[ve] <= '9') ve++;
      uint64_t n;
      if (ve == eol || buf[ve] == ' ' || buf[ve] == '\r') {
        if (parseU64(buf + v, ve - v, &n)) fn(buf + i, sp - i, static_cast<double>(n));
      }
    }
    i = eol + 1;
  }
}

// A cgroup limit file holding a number or "max". Returns NaN for "max",
// >= 2^62 (v1's "no limit"), or garbage; *isMax tells the first two apart.
double parseCgroupLimit(const char* buf, size_t len, bool* isMax);

// v2 cpu.max: "<quota|max> <period>". Returns cores (quota/period) or NaN.
double parseCpuMax(const char* buf, size_t len);

// One line of /proc/<pid>/cgroup (and /proc/self/cgroup): "id:controllers:path", e.g.
// "4:memory:/kubepods/pod1" (v1) or "0::/session.slice/x.scope" (v2). The id is a
// decimal number and the path starts with '/' (it may hold ':'); any other line is
// malformed and rejected, so a garbled line can never name the cgroup.
struct CgroupLine {
  std::string id, controllers, path;
  bool unified() const { return id == "0" && controllers.empty(); }  // the v2 line
};
bool parseCgroupLine(const char* line, size_t len, CgroupLine* out);
// Every well-formed line of a cgroup file, in order; malformed lines are skipped.
std::vector<CgroupLine> parseCgroupFile(const char* buf, size_t len);
// Whether a comma-separated list (controllers, or mount super options) holds name.
bool hasController(const std::string& list, const char* name);
// The cgroup a process's detail shows: its memory controller's path (v1), else the
// unified (v2) path; the last such line wins. False (and out empty) when there is none.
bool processCgroupPath(const std::vector<CgroupLine>& lines, std::string* out);
// One line of /proc/self/mountinfo, only what we need.
struct MountLine {
  std::string root, mountPoint, fsType, superOptions;
};
bool parseMountinfoLine(const char* line, size_t len, MountLine* out);
// Undo the octal escapes (\040 for space) that mountinfo uses.
std::string unescapeMountField(const char* s, size_t len);

// Trim a buffer read from a one-number file, e.g. memory.current.
bool parseSingleNumber(const char* buf, size_t len, double* out);

}  // namespace spmon
