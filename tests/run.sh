#!/usr/bin/env bash
# The test command (README: "Set-up: two commands"). Provisions what the tests need on a fresh
# machine, then runs every test with `cargo test` (the dev profile: dependencies at opt-level 1,
# about half the clean build time of --release, which benchmarks use instead):
# - Debian packages: tmux (end-to-end tests in a real terminal), gh (the GitHub CLI judges the
#   sandbox), postgresql (a temporary server for the shared-ledger tests), openssh-client
#   (ssh-keygen / ssh-agent for signed ledger entries);
# - a Python virtual environment with the official client libraries (tests/conformance/
#   requirements.txt) in target/conformance-venv, used by tests/conformance.rs.
# Extra arguments go to `cargo test`, e.g. `tests/run.sh --test conformance`.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v gh >/dev/null 2>&1 || need+=(gh)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  need+=(postgresql)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]} (Debian packages the tests use)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

venv=target/conformance-venv
stamp="$venv/.requirements"
if ! cmp -s tests/conformance/requirements.txt "$stamp" 2>/dev/null; then
  echo "== Python environment of the conformance suite ($venv)"
  rm -rf "$venv"
  mkdir -p target
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r tests/conformance/requirements.txt
  cp tests/conformance/requirements.txt "$stamp"
fi
export FLIGHTDECK_CONFORMANCE_PYTHON="$PWD/$venv/bin/python"

echo "== cargo test $*"
exec cargo test "$@"
