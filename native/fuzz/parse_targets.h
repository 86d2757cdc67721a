// One entry point that feeds a byte buffer to the pure parsers of native/parse.h,
// shared by the libFuzzer harness (parse_fuzz.cc) and the sanitizer replay of the
// regression corpus (replay_main.cc). No Node, no I/O.
//
// An input's first byte chooses the parser (see kTargets in parse_targets.cc; a
// byte that is no tag picks one by its value modulo the number of parsers); the
// rest of the input is the file content. Besides memory safety, each target checks
// invariants of the result (sizes are never negative, "unknown" stays NaN, a parsed
// number round-trips) and aborts with a message when one fails, so the fuzzer
// reports wrong answers as well as crashes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace spmon {
namespace fuzz {

struct Target {
  char tag;          // first byte of a corpus input
  const char* name;  // what the rest of the input is, e.g. "stat" for /proc/<pid>/stat
  void (*run)(const char* buf, size_t len);
};

// Every parser target, in a fixed order.
const Target* targets(size_t* count);

// The target an input's first byte selects.
const Target& targetFor(uint8_t first);

// Run the target the first byte selects over data[1..size). Empty input: nothing.
void runOne(const uint8_t* data, size_t size);

// Run every target over the same buffer (the replay does this too, so each corpus
// file exercises all parsers, not only the one it was written for).
void runAll(const char* buf, size_t len);

}  // namespace fuzz
}  // namespace spmon
