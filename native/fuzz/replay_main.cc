// Replays corpus files through the parsers without libFuzzer, so any compiler with
// AddressSanitizer and UBSan (g++ in CI) can check the regression corpus:
//
//   replay FILE|DIR...     each file: the parser its first byte selects, then every
//                          parser over the rest of the file; prints "replayed N inputs"
//   replay --list          the parser tags, one "<tag> <name>" a line
//   replay --selftest asan|ubsan
//                          commit a heap overflow / a signed overflow on purpose, to show
//                          that the sanitizers are really compiled in (the test expects a report)
//
// Each input is copied into a heap block of exactly its size, so a read one byte
// past the end is an AddressSanitizer report, as it is under libFuzzer.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "parse_targets.h"

namespace {

bool readFile(const std::string& path, std::vector<uint8_t>* out) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  out->clear();
  uint8_t chunk[65536];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof(chunk), f)) > 0) out->insert(out->end(), chunk, chunk + n);
  bool ok = !std::ferror(f);
  std::fclose(f);
  return ok;
}

void collect(const std::string& path, std::vector<std::string>* files) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    std::fprintf(stderr, "replay: cannot stat %s\n", path.c_str());
    std::exit(2);
  }
  if (!S_ISDIR(st.st_mode)) {
    files->push_back(path);
    return;
  }
  DIR* d = opendir(path.c_str());
  if (!d) {
    std::fprintf(stderr, "replay: cannot open %s\n", path.c_str());
    std::exit(2);
  }
  std::vector<std::string> names;
  while (struct dirent* de = readdir(d)) {
    if (de->d_name[0] == '.') continue;  // ., .., and hidden files such as .gitattributes
    names.push_back(de->d_name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) collect(path + "/" + n, files);
}

// A heap block of exactly len bytes holding data (malloc(0) is fine: nothing is read).
void runExact(const uint8_t* data, size_t len, bool one) {
  uint8_t* copy = static_cast<uint8_t*>(std::malloc(len ? len : 1));
  if (len) std::memcpy(copy, data, len);
  if (one) spmon::fuzz::runOne(copy, len);
  else spmon::fuzz::runAll(reinterpret_cast<const char*>(copy), len);
  std::free(copy);
}

int selftest(const char* what) {
  if (std::strcmp(what, "asan") == 0) {
    volatile size_t n = 8;
    char* p = static_cast<char*>(std::malloc(n));
    std::memset(p, 'x', n);
    volatile char c = p[n];  // one past the end
    std::free(p);
    return c == 'x' ? 3 : 4;
  }
  if (std::strcmp(what, "ubsan") == 0) {
    volatile int big = INT_MAX;
    volatile int r = big + 1;  // signed overflow
    return r == 0 ? 3 : 4;
  }
  std::fprintf(stderr, "replay: unknown self-test %s\n", what);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--list") == 0) {
    size_t n;
    const spmon::fuzz::Target* t = spmon::fuzz::targets(&n);
    for (size_t i = 0; i < n; i++) std::printf("%c %s\n", t[i].tag, t[i].name);
    return 0;
  }
  if (argc == 3 && std::strcmp(argv[1], "--selftest") == 0) return selftest(argv[2]);
  if (argc < 2) {
    std::fprintf(stderr, "usage: replay FILE|DIR... | --list | --selftest asan|ubsan\n");
    return 2;
  }
  std::vector<std::string> files;
  for (int i = 1; i < argc; i++) collect(argv[i], &files);
  std::vector<uint8_t> data;
  for (const std::string& f : files) {
    if (!readFile(f, &data)) {
      std::fprintf(stderr, "replay: cannot read %s\n", f.c_str());
      return 2;
    }
    // Say which file runs before running it: a sanitizer report then names it.
    std::printf("replay %s\n", f.c_str());
    std::fflush(stdout);
    runExact(data.data(), data.size(), true);
    if (!data.empty()) runExact(data.data() + 1, data.size() - 1, false);
  }
  std::printf("replayed %zu inputs\n", files.size());
  return 0;
}
