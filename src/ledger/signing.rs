//! Signed entries: SSHSIG signatures (the format of `ssh-keygen -Y sign` and git) over an entry's
//! `hash`, made through the user's ssh-agent and checked against an allowed-signers file in git's
//! format (`principals [options] keytype base64 [comment]`, see ssh-keygen(1) "ALLOWED SIGNERS").
//!
//! An entry's `sig` is the armored signature; an auditor can check one by hand:
//! `printf %s HASH | ssh-keygen -Y verify -f allowed_signers -I ACCOUNT -n flightdeck-ledger -s SIG`.

use std::path::{Path, PathBuf};

use ssh_key::{HashAlg, LineEnding, PublicKey, SshSig};

/// The SSHSIG namespace of ledger entries: a signature made for git or a file cannot be replayed here.
pub const NAMESPACE: &str = "flightdeck-ledger";

#[derive(Debug, Clone)]
struct AllowedSigner {
    principals: Vec<String>,
    /// `namespaces="…"`: the key may sign only these namespaces.
    namespaces: Option<Vec<String>>,
    key: PublicKey,
}

/// Which SSH keys may sign as which account.
#[derive(Debug, Clone)]
pub struct AllowedSigners {
    pub path: PathBuf,
    signers: Vec<AllowedSigner>,
}

impl AllowedSigners {
    /// Reads and parses the file; the error names the file and line and what to do.
    pub fn load(path: &Path) -> Result<AllowedSigners, String> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "{}: cannot read the allowed-signers file: {e}; create it (one line per key: \
                 `ACCOUNT ssh-ed25519 AAAA…`) or fix [ledger] allowed_signers in the profile",
                path.display()
            )
        })?;
        AllowedSigners::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<AllowedSigners, String> {
        let mut signers = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let signer = parse_line(line)
                .map_err(|why| format!("{}:{}: {why}", path.display(), index + 1))?;
            signers.push(signer);
        }
        Ok(AllowedSigners {
            path: path.to_path_buf(),
            signers,
        })
    }

    /// How many keys are listed.
    pub fn len(&self) -> usize {
        self.signers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.signers.is_empty()
    }

    /// The keys `account` may sign ledger entries with.
    pub fn keys_for<'a>(&'a self, account: &'a str) -> impl Iterator<Item = &'a PublicKey> + 'a {
        self.signers
            .iter()
            .filter(move |s| s.may_sign_as(account))
            .map(|s| &s.key)
    }

    /// Checks that `armored` is a valid signature of `message` by a key allowed for `account`.
    /// The error says what is wrong in one line.
    pub fn check(&self, account: &str, message: &[u8], armored: &str) -> Result<(), String> {
        let sig = SshSig::from_pem(armored).map_err(|e| format!("unreadable signature ({e})"))?;
        let fingerprint = ssh_key::PublicKey::from(sig.public_key().clone())
            .fingerprint(HashAlg::Sha256)
            .to_string();
        let holders: Vec<&AllowedSigner> = self
            .signers
            .iter()
            .filter(|s| s.key.key_data() == sig.public_key())
            .collect();
        if holders.is_empty() {
            return Err(format!(
                "signed by key {fingerprint}, which is not in {}",
                self.path.display()
            ));
        }
        let Some(holder) = holders.iter().find(|s| s.may_sign_as(account)) else {
            let owners: Vec<&str> = holders
                .iter()
                .flat_map(|s| s.principals.iter().map(String::as_str))
                .collect();
            return Err(format!(
                "claims to be by {account} but is signed by key {fingerprint} of {}",
                owners.join(", ")
            ));
        };
        holder
            .key
            .verify(NAMESPACE, message, &sig)
            .map_err(|_| format!("the signature by {fingerprint} does not match the entry"))
    }
}

impl AllowedSigner {
    fn may_sign_as(&self, account: &str) -> bool {
        let namespace_ok = self
            .namespaces
            .as_ref()
            .is_none_or(|n| n.iter().any(|x| x == NAMESPACE || x == "*"));
        namespace_ok && self.principals.iter().any(|p| p == account)
    }
}

fn is_key_type(token: &str) -> bool {
    token.starts_with("ssh-") || token.starts_with("ecdsa-") || token.starts_with("sk-")
}

fn parse_line(line: &str) -> Result<AllowedSigner, String> {
    let (principals, rest) = line
        .split_once(char::is_whitespace)
        .ok_or("expected `PRINCIPALS [OPTIONS] KEYTYPE BASE64`")?;
    let mut rest = rest.trim_start();
    let mut namespaces = None;
    let first = rest.split_whitespace().next().unwrap_or_default();
    if !is_key_type(first) {
        let (options, after) = split_options(rest);
        for option in options {
            let (name, value) = option.split_once('=').unwrap_or((option.as_str(), ""));
            match name.to_ascii_lowercase().as_str() {
                "namespaces" => {
                    let list = value.trim_matches('"');
                    namespaces = Some(list.split(',').map(|s| s.trim().to_string()).collect());
                }
                other => {
                    return Err(format!(
                        "option `{other}` is not supported here (only namespaces=\"…\")"
                    ));
                }
            }
        }
        rest = after.trim_start();
    }
    let mut fields = rest.split_whitespace();
    let (Some(kind), Some(base64)) = (fields.next(), fields.next()) else {
        return Err("no key after the principals (expected `KEYTYPE BASE64`)".into());
    };
    let key = PublicKey::from_openssh(&format!("{kind} {base64}"))
        .map_err(|e| format!("not a public key `{kind} …` ({e})"))?;
    Ok(AllowedSigner {
        principals: principals.split(',').map(str::to_string).collect(),
        namespaces,
        key,
    })
}

/// Splits `a,b="x y",c rest` into its comma-separated options (quotes may hold spaces) and the rest.
fn split_options(text: &str) -> (Vec<String>, &str) {
    let mut options = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for (at, ch) in text.char_indices() {
        match ch {
            '"' => {
                quoted = !quoted;
                current.push(ch);
            }
            ',' if !quoted => options.push(std::mem::take(&mut current)),
            c if c.is_whitespace() && !quoted => {
                options.push(current);
                return (options, &text[at..]);
            }
            c => current.push(c),
        }
    }
    options.push(current);
    (options, "")
}

/// Signs through the ssh-agent at `socket` with a key the allowed-signers file gives `account`.
#[derive(Debug, Clone)]
pub struct AgentSigner {
    socket: PathBuf,
    key: PublicKey,
}

impl AgentSigner {
    /// The agent of this session (`SSH_AUTH_SOCK`, forwarded agents included).
    pub fn from_env(signers: &AllowedSigners, account: &str) -> Result<AgentSigner, String> {
        let socket = std::env::var_os("SSH_AUTH_SOCK")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                "signing is on, but SSH_AUTH_SOCK is not set: start ssh-agent and `ssh-add` your \
                 key (or connect with `ssh -A`)"
                    .to_string()
            })?;
        AgentSigner::at(Path::new(&socket), signers, account)
    }

    /// Picks the first key in the agent that `signers` lists for `account`.
    pub fn at(
        socket: &Path,
        signers: &AllowedSigners,
        account: &str,
    ) -> Result<AgentSigner, String> {
        let mut client = ssh_agent_client_rs::Client::connect(socket)
            .map_err(|e| format!("cannot reach the ssh-agent at {}: {e}", socket.display()))?;
        let held = client.list_all_identities().map_err(|e| {
            format!(
                "the ssh-agent at {} did not list its keys: {e}",
                socket.display()
            )
        })?;
        let key = held
            .into_iter()
            .filter_map(|identity| match identity {
                ssh_agent_client_rs::Identity::PublicKey(key) => Some(key.into_owned()),
                ssh_agent_client_rs::Identity::Certificate(_) => None,
            })
            .find(|k| {
                signers
                    .keys_for(account)
                    .any(|a| a.key_data() == k.key_data())
            })
            .ok_or_else(|| {
                format!(
                    "none of the keys in your ssh-agent is listed for {account} in {}: add a line \
                     `{account} <your public key>` there (see `ssh-add -L`)",
                    signers.path.display()
                )
            })?;
        Ok(AgentSigner {
            socket: socket.to_path_buf(),
            key,
        })
    }

    /// The armored SSHSIG of `message`.
    pub fn sign(&self, message: &[u8]) -> Result<String, String> {
        let data = SshSig::signed_data(NAMESPACE, HashAlg::Sha512, message)
            .map_err(|e| format!("cannot prepare the signature: {e}"))?;
        let mut client = ssh_agent_client_rs::Client::connect(&self.socket).map_err(|e| {
            format!(
                "cannot reach the ssh-agent at {}: {e}",
                self.socket.display()
            )
        })?;
        let signature = client
            .sign(&self.key, &data)
            .map_err(|e| format!("the ssh-agent refused to sign: {e}"))?;
        SshSig::new(
            self.key.key_data().clone(),
            NAMESPACE,
            HashAlg::Sha512,
            signature,
        )
        .and_then(|sig| sig.to_pem(LineEnding::LF))
        .map_err(|e| format!("cannot encode the signature: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBROW1jA6n9qZ9/vgbwm5IWrRrcErjsF55nVVfiDKzjO";

    #[test]
    fn parses_principals_options_and_keys_and_names_bad_lines() {
        let text = format!(
            "# leads\nalice,al {KEY} alice@laptop\nbob namespaces=\"git,flightdeck-ledger\" {KEY}\n\
             carol namespaces=\"git\" {KEY}\n"
        );
        let signers = AllowedSigners::parse(Path::new("as"), &text).expect("parses");
        assert_eq!(signers.keys_for("al").count(), 1);
        assert_eq!(signers.keys_for("bob").count(), 1);
        assert_eq!(signers.keys_for("carol").count(), 0, "key limited to git");
        let err = AllowedSigners::parse(Path::new("as"), "dave cert-authority ssh-ed25519 AAAA\n")
            .expect_err("unsupported option");
        assert!(err.starts_with("as:1: option `cert-authority`"), "{err}");
        let err = AllowedSigners::parse(Path::new("as"), "\n\neve ssh-ed25519 notbase64\n")
            .expect_err("bad key");
        assert!(err.starts_with("as:3: not a public key"), "{err}");
    }
}
