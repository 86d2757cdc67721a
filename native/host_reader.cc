#include "host_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include "fileio.h"

namespace spmon {

HostInfo::HostInfo() : uptimeSec(unknown()), clockTicks(100), pageSize(4096), cpuCount(1) {}

HostInfo readHost(const std::string& procRoot, const std::string* procStat) {
  HostInfo h;
  std::string buf;
  if (procStat) parseProcStat(procStat->data(), procStat->size(), &h.cpu);
  else if (readFileAt(AT_FDCWD, joinPath(procRoot, "stat").c_str(), &buf) == ReadStatus::Ok)
    parseProcStat(buf.data(), buf.size(), &h.cpu);
  if (readFileAt(AT_FDCWD, joinPath(procRoot, "meminfo").c_str(), &buf) == ReadStatus::Ok)
    parseMeminfo(buf.data(), buf.size(), &h.mem);
  if (readFileAt(AT_FDCWD, joinPath(procRoot, "uptime").c_str(), &buf) == ReadStatus::Ok)
    h.uptimeSec = parseUptime(buf.data(), buf.size());
  long t = sysconf(_SC_CLK_TCK);
  if (t > 0) h.clockTicks = t;
  long p = sysconf(_SC_PAGESIZE);
  if (p > 0) h.pageSize = p;
  if (h.cpu.cpuCount > 0) {
    h.cpuCount = h.cpu.cpuCount;
  } else {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    h.cpuCount = n > 0 ? static_cast<int>(n) : 1;
  }
  return h;
}

}  // namespace spmon
