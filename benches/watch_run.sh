#!/usr/bin/env bash
# What watching a ten-job release run costs: counted GitHub requests (not answered 304) and bytes
# written to the terminal, measured through tmux, while the cockpit shows the Phases pane.
# Loopback only; bounded (DURATION seconds, default 60). Needs a release build and tmux.
# Usage: benches/watch_run.sh [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-60}
bin=target/release/flightdeck
[ -x "$bin" ] || cargo build --release --quiet
port=$((20000 + RANDOM % 20000))
work=$(mktemp -d)
sock="fd-watch-$$"
cleanup() { tmux -L "$sock" kill-server 2>/dev/null || true; kill "$sandbox" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
# speed 1: the run moves at its real pace (about 90 minutes), as it would on GitHub.
"$bin" sandbox --addr "127.0.0.1:$port" --speed 1 >/dev/null 2>&1 &
sandbox=$!
for _ in $(seq 50); do curl -fs "127.0.0.1:$port/_sandbox" >/dev/null && break; sleep 0.1; done
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state"
# The sandbox profile at speed 1, so the phases' expected durations are the seed's real ones.
sed 's/^speed = .*/speed = 1/' profiles/sandbox.toml > "$work/real-pace.toml"
profile="$work/real-pace.toml"
"$bin" --profile "$profile" --sandbox "127.0.0.1:$port" trigger 1.5.0 --via github --yes >/dev/null 2>&1
tmux -L "$sock" new-session -d -x 100 -y 30 "LANG=C.UTF-8 $bin --profile $profile --sandbox 127.0.0.1:$port"
sleep 2
tmux -L "$sock" send-keys Tab
sleep 2
before=$(curl -fs "127.0.0.1:$port/_sandbox/github/stats")
tmux -L "$sock" pipe-pane -o "cat > $work/bytes"
sleep "$duration"
tmux -L "$sock" pipe-pane
after=$(curl -fs "127.0.0.1:$port/_sandbox/github/stats")
bytes=$(wc -c < "$work/bytes")
python3 - "$before" "$after" "$bytes" "$duration" <<'PY'
import json, sys
b, a = json.loads(sys.argv[1]), json.loads(sys.argv[2])
bytes_, secs = int(sys.argv[3]), float(sys.argv[4])
req = a["requests"] - b["requests"]
counted = a["counted"] - b["counted"]
per_h = 3600 / secs
print(f"watched {secs:.0f}s: {req} requests ({counted} counted, {a['not_modified'] - b['not_modified']} answered 304)")
print(f"per hour: {req * per_h:.0f} requests, {counted * per_h:.0f} counted")
print(f"terminal: {bytes_} bytes = {bytes_ * 60 / secs / 1024:.2f} KB/min")
PY
