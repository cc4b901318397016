//! Charter versions: which text is in force on a day, and whose signatures
//! count then (DESIGN.md "Membership is proof, not declaration").
//!
//! The versions are charte.toml's `[charter] version`/`adopted` (the one a
//! workspace starts with) and every version journaled since by `charte
//! charter adopt`. The version in force on a day is the latest adopted on
//! or before it; during `grace_days` after a version's adoption, a
//! signature of the version before it still counts, so a network's members
//! keep their vote while they sign the new text.

use chrono::NaiveDate;

/// Whether `label` can name a version: it goes into document ids and file
/// names, so at most 40 letters, digits, '-' and '.', not starting with '.'.
pub fn is_valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 40
        && !label.starts_with('.')
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// One version of the charter and the day it was adopted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub label: String,
    pub adopted: NaiveDate,
}

/// Every version of the charter, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    versions: Vec<Version>,
    grace_days: u32,
}

impl History {
    /// The versions from charte.toml's and the journal's, in order of
    /// adoption (a label given twice keeps its first adoption).
    pub fn new(mut versions: Vec<Version>, grace_days: u32) -> History {
        versions.sort_by_key(|v| v.adopted);
        let mut seen = std::collections::HashSet::new();
        versions.retain(|v| seen.insert(v.label.clone()));
        History { versions, grace_days }
    }

    pub fn versions(&self) -> &[Version] {
        &self.versions
    }

    pub fn grace_days(&self) -> u32 {
        self.grace_days
    }

    /// The version in force on `day`: the latest adopted on or before it
    /// (the first one, before any was adopted: a workspace replaying a
    /// year from before its charter's date still has a text to issue).
    pub fn in_force(&self, day: NaiveDate) -> Option<&Version> {
        self.versions.iter().rev().find(|v| v.adopted <= day).or_else(|| self.versions.first())
    }

    /// The labels whose signatures count on `day`: the version in force,
    /// and the one before it during the grace period after the new one's
    /// adoption.
    pub fn counting(&self, day: NaiveDate) -> Vec<&str> {
        let Some(i) = self.versions.iter().rposition(|v| v.adopted <= day) else {
            return self.versions.first().map(|v| vec![v.label.as_str()]).unwrap_or_default();
        };
        let current = &self.versions[i];
        let mut out = vec![current.label.as_str()];
        if i > 0
            && let Some(end) = current.adopted.checked_add_days(chrono::Days::new(u64::from(self.grace_days)))
            && day < end
        {
            out.push(self.versions[i - 1].label.as_str());
        }
        out
    }

    /// The label's version, if it was adopted.
    pub fn get(&self, label: &str) -> Option<&Version> {
        self.versions.iter().find(|v| v.label == label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn history() -> History {
        History::new(
            vec![
                Version { label: "2027-01".into(), adopted: d("2027-01-15") },
                Version { label: "2022-02".into(), adopted: d("2022-02-10") },
            ],
            30,
        )
    }

    #[test]
    fn the_version_in_force_is_the_latest_adopted_on_or_before_the_day() {
        let h = history();
        assert_eq!(h.in_force(d("2026-12-31")).map(|v| v.label.as_str()), Some("2022-02"));
        assert_eq!(h.in_force(d("2027-01-15")).map(|v| v.label.as_str()), Some("2027-01"));
        assert_eq!(h.in_force(d("2020-01-01")).map(|v| v.label.as_str()), Some("2022-02"), "before any: the first");
    }

    #[test]
    fn the_previous_version_counts_during_the_grace_period_only() {
        let h = history();
        assert_eq!(h.counting(d("2026-06-01")), ["2022-02"]);
        assert_eq!(h.counting(d("2027-01-15")), ["2027-01", "2022-02"]);
        // 30 days of grace: the 15th of January plus 30 days is the 14th of February.
        assert_eq!(h.counting(d("2027-02-13")), ["2027-01", "2022-02"]);
        assert_eq!(h.counting(d("2027-02-14")), ["2027-01"]);
    }
}

/// Why a charter version cannot be adopted (`charte charter adopt`, the
/// desk's charter page): the English of the command line
/// ([`std::fmt::Display`]) and the desk's French and Dutch ([`NotAdopted::say`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAdopted {
    BadLabel {
        version: String,
    },
    AlreadyAdopted {
        version: String,
        on: NaiveDate,
    },
    NotAfterLast {
        adopted: NaiveDate,
        last: String,
        last_on: NaiveDate,
    },
    LabelNotAfter {
        version: String,
        last: String,
    },
    AfterToday {
        adopted: NaiveDate,
        today: NaiveDate,
    },
    /// A language's text (charter/LANG.md, at `path`) is empty.
    EmptyText {
        lang: crate::roster::Language,
        path: std::path::PathBuf,
    },
    /// A language's text is still `charte init`'s example.
    Placeholder {
        lang: crate::roster::Language,
        path: std::path::PathBuf,
    },
    /// A meeting dated on or after the day has its attendance recorded.
    MeetingRecorded {
        adopted: NaiveDate,
        meeting: String,
        on: NaiveDate,
    },
}

impl std::fmt::Display for NotAdopted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotAdopted::BadLabel { version } => write!(
                f,
                "'{version}' cannot be a version's label: use at most 40 letters, digits, '-' and '.' (e.g. \
                 2027-01); it goes into document ids and file names"
            ),
            NotAdopted::AlreadyAdopted { version, on } => write!(f, "version {version} was already adopted, on {on}"),
            NotAdopted::NotAfterLast { adopted, last, last_on } => {
                write!(f, "--date {adopted}: version {last} was adopted on {last_on}; a new version comes after it")
            }
            NotAdopted::LabelNotAfter { version, last } => write!(
                f,
                "'{version}' does not sort after the last version's label '{last}': label versions so that a \
                 later one sorts after, e.g. by year and month (2027-01)"
            ),
            NotAdopted::AfterToday { adopted, today } => {
                write!(f, "--date {adopted} is after today ({today}): record a version once it is adopted")
            }
            NotAdopted::EmptyText { path, .. } => {
                write!(f, "{} is empty: write the new version's text first", path.display())
            }
            NotAdopted::Placeholder { path, .. } => write!(
                f,
                "{} is still the example text `charte init` wrote: write the network's own charter there first",
                path.display()
            ),
            NotAdopted::MeetingRecorded { adopted, meeting, on } => write!(
                f,
                "--date {adopted}: the meeting {meeting} of {on} has its attendance recorded, and who voted there \
                 was decided by the version then in force; a version adopted before it would change that. Give the \
                 day it was adopted, after {on}"
            ),
        }
    }
}

/// Why a charter's text was not saved (`App::save_charter_text`): said in
/// English ([`std::fmt::Display`]) and in the desk's French and Dutch
/// ([`NotSaved::say`]). Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotSaved {
    /// The coordination does not work in that language (charte.toml).
    OtherLanguage { lang: crate::roster::Language },
    /// The text is empty, or only spaces.
    Empty,
    /// The text is larger than `limit` bytes.
    TooLarge { limit: u64 },
}

impl std::fmt::Display for NotSaved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotSaved::OtherLanguage { lang } => {
                write!(f, "the coordination does not work in '{lang}' (charte.toml [coordination] languages)")
            }
            NotSaved::Empty => write!(f, "the charter's text is empty: nothing was changed"),
            NotSaved::TooLarge { limit } => {
                write!(f, "the text is larger than {}: nothing was changed", crate::error::size_in_words(*limit))
            }
        }
    }
}

impl NotSaved {
    /// The refusal in French or Dutch, for the coordinator.
    pub fn say(&self, lang: crate::roster::Language) -> String {
        use crate::roster::Language::{Fr, Nl};
        match (self, lang) {
            (NotSaved::OtherLanguage { lang: l }, Fr) => format!(
                "la coordination ne travaille pas en « {l} » (charte.toml, [coordination] languages) : rien n'a été \
                 modifié"
            ),
            (NotSaved::OtherLanguage { lang: l }, Nl) => format!(
                "de coördinatie werkt niet in het “{l}” (charte.toml, [coordination] languages): er werd niets \
                 gewijzigd"
            ),
            (NotSaved::Empty, Fr) => "le texte est vide : rien n'a été modifié".to_owned(),
            (NotSaved::Empty, Nl) => "de tekst is leeg: er werd niets gewijzigd".to_owned(),
            (NotSaved::TooLarge { limit }, Fr) => format!(
                "le texte dépasse {} Ko : une charte tient en quelques pages ; rien n'a été modifié",
                limit / 1024
            ),
            (NotSaved::TooLarge { limit }, Nl) => format!(
                "de tekst is groter dan {} kB: een charter past op enkele bladzijden; er werd niets gewijzigd",
                limit / 1024
            ),
        }
    }
}

impl NotAdopted {
    /// The refusal in French or Dutch, for the coordinator.
    pub fn say(&self, lang: crate::roster::Language) -> String {
        use crate::roster::Language::{Fr, Nl};
        let day = |d: &NaiveDate| crate::mail::dates::long_date(*d, lang);
        // "en néerlandais" / "Nederlandse": the text's language in words.
        let text_fr = |l: &crate::roster::Language| if *l == Fr { "en français" } else { "en néerlandais" };
        let text_nl = |l: &crate::roster::Language| if *l == Fr { "Franse" } else { "Nederlandse" };
        match (self, lang) {
            (NotAdopted::BadLabel { version }, Fr) => format!(
                "« {version} » ne peut pas servir de nom de version : 40 lettres, chiffres, « - » et « . » au plus \
                 (par exemple 2027-01), car il entre dans les références des documents et les noms de fichiers"
            ),
            (NotAdopted::BadLabel { version }, Nl) => format!(
                "“{version}” kan geen versienaam zijn: hoogstens 40 letters, cijfers, “-” en “.” (bijvoorbeeld \
                 2027-01), want hij komt in de kenmerken van de documenten en in bestandsnamen"
            ),
            (NotAdopted::AlreadyAdopted { version, on }, Fr) => {
                format!("la version {version} a déjà été adoptée, le {}", day(on))
            }
            (NotAdopted::AlreadyAdopted { version, on }, Nl) => {
                format!("versie {version} werd al aangenomen, op {}", day(on))
            }
            (NotAdopted::NotAfterLast { adopted, last, last_on }, Fr) => format!(
                "la version {last} a été adoptée le {} : une nouvelle version est adoptée après elle, pas le {}",
                day(last_on),
                day(adopted)
            ),
            (NotAdopted::NotAfterLast { adopted, last, last_on }, Nl) => format!(
                "versie {last} werd aangenomen op {}: een nieuwe versie wordt daarna aangenomen, niet op {}",
                day(last_on),
                day(adopted)
            ),
            (NotAdopted::LabelNotAfter { version, last }, Fr) => format!(
                "« {version} » ne vient pas après « {last} », le nom de la dernière version, dans l'ordre \
                 alphabétique : nommez les versions pour qu'une plus récente vienne après, par exemple par année et \
                 mois (2027-01)"
            ),
            (NotAdopted::LabelNotAfter { version, last }, Nl) => format!(
                "“{version}” komt alfabetisch niet na “{last}”, de naam van de laatste versie: geef de versies een \
                 naam waarbij een latere erna komt, bijvoorbeeld jaar en maand (2027-01)"
            ),
            (NotAdopted::AfterToday { adopted, .. }, Fr) => format!(
                "le {} est encore à venir : enregistrez une version une fois qu'elle a été adoptée",
                day(adopted)
            ),
            (NotAdopted::AfterToday { adopted, .. }, Nl) => {
                format!("{} ligt nog in de toekomst: registreer een versie zodra ze aangenomen is", day(adopted))
            }
            (NotAdopted::EmptyText { lang: l, .. }, Fr) => {
                format!("le texte {} est vide : écrivez d'abord le texte de la nouvelle version ci-dessus", text_fr(l))
            }
            (NotAdopted::EmptyText { lang: l, .. }, Nl) => {
                format!("de {} tekst is leeg: schrijf eerst hierboven de tekst van de nieuwe versie", text_nl(l))
            }
            (NotAdopted::Placeholder { lang: l, .. }, Fr) => format!(
                "le texte {} est encore l'exemple installé avec charte : écrivez-y d'abord la charte de votre réseau",
                text_fr(l)
            ),
            (NotAdopted::Placeholder { lang: l, .. }, Nl) => format!(
                "de {} tekst is nog het voorbeeld dat met charte geïnstalleerd werd: schrijf er eerst het charter \
                 van uw netwerk in",
                text_nl(l)
            ),
            (NotAdopted::MeetingRecorded { meeting, on, .. }, Fr) => format!(
                "les présences de la réunion {meeting} du {} sont enregistrées, et qui y votait dépendait de la \
                 version alors en vigueur : une version adoptée avant cette réunion changerait cela. Indiquez le \
                 jour de son adoption, après le {}",
                day(on),
                day(on)
            ),
            (NotAdopted::MeetingRecorded { meeting, on, .. }, Nl) => format!(
                "de aanwezigheden op de vergadering {meeting} van {} zijn geregistreerd, en wie daar stemde hing af \
                 van de versie die toen van kracht was: een versie die vóór die vergadering aangenomen werd, zou dat \
                 veranderen. Geef de dag van de aanneming, na {}",
                day(on),
                day(on)
            ),
        }
    }
}
