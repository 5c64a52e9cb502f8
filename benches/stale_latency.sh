#!/usr/bin/env bash
# STALE latency with the API frozen: the cockpit (release binary, in tmux) watches a
# `flightdeck sandbox`; the sandbox process is stopped (SIGSTOP) at a random moment of the poll
# cycle, and the time until every lane header reads STALE is measured from the screen; then it is
# resumed (SIGCONT) and the time until no lane reads STALE is measured. Promise: STALE within two
# poll intervals plus one second (5 s at the sandbox's 2 s), fresh within one interval of recovery.
#   benches/stale_latency.sh [TRIALS]
source "$(dirname "$0")/lib.sh"
TRIALS=${1:-${TRIALS:-10}}
[ -n "${FLIGHTDECK_BIN:-}" ] && BIN=$FLIGHTDECK_BIN || build
start_sandbox 20
ENV=$(bench_env)
session cockpit "$ENV" "$BIN" --sandbox "$SANDBOX" --read-only
now_ms() { date +%s%3N; }
# Lane headers reading STALE: the top border row of the lane cards (other rows, such as the
# status bar's pipeline line, say STALE too and are not counted).
stale_lanes() {
    tmux_ capture-pane -p -t cockpit | grep -m1 -E '(╭|\+).*dev.*staging' | grep -o ' STALE ' | wc -l
}
wait_for() { # CONDITION-COMMAND TIMEOUT_MS: prints the elapsed ms when it held, or "timeout"
    local start end
    start=$(now_ms)
    while :; do
        if eval "$1"; then end=$(now_ms); echo $((end - start)); return; fi
        [ $(($(now_ms) - start)) -gt "$2" ] && { echo timeout; return; }
        sleep 0.02
    done
}
wait_for '[ "$(stale_lanes)" -eq 0 ] && tmux_ capture-pane -p -t cockpit | grep -q "dev"' 15000 >/dev/null
STALE=() FRESH=()
for i in $(seq "$TRIALS"); do
    sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 1 + (r % 200) / 100 }')"
    kill -STOP "$SANDBOX_PID"
    STALE+=("$(wait_for '[ "$(stale_lanes)" -ge 3 ]' 20000)")
    kill -CONT "$SANDBOX_PID"
    FRESH+=("$(wait_for '[ "$(stale_lanes)" -eq 0 ]' 20000)")
    echo "trial $i: STALE after ${STALE[-1]} ms, fresh ${FRESH[-1]} ms after resuming"
done
summary() { # LABEL VALUES...
    local label=$1
    shift
    printf '%s\n' "$@" | grep -v timeout | sort -n | awk -v l="$label" -v n="$#" '
        { v[NR] = $1 } END { if (NR == 0) { print l ": no value"; exit }
        printf "%s: p50 %.1f s, max %.1f s (%d of %d trials)\n", l, v[int((NR + 1) / 2)] / 1000, v[NR] / 1000, NR, n }'
}
summary "STALE latency, API frozen (2 s interval)" "${STALE[@]}"
summary "fresh again after resuming" "${FRESH[@]}"
