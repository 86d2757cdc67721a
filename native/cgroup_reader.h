// Finds the cgroup this process lives in and reads its memory, CPU and pids
// accounting. Handles v1, v2 and hybrid hosts. No Node.
#pragma once

#include <string>

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

// procRoot: where to find self/cgroup and self/mountinfo. cgroupRoot: where the
// cgroup mounts live (mount points under /sys/fs/cgroup are re-rooted there).
CgroupInfo readCgroup(const std::string& procRoot, const std::string& cgroupRoot);

}  // namespace spmon
