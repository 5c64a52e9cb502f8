#!/usr/bin/env bash
# Steady-state API cost of a running cockpit, counted by the sandbox itself (`GET
# /_sandbox/requests`): the cockpit (built-in sandbox profile, 2 s poll) runs in tmux; after a
# warm-up, requests are counted for WINDOW seconds (default 60) per Cloud Run lane and for the
# GitHub pipeline. Loopback only. Usage: benches/request_rate.sh [WINDOW_SECS]
# (FLIGHTDECK_BIN=target/debug/flightdeck to measure a dev build.)
source "$(dirname "$0")/lib.sh"
window=${1:-60}
[ -x "$BIN" ] || build
start_sandbox 20
session cockpit "$(bench_env) $BIN --sandbox $SANDBOX"
counts() { curl -sf "http://$SANDBOX/_sandbox/requests"; }
counted() { curl -sf "http://$SANDBOX/_sandbox/github/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["counted"])'; }
# Warm-up: first reads and a settled world (no rollout in flight in the built-in sandbox).
sleep 15
counts > "$WORK/before.json"
counted_before=$(counted)
sleep "$window"
counts > "$WORK/after.json"
counted_after=$(counted)
python3 - "$WORK/before.json" "$WORK/after.json" "$window" "$((counted_after - counted_before))" <<'PY'
import json, re, sys
before, after, window = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), float(sys.argv[3])
github_counted = int(sys.argv[4])
lanes, github, other = {}, 0, 0
for key, n in after.items():
    n -= before.get(key, 0)
    if n <= 0:
        continue
    m = re.match(r"(\w+) /v2/projects/[^/]+/locations/[^/]+/services/([^/]+)(/.*)?$", key)
    if m:
        kind = "revisions" if (m.group(3) or "").startswith("/revisions") else "service"
        lanes.setdefault(m.group(2), {}).setdefault(kind, 0)
        lanes[m.group(2)][kind] += n
    elif key.split(" ", 1)[1].startswith("/repos/"):
        github += n
    elif "/apps/" not in key:
        other += n
per_min = lambda n: n * 60 / window
for lane, kinds in sorted(lanes.items()):
    print(f"{lane}: {per_min(kinds.get('service', 0)):.1f} service GETs/min, "
          f"{per_min(kinds.get('revisions', 0)):.1f} revision lists/min")
print(f"GitHub pipeline: {per_min(github):.1f} requests/min, {per_min(github_counted):.1f} counted "
      "against the rate limit (the rest answered 304 Not Modified)")
if other:
    print(f"other API requests: {per_min(other):.1f}/min")
PY
