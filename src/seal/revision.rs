//! The seal revision: one incremental update appended to the rendered PDF,
//! written by hand in a fixed layout so that it is a pure function of the
//! rendered bytes and the seal bytes. A verifier rebuilds it and compares
//! byte for byte: nothing in it can be chosen by anyone holding the file.
//! The layout is specified in docs/seal.md; keep the two in step.
//!
//! Requirements on the rendered PDF (Typst's output meets them): a classic
//! cross-reference table (no xref stream) ending the file, a trailer with
//! /Size, /Root, /Info and /ID, a catalog without /Names or /AF, an Info
//! dictionary without our keys, and both dictionaries as direct objects.

use std::io::Write;
use std::ops::Range;

use lopdf::xref::XrefEntry;
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::Manifest;

/// Name of the embedded seal file.
pub(super) const SEAL_FILE_NAME: &str = "charte-seal.json";
/// Description of the embedded seal file.
const SEAL_DESC: &str = "charte seal: manifest of this document signed by the coordination";

/// What the seal revision takes from the rendered PDF.
struct Prefix {
    /// The trailer's /Size: first free object number.
    size: u32,
    root: ObjectId,
    info: ObjectId,
    /// The trailer's /ID strings.
    id: (Vec<u8>, Vec<u8>),
    /// Offset of the last cross-reference table.
    startxref: u64,
    /// The bytes between `<<` and `>>` of the catalog and the Info objects.
    root_inner: Range<usize>,
    info_inner: Range<usize>,
}

/// Builds the seal revision for `prefix` (the rendered PDF) carrying
/// `seal` (the seal file's bytes), whose manifest is `manifest`.
pub(super) fn build(prefix: &[u8], seal: &[u8], manifest: &Manifest) -> Result<Vec<u8>, String> {
    let p = analyse(prefix)?;
    let date = manifest
        .issued_date()
        .ok_or_else(|| format!("issue date {:?} is not YYYY-MM-DD", manifest.issued))?
        .format("%Y%m%d")
        .to_string();
    if !manifest.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("the manifest's sha256 is not hexadecimal".into());
    }
    let (file_obj, spec_obj) = (p.size, p.size + 1);

    let mut tail: Vec<u8> = Vec::with_capacity(seal.len() + 2048);
    if !matches!(prefix.last(), Some(b'\n' | b'\r')) {
        tail.push(b'\n');
    }
    let base = prefix.len();
    let mut offsets: Vec<(u32, u16, usize)> = Vec::new();

    // Writing into a Vec cannot fail: the results of write! are ignored.
    offsets.push((file_obj, 0, base + tail.len()));
    let _ = write!(
        tail,
        "{file_obj} 0 obj\n<</Type/EmbeddedFile/Subtype/application#2Fjson/Params<</Size {len}/ModDate(D:{date}000000Z)>>/Length {len}>>\nstream\n",
        len = seal.len()
    );
    tail.extend_from_slice(seal);
    tail.extend_from_slice(b"\nendstream\nendobj\n");

    offsets.push((spec_obj, 0, base + tail.len()));
    let _ = write!(
        tail,
        "{spec_obj} 0 obj\n<</Type/Filespec/F({SEAL_FILE_NAME})/UF({SEAL_FILE_NAME})/Desc({SEAL_DESC})/AFRelationship/Data/EF<</F {file_obj} 0 R/UF {file_obj} 0 R>>>>\nendobj\n"
    );

    offsets.push((p.root.0, p.root.1, base + tail.len()));
    let _ = write!(
        tail,
        "{} {} obj\n<</Names<</EmbeddedFiles<</Names[({SEAL_FILE_NAME}) {spec_obj} 0 R]>>>>/AF[{spec_obj} 0 R]",
        p.root.0, p.root.1
    );
    tail.extend_from_slice(&prefix[p.root_inner.clone()]);
    tail.extend_from_slice(b">>\nendobj\n");

    offsets.push((p.info.0, p.info.1, base + tail.len()));
    let _ = write!(tail, "{} {} obj\n<</CharteDocId", p.info.0, p.info.1);
    tail.extend_from_slice(&pdf_text_string(&manifest.document_id));
    let _ = write!(tail, "/CharteSha256({})", manifest.sha256);
    tail.extend_from_slice(&prefix[p.info_inner.clone()]);
    tail.extend_from_slice(b">>\nendobj\n");

    let xref_at = base + tail.len();
    tail.extend_from_slice(b"xref\n");
    offsets.sort_by_key(|&(num, _, _)| num);
    let mut i = 0;
    while i < offsets.len() {
        let mut j = i + 1;
        while j < offsets.len() && offsets[j].0 == offsets[j - 1].0 + 1 {
            j += 1;
        }
        let _ = writeln!(tail, "{} {}", offsets[i].0, j - i);
        for &(_, generation, offset) in &offsets[i..j] {
            let _ = write!(tail, "{offset:010} {generation:05} n\r\n");
        }
        i = j;
    }
    let _ = write!(
        tail,
        "trailer\n<</Size {}/Root {} {} R/Info {} {} R/ID[<{}><{}>]/Prev {}>>\nstartxref\n{xref_at}\n%%EOF\n",
        p.size + 2,
        p.root.0,
        p.root.1,
        p.info.0,
        p.info.1,
        hex::encode_upper(&p.id.0),
        hex::encode_upper(&p.id.1),
        p.startxref,
    );
    Ok(tail)
}

fn analyse(prefix: &[u8]) -> Result<Prefix, String> {
    let doc = Document::load_mem(prefix).map_err(|e| format!("cannot parse the PDF: {e}"))?;
    let startxref = last_startxref(prefix).ok_or("no startxref at the end of the PDF")?;
    let xref_at = usize::try_from(startxref).map_err(|_| "startxref out of range")?;
    if !prefix.get(xref_at..).is_some_and(|rest| rest.starts_with(b"xref")) {
        return Err("the PDF uses a cross-reference stream; only xref tables are supported".into());
    }
    let trailer = &doc.trailer;
    let size = match trailer.get(b"Size") {
        Ok(Object::Integer(n)) => u32::try_from(*n).map_err(|_| "bad /Size")?,
        _ => return Err("trailer has no /Size".into()),
    };
    let reference = |key: &[u8]| match trailer.get(key) {
        Ok(Object::Reference(id)) => Ok(*id),
        _ => Err(format!("trailer has no indirect /{}", String::from_utf8_lossy(key))),
    };
    let root = reference(b"Root")?;
    let info = reference(b"Info")?;
    let id = match trailer.get(b"ID") {
        Ok(Object::Array(items)) => match items.as_slice() {
            [Object::String(a, _), Object::String(b, _)] => (a.clone(), b.clone()),
            _ => return Err("trailer /ID is not two strings".into()),
        },
        _ => return Err("trailer has no /ID".into()),
    };
    let catalog = dictionary(&doc, root)?;
    for key in [&b"Names"[..], b"AF"] {
        if catalog.has(key) {
            return Err(format!(
                "the catalog already has /{}; sealing such a PDF is not supported",
                String::from_utf8_lossy(key)
            ));
        }
    }
    let info_dict = dictionary(&doc, info)?;
    if info_dict.has(b"CharteDocId") || info_dict.has(b"CharteSha256") {
        return Err("the PDF is already sealed".into());
    }
    Ok(Prefix {
        size,
        root,
        info,
        id,
        startxref,
        root_inner: object_dict_inner(&doc, prefix, root)?,
        info_inner: object_dict_inner(&doc, prefix, info)?,
    })
}

fn dictionary(doc: &Document, id: ObjectId) -> Result<&Dictionary, String> {
    match doc.get_object(id) {
        Ok(Object::Dictionary(dict)) => Ok(dict),
        _ => Err(format!("object {} {} is not a dictionary", id.0, id.1)),
    }
}

/// The byte range inside `<<` … `>>` of object `id`, found through the
/// cross-reference table.
fn object_dict_inner(doc: &Document, bytes: &[u8], id: ObjectId) -> Result<Range<usize>, String> {
    let offset = match doc.reference_table.get(id.0) {
        Some(XrefEntry::Normal { offset, generation }) if *generation == id.1 => *offset as usize,
        _ => return Err(format!("object {} {} is not a direct object", id.0, id.1)),
    };
    let header = format!("{} {} obj", id.0, id.1);
    let rest = bytes.get(offset..).ok_or("object offset out of range")?;
    if !rest.starts_with(header.as_bytes()) {
        return Err(format!("object {} {} is not where the xref says", id.0, id.1));
    }
    let mut start = offset + header.len();
    while bytes.get(start).is_some_and(u8::is_ascii_whitespace) {
        start += 1;
    }
    if bytes.get(start..start + 2) != Some(b"<<") {
        return Err(format!("object {} {} does not start with <<", id.0, id.1));
    }
    let end = dict_end(bytes, start).ok_or("unterminated dictionary")?;
    Ok(start + 2..end - 2)
}

/// Given `bytes[start..]` starting with `<<`, the index just past the
/// matching `>>` (strings, hex strings and comments skipped).
fn dict_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 2;
            }
            b'<' => {
                i += bytes[i..].iter().position(|&b| b == b'>')? + 1;
            }
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                depth = depth.checked_sub(1)?;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'(' => {
                let mut nesting = 0usize;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 1,
                        b'(' => nesting += 1,
                        b')' => {
                            nesting -= 1;
                            if nesting == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            b'%' => {
                while i < bytes.len() && !matches!(bytes[i], b'\n' | b'\r') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The number after the last `startxref` keyword.
fn last_startxref(bytes: &[u8]) -> Option<u64> {
    let at = rfind(bytes, b"startxref")?;
    let digits: String = bytes[at + 9..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| char::from(b))
        .collect();
    digits.parse().ok()
}

pub(super) fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// A PDF text string: literal if printable ASCII, else UTF-16BE hex.
fn pdf_text_string(text: &str) -> Vec<u8> {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        let mut out = vec![b'('];
        for b in text.bytes() {
            if matches!(b, b'(' | b')' | b'\\') {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b')');
        out
    } else {
        let mut out = b"<FEFF".to_vec();
        for unit in text.encode_utf16() {
            out.extend_from_slice(format!("{unit:04X}").as_bytes());
        }
        out.push(b'>');
        out
    }
}

/// The seal file's bytes in `doc`, found through the catalog's
/// /Names/EmbeddedFiles tree (flat) or its /AF array.
pub(super) fn find_seal(doc: &Document) -> Option<Vec<u8>> {
    let catalog = doc.catalog().ok()?;
    let from_names = || -> Option<Vec<u8>> {
        let names = deref_dict(doc, catalog.get(b"Names").ok()?)?;
        let files = deref_dict(doc, names.get(b"EmbeddedFiles").ok()?)?;
        let Object::Array(pairs) = deref(doc, files.get(b"Names").ok()?)? else {
            return None;
        };
        pairs.chunks(2).find_map(|pair| match pair {
            [Object::String(name, _), spec] if name == SEAL_FILE_NAME.as_bytes() => spec_content(doc, spec),
            _ => None,
        })
    };
    let from_af = || -> Option<Vec<u8>> {
        let Object::Array(specs) = deref(doc, catalog.get(b"AF").ok()?)? else {
            return None;
        };
        specs.iter().find_map(|spec| {
            let dict = deref_dict(doc, spec)?;
            match dict.get(b"UF").or_else(|_| dict.get(b"F")) {
                Ok(Object::String(name, _)) if name == SEAL_FILE_NAME.as_bytes() => spec_content(doc, spec),
                _ => None,
            }
        })
    };
    from_names().or_else(from_af)
}

fn spec_content(doc: &Document, spec: &Object) -> Option<Vec<u8>> {
    let spec = deref_dict(doc, spec)?;
    let ef = deref_dict(doc, spec.get(b"EF").ok()?)?;
    let Object::Stream(stream) = deref(doc, ef.get(b"F").ok()?)? else {
        return None;
    };
    if stream.dict.has(b"Filter") { stream.decompressed_content().ok() } else { Some(stream.content.clone()) }
}

fn deref<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Object> {
    doc.dereference(object).ok().map(|(_, o)| o)
}

fn deref_dict<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Dictionary> {
    match deref(doc, object)? {
        Object::Dictionary(dict) => Some(dict),
        _ => None,
    }
}

/// Offsets just past each `%%EOF` marker (and its end-of-line), ascending:
/// the ends of the file's revisions.
pub(super) fn revision_ends(bytes: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut from = 0;
    while let Some(pos) = bytes[from..].windows(5).position(|w| w == b"%%EOF") {
        let mut end = from + pos + 5;
        if bytes.get(end) == Some(&b'\r') {
            end += 1;
        }
        if bytes.get(end) == Some(&b'\n') {
            end += 1;
        }
        ends.push(end);
        from = end;
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dict_end_skips_strings_and_comments() {
        let bytes = b"<</A(>>\\)(x))/B<3E3E>/C<</D 1>>%>>\n>>rest";
        assert_eq!(dict_end(bytes, 0), Some(bytes.len() - 4));
    }

    #[test]
    fn text_strings() {
        assert_eq!(pdf_text_string("ADH-1 (a)"), b"(ADH-1 \\(a\\))".to_vec());
        assert_eq!(pdf_text_string("é"), b"<FEFF00E9>".to_vec());
    }
}
