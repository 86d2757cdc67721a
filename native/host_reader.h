// Host-wide counters: /proc/stat, meminfo, uptime, and constants. No Node.
#pragma once

#include <string>

#include "fileio.h"
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

// The host's figures for a reader that samples again and again: on procfs, its files stay open and are read
// again in place (the kernel generates them afresh on each read).
class HostReader {
 public:
  explicit HostReader(std::string procRoot);
  // procStat: /proc/stat as read already in this call (ProcReader::procStat), or null to read it here.
  HostInfo read(const std::string* procStat = nullptr);

 private:
  std::string procRoot_;
  bool procfs_ = false;
  HeldFiles files_;
};

}  // namespace spmon
