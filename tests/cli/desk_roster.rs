//! The desk's roster and charter pages, over TCP against the real server:
//! a roster imported in two steps (preview, then confirm exactly what was
//! previewed), a broken file's lines shown with nothing changed, an
//! organisation edited, the charter's text saved and a version adopted,
//! and a committee account refused every change.

use crate::harness::Test;

const COORDINATOR: (&str, &str) = ("marie@cpas-saint-gilles.example.be", "un mot de passe solide");
const COMMITTEE: (&str, &str) = ("comite@cpas-saint-gilles.example.be", "le comité lit seulement");

/// Saint-Gilles with its roster imported, a coordinator and a committee account.
fn desk() -> Test {
    let t = Test::fixture("saint-gilles").at("2026-03-02");
    t.run(["members", "import", "roster.csv"]).success();
    t.user(COORDINATOR.0, "coordinator", COORDINATOR.1);
    t.user(COMMITTEE.0, "committee", COMMITTEE.1);
    t
}

/// The roster file of the fixture, with `edit` applied to its text.
fn roster_with(t: &Test, edit: impl Fn(String) -> String) -> Vec<u8> {
    edit(std::fs::read_to_string(t.path("roster.csv")).unwrap()).into_bytes()
}

/// A corrected roster: the CPAS's new address, the Commune's number as
/// Excel writes it once it dropped the leading 0, a column charte ignores.
fn corrected(t: &Test) -> Vec<u8> {
    roster_with(t, |text| {
        let text = text
            .replace("secretariat@cpas-saint-gilles.example.be,", "accueil@cpas-saint-gilles.example.be,")
            .replace(",0205.893.980,", ",205893980,");
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        for (i, line) in lines.iter_mut().enumerate() {
            line.push_str(if i == 0 { ",Téléphone" } else { ",02 000 00 00" });
        }
        lines.join("\r\n")
    })
}

fn staged_files(t: &Test) -> usize {
    std::fs::read_dir(t.path("out/staging")).map(|d| d.count()).unwrap_or(0)
}

#[test]
fn a_corrected_roster_is_previewed_then_imported_exactly_as_previewed() {
    let t = desk();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let before = t.journal_len();
    let preview = me.post_multipart("/roster/import", &[], Some(("file", "membres 2026.csv", &corrected(&t))));
    assert_eq!(preview.status, 200, "{}", preview.body);
    let b = &preview.body;
    // What changes, field by field, old → new; what is ignored and restored.
    assert!(b.contains("0 organisation(s) ajoutée(s)") && b.contains("1 modifiée(s)"), "{b}");
    assert!(b.contains("109 inchangée(s)"), "{b}");
    assert!(
        b.contains("secretariat@cpas-saint-gilles.example.be") && b.contains("accueil@cpas-saint-gilles.example.be")
    );
    assert!(b.contains("<q>Téléphone</q>"), "the ignored column is named: {b}");
    assert!(
        b.contains(
            "<li>ligne 3, colonne « numéro d&#39;entreprise » : 205893980 n&#39;a que 9 chiffres : le 0 du début, \
             qu&#39;Excel avait supprimé, a été remis (0205.893.980"
        ),
        "the restored 0, in French: {b}"
    );
    assert_eq!(t.journal_len(), before, "a preview changes nothing");
    assert_eq!(staged_files(&t), 1, "the upload waits for its confirmation");
    // Confirmed: imported, journaled under the name it was sent with.
    let fields = [
        ("id", preview.hidden("id")),
        ("sha256", preview.hidden("sha256")),
        ("plan", preview.hidden("plan")),
        ("name", preview.hidden("name")),
    ];
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = me.post_form("/roster/import/confirm", &form);
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("La liste est importée : 0 organisation(s) ajoutée(s), 1 modifiée(s)"), "{}", done.body);
    let cpas = t.members().into_iter().find(|m| m["enterprise_number"] == "0241.029.459").unwrap();
    assert_eq!(cpas["email"], "accueil@cpas-saint-gilles.example.be");
    let db = rusqlite::Connection::open(t.path("charte.db")).unwrap();
    let imported: String = db
        .query_row("SELECT payload FROM journal WHERE kind = 'roster-imported' ORDER BY seq DESC", [], |r| r.get(0))
        .unwrap();
    assert!(imported.contains("\"file\":\"membres 2026.csv\""), "the journal names the file as sent: {imported}");
    assert_eq!(staged_files(&t), 0, "the imported upload is not kept");
    // The same confirmation again: nothing waits any more, nothing changes.
    let after = t.journal_len();
    let again = me.post_form("/roster/import/confirm", &form);
    assert_eq!(again.status, 422);
    assert!(
        again.body.contains("rien n&#39;a été modifié")
            && again.body.contains("cette liste n&#39;attend plus de confirmation"),
        "{}",
        again.body
    );
    assert_eq!(t.journal_len(), after);
    // The same file once more: the preview says it changes nothing, and offers no confirmation.
    let same = me.post_multipart("/roster/import", &[], Some(("file", "membres 2026.csv", &corrected(&t))));
    assert!(same.body.contains("Ce fichier ne change rien"), "{}", same.body);
    assert!(!same.body.contains("/roster/import/confirm"));
}

#[test]
fn uploads_older_than_a_day_are_removed_when_the_server_starts() {
    let t = desk();
    std::fs::create_dir_all(t.path("out/staging")).unwrap();
    let old = t.path("out/staging/roster-0123456789abcdef0123456789abcdef.csv");
    let fresh = t.path("out/staging/roster-fedcba9876543210fedcba9876543210.csv");
    std::fs::write(&old, roster_with(&t, |text| text)).unwrap();
    std::fs::write(&fresh, roster_with(&t, |text| text)).unwrap();
    let two_days = std::time::Duration::from_secs(2 * 24 * 60 * 60);
    let file = std::fs::File::options().write(true).open(&old).unwrap();
    file.set_modified(std::time::SystemTime::now() - two_days).unwrap();
    drop(file);
    let s = t.serve();
    assert_eq!(s.login(COORDINATOR.0, COORDINATOR.1).get("/roster").status, 200);
    assert!(!old.exists(), "an upload no confirmation takes any more (personal data) is removed");
    assert!(fresh.exists(), "one still waiting for its confirmation is kept");
}

#[test]
fn a_broken_roster_shows_its_lines_and_changes_nothing() {
    let t = desk();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let before = t.snapshot();
    let broken = roster_with(&t, |text| {
        text.replace(",0241.029.459,", ",0241.029.458,")
            .replace("laura.gillet@commune-saint-gilles.example.be", "laura.gillet")
    });
    let page = me.post_multipart("/roster/import", &[], Some(("file", "membres.csv", &broken)));
    assert_eq!(page.status, 422);
    let b = &page.body;
    assert!(b.contains("ne peut pas être importé tel quel ; rien n&#39;a été modifié"), "{b}");
    // Each line in French, its column named in words, nothing in English.
    assert!(
        b.contains(
            "<li>ligne 2, colonne « numéro d&#39;entreprise » : « 0241.029.458 » n&#39;est pas un numéro \
             d&#39;entreprise valide : ses deux derniers chiffres (le contrôle) devraient être 59. Une faute de frappe ?</li>"
        ),
        "{b}"
    );
    assert!(
        b.contains(
            "<li>ligne 3, colonne « adresse e-mail du ou de la représentant·e » : « laura.gillet » n&#39;est pas une \
             adresse e-mail (il y manque le @)</li>"
        ),
        "{b}"
    );
    assert!(!b.contains("lang=\"en\"") && !b.contains("fails the mod-97 check"), "{b}");
    assert!(b.contains("action=\"/roster/import\""), "the upload form again, to send the corrected file");
    assert_eq!(t.snapshot(), before, "the journal did not move");
    assert_eq!(staged_files(&t), 0, "a file that does not read is not kept");
    // In Dutch, the same lines in a Dutch sentence.
    let nl = me.post_multipart("/roster/import?lang=nl", &[], Some(("file", "leden.csv", &broken)));
    assert!(nl.body.contains("kan niet zo worden ingevoerd"), "{}", nl.body);
    assert!(
        nl.body.contains(
            "<li>regel 2, kolom “ondernemingsnummer”: “0241.029.458” is geen geldig ondernemingsnummer: de laatste \
             twee cijfers (de controle) zouden 59 moeten zijn. Een tikfout?</li>"
        ),
        "{}",
        nl.body
    );
    assert!(nl.body.contains("<li>regel 3, kolom “e-mailadres van de vertegenwoordiger”: “laura.gillet” is geen"));
}

#[test]
fn a_confirmation_whose_file_changed_since_its_preview_is_refused() {
    let t = desk();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let preview = me.post_multipart("/roster/import", &[], Some(("file", "membres.csv", &corrected(&t))));
    let (id, sha256, plan) = (preview.hidden("id"), preview.hidden("sha256"), preview.hidden("plan"));
    let before = t.snapshot();
    // Another sha256 than the one previewed.
    let other = format!("{}0", &sha256[..63]);
    let refused = me.post_form(
        "/roster/import/confirm",
        &[("id", &id), ("sha256", &other), ("plan", &plan), ("name", "membres.csv")],
    );
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("n&#39;est plus le fichier dont vous avez vu l&#39;aperçu"), "{}", refused.body);
    // The kept file itself changed on disk since the preview.
    let kept = t.path(&format!("out/staging/roster-{id}.csv"));
    std::fs::write(&kept, roster_with(&t, |text| text.replace("member", "former"))).unwrap();
    let refused = me.post_form(
        "/roster/import/confirm",
        &[("id", &id), ("sha256", &sha256), ("plan", &plan), ("name", "membres.csv")],
    );
    assert_eq!(refused.status, 422);
    // An id that names no upload (or a path): nothing waits under it.
    let refused = me.post_form(
        "/roster/import/confirm",
        &[("id", "../../charte"), ("sha256", &sha256), ("plan", &plan), ("name", "x")],
    );
    assert_eq!(refused.status, 422);
    assert_eq!(t.snapshot(), before, "nothing was imported");
    assert!(t.members().iter().all(|m| m["status"] != "former"));
}

/// The roster changed from the command line while the coordinator looked
/// at a page: the Commune's address is now `email`.
fn commune_changed_meanwhile(t: &Test, email: &str) {
    let text = roster_with(t, |text| text.replace("secretariat@commune-saint-gilles.example.be", email));
    std::fs::write(t.path("meanwhile.csv"), text).unwrap();
    t.run(["members", "import", "meanwhile.csv"]).success();
}

#[test]
fn a_confirmation_whose_plan_changed_since_its_preview_is_refused() {
    let t = desk();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    // The preview: the CPAS changes, the Commune is unchanged.
    let preview = me.post_multipart("/roster/import", &[], Some(("file", "membres.csv", &corrected(&t))));
    assert!(preview.body.contains("1 modifiée(s)"), "{}", preview.body);
    // The command line changes the Commune; the file would now put its old address back.
    commune_changed_meanwhile(&t, "cohesion@commune-saint-gilles.example.be");
    let before = t.snapshot();
    let fields = ["id", "sha256", "plan", "name"].map(|k| (k, preview.hidden(k)));
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = me.post_form("/roster/import/confirm", &form);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("la liste des membres a changé depuis l&#39;aperçu de membres.csv"),
        "{}",
        refused.body
    );
    assert_eq!(t.snapshot(), before, "nothing was imported");
    let commune = t.members().into_iter().find(|m| m["enterprise_number"] == "0205.893.980").unwrap();
    assert_eq!(commune["email"], "cohesion@commune-saint-gilles.example.be", "the change made meanwhile stays");
    let nl = me.post_form("/roster/import/confirm?lang=nl", &form);
    assert!(nl.body.contains("de ledenlijst is veranderd sinds het overzicht van membres.csv"), "{}", nl.body);
    // Previewed again, it shows both changes, and is imported as shown.
    let again = me.post_multipart("/roster/import", &[], Some(("file", "membres.csv", &corrected(&t))));
    assert!(again.body.contains("2 modifiée(s)"), "{}", again.body);
    let fields = ["id", "sha256", "plan", "name"].map(|k| (k, again.hidden(k)));
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(me.post_form("/roster/import/confirm", &form).status, 200);
}

/// A hidden field's value as the browser sends it back (the page escapes it).
fn unescaped(value: &str) -> String {
    value.replace("&#34;", "\"").replace("&#39;", "'").replace("&#60;", "<").replace("&#62;", ">").replace("&#38;", "&")
}

#[test]
fn a_form_saved_after_a_change_made_meanwhile_keeps_that_change() {
    let t = desk();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let page = me.get("/roster/0205893980");
    let shown = unescaped(&page.hidden("shown"));
    commune_changed_meanwhile(&t, "cohesion@commune-saint-gilles.example.be");
    // The page as the browser sends it back: every field as it was shown, but the status.
    let form = |email: &'static str, status: &'static str| {
        [
            ("email", email),
            ("language", "fr"),
            ("status", status),
            ("representative", "Laura Gillet"),
            ("representative_email", "laura.gillet@commune-saint-gilles.example.be"),
            ("address", "Place Maurice Van Meenen 156, 1060 Saint-Gilles"),
            ("sectors", "cohésion sociale"),
        ]
    };
    let with_shown = |fields: &[(&'static str, &'static str)], path: &str| {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("shown", shown.as_str()));
        me.post_form(path, &all)
    };
    let saved = with_shown(&form("secretariat@commune-saint-gilles.example.be", "partner"), "/roster/0205893980");
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(saved.body.contains("Fiche enregistrée (statut)."), "only the status: {}", saved.body);
    let commune = t.run(["members", "show", "0205893980", "--json"]).success().json();
    assert_eq!(commune["email"], "cohesion@commune-saint-gilles.example.be", "the change made meanwhile stays");
    assert_eq!(commune["status"], "partner");
    // The coordinator changed the same field: refused, by the field, nothing changed.
    let before = t.journal_len();
    let refused = with_shown(&form("accueil@commune-saint-gilles.example.be", "partner"), "/roster/0205893980");
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains(
            "cette organisation a été modifiée depuis que vous avez ouvert sa page (ce champ vaut maintenant « \
             cohesion@commune-saint-gilles.example.be ») : regardez-la à nouveau"
        ),
        "{}",
        refused.body
    );
    assert_eq!(t.journal_len(), before);
    // The page made again: the status shows today's value, the email what was typed.
    assert!(refused.body.contains("value=\"accueil@commune-saint-gilles.example.be\""), "{}", refused.body);
    assert!(unescaped(&refused.hidden("shown")).contains("cohesion@commune"), "{}", refused.body);
    let nl = with_shown(&form("accueil@commune-saint-gilles.example.be", "partner"), "/roster/0205893980?lang=nl");
    assert!(nl.body.contains("deze organisatie werd gewijzigd sinds u haar pagina opende"), "{}", nl.body);
    t.run(["audit"]).success();
}

#[test]
fn an_organisation_is_edited_by_its_page_and_a_bad_field_is_shown_by_it() {
    let t = desk();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    // The roster's table, filtered, each row linking to its page.
    let roster = me.get("/roster?state=unsigned");
    assert_eq!(roster.status, 200, "{}", roster.body);
    assert!(roster.body.contains("<a href=\"/roster/0241029459\">CPAS de Saint-Gilles</a>"), "{}", roster.body);
    assert!(roster.body.contains("aria-current=\"page\">Pas signée (110)"), "{}", roster.body);
    assert!(!me.get("/roster?state=signed").body.contains("/roster/0241029459\""));
    let page = me.get("/roster/0241029459");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("value=\"secretariat@cpas-saint-gilles.example.be\""));
    assert!(page.body.contains("ajoutée à la liste des membres"), "its history in words: {}", page.body);
    assert_eq!(me.get("/roster/0241029458").status, 404);
    let form = |email: &'static str| {
        [
            ("email", email),
            ("language", "fr"),
            ("status", "member"),
            ("representative", "Nathalie Dubois"),
            ("representative_email", "nathalie.dubois@cpas-saint-gilles.example.be"),
            ("address", "Rue Fernand Bernier 212, 1060 Saint-Gilles"),
            ("sectors", "aide sociale | logement | emploi | seniors"),
        ]
    };
    let before = t.journal_len();
    let bad = me.post_form("/roster/0241029459", &form("Accueil <accueil@cpas.example.be>"));
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("class=\"field-error\" id=\"email-error\""), "{}", bad.body);
    assert!(
        bad.body.contains(
            "<p class=\"field-error\" id=\"email-error\">« Accueil &#60;accueil@cpas.example.be&#62; » n&#39;est pas une \
             simple adresse : écrivez l&#39;adresse seule"
        ),
        "the roster's own rule, in French: {}",
        bad.body
    );
    assert!(bad.body.contains("<li>adresse e-mail : « Accueil"), "the field named in words: {}", bad.body);
    assert!(bad.body.contains("aria-invalid=\"true\" aria-describedby=\"email-error\""));
    assert_eq!(t.journal_len(), before);
    let good = me.post_form("/roster/0241029459", &form("accueil@cpas-saint-gilles.example.be"));
    assert_eq!(good.status, 200, "{}", good.body);
    assert!(good.body.contains("Fiche enregistrée (adresse e-mail)."), "only the email changed: {}", good.body);
    let shown = t.run(["members", "show", "0241029459", "--json"]).success().json();
    assert_eq!(shown["email"], "accueil@cpas-saint-gilles.example.be");
    assert_eq!(shown["sectors"], serde_json::json!(["aide sociale", "logement", "emploi", "seniors"]));
    assert_eq!(shown["history"].as_array().unwrap().last().unwrap()["kind"], "organisation-changed");
    t.run(["audit"]).success();
}

#[test]
fn the_charter_text_is_saved_and_a_version_adopted() {
    let t = desk();
    let s = t.serve();
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    let page = me.get("/charter");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<th scope=\"row\">2024-01</th><td>25/01/2024</td>"), "{}", page.body);
    let saved = me.post_form("/charter/text", &[("lang", "fr"), ("text", "# Charte 2026\r\n\r\nNous coopérons.")]);
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(saved.body.contains("Il ne compte qu&#39;une fois adopté"), "{}", saved.body);
    assert_eq!(std::fs::read_to_string(t.path("charter/fr.md")).unwrap(), "# Charte 2026\n\nNous coopérons.\n");
    let empty = me.post_form("/charter/text", &[("lang", "fr"), ("text", "  ")]);
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("le texte est vide : rien n&#39;a été modifié"), "{}", empty.body);
    assert!(!empty.body.contains("lang=\"en\""), "the refusal is said in French: {}", empty.body);
    let big = "x".repeat(300 * 1024);
    let too_large = me.post_form("/charter/text?lang=nl", &[("lang", "fr"), ("text", &big)]);
    assert_eq!(too_large.status, 422);
    assert!(too_large.body.contains("de tekst is groter dan 256 kB"), "{}", too_large.body);
    assert_eq!(std::fs::read_to_string(t.path("charter/fr.md")).unwrap(), "# Charte 2026\n\nNous coopérons.\n");
    // The example `charte init` writes is shown as such, and no version is adopted with it.
    let example = std::fs::read_to_string(crate::harness::repo().join("templates/workspace/charter.fr.md")).unwrap();
    let shown = me.post_form("/charter/text", &[("lang", "fr"), ("text", &example)]);
    assert!(shown.body.contains("C'est encore le texte d'exemple"), "{}", shown.body);
    let refused = me.post_form("/charter/adopt", &[("version", "2026-03"), ("date", "2026-03-02")]);
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("le texte en français est encore l&#39;exemple installé avec charte"),
        "{}",
        refused.body
    );
    me.post_form("/charter/text", &[("lang", "fr"), ("text", "# Charte 2026\r\n\r\nNous coopérons.")]);
    let adopted = me.post_form("/charter/adopt", &[("version", "2026-03"), ("date", "2026-03-02")]);
    assert_eq!(adopted.status, 200, "{}", adopted.body);
    assert!(adopted.body.contains("La version 2026-03 est enregistrée, adoptée le 02/03/2026"), "{}", adopted.body);
    let listed = t.run(["charter", "list"]).success().stdout;
    assert!(listed.contains("2026-03"), "{listed}");
    // The same version again: refused by the form, nothing changed.
    let before = t.journal_len();
    let again = me.post_form("/charter/adopt", &[("version", "2026-03"), ("date", "02/03/2026")]);
    assert_eq!(again.status, 422);
    assert!(again.body.contains("la version 2026-03 a déjà été adoptée, le lundi 2 mars 2026"), "{}", again.body);
    assert!(again.body.contains("value=\"2026-03\""), "{}", again.body);
    let nl = me.post_form("/charter/adopt?lang=nl", &[("version", "2026-03"), ("date", "02/03/2026")]);
    assert!(nl.body.contains("versie 2026-03 werd al aangenomen, op maandag 2 maart 2026"), "{}", nl.body);
    assert_eq!(t.journal_len(), before);
}

#[test]
fn a_committee_account_changes_nothing_on_the_roster_nor_the_charter() {
    let t = desk();
    let s = t.serve();
    let committee = s.login(COMMITTEE.0, COMMITTEE.1);
    let before = t.snapshot();
    assert_eq!(committee.get("/roster").status, 403);
    assert_eq!(committee.post_form("/roster/0241029459", &[("email", "x@example.be")]).status, 403);
    assert_eq!(committee.post_form("/charter/adopt", &[("version", "2026-03"), ("date", "2026-03-02")]).status, 403);
    assert_eq!(committee.post_form("/charter/text", &[("lang", "fr"), ("text", "Rien")]).status, 403);
    let upload = committee.post_multipart("/roster/import", &[], Some(("file", "membres.csv", &corrected(&t))));
    assert_eq!(upload.status, 403);
    assert_eq!(t.snapshot(), before);
    assert_eq!(staged_files(&t), 0);
    // A coordinator's form without its token: refused too.
    let me = s.login(COORDINATOR.0, COORDINATOR.1);
    assert_eq!(me.post_raw("/roster/0241029459", "email=x%40example.be").status, 403);
}
