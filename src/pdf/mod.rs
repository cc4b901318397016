//! Reading PDF files by hand, as far as charte's own incremental updates
//! need. The seal revision ([`crate::seal`]) and the signatures an
//! organisation adds after it ([`crate::collect`]) both extend a file whose
//! last trailer and cross-reference table they must read, and both look
//! for fixed layouts in its bytes. They read through this one module, so
//! that the seal's writer, its verifier and the signatures' verifiers can
//! never read the same file two ways.
//!
//! - [`find`] and [`rfind`]: byte search (memchr's `memmem`, already under
//!   serde_json and regex);
//! - [`xref`]: the last `startxref`, the cross-reference table it points
//!   to and that table's trailer, read by hand when plainly written and by
//!   lopdf otherwise, and where each revision ends;
//! - [`update`]: the one-object update charte's signatures append after
//!   the seal;
//! - `syntax`: the few tokens of PDF syntax those need (crate-internal).
//!
//! Nothing here decides whether a file is authentic: the callers rebuild
//! what they expect from these readings and compare it with the file, byte
//! for byte.

pub(crate) mod syntax;
pub mod update;
pub mod xref;

pub use xref::{Trailer, XrefTable, last_startxref, revision_ends};

/// Where `needle` first occurs in `haystack`; an empty needle is found at 0.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// Where `needle` last occurs in `haystack`, searching from the end (the
/// cheap way to the end of a PDF); an empty needle is found at
/// `haystack.len()`.
pub fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::rfind(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_search_finds_the_first_and_the_last_occurrence() {
        let pdf = b"%PDF-1.7\nxref\ntrailer\nstartxref\n9\n%%EOF\nxref\ntrailer\nstartxref\n40\n%%EOF\n";
        assert_eq!(find(pdf, b"startxref"), Some(22));
        assert_eq!(rfind(pdf, b"startxref"), Some(53));
        assert_eq!(find(pdf, b"/ByteRange"), None);
        assert_eq!(rfind(pdf, b"/ByteRange"), None);
        // Needles longer than the haystack, and at its very edges.
        assert_eq!(find(b"%%EO", b"%%EOF"), None);
        assert_eq!(find(pdf, b"%PDF-"), Some(0));
        assert_eq!(rfind(pdf, b"%%EOF\n"), Some(pdf.len() - 6));
        // Past memchr's short-haystack path (64 bytes) too.
        let long = [&[b' '; 200][..], b"needle", &[b' '; 200][..], b"needle"].concat();
        assert_eq!(find(&long, b"needle"), Some(200));
        assert_eq!(rfind(&long, b"needle"), Some(406));
        assert_eq!(find(pdf, b""), Some(0));
        assert_eq!(rfind(pdf, b""), Some(pdf.len()));
    }

    #[test]
    fn the_end_of_a_file_with_two_revisions() {
        let pdf = b"%PDF-1.7\nxref\ntrailer\nstartxref\n9\n%%EOF\nxref\ntrailer\nstartxref\n40\n%%EOF\r\n";
        assert_eq!(last_startxref(pdf), Some(40));
        assert_eq!(revision_ends(pdf), vec![40, pdf.len()]);
        assert_eq!(last_startxref(b"%PDF-1.7\nstartxref\n%%EOF"), None);
    }
}
