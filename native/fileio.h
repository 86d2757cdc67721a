// Small POSIX file helpers shared by the readers. No Node.
#pragma once

#include <string>

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

// Join two path pieces with one '/'.
std::string joinPath(const std::string& a, const std::string& b);

bool isDirectory(const std::string& path);

// Whether fd is a terminal, and its size in columns and rows (0 when the terminal does not say). The dashboard
// draws its first frame with these before Node makes its terminal streams (lib/ui/first_paint.ts).
bool terminalSize(int fd, int* columns, int* rows);

}  // namespace spmon
