#include "proc_reader.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <cmath>
#include <ctime>
#include <deque>
#include <memory>
#include <dirent.h>
#include <fcntl.h>
#include <mutex>
#include <queue>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <thread>
#include <unistd.h>

#include "fileio.h"

namespace spmon {

namespace {
constexpr size_t kMaxCmdline = 64 * 1024;  // a hostile argv can be huge; keep the head
// A process whose statm did not move has its status read every this many passes
// (staggered by pid); status is the costliest of the small files and what it adds
// (RssAnon/RssFile/RssShmem, VmSwap, uid) moves with statm or hardly ever.
constexpr uint64_t kStatusEvery = 10;
// A quiet process (activityDue, below) still has its statm and io read every this many passes, staggered
// by pid: what can move without it running (pages reclaimed, swapped out) shows within that many passes.
constexpr uint64_t kQuietEvery = 10;
// An io file that could not be opened (another user's process) is tried again this often.
constexpr uint64_t kRetryEvery = 30;
// Planned processes this far past the number of directories that may be held are not
// opened: they could only be held if that many planned processes before them were gone.
constexpr size_t kDeferSlack = 64;

// How many pid directory fds a pass may hold for deferred smaps reads: a quarter of
// the fd limit. Holding one per process would make openat fail with EMFILE on a host
// with more processes than that, and those processes would drop out of the sample.
size_t maxHeldFds() {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 1024;
  size_t n = static_cast<size_t>(rl.rlim_cur / 4);
  return n < 8 ? 8 : n;
}

bool sameNumber(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

double nowMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Helper threads for a pass that reads every smaps (an engine's first: `--once`, the dashboard's first
// frame, the daemon's start). Those reads are two thirds of such a pass and each process's is its own, so
// they go to a queue that helper threads drain while the walk goes on; after the walk the caller drains it
// too. Each job holds its pid directory's fd (the process it was opened for: a pid reused meanwhile cannot
// be read by mistake), so at most `maxOutstanding` wait: past that the caller reads the next one itself.
// The helpers write only into their jobs; the records get the readings after the helpers are joined.
class SmapsPool {
 public:
  SmapsPool(int workers, size_t maxOutstanding) : workers_(workers), maxOutstanding_(maxOutstanding) {}
  ~SmapsPool() { finish(nullptr); }

  // Queue the smaps read of record `index` through `fd` (the pool closes it); false when full.
  bool offer(int fd, size_t index) {
    {
      std::lock_guard<std::mutex> lock(m_);
      if (outstanding_ >= maxOutstanding_) return false;
      jobs_.push_back(Job{fd, index, SmapsReading()});
      outstanding_++;
    }
    if (!started_) {
      started_ = true;
      // The helpers start with every signal blocked (a thread inherits its creator's mask): a signal for the
      // process (SIGTERM, SIGCHLD, SIGWINCH) goes to a thread of Node's, never to one of these.
      sigset_t all, old;
      sigfillset(&all);
      pthread_sigmask(SIG_SETMASK, &all, &old);
      try {
        threads_.reserve(static_cast<size_t>(workers_));
        for (int i = 0; i < workers_; i++) threads_.emplace_back([this] { work(); });
      } catch (...) {
        // No thread to be had (a limit on threads, no memory): fewer helpers, or the caller alone.
      }
      pthread_sigmask(SIG_SETMASK, &old, nullptr);
    } else {
      cv_.notify_one();
    }
    return true;
  }

  // Read what is left (with the helpers), join them and give the readings to their records.
  void finish(std::vector<ProcRecord>* out) {
    {
      std::lock_guard<std::mutex> lock(m_);
      if (closed_) return;
      closed_ = true;
    }
    cv_.notify_all();
    std::string buf;
    while (runOne(&buf)) {
    }
    for (std::thread& t : threads_) t.join();
    if (out)
      for (const Job& j : jobs_) applySmaps(j.reading, &(*out)[j.index]);
  }

  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  struct Job {
    int fd;
    size_t index;
    SmapsReading reading;
  };

  // A helper: takes jobs as they come until the queue is closed and empty (waiting while it is only empty).
  void work() {
    std::string buf;
    buf.reserve(1 << 12);
    for (;;) {
      Job* j;
      {
        std::unique_lock<std::mutex> lock(m_);
        cv_.wait(lock, [this] { return next_ < jobs_.size() || closed_; });
        if (next_ == jobs_.size()) return;  // closed, and nothing left
        j = &jobs_[next_++];
      }
      run(j, &buf);
    }
  }

  // The caller's share after the walk: take the next job and read it; false when none is left.
  bool runOne(std::string* buf) {
    Job* j;
    {
      std::lock_guard<std::mutex> lock(m_);
      if (next_ == jobs_.size()) return false;
      j = &jobs_[next_++];
    }
    run(j, buf);
    return true;
  }

  // Read a job taken from the queue. (A deque keeps its elements in place as it grows, so a job stays where
  // it was taken while the caller queues more.)
  void run(Job* j, std::string* buf) {
    readSmaps(j->fd, buf, &j->reading);
    close(j->fd);
    std::lock_guard<std::mutex> lock(m_);
    outstanding_--;
  }

  const int workers_;
  const size_t maxOutstanding_;
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  size_t next_ = 0, outstanding_ = 0;
  bool closed_ = false, started_ = false;
  std::vector<std::thread> threads_;
};

// One fewer than the CPUs this process may run on (its affinity), at most 3: the caller reads too.
int defaultSmapsWorkers() {
  cpu_set_t set;
  int cpus = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
  return std::max(0, std::min(cpus - 1, 3));
}
}  // namespace

ProcRecord::ProcRecord()
    : threads(unknown()), uid(unknown()), vmSize(unknown()), statmResident(unknown()), statmShared(unknown()),
      rssAnon(unknown()), rssFile(unknown()), rssShmem(unknown()), vmSwap(unknown()), readBytes(unknown()),
      writeBytes(unknown()), rchar(unknown()), wchar(unknown()), rss(unknown()), pss(unknown()),
      privateClean(unknown()), privateDirty(unknown()), swap(unknown()), swapPss(unknown()),
      smapsReadMs(unknown()) {}

ProcReader::ProcReader(std::string procRoot, double maxHeldFds, int smapsWorkers)
    : procRoot_(std::move(procRoot)), smapsWorkers_(smapsWorkers < 0 ? defaultSmapsWorkers() : std::min(smapsWorkers, 8)) {
  pageSize_ = sysconf(_SC_PAGESIZE);
  if (pageSize_ <= 0) pageSize_ = 4096;
  buf_.reserve(1 << 16);
  procfs_ = isProcfs(procRoot_);
  procStatPath_ = joinPath(procRoot_, "stat");
  if (procfs_) {
    // schedstat is there and counts (CONFIG_SCHED_INFO; without it the file is missing or reads zeros) when this
    // process's own shows the time it has run.
    std::string own;
    uint64_t runNs = 0, slices = 0;
    schedstatWorks_ = readFileAt(AT_FDCWD, joinPath(procRoot_, "self/schedstat").c_str(), &own, 4096) == ReadStatus::Ok &&
                      parseSchedstat(own.data(), own.size(), &runNs, &slices) && runNs > 0 && slices > 0;
    heldCap_ = heldFileFdLimit();
    if (maxHeldFds >= 0 && maxHeldFds < static_cast<double>(heldCap_)) heldCap_ = static_cast<size_t>(maxHeldFds);
  }
}

ProcReader::~ProcReader() {
  for (auto& kv : entries_) closeHeld(kv.second);
}

void ProcReader::closeHeld(Entry& e) {
  for (int* fd : {&e.statFd, &e.statmFd, &e.statusFd, &e.ioFd, &e.schedFd}) {
    if (*fd < 0) continue;
    close(*fd);
    *fd = -1;
    heldFds_--;
    gHeldFds--;
  }
}

size_t ProcReader::heldFdsFor(const ReadGroups& g) const {
  return 1 + (g.statm ? 1 : 0) + (g.status ? 1 : 0) + (g.io ? 1 : 0);
}

void ProcReader::sample(const ReadGroups& groups, const SmapsPlan& plan, std::vector<ProcRecord>* out,
                        SampleStats* stats) {
  double t0 = nowMs();
  out->clear();
  pass_++;
  passHeld_ = 0;
  passStatus_ = 0;
  passQuiet_ = 0;
  passReused_.clear();
  passReusedFixed_ = 0;
  std::unordered_map<int32_t, size_t> wanted;  // pid -> priority
  if (plan.limited)
    for (size_t i = 0; i < plan.order.size(); i++) wanted.emplace(plan.order[i], i);
  // Processes whose smaps is read after the walk, in priority order: their
  // directory fds stay open so a pid reused meanwhile cannot be read by mistake.
  std::vector<std::pair<int, size_t>> deferred(plan.limited ? plan.order.size() : 0, {-1, 0});
  std::priority_queue<size_t> heldPrio;  // priorities of the held fds, the lowest (largest index) on top
  processHeldCap_ = heldFileFdLimit();
  // Directory fds held for the planned reads: a quarter of the fd limit.
  const size_t maxHeld = plan.limited ? maxHeldFds() : 0;
  int plannedFound = 0;
  passFdErrors_ = 0;
  // A pass that reads every smaps reads them on helper threads too (SmapsPool), with up to an eighth of the fd
  // limit (at most 128) of pid directories waiting for them; not under a limit too low to spare that many.
  const size_t poolFds = std::min<size_t>(128, maxHeldFds() / 2);
  std::unique_ptr<SmapsPool> pool;
  if (groups.smaps && !plan.limited && smapsWorkers_ > 0 && poolFds >= 16)
    pool = std::make_unique<SmapsPool>(smapsWorkers_, poolFds);
  // The pids to read: the listing of procRoot, or the last listing's again when no process has been created
  // since it began (listingStands).
  readForks();
  const bool reuseListing = listingStands();
  listingReused_ = false;
  std::vector<int32_t> listing;
  listing.reserve(listed_.size() + 64);
  int procFd = -1;
  DIR* dir = nullptr;
  if (reuseListing) procFd = open(procRoot_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  listingReused_ = procFd >= 0;
  if (procFd < 0) {
    dir = opendir(procRoot_.c_str());
    if (!dir) {
      if (stats) stats->rootErrno = errno != 0 ? errno : EIO;
      listed_.clear();
      listedForks_ = 0;
      return;
    }
    procFd = dirfd(dir);
    prevListedForks_ = listedForks_;
    listedForks_ = forks_;  // what this listing is complete for (read before it began)
  }
  auto visit = [&](const char* name, int32_t pid) {
    auto w = plan.limited ? wanted.find(pid) : wanted.end();
    if (w != wanted.end()) plannedFound++;
    // Past the number of directories that may be held, a planned read would not happen
    // anyway (unless that many planned processes are gone): do not open its directory.
    bool defer = pool || (groups.smaps && w != wanted.end() && w->second < maxHeld + kDeferSlack);
    const size_t before = out->size();
    int fd = readOne(procFd, name, pid, groups, groups.smaps && !plan.limited && !pool, defer, out);
    if (out->size() > before) listing.push_back(pid);
    // Still there but not read (no fd left, or a pid taken by another since the listing): it would stay out of
    // a listing read again, so the next pass lists afresh.
    else if (faccessat(procFd, name, F_OK, 0) == 0) listedForks_ = 0;
    if (fd < 0) return;
    if (pool) {
      if (!pool->offer(fd, out->size() - 1)) {
        readSmapsInto(fd, &out->back());
        close(fd);
      }
      return;
    }
    size_t prio = w->second;
    if (heldPrio.size() >= maxHeld) {
      // Full: keep the higher priorities; the other one is not read this pass (as past the budget).
      size_t worst = heldPrio.top();
      if (prio > worst) {
        close(fd);
        return;
      }
      close(deferred[worst].first);
      deferred[worst].first = -1;
      heldPrio.pop();
    }
    deferred[prio] = {fd, out->size() - 1};
    heldPrio.push(prio);
  };
  if (dir) {
    while (struct dirent* de = readdir(dir)) {
      const char* name = de->d_name;
      if (name[0] < '1' || name[0] > '9') continue;
      int64_t pid;
      if (!parseI64(name, std::strlen(name), &pid) || pid <= 0 || pid > INT32_MAX) continue;
      visit(name, static_cast<int32_t>(pid));
    }
    closedir(dir);
  } else {
    char name[16];
    for (int32_t pid : listed_) {
      std::snprintf(name, sizeof(name), "%d", static_cast<int>(pid));
      visit(name, pid);
    }
    close(procFd);
  }
  listed_ = std::move(listing);
  // A process left out for want of an fd would stay out of a listing read again: list afresh next pass.
  if (passFdErrors_ > 0) listedForks_ = 0;
  fixOutsideChanges(out, passReused_);
  if (pool) pool->finish(out);
  // The smaps reads, strictly in priority order, within the budget given: a read starts
  // while the reads so far cost less than the budget and its expected cost still fits.
  const bool budgeted = plan.limited && plan.budgetMs >= 0;
  double s0 = nowMs();
  double spent = 0;
  bool stop = false;
  for (size_t prio = 0; prio < deferred.size(); prio++) {
    auto& d = deferred[prio];
    if (d.first < 0) continue;
    if (!stop && budgeted) {
      double expected = prio < plan.costMs.size() ? plan.costMs[prio] : 0;
      stop = !(spent < plan.budgetMs && spent + expected <= plan.budgetMs);
    }
    if (!stop) {
      ProcRecord& r = (*out)[d.second];
      readSmapsInto(d.first, &r);
      if (!std::isnan(r.smapsReadMs)) spent += r.smapsReadMs;
    }
    close(d.first);
  }
  double t1 = nowMs();
  if (stats) {
    stats->walkMs = t1 - t0;
    stats->smapsMs = t1 - s0;
    stats->smapsRead = 0;
    for (const ProcRecord& r : *out) stats->smapsRead += r.smapsAttempted ? 1 : 0;
    stats->smapsSkipped = plan.limited ? plannedFound - stats->smapsRead : 0;
    stats->heldProcesses = passHeld_;
    stats->statusRead = passStatus_;
    stats->quiet = passQuiet_;
    stats->statReused = static_cast<int>(passReused_.size()) - passReusedFixed_;
    stats->listed = listingReused_ ? 0 : 1;
    stats->fdErrors = passFdErrors_;
    stats->smapsWorkers = pool ? pool->threads() : 0;
    if (!plan.limited) stats->smapsMs = -1;  // read inline: not measured apart
  }
  // Forget processes that are gone, and close their fds.
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.seenPass != pass_) {
      closeHeld(it->second);
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

void ProcReader::fillStat(const StatFields& st, int32_t pid, ProcRecord* r) {
  r->pid = pid;
  r->ppid = static_cast<int32_t>(st.ppid);
  r->pgrp = static_cast<int32_t>(st.pgrp);
  r->session = static_cast<int32_t>(st.session);
  r->tty = static_cast<int32_t>(st.ttyNr);
  r->state = st.state;
  r->kernelThread = (st.flags & kPfKthread) != 0;
  r->startTime = static_cast<double>(st.startTime);
  r->utime = static_cast<double>(st.utime);
  r->stime = static_cast<double>(st.stime);
  if (st.numThreads >= 0) r->threads = static_cast<double>(st.numThreads);
  r->name = st.comm;
}

void ProcReader::fillStatus(const StatusFields& s, ProcRecord* r) {
  r->rssAnon = s.rssAnon;
  r->rssFile = s.rssFile;
  r->rssShmem = s.rssShmem;
  r->vmSwap = s.vmSwap;
  if (s.uid >= 0) r->uid = static_cast<double>(s.uid);
}

// Whether this pass reads a process's status. It is the costliest of the small files,
// and what it adds (RssAnon/RssFile/RssShmem, VmSwap, uid) moves with statm or hardly
// ever: so it is read when statm's resident or shared moved since the last reading, and
// otherwise every kStatusEvery passes, staggered by pid so they do not all come due in
// one pass. Always when there is no reading, when its fd is opened now to be held, and
// on a fixture tree (plain files: nothing tells a replaced file from a quiet one).
bool ProcReader::statusDue(const Entry& e, const ProcRecord& r, int32_t pid, bool opening) const {
  if (!procfs_ || opening || !e.statusKnown) return true;
  if (!sameNumber(r.statmResident, e.statusResident) || !sameNumber(r.statmShared, e.statusShared)) return true;
  return (pass_ + static_cast<uint64_t>(pid)) % kStatusEvery == 0;
}

// Whether a process's stat moved since the last pass: CPU time, page faults (it touched memory), resident
// pages or address space size. statm and io move only when it runs (its own faults, maps and I/O) or through
// the kernel (reclaim, swap-out: which changes the resident pages in stat too). A process that did not move
// keeps its last statm and io readings (reuses), except every kQuietEvery passes (io not even then while its
// schedstat says it has not run: readHeld). Not seen in the last
// pass, or first seen now: it counts as moved.
void ProcReader::noteActivity(Entry& e, const StatFields& st, bool seenLastPass) {
  const bool moved = !seenLastPass || st.utime != e.utime || st.stime != e.stime || st.minflt != e.minflt ||
                     st.majflt != e.majflt || st.rssPages != e.rssPages || st.vsize != e.vsize;
  if (moved) e.activePass = pass_;
  e.utime = st.utime;
  e.stime = st.stime;
  e.minflt = st.minflt;
  e.majflt = st.majflt;
  e.rssPages = st.rssPages;
  e.vsize = st.vsize;
}

// A reading taken in readPass stands for now: taken since the process last moved, on procfs (a fixture's
// files can change without a stat that says so), and not its periodic pass.
bool ProcReader::reuses(const Entry& e, uint64_t readPass, int32_t pid) const {
  return procfs_ && readPass != 0 && readPass >= e.activePass && (pass_ + static_cast<uint64_t>(pid)) % kQuietEvery != 0;
}

// The system's count of forks (every process and thread created since boot) from procRoot's stat, read before
// the listing (through an fd held open: the kernel writes the file afresh at each read); the text is kept for
// the host's figures, which would read it again otherwise (ProcReader::procStat).
void ProcReader::readForks() {
  forks_ = 0;
  procStatRead_ = false;
  if (!procfs_ || procStatFile_.read(procStatPath_, &procStat_) != ReadStatus::Ok) return;
  procStatRead_ = true;
  ProcStatFields f;
  parseProcStat(procStat_.data(), procStat_.size(), &f);
  if (isKnown(f.forks) && f.forks > 0) forks_ = static_cast<uint64_t>(f.forks);
}

// Whether the last listing of procRoot stands for this pass: no process has been created in the whole system
// since it began (the fork count, read before each listing, has not moved), so every process alive now was in
// it, and those gone since drop out as their reads fail. A walk of /proc costs the kernel about half as much
// as a stat read per process (it fills a dentry for each), so at rest this saves a third of a pass. Listed
// again every kQuietEvery passes, after a pass that ran out of fds, on a fixture tree, and where there is no
// count to go by (0: a /proc/stat without it).
bool ProcReader::listingStands() const {
  return procfs_ && forksTrusted_ && forks_ != 0 && forks_ == listedForks_ && !listed_.empty() && pass_ % kQuietEvery != 0;
}

// Whether a held process's stat can be left unread this pass (its last reading stands): it is single-threaded
// (as of that reading), it did not move in the last pass, and its schedstat (three numbers, far cheaper for the
// kernel to make than stat) shows the same run time and the same count of times put on a CPU as it did just
// before that reading. The count moves at every switch-in, so a process running right now (whose run time the
// kernel brings up to date only at its next tick or switch) counts as moved. What stat shows moves only when
// the process runs (CPU time, faults, state, threads, address space, name), except what the kernel changes from
// outside: resident pages (reclaim, swap-out), which show at the latest in the pass of every kQuietEvery that
// reads stat anyway, and the parent and the terminal, which fixOutsideChanges checks after the walk. Another
// thread's run time is not in the main thread's schedstat, hence single-threaded only. Nothing is skipped on a
// kernel without schedstat (schedstatWorks_). The schedstat fd is held from the first quiet pass, while there
// is room, like the others.
bool ProcReader::statUnmoved(Entry& e, int procFd, const char* name, int32_t pid) {
  e.schedSame = e.schedRan = false;
  if (!schedstatWorks_ || e.statPass == 0 || e.lastStat.numThreads != 1 || e.schedFd == -2) return false;
  if (e.seenPass == 0 || e.seenPass + 1 != pass_ || e.activePass + 1 >= pass_) return false;  // moved last pass
  if (e.schedFd < 0) {
    if (heldFds_ + 1 > heldCap_ || gHeldFds + 1 > processHeldCap_) return false;
    char path[32];
    std::snprintf(path, sizeof(path), "%s/schedstat", name);
    int fd = openat(procFd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      // Gone (the stat read says so next), or no fd left; anything else (denied) will not change: not again.
      if (errno != ENOENT && errno != ESRCH && errno != EMFILE && errno != ENFILE) e.schedFd = -2;
      return false;
    }
    // Opened by name: it is this process's if the stat read through the held fd, which follows (there is no
    // baseline yet), finds it alive; otherwise the caller drops the entry and closes this with the rest.
    e.schedFd = fd;
    e.schedKnown = false;
    heldFds_++;
    gHeldFds++;
  }
  char buf[96];
  ssize_t n;
  do n = pread(e.schedFd, buf, sizeof(buf), 0);
  while (n < 0 && errno == EINTR);
  uint64_t runNs = 0, slices = 0;
  if (n <= 0 || static_cast<size_t>(n) == sizeof(buf) || !parseSchedstat(buf, static_cast<size_t>(n), &runNs, &slices)) {
    e.schedKnown = false;  // gone (the stat read says so next), or nothing to go by
    return false;
  }
  e.schedSame = e.schedKnown && runNs == e.schedRunNs && slices == e.schedSlices;
  e.schedRan = e.schedKnown && !e.schedSame;
  if (e.schedSame && (pass_ + static_cast<uint64_t>(pid)) % kQuietEvery != 0) return true;
  // Read before the stat that this pass reads: the next pass compares with these (the same ones at a tenth
  // pass, which reads stat anyway: they keep the pass they were first read in).
  if (!e.schedSame) {
    e.schedRunNs = runNs;
    e.schedSlices = slices;
    e.schedKnown = true;
    e.schedSince = pass_;
  }
  return false;
}

// Whether a parent (or a session leader) seen in this pass is the process it was when the stat of `e` was read:
// alive (not a zombie: a process that exits has its children reparented before it is reaped) and not newer.
bool ProcReader::sameSince(int32_t pid, const Entry& e) const {
  auto it = entries_.find(pid);
  if (it == entries_.end()) return false;
  const Entry& p = it->second;
  return p.seenPass == pass_ && p.firstPass <= e.statPass && p.lastStat.state != 'Z' && p.lastStat.state != 'X';
}

// A process whose stat was left unread keeps its last parent and terminal, and both can change without it running:
// its parent exits (the kernel reparents the children), or its session loses the terminal (its leader exits, or the
// terminal hangs up: the kernel clears the terminal of every process in the session, and signals only the leader).
// So after the walk the stat is read after all where the parent is not the same process as then, or where a
// process on a terminal has no live session leader on that same terminal in this pass.
void ProcReader::fixOutsideChanges(std::vector<ProcRecord>* out, const std::vector<size_t>& reused) {
  for (size_t i : reused) {
    ProcRecord& r = (*out)[i];
    auto self = entries_.find(r.pid);
    if (self == entries_.end()) continue;
    Entry& e = self->second;
    // ppid 0: init, kthreadd, or a parent outside this pid namespace: nothing to go by.
    bool stands = r.ppid <= 0 || sameSince(r.ppid, e);
    if (stands && r.tty > 0 && r.session != r.pid) {
      auto leader = entries_.find(r.session);
      stands = sameSince(r.session, e) && leader->second.lastStat.ttyNr == r.tty;
    }
    if (stands) continue;
    StatFields st;
    if (readFd(e.statFd, &buf_) != ReadStatus::Ok || !parseStat(buf_.data(), buf_.size(), &st) ||
        st.startTime != e.startTime)
      continue;  // gone just now: its record stands as it was read
    fillStat(st, r.pid, &r);
    r.statReused = false;
    passReusedFixed_++;
    e.lastStat = std::move(st);
    e.statPass = pass_;
  }
}

void ProcReader::keepStatm(Entry& e, const ProcRecord& r) {
  e.statmPass = pass_;
  e.vmSize = r.vmSize;
  e.statmResident = r.statmResident;
  e.statmShared = r.statmShared;
}

void ProcReader::keepIo(Entry& e, const ProcRecord& r) {
  e.ioPass = pass_;
  e.readBytes = r.readBytes;
  e.writeBytes = r.writeBytes;
  e.rchar = r.rchar;
  e.wchar = r.wchar;
}

// status was read (readOk) or tried in this pass: keep the reading, with the statm it goes with.
void ProcReader::takeStatus(Entry& e, ProcRecord* r, bool readOk) {
  passStatus_++;
  r->statusRead = true;
  e.statusKnown = readOk;
  if (!readOk) return;
  e.status = StatusFields();
  parseStatus(buf_.data(), buf_.size(), &e.status);
  e.statusResident = r->statmResident;
  e.statusShared = r->statmShared;
}

namespace {
void fillStatm(const std::string& buf, long pageSize, ProcRecord* r) {
  StatmFields sm;
  if (parseStatm(buf.data(), buf.size(), &sm) && !(sm.size == 0 && sm.resident == 0)) {  // zombies read all zeros
    r->vmSize = static_cast<double>(sm.size) * pageSize;
    r->statmResident = static_cast<double>(sm.resident) * pageSize;
    r->statmShared = static_cast<double>(sm.shared) * pageSize;
  }
}

void fillIo(const std::string& buf, ProcRecord* r) {
  IoFields io;
  parseIo(buf.data(), buf.size(), &io);
  r->readBytes = io.readBytes;
  r->writeBytes = io.writeBytes;
  r->rchar = io.rchar;
  r->wchar = io.wchar;
}
}  // namespace

bool ProcReader::readHeld(Entry& e, int procFd, const char* name, int32_t pid, const ReadGroups& groups,
                          bool inlineSmaps, bool keepFd, std::vector<ProcRecord>* out, int* pidFdOut) {
  const uint64_t phase = pass_ + static_cast<uint64_t>(pid);
  if (groups.cmdline && !e.cmdlineKnown) return false;  // still between fork and exec: open and look again
  if (groups.status && e.statusFd < 0) return false;
  if (groups.io && e.ioFd < 0 && (!e.ioDenied || phase % kRetryEvery == 0)) return false;
  const bool unmoved = statUnmoved(e, procFd, name, pid);
  StatFields fresh;
  if (!unmoved && (readFd(e.statFd, &buf_) != ReadStatus::Ok || !parseStat(buf_.data(), buf_.size(), &fresh) ||
                   fresh.startTime != e.startTime))
    return false;  // gone (ESRCH), or not the process these fds were opened for
  if (!unmoved) {
    e.lastStat = std::move(fresh);
    e.statPass = pass_;
  }
  const StatFields& st = e.lastStat;
  const bool kthread = (st.flags & kPfKthread) != 0;
  if (groups.statm && !kthread && e.statmFd < 0) return false;
  if (groups.cmdline && st.comm != e.cmdlineComm) return false;  // it exec'd: read its new cmdline
  // Its stat (or, for a stat left unread, its schedstat) read fine through a held fd: it is alive, so its pid
  // cannot have been reused since the fds were opened.
  noteActivity(e, st, e.seenPass != 0 && e.seenPass + 1 == pass_);
  e.seenPass = pass_;
  passHeld_++;
  out->emplace_back();
  ProcRecord& r = out->back();
  fillStat(st, pid, &r);
  if (unmoved) {
    r.statReused = true;
    passReused_.push_back(out->size() - 1);
  }
  bool quiet = false;
  if (groups.statm && !kthread) {
    if (reuses(e, e.statmPass, pid)) {
      r.vmSize = e.vmSize;
      r.statmResident = e.statmResident;
      r.statmShared = e.statmShared;
      quiet = true;
    } else {
      if (readFd(e.statmFd, &buf_) == ReadStatus::Ok) fillStatm(buf_, pageSize_, &r);
      keepStatm(e, r);
    }
  }
  if (groups.status) {
    if (statusDue(e, r, pid, false)) takeStatus(e, &r, readFd(e.statusFd, &buf_) == ReadStatus::Ok);
    if (e.statusKnown) fillStatus(e.status, &r);
  }
  if (groups.io && e.ioFd >= 0) {
    // io moves only when the process runs (its own reads and writes; a thread's counters join the process's when
    // the thread exits, which is running too), not by reclaim as statm and status can. Where this pass read its
    // schedstat, that decides: not run since the io reading was taken (an io read follows the schedstat read of
    // its pass), and io is not read even at the tenth pass; run, and io is read though stat showed nothing move
    // (a write takes less than a clock tick and need not fault). Otherwise stat's movement decides (reuses).
    const bool ioStands = e.schedSame ? (e.ioPass != 0 && e.ioPass >= e.schedSince) || reuses(e, e.ioPass, pid)
                                      : !e.schedRan && reuses(e, e.ioPass, pid);
    if (ioStands) {
      r.readBytes = e.readBytes;
      r.writeBytes = e.writeBytes;
      r.rchar = e.rchar;
      r.wchar = e.wchar;
      r.ioReused = true;
    } else {
      if (readFd(e.ioFd, &buf_) == ReadStatus::Ok) fillIo(buf_, &r);
      keepIo(e, r);
    }
  }
  if (quiet) {
    r.quiet = true;
    passQuiet_++;
  }
  if (groups.cmdline) r.cmdline = &e.cmdline;
  const bool wantsDir = inlineSmaps || (keepFd && !kthread && r.state != 'Z');
  if (!wantsDir) return true;
  int pidFd = openat(procFd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  // The directory is the same process only if that process still lives after the open.
  if (pidFd >= 0 && readFd(e.statFd, &buf_) != ReadStatus::Ok) {
    close(pidFd);
    pidFd = -1;
  }
  if (pidFd < 0) return true;
  if (inlineSmaps) readSmapsInto(pidFd, &r);
  if (keepFd && !kthread && r.state != 'Z') *pidFdOut = pidFd;
  else close(pidFd);
  return true;
}

int ProcReader::readOne(int procFd, const char* name, int32_t pid, const ReadGroups& groups, bool inlineSmaps,
                        bool keepFd, std::vector<ProcRecord>* out) {
  auto it = entries_.find(pid);
  if (it != entries_.end() && it->second.statFd >= 0) {
    int pidFd = -1;
    if (readHeld(it->second, procFd, name, pid, groups, inlineSmaps, keepFd, out, &pidFd)) return pidFd;
    closeHeld(it->second);  // gone or reused: open afresh below
  }
  int pidFd = openat(procFd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (pidFd < 0) {
    if (errno == EMFILE || errno == ENFILE) passFdErrors_++;
    return -1;  // exited between readdir and open, or no fd left
  }
  StatFields st;
  int statFd = -1;
  ReadStatus statRead = readFileAt(pidFd, "stat", &buf_, size_t(1) << 22, procfs_ ? &statFd : nullptr);
  if (statRead == ReadStatus::Error && (errno == EMFILE || errno == ENFILE)) passFdErrors_++;
  if (statRead != ReadStatus::Ok || !parseStat(buf_.data(), buf_.size(), &st)) {
    if (statFd >= 0) close(statFd);
    close(pidFd);
    return -1;  // without stat there is no identity: skip it
  }
  const bool newcomer = it == entries_.end() || it->second.seenPass == 0 || it->second.startTime != st.startTime;
  if (newcomer && listingReused_) {
    // Not the process the listing read again was made of: its pid was taken since, by a process or by a thread
    // (whose directory an open by name finds, and a listing never shows). Left for the next pass, which lists.
    if (statFd >= 0) close(statFd);
    close(pidFd);
    return -1;
  }
  // A process the last listing did not hold while the fork count says none was created since: the count does
  // not count (a sandbox's /proc/stat), so listings are not read again from now on.
  if (newcomer && !listingReused_ && forks_ != 0 && forks_ == prevListedForks_ && pass_ > 1) forksTrusted_ = false;
  if (it == entries_.end()) it = entries_.emplace(pid, Entry()).first;
  Entry& e = it->second;
  if (e.seenPass == 0 || e.startTime != st.startTime) {
    closeHeld(e);
    e = Entry();
    e.startTime = st.startTime;
    e.firstPass = pass_;
  }
  noteActivity(e, st, e.seenPass != 0 && e.seenPass + 1 == pass_);
  e.seenPass = pass_;
  e.lastStat = st;
  e.statPass = pass_;
  if (e.cmdlineKnown && st.comm != e.cmdlineComm) e.cmdlineKnown = false;  // exec'd since it was read
  // Hold this process's fds from its second pass on (short-lived processes are not
  // worth it), while there is room.
  const bool hold = statFd >= 0 && e.firstPass < pass_ && heldFds_ + heldFdsFor(groups) <= heldCap_ &&
                    gHeldFds + heldFdsFor(groups) <= processHeldCap_;
  if (hold) {
    e.statFd = statFd;
    heldFds_++;
    gHeldFds++;
  } else if (statFd >= 0) {
    close(statFd);
  }
  auto keep = [&](int* slot) -> int* { return hold ? slot : nullptr; };
  auto counted = [&](int fd) {
    if (fd < 0) return;
    heldFds_++;
    gHeldFds++;
  };

  out->emplace_back();
  ProcRecord& r = out->back();
  fillStat(st, pid, &r);

  if (groups.statm && !r.kernelThread) {
    if (readFileAt(pidFd, "statm", &buf_, size_t(1) << 22, keep(&e.statmFd)) == ReadStatus::Ok)
      fillStatm(buf_, pageSize_, &r);
    keepStatm(e, r);
    if (hold) counted(e.statmFd);
  }
  if (groups.status) {
    if (statusDue(e, r, pid, hold)) {
      takeStatus(e, &r, readFileAt(pidFd, "status", &buf_, size_t(1) << 22, keep(&e.statusFd)) == ReadStatus::Ok);
      if (hold) counted(e.statusFd);
    }
    if (e.statusKnown) fillStatus(e.status, &r);
  }
  if (groups.io) {
    ReadStatus rs = readFileAt(pidFd, "io", &buf_, size_t(1) << 22, keep(&e.ioFd));
    if (rs == ReadStatus::Ok) fillIo(buf_, &r);
    keepIo(e, r);
    if (hold) {
      counted(e.ioFd);
      e.ioDenied = e.ioFd < 0;
    }
  }
  if (inlineSmaps) readSmapsInto(pidFd, &r);
  if (groups.cmdline) r.cmdline = cachedCmdline(e, pidFd, r);
  if (keepFd && !r.kernelThread && r.state != 'Z') return pidFd;
  close(pidFd);
  return -1;
}

void ProcReader::readSmapsInto(int pidFd, ProcRecord* r) {
  if (r->kernelThread || r->state == 'Z') return;  // no memory map
  SmapsReading s;
  readSmaps(pidFd, &buf_, &s);
  applySmaps(s, r);
}

void readSmaps(int pidFd, std::string* buf, SmapsReading* out) {
  const double t0 = nowMs();
  ReadStatus rs = readFileAt(pidFd, "smaps_rollup", buf);
  if (rs == ReadStatus::NotFound) {
    // Kernels before 4.14 have no smaps_rollup: sum smaps. (If the process
    // exited, smaps is gone too and the fields stay unknown.)
    rs = readFileAt(pidFd, "smaps", buf, size_t(1) << 30);
    out->fromFallback = rs == ReadStatus::Ok;
  }
  if (rs == ReadStatus::Ok) parseSmaps(buf->data(), buf->size(), &out->fields);
  out->ms = nowMs() - t0;
}

void applySmaps(const SmapsReading& s, ProcRecord* r) {
  r->smapsAttempted = true;
  r->smapsReadMs = s.ms;
  r->smapsFromFallback = s.fromFallback;
  const SmapsFields& f = s.fields;
  if (!f.any) return;
  r->rss = f.rss;
  r->pss = f.pss;
  r->privateClean = f.privateClean;
  r->privateDirty = f.privateDirty;
  r->swap = f.swap;
  r->swapPss = f.swapPss;
}

const std::string* ProcReader::cachedCmdline(Entry& e, int pidFd, const ProcRecord& r) {
  if (e.cmdlineKnown) return &e.cmdline;
  e.cmdline.clear();
  e.cmdlineComm = r.name;
  if (readFileAt(pidFd, "cmdline", &buf_, kMaxCmdline) != ReadStatus::Ok) return nullptr;
  size_t n = buf_.size();
  while (n > 0 && buf_[n - 1] == '\0') n--;  // trailing NULs end argv
  e.cmdline.assign(buf_.data(), n);
  for (char& c : e.cmdline) {
    if (c == '\0') c = ' ';
  }
  // An empty cmdline is not cached as known: it may still be filling in for a
  // process caught in exec. Kernel threads and zombies have none and never will.
  e.cmdlineKnown = n > 0 || r.kernelThread || r.state == 'Z';
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
  d.pid = pid;
  std::string dir = joinPath(procRoot, std::to_string(pid));
  std::string buf;
  if (readFileAt(AT_FDCWD, joinPath(dir, "cgroup").c_str(), &buf, 1 << 16) == ReadStatus::Ok)
    d.cgroupKnown = processCgroupPath(parseCgroupFile(buf.data(), buf.size()), &d.cgroup);
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
