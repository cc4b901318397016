//! `charte sign FILE.pdf --key FILE.key [--out SIGNED.pdf]`: the
//! organisation's side, outside any workspace.

use std::path::PathBuf;

use super::Ctx;
use crate::collect::signature;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The adherence document as issued (sealed PDF).
    file: PathBuf,
    /// The organisation's private key (made by `charte keys member`).
    #[arg(long, value_name = "FILE.key")]
    key: PathBuf,
    /// Where to write the signed document (default: FILE-signed.pdf).
    #[arg(long, value_name = "SIGNED.pdf")]
    out: Option<PathBuf>,
}

pub fn run(args: Args, ctx: &Ctx) -> Result<u8> {
    let key = crate::seal::load_signing_key(&args.key).map_err(|e| Error::usage(e.to_string()))?;
    let bytes = crate::error::read_bounded(&args.file, crate::error::MAX_DOCUMENT_BYTES, "a charte document")?;
    // Check the document is whole before signing it: its own seal, verified
    // with the key it names, must cover the whole file.
    let sealed_with = crate::seal::embedded_key(&bytes)
        .map_err(|e| Error::CheckFailed(format!("{}: not a sealed charte document: {e}", args.file.display())))?;
    let verdict = crate::seal::verify(&bytes, &sealed_with).map_err(|e| {
        Error::CheckFailed(format!("{}: refusing to sign a document that is not as issued: {e}", args.file.display()))
    })?;
    let (signed, detached) = signature::sign(&bytes, &verdict.manifest.document_id, &key, ctx.now)
        .map_err(|e| Error::usage(format!("{}: {e}", args.file.display())))?;
    let out = args.out.unwrap_or_else(|| {
        let stem = args.file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        args.file.with_file_name(format!("{stem}-signed.pdf"))
    });
    crate::error::write_atomic(&out, &signed)?;
    let sig_path = out.with_extension("sig.json");
    crate::error::write_atomic(&sig_path, &detached)?;
    say!(
        "signed {} ({}) with key {}",
        verdict.manifest.document_id,
        verdict.manifest.organisation.as_deref().unwrap_or("-"),
        crate::seal::fingerprint(&key.verifying_key())
    );
    say!("  {}  send this file back to the coordination", out.display());
    say!("  {}  the same signature, detached", sig_path.display());
    Ok(0)
}
