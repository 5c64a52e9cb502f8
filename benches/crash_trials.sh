#!/usr/bin/env bash
# Crash trials: WRITERS processes append sign-offs to one ledger concurrently (each append is a
# `flightdeck signoff` process: it prints only once its entry is fsynced); N times, one of those
# processes is killed with SIGKILL mid-flight. An append counts as acknowledged when its process
# exited 0. At the end every acknowledged entry must be in the ledger and `ledger verify` must
# accept it (a torn tail is allowed, a lost or altered acknowledged entry is not).
#   benches/crash_trials.sh [N]          file ledger
#   FLIGHTDECK_PG_URL=postgres://… benches/crash_trials.sh [N]   also the PostgreSQL ledger at that
#     URL; without it, a temporary server is started when `initdb` is installed (as
#     tests/ledger_postgres.rs does: as root, the server runs as the `postgres` user).
# Prints one line per backend: trials, acknowledged appends, entries lost (must be 0). Exit 1 if any lost.
source "$(dirname "$0")/lib.sh"
N=${1:-${N:-50}}
WRITERS=${WRITERS:-4}
BIN=${FLIGHTDECK_BIN:-$BIN}
[ -n "${FLIGHTDECK_BIN:-}" ] || build
ENV=$(bench_env)
PIDS=()
stop_writers() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    PIDS=()
}
PG_DIR= PG_BIN= AS_PG=()
stop_postgres() {
    [ -n "$PG_DIR" ] || return 0
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
trap 'stop_writers; stop_postgres; cleanup' EXIT

# start_postgres: a throw-away server on a free loopback port; sets FLIGHTDECK_PG_URL.
start_postgres() {
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -x "$PG_BIN/initdb" ] || PG_BIN=$(dirname "$(command -v initdb 2>/dev/null || echo /none/initdb)")
    [ -x "$PG_BIN/initdb" ] || return 1
    PG_DIR=$(mktemp -d /tmp/flightdeck-bench-pg.XXXXXX)
    if [ "$(id -u)" = 0 ]; then
        chown -R postgres:postgres "$PG_DIR"
        AS_PG=(runuser -u postgres --)
    fi
    local port
    port=$(free_port)
    "${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U fd --auth=trust --no-sync -E UTF8 \
        >"$PG_DIR/init.log" 2>&1 || return 1
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null 2>&1 || return 1
    FLIGHTDECK_PG_URL="postgres://fd@127.0.0.1:$port/postgres?sslmode=disable"
}

# writer ID LEDGER ACKS: appends until stopped; records each acknowledged comment in ACKS.ID.
writer() {
    local id=$1 ledger=$2 acks=$3 i=0
    while :; do
        i=$((i + 1))
        local tag="trial-w$id-$i"
        if $ENV "$BIN" --profile sandbox signoff dev --role "Technical Lead" \
            --item Database --go --release 1.0.0 --comment "$tag" --ledger "$ledger" \
            >/dev/null 2>&1; then
            echo "$tag" >> "$acks.$id"
        fi
    done
}

# run_trials LABEL LEDGER: N kills of a random in-flight append; prints the summary line.
run_trials() {
    local label=$1 ledger=$2
    local acks=$WORK/acks-$label
    for id in $(seq "$WRITERS"); do
        writer "$id" "$ledger" "$acks" 2>/dev/null &
        PIDS+=($!)
    done
    local killed=0
    while [ "$killed" -lt "$N" ]; do
        sleep "0.$(printf '%02d' $((RANDOM % 10 + 2)))"
        # An append in flight right now (each lasts milliseconds): look a few times.
        local victim= tries=0
        while [ -z "$victim" ] && [ "$tries" -lt 50 ]; do
            victim=$(pgrep -P "${PIDS[$((RANDOM % WRITERS))]}" -x flightdeck | head -1 || true)
            tries=$((tries + 1))
        done
        if [ -n "$victim" ]; then
            kill -9 "$victim" 2>/dev/null && killed=$((killed + 1))
        fi
    done
    stop_writers
    local recorded=$WORK/recorded-$label
    $ENV "$BIN" --profile sandbox ledger export --format json --ledger "$ledger" > "$recorded" 2>/dev/null || true
    local verify
    verify=$($ENV "$BIN" --profile sandbox ledger verify --ledger "$ledger" 2>&1 | tail -1 || true)
    local acked lost=0
    acked=$(cat "$acks".* 2>/dev/null | wc -l)
    while read -r tag; do
        grep -qF "\"$tag\"" "$recorded" || { lost=$((lost + 1)); echo "LOST: $tag" >&2; }
    done < <(cat "$acks".* 2>/dev/null)
    printf '%s: %d kill -9 trials, %d acknowledged appends, %d lost; verify: %s\n' \
        "$label" "$killed" "$acked" "$lost" "$verify"
    [ "$lost" -eq 0 ]
}

status=0
run_trials file "$WORK/ledger.jsonl" || status=1
if [ -n "${FLIGHTDECK_PG_URL:-}" ] || start_postgres; then
    run_trials postgres "$FLIGHTDECK_PG_URL" || status=1
else
    echo "postgres: skipped (set FLIGHTDECK_PG_URL, or install the PostgreSQL server for initdb)"
fi
exit "$status"
