//! The few tokens of PDF syntax (ISO 32000-1, §7.2 and §7.3) that reading
//! a trailer, a cross-reference table and a plain dictionary needs: white
//! space and comments, names, numbers, references, strings, arrays and
//! dictionaries skipped as a whole.
//!
//! Deliberately partial: anything unusual (an escaped name, a repeated
//! key, a string with escapes where bytes are wanted) reads as `None`, and
//! the caller then asks lopdf's full parser instead. A reading by hand is
//! never more lenient than lopdf's: it either agrees or gives up.

use std::ops::Range;

use lopdf::ObjectId;

/// PDF white space (§7.2.3): NUL, tab, line feed, form feed, carriage
/// return and space.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, 0 | b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// `bytes` without its leading PDF white space.
pub(crate) fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| !is_space(b)).unwrap_or(bytes.len());
    &bytes[start..]
}

/// `bytes` without its trailing PDF white space.
pub(crate) fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|&b| !is_space(b)).map_or(0, |i| i + 1);
    &bytes[..end]
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
pub(crate) fn dict_end(bytes: &[u8], start: usize) -> Option<usize> {
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

/// The byte range inside `<<` … `>>` of object `id`, which starts at
/// `offset` (`id.0 id.1 obj`, white space, then the dictionary).
pub(crate) fn dict_inner_at(bytes: &[u8], offset: usize, id: ObjectId) -> Result<Range<usize>, String> {
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

/// A token of PDF syntax, as far as a trailer and a plain dictionary need.
pub(crate) enum Token<'a> {
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

/// A dictionary value, as far as a trailer needs.
pub(crate) enum Value {
    Int(u64),
    Ref(u32, u16),
    Array(Vec<Value>),
    /// A string's bytes as written, and whether it is a hex string.
    Str(Range<usize>, bool),
    Other,
}

/// Reads tokens of `bytes[at..end]`.
pub(crate) struct Lexer<'a> {
    bytes: &'a [u8],
    at: usize,
    end: usize,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(bytes: &'a [u8], at: usize, end: usize) -> Lexer<'a> {
        Lexer { bytes, at, end }
    }

    /// Skips white space and comments; returns where the next token starts.
    pub(crate) fn skip_space(&mut self) -> usize {
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

    pub(crate) fn token(&mut self) -> Option<Token<'a>> {
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

    pub(crate) fn word(&mut self) -> Option<&'a [u8]> {
        match self.token()? {
            Token::Word(w) => Some(w),
            _ => None,
        }
    }

    /// An unsigned integer, or `None` with nothing consumed.
    pub(crate) fn integer(&mut self) -> Option<u64> {
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
pub(crate) fn entries(bytes: &[u8], dict: Range<usize>) -> Option<Vec<(&[u8], Value)>> {
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
pub(crate) fn string_bytes(bytes: &[u8], value: &Value) -> Option<Vec<u8>> {
    match value {
        Value::Str(r, true) => hex::decode(bytes.get(r.clone())?).ok(),
        Value::Str(r, false) => {
            let raw = bytes.get(r.clone())?;
            (!raw.iter().any(|b| matches!(b, b'\\' | b'\r' | b'\n'))).then(|| raw.to_vec())
        }
        _ => None,
    }
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
    fn trimming_removes_pdf_white_space_only() {
        assert_eq!(trim_start(b"\0\t\r\n\x0c [1]"), b"[1]");
        assert_eq!(trim_end(b"/Contents \r\n"), b"/Contents");
        assert_eq!(trim_end(b" \n"), b"");
    }
}
