//! Renders N personalised adherence documents in a rayon pool and reports
//! documents per second.
//!
//! ```text
//! cargo run --release --example render_bench -- [N] [THREADS] [EVICT_EVERY] [--seal] [--out DIR]
//! /usr/bin/time -v target/release/examples/render_bench 400 2
//! ```

use std::time::Instant;

use chrono::NaiveDate;
use rayon::prelude::*;

use charte::render::{
    ADHERENCE_TEMPLATE, AdherenceData, CharterData, CoordinationData, DocumentData, Engine, OrganisationData,
    load_template,
};
use charte::seal::{self, Manifest};

const CHARTER: &str = "# Préambule

La coordination sociale rassemble les services publics et les associations actives sur le territoire de la commune. Elle a pour but de **favoriser la concertation**, l'échange d'informations et la collaboration entre ses membres, au bénéfice des personnes qui s'adressent à eux.

## Article 1 — Valeurs

Les membres partagent les valeurs suivantes :

- le respect de la dignité humaine et de la vie privée des personnes ;
- l'accès effectif aux droits fondamentaux ;
- la **gratuité** de l'accueil et de l'orientation ;
- la collaboration plutôt que la concurrence entre services.

## Article 2 — Fonctionnement

L'assemblée plénière se réunit au moins trois fois par an. Le comité d'accompagnement prépare ses travaux et veille au respect de la présente charte. Les groupes de travail approfondissent des thématiques particulières : logement, santé mentale, aide alimentaire, insertion socioprofessionnelle.

## Article 3 — Engagements réciproques

La coordination met à la disposition des membres un répertoire des services, organise des rencontres et diffuse les informations utiles. Les membres participent aux réunions, partagent leurs constats et signalent les difficultés rencontrées.

## Article 4 — Adhésion et retrait

L'adhésion est ouverte à toute organisation active sur le territoire qui souscrit à la présente charte. Une organisation peut se retirer à tout moment par simple courrier adressé à la coordination.
";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seal_too = args.iter().any(|a| a == "--seal");
    let out = args.iter().position(|a| a == "--out").and_then(|i| args.get(i + 1)).map(std::path::PathBuf::from);
    let nums: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let n = nums.first().copied().unwrap_or(200);
    let threads = nums.get(1).copied().unwrap_or(2);
    let evict_every = nums.get(2).copied().unwrap_or(2);

    let issued = NaiveDate::from_ymd_opt(2025, 3, 14).expect("date");
    let template = load_template(None, ADHERENCE_TEMPLATE).expect("template");
    let charter = CharterData::from_markdown("2022-02", NaiveDate::from_ymd_opt(2022, 2, 15), CHARTER);
    let key = seal::generate().expect("random key");

    let start = Instant::now();
    let engine = Engine::new().expect("engine").with_evict_every(evict_every);
    let setup = start.elapsed();

    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
    let start = Instant::now();
    let bytes: usize = pool.install(|| {
        (0..n)
            .into_par_iter()
            .map(|i| {
                let id = format!("ADH-2022-02-{i:010}");
                let data = AdherenceData::new(
                    None,
                    if i % 3 == 0 { "nl" } else { "fr" },
                    CoordinationData {
                        name: "Coordination sociale d'Ixelles".into(),
                        short: Some("CSI".into()),
                        organiser: "CPAS d'Ixelles".into(),
                        territory: Some("Ixelles".into()),
                        ..Default::default()
                    },
                    OrganisationData {
                        name: format!("Asbl Numéro {i} — Maison de quartier"),
                        enterprise_number: format!("0{:03}.{:03}.{:03}", i % 1000, (i * 7) % 1000, (i * 13) % 1000),
                        address: Some(format!("Rue de la Paix {i}, 1050 Ixelles")),
                        sectors: vec!["Logement".into(), "Aide alimentaire".into()],
                        representative: Some("Jeanne Dupont".into()),
                        email: Some(format!("info{i}@exemple.be")),
                        ..Default::default()
                    },
                    charter.clone(),
                    DocumentData { id: id.clone(), issued, ..Default::default() },
                )
                .expect("data");
                let pdf = engine.pdf(&template, &data.to_value(), issued, &id).unwrap_or_else(|e| panic!("{e}"));
                let pdf = if seal_too {
                    let manifest = Manifest::new(&id, "adherence", "Coordination sociale d'Ixelles", issued)
                        .organisation(&data.organisation.name, Some(&data.organisation.enterprise_number))
                        .charter_version("2022-02");
                    seal::seal(&pdf, &manifest, &key).expect("seal").pdf
                } else {
                    pdf
                };
                if let Some(dir) = &out {
                    std::fs::create_dir_all(dir).expect("out dir");
                    std::fs::write(dir.join(format!("{id}.pdf")), &pdf).expect("write");
                }
                pdf.len()
            })
            .sum()
    });
    let elapsed = start.elapsed();
    let secs = elapsed.as_secs_f64();
    if seal_too {
        seal_microbench(&engine, &template, &charter, issued, &key);
    }
    println!(
        "engine setup {:.1} ms; {n} documents on {threads} thread(s), evict every {evict_every}{}: {:.2} s, {:.1} docs/s, {:.1} ms wall per document, {} KB average",
        setup.as_secs_f64() * 1000.0,
        if seal_too { ", sealed" } else { "" },
        secs,
        n as f64 / secs,
        secs * 1000.0 / n as f64,
        bytes / n.max(1) / 1024,
    );
}

/// Time of `seal` and `verify` alone, on one rendered document.
fn seal_microbench(
    engine: &Engine,
    template: &str,
    charter: &CharterData,
    issued: NaiveDate,
    key: &ed25519_dalek::SigningKey,
) {
    let data = AdherenceData::new(
        None,
        "fr",
        CoordinationData {
            name: "Coordination sociale d'Ixelles".into(),
            short: None,
            organiser: "CPAS d'Ixelles".into(),
            territory: None,
            ..Default::default()
        },
        OrganisationData {
            name: "Asbl Bench".into(),
            enterprise_number: "0123.456.749".into(),
            address: None,
            sectors: vec![],
            representative: None,
            email: None,
            ..Default::default()
        },
        charter.clone(),
        DocumentData { id: "ADH-BENCH".into(), issued, ..Default::default() },
    )
    .expect("data");
    let pdf = engine.pdf(template, &data.to_value(), issued, "ADH-BENCH").expect("render");
    let manifest = Manifest::new("ADH-BENCH", "adherence", "Coordination", issued);
    let rounds = 200;
    let start = Instant::now();
    let mut sealed = None;
    for _ in 0..rounds {
        sealed = Some(seal::seal(&pdf, &manifest, key).expect("seal"));
    }
    let seal_us = start.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
    let sealed = sealed.expect("sealed").pdf;
    let start = Instant::now();
    for _ in 0..rounds {
        seal::verify(&sealed, &key.verifying_key()).expect("verify");
    }
    let verify_us = start.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
    println!("seal {seal_us:.0} µs, verify {verify_us:.0} µs per document ({} KB)", sealed.len() / 1024);
}
