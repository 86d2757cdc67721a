// Small POSIX file helpers shared by the readers. No Node.
#pragma once

#include <string>

namespace spmon {

// Outcome of reading a file: ok, or why not (so callers can tell "gone" from "denied").
enum class ReadStatus { Ok, NotFound, Denied, Error };

// Read a whole file relative to dirfd (AT_FDCWD for absolute paths) into out,
// up to maxBytes. Reuses out's capacity across calls.
ReadStatus readFileAt(int dirfd, const char* path, std::string* out, size_t maxBytes = 1 << 22);

// Join two path pieces with one '/'.
std::string joinPath(const std::string& a, const std::string& b);

bool isDirectory(const std::string& path);

}  // namespace spmon
