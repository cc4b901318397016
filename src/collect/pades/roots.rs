//! The trusted roots a PAdES signature's chain must reach: the
//! certificates the coordinator put in the workspace's keys/trusted-roots/
//! (for a Belgian eID, the Belgium Root CA certificates).
//!
//! Invariant: a configuration that cannot be read is an error naming the
//! folder or file, never an empty list; only a missing or empty folder
//! means "no root", which makes every PAdES return wait for confirmation.

/// The trusted root certificates for PAdES signatures (DER), from the
/// workspace's keys/trusted-roots/: every .pem, .crt, .cer or .der file
/// there (a PEM file may hold several). No such folder: no root, and every
/// PAdES return waits for the coordinator's confirmation. A folder that
/// cannot be read, or a file there that is not a certificate, is an error
/// naming it: a broken configuration must not pass for "no chain check".
pub fn trusted_roots(workspace: &std::path::Path) -> crate::Result<Vec<Vec<u8>>> {
    use base64::Engine as _;
    use cms::der::Decode as _;
    let dir = workspace.join("keys").join("trusted-roots");
    let broken = |what: String| {
        crate::Error::usage(format!(
            "{}: {what}. Trusted root certificates go in the folder keys/trusted-roots/, one .pem, .crt, .cer or \
             .der file each (for a Belgian eID: the self-signed Belgium Root CA3, CA4 and CA6 certificates from \
             repository.eid.belgium.be); nothing was changed",
            dir.display()
        ))
    };
    match std::fs::symlink_metadata(&dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(broken(format!("cannot be read ({e})"))),
        Ok(_) => {}
    }
    let entries = std::fs::read_dir(&dir).map_err(|e| broken(format!("cannot be read as a folder ({e})")))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| broken(format!("cannot be read ({e})")))?;
        // Hidden files (.DS_Store, an editor's backup) are not meant as roots.
        if !entry.file_name().to_string_lossy().starts_with('.') {
            paths.push(entry.path());
        }
    }
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
        if !["pem", "crt", "cer", "der"].contains(&extension.as_str()) {
            return Err(broken(format!("{name} is not a certificate file (.pem, .crt, .cer or .der)")));
        }
        let bytes = crate::error::read_bounded(&path, 1024 * 1024, "a root certificate")?;
        let text = String::from_utf8_lossy(&bytes);
        let ders = if text.contains("-----BEGIN CERTIFICATE-----") {
            let mut ders = Vec::new();
            for block in text.split("-----BEGIN CERTIFICATE-----").skip(1) {
                let b64: String =
                    block.split("-----END CERTIFICATE-----").next().unwrap_or("").split_whitespace().collect();
                let der = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .map_err(|_| broken(format!("{name} is not a valid PEM certificate")))?;
                ders.push(der);
            }
            ders
        } else {
            vec![bytes]
        };
        for der in ders {
            cms::x509_cert::Certificate::from_der(&der)
                .map_err(|_| broken(format!("{name} does not hold a readable X.509 certificate")))?;
            out.push(der);
        }
    }
    Ok(out)
}
