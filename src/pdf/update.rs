//! The one-object incremental update that charte's signatures append
//! after a sealed file (docs/seal.md, section 7: the own-key update `U`,
//! and the web signature's update `W`): one embedded-file stream holding
//! a JSON file, not referenced by anything a reader displays, a one-entry
//! cross-reference section and a trailer chained to the sealed file's.
//! Its layout is a pure function of the sealed bytes, the JSON and the
//! stream dictionary's extra keys, so a verifier rebuilds it and compares
//! byte for byte.

use super::Trailer;

/// The update for `sealed` carrying `json` in a stream whose dictionary is
/// `<< /Type /EmbeddedFile /Subtype /application#2Fjson{extra} /Length L >>`
/// (`extra` empty, or starting with a space).
pub fn embedded_json(sealed: &[u8], extra: &str, json: &[u8]) -> Result<Vec<u8>, String> {
    let Trailer { size, root, info, id: (id0, id1), startxref: prev } =
        Trailer::read(sealed).map_err(|e| format!("the issued document cannot be extended: {e}"))?;
    let (id0, id1) = (hex::encode(id0), hex::encode(id1));
    let mut tail = Vec::with_capacity(json.len() + 512);
    if !matches!(sealed.last(), Some(b'\n' | b'\r')) {
        tail.push(b'\n');
    }
    let obj_offset = sealed.len() + tail.len();
    tail.extend_from_slice(
        format!(
            "{size} 0 obj\n<< /Type /EmbeddedFile /Subtype /application#2Fjson{extra} /Length {} >>\nstream\n",
            json.len()
        )
        .as_bytes(),
    );
    tail.extend_from_slice(json);
    tail.extend_from_slice(b"\nendstream\nendobj\n");
    let xref_offset = sealed.len() + tail.len();
    tail.extend_from_slice(
        format!(
            "xref\n{size} 1\n{obj_offset:010} 00000 n \ntrailer\n<< /Size {} /Root {} {} R /Info {} {} R /ID [<{id0}> <{id1}>] /Prev {prev} >>\nstartxref\n{xref_offset}\n%%EOF\n",
            u64::from(size) + 1,
            root.0,
            root.1,
            info.0,
            info.1
        )
        .as_bytes(),
    );
    Ok(tail)
}

/// The JSON file carried by an update [`embedded_json`] wrote, found by
/// its layout (to be rebuilt and compared by the caller): the bytes
/// between the first `stream⏎` and the next `⏎endstream`.
pub fn embedded_json_of(tail: &[u8]) -> Option<&[u8]> {
    let start = super::find(tail, b"stream\n")? + 7;
    let end = super::find(&tail[start..], b"\nendstream")? + start;
    Some(&tail[start..end])
}
