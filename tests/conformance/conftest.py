"""Fixtures of the conformance suite: a real `flightdeck sandbox` on a free loopback port.

The official clients (google-cloud-run, google-cloud-deploy, PyGithub, the `gh` CLI) are pointed
at it and must parse what it answers. Run through tests/conformance.rs (`tests/run.sh`), which
passes the binary in FLIGHTDECK_BIN.
"""

import os
import re
import subprocess
import time

import pytest


@pytest.fixture(scope="session")
def sandbox():
    """Yields the sandbox's base URL, e.g. http://127.0.0.1:40123."""
    binary = os.environ["FLIGHTDECK_BIN"]
    proc = subprocess.Popen(
        [binary, "sandbox", "--addr", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    base = None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        found = re.search(r"listening on (?:http://)?(\S+)", line)
        if found:
            base = "http://" + found.group(1)
            break
    if base is None:
        proc.kill()
        raise RuntimeError("flightdeck sandbox did not say where it listens")
    yield base
    proc.terminate()
    proc.wait(timeout=10)
