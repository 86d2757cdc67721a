#!/bin/bash
# Two daemons side by side, not scraped, each in a private HOME and XDG dirs: the run time of all their threads
# (/proc/<pid>/task/*/schedstat, ns) over --seconds after a 20 s warm-up, and VmRSS at the end. Side by side,
# so that what else the machine does falls on both alike. Each is ended by its pid.
#   bash bench/daemon_pair.sh <before-checkout> [<after-checkout, default this one>] [seconds, default 90]
# docs/performance.md, "Issue 17, twelfth round".
set -eu
[ $# -ge 1 ] || { echo "usage: bash bench/daemon_pair.sh <before-checkout> [<after-checkout>] [seconds]" >&2; exit 2; }
before=$(cd "$1" && pwd); after=$(cd "${2:-$(dirname "$0")/..}" && pwd); secs=${3:-90}
work=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
start() { # side checkout -> pid
  local d="$work/$1"; mkdir -p "$d/run" "$d/state" "$d/home"; chmod 700 "$d/run"
  env -i PATH="$PATH" HOME="$d/home" XDG_RUNTIME_DIR="$d/run" XDG_STATE_HOME="$d/state" LANG=C.UTF-8 \
    "$2/bin/spmon" daemon --detach | sed -n 's/.*daemon pid \([0-9]*\).*/\1/p'
}
runtime() { local s=0 f; for f in /proc/$1/task/*/schedstat; do s=$((s + $(cut -d' ' -f1 "$f"))); done; echo $s; }
a=$(start before "$before"); pids+=("$a"); b=$(start after "$after"); pids+=("$b")
sleep 20
a0=$(runtime "$a"); b0=$(runtime "$b")
sleep "$secs"
a1=$(runtime "$a"); b1=$(runtime "$b")
echo "daemons over ${secs} s, $(ls /proc | grep -c '^[0-9]') processes: before $(( (a1 - a0) / secs / 1000 )) µs/s, after $(( (b1 - b0) / secs / 1000 )) µs/s, after/before $(awk -v x=$((b1 - b0)) -v y=$((a1 - a0)) 'BEGIN{printf "%.3f", x/y}'); VmRSS kB before $(awk '/VmRSS/{print $2}' /proc/$a/status), after $(awk '/VmRSS/{print $2}' /proc/$b/status)"
