#!/bin/bash
# The idle CPU and RSS of one dashboard command, as a user starts it: `bash bench/idle_cpu.sh <command...>`
# (for example `bash bench/idle_cpu.sh bin/spmon` against `bash bench/idle_cpu.sh node bin/spmon`). A private
# tmux server (own TMUX_TMPDIR, -f /dev/null) at 120x40 and a private HOME; 20 s of warm-up, then utime +
# stime of the process and its reaped children over 60 s (clock ticks), its own minor page faults over the
# same 60 s (each one a page V8 or malloc took afresh) and its VmRSS at the end. The tmux
# server it started is ended by its own socket only. docs/performance.md, "Issue 17, third round".
set -eu
[ $# -gt 0 ] || { echo "usage: bash bench/idle_cpu.sh <command...>" >&2; exit 2; }
work=$(mktemp -d); trap 'TMUX_TMPDIR="$work/tmux" tmux kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/tmux" "$work/home"; chmod 700 "$work/tmux"
TMUX_TMPDIR="$work/tmux" tmux -f /dev/null new-session -d -x 120 -y 40 "env HOME=$work/home LANG=C.UTF-8 $* --interval 1"
sleep 20
pid=$(TMUX_TMPDIR="$work/tmux" tmux list-panes -F '#{pane_pid}')
t0=$(awk '{print $14+$15+$16+$17}' "/proc/$pid/stat"); f0=$(awk '{print $10}' "/proc/$pid/stat")
sleep 60
t1=$(awk '{print $14+$15+$16+$17}' "/proc/$pid/stat"); f1=$(awk '{print $10}' "/proc/$pid/stat")
echo "$* ticks_60s=$((t1 - t0)) minor_faults_60s=$((f1 - f0)) rss_kB=$(awk '/VmRSS/{print $2}' "/proc/$pid/status") processes=$(ls /proc | grep -c '^[0-9]') load=$(cut -d' ' -f1 /proc/loadavg)"
