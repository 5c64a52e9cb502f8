#!/usr/bin/env bash
# CPU while idle (utime+stime from /proc/PID/stat over SECS) and memory (VmRSS, VmHWM) of the
# cockpit: (a) the default sandbox profile on an empty ledger, (b) 3 lanes, 300 probes (100 per
# lane on the sandbox's /health) and a 10,000-entry ledger; the bare 1 Hz clock as the floor.
# Loopback only. Duration: ledger fill (~10-40 s) + SETTLE + SECS (default 10 + 60 s).
#   benches/idle_cpu_mem.sh [SECS]
source "$(dirname "$0")/lib.sh"
SECS=${1:-${SECS:-60}}
SETTLE=${SETTLE:-10}
ENTRIES=${ENTRIES:-10000}
build
BARE=$(bench_exe bare_clock)
FILL=$(bench_exe ledger_fill)
start_sandbox 20
ENV=$(bench_env)

# The loaded profile: the sandbox's lanes, 100 probes each, its own ledger file.
PROFILE=$WORK/loaded.toml
LEDGER=$WORK/loaded.jsonl
probe_profile "$PROFILE" "$LEDGER" 100 2
"$FILL" --ledger "$LEDGER" --count "$ENTRIES"

session plain "$ENV" "$BIN" --sandbox "$SANDBOX"
session loaded "$ENV" "$BIN" --sandbox "$SANDBOX" --profile "$PROFILE"
session bare "$ENV" "$BARE" --sync
sleep "$SETTLE"
HZ=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
declare -A PID T0
CASES="plain loaded bare"
for s in $CASES; do PID[$s]=$(pane_pid "$s"); T0[$s]=$(ticks "${PID[$s]}"); done
START=$(date +%s.%N)
sleep "$SECS"
END=$(date +%s.%N)
echo "idle CPU and memory, ${SECS} s after ${SETTLE} s settling (CLK_TCK=$HZ):"
for s in $CASES; do
    pid=${PID[$s]}
    t1=$(ticks "$pid")
    rss=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
    hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
    threads=$(awk '/Threads/ { print $2 }' "/proc/$pid/status")
    case $s in
        plain) label="flightdeck, sandbox profile, empty ledger" ;;
        loaded) label="flightdeck, 300 probes, $ENTRIES-entry ledger" ;;
        bare) label="bare ratatui 1 Hz clock" ;;
    esac
    awk -v l="$label" -v d=$((t1 - ${T0[$s]})) -v hz="$HZ" -v a="$START" -v b="$END" \
        -v rss="$rss" -v hwm="$hwm" -v th="$threads" \
        'BEGIN { printf "  %-46s CPU %.3f %% of a core (%d ticks)  VmRSS %.1f MB  VmHWM %.1f MB  threads %d\n", l, d / hz / (b - a) * 100, d, rss / 1024, hwm / 1024, th }'
done
printf '  ledger: %s entries, %s bytes\n' "$(wc -l < "$LEDGER")" "$(stat -c %s "$LEDGER")"
tmux_ capture-pane -p -t loaded | grep -q Ready || echo "  (warning: the loaded cockpit shows no Ready lane)"
