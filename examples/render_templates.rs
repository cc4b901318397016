//! Renders the convocation, report and letter templates in French and Dutch
//! with realistic sample data, hostile values included, so their layout can
//! be looked at and their text checked.
//!
//! ```text
//! cargo run --example render_templates -- [--out DIR]     # default /tmp/charte-templates
//! pdftotext -layout /tmp/charte-templates/convocation-fr.pdf - | less
//! ```
//!
//! The templates are read from the source tree (`templates/…`), not from the
//! built-in list, so a template being written can be tried before it is
//! registered. Every value below is data: names such as
//! `#read("/data.json")` must print literally.

use std::path::PathBuf;

use chrono::NaiveDate;
use serde_json::{Value, json};

use charte::render::Engine;

/// A name built to break anything that would treat values as markup.
const HOSTILE: &str = r#"Asbl "L'Étoile" #1 *test* [x] $y$ <z> @w \"#;
/// A value that would print the whole data file if evaluated.
const READ: &str = r#"#read("/data.json")"#;

const JOURNAL_HEAD: &str = "9f2c4e1ab07d53c8e6f1a2b4c9d0e7f3a5b6c8d1e2f4a7b9c0d3e5f6a8b1c2d4";

fn source_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn template(name: &str) -> String {
    let path = source_root().join("templates").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn strings(folder: &str, lang: &str) -> Value {
    let text = template(&format!("{folder}/{lang}.json"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{folder}/{lang}.json: {e}"))
}

fn with_strings(mut data: Value, folder: &str, lang: &str) -> Value {
    data["lang"] = json!(lang);
    data["strings"] = strings(folder, lang);
    data
}

fn date(iso: &str) -> NaiveDate {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d").expect("sample date")
}

struct Out {
    engine: Engine,
    dir: PathBuf,
    failures: usize,
}

impl Out {
    fn render(&mut self, file: &str, template_name: &str, data: &Value, issued: &str) {
        let source = template(template_name);
        let path = self.dir.join(file);
        match self.engine.pdf(&source, data, date(issued), file) {
            Ok(bytes) => {
                std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                println!("{:>8} bytes  {}", bytes.len(), path.display());
            }
            Err(err) => {
                self.failures += 1;
                eprintln!("FAILED {file}: {err}");
            }
        }
    }
}

fn coordination(lang: &str) -> Value {
    match lang {
        "nl" => json!({
            "name": "Sociale coördinatie van Elsene",
            "organiser": "OCMW van Elsene",
            "territory": "Elsene",
        }),
        _ => json!({
            "name": "Coordination sociale d'Ixelles",
            "organiser": "CPAS d'Ixelles",
            "territory": "Ixelles",
        }),
    }
}

// ------------------------------------------------------------ convocation

fn convocation(lang: &str, late: bool) -> Value {
    let (body, title, day, time, words, place, items) = match lang {
        "nl" => (
            "Algemene vergadering",
            Some("Voorjaarsvergadering"),
            "donderdag 12 maart 2026",
            "14.00 uur",
            "donderdag 12 maart 2026 om 14.00 uur",
            Some("Raadzaal van het OCMW, Kroonlaan 129-131, 1050 Elsene"),
            vec![
                "Onthaal en goedkeuring van het verslag van 4 december 2025".to_owned(),
                "Voorstelling van de nieuwe leden, onder wie ".to_owned() + HOSTILE,
                "Werkgroep huisvesting: stand van zaken en oproep tot kandidaten".to_owned(),
                READ.to_owned(),
                "Jaarlijkse evaluatie van het charter".to_owned(),
                "Varia".to_owned(),
            ],
        ),
        _ => (
            "Assemblée plénière",
            Some("Assemblée de printemps"),
            "jeudi 12 mars 2026",
            "14h00",
            "jeudi 12 mars 2026 à 14h00",
            Some("Salle du conseil du CPAS, avenue de la Couronne 129-131, 1050 Ixelles"),
            vec![
                "Accueil et approbation du procès-verbal du 4 décembre 2025".to_owned(),
                "Présentation des nouveaux membres, dont ".to_owned() + HOSTILE,
                "Groupe de travail logement : état d'avancement et appel à candidatures".to_owned(),
                READ.to_owned(),
                "Évaluation annuelle de la charte".to_owned(),
                "Divers".to_owned(),
            ],
        ),
    };
    let agenda: Vec<Value> = items.iter().enumerate().map(|(i, item)| json!({"number": i + 1, "item": item})).collect();
    let coord = coordination(lang);
    let late_reason = if late {
        Some(match lang {
            "nl" => format!("de zaal was pas op 5 maart bevestigd ({READ})"),
            _ => format!("la salle n'a été confirmée que le 5 mars ({READ})"),
        })
    } else {
        None
    };
    with_strings(
        json!({
            "network": coord["name"],
            "organiser": coord["organiser"],
            "body": body,
            "title": title,
            "date": words,
            "day": day,
            "time": time,
            "date_iso": "2026-03-12T14:00",
            "place": place,
            "agenda": agenda,
            "clear_days": if late { 6 } else { 10 },
            "required_clear_days": 10,
            "late_reason": late_reason,
            "reply_to": "coordination.sociale@cpas-ixelles.example.be",
            "meeting_id": "M-2026-03-12-plenary",
        }),
        "convocation",
        lang,
    )
}

/// A bare convocation: no title, no place, no agenda, one clear day.
fn convocation_bare(lang: &str) -> Value {
    let mut data = convocation(lang, false);
    data["title"] = Value::Null;
    data["place"] = Value::Null;
    data["agenda"] = json!([]);
    data["clear_days"] = json!(1);
    data["required_clear_days"] = json!(1);
    data["body"] = json!(HOSTILE);
    data
}

// ------------------------------------------------------------ reports

fn flags() -> Value {
    json!([
        {
            "rule": "adherence-missing",
            "enterprise_number": "0456.123.783",
            "name": HOSTILE,
            "evidence": [
                {"seq": 12, "date": "2025-01-20", "text": format!("roster import declares {HOSTILE} a member")},
                {"seq": null, "date": null, "text": "no signature of charter 2022-02 recorded"}
            ],
            "since": "2025-01-20"
        },
        {
            "rule": "absences",
            "enterprise_number": "0412.345.698",
            "name": "Maison médicale du Maelbeek",
            "evidence": [
                {"seq": 88, "date": "2025-03-13", "text": "absent (not excused) from the plenary of 2025-03-13"},
                {"seq": 141, "date": "2025-06-12", "text": "absent (not excused) from the plenary of 2025-06-12"},
                {"seq": 203, "date": "2025-10-09", "text": READ}
            ],
            "since": "2025-10-09"
        },
        {
            "rule": "meetings-below-minimum",
            "enterprise_number": null,
            "name": "Groupe de travail santé mentale",
            "evidence": [{"seq": null, "date": null, "text": "1 meeting held, 3 required by charte.toml"}],
            "since": "2025-12-31"
        },
        {
            "rule": "mail-bounced",
            "enterprise_number": "0876.543.297",
            "name": "Service d'entraide de la Chaussée",
            "evidence": [{"seq": 230, "date": "2025-11-02", "text": "550 5.1.1 mailbox unavailable"}],
            "since": "2025-11-02"
        },
        {
            "rule": "some-future-rule",
            "enterprise_number": "0999.888.776",
            "name": "Centre de jour Les Tilleuls",
            "evidence": [],
            "since": "2025-12-01"
        }
    ])
}

fn annual_report() -> Value {
    json!({
        "year": 2025,
        "organisations": {
            "members": 34,
            "participants": 17,
            "new_adherences": 6,
            "departures": 2,
            "sectors": {
                "Aide alimentaire": 7,
                "Logement": 12,
                "Santé mentale": 9,
                "Insertion socioprofessionnelle": 8,
                "Petite enfance": 4,
                "Personnes âgées": 5,
                "Migrants et primo-arrivants": 6,
                HOSTILE: 1
            }
        },
        "bodies": {
            "committee": {"held": 6, "required_min": 6, "attendance_rate": 0.9166, "present": 33, "excused": 2, "absent": 1},
            "plenary": {"held": 3, "required_min": 4, "attendance_rate": 0.6421, "present": 95, "excused": 31, "absent": 22},
            "wg-logement": {"held": 5, "required_min": 4, "attendance_rate": 0.78, "present": 39, "excused": 6, "absent": 5},
            "wg-sante-mentale": {"held": 1, "required_min": 3, "attendance_rate": null, "present": 0, "excused": 0, "absent": 0},
            "wg-hostile": {"held": 2, "required_min": 0, "attendance_rate": 1.0, "present": 8, "excused": 0, "absent": 0}
        },
        "flags": flags()
    })
}

fn body_names(lang: &str) -> Value {
    match lang {
        "nl" => json!({
            "plenary": "Algemene vergadering",
            "committee": "Begeleidingscomité",
            "wg-logement": "Werkgroep huisvesting",
            "wg-sante-mentale": "Werkgroep geestelijke gezondheid",
            "wg-hostile": READ,
        }),
        _ => json!({
            "plenary": "Assemblée plénière",
            "committee": "Comité d'accompagnement",
            "wg-logement": "Groupe de travail logement",
            "wg-sante-mentale": "Groupe de travail santé mentale",
            "wg-hostile": READ,
        }),
    }
}

fn annual(lang: &str) -> Value {
    with_strings(
        json!({
            "coordination": coordination(lang),
            "document": {"id": "RPT-2025-annual-ixelles", "issued": "2026-01-15"},
            "journal_head": JOURNAL_HEAD,
            "report": annual_report(),
            "body_names": body_names(lang),
        }),
        "report",
        lang,
    )
}

fn annual_empty(lang: &str) -> Value {
    with_strings(
        json!({
            "coordination": {"name": "Coordination sociale de Woluwe-Saint-Lambert", "organiser": "CPAS de Woluwe-Saint-Lambert", "territory": null},
            "document": {"id": "RPT-2026-annual-wsl", "issued": "2026-01-01"},
            "journal_head": JOURNAL_HEAD,
            "report": {
                "year": 2026,
                "organisations": {"members": 0, "participants": 0, "new_adherences": 0, "departures": 0, "sectors": {}},
                "bodies": {},
                "flags": []
            },
            "body_names": {},
        }),
        "report",
        lang,
    )
}

fn subsidy_cocom(lang: &str) -> Value {
    with_strings(
        json!({
            "coordination": coordination(lang),
            "document": {"id": "SUB-2025-cocom-ixelles", "issued": "2026-02-10"},
            "journal_head": JOURNAL_HEAD,
            "report": {
                "year": 2025,
                "funder": "cocom",
                "programme": "Coordination sociale — art. 62 loi organique des CPAS",
                "period_start": "2025-01-01",
                "period_end": "2025-12-31",
                "grant": 62500.0,
                "envelopes": {"staff": 48712.34, "running": 9237.5, "project": 2150.0},
                "eligible_total": 60099.84,
                "balance": 2400.16,
                "staff": [
                    {"person": "Nadia El Amrani", "fte": 0.8, "months": 12, "cost": 39120.0},
                    {"person": HOSTILE, "fte": 0.25, "months": 7, "cost": 9592.34}
                ],
                "costs": [
                    {"date": "2025-02-14", "category": "running", "description": "Location de la salle pour la plénière de printemps", "amount": 350.0, "document": "F-2025-014"},
                    {"date": "2025-03-03", "category": "running", "description": "Impression du répertoire des services (500 ex.)", "amount": 1840.5, "document": "F-2025-022"},
                    {"date": "2025-05-20", "category": "project", "description": "Bourse aux associations : stands et signalétique", "amount": 2150.0, "document": "F-2025-047"},
                    {"date": "2025-06-30", "category": "running", "description": READ, "amount": 12.0, "document": "F-2025-060"},
                    {"date": "2025-09-18", "category": "running", "description": "Catering journée du réseau (120 personnes)", "amount": 2635.0, "document": "F-2025-081"},
                    {"date": "2025-12-15", "category": "running", "description": "Hébergement du site et de la messagerie, année 2025", "amount": 4400.0, "document": "F-2025-109"}
                ],
                "tranches": [
                    {"number": 1, "share": 0.5, "amount": 31250.0, "due": "2025-06-30", "requires": ["claim", "detailed project"]},
                    {"number": 2, "share": 0.5, "amount": 31250.0, "due": null, "requires": ["activity report", "claim", "supporting documents"]}
                ],
                "statements": [],
                "due": "2025-06-30",
                "activity": annual_report()
            }
        }),
        "report",
        lang,
    )
}

fn subsidy_walloon(lang: &str) -> Value {
    let coord = match lang {
        "nl" => {
            json!({"name": "Sociaal relais van Luxemburg", "organiser": "OCMW van Aarlen", "territory": "Provincie Luxemburg"})
        }
        _ => {
            json!({"name": "Relais social du Luxembourg", "organiser": "CPAS d'Arlon", "territory": "Province de Luxembourg"})
        }
    };
    with_strings(
        json!({
            "coordination": coord,
            "document": {"id": "SUB-2025-rw-luxembourg", "issued": "2026-02-20"},
            "journal_head": JOURNAL_HEAD,
            "report": {
                "year": 2025,
                "funder": "walloon-region",
                "programme": null,
                "period_start": null,
                "period_end": null,
                "grant": null,
                "envelopes": {"staff": 121480.0, "running": 18234.75},
                "eligible_total": 139714.75,
                "balance": null,
                "staff": [
                    {"person": "Julie Lambert", "fte": 1.0, "months": 12, "cost": 58210.0},
                    {"person": "Thomas Gérard", "fte": 0.5, "months": 12, "cost": 27470.0},
                    {"person": HOSTILE, "fte": 0.75, "months": 9, "cost": 35800.0}
                ],
                "costs": [
                    {"date": "2025-01-31", "category": "running", "description": "Loyer du bureau de coordination, janvier à décembre", "amount": 9600.0, "document": "RS-2025-001"},
                    {"date": "2025-04-12", "category": "running", "description": "Frais de déplacement des travailleurs de rue", "amount": 3134.75, "document": "RS-2025-038"},
                    {"date": "2025-10-02", "category": "running", "description": READ, "amount": 5500.0, "document": "RS-2025-112"}
                ],
                "tranches": [],
                "statements": ["recap statement", "sworn statement", "individual accounts of subsidised workers"],
                "due": "2026-03-01",
                "activity": annual_report()
            }
        }),
        "report",
        lang,
    )
}

/// COCOM with nothing yet: no grant known, no expense, an empty year.
fn subsidy_cocom_empty(lang: &str) -> Value {
    let mut data = subsidy_cocom(lang);
    let report = &mut data["report"];
    report["programme"] = Value::Null;
    report["period_start"] = Value::Null;
    report["period_end"] = Value::Null;
    report["grant"] = Value::Null;
    report["envelopes"] = json!({});
    report["eligible_total"] = json!(0.0);
    report["balance"] = Value::Null;
    report["staff"] = json!([]);
    report["costs"] = json!([]);
    report["tranches"] = json!([
        {"number": 1, "share": 0.5, "amount": null, "due": "2026-06-30", "requires": ["claim", "detailed project"]},
        {"number": 2, "share": 0.5, "amount": null, "due": null, "requires": ["activity report", "claim", "supporting documents"]}
    ]);
    report["year"] = json!(2026);
    report["due"] = json!("2026-06-30");
    report["activity"] = annual_empty(lang)["report"].clone();
    data
}

/// Costs above the grant: a negative balance.
fn subsidy_cocom_overrun(lang: &str) -> Value {
    let mut data = subsidy_cocom(lang);
    data["report"]["grant"] = json!(1234567.0);
    data["report"]["eligible_total"] = json!(1334567.891);
    data["report"]["balance"] = json!(-100000.89);
    data
}

// ------------------------------------------------------------ letters

fn letter(lang: &str, rule: &str, evidence: Value, representative: Option<&str>) -> Value {
    let mut data = letter_without_address(lang, rule, evidence, representative);
    data["organisation"]["address"] = json!(format!("Rue Gray 212, {READ}, 1050 Ixelles"));
    data
}

/// The letter without the organisation's address nor the network's territory.
fn letter_without_address(lang: &str, rule: &str, evidence: Value, representative: Option<&str>) -> Value {
    with_strings(
        json!({
            "coordination": coordination(lang),
            "organisation": {
                "name": HOSTILE,
                "enterprise_number": "0456.123.783",
                "address": null,
                "representative": representative,
            },
            "flag": {"rule": rule, "since": "2025-10-09", "evidence": evidence},
            "document": {"id": format!("LET-2025-{rule}-0456123783"), "issued": "2026-01-20"},
            "reply_within_days": 30,
        }),
        "letters",
        lang,
    )
}

fn absences_evidence() -> Value {
    json!([
        {"seq": 88, "date": "2025-03-13", "text": "absent (not excused) from the plenary of 2025-03-13"},
        {"seq": 141, "date": "2025-06-12", "text": "absent (not excused) from the plenary of 2025-06-12"},
        {"seq": 203, "date": "2025-10-09", "text": READ}
    ])
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map_or_else(|| PathBuf::from("/tmp/charte-templates"), PathBuf::from);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut out = Out { engine: Engine::new().expect("render engine"), dir, failures: 0 };

    for lang in ["fr", "nl"] {
        let conv = "convocation/convocation.typ";
        out.render(&format!("convocation-{lang}.pdf"), conv, &convocation(lang, true), "2026-03-05");
        out.render(&format!("convocation-ontime-{lang}.pdf"), conv, &convocation(lang, false), "2026-03-01");
        out.render(&format!("convocation-bare-{lang}.pdf"), conv, &convocation_bare(lang), "2026-03-10");

        out.render(&format!("annual-{lang}.pdf"), "report/annual.typ", &annual(lang), "2026-01-15");
        out.render(&format!("annual-empty-{lang}.pdf"), "report/annual.typ", &annual_empty(lang), "2026-01-01");

        out.render(&format!("subsidy-cocom-{lang}.pdf"), "report/subsidy.typ", &subsidy_cocom(lang), "2026-02-10");
        out.render(&format!("subsidy-walloon-{lang}.pdf"), "report/subsidy.typ", &subsidy_walloon(lang), "2026-02-20");

        out.render(
            &format!("subsidy-cocom-empty-{lang}.pdf"),
            "report/subsidy.typ",
            &subsidy_cocom_empty(lang),
            "2026-02-10",
        );
        out.render(
            &format!("subsidy-cocom-overrun-{lang}.pdf"),
            "report/subsidy.typ",
            &subsidy_cocom_overrun(lang),
            "2026-02-10",
        );

        let inter = "letters/interpellation.typ";
        out.render(
            &format!("letter-absences-{lang}.pdf"),
            inter,
            &letter(lang, "absences", absences_evidence(), Some("Marie Dupont")),
            "2026-01-20",
        );
        out.render(
            &format!("letter-adherence-missing-{lang}.pdf"),
            inter,
            &letter(
                lang,
                "adherence-missing",
                json!([{"seq": 12, "date": "2025-01-20", "text": "declared a member in the roster"}]),
                Some(READ),
            ),
            "2026-01-20",
        );
        out.render(
            &format!("letter-unknown-rule-{lang}.pdf"),
            inter,
            &{
                let mut data = letter_without_address(lang, "some-future-rule", json!([]), None);
                data["coordination"]["territory"] = Value::Null;
                data
            },
            "2026-01-20",
        );
    }
    if out.failures > 0 {
        eprintln!("{} document(s) failed", out.failures);
        std::process::exit(1);
    }
}
