// Finds the cgroup this process lives in and reads its memory, CPU and pids
// accounting. Handles v1, v2 and hybrid hosts. No Node.
#pragma once

#include <string>

#include "fileio.h"

namespace spmon {

struct CgroupInfo {
  int version = 0;             // 0: none found
  std::string path;            // as /proc/self/cgroup names it (memory hierarchy)
  std::string dir;             // directory read (memory hierarchy)
  double memCurrent, memLimit, memHigh;      // bytes; NaN unknown or unlimited
  bool memLimitUnlimited = false;
  double anon, file, shmem, inactiveFile;    // bytes from memory.stat
  double oomKills;
  double cpuQuotaCores;                      // NaN: no quota
  double cpuUsageUsec;                       // cumulative CPU time of the cgroup
  double pidsCurrent, pidsMax;
  CgroupInfo();
};

// One controller's hierarchy as this process sees it.
struct Hierarchy {
  bool found = false;
  std::string path;  // cgroup path from /proc/self/cgroup
  std::string dir;   // resolved directory
  std::string top;   // the mount point: ancestors are walked up to here
};

// Where this process's accounting lives: version 0 when no cgroup was found; v1 reads the memory, cpu,
// cpuacct and pids hierarchies, v2 the one unified hierarchy (mem).
struct CgroupPlan {
  int version = 0;
  Hierarchy mem, cpu, acct, pids;
};

// This process's cgroup and its accounting, for a reader that samples again and again. procRoot: where to find
// self/cgroup and self/mountinfo. cgroupRoot: where the cgroup mounts live (mount points under /sys/fs/cgroup
// are re-rooted there). Where the accounting lives is worked out once and
// again only when the kernel says it may have moved (this process's mounts changed, its self/cgroup reads
// otherwise, or a held file of its cgroup can no longer be read), and the accounting files stay open and are
// read again in place. Every figure is still read anew on every call. A tree of plain files (a fixture) is
// resolved and opened on every call.
class CgroupReader {
 public:
  CgroupReader(std::string procRoot, std::string cgroupRoot);
  ~CgroupReader();
  CgroupReader(const CgroupReader&) = delete;
  CgroupReader& operator=(const CgroupReader&) = delete;
  CgroupInfo read();

 private:
  std::string procRoot_, cgroupRoot_, cgroupPath_, mountinfoPath_;
  bool live_ = false;     // procRoot is procfs: its mountinfo tells when mounts change
  bool planned_ = false;
  bool hold_ = false;     // the plan's files are on cgroupfs: held open
  int mountinfoFd_ = -1;  // polled for the kernel's mark of a mount change
  std::string cgroupText_;
  CgroupPlan plan_;
  HeldFiles self_;   // self/cgroup, read on every call (procfs only)
  HeldFiles files_;  // the plan's accounting files (cgroupfs only)
};

}  // namespace spmon
