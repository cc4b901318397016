//! Starts tests/support/smtp_server.py (aiosmtpd) on a free loopback port
//! for one test, and stops it when dropped.
//!
//! Needs `python3` (or the interpreter in `CHARTE_TEST_PYTHON`) with
//! aiosmtpd: `python3 -m pip install aiosmtpd==1.4.6`.

#![allow(dead_code)]

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use charte::mail::{Security, SmtpOptions, SmtpSettings};

/// How the test server listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    Plain,
    Starttls,
    Implicit,
}

#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub tls: TlsMode,
    /// AUTH required with this user and password.
    pub auth: Option<(String, String)>,
    /// The server hangs up after this many messages on one connection.
    pub max_messages_per_connection: Option<u32>,
}

impl Default for ServerOptions {
    /// STARTTLS and AUTH, as a real submission server.
    fn default() -> ServerOptions {
        ServerOptions {
            tls: TlsMode::Starttls,
            auth: Some((USER.into(), PASSWORD.into())),
            max_messages_per_connection: None,
        }
    }
}

pub const USER: &str = "coordination";
pub const PASSWORD: &str = "s3cret pass";
/// The variable the tests name in `password_env`.
pub const PASSWORD_ENV: &str = "CHARTE_TEST_SMTP_PASSWORD";

/// A message the server accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub eml: Vec<u8>,
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub connection: u64,
}

/// A running test server.
#[derive(Debug)]
pub struct TestServer {
    child: Child,
    pub port: u16,
    pub options: ServerOptions,
    dir: tempfile::TempDir,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The test CA that signed the server's certificate.
pub fn ca_pem() -> PathBuf {
    repo().join("tests/data/tls/ca.pem")
}

impl TestServer {
    pub fn start(options: ServerOptions) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let maildir = dir.path().join("mail");
        let python = std::env::var("CHARTE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut cmd = Command::new(&python);
        cmd.arg(repo().join("tests/support/smtp_server.py")).arg("--maildir").arg(&maildir);
        if options.tls != TlsMode::Plain {
            cmd.arg("--tls-cert")
                .arg(repo().join("tests/data/tls/server.pem"))
                .arg("--tls-key")
                .arg(repo().join("tests/data/tls/server.key"));
        }
        if options.tls == TlsMode::Implicit {
            cmd.arg("--implicit-tls");
        }
        if let Some((user, password)) = &options.auth {
            cmd.args(["--user", user, "--password", password]);
        }
        if let Some(n) = options.max_messages_per_connection {
            cmd.args(["--max-messages-per-connection", &n.to_string()]);
        }
        let stderr = fs::File::create(dir.path().join("stderr.txt")).expect("stderr file");
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {python} (python3 with aiosmtpd): {e}"));

        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
        let port = line.trim().strip_prefix("LISTENING ").and_then(|p| p.parse().ok());
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            let err = fs::read_to_string(dir.path().join("stderr.txt")).unwrap_or_default();
            panic!("the SMTP test server did not start (needs `python3 -m pip install aiosmtpd`):\n{err}");
        };
        TestServer { child, port, options, dir }
    }

    pub fn maildir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// The messages accepted so far, in order.
    pub fn messages(&self) -> Vec<Received> {
        let mut stems: Vec<PathBuf> = fs::read_dir(self.maildir())
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .collect()
            })
            .unwrap_or_default();
        stems.sort();
        stems
            .iter()
            .map(|json| {
                let meta: serde_json::Value = serde_json::from_slice(&fs::read(json).expect("json")).expect("meta");
                Received {
                    eml: fs::read(json.with_extension("eml")).expect("eml"),
                    mail_from: meta["mail_from"].as_str().unwrap_or_default().to_owned(),
                    rcpt_tos: meta["rcpt_tos"]
                        .as_array()
                        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                        .unwrap_or_default(),
                    connection: meta["connection"].as_u64().unwrap_or_default(),
                }
            })
            .collect()
    }

    /// The server's event log (see smtp_server.py).
    pub fn log(&self) -> Vec<String> {
        fs::read_to_string(self.maildir().join("server.log")).unwrap_or_default().lines().map(str::to_owned).collect()
    }

    /// TCP connections the server accepted.
    pub fn connections(&self) -> usize {
        self.log().iter().filter(|l| l.starts_with("CONNECT ")).count()
    }

    /// `[mail.smtp]` settings pointing at this server, with the user and
    /// the password variable when it requires AUTH.
    pub fn settings(&self) -> SmtpSettings {
        let security = match self.options.tls {
            TlsMode::Plain => Security::None,
            TlsMode::Starttls => Security::Starttls,
            TlsMode::Implicit => Security::Tls,
        };
        let mut settings = SmtpSettings::new("127.0.0.1", self.port, security);
        if let Some((user, _)) = &self.options.auth {
            settings.username = Some(user.clone());
            settings.password_env = Some(PASSWORD_ENV.into());
        }
        settings
    }

    /// Options trusting the test CA.
    pub fn client_options(&self) -> SmtpOptions {
        SmtpOptions {
            extra_root_pem: Some(ca_pem()),
            timeout: Duration::from_secs(20),
            hello_name: Some("charte.test".into()),
            ..SmtpOptions::default()
        }
    }

    /// CPU seconds the server has used so far (Linux only; assumes the
    /// usual 100 clock ticks per second).
    pub fn cpu_seconds(&self) -> Option<f64> {
        let stat = fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        let after_name = &stat[stat.rfind(')')? + 2..];
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
        Some(ticks / 100.0)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Closing stdin asks the server to stop; kill in case it does not.
        drop(self.child.stdin.take());
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The environment the tests give the transport: only the password.
pub fn test_env(name: &str) -> Option<String> {
    (name == PASSWORD_ENV).then(|| PASSWORD.to_owned())
}

/// Points a workspace's mail (its charte.toml) at the test server on
/// `port` (STARTTLS, AUTH).
pub fn point_at(charte_toml: &Path, port: u16) {
    let toml = fs::read_to_string(charte_toml).expect("charte.toml");
    let smtp = format!(
        "[mail.smtp]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"starttls\"\nusername = \"coordination\"\npassword_env = \"{PASSWORD_ENV}\"\n\n[flags]"
    );
    let toml = toml.replace("transport = \"outbox\"", "transport = \"smtp\"").replace("[flags]", &smtp);
    fs::write(charte_toml, toml).expect("charte.toml");
}

/// What charte needs in its environment to reach the test server.
pub fn client_env() -> Vec<(&'static str, String)> {
    vec![
        (PASSWORD_ENV, PASSWORD.to_owned()),
        ("CHARTE_SMTP_CA", ca_pem().to_string_lossy().into_owned()),
        ("CHARTE_RETRY_BASE_MS", "10".to_owned()),
    ]
}
