//! Who is signing: the operating-system account of this process, never an environment variable.
//!
//! The uid is the real uid of the process, mapped to an account name through the system's account
//! database (`getpwuid_r`, so NSS: `/etc/passwd`, LDAP, SSSD, …), falling back to `/etc/passwd`
//! read directly and then to the numeric uid. The host comes from the kernel, and the SSH origin
//! from `SSH_CONNECTION` (it only adds where the session came from; it grants nothing).

use nix::unistd::{Uid, User};

use super::{Actor, LedgerError};

/// The actor of this process.
pub fn current_actor() -> Result<Actor, LedgerError> {
    let uid = Uid::current();
    let account = account_name(uid);
    let uid = uid.as_raw();
    let host = ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .find_map(|p| {
            std::fs::read_to_string(p)
                .ok()
                .map(|h| h.trim().to_string())
                .filter(|h| !h.is_empty())
        })
        .unwrap_or_else(|| "localhost".into());
    let ssh_origin = std::env::var("SSH_CONNECTION")
        .ok()
        .and_then(|v| ssh_origin(&v));
    Ok(Actor {
        account,
        uid,
        host,
        ssh_origin,
    })
}

/// The name NSS gives `uid`; `/etc/passwd` when NSS fails; else the number.
fn account_name(uid: Uid) -> String {
    if let Ok(Some(user)) = User::from_uid(uid) {
        return user.name;
    }
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|passwd| account_for_uid(&passwd, uid.as_raw()))
        .unwrap_or_else(|| uid.to_string())
}

/// The account name of `uid` in passwd(5) text (`name:x:uid:gid:…`), first match wins.
pub fn account_for_uid(passwd: &str, uid: u32) -> Option<String> {
    passwd
        .lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            let _password = fields.next()?;
            let line_uid: u32 = fields.next()?.parse().ok()?;
            (line_uid == uid && !name.is_empty()).then(|| name.to_string())
        })
}

/// `ip:port` of the client from `SSH_CONNECTION` = `client_ip client_port server_ip server_port`;
/// IPv6 addresses are bracketed.
pub fn ssh_origin(ssh_connection: &str) -> Option<String> {
    let mut parts = ssh_connection.split_whitespace();
    let ip = parts.next()?;
    let port: u16 = parts.next()?.parse().ok()?;
    Some(if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\n\
                          # comment:x:1000\n\
                          alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n\
                          bob:x:1001:1001::/home/bob:/bin/sh\n";

    #[test]
    fn maps_uid_to_account_name() {
        assert_eq!(account_for_uid(PASSWD, 1000).as_deref(), Some("alice"));
        assert_eq!(account_for_uid(PASSWD, 0).as_deref(), Some("root"));
        assert_eq!(account_for_uid(PASSWD, 4242), None);
    }

    #[test]
    fn ssh_origin_is_client_ip_and_port() {
        assert_eq!(
            ssh_origin("10.1.2.3 52144 10.0.0.1 22").as_deref(),
            Some("10.1.2.3:52144")
        );
        assert_eq!(
            ssh_origin("fe80::1 2222 fe80::2 22").as_deref(),
            Some("[fe80::1]:2222")
        );
        assert_eq!(ssh_origin(""), None);
        assert_eq!(ssh_origin("10.1.2.3 notaport"), None);
    }

    #[test]
    fn current_actor_uses_the_process_uid_not_user_variable() {
        use std::os::unix::fs::MetadataExt;
        let actor = current_actor().expect("actor");
        let uid = std::fs::metadata("/proc/self").expect("proc").uid();
        assert_eq!(actor.uid, uid);
        let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        if let Some(name) = account_for_uid(&passwd, uid) {
            assert_eq!(actor.account, name, "NSS agrees with /etc/passwd here");
        }
        assert!(!actor.account.is_empty());
        assert!(!actor.host.is_empty());
    }
}
