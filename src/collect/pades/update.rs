//! The signing update read as a PDF (lopdf): the signature dictionary that
//! holds the byte range and the signature field it is attached to, then
//! what else the update changes in the issued document.
//!
//! Invariant of what passes: the update adds a signature, its field and
//! widget (or fills an empty signature field of the issued document), and
//! touches only bookkeeping a reader does not show (the
//! catalogue's form and metadata entries, the Info dictionary, the XMP
//! metadata, the pages' annotation lists, the accessibility structure).
//! Page content, fonts, images and the seal attachment of the issued
//! document stay as issued: a signature that vouches for bytes the signer
//! also repainted would prove nothing.

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::placement::ByteRange;
use super::{PadesError, Result};

/// Finds, in the loaded document, the signature dictionary that holds
/// `range`, and checks its type, format, contents and field.
pub(super) fn signature_dictionary<'a>(doc: &'a Document, range: ByteRange, cms_der: &[u8]) -> Result<&'a Dictionary> {
    let holds_range = |dict: &Dictionary| {
        dict.get(b"ByteRange").and_then(Object::as_array).is_ok_and(|items| {
            items.len() == 4
                && items.iter().zip(range).all(|(item, n)| item.as_i64().is_ok_and(|v| u64::try_from(v) == Ok(n)))
        })
    };
    // The dictionary is an object of its own, or written inside its field.
    let mut found: Option<(Option<ObjectId>, &Dictionary)> = None;
    for (&id, object) in &doc.objects {
        let Ok(dict) = object.as_dict() else { continue };
        if holds_range(dict) {
            found = Some((Some(id), dict));
            break;
        }
        if let Ok(inner) = dict.get(b"V").and_then(Object::as_dict)
            && holds_range(inner)
        {
            found = Some((None, inner));
            break;
        }
    }
    let Some((sig_id, sig)) = found else {
        return Err(PadesError::Malformed(
            "the signature is not part of the PDF's structure (no object holds it)".into(),
        ));
    };

    match sig.get(b"Type").and_then(Object::as_name) {
        Err(_) | Ok(b"Sig") => {}
        Ok(b"DocTimeStamp") => {
            return Err(PadesError::Unsupported("it is a document timestamp, not a person's signature".into()));
        }
        Ok(other) => {
            return Err(PadesError::Malformed(format!(
                "its dictionary has /Type /{}, not /Sig",
                String::from_utf8_lossy(other)
            )));
        }
    }
    match sig.get(b"SubFilter").and_then(Object::as_name) {
        Ok(b"adbe.pkcs7.detached" | b"ETSI.CAdES.detached") => {}
        Ok(other) => {
            return Err(PadesError::Unsupported(format!(
                "the signature format /{} is not supported (only adbe.pkcs7.detached and \
                 ETSI.CAdES.detached are)",
                String::from_utf8_lossy(other)
            )));
        }
        Err(_) => {
            return Err(PadesError::Malformed("its dictionary has no /SubFilter".into()));
        }
    }
    let contents = sig
        .get(b"Contents")
        .and_then(Object::as_str)
        .map_err(|_| PadesError::Malformed("its dictionary has no /Contents string".into()))?;
    if !contents.starts_with(cms_der) || contents[cms_der.len()..].iter().any(|&b| b != 0) {
        return Err(PadesError::Malformed("the unsigned part of the file is not its dictionary's /Contents".into()));
    }

    let in_a_field = doc.objects.values().filter_map(|o| o.as_dict().ok()).any(|field| {
        let value_is_sig = match (field.get(b"V"), sig_id) {
            (Ok(Object::Reference(r)), Some(id)) => *r == id,
            (Ok(Object::Dictionary(d)), None) => holds_range(d),
            _ => false,
        };
        value_is_sig && is_signature_field(doc, field)
    });
    if !in_a_field {
        return Err(PadesError::Malformed("the signature is not attached to a signature field".into()));
    }
    Ok(sig)
}

/// A form field of type /Sig (the type may be inherited from a parent).
fn is_signature_field(doc: &Document, dict: &Dictionary) -> bool {
    let mut current = dict;
    for _ in 0..8 {
        if let Ok(kind) = current.get(b"FT").and_then(Object::as_name) {
            return kind == b"Sig";
        }
        match current.get(b"Parent").and_then(|p| doc.dereference(p)) {
            Ok((_, Object::Dictionary(parent))) => current = parent,
            _ => return false,
        }
    }
    false
}

/// Catalogue entries a signing tool may add or change.
const CATALOG_FREE_KEYS: &[&[u8]] =
    &[b"AcroForm", b"Extensions", b"Perms", b"DSS", b"Metadata", b"Version", b"StructTreeRoot"];
/// Page entries a signing tool may add or change: the annotation list and
/// the tab order among them.
const PAGE_FREE_KEYS: &[&[u8]] = &[b"Annots", b"Tabs"];

/// Checks that the update adds a signature and changes nothing a reader of
/// the issued document sees. Returns what changed, in words.
pub(super) fn check_update(before: &Document, after: &Document) -> Result<(), String> {
    let root = |doc: &Document| doc.trailer.get(b"Root").and_then(Object::as_reference).ok();
    let root_before = root(before);
    if root_before != root(after) {
        return Err("the update replaces the document's catalogue".into());
    }
    let pages_before = before.get_pages();
    if pages_before != after.get_pages() {
        return Err("pages were added, removed or reordered".into());
    }
    let info_before = before.trailer.get(b"Info").and_then(Object::as_reference).ok();
    let acroform_before = before.catalog().and_then(|c| c.get(b"AcroForm")).and_then(Object::as_reference).ok();
    let structure = structure_tree(before);
    let annots_arrays: BTreeSet<ObjectId> = pages_before
        .values()
        .filter_map(|&page| before.get_dictionary(page).ok())
        .filter_map(|page| page.get(b"Annots").and_then(Object::as_reference).ok())
        .collect();

    for (&id, old) in &before.objects {
        let Some(new) = after.objects.get(&id) else {
            return Err(format!("object {} of the issued document was removed", id.0));
        };
        if same_object(old, new) {
            continue;
        }
        let (old_dict, new_dict) = (dict_of(old), dict_of(new));
        let allowed = if Some(id) == root_before {
            match (old_dict, new_dict) {
                (Some(o), Some(n)) => {
                    if let Some(key) = changed_key(o, n, CATALOG_FREE_KEYS) {
                        return Err(format!("the document catalogue's /{key} was changed"));
                    }
                    true
                }
                _ => false,
            }
        } else if Some(id) == info_before
            || Some(id) == acroform_before
            || annots_arrays.contains(&id)
            || structure.contains(&id)
            || old_dict.is_some_and(|d| d.has_type(b"StructElem"))
        {
            // Bookkeeping: document information, form, annotation lists and
            // the accessibility structure (which a reader may extend with
            // the new field), none of which changes what a page shows.
            true
        } else if old_dict.is_some_and(|d| d.has_type(b"Page")) {
            match (old_dict, new_dict) {
                (Some(o), Some(n)) => {
                    if let Some(key) = changed_key(o, n, PAGE_FREE_KEYS) {
                        let number = page_number(&pages_before, id);
                        return Err(format!("page {number}'s /{key} was changed"));
                    }
                    true
                }
                _ => false,
            }
        } else if old_dict.is_some_and(|d| d.has_type(b"Metadata")) && matches!(old, Object::Stream(_)) {
            true
        } else if old_dict.is_some_and(|d| is_signature_field(before, d)) {
            // An empty signature field of the issued document, now filled.
            matches!((old_dict, new_dict), (Some(o), Some(n)) if changed_key(o, n, &[b"V", b"AP"]).is_none())
        } else {
            false
        };
        if !allowed {
            return Err(format!("object {} of the issued document ({}) was replaced", id.0, describe(old)));
        }
    }

    for (&number, &page) in &pages_before {
        let annots_before = annotations(before, page);
        let annots_after = annotations(after, page);
        if annots_before.iter().any(|a| !annots_after.contains(a)) {
            return Err(format!("an annotation was removed from page {number}"));
        }
        for added in annots_after.iter().filter(|a| !annots_before.contains(a)) {
            let is_widget = match after.dereference(added) {
                Ok((_, Object::Dictionary(d))) => {
                    d.get(b"Subtype").and_then(Object::as_name).is_ok_and(|s| s == b"Widget")
                        && is_signature_field(after, d)
                }
                _ => false,
            };
            if !is_widget {
                return Err(format!(
                    "an annotation that is not a signature field was added on page {number}: \
                     it could show text or images over the document"
                ));
            }
        }
    }
    Ok(())
}

/// The structure tree's root and its parent tree (a number tree), whose
/// objects a reader may update when it adds a field to a tagged PDF.
fn structure_tree(doc: &Document) -> BTreeSet<ObjectId> {
    let mut ids = BTreeSet::new();
    let Ok(root) = doc.catalog().and_then(|c| c.get(b"StructTreeRoot")).and_then(Object::as_reference) else {
        return ids;
    };
    ids.insert(root);
    let mut pending: Vec<ObjectId> = doc
        .get_dictionary(root)
        .and_then(|r| r.get(b"ParentTree"))
        .and_then(Object::as_reference)
        .into_iter()
        .collect();
    while let Some(id) = pending.pop() {
        if ids.len() > 10_000 || !ids.insert(id) {
            continue;
        }
        if let Ok(kids) = doc.get_dictionary(id).and_then(|d| d.get(b"Kids")).and_then(Object::as_array) {
            pending.extend(kids.iter().filter_map(|k| k.as_reference().ok()));
        }
    }
    ids
}

/// Equal objects, comparing streams by dictionary and bytes only (not by
/// where they sit in the file).
fn same_object(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Stream(x), Object::Stream(y)) => x.dict == y.dict && x.content == y.content,
        _ => a == b,
    }
}

fn dict_of(object: &Object) -> Option<&Dictionary> {
    match object {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

/// The first key, other than `free`, whose value differs between `old`
/// and `new`.
fn changed_key(old: &Dictionary, new: &Dictionary, free: &[&[u8]]) -> Option<String> {
    old.iter()
        .map(|(k, _)| k)
        .chain(new.iter().map(|(k, _)| k))
        .filter(|k| !free.contains(&k.as_slice()))
        .find(|k| old.get(k).ok() != new.get(k).ok())
        .map(|k| String::from_utf8_lossy(k).into_owned())
}

fn annotations(doc: &Document, page: ObjectId) -> Vec<Object> {
    doc.get_dictionary(page)
        .and_then(|p| p.get(b"Annots"))
        .and_then(|a| doc.dereference(a))
        .and_then(|(_, a)| a.as_array())
        .cloned()
        .unwrap_or_default()
}

fn page_number(pages: &std::collections::BTreeMap<u32, ObjectId>, id: ObjectId) -> u32 {
    pages.iter().find(|&(_, &p)| p == id).map_or(0, |(&n, _)| n)
}

/// A short description of a PDF object for an error message.
fn describe(object: &Object) -> String {
    let kind = dict_of(object)
        .and_then(|d| d.get(b"Type").and_then(Object::as_name).ok())
        .map(|t| format!("/{}", String::from_utf8_lossy(t)));
    match (object, kind) {
        (_, Some(kind)) => kind,
        (Object::Stream(_), None) => "a content or data stream".into(),
        (Object::Dictionary(_), None) => "a dictionary".into(),
        (Object::Array(_), None) => "an array".into(),
        _ => "a value".into(),
    }
}

/// Parses a PDF date, `D:YYYYMMDDHHmmSSOHH'mm'` (all but the year optional).
pub(super) fn parse_pdf_date(text: &[u8]) -> Option<DateTime<FixedOffset>> {
    let text = std::str::from_utf8(text).ok()?;
    let text = text.strip_prefix("D:").unwrap_or(text);
    let digits_end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, zone) = text.split_at(digits_end);
    if digits.len() < 4 || digits.len() > 14 || digits.len() % 2 != 0 {
        return None;
    }
    let field =
        |at: usize, default: u32| -> Option<u32> { digits.get(at..at + 2).map_or(Some(default), |s| s.parse().ok()) };
    let year: i32 = digits[..4].parse().ok()?;
    let date = NaiveDate::from_ymd_opt(year, field(4, 1)?, field(6, 1)?)?;
    let naive = date.and_hms_opt(field(8, 0)?, field(10, 0)?, field(12, 0)?)?;
    let offset_secs = match zone.as_bytes().first() {
        None | Some(b'Z') => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let rest: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
            let hours: i32 = rest.get(..2)?.parse().ok()?;
            let minutes: i32 = rest.get(2..4).map_or(Some(0), |m| m.parse().ok())?;
            let secs = hours * 3600 + minutes * 60;
            if sign == b'-' { -secs } else { secs }
        }
        Some(_) => return None,
    };
    FixedOffset::east_opt(offset_secs)?.from_local_datetime(&naive).single()
}
