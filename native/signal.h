// PID-reuse-safe signalling: a process is named by (pid, start time). No Node.
#pragma once

#include <cstdint>
#include <string>

namespace spmon {

enum class SignalResult { Sent, Gone, Denied, Refused, Error };
const char* signalResultName(SignalResult r);

// A handle on one process: a pidfd where the kernel has them (5.3+), else the
// (pid, start time) pair re-checked before each signal.
struct ProcessHandle {
  int fd = -1;
  int32_t pid = 0;
  uint64_t startTime = 0;
};

// Open a handle after checking the start time. Gone when the pid is free or now
// names another process; Refused for pid <= 1 and for ourselves.
SignalResult openProcess(const std::string& procRoot, int32_t pid, uint64_t startTime, ProcessHandle* out);
SignalResult signalProcess(const std::string& procRoot, const ProcessHandle& h, int sig);
// True once the process has exited (zombie or reaped).
bool processExited(const std::string& procRoot, const ProcessHandle& h);
void closeProcess(ProcessHandle* h);

}  // namespace spmon
