//! A profile's ledger as this account uses it: the file, whether signing is on (and with which
//! allowed signers), and what this account saw of it before (its [`Witness`]).

use std::path::{Path, PathBuf};

use chrono::Utc;

use super::chain::{Checked, Trust, Verifier};
use super::follow::Follower;
use super::signing::{AgentSigner, AllowedSigners};
use super::verify::{VerifyReport, check_file};
use super::witness::Witness;
use super::{Ledger, LedgerError};
use crate::config::{Paths, Profile};

#[derive(Debug, Clone)]
pub struct Setup {
    pub path: PathBuf,
    /// Signing is on.
    pub signers: Option<AllowedSigners>,
    pub witness: Option<Witness>,
    /// Writes nothing: neither the ledger nor the witness.
    pub read_only: bool,
}

impl Setup {
    /// The profile's ledger (or `ledger`, when given); the error names the allowed-signers file
    /// and line when it cannot be used.
    pub fn from_profile(
        profile: &Profile,
        paths: &Paths,
        ledger: Option<PathBuf>,
        read_only: bool,
    ) -> Result<Setup, String> {
        let path = ledger.unwrap_or_else(|| profile.ledger_path(paths));
        let mut setup = Setup::at(profile, path, read_only)?;
        setup.witness = Some(Witness::for_ledger(&paths.state_dir, &setup.path));
        Ok(setup)
    }

    /// The ledger at `path` with the profile's signing rules, without a witness.
    pub fn at(profile: &Profile, path: PathBuf, read_only: bool) -> Result<Setup, String> {
        let signers = match profile.allowed_signers_path() {
            Some(file) => Some(AllowedSigners::load(&file)?),
            None => None,
        };
        Ok(Setup {
            witness: None,
            path,
            signers,
            read_only,
        })
    }

    /// A ledger without signing and without a witness (tests, one-off checks).
    pub fn plain(path: impl Into<PathBuf>) -> Setup {
        Setup {
            path: path.into(),
            signers: None,
            witness: None,
            read_only: false,
        }
    }

    pub fn verifier(&self) -> Verifier {
        Verifier::new(Trust {
            signers: self.signers.clone(),
            seen: self.witness.as_ref().and_then(Witness::load),
        })
    }

    pub fn follower(&self) -> Follower {
        let witness = self.witness.clone().filter(|_| !self.read_only);
        Follower::with(&self.path, self.verifier(), witness)
    }

    /// Checks the whole ledger; remembers its head when it verified. A missing file is an error.
    pub fn read(&self) -> Result<Checked, LedgerError> {
        let checked = check_file(&self.path, &mut self.verifier())?;
        self.remember(&checked);
        Ok(checked)
    }

    /// [`Setup::read`], with a missing file read as an empty ledger (nothing signed yet).
    pub fn read_or_empty(&self) -> Result<Checked, LedgerError> {
        match self.read() {
            Err(LedgerError::Missing { .. }) => Ok(Checked {
                report: VerifyReport {
                    path: self.path.clone(),
                    lines: 0,
                    entries: 0,
                    issues: Vec::new(),
                },
                entries: Vec::new(),
                chain: Vec::new(),
            }),
            other => other,
        }
    }

    fn remember(&self, checked: &Checked) {
        if self.read_only || checked.report.has_errors() {
            return;
        }
        if let (Some(witness), Some(head)) = (&self.witness, checked.head()) {
            // Failing to remember weakens a later check; it does not make this read wrong.
            let _ = witness.record(head, Utc::now());
        }
    }

    /// The ledger to append to as `account`, creating the file if needed; with signing on, the
    /// ssh-agent must hold a key the allowed-signers file lists for `account`. Read-only: a ledger
    /// that refuses appends and creates nothing.
    pub fn writer(&self, account: &str) -> Result<Ledger, LedgerError> {
        if self.read_only {
            let ledger = Ledger::existing(&self.path).refusing("read-only: nothing is recorded");
            return Ok(match &self.signers {
                Some(signers) => ledger.checking(signers.clone()),
                None => ledger,
            });
        }
        let ledger = Ledger::open(&self.path)?;
        match &self.signers {
            None => Ok(ledger),
            Some(signers) => AgentSigner::from_env(signers, account)
                .map(|signer| ledger.with_signer(signer).checking(signers.clone()))
                .map_err(|message| LedgerError::Sign {
                    path: self.path.clone(),
                    message,
                }),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// What `profile check` says about the ledger: `Ok(line)` to print, or `Err` (the allowed-signers
/// file cannot be used). Without signing, the line is a warning.
pub fn profile_check(profile: &Profile) -> Result<String, String> {
    let Some(file) = profile.allowed_signers_path() else {
        return Ok(format!(
            "warning: [ledger] allowed_signers is not set in {}: entries are not signed, so anyone \
             who can write the ledger can forge a sign-off in another account's name; see the \
             README's \"Signed entries\"",
            profile.source.display()
        ));
    };
    let signers = AllowedSigners::load(&file)?;
    Ok(format!(
        "  ledger   entries signed (SSHSIG via ssh-agent), {} key(s) in {}",
        signers.len(),
        file.display()
    ))
}
