//! Names inside sentences: French elision and contracted articles ("de la
//! Coordination sociale…", "du Relais social…", "d'Alpha Woluwe",
//! "du Pont" for an organisation called "Le Pont"), the Dutch "van de /
//! van het", and the plural of a counted word.
//!
//! The templates never glue "de " in front of a name themselves: a name
//! beginning with a vowel or with an article would come out as "de
//! Épicerie" or "de Le Pont". They receive the phrases made here instead.
//!
//! The article of a name is known only for the words institutions are
//! usually named with (Coordination, Relais, CPAS, Maison, Service…): a
//! name that starts with another word (a brand, a person's name, a Dutch
//! name in a French sentence) gets no article, which is always correct
//! French ("de Wolu-Entraide", "d'Alpha Woluwe").

/// A French definite article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Article {
    /// "le" (masculine singular).
    Le,
    /// "la" (feminine singular).
    La,
    /// "les" (plural).
    Les,
}

/// Words after which an initial "h" is not elided (h aspiré): "de la Halte-
/// garderie", "de Handi-Woluwe". Matched as prefixes of the folded word.
const H_ASPIRE: &[&str] =
    &["hall", "halte", "hameau", "handi", "hangar", "hasard", "haut", "hêtre", "hibou", "honte", "hors", "hutte"];

/// Institutional nouns whose article is certain, by first word (folded to
/// lower case, accents kept).
const FRENCH_NOUNS: &[(&str, Article)] = &[
    ("administration", Article::La),
    ("agence", Article::La),
    ("amicale", Article::La),
    ("antenne", Article::La),
    ("association", Article::La),
    ("asbl", Article::La),
    ("bibliothèque", Article::La),
    ("bureau", Article::Le),
    ("cellule", Article::La),
    ("centre", Article::Le),
    ("collectif", Article::Le),
    ("comité", Article::Le),
    ("commune", Article::La),
    ("concertation", Article::La),
    ("conférence", Article::La),
    ("conseil", Article::Le),
    ("coordination", Article::La),
    ("cpas", Article::Le),
    ("crèche", Article::La),
    ("école", Article::La),
    ("entraide", Article::La),
    ("épicerie", Article::La),
    ("espace", Article::Le),
    ("fédération", Article::La),
    ("fondation", Article::La),
    ("groupe", Article::Le),
    ("halte-garderie", Article::La),
    ("maison", Article::La),
    ("mission", Article::La),
    ("ocmw", Article::Le),
    ("plateforme", Article::La),
    ("plate-forme", Article::La),
    ("projet", Article::Le),
    ("régie", Article::La),
    ("relais", Article::Le),
    ("réseau", Article::Le),
    ("résidence", Article::La),
    ("restaurant", Article::Le),
    ("service", Article::Le),
    ("ville", Article::La),
];

/// Dutch nouns (anywhere among the first two words) and their article.
const DUTCH_NOUNS: &[(&str, &str)] = &[
    ("centrum", "het"),
    ("coördinatie", "de"),
    ("coordinatie", "de"),
    ("dienst", "de"),
    ("gemeente", "de"),
    ("netwerk", "het"),
    ("ocmw", "het"),
    ("overleg", "het"),
    ("platform", "het"),
    ("vereniging", "de"),
];

/// The article institutions named `name` take in French, when its first
/// word says it ("Coordination sociale…" → la, "CPAS de…" → le).
pub fn french_article(name: &str) -> Option<Article> {
    let first = first_word(name).to_lowercase();
    FRENCH_NOUNS.iter().find(|(noun, _)| *noun == first).map(|(_, article)| *article)
}

/// "de" + `name`, elided and contracted as French wants it, with
/// `article` in front of the name where it takes one:
/// ("Coordination sociale d'Ixelles", la) → "de la Coordination sociale
/// d'Ixelles"; ("Relais social…", le) → "du Relais social…"; ("Épicerie
/// sociale", la) → "de l'Épicerie sociale"; ("Alpha Woluwe", none) →
/// "d'Alpha Woluwe"; ("Le Pont", none) → "du Pont"; ("Les Lutins", none)
/// → "des Lutins".
pub fn de(name: &str, article: Option<Article>) -> String {
    let name = name.trim();
    match article {
        Some(Article::Les) => format!("des {name}"),
        Some(_) if elides(name) => format!("de l'{name}"),
        Some(Article::Le) => format!("du {name}"),
        Some(Article::La) => format!("de la {name}"),
        None => {
            // A name that starts with its own article contracts with "de".
            if let Some(rest) = strip_word(name, "le") {
                format!("du {rest}")
            } else if let Some(rest) = strip_word(name, "les") {
                format!("des {rest}")
            } else if elides(name) {
                format!("d'{name}")
            } else {
                format!("de {name}")
            }
        }
    }
}

/// `name` with its French definite article: "la Coordination…", "le
/// CPAS…", "l'Épicerie…"; unchanged without an article.
pub fn with_article(name: &str, article: Option<Article>) -> String {
    let name = name.trim();
    match article {
        None => name.to_owned(),
        Some(Article::Les) => format!("les {name}"),
        Some(_) if elides(name) => format!("l'{name}"),
        Some(Article::Le) => format!("le {name}"),
        Some(Article::La) => format!("la {name}"),
    }
}

/// "van" + `name`, with "de" or "het" where the name's noun says which:
/// "van de Sociale coördinatie Elsene", "van het OCMW van Elsene".
pub fn van(name: &str) -> String {
    match dutch_article(name) {
        Some(article) => format!("van {article} {}", name.trim()),
        None => format!("van {}", name.trim()),
    }
}

/// `name` with its Dutch article where the name's noun says which.
pub fn dutch_with_article(name: &str) -> String {
    match dutch_article(name) {
        Some(article) => format!("{article} {}", name.trim()),
        None => name.trim().to_owned(),
    }
}

fn dutch_article(name: &str) -> Option<&'static str> {
    name.split_whitespace().take(2).find_map(|word| {
        let word = word.to_lowercase();
        DUTCH_NOUNS.iter().find(|(noun, _)| *noun == word).map(|(_, article)| *article)
    })
}

/// `one` or `many` by `n` in `lang` ("fr", "nl"), with `{n}` replaced by
/// the number: no "réunion(s)" on a page. French counts 0 and 1 in the
/// singular ("0 réunion tenue"), Dutch only 1 ("0 vergaderingen").
pub fn plural(lang: &str, n: i64, one: &str, many: &str) -> String {
    let singular = if lang == "fr" { n.abs() < 2 } else { n == 1 };
    let form = if singular { one } else { many };
    form.replace("{n}", &n.to_string())
}

/// Whether French elides "de" / "le" before `word`: a vowel, or an "h"
/// that is not aspiré.
fn elides(word: &str) -> bool {
    let Some(first) = word.chars().next() else {
        return false;
    };
    let lower: String = first.to_lowercase().collect();
    if "aàâäeéèêëiîïoôöuùûüyœæ".contains(lower.as_str()) {
        return true;
    }
    if lower == "h" {
        let folded = first_word(word).to_lowercase();
        return !H_ASPIRE.iter().any(|h| folded.starts_with(h));
    }
    false
}

/// The first word of `name`, up to a space (a hyphenated word stays whole:
/// "Halte-garderie").
fn first_word(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("")
}

/// What follows `article` (any case) and a space at the start of `name`.
fn strip_word<'a>(name: &'a str, article: &str) -> Option<&'a str> {
    let (first, rest) = name.split_once(' ')?;
    (first.to_lowercase() == article && !rest.trim().is_empty()).then(|| rest.trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn de_elides_and_contracts() {
        let table: &[(&str, Option<Article>, &str)] = &[
            ("Coordination sociale d'Ixelles", Some(Article::La), "de la Coordination sociale d'Ixelles"),
            ("Relais social intercommunal", Some(Article::Le), "du Relais social intercommunal"),
            ("Épicerie sociale Le Panier", Some(Article::La), "de l'Épicerie sociale Le Panier"),
            ("Épicerie sociale Le Panier", None, "d'Épicerie sociale Le Panier"),
            ("Maison des jeunes", None, "de Maison des jeunes"),
            ("Alpha Woluwe asbl", None, "d'Alpha Woluwe asbl"),
            ("OCMW van Elsene", Some(Article::Le), "de l'OCMW van Elsene"),
            ("Habitat et Rénovation", None, "d'Habitat et Rénovation"),
            ("Handi-Woluwe asbl", None, "de Handi-Woluwe asbl"),
            ("Halte-garderie Les Lutins", Some(Article::La), "de la Halte-garderie Les Lutins"),
            ("Le Pont", None, "du Pont"),
            ("Les Petits Riens", None, "des Petits Riens"),
            ("La Marmite", None, "de La Marmite"),
            ("L'Îlot", None, "de L'Îlot"),
            ("Petits Riens", Some(Article::Les), "des Petits Riens"),
            ("Yvoir solidaire", None, "d'Yvoir solidaire"),
            ("  CPAS de Woluwe ", Some(Article::Le), "du CPAS de Woluwe"),
            ("Le", None, "de Le"),
        ];
        for (name, article, expected) in table {
            assert_eq!(de(name, *article), *expected, "{name} {article:?}");
        }
    }

    #[test]
    fn the_article_of_institutions_is_read_from_their_first_word() {
        let table: &[(&str, Option<Article>, &str)] = &[
            ("Coordination sociale d'Ans", Some(Article::La), "la Coordination sociale d'Ans"),
            ("Relais social intercommunal de la province de Luxembourg", Some(Article::Le), "le Relais social"),
            ("CPAS d'Ixelles", Some(Article::Le), "le CPAS d'Ixelles"),
            ("Épicerie sociale", Some(Article::La), "l'Épicerie sociale"),
            ("Service d'aide aux familles", Some(Article::Le), "le Service d'aide"),
            ("Wolu-Entraide asbl", None, "Wolu-Entraide asbl"),
            ("Sociale coördinatie Elsene", None, "Sociale coördinatie Elsene"),
        ];
        for (name, article, start) in table {
            assert_eq!(french_article(name), *article, "{name}");
            assert!(with_article(name, *article).starts_with(start), "{name}");
        }
    }

    #[test]
    fn dutch_van_de_and_van_het() {
        assert_eq!(van("Sociale coördinatie Elsene"), "van de Sociale coördinatie Elsene");
        assert_eq!(van("OCMW van Sint-Lambrechts-Woluwe"), "van het OCMW van Sint-Lambrechts-Woluwe");
        assert_eq!(van("Taalpunt Woluwe vzw"), "van Taalpunt Woluwe vzw");
        assert_eq!(dutch_with_article("OCMW van Elsene"), "het OCMW van Elsene");
    }

    #[test]
    fn plural_by_number() {
        let fr = |n| plural("fr", n, "{n} réunion tenue", "{n} réunions tenues");
        assert_eq!([fr(0), fr(1), fr(2)], ["0 réunion tenue", "1 réunion tenue", "2 réunions tenues"]);
        let nl = |n| plural("nl", n, "{n} vergadering", "{n} vergaderingen");
        assert_eq!([nl(0), nl(1), nl(3)], ["0 vergaderingen", "1 vergadering", "3 vergaderingen"]);
    }
}
