#!/usr/bin/env bash
# What the Google Cloud Rust SDK would cost flightdeck (README, "Why only google-cloud-auth"):
# clean release builds, with this repo's release profile, of two scratch crates — google-cloud-auth
# alone, then + google-cloud-run-v2 making exactly flightdeck's Cloud Run calls — and of flightdeck
# itself. Reports CPU time (user + sys, robust on a shared box), wall time, binary size and crates.
# Needs the crates.io registry; takes ~20 min of CPU. Usage: benches/sdk_build_cost.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/sdk-build-cost.XXXXXX)
trap 'rm -rf "$work"' EXIT
profile='[profile.release]
debug = false
codegen-units = 16
lto = false'
mkdir -p "$work/auth/src" "$work/run/src"
cat > "$work/auth/Cargo.toml" <<TOML
[package]
name = "sdk-auth"
version = "0.1.0"
edition = "2024"
[dependencies]
google-cloud-auth = "=1.19.0"
tokio = { version = "1", features = ["rt-multi-thread", "macros"] }
$profile
TOML
cat > "$work/auth/src/main.rs" <<'RS'
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let creds = google_cloud_auth::credentials::Builder::default().build_access_token_credentials()?;
    println!("{}", creds.access_token().await?.token.len());
    Ok(())
}
RS
cat > "$work/run/Cargo.toml" <<TOML
[package]
name = "sdk-run"
version = "0.1.0"
edition = "2024"
[dependencies]
google-cloud-run-v2 = "=1.15.0"
google-cloud-auth = "=1.19.0"
google-cloud-gax = "1"
google-cloud-lro = "1"
google-cloud-wkt = "1"
tokio = { version = "1", features = ["rt-multi-thread", "macros"] }
$profile
TOML
cat > "$work/run/src/main.rs" <<'RS'
use google_cloud_gax::paginator::ItemPaginator;
use google_cloud_lro::Poller;
use google_cloud_run_v2::client::{Revisions, Services};
use google_cloud_run_v2::model::TrafficTarget;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let name = std::env::args().nth(1).unwrap_or_default();
    let services = Services::builder().build().await?;
    let revisions = Revisions::builder().build().await?;
    let service = services.get_service().set_name(&name).send().await?;
    let mut list = revisions.list_revisions().set_parent(&name).by_item();
    while let Some(r) = list.next().await {
        println!("{}", r?.name);
    }
    let traffic = vec![TrafficTarget::new().set_revision("x").set_percent(100)];
    let mask = google_cloud_wkt::FieldMask::default().set_paths(["traffic"]);
    let updated = services
        .update_service()
        .set_service(service.set_traffic(traffic))
        .set_update_mask(mask)
        .poller()
        .until_done()
        .await?;
    println!("{}", updated.name);
    Ok(())
}
RS
measure() { # NAME DIR BIN [cargo args…]
    local name=$1 dir=$2 bin=$3
    shift 3
    (cd "$dir" && CARGO_TARGET_DIR="$work/target-$name" /usr/bin/time -f "%U %S %e" -o "$work/time" \
        cargo build --release --quiet "$@")
    read -r user sys wall < "$work/time"
    local crates
    crates=$(cd "$dir" && cargo tree -e normal --prefix none 2>/dev/null | sort -u | wc -l)
    printf '%-32s CPU %6.0f s  wall %6.0f s  binary %5.1f MB  %3d crates\n' "$name" \
        "$(echo "$user + $sys" | bc)" "$wall" "$(echo "$(stat -c %s "$work/target-$name/release/$bin") / 1000000" | bc -l)" "$crates"
}
measure "google-cloud-auth alone" "$work/auth" sdk-auth
measure "+ google-cloud-run-v2" "$work/run" sdk-run
measure "flightdeck" "$root" flightdeck --bin flightdeck
