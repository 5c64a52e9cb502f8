"""The sandbox describes itself; every other file here is one official client's view of it."""

import json
import urllib.request


def test_the_sandbox_answers_on_loopback(sandbox):
    with urllib.request.urlopen(sandbox + "/_sandbox") as response:
        assert response.status == 200
        json.loads(response.read())
