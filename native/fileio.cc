#include "fileio.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

namespace spmon {

ReadStatus readFileAt(int dirfd, const char* path, std::string* out, size_t maxBytes, int* keepFd) {
  out->clear();
  if (keepFd) *keepFd = -1;
  int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    if (errno == ENOENT || errno == ESRCH || errno == ENOTDIR) return ReadStatus::NotFound;
    if (errno == EACCES || errno == EPERM) return ReadStatus::Denied;
    return ReadStatus::Error;
  }
  ReadStatus status = readFd(fd, out, maxBytes);
  if (keepFd) *keepFd = fd;
  else close(fd);
  return status;
}

ReadStatus readFd(int fd, std::string* out, size_t maxBytes) {
  out->clear();
  if (out->capacity() < 4096) out->reserve(4096);
  size_t used = 0;
  ReadStatus status = ReadStatus::Ok;
  for (;;) {
    if (used == out->size()) {
      size_t next = out->size() < 4096 ? 4096 : out->size() * 2;
      if (next > maxBytes) next = maxBytes;
      if (next <= used) break;  // truncated at maxBytes
      out->resize(next);
    }
    ssize_t n = pread(fd, &(*out)[used], out->size() - used, static_cast<off_t>(used));
    if (n < 0) {
      if (errno == EINTR) continue;
      // ESRCH: the process exited while we read; EACCES/EPERM: denied at read time.
      if (errno == ESRCH || errno == ENOENT) status = ReadStatus::NotFound;
      else if (errno == EACCES || errno == EPERM) status = ReadStatus::Denied;
      else status = ReadStatus::Error;
      break;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  out->resize(used);
  if (status != ReadStatus::Ok) out->clear();
  return status;
}

std::atomic<size_t> gHeldFds{0};

size_t heldFileFdLimit() {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  if (rl.rlim_cur == RLIM_INFINITY) return 65536;
  size_t half = static_cast<size_t>(rl.rlim_cur / 2);
  return half > 64 ? half - 64 : 0;
}

ReadStatus HeldFiles::read(const std::string& path, std::string* out, size_t maxBytes) {
  auto it = fds_.find(path);
  if (it != fds_.end()) {
    ReadStatus status = readFd(it->second, out, maxBytes);
    if (status == ReadStatus::Ok) return status;
    close(it->second);
    fds_.erase(it);
    gHeldFds--;
    lost_ = true;
  }
  int fd = -1;
  const bool room = gHeldFds + 1 <= heldFileFdLimit();
  ReadStatus status = readFileAt(AT_FDCWD, path.c_str(), out, maxBytes, room ? &fd : nullptr);
  if (fd >= 0) {
    if (status == ReadStatus::Ok) {
      fds_.emplace(path, fd);
      gHeldFds++;
    } else {
      close(fd);
    }
  }
  return status;
}

void HeldFiles::clear() {
  for (auto& kv : fds_) {
    close(kv.second);
    gHeldFds--;
  }
  fds_.clear();
  lost_ = false;
}

ReadStatus readPath(HeldFiles* held, const std::string& path, std::string* out) {
  return held ? held->read(path, out) : readFileAt(AT_FDCWD, path.c_str(), out);
}

long fsType(const std::string& path) {
  struct statfs sf;
  return statfs(path.c_str(), &sf) == 0 ? static_cast<long>(sf.f_type) : 0;
}

std::string joinPath(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  bool as = a.back() == '/';
  bool bs = b.front() == '/';
  if (as && bs) return a + b.substr(1);
  if (as || bs) return a + b;
  return a + "/" + b;
}

bool isDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool terminalSize(int fd, int* columns, int* rows) {
  *columns = 0;
  *rows = 0;
  if (!isatty(fd)) return false;
  struct winsize ws = {};
  if (ioctl(fd, TIOCGWINSZ, &ws) == 0) {
    *columns = ws.ws_col;
    *rows = ws.ws_row;
  }
  return true;
}

}  // namespace spmon
