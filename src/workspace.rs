//! A coordination's workspace: one folder holding its settings, charter,
//! templates, journal, keys and generated documents (DESIGN.md).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::journal::{Clock, Event, Store};

/// The commented charte.toml that `charte init` writes.
pub const CONFIG_TEMPLATE: &str = include_str!("../templates/workspace/charte.toml");
/// The placeholder charter `charte init` writes per language, which
/// `issue` refuses until it is replaced by the network's own text.
pub const CHARTER_PLACEHOLDERS: [(crate::roster::Language, &str); 2] = [
    (crate::roster::Language::Fr, include_str!("../templates/workspace/charter.fr.md")),
    (crate::roster::Language::Nl, include_str!("../templates/workspace/charter.nl.md")),
];

/// Whether `text` is still the placeholder `charte init` wrote.
pub fn is_placeholder_charter(text: &str) -> bool {
    CHARTER_PLACEHOLDERS.iter().any(|(_, p)| p.trim() == text.trim())
}

pub const CONFIG_FILE: &str = "charte.toml";
pub const DB_FILE: &str = "charte.db";

#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub config: Config,
    pub store: Store,
}

impl Workspace {
    /// Opens the workspace in `root`, which must have been made by `charte init`.
    pub fn open(root: &Path, today: NaiveDate) -> Result<Workspace> {
        let config_path = root.join(CONFIG_FILE);
        if !config_path.is_file() {
            return Err(Error::usage(format!(
                "{} is not a charte workspace (no {CONFIG_FILE}); create one with `charte init DIR` or pass --dir",
                root.display()
            )));
        }
        Self::open_with(root, today, Config::load(&config_path)?)
    }

    /// [`Workspace::open`] with charte.toml already read as `config` (a
    /// server keeps it while the file stays the same: a federation's is
    /// 200 KB of TOML).
    pub fn open_with(root: &Path, today: NaiveDate, mut config: Config) -> Result<Workspace> {
        let db = root.join(DB_FILE);
        let clock = Clock::new(config.workspace.replay);
        // A workspace whose journal does not exist yet (a fixture, a folder
        // copied without its database) starts a new one.
        let store = if db.exists() { Store::open(&db, clock)? } else { new_store(&db, &config, today, clock)? };
        // The committee as it stands: the latest election's seats replace
        // the elected seats of charte.toml once their mandates have begun
        // (flags, convocations, votes).
        crate::governance::election::apply_elected_seats(&mut config, store.elected_seats(today)?);
        // The charter as it stands: the latest version adopted by `today`.
        let overdue = config.flags.adherence_overdue_days;
        config.charter.apply(store.charter_versions()?, overdue, today);
        Ok(Workspace { root: root.to_owned(), config, store })
    }

    /// Refuses, before anything is done, a change dated `at` that the
    /// journal would refuse (time does not go back; a future date only in
    /// a replay workspace): for commands that write files before they
    /// journal them.
    pub fn check_date(&self, at: NaiveDate) -> Result<()> {
        self.store.check_date(at)
    }

    /// Who holds a member's rights on `day`: a counted signature of the
    /// charter in force (governance::standing).
    pub fn standing(&self, day: NaiveDate) -> Result<crate::governance::standing::Standing> {
        Ok(crate::governance::standing::Standing::on(
            &self.config.charter.history,
            &self.store.adherence_history()?,
            day,
        ))
    }

    /// The `[mail]` settings, or an error saying how to add them.
    pub fn mail(&self) -> Result<crate::mail::MailSettings> {
        self.config.mail.clone().ok_or_else(|| Error::Config {
            file: self.root.join(CONFIG_FILE),
            message:
                "there is no [mail] table: say how mail leaves charte (transport = \"outbox\" to write .eml files)"
                    .into(),
        })
    }

    /// The mail templates: built-in, overridden by the workspace's templates/mail/.
    pub fn mail_templates(&self) -> Result<crate::mail::Templates> {
        crate::mail::Templates::load(Some(&self.templates_dir().join("mail")))
            .map_err(|e| Error::usage(format!("mail templates: {e}")))
    }

    pub fn out_dir(&self) -> PathBuf {
        self.root.join("out")
    }

    /// out/NAME/ (adherence, letters, reports), made if missing, both
    /// folders real ones, never links: nothing charte writes there lands
    /// outside the workspace.
    pub fn out_folder(&self, name: &str) -> Result<PathBuf> {
        crate::error::create_dir(&self.out_dir())?;
        let dir = self.out_dir().join(name);
        crate::error::create_dir(&dir)?;
        Ok(dir)
    }

    pub fn keys_dir(&self) -> PathBuf {
        self.root.join("keys")
    }

    pub fn templates_dir(&self) -> PathBuf {
        self.root.join("templates")
    }

    pub fn charter_dir(&self) -> PathBuf {
        self.root.join("charter")
    }
}

/// The commented charte.toml `charte init` writes: a replay workspace or
/// not, in `languages`.
pub fn config_text(replay: bool, languages: &[crate::roster::Language]) -> String {
    let mut text = if replay {
        CONFIG_TEMPLATE.replacen("\nreplay = false\n", "\nreplay = true\n", 1)
    } else {
        CONFIG_TEMPLATE.to_owned()
    };
    let codes: Vec<String> = languages.iter().map(|l| format!("\"{}\"", l.code())).collect();
    text = text.replacen("\nlanguages = [\"fr\"]\n", &format!("\nlanguages = [{}]\n", codes.join(", ")), 1);
    text
}

/// Creates a new workspace in `root` (which may exist but must not hold a
/// workspace already), writing in `languages` (a placeholder charter for
/// each); `replay` makes it a replay workspace (`[workspace] replay =
/// true`: dates after today allowed). Returns the paths created.
pub fn init(
    root: &Path,
    today: NaiveDate,
    replay: bool,
    languages: &[crate::roster::Language],
) -> Result<Vec<PathBuf>> {
    if languages.is_empty() {
        return Err(Error::usage("--languages: name at least one of fr, nl"));
    }
    for existing in [CONFIG_FILE, DB_FILE] {
        if root.join(existing).exists() {
            return Err(Error::usage(format!(
                "{} already holds a charte workspace ({existing} exists); nothing was changed",
                root.display()
            )));
        }
    }
    // A date the new journal would refuse is refused before any folder is made.
    Clock::new(replay).check(today, None)?;
    let mut created = Vec::new();
    let mkdir = |p: PathBuf, created: &mut Vec<PathBuf>| -> Result<()> {
        std::fs::create_dir_all(&p).map_err(|e| Error::io(&p, e))?;
        created.push(p);
        Ok(())
    };
    mkdir(root.to_owned(), &mut created)?;
    for sub in ["charter", "templates", "workflows", "keys", "out"] {
        mkdir(root.join(sub), &mut created)?;
    }
    restrict_to_owner(&root.join("keys"), 0o700)?;
    for lang in languages {
        let charter = root.join("charter").join(format!("{}.md", lang.code()));
        let text = CHARTER_PLACEHOLDERS.iter().find(|(l, _)| l == lang).map_or("", |(_, t)| t);
        crate::error::write_atomic(&charter, text.as_bytes())?;
        created.push(charter);
    }

    let config_path = root.join(CONFIG_FILE);
    let text = config_text(replay, languages);
    let config = Config::parse(&text, &config_path)?;
    new_store(&root.join(DB_FILE), &config, today, Clock::new(config.workspace.replay))?;
    created.push(root.join(DB_FILE));
    // The settings file last: its presence is what makes the folder a workspace.
    crate::error::write_atomic(&config_path, text.as_bytes())?;
    created.push(config_path);
    Ok(created)
}

fn new_store(path: &Path, config: &Config, today: NaiveDate, clock: Clock) -> Result<Store> {
    // Checked before the file exists: a refused date leaves no database behind.
    clock.check(today, None)?;
    let mut store = Store::create(path, clock)?;
    store.transaction(today, |tx| {
        tx.append(&Event::WorkspaceCreated { coordination: config.coordination.name_fr.clone() }).map(|_| ())
    })?;
    Ok(store)
}

/// Sets a file or folder's permission bits (Unix); elsewhere a no-op.
pub fn restrict_to_owner(path: &Path, mode: u32) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| Error::io(path, e))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}
