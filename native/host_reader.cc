#include "host_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include "fileio.h"

namespace spmon {

HostInfo::HostInfo() : uptimeSec(unknown()), clockTicks(100), pageSize(4096), cpuCount(1) {}

namespace {

HostInfo readHostVia(const std::string& procRoot, const std::string* procStat, HeldFiles* held) {
  HostInfo h;
  std::string buf;
  if (procStat) parseProcStat(procStat->data(), procStat->size(), &h.cpu);
  else if (readPath(held, joinPath(procRoot, "stat"), &buf) == ReadStatus::Ok)
    parseProcStat(buf.data(), buf.size(), &h.cpu);
  if (readPath(held, joinPath(procRoot, "meminfo"), &buf) == ReadStatus::Ok)
    parseMeminfo(buf.data(), buf.size(), &h.mem);
  if (readPath(held, joinPath(procRoot, "uptime"), &buf) == ReadStatus::Ok)
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

}  // namespace

HostReader::HostReader(std::string procRoot) : procRoot_(std::move(procRoot)), procfs_(isProcfs(procRoot_)) {}

HostInfo HostReader::read(const std::string* procStat) { return readHostVia(procRoot_, procStat, procfs_ ? &files_ : nullptr); }

}  // namespace spmon
