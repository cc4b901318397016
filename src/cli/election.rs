//! `charte election open|round|propose|object|resolve|vote|show|list`:
//! the options read, what crate::app::election did printed.

use std::path::PathBuf;

use super::Ctx;
use crate::app::TableFile;
use crate::app::election::{Choices, Count, MAX_BYTES, Names, Shown};
use crate::error::{Error, Result};
use crate::governance::election::{self, ElectedSeat};
use crate::governance::vote::Choice;

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
        /// Why the objecting organisation objects, in its words.
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
        /// Counted by hand: the members present who vote for the proposal (with --against).
        #[arg(long = "for", value_name = "N", requires = "no", conflicts_with = "ballots")]
        yes: Option<usize>,
        /// Counted by hand: the members present who vote against the proposal (with --for).
        #[arg(long = "against", value_name = "N", requires = "yes")]
        no: Option<usize>,
        /// Counted by hand: the members present who abstain.
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
    match cmd {
        Command::Open { meeting, seats, since } => {
            let mut app = ctx.app_writer()?;
            let since = since.map(|s| super::parse_date("--since", &s)).transpose()?;
            let opened = app.open_election(&meeting, seats, since)?;
            say!("{}", opened.election);
        }
        Command::Round { election, file, change } => {
            let mut app = ctx.app_writer()?;
            let choices = Choices::File(TableFile::read(&file, MAX_BYTES, "a round of choices")?);
            let done = app.election_round(&election, &choices, change)?;
            say!(
                "{}: {} choices recorded in the {} round",
                done.election,
                done.recorded,
                if done.change { "change" } else { "naming" }
            );
            for (nominee, count) in &done.tally {
                say!("  {count:>3}  {} ({})", nominee.person, done.names.get(&nominee.enterprise_number));
            }
        }
        Command::Propose { election, persons } => {
            let done = ctx.app_writer()?.propose(&election, &persons)?;
            say!("{election}: {} persons proposed for {} seats", done.persons, done.seats);
        }
        Command::Object { election, by, against, reason } => {
            let number = ctx.app_writer()?.object(&election, &by, &against, &reason)?;
            say!("{number}");
        }
        Command::Resolve { election, objection, how } => {
            ctx.app_writer()?.resolve_objection(&election, objection, &how)?;
            say!("{election}: objection {objection} resolved");
        }
        Command::Vote { election, yes, no, abstain, casting_vote, ballots } => {
            let mut app = ctx.app_writer()?;
            let count = match (ballots, yes, no) {
                (Some(file), _, _) => Count::Ballots(TableFile::read(&file, MAX_BYTES, "a ballot list")?),
                (None, Some(yes), Some(no)) => {
                    let casting_vote = casting_vote.map(|c| c.parse::<Choice>()).transpose().map_err(Error::Usage)?;
                    Count::Hands { yes, no, abstain, casting_vote }
                }
                _ => {
                    return Err(Error::usage(
                        "give the counts (--for N --against N [--abstain N]) or --ballots FILE.csv",
                    ));
                }
            };
            let done = app.election_vote(&election, &count)?;
            if ctx.json {
                return super::print_json(&serde_json::json!({ "outcome": done.outcome, "elected": done.elected }))
                    .map(|_| 0);
            }
            say!("{}", super::vote::told(&done.election, &done.outcome, &super::vote::PROPOSAL));
            for s in &done.elected {
                say!("  {}", elected(s, &done.names));
            }
        }
        Command::Show { election } => return show(&ctx.app()?.election(&election)?, ctx),
        Command::List => return list(ctx),
    }
    Ok(0)
}

/// Every election, with its stage.
pub(super) fn list(ctx: &Ctx) -> Result<u8> {
    let all = ctx.app()?.elections()?;
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

/// An elected seat in words: `elected: NAME (ORGANISATION), SINCE – UNTIL`.
fn elected(s: &ElectedSeat, names: &Names) -> String {
    let until = s.until.map(|u| u.to_string()).unwrap_or_default();
    format!("elected: {} ({}), {} – {until}", s.person, names.get(&s.enterprise_number), s.since)
}

fn show(shown: &Shown, ctx: &Ctx) -> Result<u8> {
    let Shown { election: e, names } = shown;
    let naming = |n: &election::Naming| {
        serde_json::json!({
            "voter": n.voter, "voter_name": names.get(&n.voter), "person": n.nominee.person,
            "enterprise_number": n.nominee.enterprise_number,
            "organisation": names.get(&n.nominee.enterprise_number), "reason": n.reason,
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
                names.get(&n.voter),
                n.nominee.person,
                names.get(&n.nominee.enterprise_number),
                if n.reason.is_empty() { String::new() } else { format!(": {}", n.reason) }
            );
        }
    }
    if !e.first_round.is_empty() {
        say!("tally:");
        for (n, c) in e.tally() {
            say!("  {c:>3}  {} ({})", n.person, names.get(&n.enterprise_number));
        }
    }
    if !e.proposal.is_empty() {
        let persons: Vec<String> = e.proposal.iter().map(|n| n.person.clone()).collect();
        say!("proposal: {}", persons.join(", "));
    }
    for o in &e.objections {
        say!(
            "objection {} by {} against {}: {} — {}",
            o.number,
            names.get(&o.by),
            o.against,
            o.reason,
            o.resolution.as_deref().map_or_else(|| "open".to_owned(), |r| format!("resolved: {r}"))
        );
    }
    let history = super::vote::Words { rejected: "rejected", ..super::vote::PROPOSAL };
    for v in &e.votes {
        say!("{}", super::vote::told("vote", v, &history));
    }
    for s in &e.elected {
        say!("{}", elected(s, names));
    }
    Ok(0)
}
