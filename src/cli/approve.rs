//! `flightdeck approve ENV [--reject] [--comment TEXT] [--run ID]`: review the deployment a
//! workflow run waits for on ENV's GitHub environment (see [`crate::commands::approve`]).

use super::globals::Globals;
use clap::Args;

use super::commands::CommonArgs;
use crate::commands::approve::Review;

#[derive(Debug, Clone, Args)]
pub struct ApproveArgs {
    /// The environment (lane) whose GitHub environment the run waits on.
    pub env: String,
    /// Reject instead of approve (always allowed: it stops a release).
    #[arg(long)]
    pub reject: bool,
    /// Your words, appended to the comment composed from the sign-off grid.
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,
    /// The workflow run (default: the newest one waiting on ENV's environment).
    #[arg(long = "run", value_name = "ID")]
    pub run_id: Option<u64>,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub async fn run(globals: &Globals, args: &ApproveArgs) -> i32 {
    let (_session, ctx) = match super::commands::open_context(globals, &args.common).await {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let review = Review {
        env: args.env.clone(),
        reject: args.reject,
        comment: args.comment.clone(),
        run_id: args.run_id,
    };
    let outcome = crate::commands::run::review(&ctx, &review).await;
    super::commands::print(&outcome, args.common.json)
}
