#include "parse_targets.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../parse.h"

namespace spmon {
namespace fuzz {

namespace {

[[noreturn]] void fail(const char* target, const char* what) {
  std::fprintf(stderr, "spmon fuzz: invariant violated in %s: %s\n", target, what);
  std::abort();
}

#define CHECK(target, cond) \
  do {                      \
    if (!(cond)) fail(target, #cond); \
  } while (0)

// A size read from /proc: unknown (NaN) or a finite, non-negative number.
bool sizeOk(double v) { return std::isnan(v) || (std::isfinite(v) && v >= 0); }
// A "kB" field: additionally a whole number of KiB (parsers multiply by 1024).
bool kbOk(double v) { return std::isnan(v) || (sizeOk(v) && std::fmod(v, 1024.0) == 0); }

bool allDigits(const char* s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// Does the digit string s[0..len) (len > 0) exceed UINT64_MAX?
bool overflowsU64(const char* s, size_t len) {
  while (len > 1 && s[0] == '0') s++, len--;
  static const char kMax[] = "18446744073709551615";
  if (len != 20) return len > 20;
  return std::memcmp(s, kMax, 20) > 0;
}

// The canonical decimal of s (leading zeros removed).
std::string canonical(const char* s, size_t len) {
  while (len > 1 && s[0] == '0') s++, len--;
  return std::string(s, len);
}

void runU64(const char* buf, size_t len) {
  uint64_t v = 12345;
  bool ok = parseU64(buf, len, &v);
  bool valid = len > 0 && allDigits(buf, len) && !overflowsU64(buf, len);
  CHECK("parseU64", ok == valid);
  if (ok) CHECK("parseU64", std::to_string(v) == canonical(buf, len));
  else CHECK("parseU64", v == 12345);  // out untouched on failure

  int64_t s = 12345;
  bool sok = parseI64(buf, len, &s);
  bool neg = len > 0 && buf[0] == '-';
  const char* d = buf + (neg ? 1 : 0);
  size_t dl = len - (neg ? 1 : 0);
  if (sok) {
    CHECK("parseI64", dl > 0 && allDigits(d, dl));
    std::string want = canonical(d, dl);
    if (neg && want != "0") want = "-" + want;
    CHECK("parseI64", std::to_string(s) == want);
  } else {
    CHECK("parseI64", s == 12345);
  }
}

void runStat(const char* buf, size_t len) {
  StatFields st;
  if (parseStat(buf, len, &st)) {
    // comm lies strictly inside the buffer, between '(' and ')'.
    CHECK("parseStat", len >= 2 && st.comm.size() <= len - 2);
    CHECK("parseStat", std::memchr(buf, '(', len) != nullptr);
  }
}

void runStatm(const char* buf, size_t len) {
  StatmFields sm;
  if (parseStatm(buf, len, &sm)) CHECK("parseStatm", len >= 5);  // three numbers and two blanks
}

void runStatus(const char* buf, size_t len) {
  StatusFields s;
  parseStatus(buf, len, &s);
  CHECK("parseStatus", kbOk(s.rssAnon) && kbOk(s.rssFile) && kbOk(s.rssShmem) && kbOk(s.vmSwap));
  CHECK("parseStatus", s.uid >= -1 && s.uid <= 4294967295LL);
}

void runIo(const char* buf, size_t len) {
  IoFields io;
  parseIo(buf, len, &io);
  CHECK("parseIo", sizeOk(io.rchar) && sizeOk(io.wchar) && sizeOk(io.readBytes) && sizeOk(io.writeBytes));
}

void runSmaps(const char* buf, size_t len) {
  SmapsFields sf;
  parseSmaps(buf, len, &sf);
  double f[] = {sf.rss, sf.pss, sf.privateClean, sf.privateDirty, sf.swap, sf.swapPss};
  bool anyKnown = false;
  for (double v : f) {
    CHECK("parseSmaps", sizeOk(v));  // sums may exceed 2^53 and lose the KiB multiple
    anyKnown = anyKnown || isKnown(v);
  }
  CHECK("parseSmaps", sf.any == anyKnown);
}

void runMeminfo(const char* buf, size_t len) {
  MeminfoFields m;
  parseMeminfo(buf, len, &m);
  double f[] = {m.memTotal, m.memFree, m.memAvailable, m.buffers, m.cached, m.swapTotal, m.swapFree, m.shmem};
  for (double v : f) CHECK("parseMeminfo", kbOk(v));
}

void runProcStat(const char* buf, size_t len) {
  ProcStatFields p;
  parseProcStat(buf, len, &p);
  double f[] = {p.user, p.nice, p.system, p.idle, p.iowait, p.irq, p.softirq, p.steal, p.bootTime, p.forks};
  for (double v : f) CHECK("parseProcStat", sizeOk(v));
  size_t lines = 1;
  for (size_t i = 0; i < len; i++) lines += buf[i] == '\n';
  CHECK("parseProcStat", p.cpuCount >= 0 && static_cast<size_t>(p.cpuCount) <= lines);
}

void runUptime(const char* buf, size_t len) {
  double v = parseUptime(buf, len);
  CHECK("parseUptime", sizeOk(v));
  if (isKnown(v)) CHECK("parseUptime", len > 0 && buf[0] >= '0' && buf[0] <= '9');
}

void runSchedstat(const char* buf, size_t len) {
  uint64_t run = 12345, slices = 67890;
  bool ok = parseSchedstat(buf, len, &run, &slices);
  // Three runs of digits, the first two each followed by a space, the third by a newline or the end.
  size_t i = 0, starts[3], lens[3];
  bool valid = true;
  for (int k = 0; k < 3 && valid; k++) {
    starts[k] = i;
    while (i < len && buf[i] >= '0' && buf[i] <= '9') i++;
    lens[k] = i - starts[k];
    valid = lens[k] > 0 && !overflowsU64(buf + starts[k], lens[k]) &&
            (k < 2 ? i < len && buf[i] == ' ' : i == len || buf[i] == '\n');
    i++;
  }
  CHECK("parseSchedstat", ok == valid);
  if (ok) {
    CHECK("parseSchedstat", std::to_string(run) == canonical(buf + starts[0], lens[0]));
    CHECK("parseSchedstat", std::to_string(slices) == canonical(buf + starts[2], lens[2]));
  } else {
    CHECK("parseSchedstat", run == 12345 && slices == 67890);  // untouched on failure
  }
}

void runCgroupLimit(const char* buf, size_t len) {
  bool isMax = true;
  double v = parseCgroupLimit(buf, len, &isMax);
  if (isMax) CHECK("parseCgroupLimit", !isKnown(v));
  if (isKnown(v)) CHECK("parseCgroupLimit", v >= 0 && v < 4611686018427387904.0);
}

void runCpuMax(const char* buf, size_t len) {
  double v = parseCpuMax(buf, len);
  CHECK("parseCpuMax", sizeOk(v));
}

void runMountinfo(const char* buf, size_t len) {
  MountLine m;
  if (parseMountinfoLine(buf, len, &m)) {
    CHECK("parseMountinfoLine", m.root.size() <= len && m.mountPoint.size() <= len);
    CHECK("parseMountinfoLine", m.fsType.size() <= len && m.superOptions.size() <= len);
    CHECK("parseMountinfoLine", !m.fsType.empty());
  }
  // The reader hands it one line at a time: do that too.
  size_t i = 0;
  while (i < len) {
    const char* nl = static_cast<const char*>(std::memchr(buf + i, '\n', len - i));
    size_t e = nl ? static_cast<size_t>(nl - buf) : len;
    MountLine one;
    parseMountinfoLine(buf + i, e - i, &one);
    i = e + 1;
  }
}

void runUnescape(const char* buf, size_t len) {
  std::string out = unescapeMountField(buf, len);
  CHECK("unescapeMountField", out.size() <= len);
  if (std::memchr(buf, '\\', len) == nullptr) CHECK("unescapeMountField", out == std::string(buf, len));
}

void runSpaceKeyValue(const char* buf, size_t len) {
  forEachSpaceKeyValue(buf, len, [buf, len](const char* k, size_t kl, double v) {
    CHECK("forEachSpaceKeyValue", k >= buf && kl > 0 && kl <= len && static_cast<size_t>(k - buf) <= len - kl);
    CHECK("forEachSpaceKeyValue", sizeOk(v));
  });
}

void runSingleNumber(const char* buf, size_t len) {
  double v = -1;
  if (parseSingleNumber(buf, len, &v)) CHECK("parseSingleNumber", sizeOk(v) && isKnown(v));
  else CHECK("parseSingleNumber", v == -1);
}

void runCgroup(const char* buf, size_t len) {
  std::vector<CgroupLine> lines = parseCgroupFile(buf, len);
  size_t newlines = 0;
  for (size_t i = 0; i < len; i++) newlines += buf[i] == '\n';
  CHECK("parseCgroupFile", lines.size() <= newlines + 1);
  for (const CgroupLine& l : lines) {
    // Each field is a piece of one line: a decimal id, a path from '/', no line break in any.
    CHECK("parseCgroupFile", !l.id.empty() && allDigits(l.id.data(), l.id.size()));
    CHECK("parseCgroupFile", !l.path.empty() && l.path[0] == '/');
    CHECK("parseCgroupFile", l.id.size() + l.controllers.size() + l.path.size() + 2 <= len);
    for (const std::string* f : {&l.id, &l.controllers, &l.path}) CHECK("parseCgroupFile", f->find('\n') == std::string::npos);
    CHECK("parseCgroupFile", l.id.find(':') == std::string::npos && l.controllers.find(':') == std::string::npos);
  }
  // The detail's pick is one of the lines' paths, and there is one exactly when a line qualifies.
  std::string path = "unchanged";
  bool found = processCgroupPath(lines, &path);
  bool any = false, listed = false;
  for (const CgroupLine& l : lines) {
    any = any || l.unified() || hasController(l.controllers, "memory");
    listed = listed || l.path == path;
  }
  CHECK("processCgroupPath", found == any);
  CHECK("processCgroupPath", found ? listed : path.empty());
  // The whole buffer as one line, as a caller with its own split would hand it over.
  CgroupLine one;
  if (parseCgroupLine(buf, len, &one)) CHECK("parseCgroupLine", lines.size() == 1 && lines[0].path == one.path);
}

const Target kTargets[] = {
    {'s', "stat", runStat},
    {'m', "statm", runStatm},
    {'S', "status", runStatus},
    {'i', "io", runIo},
    {'r', "smaps", runSmaps},
    {'M', "meminfo", runMeminfo},
    {'P', "procstat", runProcStat},
    {'u', "uptime", runUptime},
    {'x', "schedstat", runSchedstat},
    {'l', "cgroup-limit", runCgroupLimit},
    {'c', "cpu.max", runCpuMax},
    {'n', "mountinfo", runMountinfo},
    {'g', "proc-cgroup", runCgroup},
    {'e', "mount-unescape", runUnescape},
    {'k', "space-key-value", runSpaceKeyValue},
    {'1', "single-number", runSingleNumber},
    {'d', "decimal", runU64},
};

constexpr size_t kCount = sizeof(kTargets) / sizeof(kTargets[0]);

}  // namespace

const Target* targets(size_t* count) {
  *count = kCount;
  return kTargets;
}

const Target& targetFor(uint8_t first) {
  for (const Target& t : kTargets)
    if (static_cast<uint8_t>(t.tag) == first) return t;
  return kTargets[first % kCount];
}

void runOne(const uint8_t* data, size_t size) {
  if (size == 0) return;
  targetFor(data[0]).run(reinterpret_cast<const char*>(data) + 1, size - 1);
}

void runAll(const char* buf, size_t len) {
  for (const Target& t : kTargets) t.run(buf, len);
}

}  // namespace fuzz
}  // namespace spmon
