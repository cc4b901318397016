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
#[derive(Debug, PartialEq, Eq)]
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
    let startxref = last_startxref(prefix).ok_or("no startxref at the end of the PDF")?;
    let xref_at = usize::try_from(startxref).map_err(|_| "startxref out of range")?;
    if !prefix.get(xref_at..).is_some_and(|rest| rest.starts_with(b"xref")) {
        return Err("the PDF uses a cross-reference stream; only xref tables are supported".into());
    }
    // Typst's output (one xref table, no /Prev) is read through its table
    // alone; anything the reader below does not expect goes to lopdf, which
    // gives the same result on what both can read (tested below).
    match through_xref(prefix, xref_at, startxref) {
        Some(read) => {
            let (p, catalog_keys, info_keys) = read;
            refuse_unsealable(|k| catalog_keys.contains(&k), |k| info_keys.contains(&k))?;
            Ok(p)
        }
        None => analyse_parsed(prefix, startxref),
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
/// table only: its trailer, then the catalog and Info objects at the
/// offsets it gives. `None` for anything but a single plain table with
/// direct dictionaries (an earlier section (/Prev), a hybrid file, escaped
/// names or strings, a repeated entry or key, an object not where the
/// table says): those are read by [`analyse_parsed`].
#[allow(clippy::type_complexity)]
fn through_xref<'a>(bytes: &'a [u8], xref_at: usize, startxref: u64) -> Option<(Prefix, Vec<&'a [u8]>, Vec<&'a [u8]>)> {
    let table_start = xref_at + 4;
    let trailer_at = table_start + find(bytes.get(table_start..)?, b"trailer")?;
    let mut lex = Lexer { bytes, at: trailer_at + 7, end: bytes.len() };
    let Token::Dict(trailer) = lex.token()? else {
        return None;
    };
    let trailer = entries(bytes, trailer)?;
    let get = |key: &[u8]| trailer.iter().find(|(k, _)| *k == key).map(|(_, v)| v);
    if get(b"Prev").is_some() || get(b"XRefStm").is_some() {
        return None;
    }
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

    // The table: subsections of `first count` then `count` entries of
    // `offset generation n|f`.
    let (mut root_at, mut info_at) = (None, None);
    let mut lex = Lexer { bytes, at: table_start, end: trailer_at };
    while let Some(first) = lex.integer() {
        let count = lex.integer()?;
        for num in first..first.checked_add(count)? {
            let (offset, generation, kind) = (lex.integer()?, lex.integer()?, lex.word()?);
            for (id, slot) in [(root, &mut root_at), (info, &mut info_at)] {
                if u64::from(id.0) == num {
                    if slot.is_some() {
                        return None;
                    }
                    *slot = Some((offset, generation, kind));
                }
            }
        }
    }
    if lex.skip_space() != trailer_at {
        return None;
    }
    let inner = |id: ObjectId, entry: Option<(u64, u64, &[u8])>| -> Option<(Range<usize>, Vec<&'a [u8]>)> {
        let (offset, generation, kind) = entry?;
        if kind != b"n" || generation != u64::from(id.1) {
            return None;
        }
        let range = dict_inner_at(bytes, usize::try_from(offset).ok()?, id).ok()?;
        let mut after = Lexer { bytes, at: range.end + 2, end: bytes.len() };
        if after.word()? != b"endobj" {
            return None;
        }
        let keys = entries(bytes, range.start - 2..range.end + 2)?.into_iter().map(|(k, _)| k).collect();
        Some((range, keys))
    };
    let (root_inner, catalog_keys) = inner(root, root_at)?;
    let (info_inner, info_keys) = inner(info, info_at)?;
    Some((Prefix { size, root, info, id, startxref, root_inner, info_inner }, catalog_keys, info_keys))
}

/// The analysis by a full parse of the PDF with lopdf.
fn analyse_parsed(prefix: &[u8], startxref: u64) -> Result<Prefix, String> {
    let doc = Document::load_mem(prefix).map_err(|e| format!("cannot parse the PDF: {e}"))?;
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
    let info_dict = dictionary(&doc, info)?;
    refuse_unsealable(|k| catalog.has(k), |k| info_dict.has(k))?;
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
    dict_inner_at(bytes, offset, id)
}

/// The byte range inside `<<` … `>>` of object `id`, which starts at
/// `offset`.
fn dict_inner_at(bytes: &[u8], offset: usize, id: ObjectId) -> Result<Range<usize>, String> {
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

/// Given `bytes[start]` = `(`, the index of the `)` that closes the literal
/// string (balanced parentheses, backslash escapes), before `limit`.
fn literal_close(bytes: &[u8], start: usize, limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = start;
    while i < limit.min(bytes.len()) {
        match bytes[i] {
            b'\\' => i += 1,
            b'(' => depth += 1,
            b')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
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
            b'(' => i = literal_close(bytes, i, bytes.len())? + 1,
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

/// A token of PDF syntax, as far as the trailer and two dictionaries need.
enum Token<'a> {
    Name(&'a [u8]),
    /// A run of regular characters: a number, `R`, `true`, a keyword.
    Word(&'a [u8]),
    /// A literal string's bytes between the parentheses, unescaped.
    Literal(Range<usize>),
    /// A hex string's bytes between `<` and `>`.
    Hex(Range<usize>),
    /// A whole dictionary, `<<` and `>>` included.
    Dict(Range<usize>),
    Open,
    Close,
}

/// A dictionary value, as far as the trailer needs.
enum Value {
    Int(u64),
    Ref(u32, u16),
    Array(Vec<Value>),
    Str(Range<usize>, bool),
    Other,
}

/// Reads tokens of `bytes[at..end]`.
struct Lexer<'a> {
    bytes: &'a [u8],
    at: usize,
    end: usize,
}

fn is_space(b: u8) -> bool {
    matches!(b, 0 | b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

impl<'a> Lexer<'a> {
    /// Skips white space and comments; returns where the next token starts.
    fn skip_space(&mut self) -> usize {
        while self.at < self.end {
            match self.bytes[self.at] {
                b if is_space(b) => self.at += 1,
                b'%' => {
                    while self.at < self.end && !matches!(self.bytes[self.at], b'\n' | b'\r') {
                        self.at += 1;
                    }
                }
                _ => break,
            }
        }
        self.at
    }

    fn regular_run(&mut self) -> usize {
        while self.at < self.end && !is_space(self.bytes[self.at]) && !is_delimiter(self.bytes[self.at]) {
            self.at += 1;
        }
        self.at
    }

    fn token(&mut self) -> Option<Token<'a>> {
        let start = self.skip_space();
        if start >= self.end {
            return None;
        }
        let bytes = self.bytes;
        match bytes[start] {
            b'/' => {
                self.at += 1;
                let end = self.regular_run();
                Some(Token::Name(&bytes[start + 1..end]))
            }
            b'<' if bytes.get(start + 1) == Some(&b'<') => {
                let end = dict_end(bytes, start).filter(|&e| e <= self.end)?;
                self.at = end;
                Some(Token::Dict(start..end))
            }
            b'<' => {
                let close = start + bytes.get(start..self.end)?.iter().position(|&b| b == b'>')?;
                self.at = close + 1;
                Some(Token::Hex(start + 1..close))
            }
            b'(' => {
                let close = literal_close(bytes, start, self.end)?;
                self.at = close + 1;
                Some(Token::Literal(start + 1..close))
            }
            b'[' => {
                self.at += 1;
                Some(Token::Open)
            }
            b']' => {
                self.at += 1;
                Some(Token::Close)
            }
            b')' | b'>' | b'{' | b'}' => None,
            _ => {
                let end = self.regular_run();
                Some(Token::Word(&bytes[start..end]))
            }
        }
    }

    fn word(&mut self) -> Option<&'a [u8]> {
        match self.token()? {
            Token::Word(w) => Some(w),
            _ => None,
        }
    }

    /// An unsigned integer, or `None` with nothing consumed.
    fn integer(&mut self) -> Option<u64> {
        let save = self.at;
        let n = self.word().and_then(unsigned);
        if n.is_none() {
            self.at = save;
        }
        n
    }

    fn value(&mut self) -> Option<Value> {
        Some(match self.token()? {
            Token::Word(w) => match unsigned(w) {
                Some(n) => {
                    let save = self.at;
                    match (self.integer(), self.token()) {
                        (Some(generation), Some(Token::Word(b"R"))) => {
                            Value::Ref(u32::try_from(n).ok()?, u16::try_from(generation).ok()?)
                        }
                        _ => {
                            self.at = save;
                            Value::Int(n)
                        }
                    }
                }
                None => Value::Other,
            },
            Token::Name(_) | Token::Dict(_) => Value::Other,
            Token::Literal(r) => Value::Str(r, false),
            Token::Hex(r) => Value::Str(r, true),
            Token::Open => {
                let mut items = Vec::new();
                loop {
                    let save = self.at;
                    if matches!(self.token()?, Token::Close) {
                        break Value::Array(items);
                    }
                    self.at = save;
                    items.push(self.value()?);
                }
            }
            Token::Close => return None,
        })
    }
}

fn unsigned(word: &[u8]) -> Option<u64> {
    if word.is_empty() || !word.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(word).ok()?.parse().ok()
}

/// The entries of the dictionary `bytes[dict]` (`<<` and `>>` included);
/// `None` if a key is escaped (`#`) or repeated, or a value unreadable.
fn entries(bytes: &[u8], dict: Range<usize>) -> Option<Vec<(&[u8], Value)>> {
    let mut lex = Lexer { bytes, at: dict.start + 2, end: dict.end.checked_sub(2)? };
    let mut out: Vec<(&[u8], Value)> = Vec::new();
    while lex.skip_space() < lex.end {
        let Token::Name(key) = lex.token()? else {
            return None;
        };
        if key.contains(&b'#') || out.iter().any(|(k, _)| *k == key) {
            return None;
        }
        out.push((key, lex.value()?));
    }
    Some(out)
}

/// A string value's bytes: a hex string of pairs of digits, or a literal
/// string without escapes or line ends; `None` otherwise.
fn string_bytes(bytes: &[u8], value: &Value) -> Option<Vec<u8>> {
    match value {
        Value::Str(r, true) => hex::decode(bytes.get(r.clone())?).ok(),
        Value::Str(r, false) => {
            let raw = bytes.get(r.clone())?;
            (!raw.iter().any(|b| matches!(b, b'\\' | b'\r' | b'\n'))).then(|| raw.to_vec())
        }
        _ => None,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
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

/// For tests: the analysis read through the cross-reference table (`None`
/// if it defers to lopdf) and the one by a full parse, printed.
#[cfg(test)]
pub(super) fn both_analyses(prefix: &[u8]) -> (Option<String>, Result<String, String>) {
    let startxref = last_startxref(prefix).expect("startxref");
    let xref_at = usize::try_from(startxref).expect("offset");
    let fast = through_xref(prefix, xref_at, startxref).map(|(p, catalog, info)| {
        let keys = |k: Vec<&[u8]>| k.iter().map(|k| String::from_utf8_lossy(k).into_owned()).collect::<Vec<_>>();
        format!("{p:?} {:?} {:?}", keys(catalog), keys(info))
    });
    let parsed = analyse_parsed(prefix, startxref).map(|p| format!("{p:?}"));
    (fast, parsed)
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
