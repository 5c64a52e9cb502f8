//! The options every subcommand shares (`--profile`, `--theme`, `--sandbox`, `--read-only`): what
//! each subcommand's glue receives, so no subcommand file needs the whole command line.

use std::net::SocketAddr;

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct Globals {
    /// Profile name (searched in ./profiles and the config dir) or path to a profile TOML file.
    #[arg(
        long,
        short = 'p',
        global = true,
        default_value = "sandbox",
        env = "FLIGHTDECK_PROFILE"
    )]
    pub profile: String,
    /// Theme name or file (dark, light, high-contrast, monochrome). Default: dark, or monochrome under NO_COLOR.
    #[arg(long, global = true)]
    pub theme: Option<String>,
    /// Use an already-running sandbox at ADDR (host:port) instead of starting one.
    #[arg(long, global = true, value_name = "ADDR")]
    pub sandbox: Option<SocketAddr>,
    /// Look, never touch: every command and sign-off is unavailable.
    #[arg(long, global = true)]
    pub read_only: bool,
}
