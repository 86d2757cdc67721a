#include "fileio.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
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
