//! A deliberately small Markdown reader for charter texts.
//!
//! Charter texts are written by coordinators in plain Markdown and must
//! never reach Typst as markup (a `#` or `$` in a charter would be code or
//! maths). They become a JSON array of blocks that the template lays out:
//!
//! ```json
//! [{"kind": "heading", "level": 1, "text": "Préambule"},
//!  {"kind": "paragraph", "spans": [{"text": "Les ", "strong": false},
//!                                  {"text": "membres", "strong": true}]},
//!  {"kind": "list", "ordered": false, "items": [[{"text": "…", "strong": false}]]}]
//! ```
//!
//! Understood: `#`, `##`, `###` headings (deeper ones count as level 3),
//! paragraphs (consecutive lines, joined by a space), `- ` / `* ` / `+ `
//! bullet items, `1. ` / `1) ` numbered items, a line continuing the item
//! above (until a blank line), and `**bold**` inside paragraphs and items.
//! A backslash makes the next character literal (`\*`). Everything else is
//! text.

use serde_json::{Value, json};

/// The blocks of `md` as a JSON array (see the module documentation).
pub fn markdown_blocks(md: &str) -> Value {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Option<(bool, Vec<String>)> = None;

    for raw in md.lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();

        if trimmed.is_empty() {
            flush_paragraph(&mut paragraph, &mut blocks);
            flush_list(&mut list, &mut blocks);
            continue;
        }
        if let Some((level, text)) = heading(trimmed) {
            flush_paragraph(&mut paragraph, &mut blocks);
            flush_list(&mut list, &mut blocks);
            blocks.push(json!({"kind": "heading", "level": level, "text": plain(text)}));
            continue;
        }
        if let Some((ordered, text)) = list_item(trimmed) {
            flush_paragraph(&mut paragraph, &mut blocks);
            if list.as_ref().is_some_and(|(o, _)| *o != ordered) {
                flush_list(&mut list, &mut blocks);
            }
            list.get_or_insert_with(|| (ordered, Vec::new())).1.push(text.to_owned());
            continue;
        }
        // Inside a list, any other line continues the last item.
        if let Some(last) = list.as_mut().and_then(|(_, items)| items.last_mut()) {
            last.push(' ');
            last.push_str(trimmed);
            continue;
        }
        paragraph.push(trimmed);
    }
    flush_paragraph(&mut paragraph, &mut blocks);
    flush_list(&mut list, &mut blocks);
    Value::Array(blocks)
}

fn flush_paragraph(lines: &mut Vec<&str>, blocks: &mut Vec<Value>) {
    if !lines.is_empty() {
        let text = lines.join(" ");
        blocks.push(json!({"kind": "paragraph", "spans": spans(&text)}));
        lines.clear();
    }
}

fn flush_list(list: &mut Option<(bool, Vec<String>)>, blocks: &mut Vec<Value>) {
    if let Some((ordered, items)) = list.take() {
        let items: Vec<Value> = items.iter().map(|item| spans(item)).collect();
        blocks.push(json!({"kind": "list", "ordered": ordered, "items": items}));
    }
}

/// `# Title` → (1, "Title"); `#hashtag` is not a heading.
fn heading(line: &str) -> Option<(usize, &str)> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if hashes == 0 {
        return None;
    }
    let rest = &line[hashes..];
    if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t')) {
        return None;
    }
    let text = rest.trim().trim_end_matches('#').trim_end();
    Some((hashes.min(3), text))
}

/// `- item` → (false, "item"); `3. item` → (true, "item").
fn list_item(line: &str) -> Option<(bool, &str)> {
    for bullet in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(bullet) {
            // "**bold** paragraph" starts with "* " only if followed by space.
            return Some((false, rest.trim_start()));
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let rest = &line[digits..];
        if let Some(rest) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some((true, rest.trim_start()));
        }
    }
    None
}

/// Splits `text` on `**` into plain and strong spans; an unmatched `**`
/// stays literal; `\x` is a literal `x`.
fn spans(text: &str) -> Value {
    // Tokenise into literal text and `**` markers.
    enum Tok {
        Text(String),
        Star2,
    }
    let mut toks = Vec::new();
    let mut buf = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) => buf.push(next),
                None => buf.push('\\'),
            },
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if !buf.is_empty() {
                    toks.push(Tok::Text(std::mem::take(&mut buf)));
                }
                toks.push(Tok::Star2);
            }
            _ => buf.push(c),
        }
    }
    if !buf.is_empty() {
        toks.push(Tok::Text(buf));
    }

    // A marker opens bold only if a later marker closes it.
    let markers = toks.iter().filter(|t| matches!(t, Tok::Star2)).count();
    let usable = markers - markers % 2;
    let mut seen = 0;
    let mut strong = false;
    let mut out: Vec<(String, bool)> = Vec::new();
    for tok in toks {
        let (piece, is_strong) = match tok {
            Tok::Star2 if seen < usable => {
                seen += 1;
                strong = !strong;
                continue;
            }
            Tok::Star2 => ("**".to_owned(), strong),
            Tok::Text(t) => (t, strong),
        };
        match out.last_mut() {
            Some((text, s)) if *s == is_strong => text.push_str(&piece),
            _ => out.push((piece, is_strong)),
        }
    }
    Value::Array(
        out.into_iter()
            .filter(|(t, _)| !t.is_empty())
            .map(|(text, strong)| json!({"text": text, "strong": strong}))
            .collect(),
    )
}

/// A heading's text: bold markers and escapes removed.
fn plain(text: &str) -> String {
    match spans(text) {
        Value::Array(items) => items.iter().filter_map(|s| s.get("text").and_then(Value::as_str)).collect(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_paragraphs_lists_and_bold() {
        let md = "# Préambule\n\nLes **membres** s'engagent\nà respecter.\n\n## Article 1\n- un\n- **deux** et\n  suite\n\n1. premier\n2) second\n";
        let blocks = markdown_blocks(md);
        assert_eq!(
            blocks,
            json!([
                {"kind": "heading", "level": 1, "text": "Préambule"},
                {"kind": "paragraph", "spans": [
                    {"text": "Les ", "strong": false},
                    {"text": "membres", "strong": true},
                    {"text": " s'engagent à respecter.", "strong": false}]},
                {"kind": "heading", "level": 2, "text": "Article 1"},
                {"kind": "list", "ordered": false, "items": [
                    [{"text": "un", "strong": false}],
                    [{"text": "deux", "strong": true}, {"text": " et suite", "strong": false}]]},
                {"kind": "list", "ordered": true, "items": [
                    [{"text": "premier", "strong": false}],
                    [{"text": "second", "strong": false}]]}
            ])
        );
    }

    #[test]
    fn unmatched_markers_and_escapes_stay_literal() {
        assert_eq!(
            spans(r"a **b** c ** d \*\* e"),
            json!([
                {"text": "a ", "strong": false},
                {"text": "b", "strong": true},
                {"text": " c ** d ** e", "strong": false}
            ])
        );
    }

    #[test]
    fn typst_syntax_is_just_text() {
        let blocks = markdown_blocks("#read(\"/data.json\") $x$ <y> @z");
        assert_eq!(
            blocks,
            json!([{"kind": "paragraph", "spans": [
                {"text": "#read(\"/data.json\") $x$ <y> @z", "strong": false}]}])
        );
    }

    #[test]
    fn deep_headings_are_level_three() {
        assert_eq!(markdown_blocks("#### Deep ###"), json!([{"kind": "heading", "level": 3, "text": "Deep"}]));
    }
}
