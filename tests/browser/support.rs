//! The browser the tests share: Debian's chromedriver started once on a
//! free port, one headless Chromium session driven through it (fantoccini,
//! on one tokio runtime), and a small synchronous API over it that reads
//! like the CLI harness: `browser.open(page).choose("#file", pdf)`, then
//! `wait_attr`, `text`, `screenshot`.
//!
//! The session is started by the first test that runs (a filter that
//! matches nothing starts no browser) and closed by [`Shutdown`] when the
//! run ends, the driver killed, whatever the tests did. Tests run one at a
//! time (main.rs): one browser, a 2-core machine. A machine without
//! chromium or chromedriver fails every test with what to install; a
//! browser test never skips itself.

use std::io::Read as _;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// The Debian packages' binaries (`CHARTE_TEST_CHROMIUM` and
/// `CHARTE_TEST_CHROMEDRIVER` name others).
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

const INSTALL: &str = "the browser tests need Debian's packages chromium and chromium-driver \
                       (as root: apt-get install chromium chromium-driver; .ci/run installs them)";

/// How long one WebDriver command may take before the test fails.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// How long [`Page::wait_attr`] waits by default.
pub const WAIT: Duration = Duration::from_secs(20);

/// The desktop and phone windows of [`Page::screenshot`].
const DESKTOP: (u32, u32) = (1280, 800);
const PHONE: (u32, u32) = (390, 844);

/// One browser test: its name (`module::function`) and its body.
pub type TestFn = fn(&Browser);

/// `browser_tests![a, b]` in a test module: its `tests()`, the list main.rs
/// runs, each named `module::function` so that `cargo test --test browser
/// NAME` filters as the built-in harness does.
#[macro_export]
macro_rules! browser_tests {
    ($($test:ident),* $(,)?) => {
        pub fn tests() -> Vec<(String, $crate::support::TestFn)> {
            let module = module_path!().split_once("::").map_or(module_path!(), |(_, m)| m);
            vec![$((format!("{module}::{}", stringify!($test)), $test as $crate::support::TestFn)),*]
        }
    };
}

/// The session, started on first use; an error message when it cannot be.
static BROWSER: OnceLock<Result<Browser, String>> = OnceLock::new();

/// Runs one test in the shared browser: a fresh blank page in the desktop
/// window first; a screenshot of the page as it was (`failed-NAME-…png`)
/// when the test panics, then the panic goes on to the harness.
pub fn run(name: &str, test: TestFn) -> Result<(), libtest_mimic::Failed> {
    let browser = BROWSER.get_or_init(Browser::start).as_ref().map_err(|e| libtest_mimic::Failed::from(e.as_str()))?;
    browser.reset();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| test(browser)));
    if let Err(panic) = outcome {
        let file = name.replace("::", "-");
        if let Err(e) = browser.try_screenshots(&format!("failed-{file}")) {
            eprintln!("(no screenshot of the failure: {e})");
        }
        std::panic::resume_unwind(panic);
    }
    Ok(())
}

/// Closes the session and kills the driver when dropped (main.rs holds
/// one for the whole run, so it happens even if the harness panics).
#[derive(Debug)]
pub struct Shutdown;

impl Drop for Shutdown {
    fn drop(&mut self) {
        if let Some(Ok(browser)) = BROWSER.get() {
            browser.shutdown();
        }
    }
}

/// chromedriver and the one Chromium session it drives.
pub struct Browser {
    rt: tokio::runtime::Runtime,
    client: Client,
    driver: Mutex<Option<Child>>,
    /// The driver's output, shown when it fails to start.
    driver_log: PathBuf,
    /// Chromium's profile, a fresh folder (removed last).
    profile: tempfile::TempDir,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser").field("profile", &self.profile.path()).finish_non_exhaustive()
    }
}

impl Browser {
    /// Starts chromedriver on a free port and opens the session.
    fn start() -> Result<Browser, String> {
        let chromium = std::env::var("CHARTE_TEST_CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
        let chromedriver = std::env::var("CHARTE_TEST_CHROMEDRIVER").unwrap_or_else(|_| CHROMEDRIVER.into());
        for binary in [&chromium, &chromedriver] {
            if !Path::new(binary).is_file() {
                return Err(format!("{binary} is missing: {INSTALL}"));
            }
        }
        let profile = tempfile::Builder::new()
            .prefix("charte-chromium-")
            .tempdir()
            .map_err(|e| format!("a folder for Chromium's profile: {e}"))?;
        let driver_log = profile.path().join("chromedriver.log");
        let port = free_port()?;
        let log = std::fs::File::create(&driver_log).map_err(|e| format!("{}: {e}", driver_log.display()))?;
        let err = log.try_clone().map_err(|e| format!("{}: {e}", driver_log.display()))?;
        let child = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("{chromedriver} does not start ({e}): {INSTALL}"))?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("a tokio runtime: {e}"))?;
        let mut started = Started { child: Some(child), log: driver_log.clone() };
        started.wait_listening(port)?;
        let client = rt
            .block_on(connect(port, &chromium, &profile.path().join("profile")))
            .map_err(|e| started.failure(&format!("{chromedriver} opened no Chromium session ({e})")))?;
        Ok(Browser { rt, client, driver: Mutex::new(started.child.take()), driver_log, profile })
    }

    /// Closes the session (Chromium quits) and stops the driver.
    fn shutdown(&self) {
        let closed =
            self.rt.block_on(async { tokio::time::timeout(COMMAND_TIMEOUT, self.client.clone().close()).await });
        let mut driver = self.driver.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(mut child) = driver.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if !matches!(closed, Ok(Ok(()))) {
            // chromedriver quits Chromium when the session closes, and
            // leaves it running when killed: end what this run started.
            eprintln!("the Chromium session did not close cleanly ({closed:?}): ending its processes");
            kill_processes_using(self.profile.path());
        }
    }

    /// A blank page in the desktop window: what each test starts from.
    fn reset(&self) {
        self.block("open about:blank", self.client.goto("about:blank"));
        if let Err(e) = self.try_viewport(DESKTOP) {
            panic!("the browser could not size its window: {e}{}", self.driver_trouble());
        }
        // What the previous test's page logged is not this test's.
        let _ = self.try_block(self.client.issue_cmd(BrowserLog));
    }

    /// Opens a page written on disk (`file://`).
    #[track_caller]
    pub fn open(&self, file: &Path) -> Page<'_> {
        assert!(file.is_file(), "no page at {}", file.display());
        let url =
            url::Url::from_file_path(file).unwrap_or_else(|()| panic!("{} is not an absolute path", file.display()));
        self.open_url(url.as_str())
    }

    /// Opens a page at `url` (a served page: `http://127.0.0.1:PORT/…`), as
    /// a first visit.
    #[track_caller]
    pub fn open_url(&self, url: &str) -> Page<'_> {
        self.block(&format!("open {url}"), self.client.goto(url));
        // Each test starts as a first visit: what an earlier test left in
        // the browser (a language chosen and remembered) is forgotten, and
        // the page loaded again without it.
        self.block(
            "forget what earlier pages stored",
            self.client.execute("try { localStorage.clear(); } catch (e) {}", vec![]),
        );
        self.block("forget the cookies", self.client.delete_all_cookies());
        self.block(&format!("open {url} again"), self.client.refresh());
        Page { browser: self }
    }

    /// Signs in at `http://ADDR/login` as `email` (a first visit) and
    /// returns the desk's page the sign-in led to.
    #[track_caller]
    pub fn login(&self, addr: &str, email: &str, password: &str) -> Page<'_> {
        let page = self.open_url(&format!("http://{addr}/login"));
        page.fill("#email", email).fill("#password", password);
        page.submit("#sign-in", "#logout");
        page
    }

    /// Runs one WebDriver exchange to its end; a failure or a browser that
    /// does not answer fails the test, naming `what` was being done.
    #[track_caller]
    fn block<T, E: std::fmt::Display>(&self, what: &str, fut: impl Future<Output = Result<T, E>>) -> T {
        match self.try_block(fut) {
            Ok(value) => value,
            Err(e) => panic!("the browser could not {what}: {e}{}", self.driver_trouble()),
        }
    }

    fn try_block<T, E: std::fmt::Display>(&self, fut: impl Future<Output = Result<T, E>>) -> Result<T, String> {
        match self.rt.block_on(async { tokio::time::timeout(COMMAND_TIMEOUT, fut).await }) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("no answer within {} s", COMMAND_TIMEOUT.as_secs())),
        }
    }

    /// The driver's end, when it ended: what a failure message adds.
    fn driver_trouble(&self) -> String {
        let mut driver = self.driver.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match driver.as_mut().map(Child::try_wait) {
            Some(Ok(Some(status))) => {
                format!("\nchromedriver ended ({status}); its output:\n{}", tail(&self.driver_log))
            }
            _ => String::new(),
        }
    }

    /// The whole page as laid out in the desktop window and in a phone's,
    /// `<target>/screenshots/NAME-desktop.png` and `NAME-phone.png` (taller
    /// than the window when the page is); the desktop window again after.
    fn try_screenshots(&self, name: &str) -> Result<Vec<PathBuf>, String> {
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut written = Vec::new();
        for (suffix, size) in [("desktop", DESKTOP), ("phone", PHONE)] {
            let laid_out = self.try_viewport(size)?;
            if laid_out > size.0 {
                eprintln!("note: {name} is laid out {laid_out} pixels wide on a {}-pixel {suffix} screen", size.0);
            }
            let png = self.try_full_page_png()?;
            let file = dir.join(format!("{name}-{suffix}.png"));
            std::fs::write(&file, png).map_err(|e| format!("{}: {e}", file.display()))?;
            written.push(file);
        }
        self.try_viewport(DESKTOP)?;
        Ok(written)
    }

    /// Sizes the window, and the viewport the page sees, to `width` ×
    /// `height` CSS pixels (a phone's viewport is a mobile one: the page's
    /// `<meta name="viewport">` applies), then waits until the page was
    /// laid out again. Chromium keeps a window at least about 500 pixels
    /// wide, so the viewport is set through its DevTools protocol. Returns
    /// the width the page is laid out in: wider than asked on a phone when
    /// something in the page does not fit (the phone then shows it zoomed
    /// out).
    fn try_viewport(&self, (width, height): (u32, u32)) -> Result<u32, String> {
        let client = &self.client;
        self.try_block(client.set_window_size(width, height))?;
        let metrics = json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 });
        self.try_block(client.issue_cmd(Cdp::new("Emulation.setDeviceMetricsOverride", metrics)))?;
        let inner = self.try_block(client.execute_async(AFTER_LAYOUT, vec![]))?;
        Ok(inner[0].as_u64().unwrap_or(0) as u32)
    }

    /// A PNG of the whole page, below the fold included (Chromium's
    /// DevTools protocol: WebDriver's screenshot stops at the viewport).
    fn try_full_page_png(&self) -> Result<Vec<u8>, String> {
        use base64::Engine as _;
        let metrics = self.try_block(self.client.issue_cmd(Cdp::new("Page.getLayoutMetrics", json!({}))))?;
        let content = &metrics["cssContentSize"];
        let clip = json!({
            "x": 0, "y": 0, "scale": 1,
            "width": content["width"].as_f64().unwrap_or(0.0).ceil(),
            "height": content["height"].as_f64().unwrap_or(0.0).ceil(),
        });
        let params = json!({ "format": "png", "captureBeyondViewport": true, "clip": clip });
        let shot = self.try_block(self.client.issue_cmd(Cdp::new("Page.captureScreenshot", params)))?;
        let data = shot["data"].as_str().ok_or_else(|| format!("no image in Chromium's answer: {shot}"))?;
        base64::engine::general_purpose::STANDARD.decode(data).map_err(|e| format!("the image's base64: {e}"))
    }
}

/// Resolves, with the viewport's size, after the page has been laid out
/// and painted at its new size (two animation frames).
const AFTER_LAYOUT: &str = "const done = arguments[arguments.length - 1]; \
                            requestAnimationFrame(() => requestAnimationFrame(\
                              () => done([window.innerWidth, window.innerHeight])));";

/// The page the browser shows, opened by [`Browser::open`].
#[derive(Debug)]
pub struct Page<'a> {
    browser: &'a Browser,
}

impl Page<'_> {
    /// Chooses `file` in the `<input type="file">` at `selector`, as a
    /// visitor does in the file dialog (the page's change handler runs).
    #[track_caller]
    pub fn choose(&self, selector: &str, file: &Path) -> &Self {
        assert!(file.is_file(), "no file to choose at {}", file.display());
        let path = file.canonicalize().unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let path = path.to_str().unwrap_or_else(|| panic!("{} is not UTF-8", path.display()));
        let client = &self.browser.client;
        self.browser.block(&format!("choose {path} in {selector}"), async {
            client.find(Locator::Css(selector)).await?.send_keys(path).await
        });
        self
    }

    /// Types `text` into the field at `selector`, after emptying it.
    #[track_caller]
    pub fn fill(&self, selector: &str, text: &str) -> &Self {
        let client = &self.browser.client;
        self.browser.block(&format!("type into {selector}"), async {
            let field = client.find(Locator::Css(selector)).await?;
            field.clear().await?;
            field.send_keys(text).await
        });
        self
    }

    /// Clicks the element at `selector` and waits for the page it leads to
    /// (a form's submit button): until `selector_after` is on the page.
    #[track_caller]
    pub fn submit(&self, selector: &str, selector_after: &str) -> &Self {
        let client = &self.browser.client;
        // The page the form is on: gone once the next one is loaded (so an
        // element of the same name on the old page is never taken for it).
        let before = self.browser.block("find the page's root", client.find(Locator::Css("html")));
        self.click(selector);
        self.browser.block(&format!("leave the page after {selector}"), async {
            let started = std::time::Instant::now();
            while before.tag_name().await.is_ok() {
                if started.elapsed() > WAIT {
                    return Err(format!("still on the same page {} s after the click", WAIT.as_secs()));
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Ok(())
        });
        self.browser.block(&format!("wait for {selector_after} after {selector}"), async {
            client.wait().at_most(WAIT).for_element(Locator::Css(selector_after)).await
        });
        self
    }

    /// Clicks the element at `selector`.
    #[track_caller]
    pub fn click(&self, selector: &str) -> &Self {
        let client = &self.browser.client;
        self.browser
            .block(&format!("click {selector}"), async { client.find(Locator::Css(selector)).await?.click().await });
        self
    }

    /// Waits until the element at `selector` has the attribute `name`, and
    /// returns its value; after [`WAIT`], fails showing what the page says.
    #[track_caller]
    pub fn wait_attr(&self, selector: &str, name: &str) -> String {
        self.wait_attr_for(selector, name, WAIT)
    }

    #[track_caller]
    pub fn wait_attr_for(&self, selector: &str, name: &str, timeout: Duration) -> String {
        self.wait_until(timeout, &format!("{selector} still has no attribute {name}"), || self.attr(selector, name))
    }

    /// Waits until the element at `selector` shows a text containing
    /// `expected`; after [`WAIT`], fails showing what the page says.
    #[track_caller]
    pub fn wait_text(&self, selector: &str, expected: &str) -> &Self {
        let shows = || {
            let script = "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;";
            self.script(script, vec![json!(selector)]).as_str().is_some_and(|t| t.contains(expected)).then_some(())
        };
        self.wait_until(WAIT, &format!("{selector} still does not show {expected:?}"), shows);
        self
    }

    /// Polls `ready` until it gives a value; after `timeout`, fails saying
    /// `still` and showing what the page says.
    #[track_caller]
    fn wait_until<T>(&self, timeout: Duration, still: &str, mut ready: impl FnMut() -> Option<T>) -> T {
        let start = Instant::now();
        loop {
            if let Some(value) = ready() {
                return value;
            }
            if start.elapsed() > timeout {
                panic!("after {} s, {still}\n{}", timeout.as_secs(), self.what_it_shows());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The attribute `name` of the element at `selector` (none when the
    /// element has no such attribute, or there is no such element yet).
    #[track_caller]
    pub fn attr(&self, selector: &str, name: &str) -> Option<String> {
        let value = self.script(
            "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
            vec![json!(selector), json!(name)],
        );
        value.as_str().map(str::to_owned)
    }

    /// The text the element at `selector` shows (as a visitor reads it);
    /// fails when there is no such element.
    #[track_caller]
    pub fn text(&self, selector: &str) -> String {
        let client = &self.browser.client;
        let found = self.browser.try_block(async { client.find(Locator::Css(selector)).await?.text().await });
        found.unwrap_or_else(|e| panic!("no text at {selector} ({e})\n{}", self.what_it_shows()))
    }

    /// The whole page's visible text.
    #[track_caller]
    pub fn body_text(&self) -> String {
        self.script("return document.body ? document.body.innerText : '';", vec![]).as_str().unwrap_or("").to_owned()
    }

    /// Goes to `url` in the same visit (the session and cookies kept),
    /// and waits for `selector` on the page it shows.
    #[track_caller]
    pub fn visit(&self, url: &str, selector: &str) -> &Self {
        let client = &self.browser.client;
        self.browser.block(&format!("open {url}"), client.goto(url));
        self.browser.block(&format!("wait for {selector} on {url}"), async {
            client.wait().at_most(WAIT).for_element(Locator::Css(selector)).await
        });
        self
    }

    /// Visits `url` (waiting for `then` on it) until `selector` is on it
    /// too: a job's page while the job runs.
    pub fn visit_until(&self, url: &str, selector: &str, then: &str) -> &Self {
        for _ in 0..300 {
            self.visit(url, then);
            if self.attr(selector, "id").is_some() {
                return self;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("{selector} never came on {url}");
    }

    /// Runs axe-core (tools/vendor-axe.sh) over the page as it is now, for
    /// the WCAG 2.1 A and AA rules, and fails naming each violation, its
    /// rule, its impact and where it is.
    #[track_caller]
    pub fn check_accessibility(&self) -> &Self {
        let source = std::fs::read_to_string(axe_source()).unwrap_or_else(|e| {
            panic!(
                "{}: {e}: run tools/vendor-axe.sh once (it fetches axe-core from the npm registry)",
                axe_source().display()
            )
        });
        self.script(&source, vec![]);
        let client = &self.browser.client;
        let found = self.browser.block(
            "run axe-core",
            client.execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                   .then(r => done(r.violations.map(v => `${v.id} (${v.impact}): ${v.help} at ` +
                       v.nodes.slice(0, 4).map(n => n.target.join(' ')).join(', '))))
                   .catch(e => done(['axe-core failed: ' + e]));",
                vec![],
            ),
        );
        let violations: Vec<String> = found
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        assert!(
            violations.is_empty(),
            "accessibility (axe-core, WCAG 2.1 AA) on {}:\n{}",
            self.script("return location.pathname;", vec![]),
            violations.join("\n")
        );
        self
    }

    /// Runs `script` in the page (its `arguments` are `args`) and returns its value.
    #[track_caller]
    pub fn script(&self, script: &str, args: Vec<Value>) -> Value {
        self.browser.block("run a script in the page", self.browser.client.execute(script, args))
    }

    /// Screenshots of the page as it is now, desktop and phone
    /// (`<target>/screenshots/NAME-desktop.png`, `NAME-phone.png`).
    #[track_caller]
    pub fn screenshot(&self, name: &str) -> &Self {
        if let Err(e) = self.browser.try_screenshots(name) {
            panic!("no screenshot {name}: {e}");
        }
        self
    }

    /// What a failure message shows: the page's address, its language, its
    /// text, and the messages its scripts logged.
    fn what_it_shows(&self) -> String {
        let client = &self.browser.client;
        let url = self.browser.try_block(client.current_url()).map_or_else(|e| e, |u| u.to_string());
        let lang = self.attr("html", "lang").unwrap_or_default();
        let text = self
            .browser
            .try_block(client.execute("return document.body ? document.body.innerText : '';", vec![]))
            .map_or_else(|e| format!("(unreadable: {e})"), |v| v.as_str().unwrap_or("").to_owned());
        let log = self.browser.try_block(client.issue_cmd(BrowserLog)).map(|v| console_lines(&v)).unwrap_or_default();
        let mut said = format!("page {url} (lang={lang:?}) shows:\n---\n{text}\n---");
        if !log.is_empty() {
            said.push_str(&format!("\nits console:\n{log}"));
        }
        said
    }
}

/// The console messages chromedriver collected since the last call
/// (`goog:loggingPrefs` asks for them): one line each.
fn console_lines(log: &Value) -> String {
    let entries = log.as_array().map(Vec::as_slice).unwrap_or_default();
    entries
        .iter()
        .map(|e| format!("  {} {}", e["level"].as_str().unwrap_or("?"), e["message"].as_str().unwrap_or("?")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// chromedriver's "get log" (not in the W3C protocol, so not in fantoccini).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({ "type": "browser" }).to_string()))
    }
}

/// A command of Chromium's DevTools protocol, through chromedriver.
#[derive(Debug)]
struct Cdp {
    body: String,
}

impl Cdp {
    fn new(cmd: &str, params: Value) -> Cdp {
        Cdp { body: json!({ "cmd": cmd, "params": params }).to_string() }
    }
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.clone()))
    }
}

/// A headless Chromium session through the driver on `port`.
async fn connect(port: u16, chromium: &str, profile: &Path) -> Result<Client, fantoccini::error::NewSessionError> {
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        &format!("--user-data-dir={}", profile.display()),
        &format!("--window-size={},{}", DESKTOP.0, DESKTOP.1),
    ];
    let mut capabilities = fantoccini::wd::Capabilities::new();
    capabilities.insert("browserName".into(), json!("chrome"));
    capabilities.insert("goog:chromeOptions".into(), json!({ "binary": chromium, "args": args }));
    capabilities.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector).capabilities(capabilities).connect(&format!("http://127.0.0.1:{port}")).await
}

/// The driver being started: killed if the start fails half-way.
struct Started {
    child: Option<Child>,
    log: PathBuf,
}

impl Started {
    /// Waits until the driver accepts connections on `port`.
    fn wait_listening(&mut self, port: u16) -> Result<(), String> {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
                return Ok(());
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                return Err(self.failure(&format!("chromedriver ended at once ({status})")));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(self.failure(&format!("chromedriver does not listen on port {port} after 20 s")))
    }

    /// The message of a failed start, with the driver's output.
    fn failure(&self, what: &str) -> String {
        format!("{what}; its output:\n{}\n({INSTALL})", tail(&self.log))
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Kills the processes whose command line names `folder` (the Chromium
/// this run started, with its own profile folder), by their ids.
fn kill_processes_using(folder: &Path) {
    let Some(folder) = folder.to_str() else { return };
    let Ok(processes) = std::fs::read_dir("/proc") else { return };
    for process in processes.flatten() {
        let Some(pid) = process.file_name().to_str().and_then(|p| p.parse::<u32>().ok()) else { continue };
        let cmdline = std::fs::read(process.path().join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmdline).contains(folder) {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

/// A port nobody listens on now.
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("a free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| format!("a free port: {e}"))
}

/// The last 40 lines of a log file.
fn tail(file: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut f) = std::fs::File::open(file) {
        let _ = f.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// `<target>/screenshots`: beside the build, never in the sources.
/// axe-core's script, as tools/vendor-axe.sh left it.
fn axe_source() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/vendor/axe-core/axe.min.js")
}

pub fn screenshots_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("screenshots")
}
