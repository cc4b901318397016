//! `charte election open|round|propose|object|resolve|vote|show|list`

use std::path::PathBuf;

use chrono::NaiveDate;

use super::Ctx;
use crate::error::{Error, Result};
use crate::governance::election::{self, Election, Step};
use crate::governance::vote::{self, Choice};
use crate::journal::Event;
use crate::roster::Member;
use crate::workspace::Workspace;

/// What `charte election --help` explains.
pub const LONG_ABOUT: &str = "Committee elections \"without candidates\" (élection sans candidat), held at a plenary, in this \
                  order: open the election at the plenary; record the naming round (each member present names one \
                  person and says why); record the change round (voters who change their choice after hearing the \
                  reasons); the facilitator proposes persons for the open seats among those named; record \
                  objections and how each was resolved; then the formal vote on the proposal (simple majority of \
                  the members present, the casting vote of the role named in charte.toml on a tie). The \
                  committee's rules (seats, one per institution, a working group, the mandate) are checked \
                  before the result is recorded; the elected seats then replace charte.toml's elected seats.";

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Open an election at a plenary meeting; prints its id alone on stdout.
    Open {
        /// The plenary meeting where the election takes place (its attendance says who votes).
        #[arg(long)]
        meeting: String,
        /// Seats open (default: the committee's elected_seats in charte.toml).
        #[arg(long)]
        seats: Option<u32>,
        /// The day the mandates begin, YYYY-MM-DD (default: the plenary's date).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
    },
    /// Record a round: columns voter (enterprise number or name of a member present),
    /// person, person_organisation (enterprise number or name), reason (required in the
    /// naming round). All lines are checked first; one bad line and nothing is recorded.
    Round {
        /// The election's id, e.g. election-2026-10-13 (see `charte election list`).
        election: String,
        /// The choices, one line per voter.
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
        /// The change round: the voters who change their choice after hearing the reasons.
        #[arg(long)]
        change: bool,
    },
    /// The facilitator's proposal for the open seats, among the persons named;
    /// proposing again amends the proposal.
    Propose {
        /// The election's id, e.g. election-2026-10-13 (see `charte election list`).
        election: String,
        /// A proposed person: NAME=ORGANISATION (enterprise number or name); once per person.
        #[arg(long = "person", value_name = "NAME=ORGANISATION", required = true)]
        persons: Vec<String>,
    },
    /// Record an objection to a proposed person; prints its number.
    Object {
        /// The election's id, e.g. election-2026-10-13 (see `charte election list`).
        election: String,
        /// The objecting organisation (a member present).
        #[arg(long)]
        by: String,
        /// The proposed person objected to.
        #[arg(long)]
        against: String,
        #[arg(long)]
        reason: String,
    },
    /// Record how an objection was resolved (every objection is resolved before the vote).
    Resolve {
        /// The election's id, e.g. election-2026-10-13 (see `charte election list`).
        election: String,
        /// The objection's number (see `charte election show`).
        objection: usize,
        /// How it was resolved: withdrawn, answered, proposal amended…
        #[arg(long)]
        how: String,
    },
    /// The formal vote on the proposal: counts (--for/--against/--abstain) or a ballots file;
    /// records the elected seats when adopted.
    Vote {
        /// The election's id, e.g. election-2026-10-13 (see `charte election list`).
        election: String,
        #[arg(long = "for", value_name = "N", requires = "no", conflicts_with = "ballots")]
        yes: Option<usize>,
        #[arg(long = "against", value_name = "N", requires = "yes")]
        no: Option<usize>,
        #[arg(long = "abstain", value_name = "N", requires = "yes", default_value_t = 0)]
        abstain: usize,
        /// On a tie with counts: how the holder of the casting vote voted (yes or no).
        #[arg(long, value_name = "yes|no")]
        casting_vote: Option<String>,
        /// Ballots: enterprise_number (or name), vote (yes, no, abstain), person.
        #[arg(long, value_name = "FILE.csv", required_unless_present = "yes")]
        ballots: Option<PathBuf>,
    },
    /// An election round by round: choices and reasons, tally, proposal, objections, vote, seats.
    Show {
        /// The election's id, e.g. election-2026-10-13 (see `charte election list`).
        election: String,
    },
    /// Every election, with its stage.
    List,
}

pub fn run(cmd: Command, ctx: &Ctx) -> Result<u8> {
    let mut ws = if matches!(cmd, Command::Show { .. } | Command::List) { ctx.workspace()? } else { ctx.writer()? };
    match cmd {
        Command::Open { meeting, seats, since } => {
            let since = since.map(|s| super::parse_date("--since", &s)).transpose()?;
            open(&mut ws, ctx, &meeting, seats, since)
        }
        Command::Round { election, file, change } => {
            let e = load(&ws, &election)?;
            let step = Step::Round { change, namings: vec![] };
            e.admit(&step).map_err(Error::Usage)?;
            let attendance = held(&ws, ctx, &e)?;
            let members = ws.store.members()?;
            let table = crate::tabular::read(&file, 16 * 1024 * 1024, "a round of choices")?;
            let standing = ws.standing(e.date)?;
            let namings = election::parse_round(&table, &e, &members, &attendance, &standing, change)
                .map_err(|problems| Error::Input { file: file.clone(), problems })?;
            let n = namings.len();
            record(&mut ws, ctx, &e.id, Step::Round { change, namings })?;
            let e = load(&ws, &election)?;
            say!("{}: {n} choices recorded in the {} round", e.id, if change { "change" } else { "naming" });
            for (nominee, count) in e.tally() {
                say!("  {count:>3}  {} ({})", nominee.person, org_name(&members, &nominee.enterprise_number));
            }
            Ok(0)
        }
        Command::Propose { election, persons } => {
            let e = load(&ws, &election)?;
            e.admit(&Step::Proposed { nominees: vec![] }).map_err(Error::Usage)?;
            let members = ws.store.members()?;
            let nominees = persons
                .iter()
                .map(|p| election::parse_nominee(p, &members))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(Error::Usage)?;
            let standing = ws.standing(e.date)?;
            refuse(election::check_proposal(&ws.config, &members, &standing, &e, &nominees), &e.id)?;
            let n = nominees.len();
            record(&mut ws, ctx, &e.id, Step::Proposed { nominees })?;
            say!("{}: {n} persons proposed for {} seats", e.id, e.seats);
            Ok(0)
        }
        Command::Object { election, by, against, reason } => {
            let e = load(&ws, &election)?;
            let against = against.split_whitespace().collect::<Vec<_>>().join(" ");
            let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
            let members = ws.store.members()?;
            let attendance = held(&ws, ctx, &e)?;
            let standing = ws.standing(e.date)?;
            let by = election::present_voter(&members, &attendance, &standing, &by)
                .map_err(|m| Error::usage(format!("--by: {m}")))?
                .organisation
                .enterprise_number
                .clone();
            if reason.is_empty() {
                return Err(Error::usage("--reason: say why"));
            }
            let step = Step::Objected { by, against, reason };
            e.admit(&step).map_err(Error::Usage)?;
            record(&mut ws, ctx, &e.id, step)?;
            say!("{}", e.objections.len() + 1);
            Ok(0)
        }
        Command::Resolve { election, objection, how } => {
            let e = load(&ws, &election)?;
            let how = how.split_whitespace().collect::<Vec<_>>().join(" ");
            if how.is_empty() {
                return Err(Error::usage("--how: say how the objection was resolved"));
            }
            let step = Step::Resolved { objection, how };
            e.admit(&step).map_err(Error::Usage)?;
            record(&mut ws, ctx, &e.id, step)?;
            say!("{}: objection {objection} resolved", e.id);
            Ok(0)
        }
        Command::Vote { election, yes, no, abstain, casting_vote, ballots } => {
            let e = load(&ws, &election)?;
            let probe = Step::Voted { ballots: vec![], outcome: empty_outcome(), elected: vec![] };
            e.admit(&probe).map_err(Error::Usage)?;
            let attendance = held(&ws, ctx, &e)?;
            let members = ws.store.members()?;
            let standing = ws.standing(e.date)?;
            refuse(election::check_proposal(&ws.config, &members, &standing, &e, &e.proposal), &e.id)?;
            let body = crate::governance::body(&ws.config, "plenary").map_err(Error::Usage)?;
            let present = vote::present_voters(&ws.config, &body, &members, &attendance, &standing);
            let (ballots, outcome) = match (ballots, yes, no) {
                (Some(file), _, _) => {
                    let table = crate::tabular::read(&file, 16 * 1024 * 1024, "a ballot list")?;
                    let ballots = vote::parse_ballots(&table, &ws.config, &body, &members, &attendance, &standing)
                        .map_err(|problems| Error::Input { file: file.clone(), problems })?;
                    let outcome = vote::count(&ws.config, &body, &ballots, present);
                    (ballots, outcome)
                }
                (None, Some(yes), Some(no)) => {
                    let counted = [yes, no, abstain];
                    election::check_counts(counted, present).map_err(Error::Usage)?;
                    let seat = vote::casting_seat(&ws.config, &body);
                    let casting = match (casting_vote, seat) {
                        (Some(c), Some(seat)) => Some((seat, c.parse::<Choice>().map_err(Error::Usage)?)),
                        (Some(_), None) => {
                            return Err(Error::usage(
                                "--casting-vote: charte.toml names no casting vote for the plenary",
                            ));
                        }
                        (None, Some(seat)) if yes == no => {
                            return Err(Error::usage(format!(
                                "a tie ({yes} for, {no} against): say how {} voted with --casting-vote yes|no",
                                seat.person
                            )));
                        }
                        (None, _) => None,
                    };
                    (vec![], vote::decide(&body, counted, present, casting))
                }
                _ => {
                    return Err(Error::usage(
                        "give the counts (--for N --against N [--abstain N]) or --ballots FILE.csv",
                    ));
                }
            };
            let elected = if outcome.adopted { election::seats(&ws.config, &e.proposal, e.since) } else { Vec::new() };
            record(&mut ws, ctx, &e.id, Step::Voted { ballots, outcome: outcome.clone(), elected: elected.clone() })?;
            if ctx.json {
                return super::print_json(&serde_json::json!({ "outcome": outcome, "elected": elected })).map(|_| 0);
            }
            say!(
                "{}: proposal {} ({} for, {} against, {} abstentions; {} members present){}",
                e.id,
                if outcome.adopted { "adopted" } else { "rejected: propose again, then vote" },
                outcome.yes,
                outcome.no,
                outcome.abstain,
                outcome.present_voters,
                outcome.casting_vote.as_deref().map(|c| format!("; tie broken by {c}")).unwrap_or_default()
            );
            for s in &elected {
                say!(
                    "  elected: {} ({}), {} – {}",
                    s.person,
                    org_name(&members, &s.enterprise_number),
                    s.since,
                    s.until.map(|u| u.to_string()).unwrap_or_default()
                );
            }
            Ok(0)
        }
        Command::Show { election } => {
            let e = load(&ws, &election)?;
            let members = ws.store.members()?;
            show(&e, &members, ctx)
        }
        Command::List => {
            let mut all = Vec::new();
            for id in ws.store.elections()? {
                all.push(load(&ws, &id)?);
            }
            if ctx.json {
                let list: Vec<_> = all
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "id": e.id, "meeting": e.meeting, "date": e.date, "seats": e.seats,
                            "stage": e.stage_name(), "elected": e.elected.len(),
                        })
                    })
                    .collect();
                return super::print_json(&list).map(|_| 0);
            }
            if all.is_empty() {
                say!("no election yet (charte election open --meeting MEETING)");
            }
            for e in &all {
                say!("{}  {}  {} seats  {}", e.id, e.meeting, e.seats, e.stage_name());
            }
            Ok(0)
        }
    }
}

fn open(ws: &mut Workspace, ctx: &Ctx, meeting: &str, seats: Option<u32>, since: Option<NaiveDate>) -> Result<u8> {
    let meetings = ws.store.meetings()?;
    let crate::governance::meeting::MeetingRecord { meeting: m, cancelled } = meetings
        .iter()
        .find(|r| r.meeting.id == meeting)
        .ok_or_else(|| Error::not_found(format!("--meeting: no meeting '{meeting}' (see `charte meeting list`)")))?;
    if m.body != "plenary" {
        return Err(Error::usage(format!(
            "--meeting: {} is a meeting of the {}; the committee is elected by the plenary",
            m.id, m.body
        )));
    }
    if let Some(reason) = cancelled {
        return Err(Error::usage(format!("--meeting: {} was cancelled ({reason})", m.id)));
    }
    let rules = &ws.config.bodies.committee;
    let seats = seats.unwrap_or(rules.elected_seats);
    if seats == 0 || (rules.elected_seats > 0 && seats > rules.elected_seats) {
        return Err(Error::usage(format!(
            "--seats: {seats}; the committee has {} elected seats (charte.toml, bodies.committee.elected_seats)",
            rules.elected_seats
        )));
    }
    let since = since.unwrap_or(m.date);
    if since < m.date {
        return Err(Error::usage(format!("--since: {since} is before the plenary ({}) that elects", m.date)));
    }
    let id = election::new_id(m.date, &ws.store.elections()?);
    record(ws, ctx, &id, Step::Opened { meeting: m.id.clone(), date: m.date, seats, since })?;
    say!("{id}");
    Ok(0)
}

fn load(ws: &Workspace, id: &str) -> Result<Election> {
    let steps = ws
        .store
        .election_steps(id)?
        .ok_or_else(|| Error::not_found(format!("no election '{id}' (see `charte election list`)")))?;
    Election::replay(id, &steps).map_err(Error::Usage)
}

/// The attendance of the election's plenary, which must have taken place.
fn held(ws: &Workspace, ctx: &Ctx, e: &Election) -> Result<Vec<crate::governance::attendance::Attendance>> {
    if e.date > ctx.now {
        return Err(Error::usage(format!("election {}: its plenary ({}) has not taken place yet", e.id, e.date)));
    }
    let attendance: Vec<_> = ws.store.attendance_at(&e.meeting)?;
    if attendance.is_empty() {
        return Err(Error::usage(format!(
            "election {}: no attendance is recorded for {}; those present vote (charte attendance import)",
            e.id, e.meeting
        )));
    }
    Ok(attendance)
}

fn record(ws: &mut Workspace, ctx: &Ctx, id: &str, step: Step) -> Result<()> {
    ws.store
        .transaction(ctx.now, |tx| tx.append(&Event::ElectionRecorded { election: id.to_owned(), step }).map(|_| ()))
}

fn refuse(problems: Vec<String>, id: &str) -> Result<()> {
    if problems.is_empty() {
        return Ok(());
    }
    Err(Error::usage(format!(
        "election {id}: the proposal breaks the committee's rules, nothing was recorded:\n  {}",
        problems.join("\n  ")
    )))
}

fn empty_outcome() -> vote::Outcome {
    vote::Outcome { yes: 0, no: 0, abstain: 0, present_voters: 0, adopted: false, casting_vote: None }
}

fn org_name(members: &[Member], n: &crate::roster::EnterpriseNumber) -> String {
    members
        .iter()
        .find(|m| &m.organisation.enterprise_number == n)
        .map_or_else(|| n.formatted(), |m| m.organisation.name.clone())
}

fn show(e: &Election, members: &[Member], ctx: &Ctx) -> Result<u8> {
    let naming = |n: &election::Naming| {
        serde_json::json!({
            "voter": n.voter, "voter_name": org_name(members, &n.voter), "person": n.nominee.person,
            "enterprise_number": n.nominee.enterprise_number,
            "organisation": org_name(members, &n.nominee.enterprise_number), "reason": n.reason,
        })
    };
    if ctx.json {
        let value = serde_json::json!({
            "id": e.id, "meeting": e.meeting, "date": e.date, "seats": e.seats, "stage": e.stage_name(),
            "first_round": e.first_round.iter().map(naming).collect::<Vec<_>>(),
            "change_round": e.change_round.iter().map(naming).collect::<Vec<_>>(),
            "tally": e.tally().iter().map(|(n, c)| serde_json::json!({
                "person": n.person, "enterprise_number": n.enterprise_number, "named": c,
            })).collect::<Vec<_>>(),
            "proposal": e.proposal, "objections": e.objections, "votes": e.votes, "elected": e.elected,
        });
        return super::print_json(&value).map(|_| 0);
    }
    say!("{}: {} seats, at {} ({}) — {}", e.id, e.seats, e.meeting, e.date, e.stage_name());
    for (title, round) in [("naming round", &e.first_round), ("change round", &e.change_round)] {
        if !round.is_empty() {
            say!("{title}:");
        }
        for n in round {
            say!(
                "  {} names {} ({}){}",
                org_name(members, &n.voter),
                n.nominee.person,
                org_name(members, &n.nominee.enterprise_number),
                if n.reason.is_empty() { String::new() } else { format!(": {}", n.reason) }
            );
        }
    }
    if !e.first_round.is_empty() {
        say!("tally:");
        for (n, c) in e.tally() {
            say!("  {c:>3}  {} ({})", n.person, org_name(members, &n.enterprise_number));
        }
    }
    if !e.proposal.is_empty() {
        let names: Vec<String> = e.proposal.iter().map(|n| n.person.clone()).collect();
        say!("proposal: {}", names.join(", "));
    }
    for o in &e.objections {
        say!(
            "objection {} by {} against {}: {} — {}",
            o.number,
            org_name(members, &o.by),
            o.against,
            o.reason,
            o.resolution.as_deref().map_or_else(|| "open".to_owned(), |r| format!("resolved: {r}"))
        );
    }
    for v in &e.votes {
        say!(
            "vote: {} for, {} against, {} abstentions, {} present: {}",
            v.yes,
            v.no,
            v.abstain,
            v.present_voters,
            if v.adopted { "adopted" } else { "rejected" }
        );
    }
    for s in &e.elected {
        let until = s.until.map(|u| u.to_string()).unwrap_or_default();
        say!("elected: {} ({}), {} – {until}", s.person, org_name(members, &s.enterprise_number), s.since);
    }
    Ok(0)
}
