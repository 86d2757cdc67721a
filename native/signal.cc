#include "signal.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fileio.h"
#include "parse.h"
#include "proc_reader.h"

// The glibc that portable builds target has no wrappers: call by number.
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

namespace spmon {

const char* signalResultName(SignalResult r) {
  switch (r) {
    case SignalResult::Sent: return "sent";
    case SignalResult::Gone: return "gone";
    case SignalResult::Denied: return "denied";
    case SignalResult::Refused: return "refused";
    default: return "error";
  }
}

namespace {

// Alive and not a zombie, with the expected start time.
bool sameProcess(const std::string& procRoot, int32_t pid, uint64_t startTime) {
  std::string buf;
  std::string path = joinPath(procRoot, std::to_string(pid) + "/stat");
  if (readFileAt(AT_FDCWD, path.c_str(), &buf) != ReadStatus::Ok) return false;
  StatFields st;
  if (!parseStat(buf.data(), buf.size(), &st)) return false;
  return st.startTime == startTime && st.state != 'Z' && st.state != 'X';
}

}  // namespace

SignalResult openProcess(const std::string& procRoot, int32_t pid, uint64_t startTime, ProcessHandle* out) {
  out->fd = -1;
  out->pid = pid;
  out->startTime = startTime;
  if (pid <= 1 || pid == getpid()) return SignalResult::Refused;
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) {
    if (errno == ESRCH) return SignalResult::Gone;
    if (errno != ENOSYS && errno != EPERM) return SignalResult::Error;
    // ENOSYS (pre-5.3 kernel) or a seccomp filter: fall back to check-then-kill.
  } else {
    out->fd = static_cast<int>(fd);
  }
  // The pidfd pins the process; check it is the one the user chose. If the pid
  // was reused before pidfd_open, the start time differs and we let go.
  if (!sameProcess(procRoot, pid, startTime)) {
    closeProcess(out);
    return SignalResult::Gone;
  }
  return SignalResult::Sent;
}

SignalResult signalProcess(const std::string& procRoot, const ProcessHandle& h, int sig) {
  if (h.pid <= 1 || h.pid == getpid()) return SignalResult::Refused;
  long rc;
  if (h.fd >= 0) {
    rc = syscall(SYS_pidfd_send_signal, h.fd, sig, nullptr, 0);
  } else {
    if (!sameProcess(procRoot, h.pid, h.startTime)) return SignalResult::Gone;
    rc = kill(h.pid, sig);
  }
  if (rc == 0) return SignalResult::Sent;
  if (errno == ESRCH) return SignalResult::Gone;
  if (errno == EPERM) return SignalResult::Denied;
  return SignalResult::Error;
}

bool processExited(const std::string& procRoot, const ProcessHandle& h) {
  if (h.fd >= 0) {
    struct pollfd p = {h.fd, POLLIN, 0};
    int rc = poll(&p, 1, 0);
    return rc > 0 && (p.revents & (POLLIN | POLLHUP)) != 0;
  }
  return !sameProcess(procRoot, h.pid, h.startTime);
}

void closeProcess(ProcessHandle* h) {
  if (h->fd >= 0) close(h->fd);
  h->fd = -1;
}

}  // namespace spmon
