//! Which characters the bundled fonts can print. Documents are rendered
//! only with the fonts of typst-assets (no system fonts, for reproducible
//! output), and Typst falls back from one to another; a character none of
//! them covers comes out as an empty box. Inputs that end up in documents
//! (the roster's names) are checked against this set when they are
//! imported, so that whatever import accepts, every later command prints.

use std::sync::OnceLock;

use typst::foundations::Bytes;
use typst::text::Font;

/// One bit per Unicode scalar value (0x110000 bits, 136 KB): set when at
/// least one bundled font has a glyph for it. Built once, on first use.
fn covered() -> &'static [u64] {
    static COVERED: OnceLock<Vec<u64>> = OnceLock::new();
    COVERED.get_or_init(|| {
        let mut bits = vec![0u64; 0x110000 / 64];
        for font in typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))) {
            for c in font.info().coverage.iter() {
                if let Some(word) = bits.get_mut(c as usize / 64) {
                    *word |= 1 << (c % 64);
                }
            }
        }
        bits
    })
}

/// Whether the bundled fonts can print `c`.
pub fn can_print(c: char) -> bool {
    let c = c as usize;
    covered().get(c / 64).is_some_and(|w| w & (1 << (c % 64)) != 0)
}

/// Checks that every character of `s` can be printed; the first one that
/// cannot is returned with its 1-based position in `s` (in characters).
pub fn printable(s: &str) -> Result<(), (usize, char)> {
    match s.chars().enumerate().find(|(_, c)| !can_print(*c)) {
        Some((i, c)) => Err((i + 1, c)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_and_dutch_print_emoji_do_not() {
        assert_eq!(printable("Œuvre des crèches Saint-Gérard « Ça » 12 € — Ijsselmeer, ë ï"), Ok(()));
        assert_eq!(printable("Café 😀"), Err((6, '😀')));
        assert!(!can_print('\u{1F600}'));
        assert!(can_print('é'));
    }
}
