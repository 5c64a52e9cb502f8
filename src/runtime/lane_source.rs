//! One poll of a lane, whichever provider runs it.

use super::LaneSource;
use crate::model::lane::ServiceState;
use crate::providers::{clouddeploy, script};

impl LaneSource {
    /// The lane's state now; an error says what failed and where.
    pub async fn fetch(self) -> Result<ServiceState, String> {
        match self {
            LaneSource::CloudRun { client, service } => client
                .fetch_state(&service)
                .await
                .map_err(|e| e.to_string()),
            LaneSource::CloudDeploy { client, target } => {
                clouddeploy::state::fetch(&client, &target)
                    .await
                    .map(|state| clouddeploy::state::lane_state(&state))
                    .map_err(|e| e.to_string())
            }
            LaneSource::Script { env, target } => {
                let log = |line: &str| tracing::debug!("status {}: {line}", env);
                script::status(&target, &env, &log).await
            }
        }
    }
}
