// Small POSIX file helpers shared by the readers. No Node.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace spmon {

// Outcome of reading a file: ok, or why not (so callers can tell "gone" from "denied").
enum class ReadStatus { Ok, NotFound, Denied, Error };

// Read a whole file relative to dirfd (AT_FDCWD for absolute paths) into out,
// up to maxBytes. Reuses out's capacity across calls. With keepFd, an fd that was
// opened stays open and is stored there (-1 when the open failed) for readFd later.
ReadStatus readFileAt(int dirfd, const char* path, std::string* out, size_t maxBytes = 1 << 22,
                      int* keepFd = nullptr);

// Read an open file from offset 0 to EOF (pread: the fd can be read again next time).
// On /proc, an fd of a process that has exited reads ESRCH: NotFound.
ReadStatus readFd(int fd, std::string* out, size_t maxBytes = 1 << 22);

// File fds held open across samples by every reader of this process (processes' files, the cgroup's and the
// host's), and how many may be: half the fd limit less a margin, so the deferred smaps reads (a quarter) and
// Node itself (the rest) never run out. A reader past it opens its files each time, as before.
extern std::atomic<size_t> gHeldFds;
size_t heldFileFdLimit();

// Pseudo-files read again and again by path (procfs, cgroupfs): each is kept open after its first read and
// read again from offset 0, which makes the kernel generate it afresh, so a later read costs a pread instead
// of a path lookup, an open and a close. Only for pseudo-files: a plain file replaced by a rename would keep
// showing its old inode. A held fd that fails to read (its cgroup was removed: ENODEV) is closed and the path
// opened again, and lost() says so until clear(). Within gHeldFds' limit; past it, a path is opened each read.
class HeldFiles {
 public:
  HeldFiles() = default;
  HeldFiles(const HeldFiles&) = delete;
  HeldFiles& operator=(const HeldFiles&) = delete;
  ~HeldFiles() { clear(); }
  ReadStatus read(const std::string& path, std::string* out, size_t maxBytes = 1 << 22);
  void clear();
  bool lost() const { return lost_; }

 private:
  std::unordered_map<std::string, int> fds_;
  bool lost_ = false;
};

// held ? held->read(path) : open, read and close path.
ReadStatus readPath(HeldFiles* held, const std::string& path, std::string* out);

// The filesystem a path is on (statfs's f_type; 0 when it cannot be told), and those held fds rely on.
long fsType(const std::string& path);
constexpr long kProcSuperMagic = 0x9fa0;
constexpr long kCgroupSuperMagic = 0x27e0eb;
constexpr long kCgroup2SuperMagic = 0x63677270;

// Held fds of processes' files are only safe on procfs: there an fd of a process that has exited reads ESRCH,
// so it can never show a newcomer that reused the pid. A fixture tree of plain files has no such guarantee.
inline bool isProcfs(const std::string& path) { return fsType(path) == kProcSuperMagic; }

// Join two path pieces with one '/'.
std::string joinPath(const std::string& a, const std::string& b);

bool isDirectory(const std::string& path);

// Whether fd is a terminal, and its size in columns and rows (0 when the terminal does not say). The dashboard
// draws its first frame with these before Node makes its terminal streams (lib/ui/first_paint.ts).
bool terminalSize(int fd, int* columns, int* rows);

}  // namespace spmon
