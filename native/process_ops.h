// What a supervisor needs of the kernel beyond reading /proc and signalling: become a child subreaper,
// reap one orphan, free the head of an output log, learn who is on the other end of a Unix socket, and
// read one process's start time. Thin wrappers over single syscalls. No Node.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace spmon {

// prctl(PR_SET_CHILD_SUBREAPER, 1): orphaned descendants are re-parented to this process, not to pid 1.
bool setChildSubreaper(int* err);

// waitpid(pid, WNOHANG) for exactly this pid. 1: reaped (exit code or signal set), 0: still running,
// -1: not our child (ECHILD) or an error (err set).
struct ReapResult {
  int status = -1;
  int exitCode = -1;
  int signal = 0;
  int err = 0;
};
ReapResult reapChild(int32_t pid);

// fallocate(PUNCH_HOLE | KEEP_SIZE): frees the disk blocks of [offset, offset+length) of an open file;
// reads of that range return zeros, the file keeps its size and later offsets.
bool punchHole(int fd, int64_t offset, int64_t length, int* err);

// getsockopt(SO_PEERCRED) of a connected Unix socket.
struct PeerCredentials {
  bool ok = false;
  int32_t pid = 0;
  uint32_t uid = 0, gid = 0;
  int err = 0;
};
PeerCredentials peerCredentials(int fd);

// The pids in cgroup.procs of `dir` and of every cgroup below it (at most `maxDepth` levels, at most
// `maxPids` pids): the processes charged to that cgroup. False when `dir` has no readable cgroup.procs.
bool cgroupPids(const std::string& dir, int maxDepth, size_t maxPids, std::vector<int32_t>* out);

// Field 22 of <procRoot>/<pid>/stat (clock ticks since boot); false when the process is gone.
bool processStartTicks(const std::string& procRoot, int32_t pid, uint64_t* out);

}  // namespace spmon
