//! Where the signature sits in the file, read from its bytes alone: the
//! one `/ByteRange` written after the issued bytes, the gap it leaves
//! unsigned, and the CMS structure in that gap.
//!
//! Invariant of what passes: the signed bytes are the whole file from its
//! first byte to its last but the `<…>` hex string of `/Contents`, which
//! lies after the issued bytes and holds one DER structure (the CMS)
//! followed only by zero padding. Nothing can then be added or changed anywhere without
//! breaking the signature; what the update itself says is checked later
//! ([`super::update`]), once lopdf has parsed the file.

use super::der::read_tlv;
use super::{PadesError, Result};
use crate::pdf::find;
use crate::pdf::syntax::{trim_end, trim_start};

/// The four numbers of a /ByteRange: two (offset, length) pairs.
pub(super) type ByteRange = [u64; 4];

/// Finds the one /ByteRange written after the issued bytes.
pub(super) fn find_byte_range(file: &[u8], issued_len: usize) -> Result<ByteRange> {
    const KEY: &[u8] = b"/ByteRange";
    let appended = &file[issued_len..];
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = find(&appended[from..], KEY) {
        let value = &appended[from + at + KEY.len()..];
        found.push(parse_byte_range(value));
        from += at + KEY.len();
    }
    match found.len() {
        0 => Err(PadesError::NoSignature),
        1 => found
            .pop()
            .flatten()
            .ok_or_else(|| PadesError::Malformed("its /ByteRange is not a list of four whole numbers".into())),
        n => Err(PadesError::SeveralSignatures(n)),
    }
}

/// Parses `[a b c d]` (after optional whitespace) at the start of `value`.
fn parse_byte_range(value: &[u8]) -> Option<ByteRange> {
    let value = trim_start(value).strip_prefix(b"[")?;
    let end = value.iter().position(|&b| b == b']')?;
    let numbers: Vec<u64> = value[..end]
        .split(|b| b.is_ascii_whitespace())
        .filter(|token| !token.is_empty())
        .map(|token| std::str::from_utf8(token).ok()?.parse().ok())
        .collect::<Option<_>>()?;
    numbers.try_into().ok()
}

/// The unsigned gap of a signature: `file[gap_start..gap_end]` is the
/// `<…>` hex string of /Contents, brackets included.
#[derive(Debug, Clone, Copy)]
pub(super) struct Placement {
    pub(super) gap_start: usize,
    pub(super) gap_end: usize,
}

/// Checks that `range` signs the whole file but the /Contents hex string,
/// which lies after the issued bytes.
pub(super) fn check_coverage(file: &[u8], issued_len: usize, range: ByteRange) -> Result<Placement> {
    let not_covered = |why: &str| Err(PadesError::NotCovered(why.to_owned()));
    let [start, first_len, second_start, second_len] = range.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    if start != 0 {
        return not_covered("the signed bytes do not start at the beginning of the file");
    }
    let gap_start = first_len;
    let gap_end = second_start;
    let Some(signed_end) = second_start.checked_add(second_len) else {
        return not_covered("its /ByteRange holds impossible numbers");
    };
    if gap_end <= gap_start {
        return not_covered("its two signed parts overlap or leave no room for the signature");
    }
    if signed_end < file.len() {
        return Err(PadesError::NotCovered(format!(
            "{} bytes were added after the signature, and nothing vouches for them: \
             the file must end where the signature ends",
            file.len() - signed_end
        )));
    }
    if signed_end > file.len() {
        return not_covered("it claims bytes beyond the end of the file: the file was cut after signing");
    }
    if gap_start < issued_len {
        return not_covered("part of the issued document is left outside the signature");
    }
    let gap = &file[gap_start..gap_end];
    let is_hex_string = gap.len() >= 2
        && gap[0] == b'<'
        && gap[gap.len() - 1] == b'>'
        && gap[1..gap.len() - 1].iter().all(u8::is_ascii_hexdigit);
    let after_contents_key = trim_end(&file[issued_len..gap_start]).ends_with(b"/Contents");
    if !is_hex_string || !after_contents_key {
        return not_covered(
            "the unsigned part is not exactly the signature value (/Contents): \
             other bytes there could be changed without breaking the signature",
        );
    }
    Ok(Placement { gap_start, gap_end })
}

/// Decodes the hex digits of /Contents and cuts the zero padding after the
/// CMS structure.
pub(super) fn decode_contents(hex_digits: &[u8]) -> Result<Vec<u8>> {
    let mut digits = hex_digits.to_vec();
    if digits.len() % 2 == 1 {
        digits.push(b'0');
    }
    let bytes = hex::decode(&digits).map_err(|_| PadesError::Malformed("/Contents is not hexadecimal".into()))?;
    if bytes.iter().all(|&b| b == 0) {
        return Err(PadesError::Malformed(
            "its /Contents is empty: room was made for a signature but the signing did not finish".into(),
        ));
    }
    let mut rest = bytes.as_slice();
    let len = read_tlv(&mut rest)
        .map(|tlv| tlv.whole.len())
        .ok_or_else(|| PadesError::BadSignature("/Contents does not hold a CMS signature".into()))?;
    if rest.iter().any(|&b| b != 0) {
        return Err(PadesError::BadSignature("/Contents holds other data after the CMS signature".into()));
    }
    Ok(bytes[..len].to_vec())
}
