// Walks <procRoot> once and reads every process's files. No Node.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "fileio.h"
#include "parse.h"

namespace spmon {

// Which groups of files a pass reads. stat is always read: it carries identity.
struct ReadGroups {
  bool statm = true, status = true, io = true, smaps = true, cmdline = true;
};

// One process in one pass. Byte counts are double; NaN means unknown.
struct ProcRecord {
  int32_t pid = 0, ppid = -1, pgrp = -1, session = -1, tty = -1;
  char state = '?';
  bool kernelThread = false;
  bool smapsFromFallback = false;  // summed from smaps: no smaps_rollup here
  bool smapsAttempted = false;     // smaps was read (or tried) in this pass
  bool statusRead = false;         // status was read in this pass (else its fields are the last reading)
  bool quiet = false;              // statm is the last reading: nothing moved in its stat since (below)
  bool ioReused = false;           // io is the last reading: its stat, or its schedstat, says it has not run since
  bool statReused = false;         // stat is the last reading: its schedstat says it has not run since
  double startTime = 0;            // clock ticks since boot
  double utime = 0, stime = 0;     // clock ticks
  double threads;
  double uid;
  std::string name;
  const std::string* cmdline = nullptr;  // owned by the reader's cache; null when unknown
  double vmSize, statmResident, statmShared;  // bytes
  double rssAnon, rssFile, rssShmem, vmSwap;  // bytes, from status
  double readBytes, writeBytes, rchar, wchar;
  double rss, pss, privateClean, privateDirty, swap, swapPss;  // bytes, from smaps(_rollup)
  double smapsReadMs;  // what reading smaps cost in this pass (NaN: not read), for the caller's budget
  ProcRecord();
};

// Which processes get their smaps read in a pass. Reading smaps costs time in
// proportion to the target's resident memory and holds its mmap lock, so the
// caller may name the pids, in priority order, and a time budget. Which ones, and
// how much time, is the caller's policy (lib/model/smaps_budget.ts); the reader
// only reads them in this order and stops at the budget.
struct SmapsPlan {
  bool limited = false;        // read only the pids in `order`
  std::vector<int32_t> order;  // priority order
  // What the caller expects each read to cost, ms, parallel to order (missing: 0).
  std::vector<double> costMs;
  // Time for the reads, ms; < 0: no budget. A read starts only while the reads so far
  // cost less than this and the expected cost of this one still fits in it; the first
  // that does not ends the reading for this pass (strict order).
  double budgetMs = -1;
};

struct SampleStats {
  double walkMs = 0;    // the whole pass
  double smapsMs = 0;   // of which reading smaps
  int smapsRead = 0;
  int smapsSkipped = 0;  // planned but left for a later pass (budget)
  int heldProcesses = 0;  // processes read through held fds (no open) in this pass
  int statusRead = 0;     // processes whose status was read in this pass
  int quiet = 0;          // processes whose statm was not read: their stat says nothing moved
  int statReused = 0;     // processes whose stat was not read: their schedstat says they have not run
  int listed = 1;         // 1: procRoot was listed; 0: no process had been created since the last listing, so its pids were read
  int rootErrno = 0;      // opendir(procRoot) failed with this errno: nothing could be listed
  int fdErrors = 0;       // pid directories left unread because no fd was left (EMFILE/ENFILE)
  int smapsWorkers = 0;   // threads beside the caller's that read smaps in this pass (a pass that reads every smaps)
};

// One smaps(_rollup) reading, apart from the record it goes to (a helper thread's; see SmapsPool in the .cc).
struct SmapsReading {
  SmapsFields fields;  // as parsed (fields.any: anything known)
  bool fromFallback = false;
  double ms = 0;  // what the read cost
};

class ProcReader {
 public:
  // maxHeldFds: how many file fds may stay open across passes; < 0: half the fd limit.
  // smapsWorkers: threads beside the caller's that read smaps in a pass that reads every smaps; < 0: one
  // fewer than the CPUs this process may run on, at most 3.
  explicit ProcReader(std::string procRoot, double maxHeldFds = -1, int smapsWorkers = -1);
  ~ProcReader();
  ProcReader(const ProcReader&) = delete;
  ProcReader& operator=(const ProcReader&) = delete;
  // One pass over every process.
  void sample(const ReadGroups& groups, const SmapsPlan& plan, std::vector<ProcRecord>* out, SampleStats* stats);
  const std::string& procRoot() const { return procRoot_; }
  // procRoot's stat as the last sample read it (for its fork count), or null when it did not.
  const std::string* procStat() const { return procStatRead_ ? &procStat_ : nullptr; }
  long pageSize() const { return pageSize_; }

 private:
  // Per process (pid + start time), kept across passes: the cmdline, the fds of
  // stat/statm/status/io (and schedstat, once it is quiet) held open so later passes pread them instead of
  // opening them again, and the last stat and status readings.
  struct Entry {
    uint64_t startTime = 0;
    uint64_t seenPass = 0;
    uint64_t firstPass = 0;
    std::string cmdline;
    std::string cmdlineComm;  // the name when cmdline was read: a new name means an exec, so read it again
    bool cmdlineKnown = false;
    int statFd = -1, statmFd = -1, statusFd = -1, ioFd = -1;
    bool ioDenied = false;  // io could not be opened (another user's process)
    bool statusKnown = false;
    StatusFields status;
    double statusResident = 0, statusShared = 0;  // statm when status was last read
    // Quiet processes (activityDue): what stat showed in the last pass, the last pass in which it moved
    // (or could not be compared), and the last statm and io readings with the pass each was taken in.
    uint64_t utime = 0, stime = 0, minflt = 0, majflt = 0, vsize = 0;
    int64_t rssPages = -1;
    uint64_t activePass = 0;
    uint64_t statmPass = 0, ioPass = 0;  // 0: none
    double vmSize = 0, statmResident = 0, statmShared = 0;
    double readBytes = 0, writeBytes = 0, rchar = 0, wchar = 0;
    // The last stat read and the pass it was read in; the schedstat fd (held once the process is quiet; -2:
    // could not be opened) and its run time (ns) and timeslices as read before that stat (see statUnmoved).
    StatFields lastStat;
    uint64_t statPass = 0;
    int schedFd = -1;
    bool schedKnown = false;
    uint64_t schedRunNs = 0, schedSlices = 0;
    // The pass those two were read in (kept while later reads find them the same), and what this pass's read
    // found: the same (the process has not run since that read, so its io has not moved either), or others (it
    // has run, however briefly: its io may have moved though its stat did not).
    uint64_t schedSince = 0;
    bool schedSame = false, schedRan = false;
  };
  // Returns the pid directory fd when keepFd (the caller closes it), else -1.
  int readOne(int procFd, const char* name, int32_t pid, const ReadGroups& groups, bool inlineSmaps, bool keepFd,
              std::vector<ProcRecord>* out);
  // The same from the held fds, without opening anything; false when it cannot
  // (not held, the process is gone or is another one now): then readOne opens.
  bool readHeld(Entry& e, int procFd, const char* name, int32_t pid, const ReadGroups& groups, bool inlineSmaps,
                bool keepFd, std::vector<ProcRecord>* out, int* pidFdOut);
  void fillStat(const StatFields& st, int32_t pid, ProcRecord* r);
  void fillStatus(const StatusFields& s, ProcRecord* r);
  bool statusDue(const Entry& e, const ProcRecord& r, int32_t pid, bool opening) const;
  void noteActivity(Entry& e, const StatFields& st, bool seenLastPass);
  bool reuses(const Entry& e, uint64_t readPass, int32_t pid) const;
  bool statUnmoved(Entry& e, int procFd, const char* name, int32_t pid);
  void readForks();
  bool listingStands() const;
  bool sameSince(int32_t pid, const Entry& e) const;
  void fixOutsideChanges(std::vector<ProcRecord>* out, const std::vector<size_t>& reused);
  void keepStatm(Entry& e, const ProcRecord& r);
  void keepIo(Entry& e, const ProcRecord& r);
  void takeStatus(Entry& e, ProcRecord* r, bool readOk);
  void readSmapsInto(int pidFd, ProcRecord* r);  // timed: r->smapsReadMs
  const std::string* cachedCmdline(Entry& e, int pidFd, const ProcRecord& r);
  void closeHeld(Entry& e);
  size_t heldFdsFor(const ReadGroups& groups) const;

  std::string procRoot_;
  long pageSize_;
  uint64_t pass_ = 0;
  bool procfs_ = false;  // held fds are only safe on procfs (a gone process reads ESRCH)
  int smapsWorkers_ = 0;
  size_t heldFds_ = 0, heldCap_ = 0;  // this reader's held fds; its cap (the process-wide count is in the .cc)
  size_t processHeldCap_ = 0;  // held fds allowed for the whole process, this pass
  int passHeld_ = 0, passStatus_ = 0, passFdErrors_ = 0, passQuiet_ = 0;
  std::vector<size_t> passReused_;  // records of this pass whose stat is the last reading (statUnmoved)
  int passReusedFixed_ = 0;         // of which fixOutsideChanges read the stat after all
  // The pids of the last pass (those read: the listing, less those gone), the fork count read before the
  // listing they come from (0: none to go by), and this pass's fork count with the file it came from.
  std::vector<int32_t> listed_;
  uint64_t listedForks_ = 0, forks_ = 0;
  std::string procStatPath_, procStat_;
  HeldFiles procStatFile_;  // procRoot's stat, held open (procfs only)
  bool procStatRead_ = false;
  bool schedstatWorks_ = false;  // procfs with a schedstat that counts (this process's own has run time)
  bool forksTrusted_ = true;     // the fork count has never missed a new process (listingStands)
  bool listingReused_ = false;   // this pass reads the last listing's pids again
  uint64_t prevListedForks_ = 0; // the count before the listing before this pass's (a real listing checks it)
  std::unordered_map<int32_t, Entry> entries_;
  std::string buf_;
};

// What the dashboard's detail pane shows beyond the batched fields.
struct ProcessDetail {
  int32_t pid = 0;
  std::string cgroup, cwd, exe;
  bool cgroupKnown = false, cwdKnown = false, exeKnown = false;
};
ProcessDetail readProcessDetail(const std::string& procRoot, int32_t pid);

// A candidate agent process: its cwd and the files it holds open (paths only:
// sockets, pipes and anonymous inodes are left out). At most maxFds entries.
struct ProcessFiles {
  int32_t pid = 0;
  std::string cwd;
  bool cwdKnown = false;
  bool fdsKnown = false;
  std::vector<std::string> files;
};
ProcessFiles readProcessFiles(const std::string& procRoot, int32_t pid, size_t maxFds = 4096);

// Read a process's smaps_rollup (or smaps, summed, on kernels before 4.14) through its pid directory fd into
// `out`, timed; `buf` is the caller's (one per thread).
void readSmaps(int pidFd, std::string* buf, SmapsReading* out);
// What a reading gives its record.
void applySmaps(const SmapsReading& s, ProcRecord* r);

// Read the start time (clock ticks since boot) of one pid; false if it is gone.
bool readStartTime(const std::string& procRoot, int32_t pid, uint64_t* startTime);

}  // namespace spmon
