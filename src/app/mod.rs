//! The application layer: one function per action a user can take, the
//! same for every front end (the command line, the workflow runner, the
//! demo's year, the web server). Each action takes a typed input (already parsed and
//! validated by its front end), works on one [`App`], and returns a typed
//! outcome or an [`Error`] whose kind decides the exit code and the HTTP
//! status. An action never prints, never reads argv and holds no
//! process-global state: what a front end shows is its own business, built
//! from the outcome; long work reports through the [`Progress`] it was
//! given. Each [`App`] holds its own connection to the workspace's journal,
//! so several threads (or processes) each open their own.
//!
//! The rules themselves live in the domain modules (roster, adherence,
//! seal, collect, governance, report, flags, workflow); an action strings
//! them together: it reads what it decides on, does the work, journals
//! what happened and says so.

pub mod approve;
pub mod attendance;
pub mod audit;
pub mod backup;
pub mod breach;
pub mod charter;
pub mod checkpoint;
pub mod collect;
pub mod convoke;
pub mod daily;
pub mod demo;
pub mod documents;
pub mod election;
pub mod erase;
pub mod events;
pub mod evidence;
pub mod expenses;
pub mod flags;
pub mod glance;
pub mod init;
pub mod issue;
pub mod keys;
pub mod links;
pub mod mail;
pub mod mailbox;
pub mod meetings;
pub mod members;
pub mod outbox;
pub mod report;
pub mod report_send;
pub mod returns;
pub mod roster_upload;
pub mod run;
pub mod send;
pub mod sign;
pub mod since;
pub mod staging;
pub mod status;
mod table_file;
pub mod upload;
pub mod users;
pub mod verify;
pub mod verify_page;
pub mod vote;
pub mod web_sign;

pub use table_file::TableFile;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::mail::{RetryPolicy, SmtpOptions};
use crate::workspace::Workspace;

/// How long work tells its front end how far it got.
pub trait Progress: Send + Sync {
    /// Work of `len` steps, called `what` ("documents", "convocations"), begins.
    fn start(&self, len: u64, what: &str);
    /// `n` more steps are done.
    fn advance(&self, n: u64);
    /// The work ended (done or stopped).
    fn finish(&self);
}

/// Progress nobody watches: a library caller's default, tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: u64, _: &str) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// One piece of long work under way: advanced by the workers, finished
/// when dropped (also when the work stops on an error).
pub struct Bar<'a>(&'a dyn Progress);

impl std::fmt::Debug for Bar<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Bar")
    }
}

impl<'a> Bar<'a> {
    /// Starts long work of `len` steps on `progress`, as [`App::bar`] does:
    /// for an action that changes the journal (`&mut self.ws.store`) while
    /// its bar runs, which `self.bar()`'s borrow of the whole App forbids.
    pub fn start(progress: &'a dyn Progress, len: u64, what: &str) -> Bar<'a> {
        progress.start(len, what);
        Bar(progress)
    }

    pub fn inc(&self, n: u64) {
        self.0.advance(n);
    }
}

impl Drop for Bar<'_> {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// Where the secrets charte.toml names are looked up (the SMTP password's
/// variable, `[mail.smtp] password_env`): the front end decides, once;
/// an action never reads the process's environment itself.
#[derive(Clone)]
pub struct Secrets(Arc<Lookup>);

/// How a secret is found by its name.
type Lookup = dyn Fn(&str) -> Option<String> + Send + Sync;

impl Secrets {
    /// No secret at all: an SMTP login is refused, saying the variable is not set.
    pub fn none() -> Secrets {
        Secrets(Arc::new(|_| None))
    }

    /// The process's environment variables.
    pub fn from_env() -> Secrets {
        Secrets(Arc::new(|name| std::env::var(name).ok()))
    }

    pub fn get(&self, name: &str) -> Option<String> {
        (self.0)(name)
    }
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets")
    }
}

/// How mail leaves this machine, beyond charte.toml: what the process's
/// environment may say (read by the front end, once).
#[derive(Debug, Clone)]
pub struct Options {
    pub smtp: SmtpOptions,
    pub retry: RetryPolicy,
    pub secrets: Secrets,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            smtp: SmtpOptions::default(),
            retry: RetryPolicy { attempts: 4, base_delay: Duration::from_secs(2) },
            secrets: Secrets::none(),
        }
    }
}

impl Options {
    /// A private CA for the SMTP server (`CHARTE_SMTP_CA`, a PEM file),
    /// the first retry delay in milliseconds (`CHARTE_RETRY_BASE_MS`,
    /// default 2000), and the secrets from the environment.
    pub fn from_env() -> Options {
        let mut o = Options { secrets: Secrets::from_env(), ..Options::default() };
        o.smtp.extra_root_pem = std::env::var_os("CHARTE_SMTP_CA").map(Into::into);
        if let Some(ms) = std::env::var("CHARTE_RETRY_BASE_MS").ok().and_then(|v| v.parse().ok()) {
            o.retry.base_delay = Duration::from_millis(ms);
        }
        o
    }
}

/// One workspace, on one day, for one caller: what every action works on.
pub struct App {
    pub ws: Workspace,
    /// The day the actions act on (journal entries, documents' dates).
    pub today: NaiveDate,
    pub options: Options,
    progress: Arc<dyn Progress>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("root", &self.ws.root).field("today", &self.today).finish_non_exhaustive()
    }
}

impl App {
    /// The workspace in `dir`, to read, on `today`.
    pub fn open(dir: &Path, today: NaiveDate) -> Result<App> {
        let ws = Workspace::open(dir, today)?;
        Ok(App { ws, today, options: Options::default(), progress: Arc::new(Silent) })
    }

    /// [`App::open`] with charte.toml already read (see
    /// [`Workspace::open_with`]).
    pub fn open_with(dir: &Path, today: NaiveDate, config: crate::config::Config) -> Result<App> {
        let ws = Workspace::open_with(dir, today, config)?;
        Ok(App { ws, today, options: Options::default(), progress: Arc::new(Silent) })
    }

    /// The workspace in `dir`, to change on `today`: refused before any
    /// work when the journal would refuse that date (DESIGN.md "Time does
    /// not go back"), so nothing is written, not even a file.
    pub fn writer(dir: &Path, today: NaiveDate) -> Result<App> {
        let app = App::open(dir, today)?;
        app.ws.check_date(today)?;
        Ok(app)
    }

    #[must_use]
    pub fn with_progress(mut self, progress: Arc<dyn Progress>) -> App {
        self.progress = progress;
        self
    }

    #[must_use]
    pub fn with_options(mut self, options: Options) -> App {
        self.options = options;
        self
    }

    /// Starts long work of `len` steps: the front end's progress shows it.
    pub fn bar(&self, len: u64, what: &str) -> Bar<'_> {
        Bar::start(self.progress.as_ref(), len, what)
    }

    /// What seals the coordination's documents: its key, with a message
    /// saying how to make one, and the chain of keys behind it.
    pub fn sealer(&self) -> Result<crate::seal::Sealer> {
        keys::sealer(&self.ws)
    }

    /// The renderer, started once per action.
    pub fn engine() -> Result<crate::render::Engine> {
        crate::render::Engine::new().map_err(|e| Error::internal(format!("starting the renderer: {e}")))
    }
}

/// The coordination's signing key in `ws`, with a message saying how to
/// make one (what seals is [`keys::sealer`], which adds the chain of keys).
pub(crate) fn coordination_key(ws: &Workspace) -> Result<ed25519_dalek::SigningKey> {
    let path = ws.keys_dir().join(keys::COORDINATION_KEY);
    if !path.exists() {
        return Err(Error::usage(format!(
            "{} does not exist: create the seal key with `charte keys init`",
            path.display()
        )));
    }
    crate::seal::load_signing_key(&path).map_err(|e| Error::usage(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the web server will do: each request (thread) opens its own
    /// App on the one workspace; actions run side by side and agree, and a
    /// writer's change is seen by the readers that open after it.
    #[test]
    fn apps_on_one_workspace_work_from_many_threads() {
        fn assert_send<T: Send>() {}
        assert_send::<App>();
        let dir = tempfile::tempdir().expect("tempdir");
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
        let input =
            init::Input { dir: dir.path().to_owned(), replay: true, languages: vec![crate::roster::Language::Fr] };
        init::init(&input, day).expect("a workspace");
        let roster = dir.path().join("roster.csv");
        std::fs::write(&roster, "name,enterprise_number,email\nLes Amis du Quartier,0203.201.340,amis@example.be\n")
            .expect("writes");
        let mut writer = App::writer(dir.path(), day).expect("opens");
        writer.import_roster(&roster, false).expect("imports");
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let root = dir.path().to_owned();
                std::thread::spawn(move || {
                    let app = App::open(&root, day).expect("opens");
                    (app.members().expect("reads").len(), app.status(None).expect("reads").workflows.len())
                })
            })
            .collect();
        for t in threads {
            let (members, workflows) = t.join().expect("a thread");
            assert_eq!(members, 1, "the import is seen from every thread");
            assert!(workflows >= 4, "the built-in workflows");
        }
    }

    /// A workspace made on `day` with one organisation in its roster.
    fn workspace(day: NaiveDate) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let input =
            init::Input { dir: dir.path().to_owned(), replay: true, languages: vec![crate::roster::Language::Fr] };
        init::init(&input, day).expect("a workspace");
        let roster = dir.path().join("roster.csv");
        std::fs::write(
            &roster,
            "name,enterprise_number,email\nLes Amis du Quartier,0203.201.340,amis@example.be\n\
             Bouche à Oreille,0417.497.106,bao@example.be\n",
        )
        .expect("writes");
        App::writer(dir.path(), day).expect("opens").import_roster(&roster, false).expect("imports");
        dir
    }

    /// Two adoptions from Apps opened before either: the second sees the
    /// first under the write lock, and is refused.
    #[test]
    fn an_adoption_sees_the_versions_journaled_since_its_app_opened() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
        let dir = workspace(day);
        std::fs::write(dir.path().join("charter").join("fr.md"), "Charte, nouvelle version.\n").expect("writes");
        let later = NaiveDate::from_ymd_opt(2026, 3, 10).expect("a date");
        let mut first = App::writer(dir.path(), later).expect("opens");
        let mut second = App::writer(dir.path(), later).expect("opens");
        let mut third = App::writer(dir.path(), later).expect("opens");
        first.adopt_charter("2099-02", NaiveDate::from_ymd_opt(2026, 3, 5).expect("a date")).expect("adopts");
        let err = second
            .adopt_charter("2099-03", NaiveDate::from_ymd_opt(2026, 3, 4).expect("a date"))
            .expect_err("an earlier date than the version journaled meanwhile");
        assert!(err.to_string().contains("version 2099-02 was adopted on 2026-03-05"), "{err}");
        let err = third
            .adopt_charter("2099-02", NaiveDate::from_ymd_opt(2026, 3, 6).expect("a date"))
            .expect_err("a version journaled meanwhile");
        assert!(err.to_string().contains("version 2099-02 was already adopted"), "{err}");
        let versions = App::open(dir.path(), later).expect("opens").ws.store.charter_versions().expect("reads");
        assert_eq!(versions.len(), 1, "one version journaled: {versions:?}");
    }

    /// A key registered for one organisation from an App opened before:
    /// another App, opened before too, sees it under the write lock.
    #[test]
    fn a_key_registered_meanwhile_is_seen_under_the_write_lock() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
        let dir = workspace(day);
        let key = dir.path().join("member.key");
        keys::member_keys(&key).expect("a key pair");
        let public = dir.path().join("member.key.pub");
        let mut first = App::writer(dir.path(), day).expect("opens");
        let mut second = App::writer(dir.path(), day).expect("opens");
        let mut third = App::writer(dir.path(), day).expect("opens");
        assert!(matches!(
            first.set_key("0203.201.340", &public).expect("registers"),
            members::KeySet::Registered { replaced: false, .. }
        ));
        let err = second.set_key("0417.497.106", &public).expect_err("the key is the other organisation's");
        assert!(err.to_string().contains("already registered for Les Amis du Quartier"), "{err}");
        assert_eq!(
            third.set_key("0203.201.340", &public).expect("reads"),
            members::KeySet::AlreadyRegistered { name: "Les Amis du Quartier".into() }
        );
        let other = dir.path().join("other.key");
        keys::member_keys(&other).expect("a key pair");
        assert!(matches!(
            third.set_key("0203.201.340", &dir.path().join("other.key.pub")).expect("registers"),
            members::KeySet::Registered { replaced: true, .. }
        ));
    }
}
