#!/usr/bin/env python3
"""Signs a PDF as a PDF reader does (PAdES, an incremental update with a
/Sig dictionary and a detached CMS), for the integration tests of
`charte collect`. Every run makes a new test chain (an RSA root, an ECDSA
P-384 intermediate, an ECDSA P-256 signer, as a Belgian eID card's chain
is shaped) with tests/data/pades/make_fixtures.py's helpers:

    python3 pades_sign.py IN.pdf OUT.pdf CERTS_DIR [--alter-cms] [--name CN] [--self-signed]

writes OUT.pdf, and CERTS_DIR/root.der (the root, for keys/trusted-roots/).
With --alter-cms, one hex digit inside the CMS signature value is changed.
--name gives the signer certificate's common name (default "Luc Peeters
(Signature)"); --self-signed signs with a certificate that vouches for
itself, as a forger would make one (root.der is then that certificate).
Needs pyHanko (`.ci/run` installs it).
"""

import pathlib
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pyhanko.sign import fields

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "data" / "pades"))
import make_fixtures as mf  # noqa: E402


def main():
    source, target, certs = (pathlib.Path(a) for a in sys.argv[1:4])
    options = sys.argv[4:]
    alter = "--alter-cms" in options
    signer_name = options[options.index("--name") + 1] if "--name" in options else "Luc Peeters (Signature)"
    self_signed = "--self-signed" in options
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = mf.name("Charte Test Root CA")
    root = mf.certificate(root_name, root_key, root_name, root_key, True, hashes.SHA256())
    inter_key = ec.generate_private_key(ec.SECP384R1())
    inter_name = mf.name("Charte Test Citizen CA")
    inter = mf.certificate(inter_name, inter_key, root_name, root_key, True, hashes.SHA256())
    key = ec.generate_private_key(ec.SECP256R1())
    if self_signed:
        subject = mf.name(signer_name)
        cert = mf.certificate(subject, key, subject, key, False, hashes.SHA256())
        root, chain = cert, []
    else:
        cert = mf.certificate(mf.name(signer_name, "90020200246"), key, inter_name, inter_key, False, hashes.SHA384())
        chain = [inter, root]
    issued = source.read_bytes()
    signed = mf.sign(issued, key, cert, chain, fields.SigSeedSubFilter.PADES, "sha256")
    assert signed.startswith(issued)
    if alter:
        start = signed.index(b"/Contents <") + len(b"/Contents <")
        end = signed.index(b">", start)
        significant = len(signed[start:end].rstrip(b"0"))
        # Well inside the ECDSA signature value, the SignerInfo's last field.
        position = start + significant - 40
        digit = signed[position:position + 1]
        signed = signed[:position] + (b"1" if digit != b"1" else b"2") + signed[position + 1:]
    target.write_bytes(signed)
    certs.mkdir(parents=True, exist_ok=True)
    (certs / "root.der").write_bytes(mf.der(root))


if __name__ == "__main__":
    main()
