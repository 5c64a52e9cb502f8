use std::path::{Path, PathBuf};

/// Where flightdeck looks for profiles and themes, and where it keeps its data and logs.
///
/// Search order for a named profile or theme: `./profiles` (`./themes`) in the working directory,
/// then the config dir (`$FLIGHTDECK_CONFIG`, else the XDG config dir), then the built-ins.
#[derive(Debug, Clone)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
    pub state_dir: PathBuf,
    pub work_dir: PathBuf,
}

impl Paths {
    pub fn discover() -> Paths {
        let dirs = directories::ProjectDirs::from("", "", "flightdeck");
        let fallback = std::env::temp_dir().join("flightdeck");
        let config_dir = match std::env::var_os("FLIGHTDECK_CONFIG") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => dirs
                .as_ref()
                .map_or_else(|| fallback.join("config"), |d| d.config_dir().to_path_buf()),
        };
        let data_dir = dirs
            .as_ref()
            .map_or_else(|| fallback.join("data"), |d| d.data_dir().to_path_buf());
        let state_dir = dirs
            .as_ref()
            .and_then(|d| d.state_dir().map(Path::to_path_buf))
            .unwrap_or_else(|| data_dir.join("state"));
        let work_dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        Paths {
            config_dir,
            data_dir,
            state_dir,
            work_dir,
        }
    }

    /// Candidate files for `name` of `kind` ("profiles" or "themes"), most specific first.
    pub fn candidates(&self, kind: &str, name: &str) -> Vec<PathBuf> {
        let file = format!("{name}.toml");
        vec![
            self.work_dir.join(kind).join(&file),
            self.config_dir.join(kind).join(&file),
        ]
    }

    pub fn find(&self, kind: &str, name: &str) -> Option<PathBuf> {
        self.candidates(kind, name)
            .into_iter()
            .find(|p| p.is_file())
    }

    /// The default ledger of a profile: `<data dir>/ledger/<profile>.jsonl`.
    pub fn default_ledger(&self, profile_name: &str) -> PathBuf {
        self.data_dir
            .join("ledger")
            .join(format!("{profile_name}.jsonl"))
    }
}
