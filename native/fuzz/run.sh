#!/usr/bin/env bash
# npm run fuzz: build the libFuzzer harness for native/parse.cc and run it for a bounded time.
#
#   FUZZ_SECONDS=60     how long to fuzz (default 60)
#   FUZZ_MAX_LEN=16384  largest input libFuzzer makes
#   FUZZ_CXX=clang++    the compiler (needs libFuzzer: Debian's clang + libclang-rt-<version>-dev)
#   FUZZ_JOBS=1         parallel fuzzing processes (libFuzzer -fork)
#
# Inputs: test/fuzz-corpus (the regression corpus, read only) and fuzz-out/corpus (FUZZ_OUT), where
# libFuzzer writes the new inputs it finds interesting (kept across runs). A crash, leak,
# sanitizer report or broken invariant is written to fuzz-out/artifacts/ and the run fails;
# after fixing the parser, copy the input to test/fuzz-corpus/crash-<what> so `npm test`
# replays it for good. Ends with the line coverage of native/parse.cc over everything found.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${FUZZ_SECONDS:-60}
maxlen=${FUZZ_MAX_LEN:-16384}
jobs=${FUZZ_JOBS:-1}
cxx=${FUZZ_CXX:-clang++}
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "npm run fuzz needs clang with libFuzzer: apt-get install -y clang libclang-rt-14-dev (or set FUZZ_CXX)" >&2
  exit 2
fi

out=${FUZZ_OUT:-fuzz-out}
mkdir -p "$out/corpus" "$out/artifacts"
srcs=(native/fuzz/parse_fuzz.cc native/fuzz/parse_targets.cc native/parse.cc)
flags=(-std=c++17 -g -O1 -fno-omit-frame-pointer -Wall -Wextra)

echo "building $out/parse_fuzz with $cxx -fsanitize=fuzzer,address,undefined"
"$cxx" "${flags[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o "$out/parse_fuzz" "${srcs[@]}"

args=(-max_total_time="$seconds" -max_len="$maxlen" -dict=native/fuzz/parse.dict -use_value_profile=1
  -print_final_stats=1 -artifact_prefix="$out/artifacts/" -timeout=10 -rss_limit_mb=2048)
[ "$jobs" -gt 1 ] && args+=(-fork="$jobs")
echo "fuzzing for ${seconds}s (new inputs go to $out/corpus)"
status=0
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$out/parse_fuzz" "${args[@]}" "$out/corpus" test/fuzz-corpus || status=$?

# Line coverage of the parsers over the regression corpus and everything the fuzzer kept.
prof=$(command -v llvm-profdata || true)
cov=$(command -v llvm-cov || true)
if [ -n "$prof" ] && [ -n "$cov" ]; then
  "$cxx" "${flags[@]}" -fprofile-instr-generate -fcoverage-mapping -o "$out/replay_cov" \
    native/fuzz/replay_main.cc native/fuzz/parse_targets.cc native/parse.cc
  LLVM_PROFILE_FILE="$out/replay.profraw" "$out/replay_cov" test/fuzz-corpus "$out/corpus" >/dev/null
  "$prof" merge -sparse -o "$out/replay.profdata" "$out/replay.profraw"
  echo "coverage of native/parse.cc and parse.h by test/fuzz-corpus + $out/corpus ($(ls "$out/corpus" | wc -l) inputs):"
  "$cov" report "$out/replay_cov" -instr-profile="$out/replay.profdata" native/parse.cc native/parse.h
fi

if [ "$status" -ne 0 ]; then
  echo "the fuzzer failed (status $status): see the report above and $out/artifacts/" >&2
fi
exit "$status"
