//! Signed entries through a real `ssh-agent` started here, with keys made by `ssh-keygen` (both
//! from openssh-client, which tests/run.sh installs): a signed ledger verifies, `ssh-keygen -Y
//! verify` accepts our signatures, and every forgery by someone who can write the file fails.

#[path = "support/ssh_agent.rs"]
mod ssh_agent;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ssh_agent::{Agent, keygen};

use flightdeck::ledger::signing::NAMESPACE;
use flightdeck::ledger::{
    Actor, AgentSigner, AllowedSigners, Decision, IssueKind, Ledger, Payload, Setup,
};
use flightdeck::model::signoff::SignoffGrid;
use flightdeck::policy::decide;

fn actor(account: &str) -> Actor {
    Actor {
        account: account.into(),
        uid: 1000,
        host: "bastion".into(),
        ssh_origin: None,
    }
}

fn go(item: &str) -> Payload {
    Payload::Signoff {
        env: "prod".into(),
        release: "1.5.0".into(),
        item: item.into(),
        role: "Technical Lead".into(),
        decision: Decision::Go,
        comment: None,
    }
}

struct World {
    dir: tempfile::TempDir,
    agent: Agent,
    signers: AllowedSigners,
    allowed: PathBuf,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let agent = Agent::start(dir.path());
    let mut allowed_text = String::new();
    for name in ["alice", "bob", "mallory"] {
        let (key, public) = keygen(dir.path(), name);
        allowed_text.push_str(&format!("{name} {public}\n"));
        if name != "bob" {
            agent.add(&key); // bob's key is on bob's laptop, not in this agent
        }
    }
    let allowed = dir.path().join("allowed_signers");
    std::fs::write(&allowed, allowed_text).unwrap();
    let signers = AllowedSigners::load(&allowed).unwrap();
    World {
        dir,
        agent,
        signers,
        allowed,
    }
}

impl World {
    fn signing_as(&self, account: &str, path: &Path) -> Ledger {
        let signer = AgentSigner::at(&self.agent.socket, &self.signers, account).unwrap();
        Ledger::open(path).unwrap().with_signer(signer)
    }

    fn setup(&self, path: &Path) -> Setup {
        let mut setup = Setup::plain(path);
        setup.signers = Some(self.signers.clone());
        setup
    }

    /// A ledger with two entries signed by alice.
    fn signed_ledger(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        let alice = self.signing_as("alice", &path);
        alice.append(&actor("alice"), go("Database")).unwrap();
        alice.append(&actor("alice"), go("Security")).unwrap();
        path
    }
}

#[test]
fn entries_signed_through_the_agent_verify_here_and_with_ssh_keygen() {
    let w = world();
    let path = w.signed_ledger("good.jsonl");
    let checked = w.setup(&path).read().unwrap();
    assert!(checked.report.is_clean(), "{:?}", checked.report.issues);
    assert_eq!(checked.entries.len(), 2);
    let entry = &checked.entries[1];
    let sig = entry.sig.as_deref().expect("signed");
    assert!(sig.starts_with("-----BEGIN SSH SIGNATURE-----"), "{sig}");

    // An auditor's check with OpenSSH itself: the signature is over the entry's hash text.
    let sig_file = w.dir.path().join("entry.sig");
    std::fs::write(&sig_file, sig).unwrap();
    let mut verify = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(&w.allowed)
        .args(["-I", "alice", "-n", NAMESPACE, "-s"])
        .arg(&sig_file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    verify
        .stdin
        .take()
        .unwrap()
        .write_all(entry.hash.as_bytes())
        .unwrap();
    let out = verify.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_key_not_in_the_agent_cannot_sign() {
    let w = world();
    let err = AgentSigner::at(&w.agent.socket, &w.signers, "bob").expect_err("bob's key is away");
    assert!(
        err.contains("none of the keys in your ssh-agent is listed for bob"),
        "{err}"
    );
}

#[test]
fn every_forgery_by_a_writer_of_the_file_fails_verification() {
    let w = world();
    type Forge = fn(&World, &Path);
    let forgeries: [(&str, Forge, IssueKind, &str); 3] = [
        (
            "mallory signs an entry as bob",
            |w, p| {
                let mallory = w.signing_as("mallory", p);
                mallory.append(&actor("bob"), go("Team")).unwrap();
            },
            IssueKind::BadSignature,
            "claims to be by bob but is signed by key",
        ),
        (
            "an unsigned append with the chain recomputed",
            |_, p| {
                Ledger::open(p)
                    .unwrap()
                    .append(&actor("bob"), go("Team"))
                    .unwrap();
            },
            IssueKind::Unsigned,
            "is not signed",
        ),
        (
            "an edit with a fresh hash, alice's signature kept",
            |_, p| {
                let text = std::fs::read_to_string(p).unwrap();
                let mut lines: Vec<String> = text.lines().map(String::from).collect();
                let mut value: serde_json::Value = serde_json::from_str(&lines[1]).unwrap();
                value["payload"]["item"] = "Team".into();
                value["hash"] = flightdeck::ledger::entry::entry_hash(&value).into();
                lines[1] = value.to_string();
                std::fs::write(p, lines.join("\n") + "\n").unwrap();
            },
            IssueKind::BadSignature,
            "does not match the entry",
        ),
    ];
    for (n, (name, forge, kind, says)) in forgeries.into_iter().enumerate() {
        let path = w.signed_ledger(&format!("forged{n}.jsonl"));
        forge(&w, &path);
        let setup = w.setup(&path);
        let checked = setup.read().unwrap();
        let issue = checked.report.first_error().expect(name);
        assert_eq!(issue.kind, kind, "{name}: {}", issue.message);
        assert!(issue.message.contains(says), "{name}: {}", issue.message);
        assert!(checked.entries.len() <= 2, "{name}: nothing forged counts");
        // What the rollout driver and the commands read through a signing ledger: the same.
        let read = Ledger::existing(&path)
            .checking(w.signers.clone())
            .read_all()
            .unwrap();
        assert_eq!(read, checked.entries, "{name}");
        let config = flightdeck::policy::SignoffConfig::default();
        let grid = SignoffGrid::from_ledger(&setup, &config, "prod", "1.5.0").unwrap();
        assert!(grid.broken.is_some(), "{name}");
        assert!(!decide(&grid).go, "{name}");
    }
}

#[test]
fn profile_check_warns_without_signing_and_counts_the_keys_with_it() {
    let w = world();
    let text = include_str!("../profiles/sandbox.toml");
    let mut profile =
        flightdeck::config::Profile::parse(Path::new("/etc/fd/sandbox.toml"), text).unwrap();
    let line = flightdeck::ledger::setup::profile_check(&profile).unwrap();
    assert!(
        line.starts_with("warning: [ledger] allowed_signers is not set"),
        "{line}"
    );
    profile.ledger.allowed_signers = Some(w.allowed.clone());
    let line = flightdeck::ledger::setup::profile_check(&profile).unwrap();
    assert!(
        line.contains("entries signed (SSHSIG via ssh-agent), 3 key(s)"),
        "{line}"
    );
    std::fs::write(&w.allowed, "carol ssh-ed25519 AAAAnope\n").unwrap();
    let err = flightdeck::ledger::setup::profile_check(&profile).unwrap_err();
    assert!(err.contains("allowed_signers:1: not a public key"), "{err}");
}
