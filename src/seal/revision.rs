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

use super::{Manifest, SEAL_FILE_NAME, SEAL_MARKER};
use crate::pdf::syntax::dict_inner_at;
use crate::pdf::{Trailer, XrefTable, last_startxref};

/// Description of the embedded seal file.
const SEAL_DESC: &str = "charte seal: manifest of this document signed by the coordination";

/// What the seal revision takes from the rendered PDF.
#[derive(Debug, PartialEq, Eq)]
struct Prefix {
    /// The last trailer (/Size, /Root, /Info, /ID) and `startxref`.
    trailer: Trailer,
    /// The bytes between `<<` and `>>` of the catalog and the Info objects.
    root_inner: Range<usize>,
    info_inner: Range<usize>,
}

/// Builds the seal revision for `prefix` (the rendered PDF) carrying
/// `seal` (the seal file's bytes), whose manifest is `manifest`.
pub(super) fn build(prefix: &[u8], seal: &[u8], manifest: &Manifest) -> Result<Vec<u8>, String> {
    let Prefix { trailer: t, root_inner, info_inner } = analyse(prefix)?;
    let date = manifest
        .issued_date()
        .ok_or_else(|| format!("issue date {:?} is not YYYY-MM-DD", manifest.issued))?
        .format("%Y%m%d")
        .to_string();
    if !manifest.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("the manifest's sha256 is not hexadecimal".into());
    }
    let new_size = t.size.checked_add(2).ok_or("the trailer's /Size is out of range")?;
    let (file_obj, spec_obj) = (t.size, t.size + 1);

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
        "{file_obj}{SEAL_MARKER}{len}/ModDate(D:{date}000000Z)>>/Length {len}>>\nstream\n",
        len = seal.len()
    );
    tail.extend_from_slice(seal);
    tail.extend_from_slice(b"\nendstream\nendobj\n");

    offsets.push((spec_obj, 0, base + tail.len()));
    let _ = write!(
        tail,
        "{spec_obj} 0 obj\n<</Type/Filespec/F({SEAL_FILE_NAME})/UF({SEAL_FILE_NAME})/Desc({SEAL_DESC})/AFRelationship/Data/EF<</F {file_obj} 0 R/UF {file_obj} 0 R>>>>\nendobj\n"
    );

    offsets.push((t.root.0, t.root.1, base + tail.len()));
    let _ = write!(
        tail,
        "{} {} obj\n<</Names<</EmbeddedFiles<</Names[({SEAL_FILE_NAME}) {spec_obj} 0 R]>>>>/AF[{spec_obj} 0 R]",
        t.root.0, t.root.1
    );
    tail.extend_from_slice(&prefix[root_inner]);
    tail.extend_from_slice(b">>\nendobj\n");

    offsets.push((t.info.0, t.info.1, base + tail.len()));
    let _ = write!(tail, "{} {} obj\n<</CharteDocId", t.info.0, t.info.1);
    tail.extend_from_slice(&pdf_text_string(&manifest.document_id));
    let _ = write!(tail, "/CharteSha256({})", manifest.sha256);
    tail.extend_from_slice(&prefix[info_inner]);
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
        "trailer\n<</Size {new_size}/Root {} {} R/Info {} {} R/ID[<{}><{}>]/Prev {}>>\nstartxref\n{xref_at}\n%%EOF\n",
        t.root.0,
        t.root.1,
        t.info.0,
        t.info.1,
        hex::encode_upper(&t.id.0),
        hex::encode_upper(&t.id.1),
        t.startxref,
    );
    Ok(tail)
}

fn analyse(prefix: &[u8]) -> Result<Prefix, String> {
    let startxref = last_startxref(prefix).ok_or("no startxref at the end of the PDF")?;
    let xref_at = usize::try_from(startxref).map_err(|_| "startxref out of range")?;
    if !prefix.get(xref_at..).is_some_and(|rest| rest.starts_with(b"xref")) {
        return Err("the PDF uses a cross-reference stream; only xref tables are supported".into());
    }
    // Typst's output (one xref table, no /Prev) is read through its table
    // alone; anything the reader below does not expect goes to lopdf, which
    // gives the same result on what both can read (tested below).
    match through_xref(prefix) {
        Some(read) => {
            let (p, catalog_keys, info_keys) = read;
            refuse_unsealable(|k| catalog_keys.contains(&k), |k| info_keys.contains(&k))?;
            Ok(p)
        }
        None => analyse_parsed(prefix),
    }
}

/// Refuses a catalog that already has the keys the seal revision adds, or
/// an Info dictionary that already carries the seal's keys.
fn refuse_unsealable(catalog_has: impl Fn(&[u8]) -> bool, info_has: impl Fn(&[u8]) -> bool) -> Result<(), String> {
    for key in [&b"Names"[..], b"AF"] {
        if catalog_has(key) {
            return Err(format!(
                "the catalog already has /{}; sealing such a PDF is not supported",
                String::from_utf8_lossy(key)
            ));
        }
    }
    if info_has(b"CharteDocId") || info_has(b"CharteSha256") {
        return Err("the PDF is already sealed".into());
    }
    Ok(())
}

/// What the seal revision needs, read through the last cross-reference
/// table only (crate::pdf::XrefTable): its trailer, then the catalog and
/// Info objects at the offsets it gives, with their keys. `None` for
/// anything but a single plain table with direct dictionaries (an earlier
/// section (/Prev), a hybrid file, escaped names or strings, a repeated
/// entry or key, an object not where the table says): those are read by
/// [`analyse_parsed`].
#[allow(clippy::type_complexity)]
fn through_xref(bytes: &[u8]) -> Option<(Prefix, Vec<&[u8]>, Vec<&[u8]>)> {
    let table = XrefTable::last(bytes)?;
    if table.chained {
        return None;
    }
    let (root, info) = (table.trailer.root, table.trailer.info);
    let [root_at, info_at] = table.entries_for([root.0, info.0])?;
    let (root_inner, catalog_keys) = table.dictionary(root, root_at?)?;
    let (info_inner, info_keys) = table.dictionary(info, info_at?)?;
    Some((Prefix { trailer: table.trailer, root_inner, info_inner }, catalog_keys, info_keys))
}

/// The analysis by a full parse of the PDF with lopdf.
fn analyse_parsed(prefix: &[u8]) -> Result<Prefix, String> {
    let doc = Document::load_mem(prefix).map_err(|e| format!("cannot parse the PDF: {e}"))?;
    let trailer = Trailer::of_document(&doc, prefix)?;
    let catalog = dictionary(&doc, trailer.root)?;
    let info_dict = dictionary(&doc, trailer.info)?;
    refuse_unsealable(|k| catalog.has(k), |k| info_dict.has(k))?;
    Ok(Prefix {
        root_inner: object_dict_inner(&doc, prefix, trailer.root)?,
        info_inner: object_dict_inner(&doc, prefix, trailer.info)?,
        trailer,
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
    dict_inner_at(bytes, offset, id)
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

/// For tests: the analysis read through the cross-reference table (`None`
/// if it defers to lopdf) and the one by a full parse, printed.
#[cfg(test)]
pub(super) fn both_analyses(prefix: &[u8]) -> (Option<String>, Result<String, String>) {
    let fast = through_xref(prefix).map(|(p, catalog, info)| {
        let keys = |k: Vec<&[u8]>| k.iter().map(|k| String::from_utf8_lossy(k).into_owned()).collect::<Vec<_>>();
        format!("{p:?} {:?} {:?}", keys(catalog), keys(info))
    });
    let parsed = analyse_parsed(prefix).map(|p| format!("{p:?}"));
    (fast, parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings() {
        assert_eq!(pdf_text_string("ADH-1 (a)"), b"(ADH-1 \\(a\\))".to_vec());
        assert_eq!(pdf_text_string("é"), b"<FEFF00E9>".to_vec());
    }
}
