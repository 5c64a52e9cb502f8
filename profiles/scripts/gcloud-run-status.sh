#!/bin/sh
# flightdeck script provider status for a Cloud Run service: `gcloud-run-status.sh SERVICE PROJECT`.
# Prints {"version","revision","image","ready","url","traffic":[…],"revisions":[…]} on stdout.
set -eu
service="$1"; project="$2"; region="${REGION:-us-central1}"
gcloud run services describe "$service" --project "$project" --region "$region" --format=json |
python3 -c '
import json, sys
s = json.load(sys.stdin)
status, spec = s.get("status", {}), s.get("spec", {}).get("template", {}).get("spec", {})
image = (spec.get("containers") or [{}])[0].get("image", "")
traffic = [{"revision": t.get("revisionName", ""), "percent": t.get("percent", 0)} for t in status.get("traffic", []) if t.get("percent")]
top = max(traffic, key=lambda t: t["percent"]) if traffic else {"revision": status.get("latestReadyRevisionName", "")}
ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions", []))
version = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else "latest"
print(json.dumps({"version": version, "revision": top["revision"], "image": image, "ready": ready,
                  "url": status.get("url"), "traffic": traffic}))
'
