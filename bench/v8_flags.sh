#!/bin/bash
# The dashboard's RSS and CPU under V8 flags, one run: `bash bench/v8_flags.sh <label> [node flags...]`.
# A private tmux server (own TMUX_TMPDIR, -f /dev/null) at 120x40 and a private HOME; 8 s of warm-up, then
# utime + stime of the dashboard over the window (clock ticks) and its VmRSS/VmHWM at the end. The tmux server
# it started is ended by its own socket only. docs/performance.md, "V8 flags for the dashboard's memory" and
# "Issue 17, fourth round".
#   V8_FLAGS_WINDOWS="30 30 30"  the window in parts (s): VmRSS after each (the "90 s variant"); default "30"
#   SPMON_ROOT=<checkout>         run another checkout's bin/spmon (A/B against a build of another commit)
set -eu
label=$1; shift
root=${SPMON_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
windows=${V8_FLAGS_WINDOWS:-30}
work=$(mktemp -d); trap 'tmux -S "$work/tmux/s" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/tmux" "$work/home"; chmod 700 "$work/tmux"
tmux -S "$work/tmux/s" -f /dev/null new-session -d -x 120 -y 40 \
  "env HOME=$work/home LANG=C.UTF-8 node $* $root/bin/spmon --interval 1"
sleep 8
pid=$(tmux -S "$work/tmux/s" list-panes -F '#{pane_pid}')
t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
rss="" total=0
for w in $windows; do
  sleep "$w"; total=$((total + w))
  rss="$rss${rss:+/}$(awk '/VmRSS/{print $2}' "/proc/$pid/status")"
done
t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
echo "$label anon_kB=$(awk "/RssAnon/{print \$2}" /proc/$pid/status) rss_kB=$rss hwm_kB=$(awk '/VmHWM/{print $2}' "/proc/$pid/status") cpu_ticks_${total}s=$((t1 - t0)) processes=$(ls /proc | grep -c '^[0-9]')"
