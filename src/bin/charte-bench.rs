//! charte-bench: generates the large inputs the benchmarks need (BENCHMARKS.md)
//! and times what cannot be timed from outside. Not part of the test suite.
//!
//!   charte-bench roster N            a valid N-organisation roster CSV on stdout
//!   charte-bench journal N --dir WS  appends N events to WS's journal, in batches
//!   charte-bench sign-all WS OUT  for every adherence document of WS: a key
//!       made and registered for its organisation, and the document signed
//!       with it into OUT/ (what 10,000 organisations would send back)
//!   charte-bench federation WS  a new workspace WS holding a federation-sized
//!       journal: 10,000 organisations, 50 working groups of 200, ten years
//!       (2017-2026) of meetings and 1,000,000 attendance lines, most members'
//!       signatures of the current charter; written through the store, in
//!       transactions of 50,000 events
//!   charte-bench typst-inputs WS OUT N  writes, for N organisations of WS, a
//!       folder OUT/<i>/ with main.typ (the adherence template) and data.json:
//!       the same inputs `charte issue` renders, for the typst command line
//!   charte-bench audit WS  `charte audit`'s parts timed one by one (issue
//!       16): the whole audit as the command runs it; the chain walk with the
//!       tree recomputed and compared and the roots at the checkpoints'
//!       sizes; the tree's hashing alone (the same number of leaves pushed in
//!       memory); reading and checking the checkpoints' signatures; the
//!       replay and comparison of the derived tables
//!   charte-bench consistency WS OLD NEW  the consistency proof between the
//!       journal's trees of OLD and NEW entries: the time to make it from the
//!       store, its size in bytes, the time to verify it

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use charte::journal::{Event, Store};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["roster", n] => n.parse().map_err(|e| format!("N: {e}")).and_then(roster),
        ["journal", n, "--dir", dir] => n.parse().map_err(|e| format!("N: {e}")).and_then(|n| journal(n, dir.into())),
        ["sign-all", ws, out] => sign_all(ws.into(), out.into()),
        ["federation", ws] => federation(ws.into()),
        ["audit", ws] => audit(ws.into()),
        ["glance", ws, now] => now.parse().map_err(|e| format!("DATE: {e}")).and_then(|now| glance(ws.into(), now)),
        ["consistency", ws, old, new] => match (old.parse(), new.parse()) {
            (Ok(old), Ok(new)) => consistency(ws.into(), old, new),
            _ => Err("OLD and NEW are tree sizes".into()),
        },
        ["typst-inputs", ws, out, n] => {
            n.parse().map_err(|e| format!("N: {e}")).and_then(|n| typst_inputs(ws.into(), out.into(), n))
        }
        _ => Err(
            "usage: charte-bench roster N | journal N --dir WS | sign-all WS OUT | federation WS | typst-inputs WS OUTDIR N | audit WS | glance WS DATE | consistency WS OLD NEW"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The seconds `f` took, and what it returned.
fn timed<T>(f: impl FnOnce() -> Result<T, String>) -> Result<(f64, T), String> {
    let start = Instant::now();
    let out = f()?;
    Ok((start.elapsed().as_secs_f64(), out))
}

/// The desk's year at a glance on `ws` as of `now`, timed in its parts
/// (opening the workspace, the figures, the stamp that keeps them), three
/// times: what a page view costs the server besides rendering.
fn glance(ws: PathBuf, now: chrono::NaiveDate) -> Result<(), String> {
    for _ in 0..3 {
        let (open, app) = timed(|| charte::app::App::open(&ws, now).map_err(|e| e.to_string()))?;
        let (figures, g) = timed(|| app.glance().map_err(|e| e.to_string()))?;
        let (stamp, _) = timed(|| app.glance_stamp().map_err(|e| e.to_string()))?;
        println!(
            "open {:.1} ms, glance {:.1} ms ({} organisations, {} deadlines, {} rules flagged), stamp {:.2} ms",
            open * 1e3,
            figures * 1e3,
            g.organisations.len(),
            g.deadlines.len(),
            g.flags.len(),
            stamp * 1e3
        );
    }
    Ok(())
}

/// `charte audit`'s parts, timed one by one on the workspace `ws`.
fn audit(ws: PathBuf) -> Result<(), String> {
    use charte::journal::checkpoint;
    use charte::journal::merkle::Frontier;
    use charte::journal::store::Audit;
    let s = |e: charte::Error| e.to_string();
    let today = chrono::NaiveDate::from_ymd_opt(2099, 12, 31).ok_or("date")?;
    let app = charte::app::App::open(&ws, today).map_err(s)?;
    let (total, report) = timed(|| app.audit(&[]).map_err(s))?;
    let entries = match &report.audit {
        Audit::Intact { entries, .. } => *entries as u64,
        other => return Err(format!("the audit did not pass: {other:?}")),
    };
    println!("whole audit (chain, tree, {} checkpoints, tables): {total:.2} s", report.checkpoints);
    // The checkpoints: each file read and its signature checked.
    let mut files: Vec<PathBuf> = std::fs::read_dir(ws.join("out/checkpoints"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    let (signed, sizes) = timed(|| {
        let mut sizes = std::collections::BTreeSet::new();
        for f in &files {
            let bytes = std::fs::read(f).map_err(|e| e.to_string())?;
            let c = checkpoint::read(&bytes).map_err(|e| format!("{}: {e}", f.display()))?;
            sizes.insert(c.statement.tree_size);
        }
        Ok(sizes)
    })?;
    println!("  checkpoints: {} files read and their signatures checked: {:.4} s", files.len(), signed);
    // The chain walk with the tree: the audit stopped before the tables
    // (its checkpoint judge says stop once it has the roots).
    let store = &app.ws.store;
    let (walk, _) = timed(|| store.audit(&sizes, |_, _| Some(String::new())).map_err(s))?;
    println!("  chain + tree recomputed and compared + roots at {} sizes: {walk:.2} s", sizes.len());
    // The tree's own hashing: as many leaves pushed in memory.
    let (tree, root) = timed(|| {
        let mut f = Frontier::default();
        let mut leaf = [0u8; 32];
        for i in 0..entries {
            leaf[..8].copy_from_slice(&i.to_le_bytes());
            f.push(&leaf);
        }
        Ok(f.root())
    })?;
    println!(
        "    of which the tree's hashing ({entries} leaves, in memory): {tree:.2} s (root {})",
        &hex::encode(root)[..8]
    );
    let (tables, (n, diff)) = timed(|| store.check_projections().map_err(s))?;
    println!(
        "  derived tables replayed and compared ({n} tables{}): {tables:.2} s",
        if diff.is_some() { ", DIFFER" } else { "" }
    );
    Ok(())
}

/// The consistency proof between the trees of `old` and `new` entries of
/// `ws`'s journal: made, measured, verified.
fn consistency(ws: PathBuf, old: u64, new: u64) -> Result<(), String> {
    use charte::journal::merkle;
    let s = |e: charte::Error| e.to_string();
    let store = Store::open(&ws.join("charte.db"), charte::journal::Clock::new(true)).map_err(s)?;
    let (heads, (a, b)) = timed(|| Ok((store.tree_head_at(old).map_err(s)?, store.tree_head_at(new).map_err(s)?)))?;
    let (made, proof) = timed(|| store.consistency_proof(old, new).map_err(s))?;
    let rounds = 10_000;
    let (verify, ok) = timed(|| {
        let mut ok = true;
        for _ in 0..rounds {
            ok &= merkle::verify_consistency(old, new, &a.root, &b.root, &proof);
        }
        Ok(ok)
    })?;
    if !ok {
        return Err("the proof does not verify".into());
    }
    println!(
        "consistency {old} -> {new}: {} hashes, {} bytes; both roots read in {:.1} ms, the proof made in {:.1} ms, verified in {:.1} µs",
        proof.len(),
        proof.len() * 32,
        heads * 1e3,
        made * 1e3,
        verify / f64::from(rounds) * 1e6
    );
    Ok(())
}

/// The i-th valid enterprise number: 8 digits of body, then 97 - body mod 97.
pub fn enterprise_number(i: u64) -> String {
    let body = 2_000_000 + i * 7;
    let check = 97 - body % 97;
    let d = format!("{body:08}{check:02}");
    format!("{}.{}.{}", &d[0..4], &d[4..7], &d[7..10])
}

fn roster(n: u64) -> Result<(), String> {
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let sectors = ["logement", "santé", "emploi", "jeunesse", "aide alimentaire", "migration", "seniors"];
    let mut w = || -> std::io::Result<()> {
        writeln!(
            out,
            "name,enterprise_number,email,language,status,representative,representative_email,address,sectors"
        )?;
        for i in 0..n {
            let lang = if i % 3 == 0 { "nl" } else { "fr" };
            let status = if i % 4 == 0 { "participant" } else { "member" };
            writeln!(
                out,
                "\"Association n° {i}\",{},contact{i}@org{i}.example.be,{lang},{status},Personne {i},rep{i}@org{i}.example.be,\"Rue de l'Exemple {}, 1000 Bruxelles\",{}|{}",
                enterprise_number(i),
                i % 200 + 1,
                sectors[i as usize % sectors.len()],
                sectors[(i as usize + 3) % sectors.len()]
            )?;
        }
        out.flush()
    };
    w().map_err(|e| e.to_string())
}

fn journal(n: u64, dir: PathBuf) -> Result<(), String> {
    let mut store =
        Store::open(&dir.join("charte.db"), charte::journal::Clock::new(true)).map_err(|e| e.to_string())?;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("date")?;
    let start = Instant::now();
    let batch = 10_000;
    let mut done = 0;
    while done < n {
        let k = batch.min(n - done);
        store
            .transaction(day, |tx| {
                for i in 0..k {
                    tx.append(&Event::Note { text: format!("benchmark event {}", done + i) })?;
                }
                Ok(())
            })
            .map_err(|e| e.to_string())?;
        done += k;
    }
    let secs = start.elapsed().as_secs_f64();
    println!("appended {n} events in {secs:.2} s ({:.0} events/s, transactions of {batch})", n as f64 / secs);
    Ok(())
}

fn typst_inputs(ws: PathBuf, out: PathBuf, n: usize) -> Result<(), String> {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).ok_or("date")?;
    let workspace = charte::workspace::Workspace::open(&ws, day).map_err(|e| e.to_string())?;
    let members = workspace.store.members().map_err(|e| e.to_string())?;
    let selected: Vec<&charte::roster::Member> = members.iter().take(n).collect();
    let template = charte::render::load_template(Some(&workspace.templates_dir()), charte::render::ADHERENCE_TEMPLATE)
        .map_err(|e| e.to_string())?;
    let plan = charte::adherence::plan(&workspace.config, &workspace.root, &selected, &[], &template)
        .map_err(|e| e.to_string())?;
    for (i, job) in plan.jobs.iter().enumerate() {
        let dir = out.join(format!("{i:05}"));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("main.typ"), &template).map_err(|e| e.to_string())?;
        let data = plan.data.data(&job.member, &job.document_id, day);
        std::fs::write(dir.join("data.json"), serde_json::to_vec(&data).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    }
    println!("{} inputs in {}", plan.jobs.len(), out.display());
    Ok(())
}

fn sign_all(ws: PathBuf, out: PathBuf) -> Result<(), String> {
    use base64::Engine as _;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 20).ok_or("date")?;
    let mut workspace = charte::workspace::Workspace::open(&ws, day).map_err(|e| e.to_string())?;
    let documents = workspace.store.documents().map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let mut events = Vec::new();
    for d in documents.iter().filter(|d| d.kind == charte::documents::DocumentKind::Adherence) {
        let key = charte::seal::generate().map_err(|e| e.to_string())?;
        let public_key = base64::engine::general_purpose::STANDARD.encode(key.verifying_key().as_bytes());
        events.push(Event::KeyRegistered {
            enterprise_number: d.enterprise_number.clone(),
            public_key,
            fingerprint: charte::seal::fingerprint(&key.verifying_key()),
        });
        let sealed = std::fs::read(ws.join(&d.file)).map_err(|e| e.to_string())?;
        let (signed, _) = charte::collect::signature::sign(&sealed, &d.document_id, &key, day)?;
        std::fs::write(out.join(format!("{}.pdf", d.enterprise_number)), signed).map_err(|e| e.to_string())?;
    }
    workspace
        .store
        .transaction(day, |tx| {
            for e in &events {
                tx.append(e)?;
            }
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    println!("{} documents signed into {}", events.len(), out.display());
    Ok(())
}

const FEDERATION_ORGS: u64 = 10_000;
const FEDERATION_GROUPS: u64 = 50;
const FEDERATION_GROUP_SIZE: u64 = 200;
const FEDERATION_YEARS: std::ops::RangeInclusive<i32> = 2017..=2026;

/// A cheap, deterministic mix (splitmix64) for the realistic spread of
/// statuses and presences.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Appends events in transactions of 50,000, each dated by its own day.
struct Batcher<'a> {
    store: &'a mut Store,
    day: chrono::NaiveDate,
    pending: Vec<Event>,
    written: u64,
}

impl Batcher<'_> {
    fn push(&mut self, day: chrono::NaiveDate, event: Event) -> Result<(), String> {
        if day != self.day || self.pending.len() >= 50_000 {
            self.flush()?;
            self.day = day;
        }
        self.pending.push(event);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), String> {
        let events = std::mem::take(&mut self.pending);
        self.written += events.len() as u64;
        self.store
            .transaction(self.day, |tx| {
                for e in &events {
                    tx.append(e)?;
                }
                Ok(())
            })
            .map_err(|e| e.to_string())
    }
}

fn federation(ws: PathBuf) -> Result<(), String> {
    use charte::governance::attendance::{Attendance, Presence};
    use charte::governance::meeting::Meeting;
    use charte::roster::{EnterpriseNumber, Language, Organisation, Status};
    let start = Instant::now();
    let date = |y: i32, m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(y, m, d).ok_or("date");
    let first = date(*FEDERATION_YEARS.start(), 1, 1)?;
    charte::workspace::init(&ws, first, true, &[charte::roster::Language::Fr]).map_err(|e| e.to_string())?;
    // Each organisation's number, parsed once (the attendance lines reuse them).
    let numbers: Vec<EnterpriseNumber> =
        (0..FEDERATION_ORGS).map(|i| EnterpriseNumber::parse(&enterprise_number(i))).collect::<Result<_, _>>()?;
    let number = |i: u64| -> Result<EnterpriseNumber, String> {
        numbers.get(i as usize).cloned().ok_or_else(|| format!("no organisation {i}"))
    };
    // Working groups of 200 organisations each, overlapping (an organisation sits in one or two).
    let mut toml = charte::workspace::config_text(true, &[Language::Fr]);
    for g in 0..FEDERATION_GROUPS {
        toml.push_str(&format!(
            "\n[working_groups.gt{g:02}]\nname_fr = \"Groupe {g}\"\nname_nl = \"Werkgroep {g}\"\nmin_meetings_per_year = 6\nnotice_clear_days = 5\nmembers = [\n"
        ));
        for k in 0..FEDERATION_GROUP_SIZE {
            toml.push_str(&format!("    \"{}\",\n", enterprise_number(group_member(g, k))));
        }
        toml.push_str("]\n");
    }
    std::fs::write(ws.join("charte.toml"), toml).map_err(|e| e.to_string())?;
    let config = charte::config::Config::load(&ws.join("charte.toml")).map_err(|e| e.to_string())?;
    let mut store = Store::open(&ws.join("charte.db"), charte::journal::Clock::new(true)).map_err(|e| e.to_string())?;
    let mut b = Batcher { store: &mut store, day: first, pending: Vec::new(), written: 0 };

    // The roster: three in four are members, one in twenty leaves along the way.
    let mut roster = Vec::new();
    for i in 0..FEDERATION_ORGS {
        let status = if i % 4 == 0 { Status::Participant } else { Status::Member };
        let organisation = Organisation {
            name: format!("Association n° {i}"),
            enterprise_number: number(i)?,
            email: format!("contact{i}@org{i}.example.be"),
            language: if i % 3 == 0 { Language::Nl } else { Language::Fr },
            status,
            representative: Some(format!("Personne {i}")),
            representative_email: Some(format!("rep{i}@org{i}.example.be")),
            address: Some(format!("Rue de l'Exemple {}, 1000 Bruxelles", i % 200 + 1)),
            sectors: vec!["logement".into(), ["santé", "emploi", "jeunesse", "seniors"][i as usize % 4].into()],
        };
        roster.push(organisation);
    }
    // Journaled as an import does: the addresses beside the journal, the
    // entries holding their commitments.
    b.flush()?;
    b.store
        .transaction(first, |tx| {
            for o in &roster {
                let organisation = charte::journal::RosterEntry::committed(o, |v| {
                    tx.personal(charte::journal::personal::Kind::Email, v)
                })?;
                tx.append(&Event::OrganisationAdded { organisation })?;
            }
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    b.written += roster.len() as u64;
    let seats_of = |i: u64| i * 37 % FEDERATION_ORGS;
    let mut meeting_no = 0u64;
    let mut lines = 0u64;
    for year in FEDERATION_YEARS {
        // Two plenaries (everyone convoked), five committees (8 seats), and
        // eight meetings of each working group, spread over the year.
        let mut meetings: Vec<(String, chrono::NaiveDate, Vec<u64>)> = Vec::new();
        for (m, d) in [(3, 24), (10, 13)] {
            meetings.push(("plenary".into(), date(year, m, d)?, (0..FEDERATION_ORGS).collect()));
        }
        for m in [2, 4, 6, 9, 11] {
            meetings.push(("committee".into(), date(year, m, 5)?, (0..8).map(seats_of).collect()));
        }
        for g in 0..FEDERATION_GROUPS {
            for k in 0..8u32 {
                let day = date(year, 1 + k + k / 4, 1 + (g as u32 % 27))?;
                meetings.push((
                    format!("gt{g:02}"),
                    day,
                    (0..FEDERATION_GROUP_SIZE).map(|j| group_member(g, j)).collect(),
                ));
            }
        }
        // The last year, nine in ten members sign the current charter in
        // February, journaled in date order among the year's meetings.
        let mut signatures: Vec<(chrono::NaiveDate, Event)> = Vec::new();
        if year == *FEDERATION_YEARS.end() {
            for i in (0..FEDERATION_ORGS).filter(|i| i % 4 != 0 && i % 10 != 7) {
                let en = enterprise_number(i).replace('.', "");
                let adherence = charte::collect::Adherence {
                    file_sha256: format!("{:064x}", mix(i)),
                    document_id: format!("bench-{i}"),
                    enterprise_number: en,
                    charter_version: config.charter.version.clone(),
                    method: "scan".into(),
                    signer: "coordination".into(),
                    signed: None,
                    sealed_sha256: format!("{:064x}", mix(i + 1)),
                    details: serde_json::Value::Null,
                    collected: String::new(),
                    revoked: None,
                };
                signatures.push((
                    date(year, 2, 1 + (i % 27) as u32)?,
                    Event::AdherenceCollected { adherence, new_status: None },
                ));
            }
            signatures.sort_by_key(|(day, _)| *day);
        }
        let mut signatures = signatures.into_iter().peekable();
        meetings.sort_by_key(|m| m.1);
        for (body, day, orgs) in meetings {
            while let Some((on, event)) = signatures.next_if(|(on, _)| *on <= day) {
                b.push(on, event)?;
            }
            meeting_no += 1;
            let id = format!("{body}-{day}-{meeting_no}");
            b.push(
                day,
                Event::MeetingAdded {
                    meeting: Meeting {
                        id: id.clone(),
                        body,
                        date: day,
                        time: None,
                        place: Some("Salle du conseil".into()),
                        title: None,
                        agenda: vec!["Ordre du jour".into()],
                    },
                },
            )?;
            for i in orgs {
                let r = mix(meeting_no << 20 | i) % 100;
                let status = match r {
                    0..70 => Presence::Present,
                    70..85 => Presence::Excused,
                    _ => Presence::Absent,
                };
                let attendance =
                    Attendance { meeting: id.clone(), enterprise_number: number(i)?, person: String::new(), status };
                b.push(day, Event::AttendanceRecorded { attendance, replaces: None })?;
                lines += 1;
            }
        }
        for (on, event) in signatures {
            b.push(on, event)?;
        }
    }
    b.flush()?;
    let written = b.written;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} organisations, {meeting_no} meetings, {lines} attendance lines: {written} events in {secs:.1} s ({:.0} events/s)",
        FEDERATION_ORGS,
        written as f64 / secs
    );
    Ok(())
}

/// The k-th member of working group g: groups overlap, so an organisation
/// sits in one or two groups.
fn group_member(g: u64, k: u64) -> u64 {
    (g * 157 + k * 53) % FEDERATION_ORGS
}
