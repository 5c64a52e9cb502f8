#!/bin/sh
# flightdeck script provider promote for Cloud Run: deploy IMAGE with no traffic, then 10 → 50 → 100.
# `gcloud-run-canary.sh SERVICE PROJECT IMAGE`; waits CANARY_BAKE_SECS between steps.
set -eu
service="$1"; project="$2"; image="$3"; region="${REGION:-us-central1}"; bake="${CANARY_BAKE_SECS:-300}"
echo "deploying $image to $service with no traffic (request $FLIGHTDECK_REQUEST_ID)"
gcloud run deploy "$service" --project "$project" --region "$region" --platform managed \
  --image "$image" --no-traffic --quiet
for percent in 10 50 100; do
  echo "traffic: LATEST=$percent"
  gcloud run services update-traffic "$service" --project "$project" --region "$region" \
    --to-revisions "LATEST=$percent" --quiet
  [ "$percent" = 100 ] || { echo "baking ${bake}s at $percent%"; sleep "$bake"; }
done
