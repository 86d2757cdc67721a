#include "cgroup_reader.h"

#include <cstring>
#include <fcntl.h>
#include <vector>

#include "fileio.h"
#include "parse.h"

namespace spmon {

CgroupInfo::CgroupInfo()
    : memCurrent(unknown()), memLimit(unknown()), memHigh(unknown()), anon(unknown()), file(unknown()),
      shmem(unknown()), inactiveFile(unknown()), oomKills(unknown()), cpuQuotaCores(unknown()),
      cpuUsageUsec(unknown()), pidsCurrent(unknown()), pidsMax(unknown()) {}

namespace {

const char kSysCgroup[] = "/sys/fs/cgroup";

struct Hierarchy {
  bool found = false;
  std::string path;  // cgroup path from /proc/self/cgroup
  std::string dir;   // resolved directory
  std::string top;   // the mount point: ancestors are walked up to here
};

std::vector<std::string> readLines(const std::string& path) {
  std::string buf;
  std::vector<std::string> lines;
  if (readFileAt(AT_FDCWD, path.c_str(), &buf) != ReadStatus::Ok) return lines;
  size_t i = 0;
  while (i < buf.size()) {
    size_t e = buf.find('\n', i);
    if (e == std::string::npos) e = buf.size();
    if (e > i) lines.emplace_back(buf, i, e - i);
    i = e + 1;
  }
  return lines;
}

// A mount point under /sys/fs/cgroup moved under cgroupRoot (empty: left as is).
std::string reroot(const std::string& mountPoint, const std::string& cgroupRoot) {
  if (cgroupRoot.empty()) return mountPoint;
  size_t n = sizeof(kSysCgroup) - 1;
  if (mountPoint.compare(0, n, kSysCgroup) == 0 && (mountPoint.size() == n || mountPoint[n] == '/'))
    return joinPath(cgroupRoot, mountPoint.substr(n));
  return mountPoint;
}

// Join a cgroup path to the mount that shows it. The mount's root may itself be
// a cgroup (a container that sees only its own subtree): strip that prefix.
std::string resolveDir(const MountLine& m, const std::string& path, const std::string& cgroupRoot) {
  std::string mp = reroot(m.mountPoint, cgroupRoot);
  std::string rel;
  if (m.root == "/") rel = path;
  else if (path.compare(0, m.root.size(), m.root) == 0 && (path.size() == m.root.size() || path[m.root.size()] == '/'))
    rel = path.substr(m.root.size());
  else rel = "";  // the mount does not show our cgroup's path: best effort, its root
  std::string dir = joinPath(mp, rel);
  if (!dir.empty() && dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (!isDirectory(dir)) dir = mp;  // e.g. a private cgroup namespace with a stale path
  return dir;
}

bool readNumber(const std::string& dir, const char* file, double* out) {
  std::string buf;
  if (readFileAt(AT_FDCWD, joinPath(dir, file).c_str(), &buf) != ReadStatus::Ok) return false;
  return parseSingleNumber(buf.data(), buf.size(), out);
}

// Lowest limit over dir and its ancestors up to top (inclusive).
// The lowest known value of read(dir) over h.dir and its ancestors up to the mount.
template <typename Read>
double lowestOverAncestors(const Hierarchy& h, Read read) {
  double best = unknown();
  std::string dir = h.dir;
  for (;;) {
    double v = read(dir);
    if (isKnown(v) && (!isKnown(best) || v < best)) best = v;
    if (dir.size() <= h.top.size()) break;
    size_t slash = dir.rfind('/');
    if (slash == std::string::npos || slash < h.top.size()) break;
    dir.resize(slash);
  }
  return best;
}

// Lowest limit file value ("max" and v1's huge numbers mean none).
double lowestLimit(const Hierarchy& h, const char* file) {
  return lowestOverAncestors(h, [file](const std::string& dir) {
    std::string buf;
    if (readFileAt(AT_FDCWD, joinPath(dir, file).c_str(), &buf) != ReadStatus::Ok) return unknown();
    bool isMax;
    return parseCgroupLimit(buf.data(), buf.size(), &isMax);
  });
}

// The hierarchy of a cgroup path as a mount shows it.
Hierarchy hierarchyAt(const MountLine& m, const std::string& path, const std::string& cgroupRoot) {
  Hierarchy h;
  h.found = true;
  h.path = path;
  h.top = reroot(m.mountPoint, cgroupRoot);
  h.dir = resolveDir(m, path, cgroupRoot);
  return h;
}

// Without mountinfo: the hierarchy mounted at `mountDir` (if it exists), rooted at "/".
Hierarchy conventional(const std::string& mountDir, const std::string& path) {
  if (!isDirectory(mountDir)) return Hierarchy();
  MountLine m;
  m.root = "/";
  m.mountPoint = mountDir;
  return hierarchyAt(m, path, "");
}

void readMemoryStat(const std::string& dir, int version, CgroupInfo* info) {
  std::string buf;
  if (readFileAt(AT_FDCWD, joinPath(dir, "memory.stat").c_str(), &buf) != ReadStatus::Ok) return;
  forEachSpaceKeyValue(buf.data(), buf.size(), [&](const char* k, size_t kl, double v) {
    std::string key(k, kl);
    if (version == 2) {
      if (key == "anon") info->anon = v;
      else if (key == "file") info->file = v;
      else if (key == "shmem") info->shmem = v;
      else if (key == "inactive_file") info->inactiveFile = v;
    } else {
      // v1: total_* include descendants, which is what usage_in_bytes counts.
      if (key == "total_rss") info->anon = v;
      else if (key == "total_cache") info->file = v;
      else if (key == "total_shmem") info->shmem = v;
      else if (key == "total_inactive_file") info->inactiveFile = v;
      else if (key == "rss" && !isKnown(info->anon)) info->anon = v;
      else if (key == "cache" && !isKnown(info->file)) info->file = v;
      else if (key == "shmem" && !isKnown(info->shmem)) info->shmem = v;
      else if (key == "inactive_file" && !isKnown(info->inactiveFile)) info->inactiveFile = v;
    }
  });
}

double readKeyed(const std::string& dir, const char* file, const char* want) {
  std::string buf;
  double out = unknown();
  if (readFileAt(AT_FDCWD, joinPath(dir, file).c_str(), &buf) != ReadStatus::Ok) return out;
  forEachSpaceKeyValue(buf.data(), buf.size(), [&](const char* k, size_t kl, double v) {
    if (kl == std::strlen(want) && std::memcmp(k, want, kl) == 0) out = v;
  });
  return out;
}

}  // namespace

CgroupInfo readCgroup(const std::string& procRoot, const std::string& cgroupRoot) {
  CgroupInfo info;
  std::string buf;
  std::vector<CgroupLine> cg;
  if (readFileAt(AT_FDCWD, joinPath(procRoot, "self/cgroup").c_str(), &buf) == ReadStatus::Ok)
    cg = parseCgroupFile(buf.data(), buf.size());
  std::vector<MountLine> mounts;
  for (const std::string& line : readLines(joinPath(procRoot, "self/mountinfo"))) {
    MountLine m;
    if (parseMountinfoLine(line.data(), line.size(), &m) && (m.fsType == "cgroup" || m.fsType == "cgroup2"))
      mounts.push_back(m);
  }

  // A v1 hierarchy for one controller: its /proc/self/cgroup line and its mount.
  auto v1 = [&](const char* controller) {
    Hierarchy h;
    for (const CgroupLine& l : cg) {
      if (l.id == "0" || !hasController(l.controllers, controller)) continue;
      for (const MountLine& m : mounts) {
        if (m.fsType == "cgroup" && hasController(m.superOptions, controller)) return hierarchyAt(m, l.path, cgroupRoot);
      }
      // No mountinfo (a fixture, or a hidden mount): the conventional place.
      return conventional(joinPath(cgroupRoot, controller), l.path);
    }
    return h;
  };
  auto v2 = [&]() {
    Hierarchy h;
    for (const CgroupLine& l : cg) {
      if (!l.unified()) continue;
      for (const MountLine& m : mounts) {
        if (m.fsType == "cgroup2") return hierarchyAt(m, l.path, cgroupRoot);
      }
      return conventional(cgroupRoot, l.path);
    }
    return h;
  };

  // The memory controller decides the version: on a hybrid host an empty 0::/
  // line sits beside v1 controllers and must not win.
  Hierarchy mem = v1("memory");
  if (mem.found) {
    info.version = 1;
    info.path = mem.path;
    info.dir = mem.dir;
    readNumber(mem.dir, "memory.usage_in_bytes", &info.memCurrent);
    info.memLimit = lowestLimit(mem, "memory.limit_in_bytes");
    info.memLimitUnlimited = !isKnown(info.memLimit);
    readMemoryStat(mem.dir, 1, &info);
    info.oomKills = readKeyed(mem.dir, "memory.oom_control", "oom_kill");
    Hierarchy cpu = v1("cpu");
    if (cpu.found) {
      info.cpuQuotaCores = lowestOverAncestors(cpu, [](const std::string& dir) {
        double period;
        std::string buf;
        if (readFileAt(AT_FDCWD, joinPath(dir, "cpu.cfs_quota_us").c_str(), &buf) != ReadStatus::Ok) return unknown();
        int64_t quota;
        size_t n = buf.size();
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) n--;
        if (!parseI64(buf.data(), n, &quota) || quota <= 0) return unknown();  // -1: no quota
        if (!readNumber(dir, "cpu.cfs_period_us", &period) || period <= 0) return unknown();
        return static_cast<double>(quota) / period;
      });
    }
    // CPU time is the cpuacct group's: only meaningful when it is the same group
    // as the cpu controller's (co-mounted, or the same path in both trees).
    Hierarchy acct = v1("cpuacct");
    double ns;
    if (acct.found && (!cpu.found || acct.path == cpu.path) && readNumber(acct.dir, "cpuacct.usage", &ns))
      info.cpuUsageUsec = ns / 1000.0;
    Hierarchy pids = v1("pids");
    if (pids.found) {
      readNumber(pids.dir, "pids.current", &info.pidsCurrent);
      info.pidsMax = lowestLimit(pids, "pids.max");
    }
    return info;
  }
  Hierarchy h = v2();
  if (!h.found) return info;
  info.version = 2;
  info.path = h.path;
  info.dir = h.dir;
  readNumber(h.dir, "memory.current", &info.memCurrent);
  info.memLimit = lowestLimit(h, "memory.max");
  info.memLimitUnlimited = !isKnown(info.memLimit);
  info.memHigh = lowestLimit(h, "memory.high");
  readMemoryStat(h.dir, 2, &info);
  info.oomKills = readKeyed(h.dir, "memory.events", "oom_kill");
  info.cpuQuotaCores = lowestOverAncestors(h, [](const std::string& dir) {
    std::string buf;
    if (readFileAt(AT_FDCWD, joinPath(dir, "cpu.max").c_str(), &buf) != ReadStatus::Ok) return unknown();
    return parseCpuMax(buf.data(), buf.size());
  });
  info.cpuUsageUsec = readKeyed(h.dir, "cpu.stat", "usage_usec");
  readNumber(h.dir, "pids.current", &info.pidsCurrent);
  info.pidsMax = lowestLimit(h, "pids.max");
  return info;
}

}  // namespace spmon
