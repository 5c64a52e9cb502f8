# Shared by benches/*.sh: the release binary, a loopback sandbox, tmux sessions of our own.
# Everything started here is stopped by `cleanup` (trap EXIT), by pid or by our tmux socket.

set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${FLIGHTDECK_BIN:-$ROOT/target/release/flightdeck}
WORK=$(mktemp -d /tmp/flightdeck-bench.XXXXXX)
SOCK=fd-bench-$$
SANDBOX_PID=
export LANG=C.UTF-8

cleanup() {
    tmux -L "$SOCK" kill-server 2>/dev/null || true
    [ -n "$SANDBOX_PID" ] && kill "$SANDBOX_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

build() {
    (cd "$ROOT" && cargo build --release --quiet)
}

# bench_exe NAME: build a bench target (harness = false) and print its executable.
bench_exe() {
    (cd "$ROOT" && cargo bench --no-run --quiet --bench "$1" --message-format=json 2>/dev/null) |
        jq -r --arg n "$1" 'select(.executable != null and .target.name == $n) | .executable' | tail -1
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_sandbox [SPEED]: a `flightdeck sandbox` on a free loopback port; sets SANDBOX (host:port).
start_sandbox() {
    local port
    port=$(free_port)
    SANDBOX=127.0.0.1:$port
    "$BIN" sandbox --addr "$SANDBOX" --speed "${1:-20}" >/dev/null 2>&1 &
    SANDBOX_PID=$!
    for _ in $(seq 100); do
        curl -sf "http://$SANDBOX/_sandbox" >/dev/null && return 0
        sleep 0.05
    done
    echo "sandbox did not start" >&2
    return 1
}

# The environment of every measured program: private XDG dirs, UTF-8, a 256-colour TERM.
bench_env() {
    mkdir -p "$WORK/xdg/config" "$WORK/xdg/data" "$WORK/xdg/state"
    echo env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$WORK" TERM=xterm-256color LANG=C.UTF-8 \
        XDG_CONFIG_HOME="$WORK/xdg/config" XDG_DATA_HOME="$WORK/xdg/data" XDG_STATE_HOME="$WORK/xdg/state"
}

tmux_() { tmux -u -L "$SOCK" -f /dev/null "$@"; }

# session NAME COMMAND...: a detached 100x30 session (no status line) running COMMAND via exec.
session() {
    local name=$1
    shift
    if ! tmux_ has-session 2>/dev/null; then
        tmux_ new-session -d -s _keep -x 100 -y 30 "sleep 3600"
        tmux_ set -g status off
        tmux_ set -g remain-on-exit on
    fi
    tmux_ new-session -d -s "$name" -x 100 -y 30 "exec $*"
}

pane_pid() { tmux_ display -p -t "$1" '#{pane_pid}'; }

# bytes_per_min BYTES SECS
per_min() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.2f KB/min (%d bytes in %d s)", b * 60 / s / 1000, b, s }'; }

# probe_profile FILE LEDGER PER_LANE INTERVAL: the sandbox's three lanes with PER_LANE probes each
# on /health every INTERVAL seconds, and its own ledger file.
probe_profile() {
    local file=$1 ledger=$2 per_lane=$3 interval=$4
    {
        printf '[service]\nname = "clarity-backend"\n[poll]\ninterval_secs = 2\n[sandbox]\nspeed = 20\n'
        printf '[pipeline]\nowner = "clarity"\nrepo = "clarity-backend"\nworkflow = "release.yml"\nref = "main"\n'
        printf '[ledger]\npath = "%s"\n' "$ledger"
        for env in dev staging prod; do
            printf '[[environments]]\nname = "%s"\n[environments.cloudrun]\n' "$env"
            printf 'project = "clarity-sandbox"\nregion = "us-central1"\nservice = "clarity-backend-%s"\n' "$env"
            for i in $(seq "$per_lane"); do
                printf '[[environments.probes]]\nname = "health-%d"\npath = "/health"\ninterval_secs = %s\n' "$i" "$interval"
            done
        done
    } > "$file"
    "$BIN" profile check "$file" >/dev/null
}
