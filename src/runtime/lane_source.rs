//! One poll of a lane, whichever provider runs it.

use super::LaneSource;
use crate::model::lane::ServiceState;
use crate::providers::cloudrun::ApiError;
use crate::providers::{clouddeploy, script};

impl LaneSource {
    /// The lane's state now; an error says what failed and where.
    pub async fn fetch(self) -> Result<ServiceState, String> {
        match self {
            LaneSource::CloudRun { client, service } => {
                client.poll_state(&service).await.map_err(|e| e.to_string())
            }
            LaneSource::CloudDeploy { client, target } => {
                let poll = clouddeploy::state::fetch(&client, &target);
                let read = match client.poll_timeout() {
                    // A stalled API must not hold the lane's one in-flight poll (see Cloud Run's).
                    Some(limit) => tokio::time::timeout(limit, poll).await.unwrap_or_else(|_| {
                        Err(ApiError::new(
                            "GET",
                            &target.pipeline_name(),
                            None,
                            format!("no answer within {} ms", limit.as_millis()),
                        ))
                    }),
                    None => poll.await,
                };
                read.map(|state| clouddeploy::state::lane_state(&state))
                    .map_err(|e| e.to_string())
            }
            LaneSource::Script { env, target } => {
                let log = |line: &str| tracing::debug!("status {}: {line}", env);
                script::status(&target, &env, &log).await
            }
        }
    }
}
