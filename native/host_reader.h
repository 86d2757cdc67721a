// Host-wide counters: /proc/stat, meminfo, uptime, and constants. No Node.
#pragma once

#include <string>

#include "parse.h"

namespace spmon {

struct HostInfo {
  ProcStatFields cpu;
  MeminfoFields mem;
  double uptimeSec;
  long clockTicks;
  long pageSize;
  int cpuCount;
  HostInfo();
};

// procStat: /proc/stat as read already in this call (ProcReader::procStat), or null to read it here.
HostInfo readHost(const std::string& procRoot, const std::string* procStat = nullptr);

}  // namespace spmon
