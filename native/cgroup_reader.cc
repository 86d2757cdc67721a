#include "cgroup_reader.h"

#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
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

std::vector<std::string> splitLines(const std::string& buf) {
  std::vector<std::string> lines;
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

bool readNumber(HeldFiles* held, const std::string& dir, const char* file, double* out) {
  std::string buf;
  if (readPath(held, joinPath(dir, file), &buf) != ReadStatus::Ok) return false;
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
double lowestLimit(HeldFiles* held, const Hierarchy& h, const char* file) {
  return lowestOverAncestors(h, [held, file](const std::string& dir) {
    std::string buf;
    if (readPath(held, joinPath(dir, file), &buf) != ReadStatus::Ok) return unknown();
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

void readMemoryStat(HeldFiles* held, const std::string& dir, int version, CgroupInfo* info) {
  std::string buf;
  if (readPath(held, joinPath(dir, "memory.stat"), &buf) != ReadStatus::Ok) return;
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

double readKeyed(HeldFiles* held, const std::string& dir, const char* file, const char* want) {
  std::string buf;
  double out = unknown();
  if (readPath(held, joinPath(dir, file), &buf) != ReadStatus::Ok) return out;
  forEachSpaceKeyValue(buf.data(), buf.size(), [&](const char* k, size_t kl, double v) {
    if (kl == std::strlen(want) && std::memcmp(k, want, kl) == 0) out = v;
  });
  return out;
}

// Which hierarchies hold this process's accounting, from its self/cgroup and self/mountinfo.
CgroupPlan resolvePlan(const std::string& cgroupText, const std::string& mountinfoText, const std::string& cgroupRoot) {
  CgroupPlan plan;
  std::vector<CgroupLine> cg = parseCgroupFile(cgroupText.data(), cgroupText.size());
  std::vector<MountLine> mounts;
  for (const std::string& line : splitLines(mountinfoText)) {
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
  plan.mem = v1("memory");
  if (plan.mem.found) {
    plan.version = 1;
    plan.cpu = v1("cpu");
    // CPU time is the cpuacct group's: only meaningful when it is the same group
    // as the cpu controller's (co-mounted, or the same path in both trees).
    Hierarchy acct = v1("cpuacct");
    if (acct.found && (!plan.cpu.found || acct.path == plan.cpu.path)) plan.acct = acct;
    plan.pids = v1("pids");
    return plan;
  }
  plan.mem = v2();
  if (plan.mem.found) plan.version = 2;
  return plan;
}

// The accounting files of a resolved plan, read now.
CgroupInfo readPlan(const CgroupPlan& plan, HeldFiles* held) {
  CgroupInfo info;
  if (plan.version == 0) return info;
  const Hierarchy& mem = plan.mem;
  info.version = plan.version;
  info.path = mem.path;
  info.dir = mem.dir;
  if (plan.version == 1) {
    readNumber(held, mem.dir, "memory.usage_in_bytes", &info.memCurrent);
    info.memLimit = lowestLimit(held, mem, "memory.limit_in_bytes");
    info.memLimitUnlimited = !isKnown(info.memLimit);
    readMemoryStat(held, mem.dir, 1, &info);
    info.oomKills = readKeyed(held, mem.dir, "memory.oom_control", "oom_kill");
    if (plan.cpu.found) {
      info.cpuQuotaCores = lowestOverAncestors(plan.cpu, [held](const std::string& dir) {
        double period;
        std::string buf;
        if (readPath(held, joinPath(dir, "cpu.cfs_quota_us"), &buf) != ReadStatus::Ok) return unknown();
        int64_t quota;
        size_t n = buf.size();
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ')) n--;
        if (!parseI64(buf.data(), n, &quota) || quota <= 0) return unknown();  // -1: no quota
        if (!readNumber(held, dir, "cpu.cfs_period_us", &period) || period <= 0) return unknown();
        return static_cast<double>(quota) / period;
      });
    }
    double ns;
    if (plan.acct.found && readNumber(held, plan.acct.dir, "cpuacct.usage", &ns)) info.cpuUsageUsec = ns / 1000.0;
    if (plan.pids.found) {
      readNumber(held, plan.pids.dir, "pids.current", &info.pidsCurrent);
      info.pidsMax = lowestLimit(held, plan.pids, "pids.max");
    }
    return info;
  }
  readNumber(held, mem.dir, "memory.current", &info.memCurrent);
  info.memLimit = lowestLimit(held, mem, "memory.max");
  info.memLimitUnlimited = !isKnown(info.memLimit);
  info.memHigh = lowestLimit(held, mem, "memory.high");
  readMemoryStat(held, mem.dir, 2, &info);
  info.oomKills = readKeyed(held, mem.dir, "memory.events", "oom_kill");
  info.cpuQuotaCores = lowestOverAncestors(mem, [held](const std::string& dir) {
    std::string buf;
    if (readPath(held, joinPath(dir, "cpu.max"), &buf) != ReadStatus::Ok) return unknown();
    return parseCpuMax(buf.data(), buf.size());
  });
  info.cpuUsageUsec = readKeyed(held, mem.dir, "cpu.stat", "usage_usec");
  readNumber(held, mem.dir, "pids.current", &info.pidsCurrent);
  info.pidsMax = lowestLimit(held, mem, "pids.max");
  return info;
}

bool onCgroupFs(const Hierarchy& h) {
  if (!h.found) return true;
  long m = fsType(h.dir);
  return m == kCgroupSuperMagic || m == kCgroup2SuperMagic;
}

}  // namespace

CgroupReader::CgroupReader(std::string procRoot, std::string cgroupRoot)
    : procRoot_(std::move(procRoot)), cgroupRoot_(std::move(cgroupRoot)) {
  live_ = isProcfs(procRoot_);
  cgroupPath_ = joinPath(procRoot_, "self/cgroup");
  mountinfoPath_ = joinPath(procRoot_, "self/mountinfo");
}

CgroupReader::~CgroupReader() {
  if (mountinfoFd_ >= 0) close(mountinfoFd_);
}

CgroupInfo CgroupReader::read() {
  // Resolved again unless the last plan is held open on a live cgroupfs and nothing says it moved: a tree of
  // plain files (a fixture) has nothing to tell what changed, so each read works it out anew.
  bool resolve = !planned_ || !hold_ || files_.lost();
  if (mountinfoFd_ >= 0) {
    // The kernel marks self/mountinfo when this process's mounts change; poll() sees the mark and clears it.
    struct pollfd p = {mountinfoFd_, POLLPRI, 0};
    if (poll(&p, 1, 0) > 0 && (p.revents & (POLLPRI | POLLERR))) resolve = true;
  }
  // A process can be moved to another cgroup: its self/cgroup then reads otherwise.
  std::string cgroupText;
  if (readPath(live_ ? &self_ : nullptr, cgroupPath_, &cgroupText) != ReadStatus::Ok) cgroupText.clear();
  if (cgroupText != cgroupText_) resolve = true;
  if (resolve) {
    files_.clear();
    std::string mountinfoText;
    if (live_ && mountinfoFd_ < 0) mountinfoFd_ = open(mountinfoPath_.c_str(), O_RDONLY | O_CLOEXEC);
    ReadStatus m = mountinfoFd_ >= 0 ? readFd(mountinfoFd_, &mountinfoText) : readFileAt(AT_FDCWD, mountinfoPath_.c_str(), &mountinfoText);
    if (m != ReadStatus::Ok) mountinfoText.clear();
    plan_ = resolvePlan(cgroupText, mountinfoText, cgroupRoot_);
    cgroupText_ = cgroupText;
    planned_ = true;
    // Held open only where the kernel generates each read afresh.
    hold_ = live_ && onCgroupFs(plan_.mem) && onCgroupFs(plan_.cpu) && onCgroupFs(plan_.acct) && onCgroupFs(plan_.pids);
  }
  return readPlan(plan_, hold_ ? &files_ : nullptr);
}

}  // namespace spmon
