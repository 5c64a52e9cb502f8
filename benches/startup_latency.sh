#!/usr/bin/env bash
# Start-up to first frame (sandbox already running) and key-to-frame latency, timed on a
# pseudo-terminal by benches/pty_timing.py: a frame is complete at its synchronized-output end.
# Loopback only; bounded (RUNS start-ups, PAIRS help open/close pairs: ~RUNS*0.5 + PAIRS*2 s).
#   benches/startup_latency.sh [RUNS] [PAIRS]
source "$(dirname "$0")/lib.sh"
RUNS=${1:-20}
PAIRS=${2:-60}
build
start_sandbox 20
mkdir -p "$WORK/xdg/config" "$WORK/xdg/data" "$WORK/xdg/state"
BENCH_ENV=$(printf '%s\x1f' PATH=/usr/bin:/bin HOME="$WORK" TERM=xterm-256color LANG=C.UTF-8 \
    XDG_CONFIG_HOME="$WORK/xdg/config" XDG_DATA_HOME="$WORK/xdg/data" XDG_STATE_HOME="$WORK/xdg/state")
export BENCH_ENV
PY=$(dirname "$0")/pty_timing.py
timeout 120 python3 "$PY" startup "$RUNS" "$BIN" --sandbox "$SANDBOX"
timeout 300 python3 "$PY" latency "$PAIRS" "$BIN" --sandbox "$SANDBOX"
# The same under load: 1,002 probes (334 per lane) each every second on the sandbox's /health.
probe_profile "$WORK/load.toml" "$WORK/load.jsonl" 334 1
echo "under load: 1,002 probes at 1 s interval (about 1,000 requests/s to the loopback sandbox)"
timeout 300 python3 "$PY" latency "$PAIRS" "$BIN" --sandbox "$SANDBOX" --profile "$WORK/load.toml"
