//! What a user hands charte (rosters, attendance lists, ballots, agendas,
//! keys, returned documents) is read with a bound, decoded one way, and
//! refused with the line and the column when a later command could not
//! print or send it (issue 13, points 6 to 10).

use std::time::{Duration, Instant};

use crate::harness::*;

const HEADER: &str = "name,enterprise_number,email,language,status,representative,representative_email";

/// A roster of the given data lines under the English header, as bytes.
fn roster(t: &Test, name: &str, lines: &[&str], eol: &str) -> String {
    let mut text = String::from(HEADER);
    for l in lines {
        text.push_str(eol);
        text.push_str(l);
    }
    text.push_str(eol);
    std::fs::write(t.path(name), text).unwrap();
    name.to_owned()
}

fn quick(started: Instant, what: &str) {
    assert!(started.elapsed() < Duration::from_secs(10), "{what} took {:?}", started.elapsed());
}

#[test]
fn dev_zero_is_refused_quickly_with_the_limit_on_every_reading_command() {
    let t = Test::new();
    t.run(["members", "import", &data("roster/utf8-comma-en.csv").to_string_lossy()]).success();
    t.run(["keys", "init"]).success();
    t.run(["keys", "member", "--out", "org.key"]).success();
    let before = t.snapshot();
    for (args, limit) in [
        (vec!["members", "import", "/dev/zero"], "a roster is at most 16 MB"),
        (vec!["members", "set-key", "0606.997.096", "/dev/zero"], "a key file is at most 4 KB"),
        (vec!["verify", "/dev/zero"], "a charte document is at most 20 MB"),
        (vec!["verify", "org.key.pub", "--key", "/dev/zero"], "a key file is at most 4 KB"),
        (vec!["sign", "/dev/zero", "--key", "org.key"], "a charte document is at most 20 MB"),
        (
            vec!["meeting", "add", "--body", "plenary", "--date", "2026-03-01", "--agenda", "/dev/zero"],
            "an agenda is at most 64 KB",
        ),
        (vec!["attendance", "import", "/dev/zero"], "an attendance list is at most 64 MB"),
    ] {
        let started = Instant::now();
        t.run(&args).code(2).stderr_has("/dev/zero").stderr_has(limit);
        quick(started, &args.join(" "));
    }
    assert_eq!(t.snapshot(), before, "nothing was changed");
    assert!(t.run(["meeting", "list", "--json"]).success().json().as_array().unwrap().is_empty());
    // A returned file is refused like any bad return (exit 1, the refusal
    // journaled), without holding back the other files of the run.
    let started = Instant::now();
    t.run(["collect", "/dev/zero"]).code(1).stderr_has("/dev/zero").stderr_has("a returned document is at most 20 MB");
    quick(started, "collect /dev/zero");
    assert_eq!(t.members(), serde_json::from_str::<Vec<serde_json::Value>>(&before.0).unwrap());
}

#[test]
fn a_returned_file_over_20_mb_is_refused_before_it_is_read_as_a_bad_return() {
    let t = Test::new();
    t.run(["keys", "init"]).success();
    let big = std::fs::File::create(t.path("big.pdf")).unwrap();
    big.set_len(21 * 1024 * 1024).unwrap(); // sparse: nothing to write
    let before = t.members();
    t.run(["collect", "big.pdf"])
        .code(1)
        .stderr_has("refused")
        .stderr_has("big.pdf")
        .stderr_has("a returned document is at most 20 MB");
    assert_eq!(t.members(), before, "the register is unchanged");
}

#[test]
fn an_agenda_of_200_items_is_refused() {
    let t = Test::new();
    let agenda: String = (1..=200).map(|i| format!("- point {i}\n")).collect();
    std::fs::write(t.path("agenda.md"), agenda).unwrap();
    let before = t.snapshot();
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-01", "--agenda", "agenda.md"])
        .code(2)
        .stderr_has("agenda.md")
        .stderr_has("the agenda has 200 items; a meeting's agenda has at most 50");
    assert_eq!(t.snapshot(), before);
    assert!(t.run(["meeting", "list", "--json"]).success().json().as_array().unwrap().is_empty());
    std::fs::write(t.path("agenda.md"), "- Accueil\n- Bilan de l'année 🎉\n").unwrap();
    t.run(["meeting", "add", "--body", "plenary", "--date", "2026-03-01", "--agenda", "agenda.md"])
        .code(2)
        .stderr_has("line 2: the character '🎉' (U+1F389");
}

#[test]
fn addresses_with_a_display_name_or_quotes_are_refused_with_line_and_column() {
    let t = Test::new();
    let file = roster(
        &t,
        "r.csv",
        &[
            "ASBL Un,0200000736,Evil <e@x.be>,fr,member,,",
            "ASBL Deux,0200001429,\"\"\"x,y\"\"@x.be\",fr,member,,",
            "ASBL Trois,0200002122,info@trois.be,fr,member,Anne Lejeune,Anne <anne@trois.be>",
        ],
        "\n",
    );
    let before = t.snapshot();
    t.run(["members", "import", &file])
        .code(2)
        .stderr_has("3 problems")
        .stderr_has("line 2, column email: 'Evil <e@x.be>' is not a plain address")
        .stderr_has("line 3, column email: '\"x,y\"@x.be' has a quoted")
        .stderr_has("line 4, column representative_email: 'Anne <anne@trois.be>' is not a plain address");
    assert_eq!(t.snapshot(), before);
}

#[test]
fn an_internationalised_domain_is_imported_in_its_ascii_form() {
    let t = Test::new();
    let file = roster(&t, "r.csv", &["Café Solidaire,0200000736,info@café-solidaire.be,fr,member,,"], "\n");
    t.run(["members", "import", &file])
        .success()
        .stdout_has("note: line 2, column email")
        .stdout_has("info@xn--caf-solidaire-dhb.be");
    assert_eq!(t.members()[0]["email"], "info@xn--caf-solidaire-dhb.be");
}

#[test]
fn names_too_long_or_unprintable_are_refused_line_breaks_become_spaces() {
    let t = Test::new();
    let long = "A".repeat(201);
    let long_person = "B".repeat(121);
    let lines = [
        format!("{long},0200000736,info@un.be,fr,member,,"),
        "Café 😀 Solidaire,0200001429,info@deux.be,fr,member,,".to_owned(),
        "ASBL Trois,0200002122,info@trois.be,fr,member,Anne 🙂 Lejeune,".to_owned(),
        format!("ASBL Quatre,0200002815,info@quatre.be,fr,member,{long_person},"),
    ];
    let file = roster(&t, "r.csv", &lines.iter().map(String::as_str).collect::<Vec<_>>(), "\r\n");
    let before = t.snapshot();
    t.run(["members", "import", &file])
        .code(2)
        .stderr_has("line 2, column name: is 201 characters long; at most 200")
        .stderr_has("line 3, column name: the character '😀' (U+1F600, character 6 of the value) cannot be printed")
        .stderr_has("line 4, column representative: the character '🙂' (U+1F642")
        .stderr_has("line 5, column representative: is 121 characters long; at most 120");
    assert_eq!(t.snapshot(), before);

    t.run(["members", "import", &data("roster/hostile-names.csv").to_string_lossy()])
        .success()
        .stdout_has("note: line 5, column name: a line break or tab inside the value was turned into a space");
    assert!(t.members().iter().any(|m| m["name"] == "ASBL Ligne Brisée"));
}

#[test]
fn a_utf8_file_with_one_bad_byte_is_refused_with_line_and_byte() {
    let t = Test::new();
    let mut bytes = format!("{HEADER}\r\nCrèche Les Lutins,0200000736,info@lutins.be,fr,member,,\r\nCaf").into_bytes();
    let offset = bytes.len() + 1;
    bytes.extend_from_slice(b"\xe9 Solidaire,0200001429,info@cafe.be,fr,member,,\r\n");
    std::fs::write(t.path("r.csv"), bytes).unwrap();
    let before = t.snapshot();
    t.run(["members", "import", "r.csv"]).code(2).stderr_has(&format!(
        "line 3: byte 0xE9 (byte {offset} of the file) is not UTF-8, yet line 2 holds UTF-8 text"
    ));
    assert_eq!(t.snapshot(), before);
}

#[test]
fn a_genuine_windows_1252_file_keeps_its_accents() {
    let t = Test::new();
    let text = format!(
        "{HEADER}\r\nCr\u{e8}che \u{c9}t\u{e9} \u{ab} Ga\u{eb}l \u{bb} €,0200000736,info@lutins.be,fr,membre,,\r\n"
    );
    let (bytes, _, lossy) = encoding_like_excel(&text);
    assert!(!lossy);
    std::fs::write(t.path("r.csv"), bytes).unwrap();
    t.run(["members", "import", "r.csv"]).success().stdout_has("Windows-1252");
    assert_eq!(t.members()[0]["name"], "Crèche Été « Gaël » €");
}

/// Windows-1252 bytes of a text (what Excel writes in Belgium).
fn encoding_like_excel(text: &str) -> (Vec<u8>, (), bool) {
    let mut out = Vec::new();
    let mut lossy = false;
    for c in text.chars() {
        match c as u32 {
            0..=0x7F | 0xA0..=0xFF => out.push(c as u32 as u8),
            0x20AC => out.push(0x80),
            _ => lossy = true,
        }
    }
    (out, (), lossy)
}

#[test]
fn crlf_files_give_the_right_lines_on_roster_attendance_and_ballots() {
    // Roster: a quoted line break on line 3 (the row spans lines 3 and 4),
    // the bad email on line 5.
    let t = Test::new();
    let file = roster(
        &t,
        "r.csv",
        &[
            "ASBL Un,0200000736,info@un.be,fr,member,,",
            "\"ASBL\r\nDeux\",0200001429,info@deux.be,fr,member,,",
            "ASBL Trois,0200002122,info@@trois.be,fr,member,,",
        ],
        "\r\n",
    );
    t.run(["members", "import", &file]).code(2).stderr_has("1 problem").stderr_has("line 5, column email");

    let (t, id, ids) = crate::vote::plenary_held();
    std::fs::write(
        t.path("att-crlf.csv"),
        format!("meeting,enterprise_number,status\r\n{id},{},present\r\n{id},{},peut-être\r\n", ids[0], ids[1]),
    )
    .unwrap();
    t.run(["attendance", "import", "att-crlf.csv"]).code(2).stderr_has("line 3, column status: 'peut-être'");
    std::fs::write(
        t.path("ballots-crlf.csv"),
        format!("enterprise_number,vote\r\n{},oui\r\n{},peut-être\r\n", ids[0], ids[1]),
    )
    .unwrap();
    let len = t.journal_len();
    t.run(["vote", &id, "--decision", "Budget", "--ballots", "ballots-crlf.csv"])
        .code(2)
        .stderr_has("line 3, column vote: 'peut-être' is not a vote");
    let started = Instant::now();
    t.run(["vote", &id, "--decision", "Budget", "--ballots", "/dev/zero"])
        .code(2)
        .stderr_has("a ballot list is at most 16 MB");
    quick(started, "vote --ballots /dev/zero");
    assert_eq!(t.journal_len(), len);
}

#[test]
fn an_excel_roster_imports_with_its_headers_extra_columns_and_dropped_zero() {
    let t = Test::new();
    let text = "Nom;N° BCE;Courriel;Statut;Représentant;Courriel du représentant;Téléphone;Remarques\r\n\
                ASBL Un;123456749;info@un.be;membre;Anne Lejeune;anne@un.be;02 512 34 56;à rappeler\r\n\
                VZW Twee;0200000736;info@twee.be;lid;;;;\r\n\
                ASBL Trois;0200001429;info@trois.be;partenaire;;;;\r\n\
                ASBL Quatre;0200002122;info@quatre.be;ancien;;;;\r\n";
    let (bytes, _, lossy) = encoding_like_excel(text);
    assert!(!lossy);
    std::fs::write(t.path("excel.csv"), bytes).unwrap();
    t.run(["members", "import", "excel.csv"])
        .success()
        .stdout_has("4 added")
        .stdout_has("ignored columns (charte does not use them): Téléphone, Remarques")
        .stdout_has("note: line 2, column N° BCE: 123456749 has 9 digits: the leading 0 Excel dropped was restored (0123.456.749");
    let members = t.members();
    let status = |n: &str| members.iter().find(|m| m["enterprise_number"] == n).unwrap()["status"].clone();
    assert_eq!(status("0123.456.749"), "member");
    assert_eq!(status("0200.000.736"), "member");
    assert_eq!(status("0200.001.429"), "partner");
    assert_eq!(status("0200.002.122"), "former");
    let shown = t.run(["members", "show", "0123.456.749", "--json"]).success().json();
    assert_eq!(shown["representative_email"], "anne@un.be", "{shown}");

    // The other spelling of the number's column, and a status in none of
    // the three languages: the error lists them in all three.
    std::fs::write(
        t.path("excel2.csv"),
        "Naam;N° d'entreprise;E-mail;Statut\nVZW Vijf;0200002815;info@vijf.be;vriend\n",
    )
    .unwrap();
    t.run(["members", "import", "excel2.csv"])
        .code(2)
        .stderr_has("line 2, column Statut: 'vriend' is not a status")
        .stderr_has("membre")
        .stderr_has("deelnemer");
    std::fs::write(
        t.path("excel2.csv"),
        "Naam;N° d'entreprise;E-mail;Statut\nVZW Vijf;0200002815;info@vijf.be;deelnemer\n",
    )
    .unwrap();
    t.run(["members", "import", "excel2.csv"]).success().stdout_has("1 added");
}
