//! A workflow file: what it may say, and the checks that refuse a malformed
//! one with the file, the line and what was expected (docs/workflows.md).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::config::FlagRules;
use crate::error::{Error, Problem, Result};

/// Who a workflow is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subjects {
    /// Organisations (not former) without a collected signature of the
    /// current charter version; one subject per organisation and version.
    UnsignedOrganisations,
    /// Meetings not cancelled and not yet held.
    UpcomingMeetings,
    /// Each year, from its last day.
    Years,
    /// Each open flag about an organisation.
    Flags,
}

impl Subjects {
    const ALL: &[(&str, Subjects)] = &[
        ("unsigned-organisations", Subjects::UnsignedOrganisations),
        ("upcoming-meetings", Subjects::UpcomingMeetings),
        ("years", Subjects::Years),
        ("flags", Subjects::Flags),
    ];

    pub fn code(self) -> &'static str {
        Self::ALL.iter().find(|(_, s)| *s == self).map_or("", |(c, _)| c)
    }
}

/// A condition an `await` step waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// The organisation's signed document of the current version is collected.
    Signed,
    /// The flag is resolved by the committee.
    Resolved,
}

/// What a step does, with its own settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Render and seal the adherence document.
    Issue,
    /// Email the document with the named message template.
    Send { message: String },
    /// Wait for a condition; the steps after it run while the wait lasts.
    Await { until: Until },
    /// Email a reminder; `times` reminders, `repeat_days` apart.
    Remind { message: String, repeat_days: u32, times: u32 },
    /// Raise a flag for the committee.
    Escalate { flag: String },
    /// Convoke the meeting, `margin_days` before the last day its notice allows.
    Convoke { margin_days: u32 },
    /// Produce a sealed report; a subsidy report reads `expenses` (a CSV
    /// path in the workspace) or, with `no_expenses`, is made without
    /// expenses on purpose. Never both (refused when the file is read).
    Report { report: ReportKind, expenses: Option<String>, no_expenses: bool },
    /// Send the year's report to the funder once it is approved
    /// (`charte report send`); until then the step waits, and once the
    /// funder's due date (`[funder] annual_due` / `subsidy_due`) has
    /// passed with the report not sent, it raises `report-not-sent`.
    Deliver { report: ReportKind },
    /// Draft the interpellation letter.
    Letter { reply_within_days: u32 },
    /// Record the committee's handling of the flag.
    Mark { status: crate::flags::Status },
    /// Read the mailbox's returns (`charte collect --imap`), once per
    /// run, before any step of a subject is decided; skipped with a note
    /// without `[mail.imap]`. Nothing to do per subject.
    Fetch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Annual,
    Subsidy,
}

impl Kind {
    pub fn code(&self) -> &'static str {
        match self {
            Kind::Issue => "issue",
            Kind::Send { .. } => "send",
            Kind::Await { .. } => "await",
            Kind::Remind { .. } => "remind",
            Kind::Escalate { .. } => "escalate",
            Kind::Convoke { .. } => "convoke",
            Kind::Report { .. } => "report",
            Kind::Deliver { .. } => "deliver",
            Kind::Letter { .. } => "letter",
            Kind::Mark { .. } => "mark",
            Kind::Fetch => "fetch",
        }
    }

    /// How many times the step runs for one subject (its attempts).
    pub fn times(&self) -> u32 {
        match self {
            Kind::Remind { times, .. } => *times,
            // Done by the run itself, never per subject.
            Kind::Fetch => 0,
            _ => 1,
        }
    }
}

/// One step, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub name: String,
    pub kind: Kind,
    /// Indexes of the steps this one follows.
    pub after: Vec<usize>,
    pub delay_days: u32,
}

/// A validated workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    pub name: String,
    pub description: String,
    pub subjects: Subjects,
    /// In an order where every step comes after the steps it follows.
    pub steps: Vec<Step>,
    /// Where it was read from: a file, or "built-in".
    pub origin: String,
}

impl Workflow {
    pub fn step(&self, name: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.name == name)
    }
}

/// The flag rules an `escalate` step may raise (the other rules are
/// computed from the journal by `charte flags`).
pub const ESCALATIONS: &[&str] = &["adherence-overdue"];

/// The workflows compiled into the binary (the repository's workflows/).
pub const BUILT_IN: &[(&str, &str)] = &[
    ("adhesion", include_str!("../../workflows/adhesion.toml")),
    ("convocation", include_str!("../../workflows/convocation.toml")),
    ("annual-report", include_str!("../../workflows/annual-report.toml")),
    ("interpellation", include_str!("../../workflows/interpellation.toml")),
];

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    description: String,
    subjects: Spanned<String>,
    #[serde(default)]
    steps: Vec<Spanned<RawStep>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    name: Spanned<String>,
    kind: Spanned<String>,
    after: Option<Spanned<After>>,
    delay_days: Option<Spanned<toml::Value>>,
    message: Option<String>,
    until: Option<Spanned<String>>,
    flag: Option<String>,
    repeat_days: Option<Spanned<toml::Value>>,
    times: Option<Spanned<toml::Value>>,
    margin_days: Option<Spanned<toml::Value>>,
    report: Option<Spanned<String>>,
    expenses: Option<String>,
    no_expenses: Option<Spanned<bool>>,
    reply_within_days: Option<Spanned<toml::Value>>,
    status: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum After {
    One(String),
    Many(Vec<String>),
}

/// Line (1-based) of a byte offset.
fn line_of(text: &str, offset: usize) -> u64 {
    text[..offset.min(text.len())].bytes().filter(|b| *b == b'\n').count() as u64 + 1
}

/// Parses and validates a workflow file's text; a delay may name a setting
/// of charte.toml's `[flags]` (`rules`).
pub fn parse(name: &str, text: &str, origin: &Path, rules: &FlagRules) -> Result<Workflow> {
    let fail = |offset: usize, message: String| Error::Input {
        file: origin.to_owned(),
        problems: vec![Problem::at(line_of(text, offset), None, message)],
    };
    let file: File = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        fail(offset, e.message().trim().to_owned())
    })?;
    let subjects =
        Subjects::ALL.iter().find(|(c, _)| *c == file.subjects.get_ref().as_str()).map(|(_, s)| *s).ok_or_else(
            || {
                fail(
                    file.subjects.span().start,
                    format!(
                        "subjects: unknown '{}' (expected one of: {})",
                        file.subjects.get_ref(),
                        Subjects::ALL.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ")
                    ),
                )
            },
        )?;
    if file.steps.is_empty() {
        return Err(fail(text.len(), "a workflow needs at least one [[steps]] table".into()));
    }
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (i, s) in file.steps.iter().enumerate() {
        let name = s.get_ref().name.get_ref();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(fail(
                s.get_ref().name.span().start,
                format!("name: '{name}' (expected letters, digits, '-' or '_')"),
            ));
        }
        if index.insert(name.clone(), i).is_some() {
            return Err(fail(s.get_ref().name.span().start, format!("name: a second step called '{name}'")));
        }
    }
    let mut steps = Vec::new();
    for (i, s) in file.steps.iter().enumerate() {
        let raw = s.get_ref();
        let kind =
            kind(raw, subjects, rules).map_err(|(offset, message)| fail(offset.unwrap_or(s.span().start), message))?;
        let after = match &raw.after {
            None if i == 0 => Vec::new(),
            None => vec![i - 1],
            Some(a) => {
                let names = match a.get_ref() {
                    After::One(n) => vec![n.clone()],
                    After::Many(v) => v.clone(),
                };
                let mut out = Vec::new();
                for n in names {
                    let j = *index.get(&n).ok_or_else(|| {
                        fail(
                            a.span().start,
                            format!(
                                "after: no step called '{n}' (the steps are: {})",
                                file.steps
                                    .iter()
                                    .map(|s| s.get_ref().name.get_ref().as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                    })?;
                    if j == i {
                        return Err(fail(a.span().start, format!("after: step '{n}' cannot follow itself")));
                    }
                    out.push(j);
                }
                out
            }
        };
        let delay_days = days(raw.delay_days.as_ref(), "delay_days", rules).map_err(|(o, m)| fail(o, m))?.unwrap_or(0);
        steps.push(Step { name: raw.name.get_ref().clone(), kind, after, delay_days });
    }
    let order = topological(&steps).map_err(|cycle| {
        let first = index.get(&cycle[0]).copied().unwrap_or(0);
        fail(
            file.steps[first].span().start,
            format!(
                "the steps form a cycle: {} (each comes after the one before it: none can ever start)",
                cycle.join(" → ")
            ),
        )
    })?;
    // Renumber into that order.
    let position: BTreeMap<usize, usize> = order.iter().enumerate().map(|(new, old)| (*old, new)).collect();
    let steps = order
        .iter()
        .map(|old| {
            let s = &steps[*old];
            Step { after: s.after.iter().map(|a| position[a]).collect(), ..s.clone() }
        })
        .collect();
    Ok(Workflow {
        name: name.to_owned(),
        description: file.description,
        subjects,
        steps,
        origin: origin.display().to_string(),
    })
}

type At = (Option<usize>, String);

/// The settings of charte.toml's `[flags]` a delay may name instead of a number.
const DELAY_SETTINGS: &[&str] = &["adherence_reminder_days", "adherence_overdue_days"];

/// A number of days: a whole number, 0 or more, or the name of a setting
/// of charte.toml's `[flags]` that holds one.
fn days(
    value: Option<&Spanned<toml::Value>>,
    field: &str,
    rules: &FlagRules,
) -> std::result::Result<Option<u32>, (usize, String)> {
    let Some(v) = value else { return Ok(None) };
    let days = match v.get_ref() {
        toml::Value::String(s) if s == "adherence_reminder_days" => Some(rules.adherence_reminder_days),
        toml::Value::String(s) if s == "adherence_overdue_days" => Some(rules.adherence_overdue_days),
        other => other.as_integer().and_then(|n| u32::try_from(n).ok()),
    };
    days.map(Some).ok_or_else(|| {
        (
            v.span().start,
            format!(
                "{field}: {} is not a number of days (expected a whole number, 0 or more, or one of charte.toml's \
                 [flags] settings: {})",
                v.get_ref(),
                DELAY_SETTINGS.join(", ")
            ),
        )
    })
}

fn kind(raw: &RawStep, subjects: Subjects, rules: &FlagRules) -> std::result::Result<Kind, At> {
    let code = raw.kind.get_ref().as_str();
    let at = Some(raw.kind.span().start);
    let need = |field: &str, value: Option<&String>| {
        value.cloned().filter(|v| !v.trim().is_empty()).ok_or((at, format!("a '{code}' step needs {field} = \"…\"")))
    };
    let day = |v: Option<&Spanned<toml::Value>>, f: &str, default: u32| {
        days(v, f, rules).map(|d| d.unwrap_or(default)).map_err(|(o, m)| (Some(o), m))
    };
    let kind = match code {
        "issue" => Kind::Issue,
        "fetch" => Kind::Fetch,
        "send" => Kind::Send { message: need("message", raw.message.as_ref())? },
        "await" => {
            let until =
                raw.until.as_ref().ok_or((at, "an 'await' step needs until = \"signed\" or \"resolved\"".into()))?;
            match until.get_ref().as_str() {
                "signed" => Kind::Await { until: Until::Signed },
                "resolved" => Kind::Await { until: Until::Resolved },
                other => {
                    return Err((
                        Some(until.span().start),
                        format!("until: unknown condition '{other}' (expected \"signed\" or \"resolved\")"),
                    ));
                }
            }
        }
        "remind" => {
            let times = day(raw.times.as_ref(), "times", 1)?;
            if times == 0 {
                return Err((at, "times: a reminder step sends at least 1 reminder".into()));
            }
            Kind::Remind {
                message: need("message", raw.message.as_ref())?,
                repeat_days: day(raw.repeat_days.as_ref(), "repeat_days", 14)?.max(1),
                times,
            }
        }
        "escalate" => {
            let flag = need("flag", raw.flag.as_ref())?;
            if !ESCALATIONS.contains(&flag.as_str()) {
                return Err((
                    at,
                    format!(
                        "flag: '{flag}' is not a rule a workflow raises (expected one of: {})",
                        ESCALATIONS.join(", ")
                    ),
                ));
            }
            Kind::Escalate { flag }
        }
        "convoke" => Kind::Convoke { margin_days: day(raw.margin_days.as_ref(), "margin_days", 2)? },
        "deliver" => Kind::Deliver { report: which_report(raw, at, "deliver")? },
        "report" => {
            let report = which_report(raw, at, "report")?;
            let no_expenses = raw.no_expenses.as_ref().is_some_and(|n| *n.get_ref());
            if let (Some(n), Some(file)) = (raw.no_expenses.as_ref().filter(|n| *n.get_ref()), &raw.expenses) {
                return Err((
                    Some(n.span().start),
                    format!(
                        "expenses = \"{file}\" and no_expenses = true together: keep one (expenses for a report \
                         made from that file, no_expenses = true for a report made without expenses)"
                    ),
                ));
            }
            Kind::Report { report, expenses: raw.expenses.clone(), no_expenses }
        }
        "letter" => Kind::Letter {
            reply_within_days: day(
                raw.reply_within_days.as_ref(),
                "reply_within_days",
                crate::flags::REPLY_WITHIN_DAYS,
            )?,
        },
        "mark" => {
            let status = raw.status.as_ref().ok_or((at, "a 'mark' step needs status = \"put-to-committee\"".into()))?;
            match crate::flags::Status::parse(status.get_ref()) {
                Some(s) => Kind::Mark { status: s },
                None => {
                    return Err((
                        Some(status.span().start),
                        format!(
                            "status: unknown '{}' (expected \"open\", \"put-to-committee\" or \"resolved\")",
                            status.get_ref()
                        ),
                    ));
                }
            }
        }
        other => {
            return Err((
                at,
                format!(
                    "kind: unknown step kind '{other}' (expected one of: issue, send, await, remind, escalate, \
                     convoke, report, deliver, letter, mark, fetch)"
                ),
            ));
        }
    };
    let fits = match (&kind, subjects) {
        (Kind::Issue | Kind::Send { .. } | Kind::Remind { .. } | Kind::Escalate { .. }, s) => {
            s == Subjects::UnsignedOrganisations
        }
        (Kind::Await { until: Until::Signed }, s) => s == Subjects::UnsignedOrganisations,
        (Kind::Await { until: Until::Resolved } | Kind::Letter { .. } | Kind::Mark { .. }, s) => s == Subjects::Flags,
        (Kind::Convoke { .. }, s) => s == Subjects::UpcomingMeetings,
        (Kind::Report { .. } | Kind::Deliver { .. }, s) => s == Subjects::Years,
        (Kind::Fetch, _) => true,
    };
    if !fits {
        return Err((at, format!("a '{}' step does not apply to subjects = \"{}\"", describe(&kind), subjects.code())));
    }
    Ok(kind)
}

/// The `report = "annual"|"subsidy"` of a `report` or `deliver` step.
fn which_report(raw: &RawStep, at: Option<usize>, kind: &str) -> std::result::Result<ReportKind, At> {
    let report =
        raw.report.as_ref().ok_or((at, format!("a '{kind}' step needs report = \"annual\" or \"subsidy\"")))?;
    match report.get_ref().as_str() {
        "annual" => Ok(ReportKind::Annual),
        "subsidy" => Ok(ReportKind::Subsidy),
        other => Err((
            Some(report.span().start),
            format!("report: unknown report '{other}' (expected \"annual\" or \"subsidy\")"),
        )),
    }
}

fn describe(kind: &Kind) -> String {
    match kind {
        Kind::Await { until: Until::Signed } => "await until signed".into(),
        Kind::Await { until: Until::Resolved } => "await until resolved".into(),
        k => k.code().into(),
    }
}

/// Kahn's order, stable (file order among the ready steps); or the names of
/// a cycle.
fn topological(steps: &[Step]) -> std::result::Result<Vec<usize>, Vec<String>> {
    let mut done: BTreeSet<usize> = BTreeSet::new();
    let mut order = Vec::new();
    while order.len() < steps.len() {
        let next = (0..steps.len()).find(|i| !done.contains(i) && steps[*i].after.iter().all(|a| done.contains(a)));
        match next {
            Some(i) => {
                done.insert(i);
                order.push(i);
            }
            None => {
                // Walk back from a blocked step until a step repeats: that is the cycle.
                let mut path: Vec<usize> = Vec::new();
                let mut at = (0..steps.len()).find(|i| !done.contains(i)).unwrap_or(0);
                while !path.contains(&at) {
                    path.push(at);
                    at = steps[at].after.iter().copied().find(|a| !done.contains(a)).unwrap_or(at);
                }
                // `path` lists each step then the one it waits for; reversed,
                // it is the order the steps would run in. Start it at the
                // step written first.
                let start = path.iter().position(|p| *p == at).unwrap_or(0);
                let mut cycle: Vec<usize> = path[start..].iter().rev().copied().collect();
                let first = cycle.iter().enumerate().min_by_key(|(_, s)| **s).map_or(0, |(k, _)| k);
                cycle.rotate_left(first);
                let mut names: Vec<String> = cycle.iter().map(|i| steps[*i].name.clone()).collect();
                names.push(names[0].clone());
                return Err(names);
            }
        }
    }
    Ok(order)
}

/// The workflows a workspace sees: the built-in ones, replaced or added to
/// by the files of its workflows/ folder.
pub fn load_all(workspace_dir: &Path, rules: &FlagRules) -> Result<Vec<Workflow>> {
    let mut out: BTreeMap<String, Workflow> = BTreeMap::new();
    for (name, text) in BUILT_IN {
        out.insert(
            (*name).to_owned(),
            parse(name, text, &PathBuf::from(format!("built-in workflows/{name}.toml")), rules)?,
        );
    }
    let dir = workspace_dir.join("workflows");
    if dir.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| Error::io(&dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for path in files {
            let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            out.insert(name.clone(), parse(&name, &text, &path, rules)?);
        }
    }
    Ok(out.into_values().collect())
}

/// One workflow by name.
pub fn load(workspace_dir: &Path, name: &str, rules: &FlagRules) -> Result<Workflow> {
    let all = load_all(workspace_dir, rules)?;
    let names: Vec<String> = all.iter().map(|w| w.name.clone()).collect();
    all.into_iter()
        .find(|w| w.name == name)
        .ok_or_else(|| Error::not_found(format!("no workflow '{name}' (the workflows are: {})", names.join(", "))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Workflow> {
        parse("test", text, Path::new("workflows/test.toml"), &FlagRules::default())
    }

    fn error(text: &str) -> String {
        parse_text(text).map(|w| format!("{w:?}")).unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn the_built_in_workflows_are_valid() {
        for (name, text) in BUILT_IN {
            let w = parse(name, text, Path::new(name), &FlagRules::default()).unwrap();
            assert!(!w.steps.is_empty(), "{name}");
        }
        let a = parse("adhesion", BUILT_IN[0].1, Path::new("a"), &FlagRules::default()).unwrap();
        let names: Vec<&str> = a.steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["mailbox", "issue", "send", "return", "remind", "escalate"]);
        assert_eq!(a.step("mailbox").unwrap().kind, Kind::Fetch);
        assert_eq!(a.step("remind").unwrap().delay_days, 14);
        assert_eq!(a.step("escalate").unwrap().delay_days, 45);
        assert_eq!(a.step("remind").unwrap().after, vec![3]);
        assert_eq!(a.step("send").unwrap().after, vec![1]);
    }

    #[test]
    fn an_unknown_step_kind_names_the_line_and_the_kinds() {
        let e = error("subjects = \"years\"\n\n[[steps]]\nname = \"x\"\nkind = \"telepathy\"\n");
        assert!(e.contains("workflows/test.toml") && e.contains("line 5"), "{e}");
        assert!(e.contains("unknown step kind 'telepathy'") && e.contains("issue, send, await"), "{e}");
    }

    #[test]
    fn a_delay_that_is_not_a_number_of_days_is_refused() {
        let e = error(
            "subjects = \"years\"\n[[steps]]\nname = \"a\"\nkind = \"report\"\nreport = \"annual\"\ndelay_days = \"two weeks\"\n",
        );
        assert!(e.contains("line 6") && e.contains("\"two weeks\" is not a number of days"), "{e}");
        let e = error(
            "subjects = \"years\"\n[[steps]]\nname = \"a\"\nkind = \"report\"\nreport = \"annual\"\ndelay_days = -3\n",
        );
        assert!(e.contains("line 6") && e.contains("-3 is not a number of days"), "{e}");
    }

    #[test]
    fn expenses_and_no_expenses_together_are_refused_with_the_line() {
        let step = "subjects = \"years\"\n[[steps]]\nname = \"s\"\nkind = \"report\"\nreport = \"subsidy\"\n";
        let e = error(&format!("{step}expenses = \"year/expenses.csv\"\nno_expenses = true\n"));
        assert!(e.contains("workflows/test.toml") && e.contains("line 7"), "{e}");
        assert!(e.contains("no_expenses = true together"), "{e}");
        let w = parse_text(&format!("{step}no_expenses = true\n")).unwrap();
        assert_eq!(w.steps[0].kind, Kind::Report { report: ReportKind::Subsidy, expenses: None, no_expenses: true });
        let w = parse_text(&format!("{step}expenses = \"e.csv\"\nno_expenses = false\n")).unwrap();
        assert!(matches!(&w.steps[0].kind, Kind::Report { no_expenses: false, expenses: Some(_), .. }));
        assert!(error(&format!("{step}no_expenses = \"yes\"\n")).contains("line 6"));
    }

    #[test]
    fn a_cycle_is_named() {
        let text = "subjects = \"unsigned-organisations\"\n\
                    [[steps]]\nname = \"a\"\nkind = \"issue\"\nafter = \"c\"\n\
                    [[steps]]\nname = \"b\"\nkind = \"send\"\nmessage = \"adherence\"\n\
                    [[steps]]\nname = \"c\"\nkind = \"send\"\nmessage = \"adherence\"\n";
        let e = error(text);
        assert!(e.contains("cycle") && e.contains("a → b → c → a"), "{e}");
        let e = error(
            "subjects = \"years\"\n[[steps]]\nname = \"a\"\nkind = \"report\"\nreport = \"annual\"\nafter = \"a\"\n",
        );
        assert!(e.contains("cannot follow itself"), "{e}");
    }

    #[test]
    fn malformed_files_name_what_was_expected() {
        assert!(error("subjects = \"years\"\n[[steps]\n").contains("line 2"));
        let e = error("subjects = \"people\"\n[[steps]]\nname=\"a\"\nkind=\"issue\"\n");
        assert!(e.contains("line 1") && e.contains("unsigned-organisations, upcoming-meetings, years, flags"), "{e}");
        let e =
            error("subjects = \"years\"\n[[steps]]\nname=\"a\"\nkind=\"report\"\nreport=\"annual\"\nfrequency = 3\n");
        assert!(e.contains("frequency"), "{e}");
        let e = error("subjects = \"years\"\n[[steps]]\nname=\"a\"\nkind=\"issue\"\n");
        assert!(e.contains("does not apply to subjects = \"years\""), "{e}");
        let e = error("subjects = \"unsigned-organisations\"\n[[steps]]\nname=\"a\"\nkind=\"send\"\n");
        assert!(e.contains("needs message"), "{e}");
        let e = error(
            "subjects = \"unsigned-organisations\"\n[[steps]]\nname=\"a\"\nkind=\"issue\"\n[[steps]]\nname=\"a\"\nkind=\"issue\"\n",
        );
        assert!(e.contains("line 6") && e.contains("second step called 'a'"), "{e}");
        let e = error("subjects = \"unsigned-organisations\"\n[[steps]]\nname=\"a\"\nkind=\"issue\"\nafter=\"zz\"\n");
        assert!(e.contains("no step called 'zz'"), "{e}");
    }
}
