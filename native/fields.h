// What every result of a sample is called in JavaScript: one table per struct, each
// field once with its name and a member pointer or an accessor. native/addon.cc converts
// with these tables and exports their names (`fields`); lib/native.ts builds its types
// from lists of the same names, and test/native_fields.test.ts holds the two together.
// No Node here: plain C++ over the readers' structs.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cgroup_reader.h"
#include "host_reader.h"
#include "proc_reader.h"

namespace spmon {

// A field of a result object: a number, a string (null pointer: null) or a list of
// strings (null pointer: null). Exactly one accessor is set.
template <typename T>
struct Field {
  const char* name;
  double (*number)(const T&);
  const std::string* (*text)(const T&) = nullptr;
  const std::vector<std::string>* (*list)(const T&) = nullptr;
};

namespace fields {

// The read groups sample() can switch off, by option name.
inline const std::pair<const char*, bool ReadGroups::*> kReadGroups[] = {
    {"statm", &ReadGroups::statm}, {"status", &ReadGroups::status}, {"io", &ReadGroups::io},
    {"smaps", &ReadGroups::smaps}, {"cmdline", &ReadGroups::cmdline},
};

// Per-process columns, one typed array each (NaN in a Float64Array = unknown).
inline const std::pair<const char*, int32_t ProcRecord::*> kInt32Columns[] = {
    {"pid", &ProcRecord::pid}, {"ppid", &ProcRecord::ppid}, {"pgrp", &ProcRecord::pgrp},
    {"session", &ProcRecord::session}, {"tty", &ProcRecord::tty},
};
inline const std::pair<const char*, uint8_t (*)(const ProcRecord&)> kUint8Columns[] = {
    {"state", [](const ProcRecord& r) { return static_cast<uint8_t>(r.state); }},
    {"flags",
     [](const ProcRecord& r) {
       return static_cast<uint8_t>((r.kernelThread ? 1 : 0) | (r.smapsFromFallback ? 2 : 0) |
                                   (r.smapsAttempted ? 4 : 0) | (r.statusRead ? 8 : 0) |
                                   (r.quiet ? 16 : 0) | (r.statReused ? 32 : 0) | (r.ioReused ? 64 : 0));
     }},
};
inline const std::pair<const char*, double ProcRecord::*> kFloat64Columns[] = {
    {"startTime", &ProcRecord::startTime},         {"utime", &ProcRecord::utime},
    {"stime", &ProcRecord::stime},                 {"threads", &ProcRecord::threads},
    {"uid", &ProcRecord::uid},                     {"vmSize", &ProcRecord::vmSize},
    {"statmResident", &ProcRecord::statmResident}, {"statmShared", &ProcRecord::statmShared},
    {"rssAnon", &ProcRecord::rssAnon},             {"rssFile", &ProcRecord::rssFile},
    {"rssShmem", &ProcRecord::rssShmem},           {"vmSwap", &ProcRecord::vmSwap},
    {"readBytes", &ProcRecord::readBytes},         {"writeBytes", &ProcRecord::writeBytes},
    {"rchar", &ProcRecord::rchar},                 {"wchar", &ProcRecord::wchar},
    {"rss", &ProcRecord::rss},                     {"pss", &ProcRecord::pss},
    {"privateClean", &ProcRecord::privateClean},   {"privateDirty", &ProcRecord::privateDirty},
    {"swap", &ProcRecord::swap},                   {"swapPss", &ProcRecord::swapPss},
    {"smapsReadMs", &ProcRecord::smapsReadMs},
};
// String columns: a plain array each; a null pointer is JavaScript null.
inline const std::pair<const char*, const std::string* (*)(const ProcRecord&)> kStringColumns[] = {
    {"name", [](const ProcRecord& r) { return &r.name; }},
    {"cmdline", [](const ProcRecord& r) { return r.cmdline; }},
};

using Stats = SampleStats;
inline const Field<Stats> kStatsFields[] = {
    {"walkMs", [](const Stats& s) { return s.walkMs; }},
    {"smapsMs", [](const Stats& s) { return s.smapsMs; }},
    {"smapsRead", [](const Stats& s) -> double { return s.smapsRead; }},
    {"smapsSkipped", [](const Stats& s) -> double { return s.smapsSkipped; }},
    {"heldProcesses", [](const Stats& s) -> double { return s.heldProcesses; }},
    {"statusRead", [](const Stats& s) -> double { return s.statusRead; }},
    {"quiet", [](const Stats& s) -> double { return s.quiet; }},
    {"statReused", [](const Stats& s) -> double { return s.statReused; }},
    {"listed", [](const Stats& s) -> double { return s.listed; }},
    {"rootErrno", [](const Stats& s) -> double { return s.rootErrno; }},
    {"fdErrors", [](const Stats& s) -> double { return s.fdErrors; }},
    {"smapsWorkers", [](const Stats& s) -> double { return s.smapsWorkers; }},
};

using Host = HostInfo;
inline const Field<Host> kHostFields[] = {
    {"cpuUser", [](const Host& h) { return h.cpu.user; }},
    {"cpuNice", [](const Host& h) { return h.cpu.nice; }},
    {"cpuSystem", [](const Host& h) { return h.cpu.system; }},
    {"cpuIdle", [](const Host& h) { return h.cpu.idle; }},
    {"cpuIowait", [](const Host& h) { return h.cpu.iowait; }},
    {"cpuIrq", [](const Host& h) { return h.cpu.irq; }},
    {"cpuSoftirq", [](const Host& h) { return h.cpu.softirq; }},
    {"cpuSteal", [](const Host& h) { return h.cpu.steal; }},
    {"bootTime", [](const Host& h) { return h.cpu.bootTime; }},
    {"cpuCount", [](const Host& h) -> double { return h.cpuCount; }},
    {"memTotal", [](const Host& h) { return h.mem.memTotal; }},
    {"memFree", [](const Host& h) { return h.mem.memFree; }},
    {"memAvailable", [](const Host& h) { return h.mem.memAvailable; }},
    {"buffers", [](const Host& h) { return h.mem.buffers; }},
    {"cached", [](const Host& h) { return h.mem.cached; }},
    {"shmem", [](const Host& h) { return h.mem.shmem; }},
    {"swapTotal", [](const Host& h) { return h.mem.swapTotal; }},
    {"swapFree", [](const Host& h) { return h.mem.swapFree; }},
    {"uptimeSec", [](const Host& h) { return h.uptimeSec; }},
    {"clockTicks", [](const Host& h) -> double { return h.clockTicks; }},
    {"pageSize", [](const Host& h) -> double { return h.pageSize; }},
};

using Cgroup = CgroupInfo;
// path and dir are null when no cgroup was found (version 0).
inline const std::string* ifFound(const Cgroup& c, const std::string& s) { return c.version ? &s : nullptr; }
inline const Field<Cgroup> kCgroupFields[] = {
    {"version", [](const Cgroup& c) -> double { return c.version; }},
    {"path", nullptr, [](const Cgroup& c) { return ifFound(c, c.path); }},
    {"dir", nullptr, [](const Cgroup& c) { return ifFound(c, c.dir); }},
    {"memCurrent", [](const Cgroup& c) { return c.memCurrent; }},
    {"memLimit", [](const Cgroup& c) { return c.memLimit; }},
    {"memHigh", [](const Cgroup& c) { return c.memHigh; }},
    {"anon", [](const Cgroup& c) { return c.anon; }},
    {"file", [](const Cgroup& c) { return c.file; }},
    {"shmem", [](const Cgroup& c) { return c.shmem; }},
    {"inactiveFile", [](const Cgroup& c) { return c.inactiveFile; }},
    {"oomKills", [](const Cgroup& c) { return c.oomKills; }},
    {"cpuQuotaCores", [](const Cgroup& c) { return c.cpuQuotaCores; }},
    {"cpuUsageUsec", [](const Cgroup& c) { return c.cpuUsageUsec; }},
    {"pidsCurrent", [](const Cgroup& c) { return c.pidsCurrent; }},
    {"pidsMax", [](const Cgroup& c) { return c.pidsMax; }},
};

using Detail = ProcessDetail;
inline const Field<Detail> kDetailFields[] = {
    {"pid", [](const Detail& d) -> double { return d.pid; }},
    {"cgroup", nullptr, [](const Detail& d) { return d.cgroupKnown ? &d.cgroup : nullptr; }},
    {"cwd", nullptr, [](const Detail& d) { return d.cwdKnown ? &d.cwd : nullptr; }},
    {"exe", nullptr, [](const Detail& d) { return d.exeKnown ? &d.exe : nullptr; }},
};

using Files = ProcessFiles;
inline const Field<Files> kInspectFields[] = {
    {"pid", [](const Files& f) -> double { return f.pid; }},
    {"cwd", nullptr, [](const Files& f) { return f.cwdKnown ? &f.cwd : nullptr; }},
    {"files", nullptr, nullptr, [](const Files& f) { return f.fdsKnown ? &f.files : nullptr; }},
};

}  // namespace fields
}  // namespace spmon
