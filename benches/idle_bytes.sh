#!/usr/bin/env bash
# Bytes written to the terminal per minute while steady, measured through the terminal itself
# (tmux pipe-pane), side by side: the cockpit, the bare 1 Hz ratatui clock (the floor, plain and
# with synchronized output), and `watch -n 2` + curl of the sandbox's three /health URLs.
# Loopback only. Duration: SETTLE + SECS (default 10 + 60 s); all four run at once.
#   benches/idle_bytes.sh [SECS]
source "$(dirname "$0")/lib.sh"
SECS=${1:-${SECS:-60}}
SETTLE=${SETTLE:-10}
build
BARE=$(bench_exe bare_clock)
start_sandbox 20
ENV=$(bench_env)
URLS=$("$BIN" status --json --sandbox "$SANDBOX" | jq -r '.lanes[].service.uri + "/health"' | tr '\n' ' ')
CURLS=$(for u in $URLS; do printf 'curl -s %s; echo; ' "$u"; done)

session cockpit "$ENV" "$BIN" --sandbox "$SANDBOX"
session phases "$ENV" "$BIN" --sandbox "$SANDBOX"
session bare "$ENV" "$BARE"
session bare_sync "$ENV" "$BARE" --sync
session watch "$ENV" watch -n 2 "'$CURLS'"
sleep 2
tmux_ send-keys -t phases Tab   # the Phases pane (a finished run: no live ETA)
sleep "$SETTLE"
CASES="cockpit phases bare bare_sync watch"
for s in $CASES; do
    : > "$WORK/$s.bytes"
    tmux_ pipe-pane -o -t "$s" "cat >> $WORK/$s.bytes"
done
sleep "$SECS"
for s in $CASES; do tmux_ pipe-pane -t "$s"; done
sleep 0.2
echo "terminal bytes while idle, ${SECS} s after ${SETTLE} s settling, 100x30 pane:"
for s in $CASES; do
    label=$s
    case $s in
        cockpit) label="flightdeck (Activity pane)" ;;
        phases) label="flightdeck (Phases pane)" ;;
        bare) label="bare ratatui 1 Hz clock" ;;
        bare_sync) label="bare clock + synchronized output" ;;
        watch) label="watch -n 2 + 3x curl /health" ;;
    esac
    printf '  %-36s %s\n' "$label" "$(per_min "$(stat -c %s "$WORK/$s.bytes")" "$SECS")"
done
if [ -n "${KEEP:-}" ]; then cp "$WORK"/*.bytes "$KEEP"/; fi
