//! A small, readable harness: `Test::fixture("ans").run(["members", "list"]).success()`.

use std::path::{Path, PathBuf};
use std::process::Command;

pub const BIN: &str = env!("CARGO_BIN_EXE_charte");

/// The repository's root (fixtures/, tests/data/).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn data(rel: &str) -> PathBuf {
    repo().join("tests/data").join(rel)
}

/// A temporary folder holding one workspace, `ws/`.
pub struct Test {
    _tmp: tempfile::TempDir,
    pub root: PathBuf,
    pub ws: PathBuf,
    now: String,
}

impl Test {
    /// An empty temporary folder; the workspace is not created yet.
    pub fn empty() -> Test {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = tmp.path().to_owned();
        let ws = root.join("ws");
        Test { _tmp: tmp, root, ws, now: "2026-01-10".into() }
    }

    /// A fresh workspace made by `charte init`, its placeholder charter
    /// replaced by a text of the network's own (`issue` refuses the placeholder).
    pub fn new() -> Test {
        let t = Test::empty();
        t.run(["init", "--replay", t.ws.to_str().expect("utf-8 path")]).success();
        std::fs::write(t.path("charter/fr.md"), "# Charte du réseau\n\nNous travaillons ensemble.\n").expect("charter");
        t
    }

    /// A copy of fixtures/NAME as the workspace.
    pub fn fixture(name: &str) -> Test {
        let t = Test::empty();
        copy_dir(&repo().join("fixtures").join(name), &t.ws);
        t
    }

    /// Sets the --now date of later runs.
    pub fn at(mut self, date: &str) -> Test {
        self.now = date.into();
        self
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.ws.join(rel)
    }

    /// Runs charte with --dir set to the workspace.
    pub fn run<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.run_env(args, &[])
    }

    /// Runs charte with extra environment variables.
    pub fn run_env<I, S>(&self, args: I, env: &[(&str, &str)]) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.run_full(&self.now, args, env)
    }

    /// Runs charte on another day than the test's (`--now now`).
    pub fn run_at<I, S>(&self, now: &str, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.run_full(now, args, &[])
    }

    /// Starts charte on `now` without waiting for it (two at once, say);
    /// [`Running::wait`] gives its [`Run`].
    pub fn spawn_at<I, S>(&self, now: &str, args: I) -> Running
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = self.command(now, args, &[]);
        let command = format!("{cmd:?}");
        let child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("charte starts");
        Running { child, command }
    }

    fn run_full<I, S>(&self, now: &str, args: I, env: &[(&str, &str)]) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        Run::of(self.command(now, args, env))
    }

    /// Starts `charte serve --listen 127.0.0.1:0 --no-daily-run` on the
    /// workspace and waits until it listens; [`Served`] stops it when
    /// dropped. (The daily run would change the workspace under the test.)
    pub fn serve(&self) -> Served {
        self.serve_with(&["--no-daily-run"], &[])
    }

    /// [`Test::serve`] with `args` after `--listen`, and `env`.
    pub fn serve_with(&self, args: &[&str], env: &[(&str, &str)]) -> Served {
        use std::io::BufRead;
        let mut all = vec!["serve", "--listen", "127.0.0.1:0"];
        all.extend_from_slice(args);
        let mut cmd = self.command(&self.now, all, env);
        let mut child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("charte serve starts");
        let mut out = std::io::BufReader::new(child.stdout.take().expect("its stdout"));
        let mut line = String::new();
        out.read_line(&mut line).expect("charte serve says where it listens");
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Served { child: Some(child), addr, out }
    }

    /// Runs the same charte command twice at the same moment (both
    /// processes started, then both waited for).
    pub fn twice_at_once(&self, args: &[&str], env: &[(&str, &str)]) -> (Run, Run) {
        let spawn = || {
            let mut cmd = self.command(&self.now, args, env);
            let command = format!("{cmd:?}");
            cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
            (command, cmd.spawn().expect("charte starts"))
        };
        let (a, b) = (spawn(), spawn());
        let wait = |(command, child): (String, std::process::Child)| {
            Run::from_output(command, child.wait_with_output().expect("charte runs"))
        };
        (wait(a), wait(b))
    }

    fn command<I, S>(&self, now: &str, args: I, env: &[(&str, &str)]) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let mut cmd = Command::new(BIN);
        cmd.envs(env.iter().copied());
        cmd.arg("--dir").arg(&self.ws).arg("--now").arg(now).args(args);
        // Relative paths in a test name files of the workspace, once it exists.
        cmd.current_dir(if self.ws.is_dir() { &self.ws } else { &self.root });
        cmd.env_remove("CHARTE_NOW");
        cmd
    }

    /// `charte users add EMAIL --role ROLE`, the password on standard input.
    pub fn user(&self, email: &str, role: &str, password: &str) {
        use std::io::Write;
        let mut child = self
            .command(&self.now, ["users", "add", email, "--role", role], &[])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("charte starts");
        child.stdin.take().expect("its stdin").write_all(format!("{password}\n").as_bytes()).expect("password sent");
        let out = child.wait_with_output().expect("charte ends");
        assert!(out.status.success(), "users add {email}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// `members list --json`, parsed.
    pub fn members(&self) -> Vec<serde_json::Value> {
        let out = self.run(["members", "list", "--json"]).success();
        serde_json::from_str::<Vec<serde_json::Value>>(&out.stdout).expect("members list --json is a JSON array")
    }

    /// The number of journal entries, from `charte audit --json`.
    pub fn journal_len(&self) -> u64 {
        let out = self.run(["audit", "--json"]).success();
        let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("audit --json");
        v["entries"].as_u64().expect("entries")
    }

    /// Everything a "nothing changed" assertion compares.
    pub fn snapshot(&self) -> (String, u64) {
        let out = self.run(["members", "list", "--json"]).success();
        (out.stdout, self.journal_len())
    }

    /// Records a signed adherence for each organisation (an attested paper
    /// scan of its issued document, confirmed by the coordinator at once):
    /// membership is proof, not declaration.
    pub fn sign(&self, numbers: &[&str]) {
        if !self.path("keys/coordination.key").exists() {
            self.run(["keys", "init"]).success();
        }
        self.run([&["issue"][..], numbers].concat()).success();
        for n in numbers {
            let scan = self.root.join(format!("scan-{n}.pdf"));
            std::fs::write(&scan, format!("paper adherence of {n}")).expect("scan");
            let run = self.run(["collect".as_ref(), scan.as_os_str(), "--scan".as_ref(), n.as_ref()]).success();
            let id = pending_id(&run.stdout);
            self.run(["returns", "confirm", &id]).success();
        }
    }

    /// Every organisation the roster declares member or partner signs (see [`Test::sign`]).
    pub fn sign_declared_members(&self) {
        let numbers: Vec<String> = self
            .members()
            .iter()
            .filter(|m| m["status"] == "member" || m["status"] == "partner")
            .map(|m| m["enterprise_number"].as_str().expect("number").to_owned())
            .collect();
        self.sign(&numbers.iter().map(String::as_str).collect::<Vec<_>>());
    }

    /// Every file under out/, with a hash of its bytes: what a "no file
    /// written" assertion compares.
    pub fn out_files(&self) -> Vec<(String, u64)> {
        fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, u64)>) {
            let Ok(entries) = std::fs::read_dir(dir) else { return };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, base, out);
                } else {
                    use std::hash::{Hash, Hasher};
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    std::fs::read(&path).unwrap_or_default().hash(&mut h);
                    out.push((path.strip_prefix(base).unwrap_or(&path).display().to_string(), h.finish()));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.ws.join("out"), &self.ws, &mut out);
        out.sort();
        out
    }
}

/// Woluwe-Saint-Lambert's autumn plenary of 2026-10-13, held, with its
/// attendance from the fixture (12 members present, 4 participants present,
/// the Épicerie sociale absent), on the next day.
pub fn woluwe_plenary_held() -> Test {
    let t = Test::fixture("woluwe-saint-lambert").at("2026-10-01");
    t.run(["members", "import", "roster.csv"]).success();
    t.sign_declared_members();
    let m = t.run(["meeting", "add", "--body", "plenary", "--date", "2026-10-13T09:30"]).success().stdout;
    assert_eq!(m.trim(), "plenary-2026-10-13");
    let lines: String = std::fs::read_to_string(t.path("year/attendance.csv"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("plenary-2026-10-13,"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(t.path("att.csv"), format!("meeting,enterprise_number,status,person\n{lines}")).unwrap();
    let t = t.at("2026-10-14");
    t.run(["attendance", "import", "att.csv"]).success();
    t
}

/// The fingerprint of the public key file `path` (docs/seal.md §1).
pub fn fingerprint(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    charte::seal::fingerprint(&charte::seal::parse_public_key(&text).expect("a public key file"))
}

/// The number of the return that `collect` says waits for confirmation
/// ("charte returns confirm ID").
#[track_caller]
pub fn pending_id(stdout: &str) -> String {
    let (_, after) = stdout
        .split_once("charte returns confirm ")
        .unwrap_or_else(|| panic!("no return waits for confirmation in:\n{stdout}"));
    after.chars().take_while(char::is_ascii_digit).collect()
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    command: String,
}

/// A charte started by [`Test::spawn_at`].
pub struct Running {
    child: std::process::Child,
    command: String,
}

impl Running {
    /// Whether it has not ended yet.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().expect("charte's state").is_none()
    }

    /// Waits for it to end.
    pub fn wait(self) -> Run {
        let out = self.child.wait_with_output().expect("charte runs");
        Run::from_output(self.command, out)
    }
}

impl Run {
    pub fn of(mut cmd: Command) -> Run {
        let command = format!("{cmd:?}");
        Run::from_output(command, cmd.output().expect("charte runs"))
    }

    fn from_output(command: String, out: std::process::Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            command,
        }
    }

    fn context(&self) -> String {
        format!("command: {}\nexit: {}\nstdout:\n{}\nstderr:\n{}", self.command, self.code, self.stdout, self.stderr)
    }

    #[track_caller]
    pub fn success(self) -> Run {
        assert_eq!(self.code, 0, "expected success\n{}", self.context());
        self
    }

    #[track_caller]
    pub fn code(self, code: i32) -> Run {
        assert_eq!(self.code, code, "expected exit {code}\n{}", self.context());
        self
    }

    #[track_caller]
    pub fn stdout_has(self, needle: &str) -> Run {
        assert!(self.stdout.contains(needle), "stdout lacks {needle:?}\n{}", self.context());
        self
    }

    #[track_caller]
    pub fn stderr_has(self, needle: &str) -> Run {
        assert!(self.stderr.contains(needle), "stderr lacks {needle:?}\n{}", self.context());
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e})\n{}", self.context()))
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A `charte serve` started by [`Test::serve`].
pub struct Served {
    child: Option<std::process::Child>,
    /// host:port
    pub addr: String,
    out: std::io::BufReader<std::process::ChildStdout>,
}

/// An HTTP response, read whole.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    /// Header names in lowercase.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The `name=value` of each cookie the response sets (no attributes).
    pub fn cookies_set(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .filter_map(|(_, v)| v.split(';').next())
            .map(str::to_owned)
            .collect()
    }

    /// The value of the field `name` of the page's forms (the first one).
    pub fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let at = self.body.find(&marker).unwrap_or_else(|| panic!("no field {name} in {}", self.body)) + marker.len();
        self.body[at..].split('"').next().unwrap_or_default().to_owned()
    }

    /// The value of the first hidden `csrf` field of the page's forms.
    pub fn form_token(&self) -> Option<String> {
        let at = self.body.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
        self.body[at..].split('"').next().map(str::to_owned)
    }
}

/// A signed-in account of the web application ([`Served::login`]): its
/// requests carry the session's cookie; its forms, the session's token.
pub struct Session<'a> {
    pub served: &'a Served,
    /// The Cookie header: the session's cookie.
    pub cookie: String,
    /// The token the session's forms carry (field `csrf`).
    pub csrf: String,
}

impl Session<'_> {
    pub fn get(&self, path: &str) -> Response {
        self.served.request_with("GET", path, &[("Cookie", &self.cookie)], b"")
    }

    /// POSTs the form `fields` (urlencoded), with the session's `csrf` first.
    pub fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &serde_urlencoded::to_string(&all).expect("a form"))
    }

    /// GETs `path` and returns its status and its body's bytes (a PDF, which
    /// [`Response::body`], text, would mangle).
    pub fn download(&self, path: &str) -> (u16, Vec<u8>) {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&self.served.addr).expect("the server accepts");
        let head = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nCookie: {}\r\n\r\n",
            self.served.addr, self.cookie
        );
        stream.write_all(head.as_bytes()).expect("request sent");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("response read");
        let end = raw.windows(4).position(|w| w == b"\r\n\r\n").map_or(raw.len(), |at| at + 4);
        let status = String::from_utf8_lossy(&raw[..end]).split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        (status, raw[end..].to_vec())
    }

    /// POSTs `body` as an urlencoded form, as it is (no token added).
    pub fn post_raw(&self, path: &str, body: &str) -> Response {
        let headers = [("Cookie", self.cookie.as_str()), ("Content-Type", "application/x-www-form-urlencoded")];
        self.served.request_with("POST", path, &headers, body.as_bytes())
    }

    /// POSTs a multipart form: the session's `csrf` first, then `fields`,
    /// then `file` (field name, file name, bytes) if any.
    #[allow(dead_code, reason = "the desk's uploads use it")]
    pub fn post_multipart(&self, path: &str, fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> Response {
        let boundary = "charteTestBoundary7f3a";
        let mut body = Vec::new();
        let mut part = |name: &str, filename: Option<&str>, bytes: &[u8]| {
            let disposition = match filename {
                Some(f) => {
                    format!("form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream")
                }
                None => format!("form-data; name=\"{name}\""),
            };
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n").as_bytes());
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        };
        part("csrf", None, self.csrf.as_bytes());
        for (name, value) in fields {
            part(name, None, value.as_bytes());
        }
        if let Some((name, filename, bytes)) = file {
            part(name, Some(filename), bytes);
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let headers = [("Cookie", self.cookie.as_str()), ("Content-Type", content_type.as_str())];
        self.served.request_with("POST", path, &headers, &body)
    }
}

impl Served {
    /// Sends one HTTP/1.1 request (the connection closed after it) and reads
    /// the response.
    pub fn request(&self, method: &str, path: &str, body: &[u8]) -> Response {
        self.request_with(method, path, &[], body)
    }

    /// [`Served::request`] with more headers.
    pub fn request_with(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&self.addr).expect("the server accepts");
        let extra: String = headers.iter().map(|(n, v)| format!("{n}: {v}\r\n")).collect();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n{extra}\r\n",
            self.addr,
            body.len()
        );
        stream.write_all(head.as_bytes()).expect("request sent");
        stream.write_all(body).expect("body sent");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("response read");
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Response { status, headers, body: body.to_owned() }
    }

    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path, b"")
    }

    /// Signs in at /login as the sign-in form does (its CSRF cookie and
    /// field); panics unless the server lets the account in.
    pub fn login(&self, email: &str, password: &str) -> Session<'_> {
        let (status, session) = self.try_login(email, password);
        assert_eq!(status, 303, "signing in as {email}");
        session.expect("a session")
    }

    /// Signs in, and says with which status; the session when it opened.
    pub fn try_login(&self, email: &str, password: &str) -> (u16, Option<Session<'_>>) {
        let page = self.get("/login");
        assert_eq!(page.status, 200, "{}", page.body);
        let cookie = page.cookies_set().join("; ");
        let csrf = page.form_token().expect("the sign-in form's token");
        let body = serde_urlencoded::to_string([("csrf", csrf.as_str()), ("email", email), ("password", password)])
            .expect("a form");
        let headers = [("Cookie", cookie.as_str()), ("Content-Type", "application/x-www-form-urlencoded")];
        let signed = self.request_with("POST", "/login", &headers, body.as_bytes());
        if signed.status != 303 {
            return (signed.status, None);
        }
        let cookie = signed.cookies_set().join("; ");
        assert!(cookie.starts_with("charte_session="), "{cookie}");
        // Its cookie cannot be read by a script nor sent by another site.
        let attributes = signed.header("set-cookie").unwrap_or_default();
        assert!(attributes.contains("HttpOnly") && attributes.contains("SameSite=Strict"), "{attributes}");
        let home = self.request_with("GET", "/", &[("Cookie", &cookie)], b"");
        let csrf = home.form_token().expect("the desk's forms carry a token");
        (303, Some(Session { served: self, cookie, csrf }))
    }

    /// Stops it as systemd does (SIGTERM) and returns what it printed.
    pub fn stop(mut self) -> Run {
        use std::io::Read;
        let mut child = self.child.take().expect("running");
        std::process::Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().expect("kill runs");
        let status = child.wait().expect("charte serve ends");
        let mut stdout = String::new();
        self.out.read_to_string(&mut stdout).expect("its stdout");
        let mut stderr = String::new();
        child.stderr.take().expect("its stderr").read_to_string(&mut stderr).expect("its stderr");
        Run { code: status.code().unwrap_or(-1), stdout, stderr, command: "charte serve".into() }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Two histories of one coordination: Ans with its roster and key, copied
/// (same keys); each copy records a different meeting before its 2025
/// report (two histories of the same length, both signed), then the second
/// makes its 2026 report. Returns (the first, the second).
pub fn diverged_histories() -> (Test, Test) {
    let t = Test::fixture("ans").at("2026-11-02");
    t.run(["members", "import", "roster.csv"]).success();
    t.run(["keys", "init"]).success();
    let other = Test::empty().at("2026-11-02");
    copy_dir(&t.ws, &other.ws);
    for (ws, day) in [(&t, "2026-11-30"), (&other, "2026-12-01")] {
        ws.run(["meeting", "add", "--body", "plenary", "--date", day]).success();
        ws.run(["report", "annual", "--year", "2025"]).success();
    }
    let other = other.at("2026-11-20");
    other.run(["report", "annual", "--year", "2026"]).success();
    (t, other)
}

/// The text and HTML of each .eml of the outbox whose name has `step`.
pub fn mails(t: &Test, step: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(t.path("out/outbox")).unwrap() {
        let path = e.unwrap().path();
        if !path.file_name().unwrap().to_string_lossy().contains(step) {
            continue;
        }
        let eml = std::fs::read(&path).unwrap();
        let m = mail_parser::MessageParser::default().parse(&eml).unwrap();
        out.push((m.body_text(0).unwrap().into_owned(), m.body_html(0).unwrap().into_owned()));
    }
    out
}

/// The token of the signing link (under `public_url`) in a mail's text,
/// which its HTML holds too.
pub fn link_token(public_url: &str, (text, html): &(String, String)) -> String {
    let start = text.find(&format!("{public_url}/s/")).unwrap_or_else(|| panic!("no link in {text}"));
    let token: String = text[start + public_url.len() + 3..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_".contains(*c))
        .collect();
    assert!(html.contains(&format!("href=\"{public_url}/s/{token}\"")), "{html}");
    token
}

/// The code of the latest code mail in the outbox, and its recipient.
pub fn mailed_code(t: &Test) -> (String, String) {
    let mut codes: Vec<_> = std::fs::read_dir(t.path("out/outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("code."))
        .map(|p| (std::fs::metadata(&p).unwrap().modified().unwrap(), p))
        .collect();
    codes.sort();
    let eml = std::fs::read(&codes.last().expect("a code mail").1).unwrap();
    let m = mail_parser::MessageParser::default().parse(&eml).unwrap();
    let text = m.body_text(0).unwrap().into_owned();
    assert!(
        text.contains("ne vous demandera jamais ce code") || text.contains("zal u ooit om deze code vragen"),
        "{text}"
    );
    let code = text.split_whitespace().find(|w| w.len() == 6 && w.chars().all(|c| c.is_ascii_digit())).unwrap();
    (code.to_owned(), m.to().unwrap().first().unwrap().address().unwrap().to_owned())
}
