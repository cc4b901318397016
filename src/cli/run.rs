//! `charte run WORKFLOW [--dry-run]`: advances every subject of the
//! workflow as far as it can go today. What is due is planned by
//! [`crate::workflow::plan`]; each effect is journaled under its key
//! (workflow, subject, step, attempt) with a `step-done` event, in the same
//! transaction as the effect where the effect is a journal event (a flag, a
//! status), and right after it otherwise (documents are only rendered when
//! their inputs changed, messages carry a Message-ID made from the key):
//! a second run the same day does nothing, an interrupted run resumes
//! without repeating an effect.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use super::Ctx;
use crate::documents::{DocumentKind, IssuedDocument};
use crate::error::{Error, Failed, Result};
use crate::journal::Event;
use crate::workflow::plan::{self, Done};
use crate::workflow::subjects::{self, Found};
use crate::workflow::{self, Kind, ReportKind, Subject, Workflow};
use crate::workspace::Workspace;

#[derive(Debug, clap::Args)]
#[command(after_help = "The built-in workflows are adhesion, convocation, annual-report and interpellation; \
                        a workspace's workflows/NAME.toml replaces or adds one (docs/workflows.md). \
                        `charte status` shows where each subject stands.")]
pub struct Args {
    /// The workflow's name.
    workflow: String,
    /// Print what would be done today, and change nothing.
    #[arg(long)]
    dry_run: bool,
}

/// Organisations whose messages are built and sent together.
const BATCH: usize = 250;

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let mut ws = ctx.writer()?;
    let wf = workflow::load(&ws.root, &args.workflow, &ws.config.flags)?;
    preflight(&ws, &wf)?;
    let found = subjects::gather(&ws.store, &ws.config, &wf, ctx.now)?;
    let mut done = workflow::done_by_subject(&ws.store, &wf)?;
    let entering: Vec<&Found> = found.iter().filter(|f| f.new).collect();
    if !args.dry_run && !entering.is_empty() {
        ws.store.transaction(ctx.now, |tx| {
            for f in &entering {
                tx.append(&Event::SubjectEntered {
                    workflow: wf.name.clone(),
                    subject: f.subject.id.clone(),
                    label: f.subject.label.clone(),
                })?;
            }
            Ok(())
        })?;
    }
    let verb = if args.dry_run { "would run" } else { "ran" };
    let mut ran: BTreeMap<usize, usize> = BTreeMap::new();
    let mut tried: HashSet<(String, usize, u32)> = HashSet::new();
    let mut failed: Vec<Failed> = Vec::new();
    loop {
        let mut groups: BTreeMap<(usize, u32), Vec<&Subject>> = BTreeMap::new();
        for f in &found {
            let empty = Done::new();
            let d = done.get(&f.subject.id).unwrap_or(&empty);
            for (i, attempt) in plan::due(&wf, &f.subject, d, ctx.now) {
                if tried.insert((f.subject.id.clone(), i, attempt)) {
                    groups.entry((i, attempt)).or_default().push(&f.subject);
                }
            }
        }
        if groups.is_empty() {
            break;
        }
        for ((i, attempt), group) in groups {
            let step = &wf.steps[i];
            let completed: Vec<String> = if args.dry_run {
                for s in &group {
                    say!("{} {}: {} ({})", ctx.now, step.name, s.label, s.id);
                }
                group.iter().map(|s| s.id.clone()).collect()
            } else {
                execute(&mut ws, &Batch { wf: &wf, i, attempt, group: &group, done: &done, ctx }, &mut failed)?
            };
            *ran.entry(i).or_default() += completed.len();
            for id in completed {
                done.entry(id).or_default().insert((i, attempt), ctx.now);
            }
        }
    }
    let total: usize = ran.values().sum();
    // A run is recorded when it did something, or is the workflow's first
    // run of its day (so `charte status` says when it last ran, and a later
    // run cannot be dated before it); a second run the same day with
    // nothing to do writes nothing.
    let first_today = ws.store.workflow_runs()?.get(&wf.name).is_none_or(|run| run.at < ctx.now);
    if !args.dry_run && (total > 0 || !entering.is_empty() || first_today) {
        ws.store.transaction(ctx.now, |tx| {
            tx.append(&Event::WorkflowRun { workflow: wf.name.clone(), steps: total as u64 }).map(|_| ())
        })?;
    }
    say!(
        "{} {}{}: {} subjects ({} new), {total} steps",
        wf.name,
        ctx.now,
        if args.dry_run { " (dry run: nothing changed)" } else { "" },
        found.len(),
        entering.len()
    );
    for (i, n) in &ran {
        say!("  {verb} {:<12} {n}", wf.steps[*i].name);
    }
    let mut waiting = 0;
    let mut finished = 0;
    let mut next: Option<NaiveDate> = None;
    for f in &found {
        let empty = Done::new();
        let states = plan::states(&wf, &f.subject, done.get(&f.subject.id).unwrap_or(&empty), ctx.now);
        if plan::finished(&states) {
            finished += 1;
        }
        waiting += states.iter().filter(|s| matches!(s, plan::State::Waiting { .. })).count();
        next = next.into_iter().chain(plan::next_pending(&states, ctx.now)).min();
    }
    let summary = format!(
        "  {finished} finished, {waiting} waiting{}",
        next.map_or(String::new(), |d| format!(", next step due on {d}"))
    );
    if !failed.is_empty() {
        return Err(Error::Partial { done: format!("{summary}; the steps of the others ran"), failed });
    }
    say!("{summary}");
    Ok(0)
}

/// What the workflow's steps will need, checked before anything is
/// recorded: a run that cannot go through changes nothing.
fn preflight(ws: &Workspace, wf: &Workflow) -> Result<()> {
    let mut templates = None;
    for step in &wf.steps {
        match &step.kind {
            Kind::Issue | Kind::Report { .. } => {
                crate::app::coordination_key(ws)?;
            }
            Kind::Send { message } | Kind::Remind { message, .. } => {
                ws.mail()?;
                if templates.is_none() {
                    templates = Some(ws.mail_templates()?);
                }
                let known = templates.as_ref().map(crate::mail::Templates::origins);
                for lang in &ws.config.coordination.languages {
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
                ws.mail()?;
            }
            Kind::Await { .. } | Kind::Escalate { .. } | Kind::Letter { .. } | Kind::Mark { .. } => {}
        }
    }
    Ok(())
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
    ctx: &'a Ctx,
}

/// Runs the batch's step; returns the subjects it completed, each journaled
/// with its `step-done` event.
fn execute(ws: &mut Workspace, b: &Batch<'_>, failed: &mut Vec<Failed>) -> Result<Vec<String>> {
    let Batch { wf, i, group, done, ctx, .. } = *b;
    let step = &wf.steps[i];
    let outcomes: Vec<(String, String, Vec<Event>)> = match &step.kind {
        Kind::Issue => issue(ws, group, ctx, failed)?,
        Kind::Send { message } | Kind::Remind { message, .. } => return send(ws, b, message),
        Kind::Escalate { flag } => escalate(ws, wf, group, done, flag)?,
        Kind::Convoke { .. } => {
            let mut out = Vec::new();
            for s in group {
                super::with_quiet(|| super::replay(&ctx.dir, ctx.now, &["convoke", &s.id]))?;
                out.push((s.id.clone(), "convocations sent".to_owned(), Vec::new()));
            }
            out
        }
        Kind::Report { report, expenses, no_expenses } => {
            let mut out = Vec::new();
            for s in group {
                let outcome = match report {
                    ReportKind::Annual => {
                        super::with_quiet(|| super::replay(&ctx.dir, ctx.now, &["report", "annual", "--year", &s.id]))?;
                        format!("annual report {}", s.id)
                    }
                    ReportKind::Subsidy if ws.config.funder.kind == crate::config::FunderKind::None => {
                        "no funder in charte.toml: no subsidy report".to_owned()
                    }
                    ReportKind::Subsidy => {
                        let mut argv = vec!["report".to_owned(), "subsidy".into(), "--year".into(), s.id.clone()];
                        match subsidy_expenses(ws, wf, &step.name, expenses.as_deref(), *no_expenses) {
                            Ok(flags) => argv.extend(flags),
                            // Not a 0,00 € report sealed in silence: this
                            // year's step stays to do, the others go on.
                            Err(reason) => {
                                failed.push(Failed { item: format!("the subsidy report {}", s.id), reason });
                                continue;
                            }
                        }
                        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
                        super::with_quiet(|| super::replay(&ctx.dir, ctx.now, &argv))?;
                        format!("subsidy report {}", s.id)
                    }
                };
                out.push((s.id.clone(), outcome, Vec::new()));
            }
            out
        }
        Kind::Letter { reply_within_days } => {
            let loaded = crate::flags::Loaded::load_for(&ws.store, &ws.config, None)?;
            let facts = loaded.facts(&ws.config, ctx.now, None);
            let flags = crate::flags::evaluate(&facts);
            let engine =
                crate::render::Engine::new().map_err(|e| Error::internal(format!("starting the renderer: {e}")))?;
            // The group's flags that may be written about today (an
            // adherence flag waits for its delay: its step stays to do);
            // each of their organisations gets one letter covering all its
            // open flags that may be written about, as `flags letters`
            // writes it (the same file: never a letter with fewer flags).
            let (open_ready, _) = crate::flags::for_letters(&flags, &ws.store.flag_statuses()?, &facts);
            let due: Vec<&crate::flags::Flag> =
                group.iter().filter_map(|s| open_ready.iter().find(|f| f.key() == s.id).copied()).collect();
            let mut out = Vec::new();
            for (number, of_group) in crate::flags::by_organisation(&due) {
                let all: Vec<&crate::flags::Flag> = open_ready
                    .iter()
                    .filter(|f| f.enterprise_number.as_deref() == Some(number.as_str()))
                    .copied()
                    .collect();
                let path = crate::app::flags::letter(ws, &engine, &loaded.members, &all, *reply_within_days, ctx.now)?;
                let outcome =
                    path.map_or("no organisation to write to".into(), |p| format!("draft letter {}", p.display()));
                out.extend(of_group.iter().map(|f| (f.key(), outcome.clone(), Vec::new())));
            }
            out
        }
        Kind::Mark { status } => {
            // An adherence flag still waiting for its delay is not put to
            // the committee, whatever the workflow's steps say.
            let loaded = crate::flags::Loaded::load_for(&ws.store, &ws.config, None)?;
            let facts = loaded.facts(&ws.config, ctx.now, None);
            let flags = crate::flags::evaluate(&facts);
            group
                .iter()
                .filter(|s| flags.iter().find(|f| f.key() == s.id).is_none_or(|f| facts.may_interpellate(f)))
                .map(|s| {
                    let event = Event::FlagStatusChanged {
                        key: s.id.clone(),
                        status: status.clone(),
                        note: Some(format!("workflow {}, step {}", wf.name, step.name)),
                    };
                    (s.id.clone(), status.clone(), vec![event])
                })
                .collect()
        }
        Kind::Await { .. } => Vec::new(),
    };
    record(&mut ws.store, b, outcomes)
}

/// The expense options of a subsidy report step: `--no-expenses` when the
/// step says `no_expenses = true`, `--expenses FILE` when its file exists;
/// otherwise why the report cannot be made, in words.
fn subsidy_expenses(
    ws: &Workspace,
    wf: &Workflow,
    step: &str,
    expenses: Option<&str>,
    no_expenses: bool,
) -> std::result::Result<Vec<String>, String> {
    if no_expenses {
        return Ok(vec!["--no-expenses".into()]);
    }
    let how = format!(
        "or, to make the report without expenses, write no_expenses = true instead of expenses in the step \
         '{step}' of the workflow {} (a workflows/{}.toml in the workspace replaces the built-in one)",
        wf.name, wf.name
    );
    match expenses {
        Some(rel) => {
            let file = ws.root.join(rel);
            if file.is_file() {
                Ok(vec!["--expenses".into(), file.display().to_string()])
            } else {
                Err(format!("{rel} is not in the workspace: put the year's expense and staff lines there, {how}"))
            }
        }
        None => Err(format!("the step names no expenses file: write expenses = \"FILE.csv\" in it, {how}")),
    }
}

/// Journals each subject's `step-done`, after the events of its effect, in
/// one transaction.
fn record(
    store: &mut crate::journal::Store,
    b: &Batch<'_>,
    outcomes: Vec<(String, String, Vec<Event>)>,
) -> Result<Vec<String>> {
    let Batch { wf, i, attempt, ctx, .. } = *b;
    let step = &wf.steps[i].name;
    store.transaction(ctx.now, |tx| {
        let mut ids = Vec::new();
        for (subject, outcome, events) in outcomes {
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

/// The organisation of each subject, and the latest adherence document of
/// the current charter version of each organisation.
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

fn current_documents(ws: &Workspace) -> Result<HashMap<String, IssuedDocument>> {
    let version = &ws.config.charter.version;
    let mut out = HashMap::new();
    for d in ws.store.documents()? {
        if d.kind == DocumentKind::Adherence && &d.charter_version == version {
            out.insert(d.enterprise_number.clone(), d); // the latest wins
        }
    }
    Ok(out)
}

/// Issues the group's documents; an organisation whose document cannot be
/// made goes into `failed` and its step stays to do.
fn issue(
    ws: &mut Workspace,
    group: &[&Subject],
    ctx: &Ctx,
    failed: &mut Vec<Failed>,
) -> Result<Vec<(String, String, Vec<Event>)>> {
    let members = ws.store.members()?;
    let orgs = organisations(&members, group)?;
    let selected: Vec<&crate::roster::Member> = orgs.iter().map(|(m, _)| *m).collect();
    let outcome = crate::app::issue::issue(ws, &selected, ctx.now)?;
    failed.extend(outcome.failed);
    let documents = current_documents(ws)?;
    Ok(orgs
        .iter()
        .filter_map(|(m, id)| {
            let d = documents.get(m.organisation.enterprise_number.digits())?;
            Some((id.clone(), format!("document {}", d.document_id), Vec::new()))
        })
        .collect())
}

/// The day step `name`'s first attempt was done for a subject.
fn done_on(wf: &Workflow, done: Option<&Done>, kind: &str) -> Option<NaiveDate> {
    let i = wf.steps.iter().position(|s| s.kind.code() == kind)?;
    done?.get(&(i, 1)).copied()
}

fn send(ws: &mut Workspace, b: &Batch<'_>, template: &str) -> Result<Vec<String>> {
    let Batch { wf, i, attempt, group, done, ctx } = *b;
    let step = &wf.steps[i];
    let mail = ws.mail()?;
    let templates = ws.mail_templates()?;
    let members = ws.store.members()?;
    let orgs = organisations(&members, group)?;
    let documents = current_documents(ws)?;
    let escalation = wf.steps.iter().find(|s| matches!(s.kind, Kind::Escalate { .. })).map(|s| s.delay_days);
    let context = workflow::messages::Context {
        config: &ws.config,
        envelope: crate::governance::convoke::envelope(&mail)?,
        templates: &templates,
        template,
        date: ctx.now.and_time(chrono::Utc::now().time()).and_utc(),
    };
    let about = format!("{}/{}/{attempt}", wf.name, step.name);
    let outbox = ws.out_dir().join("outbox");
    let mut transport = crate::mail::transport_for(&mail, &outbox, crate::app::Options::from_env().smtp)
        .map_err(|e| Error::Config { file: ws.root.join("charte.toml"), message: format!("[mail]: {e}") })?;
    let bar = super::progress(orgs.len() as u64, &step.name);
    let mut completed = Vec::new();
    for chunk in orgs.chunks(BATCH) {
        let mut planned = Vec::new();
        let mut per_subject: Vec<(String, usize)> = Vec::new();
        for (m, id) in chunk {
            let d = documents.get(m.organisation.enterprise_number.digits()).ok_or_else(|| {
                Error::usage(format!(
                    "{}: no adherence document of charter {} to send (the workflow issues it first)",
                    m.organisation.name, ws.config.charter.version
                ))
            })?;
            let path = ws.root.join(&d.file);
            let pdf = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            let sent = done_on(wf, done.get(id), "send");
            let dates = workflow::messages::Dates {
                sent,
                reply_by: sent.zip(escalation).and_then(|(s, e)| s.checked_add_days(chrono::Days::new(u64::from(e)))),
            };
            let key = workflow::key(&wf.name, id, &step.name, attempt);
            let messages = workflow::messages::messages(&context, &key, &about, m, d, &pdf, dates)?;
            per_subject.push((id.clone(), messages.len()));
            planned.extend(messages);
        }
        let report = crate::delivery::deliver(
            &mut ws.store,
            ctx.now,
            transport.as_mut(),
            &planned,
            crate::app::Options::from_env().retry,
            &|| {},
        );
        let report = match report {
            Ok(r) => r,
            Err(e) => {
                bar.finish_and_clear();
                return Err(e);
            }
        };
        let bounced: HashSet<&str> = report.bounced.iter().map(|(a, _)| a.as_str()).collect();
        let mut outcomes = Vec::new();
        let mut start = 0;
        for (id, n) in per_subject {
            let addresses = &planned[start..start + n];
            start += n;
            let refused = addresses.iter().filter(|p| bounced.contains(p.address.as_str())).count();
            let outcome = if refused == 0 {
                format!("sent to {n} address{}", if n == 1 { "" } else { "es" })
            } else {
                format!("sent to {n} addresses, {refused} bounced")
            };
            outcomes.push((id, outcome, Vec::new()));
        }
        bar.inc(chunk.len() as u64);
        completed.extend(record(&mut ws.store, b, outcomes)?);
    }
    transport.close();
    bar.finish_and_clear();
    Ok(completed)
}

fn escalate(
    ws: &Workspace,
    wf: &Workflow,
    group: &[&Subject],
    done: &HashMap<String, Done>,
    flag: &str,
) -> Result<Vec<(String, String, Vec<Event>)>> {
    let version = &ws.config.charter.version;
    let remind = wf.steps.iter().position(|s| matches!(s.kind, Kind::Remind { .. }));
    // Organisations whose return came back but waits for the coordinator's
    // confirmation: the evidence says so, not that nothing came back.
    let waiting: std::collections::HashSet<String> = ws
        .store
        .returns()?
        .into_iter()
        .filter(|r| r.state == crate::collect::ReturnState::Waiting && &r.adherence.charter_version == version)
        .map(|r| r.adherence.enterprise_number)
        .collect();
    Ok(group
        .iter()
        .map(|s| {
            let returned = s.enterprise_number.as_ref().is_some_and(|n| waiting.contains(n));
            use crate::mail::{Lang, long_date};
            let d = done.get(&s.id);
            let sent = done_on(wf, d, "send");
            let mut reminded: Vec<NaiveDate> = match (remind, d) {
                (Some(r), Some(d)) => d.iter().filter(|((step, _), _)| *step == r).map(|(_, on)| *on).collect(),
                _ => Vec::new(),
            };
            reminded.sort();
            // The same facts in English, French and Dutch.
            let say = |none: &str, sent_on: &str, reminded_on: &str, date: &dyn Fn(NaiveDate) -> String| {
                let mut text = none.to_owned();
                if let Some(day) = sent {
                    text.push_str(&format!("{sent_on}{}", date(day)));
                }
                if !reminded.is_empty() {
                    let list: Vec<String> = reminded.iter().map(|r| date(*r)).collect();
                    text.push_str(&format!("{reminded_on}{}", list.join(", ")));
                }
                text
            };
            let event = Event::FlagRaised {
                rule: flag.to_owned(),
                enterprise_number: s.enterprise_number.clone().unwrap_or_default(),
                subject: s.id.clone(),
                evidence: say(
                    &if returned {
                        format!("a signed document of charter {version} came back and waits for your confirmation (charte returns)")
                    } else {
                        format!("no signed document of charter {version} came back")
                    },
                    ": sent on ",
                    ", reminded on ",
                    &|d| d.to_string(),
                ),
                evidence_fr: say(
                    &if returned {
                        format!("un document signé de la charte {version} est revenu et attend la confirmation de la coordination")
                    } else {
                        format!("aucun document signé de la charte {version} n'est revenu")
                    },
                    " : envoyé le ",
                    ", rappel le ",
                    &|d| long_date(d, Lang::Fr),
                ),
                evidence_nl: say(
                    &if returned {
                        format!("een ondertekend document van charter {version} is teruggekomen en wacht op de bevestiging van de coördinatie")
                    } else {
                        format!("geen ondertekend document van charter {version} teruggekomen")
                    },
                    ": verzonden op ",
                    ", herinnering op ",
                    &|d| long_date(d, Lang::Nl),
                ),
            };
            (s.id.clone(), format!("flag {flag} raised"), vec![event])
        })
        .collect())
}
