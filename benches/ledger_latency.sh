#!/usr/bin/env bash
# Append latency (p50/p99) and follow latency: file ledger vs PostgreSQL ledger.
# Needs the PostgreSQL server binaries (the `postgresql` Debian package; tests/run.sh installs it).
# Usage: benches/ledger_latency.sh   (prints one line per measurement)
set -euo pipefail
cd "$(dirname "$0")/.."
# Latency here is I/O (fsync, round trips), so the dev profile measures it as well as release.
cargo bench --profile "${PROFILE:-dev}" --bench ledger_latency -- --run
