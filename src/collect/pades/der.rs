//! DER read by hand, where the bytes as encoded matter and not only their
//! meaning: the signed attributes and a certificate's TBSCertificate are
//! verified over their encoding, and the CMS structure's length is what
//! separates it from the zero padding of /Contents. Definite lengths only
//! (DER has no other); anything else reads as `None`.

/// One DER element: its tag, its whole encoding and its contents.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tlv<'a> {
    pub(super) tag: u8,
    pub(super) whole: &'a [u8],
    pub(super) value: &'a [u8],
}

/// Reads one DER element off the front of `input` (definite lengths only).
pub(super) fn read_tlv<'a>(input: &mut &'a [u8]) -> Option<Tlv<'a>> {
    let bytes = *input;
    let tag = *bytes.first()?;
    if tag & 0x1f == 0x1f {
        return None;
    }
    let first = *bytes.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let len = bytes.get(2..2 + count)?.iter().fold(0usize, |n, &b| n << 8 | usize::from(b));
        (len, 2 + count)
    };
    let whole = bytes.get(..header.checked_add(len)?)?;
    *input = &bytes[whole.len()..];
    Some(Tlv { tag, whole, value: &whole[header..] })
}
