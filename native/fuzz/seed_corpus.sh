#!/usr/bin/env bash
# (Re)write the seed inputs of the fuzz regression corpus, test/fuzz-corpus/seed-*:
# real /proc and cgroup files of this machine and of test/fixtures, cut-off and
# garbage variants, and hand-made edge cases. Each input is one tag byte that picks
# the parser (native/fuzz/parse_targets.cc) followed by the file content.
# Files the fuzzer found (crash-*, found-*) are left alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=test/fuzz-corpus
mkdir -p "$out"
rm -f "$out"/seed-*

# The parser each tag picks, for file names (tags differ only in case: s/S, m/M).
declare -A parser=([s]=stat [m]=statm [S]=status [i]=io [r]=smaps [M]=meminfo [P]=procstat [u]=uptime
  [l]=cgroup-limit [c]=cpu.max [n]=mountinfo [g]=proc-cgroup [e]=unescape [k]=keyvalue [1]=number [d]=decimal)
# seed TAG NAME < content
seed() {
  { printf '%s' "$1"; cat; } >"$out/seed-${parser[$1]}-$2"
}
# from TAG NAME FILE [MAXBYTES]: a real file (skipped when unreadable), plus its first
# half (a read cut short) and the same bytes with every digit 7 turned into 'x'.
from() {
  local tag=$1 name=$2 file=$3 max=${4:-8192} tmp
  tmp=$(mktemp)
  if ! head -c "$max" "$file" >"$tmp" 2>/dev/null || [ ! -s "$tmp" ]; then rm -f "$tmp"; return 0; fi
  seed "$tag" "$name" <"$tmp"
  head -c $(( $(stat -c %s "$tmp") / 2 )) "$tmp" | seed "$tag" "$name-cut"
  tr '7' 'x' <"$tmp" | seed "$tag" "$name-garbled"
  rm -f "$tmp"
}

fx=test/fixtures
# /proc/<pid>/stat
from s self /proc/self/stat
from s kthread /proc/2/stat
printf '4242 (a) (b)) c) S 1 4242 4242 0 -1 4194560 0 0 0 0 7 3 0 0 20 0 1 0 123456 1000 10 18446744073709551615' | seed s comm-parens
printf '4242 () Z 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5' | seed s empty-comm
printf '4242 (x\n y\t) R 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99999999999999999999' | seed s starttime-overflow
printf '1 (init) S -9223372036854775808 -1 -1 -1 -1 0 0 0 0 0 18446744073709551615 18446744073709551615 0 0 20 0 -1 0 18446744073709551615 0 -1' | seed s extremes
printf ')(' | seed s reversed-parens
# A letter in place of each number from field 4 on: every early return of parseStat.
base=(S 1 4242 4242 0 -1 4194560 0 0 0 0 7 3 0 0 20 0 1 0 123456 1000 10)
for k in $(seq 4 24); do
  f=("${base[@]}")
  f[$((k - 3))]=z
  printf '4242 (bad%s) %s' "$k" "${f[*]}" | seed s "bad-field-$k"
done
printf '(' | seed s open-only
# statm, status, io
from m self /proc/self/statm
printf '0 0 0 0 0 0 0\n' | seed m zombie
printf '18446744073709551615 18446744073709551616 1' | seed m overflow
from S self /proc/self/status
from S kthread /proc/2/status
printf 'Name:\tx\nUid:\t4294967296\t0\t0\t0\nRssAnon:\t18014398509481984 kB\nVmSwap:\t12 MB\nRssFile:\t0x10 kB\nRssShmem:\t5 kB' | seed S edge
from i self /proc/self/io
printf 'rchar: 1\nwchar: 2 kB\nread_bytes: 1e9\nwrite_bytes: 18446744073709551615\n' | seed i edge
# smaps_rollup, smaps
from r rollup /proc/self/smaps_rollup
from r smaps /proc/self/smaps
printf 'Rss: 4 kB\nPss: 4 kB\nSwap:\nSwapPss: -1 kB\nPrivate_Clean:\t\t 9 kB \nPrivate_Dirty: 18014398509481984 kB\nPrivate_Dirty: 18014398509481984 kB\n' | seed r edge
# meminfo, /proc/stat, uptime
from M self /proc/meminfo
printf 'MemTotal: 1 kB\nMemFree: 2 kb\nMemAvailable 3 kB\n:4 kB\nCached: 5 kB' | seed M edge
from P self /proc/stat
printf 'cpu  1 2 3\ncpu0\ncpu9 1\ncpux\nbtime\nbtime 18446744073709551616\ncpu ' | seed P edge
from u self /proc/uptime
printf '12.\n' | seed u dot
printf '99999999999999999999.99 1' | seed u overflow
printf '1.0000000000000000000001' | seed u long-fraction
printf '12.25' | seed u no-newline
printf '1.x' | seed u dot-letter
# cgroup limit files, cpu.max
printf 'max\n' | seed l max
printf '9223372036854771712\n' | seed l v1-unlimited
printf '4611686018427387903\n' | seed l below-2-62
printf ' 536870912 \r\n' | seed l spaced
printf -- '-1\n' | seed l minus-one
printf 'maximum\n' | seed l maximum
from l v2-pod $fx/cgroup/v2/session.slice/pod.scope/memory.max
from l v1-limit $fx/cgroup/v1/sys/memory/kubepods/pod1/ctr/memory.limit_in_bytes
from c v2-pod $fx/cgroup/v2/session.slice/pod.scope/cpu.max
printf 'max 100000\n' | seed c max
printf '50000 0\n' | seed c zero-period
printf '18446744073709551615 1\n' | seed c huge-quota
printf '50000\n' | seed c no-period
printf '50000 x\n' | seed c bad-period
# mountinfo lines and their escapes
# Only the system mounts (/, /proc, /sys, /dev and the cgroup trees), not where this host keeps its files.
sysmounts=$(mktemp)
awk '$5 == "/" || $5 ~ /^\/(proc|sys|dev)(\/|$)/' /proc/self/mountinfo >"$sysmounts" || true
from n self "$sysmounts"
rm -f "$sysmounts"
from n v1 $fx/cgroup/v1/proc/self/mountinfo
from n hybrid $fx/cgroup/hybrid/proc/self/mountinfo
printf '30 22 0:26 /kube\\040pods /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory' | seed n escaped
printf '30 22 0:26 / /a shared:1 master:2 -' | seed n no-fstype
printf '1 2 3 4 5 - cgroup2' | seed n no-source
printf '%s' '\040\011\134\0' | seed e escapes
printf '%s' 'tail\04' | seed e cut-escape
printf '%s' '\777\400\38' | seed e out-of-range
printf '%s' '\08x\038\0a\4' | seed e bad-digits
# /proc/<pid>/cgroup and /proc/self/cgroup: real ones, then malformed lines (no id, a word for
# an id, one colon, an empty or relative path, CR line ends, a path holding ':') among good ones
from g self /proc/self/cgroup
from g v1 $fx/cgroup/v1/proc/self/cgroup
from g hybrid $fx/cgroup/hybrid/proc/self/cgroup
printf '0::/a:b/c\n' | seed g colon-in-path
printf 'garbage\n:memory:/x\nx:memory:/y\n4:memory\n4:memory:\n4:memory:rel\n-1::/z\n18446744073709551616::/o\n0::/ok\n' | seed g malformed
printf '0::/\r\n\n\n4:memory:/m' | seed g cr-and-blank
printf '1:name=systemd:/\n2:cpu,memory,pids:/k\n0::/u\n' | seed g comounted
# key/value files (memory.stat, cpu.stat, memory.events, memory.oom_control)
from k v2-memory-stat $fx/cgroup/v2/session.slice/pod.scope/memory.stat
from k v2-cpu-stat $fx/cgroup/v2/session.slice/pod.scope/cpu.stat
from k v2-events $fx/cgroup/v2/session.slice/pod.scope/memory.events
from k v1-memory-stat $fx/cgroup/v1/sys/memory/kubepods/pod1/ctr/memory.stat
from k v1-oom-control $fx/cgroup/v1/sys/memory/kubepods/pod1/ctr/memory.oom_control
printf 'anon 1\nfile\t\t2\r\nshmem 3 4\n 5\nkey\nkey 18446744073709551616\nx 1x' | seed k edge
# one-number files
from 1 v2-current $fx/cgroup/v2/session.slice/pod.scope/memory.current
printf ' \t42 \r\n\n' | seed 1 spaced
printf '' | seed 1 empty
printf '42 43\n' | seed 1 two
# decimal parsing itself
for n in 0 00000000000000000000000000042 18446744073709551615 18446744073709551616 99999999999999999999 \
  -9223372036854775807 -9223372036854775808 9223372036854775808 -0 - +1 ' 1'; do
  printf '%s' "$n" | seed d "$(printf '%s' "$n" | tr -- '-+ ' 'mps')"
done
echo "wrote $(ls "$out"/seed-* | wc -l) seed inputs to $out"
