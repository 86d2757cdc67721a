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

HostInfo readHost(const std::string& procRoot);

}  // namespace spmon
