#!/usr/bin/env bash
# Compare the probe engine with `watch -n 2` over curl: 30 loopback endpoints every 2 s.
# Both clients hit the same loopback server (the probe_engine bench binary in --serve mode,
# a separate process, not measured). CPU is user+system time of each client, children included
# for watch (sh + curl) via /usr/bin/time; the engine reads /proc/self/stat.
#   DURATION=30 benches/probe_vs_watch.sh      (BIN=path to a built probe_engine bench binary)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-30}
N=${N:-30}
INTERVAL=${INTERVAL:-2}

if [[ -z "${BIN:-}" ]]; then
  cargo bench --no-run --bench probe_engine >/dev/null 2>&1
  BIN=$(ls -t target/release/deps/probe_engine-* | grep -v '\.d$' | head -1)
fi
command -v watch >/dev/null && command -v curl >/dev/null && [[ -x /usr/bin/time ]] || {
  echo "needs watch, curl and /usr/bin/time" >&2; exit 3; }

tmp=$(mktemp -d)
"$BIN" --serve >"$tmp/url" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [[ -s "$tmp/url" ]] && break; sleep 0.1; done
URL=$(head -1 "$tmp/url")
echo "server $URL, $N endpoints every ${INTERVAL}s for ${DURATION}s"

echo "== flightdeck probe engine"
PROBES=$N INTERVAL_SECS=$INTERVAL DURATION_SECS=$DURATION BASE_URL=$URL "$BIN" | tee "$tmp/engine"
engine_cpu=$(sed -n 's/.*cpu_total=\([0-9.]*\)s.*/\1/p' "$tmp/engine")

echo "== watch -n $INTERVAL over curl"
loop="for i in \$(seq 0 $((N - 1))); do curl -s -o /dev/null -w '%{http_code} ' $URL/h/\$i; done"
TERM=${TERM:-xterm} /usr/bin/time -f "%U %S" -o "$tmp/watch" \
  timeout -s INT "$DURATION" watch -n "$INTERVAL" "$loop" >/dev/null 2>&1 || true
read -r wu ws < <(tail -1 "$tmp/watch")
watch_cpu=$(echo "$wu + $ws" | bc -l)
echo "watch+curl cpu_total=${watch_cpu}s (user ${wu}s, system ${ws}s)"

ratio=$(echo "scale=1; $watch_cpu / ($engine_cpu + 0.0001)" | bc -l)
echo "== result: engine ${engine_cpu}s CPU vs watch+curl ${watch_cpu}s CPU over ${DURATION}s: ${ratio}x less"
