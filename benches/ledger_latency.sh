#!/usr/bin/env bash
# Append latency (p50/p99) and follow latency: file ledger vs PostgreSQL ledger.
# Needs the PostgreSQL server binaries (the `postgresql` Debian package; tests/run.sh installs it).
# Usage: benches/ledger_latency.sh   (prints one line per measurement)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench --bench ledger_latency -- --run
