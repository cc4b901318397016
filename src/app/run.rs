//! The durable workflow runner: advances every subject of a workflow as
//! far as it can go today. What is due is planned by
//! [`crate::workflow::plan`]; each step calls the same action a coordinator
//! would (issue, send, convoke, report, letters), and is journaled under
//! its key (workflow, subject, step, attempt) with a `step-done` event, in
//! the same transaction as the effect where the effect is a journal event
//! (a flag, a status), and right after it otherwise (documents are only
//! rendered when their inputs changed, messages carry a Message-ID made
//! from the key): a second run the same day does nothing, an interrupted
//! run resumes without repeating an effect.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use super::App;
use super::report_send::Outcome as Mailed;
use crate::collect::ReturnState;
use crate::documents::{DocumentKind, IssuedDocument};
use crate::error::{Error, Failed, Result};
use crate::journal::Event;
use crate::workflow::plan::{self, Done};
use crate::workflow::subjects::{self, Found};
use crate::workflow::{self, Kind, ReportKind, Subject, Workflow};

/// Organisations whose messages are built and sent together.
const BATCH: usize = 250;

/// A step a dry run would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub step: String,
    pub subject: String,
    pub label: String,
}

/// What a run did (or, on a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub workflow: String,
    pub dry_run: bool,
    /// The workflow's subjects today, and how many entered it with this run.
    pub subjects: usize,
    pub entering: usize,
    /// On a dry run, each step that would run, in order.
    pub planned: Vec<Planned>,
    /// Each step that ran, by its name, with how many subjects, in the workflow's order.
    pub ran: Vec<(String, usize)>,
    pub finished: usize,
    pub waiting: usize,
    /// The next day a step falls due.
    pub next: Option<NaiveDate>,
    /// Subjects whose step could not be done, and why: it stays to do.
    pub failed: Vec<Failed>,
    /// The checkpoint written at the end of a run that changed something.
    pub checkpoint: Option<super::checkpoint::Made>,
    /// Why a run that changed something has none (its key could not sign,
    /// or the file could not be written): the run itself is recorded.
    pub checkpoint_skipped: Option<String>,
    /// What a `fetch` step read from the mailbox, or why it was skipped.
    pub fetched: Option<Fetch>,
}

/// A run's `fetch` step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    /// The mailbox was read (`charte collect --imap`).
    Read(super::mailbox::Fetched),
    /// No `[mail.imap]`: nothing read.
    Skipped(String),
}

impl Outcome {
    /// The steps run, all subjects together.
    pub fn steps(&self) -> usize {
        self.ran.iter().map(|(_, n)| n).sum()
    }
}

/// One step's result for one subject: its id, what the step-done event
/// says happened, and the events of the effect journaled with it.
type Done1 = (String, String, Vec<Event>);

impl App {
    /// Runs workflow `name` (built in, or the workspace's
    /// workflows/NAME.toml) as far as it goes today; `dry_run` changes
    /// nothing and says what would run.
    pub fn run_workflow(&mut self, name: &str, dry_run: bool) -> Result<Outcome> {
        self.run_steps(name, dry_run, None)
    }

    /// Runs only the steps of workflow `name` whose kind is in `kinds`
    /// (e.g. issue and send: the first mailing, without the reminders and
    /// escalations that a full run would also do), each exactly as a full
    /// run does it and journaled under the same keys, so a later full run
    /// does not do it again. A partial run is recorded as a run only when
    /// it did something.
    pub fn run_steps(&mut self, name: &str, dry_run: bool, kinds: Option<&[&str]>) -> Result<Outcome> {
        let today = self.today;
        let wf = workflow::load(&self.ws.root, name, &self.ws.config.flags)?;
        self.preflight(&wf)?;
        // The mailbox first, once per run: a return that arrived by mail
        // is collected before any reminder is decided.
        //
        // A mailbox that cannot be read (a server down, a password not set)
        // holds back only what depends on it, the reminders and the
        // escalations: documents due are still issued and sent, the run is
        // not recorded as the day's run (so `charte serve` tries again 15
        // minutes later), and it ends with the mailbox's error: exit 3 for
        // a server down (run it again), else exit 4 naming the mailbox when
        // something was done (exit 2 when nothing was).
        let wants_fetch = wf.steps.iter().any(|s| s.kind == Kind::Fetch) && kinds.is_none_or(|k| k.contains(&"fetch"));
        let mut unread: Option<Error> = None;
        let fetched = match (wants_fetch, dry_run) {
            (false, _) | (true, true) => None,
            (true, false) if self.ws.config.mail.as_ref().is_none_or(|m| m.imap.is_none()) => Some(Fetch::Skipped(
                "fetch skipped: there is no [mail.imap] table in charte.toml, so no mailbox was read".into(),
            )),
            (true, false) => match self.collect_imap() {
                Ok(read) => Some(Fetch::Read(read)),
                Err(e) if e.kind() == crate::error::Kind::Internal => return Err(e),
                Err(e) => {
                    unread = Some(e);
                    None
                }
            },
        };
        let needs_mailbox = |kind: &Kind| matches!(kind, Kind::Remind { .. } | Kind::Escalate { .. });
        let found = subjects::gather(&self.ws.store, &self.ws.config, &wf, today)?;
        let mut done = workflow::done_by_subject(&self.ws.store, &wf)?;
        let entering: Vec<&Found> = found.iter().filter(|f| f.new).collect();
        if !dry_run && !entering.is_empty() {
            self.ws.store.transaction(today, |tx| {
                // Another run may have entered them since they were read.
                for f in &entering {
                    if tx.subject_entered(&wf.name, &f.subject.id)? {
                        continue;
                    }
                    tx.append(&Event::SubjectEntered {
                        workflow: wf.name.clone(),
                        subject: f.subject.id.clone(),
                        label: f.subject.label.clone(),
                    })?;
                }
                Ok(())
            })?;
        }
        let mut ran: BTreeMap<usize, usize> = BTreeMap::new();
        let mut tried: HashSet<(String, usize, u32)> = HashSet::new();
        let mut failed: Vec<Failed> = Vec::new();
        let mut planned = Vec::new();
        loop {
            let mut groups: BTreeMap<(usize, u32), Vec<&Subject>> = BTreeMap::new();
            for f in &found {
                let empty = Done::new();
                let d = done.get(&f.subject.id).unwrap_or(&empty);
                for (i, attempt) in plan::due(&wf, &f.subject, d, today) {
                    if kinds.is_some_and(|k| !k.contains(&wf.steps[i].kind.code()))
                        || (unread.is_some() && needs_mailbox(&wf.steps[i].kind))
                    {
                        continue;
                    }
                    if tried.insert((f.subject.id.clone(), i, attempt)) {
                        groups.entry((i, attempt)).or_default().push(&f.subject);
                    }
                }
            }
            if groups.is_empty() {
                break;
            }
            for ((i, attempt), group) in groups {
                let completed: Vec<String> = if dry_run {
                    planned.extend(group.iter().map(|s| Planned {
                        step: wf.steps[i].name.clone(),
                        subject: s.id.clone(),
                        label: s.label.clone(),
                    }));
                    group.iter().map(|s| s.id.clone()).collect()
                } else {
                    self.execute(&Batch { wf: &wf, i, attempt, group: &group, done: &done }, &mut failed)?
                };
                *ran.entry(i).or_default() += completed.len();
                for id in completed {
                    done.entry(id).or_default().insert((i, attempt), today);
                }
            }
        }
        let total: usize = ran.values().sum();
        // A run is recorded when it did something, or is the workflow's
        // first run of its day (so `charte status` says when it last ran,
        // and a later run cannot be dated before it); a second run the same
        // day with nothing to do writes nothing.
        // Whether it is the first is read under the write lock: two runs at
        // once with nothing to do record one run, not two. (A run seen
        // recorded today stays so: no need to lock for it.)
        let did = total > 0 || !entering.is_empty();
        let seen_today = self.ws.store.workflow_runs()?.get(&wf.name).is_some_and(|r| r.at >= today);
        let (mut checkpoint, mut checkpoint_skipped) = (None, None);
        if !dry_run && (did || (!seen_today && kinds.is_none())) {
            // A run that changed something ends with a checkpoint covering
            // it, signed when the workspace has its seal key (a network that
            // only convokes may have none yet: then quietly none). A key
            // that cannot sign (not the journal's, a statement missing) or
            // a file that cannot be written leaves the run recorded, and
            // says why it has no checkpoint.
            let has_key = self.ws.keys_dir().join(super::keys::COORDINATION_KEY).exists();
            let signer = match (did && has_key).then(|| self.signer()) {
                Some(Ok(signer)) => Some(signer),
                Some(Err(e)) => {
                    checkpoint_skipped = Some(e.to_string());
                    None
                }
                None => None,
            };
            let pending = self.ws.store.transaction(today, |tx| {
                let first_today = tx.last_workflow_run(&wf.name)?.is_none_or(|at| at < today);
                if unread.is_none() && (did || (first_today && kinds.is_none())) {
                    tx.append(&Event::WorkflowRun { workflow: wf.name.clone(), steps: total as u64 })?;
                }
                signer.as_ref().map(|s| s.sign(tx)).transpose()
            })?;
            if let Some(pending) = pending {
                match self.ws.out_folder("checkpoints").and_then(|dir| pending.place(&dir)) {
                    Ok(made) => checkpoint = Some(made),
                    Err(e) => checkpoint_skipped = Some(e.to_string()),
                }
            }
        }
        let mut outcome = Outcome {
            workflow: wf.name.clone(),
            dry_run,
            subjects: found.len(),
            entering: entering.len(),
            planned,
            ran: ran.iter().map(|(i, n)| (wf.steps[*i].name.clone(), *n)).collect(),
            finished: 0,
            waiting: 0,
            next: None,
            failed,
            checkpoint,
            checkpoint_skipped,
            fetched,
        };
        for f in &found {
            let empty = Done::new();
            let states = plan::states(&wf, &f.subject, done.get(&f.subject.id).unwrap_or(&empty), today);
            if plan::finished(&states) {
                outcome.finished += 1;
            }
            outcome.waiting += states.iter().filter(|s| matches!(s, plan::State::Waiting { .. })).count();
            outcome.next = outcome.next.into_iter().chain(plan::next_pending(&states, today)).min();
        }
        if let Some(e) = unread {
            let done = outcome.steps() + outcome.entering;
            if e.kind() == crate::error::Kind::Temporary || done == 0 {
                return Err(e.noted(&format!(
                    "; the mailbox was not read, so no reminder or escalation was decided ({} step(s) done \
                     besides, journaled): run it again once the mailbox can be read",
                    outcome.steps()
                )));
            }
            let mut failed = vec![Failed {
                item: "the mailbox ([mail.imap])".into(),
                reason: format!("{e}; no reminder or escalation was decided until it can be read"),
            }];
            failed.append(&mut outcome.failed);
            return Err(Error::Partial {
                done: format!("workflow {}: {} step(s) done", wf.name, outcome.steps()),
                failed,
            });
        }
        Ok(outcome)
    }

    /// What the workflow's steps will need, checked before anything is
    /// recorded: a run that cannot go through changes nothing.
    fn preflight(&self, wf: &Workflow) -> Result<()> {
        let mut templates = None;
        for step in &wf.steps {
            match &step.kind {
                Kind::Issue | Kind::Report { .. } => {
                    self.sealer()?;
                }
                Kind::Send { message } | Kind::Remind { message, .. } => {
                    self.ws.mail()?;
                    if templates.is_none() {
                        templates = Some(self.ws.mail_templates()?);
                    }
                    let known = templates.as_ref().map(crate::mail::Templates::origins);
                    for lang in &self.ws.config.coordination.languages {
                        let file = format!("{message}.{}.subject.hbs", lang.code());
                        if !known.is_some_and(|k| k.contains_key(&file)) {
                            return Err(Error::usage(format!(
                                "workflow {}, step {}: no mail template '{message}' in {} \
                                 (templates/mail/{message}.{}.subject.hbs, .txt.hbs and .html.hbs)",
                                wf.name,
                                step.name,
                                lang.code(),
                                lang.code()
                            )));
                        }
                    }
                }
                Kind::Convoke { .. } => {
                    self.ws.mail()?;
                }
                Kind::Await { .. }
                | Kind::Escalate { .. }
                | Kind::Letter { .. }
                | Kind::Mark { .. }
                | Kind::Fetch
                | Kind::Deliver { .. } => {}
            }
        }
        Ok(())
    }

    /// Runs the batch's step; returns the subjects it completed, each
    /// journaled with its `step-done` event.
    fn execute(&mut self, b: &Batch<'_>, failed: &mut Vec<Failed>) -> Result<Vec<String>> {
        let Batch { wf, i, group, done, .. } = *b;
        let step = &wf.steps[i];
        let outcomes: Vec<Done1> = match &step.kind {
            Kind::Issue => self.issue_step(group, failed)?,
            Kind::Send { message } | Kind::Remind { message, .. } => return self.send_step(b, message),
            Kind::Escalate { flag } => self.escalate_step(wf, group, done, flag)?,
            Kind::Convoke { .. } => {
                let mut out = Vec::new();
                for s in group {
                    let convoked = self.convoke(&s.id, None)?;
                    if !convoked.failed.is_empty() {
                        // Its step stays to do: the next run sends what is left.
                        failed.extend(convoked.failed);
                    } else if convoked.elsewhere == 0 {
                        out.push((s.id.clone(), "convocations sent".to_owned(), Vec::new()));
                    }
                    // Some of its messages are being sent by another run at
                    // the same time: the step stays to do, so that a next run
                    // sends what that run may not finish.
                }
                out
            }
            Kind::Report { report, expenses, no_expenses } => {
                let mut out = Vec::new();
                for s in group {
                    let year: i32 =
                        s.id.parse().map_err(|_| Error::internal(format!("{}: a report's subject is a year", s.id)))?;
                    let outcome = match report {
                        ReportKind::Annual => {
                            self.annual_report(year)?;
                            format!("annual report {}", s.id)
                        }
                        ReportKind::Subsidy if self.ws.config.funder.kind == crate::config::FunderKind::None => {
                            "no funder in charte.toml: no subsidy report".to_owned()
                        }
                        ReportKind::Subsidy => {
                            match self.subsidy_expenses(wf, &step.name, expenses.as_deref(), *no_expenses) {
                                Ok(expenses) => {
                                    self.subsidy_report(year, &expenses)?;
                                }
                                // Not a 0,00 € report sealed in silence: this
                                // year's step stays to do, the others go on.
                                Err(reason) => {
                                    failed.push(Failed { item: format!("the subsidy report {}", s.id), reason });
                                    continue;
                                }
                            }
                            format!("subsidy report {}", s.id)
                        }
                    };
                    out.push((s.id.clone(), outcome, Vec::new()));
                }
                out
            }
            Kind::Letter { reply_within_days } => {
                // The group's flags that may be written about today (an
                // adherence flag waits for its delay: its step stays to do);
                // each of their organisations gets one letter covering all
                // its open flags that may be written about, as `flags
                // letters` writes it (the same file: never a letter with
                // fewer flags).
                let keys: Vec<String> = group.iter().map(|s| s.id.clone()).collect();
                let letters = self.letters(&super::flags::LettersInput {
                    year: None,
                    reply_within_days: *reply_within_days,
                    only: Some(keys.clone()),
                })?;
                keys.iter()
                    .filter_map(|key| {
                        let letter = letters.covering(key)?;
                        let outcome = letter
                            .path
                            .as_ref()
                            .map_or("no organisation to write to".into(), |p| format!("draft letter {}", p.display()));
                        Some((key.clone(), outcome, Vec::new()))
                    })
                    .collect()
            }
            Kind::Mark { status } => {
                // An adherence flag still waiting for its delay is not put
                // to the committee, whatever the workflow's steps say.
                let loaded = crate::flags::Loaded::load_for(&self.ws.store, &self.ws.config, None)?;
                let facts = loaded.facts(&self.ws.config, self.today, None);
                let flags = crate::flags::evaluate(&facts);
                group
                    .iter()
                    .filter(|s| flags.iter().find(|f| f.key() == s.id).is_none_or(|f| facts.may_interpellate(f)))
                    .map(|s| {
                        let event = Event::FlagStatusChanged {
                            key: s.id.clone(),
                            status: status.code().to_owned(),
                            note: Some(format!("workflow {}, step {}", wf.name, step.name)),
                        };
                        (s.id.clone(), status.code().to_owned(), vec![event])
                    })
                    .collect()
            }
            Kind::Deliver { report } => self.deliver_step(group, *report, failed)?,
            Kind::Await { .. } | Kind::Fetch => Vec::new(),
        };
        record_steps(&mut self.ws.store, self.today, b, outcomes)
    }

    /// Sends each year's report to the funder once it is approved (`charte
    /// report send`, once only: a report sent before is done at once). A
    /// report not yet made or approved, or with no `[funder] email`, waits
    /// (its step stays to do, without failing the run); past the funder's
    /// due date for it, the wait raises `report-not-sent`, once.
    fn deliver_step(&mut self, group: &[&Subject], report: ReportKind, failed: &mut Vec<Failed>) -> Result<Vec<Done1>> {
        let kind = match report {
            ReportKind::Annual => crate::report::Kind::Annual,
            ReportKind::Subsidy => crate::report::Kind::Subsidy,
        };
        let funder = self.ws.config.funder.clone();
        let mut out = Vec::new();
        for s in group {
            if funder.kind == crate::config::FunderKind::None {
                out.push((s.id.clone(), "no funder in charte.toml: no report to send".to_owned(), Vec::new()));
                continue;
            }
            let year: i32 =
                s.id.parse().map_err(|_| Error::internal(format!("{}: a report's subject is a year", s.id)))?;
            let state = self.report_state(kind, year)?;
            let item = format!("sending the {} report {year} to the funder", kind.word());
            if state.holds.is_some() && state.funder_email.is_some() {
                match self.send_report(kind, year) {
                    Ok(sent) => match sent.outcome {
                        // Never the address: the journal keeps no personal
                        // data `charte erase` could not remove.
                        Mailed::Sent | Mailed::AlreadySent => {
                            let words = if self.ws.config.mail_to_outbox() {
                                "written to the outbox for the funder (charte outbox send sends it on)"
                            } else {
                                "sent to the funder"
                            };
                            out.push((s.id.clone(), words.to_owned(), Vec::new()));
                        }
                        Mailed::Bounced(why) | Mailed::BouncedBefore(why) => failed.push(Failed {
                            item,
                            reason: format!(
                                "the mail server refused {} for good ({why}): correct charte.toml's [funder] email",
                                sent.to
                            ),
                        }),
                        // Another run is sending it: the next run records it.
                        Mailed::Elsewhere => {}
                    },
                    Err(e) if matches!(e.kind(), crate::error::Kind::Invalid | crate::error::Kind::NotFound) => {
                        failed.push(Failed { item, reason: e.to_string() });
                    }
                    Err(e) => return Err(e),
                }
                continue;
            }
            let due = match kind {
                crate::report::Kind::Annual => funder.annual_due_for(year),
                crate::report::Kind::Subsidy => funder.subsidy_due_for(year),
            };
            if let Some(due) = due.filter(|due| *due < self.today) {
                self.raise_not_sent(kind, year, due, &state)?;
            }
        }
        Ok(out)
    }

    /// Raises `report-not-sent` for the report of `kind` and `year`, due
    /// on `due`, unless it was raised already.
    fn raise_not_sent(
        &mut self,
        kind: crate::report::Kind,
        year: i32,
        due: NaiveDate,
        state: &super::approve::State,
    ) -> Result<()> {
        let subject = crate::flags::not_sent_subject(kind.code(), year);
        let (en, fr, nl) = match (&state.made, &state.holds) {
            (None, _) => ("it is not made", "il n'est pas produit", "het is niet gemaakt"),
            (Some(_), None) => ("it is not approved", "il n'est pas approuvé", "het is niet goedgekeurd"),
            (Some(_), Some(_)) => (
                "charte.toml names no [funder] email",
                "charte.toml n'indique pas l'adresse du pouvoir subsidiant",
                "charte.toml vermeldt het adres van de subsidiënt niet",
            ),
        };
        let (due_fr, due_nl) =
            (crate::mail::long_date(due, crate::mail::Lang::Fr), crate::mail::long_date(due, crate::mail::Lang::Nl));
        let event = Event::FlagRaised {
            rule: crate::flags::REPORT_NOT_SENT.to_owned(),
            enterprise_number: String::new(),
            subject: subject.clone(),
            evidence: format!("the {} report {year} was due to the funder by {due} and is not sent: {en}", kind.word()),
            evidence_fr: format!(
                "le {} {year} était à remettre au pouvoir subsidiant le {due_fr} au plus tard et n'est pas envoyé : {fr}",
                kind.words(crate::roster::Language::Fr)
            ),
            evidence_nl: format!(
                "het {} {year} moest uiterlijk op {due_nl} bij de subsidiënt zijn en is niet verzonden: {nl}",
                kind.words(crate::roster::Language::Nl)
            ),
        };
        // Decided under the write lock: two runs at once raise it once.
        self.ws.store.transaction(self.today, |tx| {
            if !tx.flag_raised(crate::flags::REPORT_NOT_SENT, &subject)? {
                tx.append(&event)?;
            }
            Ok(())
        })
    }

    /// The expenses of a subsidy report step: none when the step says
    /// `no_expenses = true`, its file when it exists; otherwise why the
    /// report cannot be made, in words.
    fn subsidy_expenses(
        &self,
        wf: &Workflow,
        step: &str,
        expenses: Option<&str>,
        no_expenses: bool,
    ) -> std::result::Result<super::report::Expenses, String> {
        if no_expenses {
            return Ok(super::report::Expenses::NoExpenses);
        }
        let how = format!(
            "or, to make the report without expenses, write no_expenses = true instead of expenses in the step \
             '{step}' of the workflow {} (a workflows/{}.toml in the workspace replaces the built-in one)",
            wf.name, wf.name
        );
        match expenses {
            Some(rel) => {
                let file = self.ws.root.join(rel);
                if file.is_file() {
                    Ok(super::report::Expenses::File(file))
                } else {
                    Err(format!("{rel} is not in the workspace: put the year's expense and staff lines there, {how}"))
                }
            }
            None => Err(format!("the step names no expenses file: write expenses = \"FILE.csv\" in it, {how}")),
        }
    }

    /// The latest adherence document of the charter version in force, per
    /// organisation.
    fn current_documents(&self) -> Result<HashMap<String, IssuedDocument>> {
        let version = &self.ws.config.charter.version;
        let mut out = HashMap::new();
        for d in self.ws.store.documents()? {
            if d.kind == DocumentKind::Adherence && &d.charter_version == version {
                out.insert(d.enterprise_number.clone(), d); // the latest wins
            }
        }
        Ok(out)
    }

    /// Issues the group's documents; an organisation whose document cannot
    /// be made goes into `failed` and its step stays to do.
    fn issue_step(&mut self, group: &[&Subject], failed: &mut Vec<Failed>) -> Result<Vec<Done1>> {
        let members = self.ws.store.members()?;
        let orgs = organisations(&members, group)?;
        let selected: Vec<&crate::roster::Member> = orgs.iter().map(|(m, _)| *m).collect();
        let outcome = self.issue_for(&selected)?;
        failed.extend(outcome.failed);
        let documents = self.current_documents()?;
        Ok(orgs
            .iter()
            .filter_map(|(m, id)| {
                let d = documents.get(m.organisation.enterprise_number.digits())?;
                Some((id.clone(), format!("document {}", d.document_id), Vec::new()))
            })
            .collect())
    }

    fn send_step(&mut self, b: &Batch<'_>, template: &str) -> Result<Vec<String>> {
        let Batch { wf, i, attempt, group, done } = *b;
        let step = &wf.steps[i];
        let mail = self.ws.mail()?;
        let templates = self.ws.mail_templates()?;
        let members = self.ws.store.members()?;
        let orgs = organisations(&members, group)?;
        let documents = self.current_documents()?;
        let escalation = wf.steps.iter().find(|s| matches!(s.kind, Kind::Escalate { .. })).map(|s| s.delay_days);
        let context = workflow::messages::Context {
            config: &self.ws.config,
            envelope: crate::governance::convoke::envelope(&mail)?,
            templates: &templates,
            template,
            date: self.today.and_time(chrono::Utc::now().time()).and_utc(),
            links: crate::links::LinkSettings::of(&self.ws.config),
            today: self.today,
        };
        let about = format!("{}/{}/{attempt}", wf.name, step.name);
        let mut sender = self.sender()?;
        let bar = super::Bar::start(self.progress.as_ref(), orgs.len() as u64, &step.name);
        let mut completed = Vec::new();
        for chunk in orgs.chunks(BATCH) {
            let mut planned = Vec::new();
            let mut per_subject: Vec<(String, usize)> = Vec::new();
            for (m, id) in chunk {
                let d = documents.get(m.organisation.enterprise_number.digits()).ok_or_else(|| {
                    Error::usage(format!(
                        "{}: no adherence document of charter {} to send (the workflow issues it first)",
                        m.organisation.name, self.ws.config.charter.version
                    ))
                })?;
                let path = self.ws.root.join(&d.file);
                let pdf = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
                let sent = done_on(wf, done.get(id), "send");
                let dates = workflow::messages::Dates {
                    sent,
                    reply_by: sent
                        .zip(escalation)
                        .and_then(|(s, e)| s.checked_add_days(chrono::Days::new(u64::from(e)))),
                };
                let key = workflow::key(&wf.name, id, &step.name, attempt);
                let messages = workflow::messages::messages(&context, &key, &about, m, d, &pdf, dates)?;
                per_subject.push((id.clone(), messages.len()));
                planned.extend(messages);
            }
            let report = sender.deliver(&mut self.ws.store, self.today, &planned, &|| {})?;
            let bounced: HashSet<&str> = report.bounced.iter().map(|(a, _)| a.as_str()).collect();
            let mut outcomes = Vec::new();
            let mut start = 0;
            let elsewhere: HashSet<&str> = report.elsewhere.iter().map(String::as_str).collect();
            for (id, n) in per_subject {
                let addresses = &planned[start..start + n];
                start += n;
                if addresses.iter().any(|p| elsewhere.contains(p.outgoing.message_id.as_str())) {
                    // Another run is sending some of them: it records the step.
                    continue;
                }
                let refused = addresses.iter().filter(|p| bounced.contains(p.address.as_str())).count();
                let outcome = if refused == 0 {
                    format!("sent to {n} address{}", if n == 1 { "" } else { "es" })
                } else {
                    format!("sent to {n} addresses, {refused} bounced")
                };
                outcomes.push((id, outcome, Vec::new()));
            }
            bar.inc(chunk.len() as u64);
            completed.extend(record_steps(&mut self.ws.store, self.today, b, outcomes)?);
        }
        sender.close();
        Ok(completed)
    }

    fn escalate_step(
        &self,
        wf: &Workflow,
        group: &[&Subject],
        done: &HashMap<String, Done>,
        flag: &str,
    ) -> Result<Vec<Done1>> {
        let version = &self.ws.config.charter.version;
        let remind = wf.steps.iter().position(|s| matches!(s.kind, Kind::Remind { .. }));
        // Organisations whose return came back but waits for the
        // coordinator's confirmation: the evidence says so, not that
        // nothing came back.
        let waiting: HashSet<String> = self
            .ws
            .store
            .returns()?
            .into_iter()
            .filter(|r| r.state == ReturnState::Waiting && &r.adherence.charter_version == version)
            .map(|r| r.adherence.enterprise_number)
            .collect();
        Ok(group
            .iter()
            .map(|s| {
                let returned = s.enterprise_number.as_ref().is_some_and(|n| waiting.contains(n));
                let d = done.get(&s.id);
                let sent = done_on(wf, d, "send");
                let mut reminded: Vec<NaiveDate> = match (remind, d) {
                    (Some(r), Some(d)) => d.iter().filter(|((step, _), _)| *step == r).map(|(_, on)| *on).collect(),
                    _ => Vec::new(),
                };
                reminded.sort();
                let event = Event::FlagRaised {
                    rule: flag.to_owned(),
                    enterprise_number: s.enterprise_number.clone().unwrap_or_default(),
                    subject: s.id.clone(),
                    evidence: escalation_evidence(version, returned, sent, &reminded, None),
                    evidence_fr: escalation_evidence(version, returned, sent, &reminded, Some(crate::mail::Lang::Fr)),
                    evidence_nl: escalation_evidence(version, returned, sent, &reminded, Some(crate::mail::Lang::Nl)),
                };
                (s.id.clone(), format!("flag {flag} raised"), vec![event])
            })
            .collect())
    }
}

/// Journals each subject's `step-done`, after the events of its
/// effect, in one transaction; a step another run recorded meanwhile (two
/// runs at once) is left as that run recorded it, and not returned.
fn record_steps(
    store: &mut crate::journal::Store,
    today: NaiveDate,
    b: &Batch<'_>,
    outcomes: Vec<Done1>,
) -> Result<Vec<String>> {
    let Batch { wf, i, attempt, .. } = *b;
    let step = &wf.steps[i].name;
    store.transaction(today, |tx| {
        let mut ids = Vec::new();
        for (subject, outcome, events) in outcomes {
            if tx.step_recorded(&wf.name, &subject, step, attempt)? {
                continue;
            }
            for e in &events {
                tx.append(e)?;
            }
            tx.append(&Event::StepDone {
                key: workflow::key(&wf.name, &subject, step, attempt),
                workflow: wf.name.clone(),
                subject: subject.clone(),
                step: step.clone(),
                attempt,
                outcome,
            })?;
            ids.push(subject);
        }
        Ok(ids)
    })
}

/// One step (attempt) to run for a group of subjects.
struct Batch<'a> {
    wf: &'a Workflow,
    /// The step's index in the workflow.
    i: usize,
    attempt: u32,
    group: &'a [&'a Subject],
    /// What the journal (and this run) say was done.
    done: &'a HashMap<String, Done>,
}

/// The evidence of an escalation, in English (`lang` None), French or
/// Dutch: what came back (nothing, or a return waiting for confirmation),
/// when the document was sent and reminded.
fn escalation_evidence(
    version: &str,
    returned: bool,
    sent: Option<NaiveDate>,
    reminded: &[NaiveDate],
    lang: Option<crate::mail::Lang>,
) -> String {
    use crate::mail::{Lang, long_date};
    let date = |d: NaiveDate| lang.map_or(d.to_string(), |l| long_date(d, l));
    let (mut text, sent_on, reminded_on) = match (lang, returned) {
        (None, true) => (
            format!(
                "a signed document of charter {version} came back and waits for your confirmation (charte returns)"
            ),
            ": sent on ",
            ", reminded on ",
        ),
        (None, false) => (format!("no signed document of charter {version} came back"), ": sent on ", ", reminded on "),
        (Some(Lang::Fr), true) => (
            format!("un document signé de la charte {version} est revenu et attend la confirmation de la coordination"),
            " : envoyé le ",
            ", rappel le ",
        ),
        (Some(Lang::Fr), false) => {
            (format!("aucun document signé de la charte {version} n'est revenu"), " : envoyé le ", ", rappel le ")
        }
        (Some(Lang::Nl), true) => (
            format!(
                "een ondertekend document van charter {version} is teruggekomen en wacht op de bevestiging van de coördinatie"
            ),
            ": verzonden op ",
            ", herinnering op ",
        ),
        (Some(Lang::Nl), false) => (
            format!("geen ondertekend document van charter {version} teruggekomen"),
            ": verzonden op ",
            ", herinnering op ",
        ),
    };
    if let Some(day) = sent {
        text.push_str(&format!("{sent_on}{}", date(day)));
    }
    if !reminded.is_empty() {
        let list: Vec<String> = reminded.iter().map(|r| date(*r)).collect();
        text.push_str(&format!("{reminded_on}{}", list.join(", ")));
    }
    text
}

/// The organisation of each subject.
fn organisations<'a>(
    members: &'a [crate::roster::Member],
    group: &[&Subject],
) -> Result<Vec<(&'a crate::roster::Member, String)>> {
    let by_number: HashMap<&str, &crate::roster::Member> =
        members.iter().map(|m| (m.organisation.enterprise_number.digits(), m)).collect();
    group
        .iter()
        .map(|s| {
            let number = s.enterprise_number.as_deref().unwrap_or_default();
            by_number
                .get(number)
                .map(|m| (*m, s.id.clone()))
                .ok_or_else(|| Error::internal(format!("{}: no organisation {number} on the roster", s.id)))
        })
        .collect()
}

/// The day step kind `kind`'s first attempt was done for a subject.
fn done_on(wf: &Workflow, done: Option<&Done>, kind: &str) -> Option<NaiveDate> {
    let i = wf.steps.iter().position(|s| s.kind.code() == kind)?;
    done?.get(&(i, 1)).copied()
}
