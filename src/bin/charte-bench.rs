//! charte-bench: generates the large inputs the benchmarks need (BENCHMARKS.md)
//! and times what cannot be timed from outside. Not part of the test suite.
//!
//!   charte-bench roster N            a valid N-organisation roster CSV on stdout
//!   charte-bench journal N --dir WS  appends N events to WS's journal, in batches
//!   charte-bench sign-all WS OUT  for every adherence document of WS: a key
//!       made and registered for its organisation, and the document signed
//!       with it into OUT/ (what 10,000 organisations would send back)
//!   charte-bench typst-inputs WS OUT N  writes, for N organisations of WS, a
//!       folder OUT/<i>/ with main.typ (the adherence template) and data.json:
//!       the same inputs `charte issue` renders, for the typst command line

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
        ["typst-inputs", ws, out, n] => {
            n.parse().map_err(|e| format!("N: {e}")).and_then(|n| typst_inputs(ws.into(), out.into(), n))
        }
        _ => Err("usage: charte-bench roster N | journal N --dir WS | typst-inputs WS OUTDIR N".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
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
    let mut store = Store::open(&dir.join("charte.db")).map_err(|e| e.to_string())?;
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
    let plan = charte::adherence::plan(&workspace.config, &workspace.root, &members, &selected, &[], &template)
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
    for d in documents.iter().filter(|d| d.kind == "adherence") {
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
