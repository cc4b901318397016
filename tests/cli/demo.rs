//! `charte demo`: every fixture replays its whole year end to end, and the
//! annual figures match a count made here from the fixture's own files.

use std::collections::BTreeMap;

use crate::harness::*;

fn read_csv(path: &std::path::Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    reader.records().map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_owned)).collect()).collect()
}

/// Meetings held per body and attendance rate per body, counted by hand.
fn by_hand(fixture: &str) -> BTreeMap<String, (usize, Option<f64>)> {
    let dir = repo().join("fixtures").join(fixture).join("year");
    let mut held: BTreeMap<String, usize> = BTreeMap::new();
    let mut body_of = BTreeMap::new();
    for m in read_csv(&dir.join("meetings.csv")) {
        let day = &m["date"][..10];
        *held.entry(m["body"].clone()).or_default() += 1;
        body_of.insert(format!("{}-{day}", m["body"]), m["body"].clone());
    }
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for a in read_csv(&dir.join("attendance.csv")) {
        let c = counts.entry(body_of[&a["meeting"]].clone()).or_default();
        c.1 += 1;
        if a["status"] == "present" {
            c.0 += 1;
        }
    }
    held.into_iter()
        .map(|(body, n)| {
            let rate = counts.get(&body).map(|(p, t)| ((*p as f64 / *t as f64) * 1000.0).round() / 1000.0);
            (body, (n, rate))
        })
        .collect()
}

#[test]
fn every_fixture_runs_its_year_end_to_end() {
    for fixture in ["woluwe-saint-lambert", "ixelles", "ans", "saint-gilles", "relais-social-luxembourg"] {
        let t = Test::empty();
        let out = t.root.join(fixture);
        let mut cmd = std::process::Command::new(BIN);
        cmd.args(["demo", fixture, "--out", out.to_str().unwrap()]).current_dir(repo());
        let run = Run::of(cmd).success().stdout_has("Where to look").stdout_has("journal intact");
        assert!(!run.stdout.contains("refused"), "{fixture}: nothing refused");
        let count = |sub: &str, ext: &str| {
            std::fs::read_dir(out.join(sub))
                .map_or(0, |d| d.filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == ext)).count())
        };
        let roster = read_csv(&repo().join("fixtures").join(fixture).join("roster.csv")).len();
        assert_eq!(count("out/adherence", "pdf"), roster, "{fixture}: one document per organisation");
        assert!(count("out/outbox", "eml") > roster, "{fixture}: convocations in the outbox");
        assert!(out.join("out/reports/annual-2026.csv").exists());

        // The annual figures against the hand count.
        let dir = out.to_str().unwrap();
        let report = Run::of({
            let mut c = std::process::Command::new(BIN);
            c.args(["--dir", dir, "--now", "2026-12-31", "report", "annual", "--year", "2026", "--json"]);
            c
        })
        .success()
        .json();
        for (body, (held, rate)) in by_hand(fixture) {
            assert_eq!(report["bodies"][&body]["held"], held, "{fixture} {body}: meetings held");
            match rate {
                Some(r) => assert_eq!(report["bodies"][&body]["attendance_rate"].as_f64(), Some(r), "{fixture} {body}"),
                None => assert!(report["bodies"][&body]["attendance_rate"].is_null()),
            }
        }
        let members = Run::of({
            let mut c = std::process::Command::new(BIN);
            c.args(["--dir", dir, "members", "list", "--json"]);
            c
        })
        .success()
        .json();
        let with_signature = members.as_array().unwrap().iter().filter(|m| !m["signed_version"].is_null()).count();
        assert!(with_signature * 3 >= roster, "{fixture}: about two in three signed ({with_signature} of {roster})");
        // The planted cases (fixtures/README.md) raise their flags.
        let flags = Run::of({
            let mut c = std::process::Command::new(BIN);
            c.args(["--dir", dir, "--now", "2026-12-31", "flags", "--year", "2026", "--json"]);
            c
        })
        .success()
        .json();
        let found = |rule: &str, number: Option<&str>| {
            flags
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["rule"] == rule && f["enterprise_number"].as_str() == number)
                .count()
        };
        let all = |rule: &str| flags.as_array().unwrap().iter().filter(|f| f["rule"] == rule).count();
        match fixture {
            "ixelles" => {
                assert_eq!(found("absences", Some("0883.405.625")), 1, "{flags}");
                assert_eq!(all("absences"), 1);
                // On 31 December the year is not over: a warning, not yet a flag.
                assert_eq!(all("meetings-below-minimum"), 0, "{flags}");
                let after = Run::of({
                    let mut c = std::process::Command::new(BIN);
                    c.args(["--dir", dir, "--now", "2027-01-04", "flags", "--year", "2026", "--json"]);
                    c
                })
                .success()
                .json();
                let below = after.as_array().unwrap().iter().filter(|f| f["rule"] == "meetings-below-minimum").count();
                assert_eq!(below, 1, "{after}");
            }
            "ans" => {
                assert_eq!(found("absences", Some("0461.013.383")), 1, "{flags}");
                assert_eq!(all("absences"), 1);
            }
            _ => {
                assert_eq!(all("absences"), 0, "{fixture}: {flags}");
                assert_eq!(all("meetings-below-minimum"), 0, "{fixture}: {flags}");
            }
        }
        assert_eq!(all("mail-bounced"), 0);

        // The adhesion workflow: the organisations that signed are finished
        // (no reminder, no escalation); every other one was reminded and
        // escalated, and shows as adherence-overdue.
        let status = Run::of({
            let mut c = std::process::Command::new(BIN);
            c.args(["--dir", dir, "--now", "2026-12-31", "status", "adhesion", "--json"]);
            c
        })
        .success()
        .json();
        let subjects = status.as_array().unwrap();
        let state = |s: &serde_json::Value, step: &str| {
            s["steps"].as_array().unwrap().iter().find(|x| x["step"] == step).unwrap()["state"].clone()
        };
        let finished: Vec<_> = subjects.iter().filter(|s| s["finished"] == true).collect();
        assert_eq!(finished.len(), with_signature, "{fixture}: the signers finished the workflow");
        assert!(finished.iter().all(|s| state(s, "escalate") == "skipped"));
        let waiting: Vec<_> = subjects.iter().filter(|s| s["finished"] == false).collect();
        assert!(!waiting.is_empty(), "{fixture}: a third do not sign");
        assert!(waiting.iter().all(|s| state(s, "remind") == "done" && state(s, "escalate") == "done"));
        assert_eq!(all("adherence-overdue"), waiting.len(), "{fixture}");
        let reminders = std::fs::read_dir(out.join("out/outbox"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains(".remind.1."))
            .count();
        assert!(reminders >= waiting.len(), "{fixture}: a reminder to each who had not signed");
        // The year's events, against a count of the fixture's file.
        let events = read_csv(&repo().join("fixtures").join(fixture).join("year/events.csv"));
        assert_eq!(report["events"]["count"], events.len(), "{fixture}: events");
        let participants: u64 = events.iter().map(|e| e["participants"].parse::<u64>().unwrap()).sum();
        assert_eq!(report["events"]["participants"], participants, "{fixture}: participants");
        // The committee election replayed where the fixture holds one.
        let elections = Run::of({
            let mut c = std::process::Command::new(BIN);
            c.args(["--dir", dir, "election", "list", "--json"]);
            c
        })
        .success()
        .json();
        if fixture == "woluwe-saint-lambert" {
            assert_eq!(elections[0]["stage"], "elected", "{elections}");
            assert_eq!(elections[0]["elected"], 4);
            // Membership is proof: every elected person's organisation signed.
            let shown = Run::of({
                let mut c = std::process::Command::new(BIN);
                c.args(["--dir", dir, "election", "show", "election-2026-10-13", "--json"]);
                c
            })
            .success()
            .json();
            let members = Run::of({
                let mut c = std::process::Command::new(BIN);
                c.args(["--dir", dir, "members", "list", "--json"]);
                c
            })
            .success()
            .json();
            let seats = shown["elected"].as_array().expect("elected seats");
            assert_eq!(seats.len(), 4, "{shown}");
            for seat in seats {
                let digits: String =
                    seat["enterprise_number"].as_str().unwrap().chars().filter(char::is_ascii_digit).collect();
                let m = members
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|m| m["enterprise_number"].as_str().unwrap().replace('.', "") == digits)
                    .unwrap();
                assert!(!m["signed_version"].is_null(), "{fixture}: an elected seat of an unsigned organisation: {m}");
            }
        } else {
            assert_eq!(elections.as_array().unwrap().len(), 0);
        }
        // The interpellation workflow drafted one letter per organisation
        // flagged (the waiting ones are past their delay on 31 December).
        let letters: Vec<String> = std::fs::read_dir(out.join("out/letters"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".pdf"))
            .collect();
        assert!(letters.len() >= waiting.len(), "{fixture}: letters");
        let mut orgs: Vec<&str> = letters.iter().filter_map(|n| n.split('-').find(|p| p.len() == 10)).collect();
        let n = orgs.len();
        orgs.sort_unstable();
        orgs.dedup();
        assert_eq!(orgs.len(), n, "{fixture}: one letter per organisation: {letters:?}");
    }
}
