#include "proc_reader.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <queue>
#include <sys/resource.h>
#include <unistd.h>

#include "fileio.h"

namespace spmon {

namespace {
constexpr size_t kMaxCmdline = 64 * 1024;  // a hostile argv can be huge; keep the head

// How many pid directory fds a pass may hold for deferred smaps reads: a quarter of
// the fd limit. Holding one per process would make openat fail with EMFILE on a host
// with more processes than that, and those processes would drop out of the sample.
size_t maxHeldFds() {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 1024;
  size_t n = static_cast<size_t>(rl.rlim_cur / 4);
  return n < 8 ? 8 : n;
}
}

ProcRecord::ProcRecord()
    : threads(unknown()), uid(unknown()), vmSize(unknown()), statmResident(unknown()), statmShared(unknown()),
      rssAnon(unknown()), rssFile(unknown()), rssShmem(unknown()), vmSwap(unknown()), readBytes(unknown()),
      writeBytes(unknown()), rchar(unknown()), wchar(unknown()), rss(unknown()), pss(unknown()),
      privateClean(unknown()), privateDirty(unknown()), swap(unknown()), swapPss(unknown()) {}

ProcReader::ProcReader(std::string procRoot) : procRoot_(std::move(procRoot)) {
  pageSize_ = sysconf(_SC_PAGESIZE);
  if (pageSize_ <= 0) pageSize_ = 4096;
  buf_.reserve(1 << 16);
}

namespace {
double nowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}
}  // namespace

void ProcReader::sample(const ReadGroups& groups, const SmapsPlan& plan, std::vector<ProcRecord>* out,
                        SampleStats* stats) {
  double t0 = nowMs();
  out->clear();
  pass_++;
  std::unordered_map<int32_t, size_t> wanted;  // pid -> priority
  if (plan.limited)
    for (size_t i = 0; i < plan.order.size(); i++) wanted.emplace(plan.order[i], i);
  // Processes whose smaps is read after the walk, in priority order: their
  // directory fds stay open so a pid reused meanwhile cannot be read by mistake.
  std::vector<std::pair<int, size_t>> deferred(plan.limited ? plan.order.size() : 0, {-1, 0});
  std::priority_queue<size_t> heldPrio;  // priorities of the held fds, the lowest (largest index) on top
  const size_t maxHeld = plan.limited ? maxHeldFds() : 0;
  DIR* dir = opendir(procRoot_.c_str());
  if (!dir) return;
  int procFd = dirfd(dir);
  while (struct dirent* de = readdir(dir)) {
    const char* name = de->d_name;
    if (name[0] < '1' || name[0] > '9') continue;
    int64_t pid;
    if (!parseI64(name, std::strlen(name), &pid) || pid <= 0 || pid > INT32_MAX) continue;
    auto w = plan.limited ? wanted.find(static_cast<int32_t>(pid)) : wanted.end();
    bool defer = groups.smaps && w != wanted.end();
    int fd = readOne(procFd, name, static_cast<int32_t>(pid), groups, groups.smaps && !plan.limited, defer, out);
    if (fd < 0) continue;
    size_t prio = w->second;
    if (heldPrio.size() >= maxHeld) {
      // Full: keep the higher priorities; the other one is not read this pass (as past the budget).
      size_t worst = heldPrio.top();
      if (prio > worst) {
        close(fd);
        continue;
      }
      close(deferred[worst].first);
      deferred[worst].first = -1;
      heldPrio.pop();
    }
    deferred[prio] = {fd, out->size() - 1};
    heldPrio.push(prio);
  }
  closedir(dir);
  double s0 = nowMs();
  for (auto& d : deferred) {
    if (d.first < 0) continue;
    if (plan.budgetMs < 0 || nowMs() - s0 < plan.budgetMs) readSmapsInto(d.first, &(*out)[d.second]);
    close(d.first);
  }
  double t1 = nowMs();
  if (stats) {
    stats->walkMs = t1 - t0;
    stats->smapsMs = t1 - s0;
    stats->smapsRead = 0;
    for (const ProcRecord& r : *out) stats->smapsRead += r.smapsAttempted ? 1 : 0;
    if (!plan.limited) stats->smapsMs = -1;  // read inline: not measured apart
  }
  // Forget cmdlines of processes that are gone.
  for (auto it = cmdlineCache_.begin(); it != cmdlineCache_.end();) {
    if (it->second.seenPass != pass_) it = cmdlineCache_.erase(it);
    else ++it;
  }
}

int ProcReader::readOne(int procFd, const char* name, int32_t pid, const ReadGroups& groups, bool inlineSmaps,
                        bool keepFd, std::vector<ProcRecord>* out) {
  int pidFd = openat(procFd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (pidFd < 0) return -1;  // exited between readdir and open
  StatFields st;
  if (readFileAt(pidFd, "stat", &buf_) != ReadStatus::Ok || !parseStat(buf_.data(), buf_.size(), &st)) {
    close(pidFd);
    return -1;  // without stat there is no identity: skip it
  }
  out->emplace_back();
  ProcRecord& r = out->back();
  r.pid = pid;
  r.ppid = static_cast<int32_t>(st.ppid);
  r.pgrp = static_cast<int32_t>(st.pgrp);
  r.session = static_cast<int32_t>(st.session);
  r.tty = static_cast<int32_t>(st.ttyNr);
  r.state = st.state;
  r.kernelThread = (st.flags & kPfKthread) != 0;
  r.startTime = static_cast<double>(st.startTime);
  r.utime = static_cast<double>(st.utime);
  r.stime = static_cast<double>(st.stime);
  if (st.numThreads >= 0) r.threads = static_cast<double>(st.numThreads);
  r.name = std::move(st.comm);

  if (groups.statm && !r.kernelThread) {
    StatmFields sm;
    if (readFileAt(pidFd, "statm", &buf_) == ReadStatus::Ok && parseStatm(buf_.data(), buf_.size(), &sm) &&
        !(sm.size == 0 && sm.resident == 0)) {  // zombies and exited processes read all zeros
      r.vmSize = static_cast<double>(sm.size) * pageSize_;
      r.statmResident = static_cast<double>(sm.resident) * pageSize_;
      r.statmShared = static_cast<double>(sm.shared) * pageSize_;
    }
  }
  if (groups.status) {
    StatusFields s;
    if (readFileAt(pidFd, "status", &buf_) == ReadStatus::Ok) {
      parseStatus(buf_.data(), buf_.size(), &s);
      r.rssAnon = s.rssAnon;
      r.rssFile = s.rssFile;
      r.rssShmem = s.rssShmem;
      r.vmSwap = s.vmSwap;
      if (s.uid >= 0) r.uid = static_cast<double>(s.uid);
    }
  }
  if (groups.io) {
    IoFields io;
    if (readFileAt(pidFd, "io", &buf_) == ReadStatus::Ok) {
      parseIo(buf_.data(), buf_.size(), &io);
      r.readBytes = io.readBytes;
      r.writeBytes = io.writeBytes;
      r.rchar = io.rchar;
      r.wchar = io.wchar;
    }
  }
  if (inlineSmaps) readSmapsInto(pidFd, &r);
  if (groups.cmdline) r.cmdline = cachedCmdline(pidFd, pid, st.startTime);
  if (keepFd && !r.kernelThread && r.state != 'Z') return pidFd;
  close(pidFd);
  return -1;
}

void ProcReader::readSmapsInto(int pidFd, ProcRecord* r) {
  if (r->kernelThread || r->state == 'Z') return;  // no memory map
  r->smapsAttempted = true;
  SmapsFields sf;
  ReadStatus rs = readFileAt(pidFd, "smaps_rollup", &buf_);
  if (rs == ReadStatus::NotFound) {
    // Kernels before 4.14 have no smaps_rollup: sum smaps. (If the process
    // exited, smaps is gone too and the fields stay unknown.)
    rs = readFileAt(pidFd, "smaps", &buf_, size_t(1) << 30);
    r->smapsFromFallback = rs == ReadStatus::Ok;
  }
  if (rs != ReadStatus::Ok) return;
  parseSmaps(buf_.data(), buf_.size(), &sf);
  if (!sf.any) return;
  r->rss = sf.rss;
  r->pss = sf.pss;
  r->privateClean = sf.privateClean;
  r->privateDirty = sf.privateDirty;
  r->swap = sf.swap;
  r->swapPss = sf.swapPss;
}



const std::string* ProcReader::cachedCmdline(int pidFd, int32_t pid, uint64_t startTime) {
  auto it = cmdlineCache_.find(pid);
  if (it != cmdlineCache_.end() && it->second.startTime == startTime && it->second.known) {
    it->second.seenPass = pass_;
    return &it->second.cmdline;
  }
  CacheEntry& e = cmdlineCache_[pid];
  e.startTime = startTime;
  e.seenPass = pass_;
  e.known = false;
  e.cmdline.clear();
  if (readFileAt(pidFd, "cmdline", &buf_, kMaxCmdline) != ReadStatus::Ok) return nullptr;
  size_t n = buf_.size();
  while (n > 0 && buf_[n - 1] == '\0') n--;  // trailing NULs end argv
  e.cmdline.assign(buf_.data(), n);
  for (char& c : e.cmdline) {
    if (c == '\0') c = ' ';
  }
  // An empty cmdline (kernel threads, zombies) is not cached as known: it may
  // still be filling in for a process caught between fork and exec.
  e.known = n > 0;
  return &e.cmdline;
}

bool readStartTime(const std::string& procRoot, int32_t pid, uint64_t* startTime) {
  std::string buf;
  std::string path = joinPath(procRoot, std::to_string(pid) + "/stat");
  if (readFileAt(AT_FDCWD, path.c_str(), &buf) != ReadStatus::Ok) return false;
  StatFields st;
  if (!parseStat(buf.data(), buf.size(), &st)) return false;
  *startTime = st.startTime;
  return true;
}

namespace {
bool readLink(const std::string& path, std::string* out) {
  char buf[4096];
  ssize_t n = readlink(path.c_str(), buf, sizeof(buf));
  if (n < 0) return false;
  out->assign(buf, static_cast<size_t>(n));
  return true;
}
}  // namespace

ProcessDetail readProcessDetail(const std::string& procRoot, int32_t pid) {
  ProcessDetail d;
  std::string dir = joinPath(procRoot, std::to_string(pid));
  std::string buf;
  if (readFileAt(AT_FDCWD, joinPath(dir, "cgroup").c_str(), &buf, 1 << 16) == ReadStatus::Ok) {
    // Prefer the memory controller's line (v1), else the unified "0::" line.
    std::string unified, memory;
    size_t i = 0;
    while (i < buf.size()) {
      size_t e = buf.find('\n', i);
      if (e == std::string::npos) e = buf.size();
      std::string line = buf.substr(i, e - i);
      size_t a = line.find(':');
      size_t b = a == std::string::npos ? a : line.find(':', a + 1);
      if (b != std::string::npos) {
        std::string ctl = line.substr(a + 1, b - a - 1);
        std::string path = line.substr(b + 1);
        if (line.compare(0, a, "0") == 0 && ctl.empty()) unified = path;
        else if (("," + ctl + ",").find(",memory,") != std::string::npos) memory = path;
      }
      i = e + 1;
    }
    d.cgroup = !memory.empty() ? memory : unified;
    d.cgroupKnown = !d.cgroup.empty();
  }
  d.cwdKnown = readLink(joinPath(dir, "cwd"), &d.cwd);
  d.exeKnown = readLink(joinPath(dir, "exe"), &d.exe);
  return d;
}

ProcessFiles readProcessFiles(const std::string& procRoot, int32_t pid, size_t maxFds) {
  ProcessFiles f;
  f.pid = pid;
  std::string dir = joinPath(procRoot, std::to_string(pid));
  f.cwdKnown = readLink(joinPath(dir, "cwd"), &f.cwd);
  std::string fdDir = joinPath(dir, "fd");
  DIR* d = opendir(fdDir.c_str());
  if (!d) return f;
  f.fdsKnown = true;
  int dfd = dirfd(d);
  char buf[4096];
  size_t seen = 0;
  while (struct dirent* de = readdir(d)) {
    if (de->d_name[0] < '0' || de->d_name[0] > '9') continue;
    if (++seen > maxFds) break;
    ssize_t n = readlinkat(dfd, de->d_name, buf, sizeof(buf));
    if (n <= 0 || buf[0] != '/') continue;  // socket:[..], pipe:[..], anon_inode:..
    f.files.emplace_back(buf, static_cast<size_t>(n));
  }
  closedir(d);
  return f;
}

}  // namespace spmon
