//! A command's record: the overrides and the command entry, appended under one lock (or in one
//! transaction) only while the ledger's last entry is the one the gates were decided on.

use crate::ledger::store::LedgerStore;
use crate::ledger::{Actor, AtHead, Payload};
use crate::model::command_plan::{CommandRecord, NotRecorded};

/// Appends `record` and returns the new request id.
pub fn append_record(
    ledger: &LedgerStore,
    actor: &Actor,
    record: &CommandRecord,
) -> Result<String, NotRecorded> {
    let request_id = uuid::Uuid::new_v4().to_string();
    // The head the command is decided on (the gates read it a moment ago), for the record.
    let mut detail = record.detail.clone();
    if let (Some(map), Ok(Some(head))) = (detail.as_object_mut(), ledger.head_blocking()) {
        map.insert(
            "ledger_head".into(),
            serde_json::json!({"seq": head.seq, "hash": head.line_hash}),
        );
    }
    let mut payloads: Vec<Payload> = record
        .overridden
        .iter()
        .map(|gate| Payload::Override {
            gate: gate.clone(),
            reason: record.override_reason.clone(),
            request_id: request_id.clone(),
        })
        .collect();
    payloads.push(Payload::Command {
        request_id: request_id.clone(),
        action: record.action.clone(),
        env: record.env.clone(),
        release: record.release.clone(),
        detail,
    });
    match record.read_at {
        None => ledger
            .append_all_blocking(actor, payloads)
            .map(drop)
            .map_err(NotRecorded::Failed)?,
        Some(read_at) => match ledger
            .append_all_at_head_blocking(actor, payloads, read_at)
            .map_err(NotRecorded::Failed)?
        {
            AtHead::Appended(_) => {}
            AtHead::Moved { head_seq } => return Err(NotRecorded::Moved { read_at, head_seq }),
        },
    }
    Ok(request_id)
}
