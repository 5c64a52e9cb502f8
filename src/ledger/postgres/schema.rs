//! The ledger's tables, created and migrated by flightdeck itself.
//!
//! `flightdeck_schema_version` has one row per applied migration. [`migrate`] runs in one
//! transaction under an advisory lock, so cockpits starting together on several hosts migrate once.
//! A database whose schema is newer than this binary knows is refused rather than written to.

use super::PgTarget;
use super::connect::describe_error;

pub const VERSIONS: &str = "flightdeck_schema_version";
pub const ENTRIES: &str = "flightdeck_ledger";
pub const HEAD: &str = "flightdeck_ledger_head";

/// Arbitrary constant naming flightdeck's advisory lock ("fdledger" in ASCII).
const MIGRATION_LOCK: i64 = 0x6664_6c65_6467_6572;

/// Migration N is `MIGRATIONS[N - 1]`; append new ones, never edit an applied one.
const MIGRATIONS: &[&str] = &[
    // 1: one row per entry (its exact JSON line), and the chain head every append locks.
    "CREATE TABLE flightdeck_ledger (
         seq bigint PRIMARY KEY CHECK (seq > 0),
         line text NOT NULL,
         recorded_at timestamptz NOT NULL DEFAULT now()
     );
     CREATE TABLE flightdeck_ledger_head (
         id smallint PRIMARY KEY CHECK (id = 1),
         seq bigint NOT NULL
     );
     INSERT INTO flightdeck_ledger_head (id, seq) VALUES (1, 0);",
];

/// The schema version this binary writes.
pub fn current_version() -> i32 {
    i32::try_from(MIGRATIONS.len()).unwrap_or(i32::MAX)
}

/// Brings the schema to [`current_version`]; returns the version found before.
pub async fn migrate(
    client: &mut tokio_postgres::Client,
    target: &PgTarget,
) -> Result<i32, String> {
    let db = |e: tokio_postgres::Error| {
        format!(
            "{target}: cannot create or migrate the ledger schema: {}",
            describe_error(&e)
        )
    };
    let tx = client.transaction().await.map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(db)?;
    tx.batch_execute(&format!(
        "CREATE TABLE IF NOT EXISTS {VERSIONS} (
             version integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         )"
    ))
    .await
    .map_err(db)?;
    let found: i32 = tx
        .query_one(
            &format!("SELECT coalesce(max(version), 0) FROM {VERSIONS}"),
            &[],
        )
        .await
        .map_err(db)?
        .get(0);
    let known = current_version();
    if found > known {
        return Err(format!(
            "{target}: the ledger schema is version {found}, newer than this flightdeck knows \
             ({known}); upgrade flightdeck"
        ));
    }
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(found).unwrap_or(0))
    {
        let version = i32::try_from(index + 1).unwrap_or(i32::MAX);
        tx.batch_execute(sql).await.map_err(db)?;
        tx.execute(
            &format!("INSERT INTO {VERSIONS} (version) VALUES ($1)"),
            &[&version],
        )
        .await
        .map_err(db)?;
    }
    tx.commit().await.map_err(db)?;
    Ok(found)
}
