// libFuzzer harness for the pure parsers in native/parse.h. Built and run by
// `npm run fuzz` (native/fuzz/run.sh) with clang -fsanitize=fuzzer,address,undefined.
// The first input byte chooses the parser; see parse_targets.h.
#include <cstddef>
#include <cstdint>

#include "parse_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  spmon::fuzz::runOne(data, size);
  return 0;
}
