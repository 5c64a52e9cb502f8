#!/usr/bin/env bash
# Side by side on the same run: the cockpit (Phases pane) and `gh run watch` (default 3 s interval)
# watch one release run of ten jobs of JOB_SECS (default 120) seconds in the sandbox at real pace.
# The sandbox counts each client's counted requests (not answered 304) by User-Agent; tmux
# `pipe-pane` counts the bytes each writes to its terminal. Loopback only; lasts about the run
# (~20 min). Needs tmux and gh. gh reaches the sandbox as GH_HOST=github.localhost through
# HTTP_PROXY (see tests/conformance/test_github.py).
# Usage: benches/watch_run.sh            BIN=target/debug/flightdeck to use a dev build (request
#        counts do not depend on the build profile); JOB_SECS=30 for a quicker, shorter run.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-target/release/flightdeck}
job_secs=${JOB_SECS:-120}
[ -x "$bin" ] || cargo build --release --quiet
command -v gh >/dev/null || { echo "gh is missing (Debian package gh)" >&2; exit 2; }
port=$((20000 + RANDOM % 20000))
work=$(mktemp -d)
sock="fd-watch-$$"
cleanup() { tmux -L "$sock" kill-server 2>/dev/null || true; kill "$sandbox" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
api="http://127.0.0.1:$port"
"$bin" sandbox --addr "127.0.0.1:$port" --speed 1 >/dev/null 2>&1 &
sandbox=$!
for _ in $(seq 100); do curl -fs "$api/_sandbox" >/dev/null && break; sleep 0.1; done
curl -fs -X POST "$api/_sandbox/github/faults" -d "{\"job_secs\": $job_secs}" >/dev/null
export XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state"
sed 's/^speed = .*/speed = 1/' profiles/sandbox.toml > "$work/real-pace.toml"
tmux -L "$sock" new-session -d -s cockpit -x 100 -y 30 \
  "LANG=C.UTF-8 $bin --profile $work/real-pace.toml --sandbox 127.0.0.1:$port"
sleep 3
tmux -L "$sock" send-keys -t cockpit Tab
tmux -L "$sock" pipe-pane -t cockpit -o "cat > $work/cockpit.bytes"
# The run both watch; the cockpit discovers it by itself.
run_id=$(curl -fs -X POST -H 'Authorization: Bearer bench' \
  "$api/repos/clarity/clarity-backend/actions/workflows/release.yml/dispatches" \
  -d '{"ref": "main", "inputs": {"version": "1.5.0"}, "return_run_details": true}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["workflow_run_id"])')
started=$(date +%s)
gh_env="GH_CONFIG_DIR=$work/gh GH_HOST=github.localhost GH_TOKEN=bench GH_PROMPT_DISABLED=1 \
GH_NO_UPDATE_NOTIFIER=1 HTTP_PROXY=$api http_proxy=$api NO_PROXY= no_proxy="
tmux -L "$sock" new-session -d -s gh -x 100 -y 30 \
  "env $gh_env gh run watch $run_id -R github.localhost/clarity/clarity-backend; echo WATCH-DONE; sleep 600"
tmux -L "$sock" pipe-pane -t gh -o "cat > $work/gh.bytes"
deadline=$((started + job_secs * 10 + 600))
until tmux -L "$sock" capture-pane -p -t gh | grep -q WATCH-DONE; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "gh run watch did not finish" >&2; exit 1; }
  sleep 5
done
sleep 5 # the cockpit's next polls see the end too
secs=$(( $(date +%s) - started ))
tmux -L "$sock" pipe-pane -t cockpit
tmux -L "$sock" pipe-pane -t gh
stats=$(curl -fs "$api/_sandbox/github/stats")
python3 - "$stats" "$(wc -c < "$work/cockpit.bytes")" "$(wc -c < "$work/gh.bytes")" "$secs" "$job_secs" <<'PY'
import json, sys
stats = json.loads(sys.argv[1])["counted_by_client"]
cockpit_bytes, gh_bytes, secs, job = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
fd, gh = stats.get("flightdeck", 0), stats.get("GitHub CLI", 0)
print(f"one run of ten {job}-second jobs, watched {secs:.0f}s side by side")
print(f"counted requests: flightdeck {fd}, gh run watch {gh}: {gh / max(fd, 1):.1f}x fewer")
print(f"per hour: flightdeck {fd * 3600 / secs:.0f}, gh {gh * 3600 / secs:.0f}")
print(f"terminal bytes/min: flightdeck {cockpit_bytes * 60 / secs / 1024:.2f} KB, gh {gh_bytes * 60 / secs / 1024:.2f} KB")
PY
