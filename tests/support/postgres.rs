//! A real, temporary PostgreSQL server for the shared-ledger tests: `initdb` into a temp dir, a
//! server on 127.0.0.1 (a free port) and on a unix socket in that dir, torn down on drop (also when
//! the test panics). initdb refuses to run as root, so as root every server binary runs as the
//! `postgres` system user (`runuser`), in a temp dir it owns. Waits are bounded polls.

#![allow(dead_code)] // each test binary uses a different part of this helper

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const SUPERUSER: &str = "fd";

pub struct TempPostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    as_postgres: bool,
}

/// The newest installed server's bin directory (`/usr/lib/postgresql/N/bin`), or a PATH initdb.
fn server_bin() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|d| {
            let version = d.file_name().to_str()?.parse().ok()?;
            let bin = d.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    if let Some((_, bin)) = found.pop() {
        return bin;
    }
    let which = Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output()
        .expect("sh");
    let path = String::from_utf8_lossy(&which.stdout).trim().to_string();
    assert!(
        !path.is_empty(),
        "PostgreSQL server binaries not found: install the `postgresql` package (tests/run.sh does)"
    );
    PathBuf::from(path)
        .parent()
        .expect("initdb has a directory")
        .to_path_buf()
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("addr").port()
}

impl TempPostgres {
    pub fn start() -> TempPostgres {
        let dir = tempfile::Builder::new()
            .prefix("fd-pg-")
            .tempdir()
            .expect("tempdir");
        // Root? initdb refuses to run as root.
        let as_postgres =
            String::from_utf8_lossy(&Command::new("id").arg("-u").output().expect("id -u").stdout)
                .trim()
                == "0";
        let server = TempPostgres {
            dir,
            bin: server_bin(),
            port: free_port(),
            as_postgres,
        };
        if as_postgres {
            server.chown_to_postgres(server.dir.path());
        }
        let data = server.data();
        let init = server.run(
            "initdb",
            &[
                "-D",
                data.to_str().expect("utf-8 path"),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        );
        assert!(init.status.success(), "initdb failed: {}", text(&init));
        server.start_server();
        server
    }

    fn chown_to_postgres(&self, path: &Path) {
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(path)
            .status()
            .expect("chown");
        assert!(status.success(), "chown {} to postgres", path.display());
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    fn run(&self, tool: &str, args: &[&str]) -> Output {
        let program = self.bin.join(tool);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        command
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", program.display()))
    }

    /// Starts (or restarts after [`TempPostgres::crash`]) the server and waits until it accepts.
    pub fn start_server(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=100",
            self.port,
            self.dir.path().display()
        );
        let started = self.run(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().expect("utf-8"),
                "-l",
                self.log().to_str().expect("utf-8"),
                "-o",
                &options,
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        assert!(
            started.status.success(),
            "pg_ctl start failed: {}\n{}",
            text(&started),
            std::fs::read_to_string(self.log()).unwrap_or_default()
        );
    }

    /// Kills the server the way a crash would (`pg_ctl stop -m immediate`: no checkpoint).
    pub fn crash(&self) {
        let _ = self.run(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().expect("utf-8"),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }

    /// `postgres://fd@127.0.0.1:PORT/DB?sslmode=disable` (trust authentication, loopback).
    pub fn url(&self, db: &str) -> String {
        format!(
            "postgres://{SUPERUSER}@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }

    /// The same database over the unix socket in the temp dir.
    pub fn socket_url(&self, db: &str) -> String {
        format!(
            "postgres://{SUPERUSER}@/{db}?host={}&port={}",
            self.dir.path().display(),
            self.port
        )
    }

    /// Runs SQL through psql over the socket; returns its stdout (unaligned, tuples only).
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let output = Command::new(self.bin.join("psql"))
            .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(self.dir.path())
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                SUPERUSER,
                "-d",
                db,
                "-c",
                sql,
            ])
            .output()
            .expect("psql");
        assert!(output.status.success(), "psql {sql}: {}", text(&output));
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    /// Turns TLS on with a fresh self-signed certificate for `localhost` (restarts the server);
    /// returns the certificate's path, to trust as `sslrootcert`.
    pub fn enable_tls(&self) -> PathBuf {
        let data = self.data();
        let (cert, key) = (data.join("server.crt"), data.join("server.key"));
        let dir = self.dir.path();
        let (ca, ca_key) = (dir.join("root.crt"), dir.join("root.key"));
        let (csr, ext) = (dir.join("server.csr"), dir.join("server.ext"));
        std::fs::write(
            &ext,
            "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
        )
        .expect("ext");
        let path = |p: &PathBuf| p.to_str().expect("utf-8").to_string();
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let steps: [Vec<String>; 3] = [
            // A test CA, then a server certificate for localhost signed by it.
            [
                &["req", "-x509"][..],
                &ec,
                &["-days", "2", "-subj", "/CN=flightdeck test CA"],
            ]
            .concat()
            .iter()
            .map(|s| s.to_string())
            .chain(["-keyout".into(), path(&ca_key), "-out".into(), path(&ca)])
            .collect(),
            [&["req"][..], &ec, &["-subj", "/CN=localhost"]]
                .concat()
                .iter()
                .map(|s| s.to_string())
                .chain(["-keyout".into(), path(&key), "-out".into(), path(&csr)])
                .collect(),
            ["x509", "-req", "-days", "2", "-CAcreateserial"]
                .iter()
                .map(|s| s.to_string())
                .chain(["-in".into(), path(&csr), "-CA".into(), path(&ca)])
                .chain(["-CAkey".into(), path(&ca_key), "-out".into(), path(&cert)])
                .chain(["-extfile".into(), path(&ext)])
                .collect(),
        ];
        for args in steps {
            let made = Command::new("openssl")
                .args(&args)
                .output()
                .expect("openssl");
            assert!(made.status.success(), "openssl {args:?}: {}", text(&made));
        }
        let copy = ca;
        if self.as_postgres {
            self.chown_to_postgres(&data);
        }
        let chmod = Command::new("chmod")
            .arg("600")
            .arg(&key)
            .status()
            .expect("chmod");
        assert!(chmod.success());
        self.append_conf("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
        self.crash();
        self.start_server();
        copy
    }

    /// TCP connections must give `password` (SCRAM); the unix socket stays trusted (for psql).
    pub fn require_password(&self, password: &str) {
        self.psql(
            "postgres",
            &format!("ALTER ROLE {SUPERUSER} PASSWORD '{password}'"),
        );
        std::fs::write(
            self.data().join("pg_hba.conf"),
            "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
        )
        .expect("pg_hba.conf");
        if self.as_postgres {
            self.chown_to_postgres(&self.data());
        }
        self.crash();
        self.start_server();
    }

    fn append_conf(&self, lines: &str) {
        use std::io::Write;
        let mut conf = std::fs::OpenOptions::new()
            .append(true)
            .open(self.data().join("postgresql.conf"))
            .expect("postgresql.conf");
        conf.write_all(lines.as_bytes()).expect("append conf");
    }

    /// A fresh, empty database.
    pub fn create_db(&self, name: &str) {
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
    }

    /// Waits for `ready` to hold, polling every 20 ms, for at most `limit`.
    pub fn wait_for(limit: Duration, mut ready: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if ready() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        ready()
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        self.crash();
    }
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
