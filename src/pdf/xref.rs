//! The end of a PDF file: the offset after its last `startxref`, the
//! cross-reference table found there, the trailer that follows it, and
//! where each revision ends. An incremental update chains to exactly
//! these: its trailer repeats /Size, /Root, /Info and /ID, and its /Prev is
//! the offset of the last cross-reference section.
//!
//! The last section is read by hand when it is a classic table followed by
//! a plain trailer (Typst's output, charte's seal revision): that spares a
//! full parse of every document sealed or collected. Anything else (a
//! cross-reference stream, escaped names or strings, a repeated key) is
//! left to lopdf ([`Trailer::of_document`]), which gives the same values on
//! what both can read (tested in crate::seal and crate::collect::signature).

use std::ops::Range;

use lopdf::{Document, Object, ObjectId};

use super::syntax::{Lexer, Token, Value, dict_inner_at, entries, string_bytes};
use super::{find, rfind};

/// The number after the last `startxref` keyword: the offset of the last
/// cross-reference section.
pub fn last_startxref(bytes: &[u8]) -> Option<u64> {
    let at = rfind(bytes, b"startxref")?;
    let digits: String = bytes[at + b"startxref".len()..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| char::from(b))
        .collect();
    digits.parse().ok()
}

/// Offsets just past each `%%EOF` marker (and its end-of-line), ascending:
/// the ends of the file's revisions.
pub fn revision_ends(bytes: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut from = 0;
    while let Some(pos) = find(&bytes[from..], b"%%EOF") {
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

/// What an incremental update appended to a PDF chains to: the entries of
/// its last trailer that the update's trailer repeats, and the offset of
/// its last cross-reference section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailer {
    /// /Size: the first unused object number.
    pub size: u32,
    /// /Root: the document catalog.
    pub root: ObjectId,
    /// /Info: the document information dictionary.
    pub info: ObjectId,
    /// The two /ID strings, as bytes.
    pub id: (Vec<u8>, Vec<u8>),
    /// The number after the last `startxref`: the update's /Prev.
    pub startxref: u64,
}

impl Trailer {
    /// Reads the trailer through the last cross-reference table, or with
    /// lopdf's full parse when that table cannot be read by hand.
    pub fn read(bytes: &[u8]) -> Result<Trailer, String> {
        if let Some(table) = XrefTable::last(bytes) {
            return Ok(table.trailer);
        }
        let doc = Document::load_mem(bytes).map_err(|e| format!("cannot parse the PDF: {e}"))?;
        Trailer::of_document(&doc, bytes)
    }

    /// The trailer as lopdf parsed it: `doc` is `bytes` loaded.
    pub fn of_document(doc: &Document, bytes: &[u8]) -> Result<Trailer, String> {
        let startxref = last_startxref(bytes).ok_or("no startxref at the end of the PDF")?;
        let trailer = &doc.trailer;
        let size = match trailer.get(b"Size") {
            Ok(Object::Integer(n)) => u32::try_from(*n).map_err(|_| "the trailer's /Size is out of range")?,
            _ => return Err("the trailer has no /Size".into()),
        };
        let reference = |key: &[u8]| match trailer.get(key) {
            Ok(Object::Reference(id)) => Ok(*id),
            _ => Err(format!("the trailer has no indirect /{}", String::from_utf8_lossy(key))),
        };
        let (root, info) = (reference(b"Root")?, reference(b"Info")?);
        let id = match trailer.get(b"ID") {
            Ok(Object::Array(items)) => match items.as_slice() {
                [Object::String(a, _), Object::String(b, _)] => (a.clone(), b.clone()),
                _ => return Err("the trailer's /ID is not two strings".into()),
            },
            _ => return Err("the trailer has no /ID".into()),
        };
        Ok(Trailer { size, root, info, id, startxref })
    }
}

/// One entry of a cross-reference table: `offset generation n|f`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub offset: u64,
    pub generation: u64,
    /// `n` (an object in use), not `f` (a free one).
    pub in_use: bool,
}

/// The last cross-reference section of a PDF when it is a classic table,
/// with its trailer read.
#[derive(Debug)]
pub struct XrefTable<'a> {
    bytes: &'a [u8],
    /// The subsections, between the `xref` keyword and `trailer`.
    subsections: Range<usize>,
    pub trailer: Trailer,
    /// The trailer has /Prev or /XRefStm: earlier sections describe other
    /// objects, so this table alone is not the whole file's.
    pub chained: bool,
}

impl<'a> XrefTable<'a> {
    /// The table the last `startxref` points to, and its trailer. `None`
    /// when it is not a classic table, or its trailer lacks /Size, /Root,
    /// /Info or /ID or is not plainly written: [`Trailer::of_document`]
    /// reads those.
    pub fn last(bytes: &'a [u8]) -> Option<XrefTable<'a>> {
        let startxref = last_startxref(bytes)?;
        let xref_at = usize::try_from(startxref).ok()?;
        if !bytes.get(xref_at..)?.starts_with(b"xref") {
            return None;
        }
        let table_start = xref_at + b"xref".len();
        let trailer_at = table_start + find(&bytes[table_start..], b"trailer")?;
        let mut lex = Lexer::new(bytes, trailer_at + b"trailer".len(), bytes.len());
        let Token::Dict(dict) = lex.token()? else {
            return None;
        };
        let dict = entries(bytes, dict)?;
        let get = |key: &[u8]| dict.iter().find(|(k, _)| *k == key).map(|(_, v)| v);
        let size = match get(b"Size")? {
            Value::Int(n) => u32::try_from(*n).ok()?,
            _ => return None,
        };
        let reference = |key: &[u8]| match get(key)? {
            Value::Ref(num, generation) => Some((*num, *generation)),
            _ => None,
        };
        let (root, info) = (reference(b"Root")?, reference(b"Info")?);
        let id = match get(b"ID")? {
            Value::Array(items) => match items.as_slice() {
                [a, b] => (string_bytes(bytes, a)?, string_bytes(bytes, b)?),
                _ => return None,
            },
            _ => return None,
        };
        Some(XrefTable {
            bytes,
            subsections: table_start..trailer_at,
            trailer: Trailer { size, root, info, id, startxref },
            chained: get(b"Prev").is_some() || get(b"XRefStm").is_some(),
        })
    }

    /// The table's entries for the objects `nums`, each `None` when the
    /// table has none. `None` altogether when the table is not plain
    /// subsections (`first count`, then `count` entries) up to `trailer`,
    /// or gives one of `nums` twice.
    pub fn entries_for<const N: usize>(&self, nums: [u32; N]) -> Option<[Option<Entry>; N]> {
        let mut found = [None; N];
        let mut lex = Lexer::new(self.bytes, self.subsections.start, self.subsections.end);
        while let Some(first) = lex.integer() {
            let count = lex.integer()?;
            for num in first..first.checked_add(count)? {
                let (offset, generation, kind) = (lex.integer()?, lex.integer()?, lex.word()?);
                for (wanted, slot) in nums.iter().zip(found.iter_mut()) {
                    if u64::from(*wanted) == num {
                        if slot.is_some() {
                            return None;
                        }
                        *slot = Some(Entry { offset, generation, in_use: kind == b"n" });
                    }
                }
            }
        }
        (lex.skip_space() == self.subsections.end).then_some(found)
    }

    /// The dictionary of object `id` where `entry` places it: the range
    /// between its `<<` and `>>`, and its keys. `None` unless the entry is
    /// in use with `id`'s generation and the bytes there are `id obj <<…>>
    /// endobj` with distinct, unescaped keys.
    pub fn dictionary(&self, id: ObjectId, entry: Entry) -> Option<(Range<usize>, Vec<&'a [u8]>)> {
        if !entry.in_use || entry.generation != u64::from(id.1) {
            return None;
        }
        let bytes = self.bytes;
        let inner = dict_inner_at(bytes, usize::try_from(entry.offset).ok()?, id).ok()?;
        if Lexer::new(bytes, inner.end + 2, bytes.len()).word()? != b"endobj" {
            return None;
        }
        let keys = entries(bytes, inner.start - 2..inner.end + 2)?.into_iter().map(|(k, _)| k).collect();
        Some((inner, keys))
    }
}
