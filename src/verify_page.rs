//! The verification page: one HTML page on which a funder or an
//! association checks a sealed document, a signed return or a report in
//! its own browser, with nothing to install and without the file ever
//! leaving its machine (DESIGN.md, "The web application").
//!
//! The page holds the coordination's keys (the current one, and the former
//! ones with the day each retired) and the register of the members' own
//! keys, as a JSON data block; its script (assets/verify/verify.js)
//! rebuilds the seal revision byte for byte as docs/seal.md says and checks
//! the signatures with the browser's WebCrypto (SHA-256, Ed25519).
//!
//! Two forms of the same page: [`Assets::Inline`], the file written as
//! out/verify.html, which works opened from disk with no network (script
//! and style inlined, allowed by their hashes in its Content-Security-
//! Policy, which allows nothing else: no connection, no form); and
//! [`Assets::Linked`], the page `charte serve` answers at `/verify`, which
//! loads the very same script and style as assets (the server's policy
//! allows no inline script).

use crate::roster::Language;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The page's script, served at `/verify.js` by `charte serve`.
pub const SCRIPT: &str = include_str!("../assets/verify/verify.js");
/// The page's style, served at `/verify.css`.
pub const STYLE: &str = include_str!("../assets/verify/verify.css");
const PAGE: &str = include_str!("../assets/verify/page.html.hbs");

/// Where the page's script and style come from.
#[derive(Debug, Clone, Copy)]
pub enum Assets<'a> {
    /// Inlined: the file out/verify.html.
    Inline,
    /// Loaded from these paths of the same site: `/verify`.
    Linked { script: &'a str, style: &'a str },
}

/// What the page trusts and who it speaks for.
#[derive(Debug, Clone, Serialize)]
pub struct Held {
    /// The coordination's main language: the page's first one when the
    /// visitor's browser asks for neither French nor Dutch.
    pub language: Language,
    #[serde(skip)]
    pub name_fr: String,
    #[serde(skip)]
    pub name_nl: String,
    /// The coordination's keys, the current one first, then the former
    /// ones, each with the day it retired.
    pub keys: Vec<HeldKey>,
    /// The members' registered keys: a return signed with one of them
    /// names its organisation.
    pub members: Vec<MemberKey>,
    /// The day the page was written.
    #[serde(skip)]
    pub written: chrono::NaiveDate,
}

/// One of the coordination's keys.
#[derive(Debug, Clone, Serialize)]
pub struct HeldKey {
    /// Base64 of the 32 key bytes.
    pub public_key: String,
    pub fingerprint: String,
    /// `YYYY-MM-DD`, for a former key: it sealed nothing after that day.
    pub retired: Option<String>,
}

/// An organisation's registered key.
#[derive(Debug, Clone, Serialize)]
pub struct MemberKey {
    pub organisation: String,
    pub enterprise_number: String,
    /// Base64 of the 32 key bytes.
    pub public_key: String,
}

/// The page's template, registered once (it is part of the binary).
static ENGINE: std::sync::LazyLock<Result<handlebars::Handlebars<'static>, String>> = std::sync::LazyLock::new(|| {
    let mut engine = handlebars::Handlebars::new();
    engine.set_strict_mode(true);
    engine.register_template_string("page", PAGE).map_err(|e| e.to_string())?;
    Ok(engine)
});

/// The file's Content-Security-Policy: its inline script and style by
/// their hashes, and nothing else.
static INLINE_POLICY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "default-src 'none'; script-src '{}'; style-src '{}'; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(SCRIPT),
        csp_hash(STYLE)
    )
});

/// The page's HTML, in the coordination's main language until the
/// visitor's browser (or choice) says otherwise.
pub fn page(held: &Held, assets: Assets<'_>) -> crate::Result<String> {
    let engine =
        ENGINE.as_ref().map_err(|e| crate::Error::internal(format!("the verification page's template: {e}")))?;
    let held_json = serde_json::to_string(held)
        .map_err(|e| crate::Error::internal(e.to_string()))?
        // In a data block, "<" could end the element: JSON allows it escaped.
        .replace('<', "\\u003c");
    let csp = match assets {
        Assets::Inline => INLINE_POLICY.clone(),
        Assets::Linked { .. } => {
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; \
             form-action 'none'"
                .to_owned()
        }
    };
    let (script_href, style_href) = match assets {
        Assets::Inline => ("", ""),
        Assets::Linked { script, style } => (script, style),
    };
    let (fr, nl) = (held.name_fr.as_str(), held.name_nl.as_str());
    let nl_first = held.language == Language::Nl;
    let held_fingerprint = held.keys.first().map_or("—", |k| k.fingerprint.as_str());
    let former = held.keys.iter().skip(1).map(|k| k.fingerprint.as_str()).collect::<Vec<_>>().join(", ");
    let date = held.written.format("%Y-%m-%d").to_string();
    let data = serde_json::json!({
        "lang": if nl_first { "nl" } else { "fr" },
        "nl": nl_first,
        "csp": csp,
        "inline": matches!(assets, Assets::Inline),
        // Inlined in the file only: the served page links them.
        "script": if matches!(assets, Assets::Inline) { SCRIPT } else { "" },
        "style": if matches!(assets, Assets::Inline) { STYLE } else { "" },
        "script_href": script_href,
        "style_href": style_href,
        "name": if nl_first { nl } else { fr },
        "name_fr": fr,
        "name_nl": nl,
        "held_fingerprint": held_fingerprint,
        "held_json": held_json,
        "lead_fr": format!(
            "Choisissez ci-dessous un document émis par {fr} : cette page vérifie qu'il est authentique et n'a pas \
             été modifié. Le fichier ne quitte pas votre ordinateur : tout se passe dans ce navigateur, sans \
             connexion."
        ),
        "lead_nl": format!(
            "Kies hieronder een document dat {nl} uitgaf: deze pagina gaat na of het echt is en niet gewijzigd \
             werd. Het bestand verlaat uw computer niet: alles gebeurt in deze browser, zonder verbinding."
        ),
        "held_fr": format!(
            "Cette page vérifie les documents avec cette clé. Comparez son empreinte avec celle qui est imprimée \
             sur le document et avec celle que la coordination vous a communiquée par un autre canal (courrier, \
             site internet, réunion) : si elles diffèrent, cette page ne vient pas de la coordination.{}",
            if former.is_empty() { String::new() } else { format!(" Elle connaît aussi ses anciennes clés : {former}.") }
        ),
        "held_nl": format!(
            "Deze pagina gaat documenten na met deze sleutel. Vergelijk de vingerafdruk met die op het document \
             en met die welke de coördinatie u langs een andere weg bezorgde (brief, website, vergadering): als ze \
             verschillen, komt deze pagina niet van de coördinatie.{}",
            if former.is_empty() { String::new() } else { format!(" Ze kent ook haar vroegere sleutels: {former}.") }
        ),
        "previous_fr": "Donnez aussi le rapport précédent du même type (celui de l'année passée, par exemple) : \
             la page vérifiera que l'historique de la coordination n'a pas été réécrit entre les deux.",
        "previous_nl": "Geef ook het vorige verslag van dezelfde soort (dat van vorig jaar, bijvoorbeeld): de \
             pagina gaat dan na dat de geschiedenis van de coördinatie tussen beide niet herschreven werd.",
        "footer_fr": format!(
            "Page écrite par charte le {date} pour {fr}. Elle fonctionne hors ligne ; elle vérifie avec la \
             cryptographie de votre navigateur (SHA-256, Ed25519) selon le format décrit dans la documentation du \
             sceau de charte (docs/seal.md)."
        ),
        "footer_nl": format!(
            "Pagina geschreven door charte op {date} voor {nl}. Ze werkt zonder verbinding; ze gaat na met de \
             cryptografie van uw browser (SHA-256, Ed25519) volgens het formaat dat de documentatie van het zegel \
             van charte beschrijft (docs/seal.md)."
        ),
    });
    engine.render("page", &data).map_err(|e| crate::Error::internal(format!("the verification page: {e}")))
}

/// A Content-Security-Policy source allowing exactly this inline text.
fn csp_hash(text: &str) -> String {
    format!("sha256-{}", BASE64.encode(Sha256::digest(text.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held() -> Held {
        Held {
            language: Language::Fr,
            name_fr: "Coordination sociale d'Ans </script>".into(),
            name_nl: "Sociale coördinatie Ans".into(),
            keys: vec![HeldKey { public_key: "AAAA".into(), fingerprint: "0011223344556677".into(), retired: None }],
            members: vec![MemberKey {
                organisation: "Asbl <b>".into(),
                enterprise_number: "0123.456.749".into(),
                public_key: "BBBB".into(),
            }],
            written: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date"),
        }
    }

    #[test]
    fn the_file_inlines_its_script_allowed_by_its_hash_and_nothing_else() {
        let html = page(&held(), Assets::Inline).expect("renders");
        assert!(html.contains(SCRIPT), "the script is inlined whole");
        // In the attribute, handlebars writes ' and = as character references.
        let policy = html.replace("&#x27;", "'").replace("&#x3D;", "=");
        assert!(policy.contains(&format!("script-src '{}'", csp_hash(SCRIPT))));
        assert!(policy.contains(&format!("style-src '{}'", csp_hash(STYLE))));
        assert!(policy.contains("default-src 'none'"), "no connection, no other resource");
        assert!(!html.contains("src=\""), "no resource loaded: {html}");
        assert!(!SCRIPT.contains("</script") && !STYLE.contains("</style"), "the assets cannot end their element");
    }

    #[test]
    fn the_served_page_loads_the_same_script_and_inlines_none() {
        let html = page(&held(), Assets::Linked { script: "/verify.js", style: "/verify.css" }).expect("renders");
        assert!(html.contains("<script src=\"/verify.js\"></script>"));
        assert!(html.contains("<link rel=\"stylesheet\" href=\"/verify.css\">"));
        assert!(!html.contains(SCRIPT.lines().nth(12).expect("a line")), "no inline script");
        // The only inline <script> is the JSON data block, which no CSP runs.
        assert_eq!(html.matches("<script>").count(), 0);
        assert_eq!(html.matches("<script type=\"application/json\"").count(), 1);
    }

    #[test]
    fn names_cannot_break_out_of_the_page() {
        let html = page(&held(), Assets::Inline).expect("renders");
        assert!(!html.contains("Ans </script>"), "names are escaped in the HTML");
        assert!(!html.contains("Asbl <b>"), "and in the data block");
        let start = html.find("id=\"charte-keys\">").expect("the data block") + "id=\"charte-keys\">".len();
        let end = start + html[start..].find("</script>").expect("its end");
        let data: serde_json::Value = serde_json::from_str(&html[start..end]).expect("the data block is JSON");
        assert_eq!(data["members"][0]["organisation"], "Asbl <b>");
        assert_eq!(data["keys"][0]["fingerprint"], "0011223344556677");
        assert_eq!(data["language"], "fr");
    }
}
