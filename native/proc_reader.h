// Walks <procRoot> once and reads every process's files. No Node.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

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
  ProcRecord();
};

// Which processes get their smaps read in a pass. Reading smaps costs time in
// proportion to the target's resident memory and holds its mmap lock, so the
// caller may name the pids, in priority order, and a time budget.
struct SmapsPlan {
  bool limited = false;        // read only the pids in `order`
  std::vector<int32_t> order;  // priority order
  double budgetMs = -1;        // stop starting new reads after this long; < 0: no budget
};

struct SampleStats {
  double walkMs = 0;    // the whole pass
  double smapsMs = 0;   // of which reading smaps
  int smapsRead = 0;
};

class ProcReader {
 public:
  explicit ProcReader(std::string procRoot);
  // One pass over every process.
  void sample(const ReadGroups& groups, const SmapsPlan& plan, std::vector<ProcRecord>* out, SampleStats* stats);
  const std::string& procRoot() const { return procRoot_; }
  long pageSize() const { return pageSize_; }

 private:
  // Returns the pid directory fd when keepFd (the caller closes it), else -1.
  int readOne(int procFd, const char* name, int32_t pid, const ReadGroups& groups, bool inlineSmaps, bool keepFd,
              std::vector<ProcRecord>* out);
  void readSmapsInto(int pidFd, ProcRecord* r);
  const std::string* cachedCmdline(int pidFd, int32_t pid, uint64_t startTime);

  struct CacheEntry {
    uint64_t startTime;
    std::string cmdline;
    bool known;
    uint64_t seenPass;
  };
  std::string procRoot_;
  long pageSize_;
  uint64_t pass_ = 0;
  std::unordered_map<int32_t, CacheEntry> cmdlineCache_;
  std::string buf_;
};

// What the dashboard's detail pane shows beyond the batched fields.
struct ProcessDetail {
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

// Read the start time (clock ticks since boot) of one pid; false if it is gone.
bool readStartTime(const std::string& procRoot, int32_t pid, uint64_t* startTime);

}  // namespace spmon
