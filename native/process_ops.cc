#include "process_ops.h"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "fileio.h"
#include "parse.h"

#include <cstring>
#include <cstdint>

namespace spmon {

bool setChildSubreaper(int* err) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0) return true;
  if (err) *err = errno;
  return false;
}

ReapResult reapChild(int32_t pid) {
  ReapResult r;
  if (pid <= 1) {
    r.err = EINVAL;
    return r;
  }
  int status = 0;
  pid_t got;
  do got = waitpid(pid, &status, WNOHANG);
  while (got < 0 && errno == EINTR);
  if (got < 0) {
    r.err = errno;
    return r;
  }
  if (got == 0) {
    r.status = 0;
    return r;
  }
  r.status = 1;
  if (WIFEXITED(status)) r.exitCode = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  return r;
}

bool punchHole(int fd, int64_t offset, int64_t length, int* err) {
  if (offset < 0 || length <= 0) {
    if (err) *err = EINVAL;
    return false;
  }
  if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length) == 0) return true;
  if (err) *err = errno;
  return false;
}

PeerCredentials peerCredentials(int fd) {
  PeerCredentials p;
  struct ucred c {};
  socklen_t len = sizeof(c);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len) != 0) {
    p.err = errno;
    return p;
  }
  p.ok = true;
  p.pid = c.pid;
  p.uid = c.uid;
  p.gid = c.gid;
  return p;
}

namespace {

bool readProcs(const std::string& dir, int depth, int maxDepth, size_t maxPids, std::vector<int32_t>* out) {
  std::string buf;
  if (readFileAt(AT_FDCWD, joinPath(dir, "cgroup.procs").c_str(), &buf) != ReadStatus::Ok) return false;
  const char* p = buf.data();
  const char* end = p + buf.size();
  while (p < end && out->size() < maxPids) {
    const char* nl = static_cast<const char*>(memchr(p, '\n', static_cast<size_t>(end - p)));
    const char* e = nl ? nl : end;
    int64_t pid;
    if (parseI64(p, static_cast<size_t>(e - p), &pid) && pid > 0 && pid <= INT32_MAX) out->push_back(static_cast<int32_t>(pid));
    p = e + 1;
  }
  if (depth >= maxDepth) return true;
  DIR* d = opendir(dir.c_str());
  if (!d) return true;
  while (struct dirent* de = readdir(d)) {
    if (de->d_name[0] == '.' || de->d_type != DT_DIR) continue;
    readProcs(joinPath(dir, de->d_name), depth + 1, maxDepth, maxPids, out);
    if (out->size() >= maxPids) break;
  }
  closedir(d);
  return true;
}

}  // namespace

bool cgroupPids(const std::string& dir, int maxDepth, size_t maxPids, std::vector<int32_t>* out) {
  return readProcs(dir, 0, maxDepth, maxPids, out);
}

bool processStartTicks(const std::string& procRoot, int32_t pid, uint64_t* out) {
  std::string buf;
  std::string path = joinPath(procRoot, std::to_string(pid) + "/stat");
  if (readFileAt(AT_FDCWD, path.c_str(), &buf) != ReadStatus::Ok) return false;
  StatFields st;
  if (!parseStat(buf.data(), buf.size(), &st)) return false;
  *out = st.startTime;
  return true;
}

}  // namespace spmon
