#!/usr/bin/env python3
"""Makes the PAdES test fixtures of charte's src/collect/pades/.

Run from this folder with a Python that has pyHanko (see README.md):

    python3 make_fixtures.py [SEALED.pdf]

SEALED.pdf, when given, is an adherence document issued by `charte issue`;
it is signed too, into signed-sealed.pdf.
Every run makes new keys, so the files change (the tests do not depend on
any particular key). Nothing here runs at test time.
"""

import datetime
import io
import pathlib
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

HERE = pathlib.Path(__file__).resolve().parent
NOT_BEFORE = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
NOT_AFTER = datetime.datetime(2055, 1, 1, tzinfo=datetime.timezone.utc)


def name(cn, serial=None):
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "BE")]
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    if serial:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    return x509.Name(attrs)


def certificate(subject, key, issuer, issuer_key, ca, hash_alg):
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
        )
    )
    return builder.sign(issuer_key, hash_alg)


def der(cert):
    return cert.public_bytes(serialization.Encoding.DER)


def base_pdf():
    """A small one-page PDF with a classic cross-reference table, standing
    in for the document the coordination issued."""
    text = (
        b"BT /F1 14 Tf 72 770 Td (Charte de la coordination sociale - document de test) Tj "
        b"0 -24 Td (L'association adhere a la charte.) Tj ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title (Charte - test) /Producer (charte make_fixtures.py) >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R "
        b"/ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] >>\n"
        % (len(objects) + 1)
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def sign(base, key, cert, chain, subfilter, md, change_page=False):
    signer = signers.SimpleSigner(
        signing_cert=load(cert),
        signing_key=load_key(key),
        cert_registry=SimpleCertificateStore.from_certs([load(c) for c in chain]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1",
        subfilter=subfilter,
        md_algorithm=md,
        reason="Adhesion a la charte",
        location="Bruxelles",
    )
    field = fields.SigFieldSpec(sig_field_name="Signature1", on_page=0, box=(72, 600, 300, 680))
    writer = IncrementalPdfFileWriter(io.BytesIO(base))
    if change_page:
        # The signer rewrites the page's text in the same update as the
        # signature: the signature is valid, the document is not as issued.
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        text = b"BT /F1 14 Tf 72 770 Td (L'association n'adhere PAS a la charte.) Tj ET"
        page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=text))
        writer.update_container(page)
    pdf_signer = signers.PdfSigner(meta, signer=signer, new_field_spec=field)
    return pdf_signer.sign_pdf(writer).getvalue()


def load(cert):
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(der(cert))


def load_key(key):
    from asn1crypto import keys

    return keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def flip(data, offset):
    altered = bytearray(data)
    altered[offset] ^= 0x01
    return bytes(altered)


def main():
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = name("Charte Test Root CA")
    root = certificate(root_name, root_key, root_name, root_key, True, hashes.SHA256())

    # Same name, another key: a root that did not issue anything here.
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_root = certificate(root_name, other_key, root_name, other_key, True, hashes.SHA256())

    inter_key = ec.generate_private_key(ec.SECP384R1())
    inter_name = name("Charte Test Citizen CA")
    inter = certificate(inter_name, inter_key, root_name, root_key, True, hashes.SHA256())

    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_cert = certificate(
        name("Marie Dupont (Signature)", "85073100123"),
        rsa_key, inter_name, inter_key, False, hashes.SHA384(),
    )
    p256_key = ec.generate_private_key(ec.SECP256R1())
    p256_cert = certificate(
        name("Luc Peeters (Signature)", "90020200246"),
        p256_key, inter_name, inter_key, False, hashes.SHA384(),
    )
    p384_key = ec.generate_private_key(ec.SECP384R1())
    p384_cert = certificate(
        name("Ana Lopez (Signature)", "78111500371"),
        p384_key, inter_name, inter_key, False, hashes.SHA384(),
    )

    for file, cert in [
        ("root.der", root),
        ("other-root.der", other_root),
        ("intermediate.der", inter),
        ("signer-rsa.der", rsa_cert),
        ("signer-p256.der", p256_cert),
        ("signer-p384.der", p384_cert),
    ]:
        (HERE / file).write_bytes(der(cert))

    base = base_pdf()
    (HERE / "base.pdf").write_bytes(base)

    pades = fields.SigSeedSubFilter.PADES
    pkcs7 = fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED
    signed_rsa = sign(base, rsa_key, rsa_cert, [inter, root], pades, "sha256")
    signed_p256 = sign(base, p256_key, p256_cert, [inter], pkcs7, "sha256")
    signed_p384 = sign(base, p384_key, p384_cert, [inter], pades, "sha384")
    for signed in (signed_rsa, signed_p256, signed_p384):
        assert signed.startswith(base)
    (HERE / "signed-rsa.pdf").write_bytes(signed_rsa)
    (HERE / "signed-p256.pdf").write_bytes(signed_p256)
    (HERE / "signed-p384.pdf").write_bytes(signed_p384)

    # One byte of the CMS altered: a hex digit in the middle of the signature
    # value, near the end of the significant part of /Contents.
    start = signed_rsa.index(b"/Contents <") + len(b"/Contents <")
    end = signed_rsa.index(b">", start)
    hex_text = signed_rsa[start:end].rstrip(b"0")
    cms = bytes.fromhex(hex_text.decode() + ("0" if len(hex_text) % 2 else ""))
    # The RSA signature value is the last 256 bytes of the SignerInfo when no
    # unsigned attributes follow: change a byte well inside it.
    position = start + 2 * (len(cms) - 100)
    digit = signed_rsa[position:position + 1]
    replacement = b"1" if digit != b"1" else b"2"
    altered_cms = signed_rsa[:position] + replacement + signed_rsa[position + 1:]
    (HERE / "altered-cms.pdf").write_bytes(altered_cms)

    # One byte of the issued part altered: a letter of the page's text.
    position = signed_rsa.index(b"adhere")
    (HERE / "altered-issued.pdf").write_bytes(flip(signed_rsa, position))

    # Bytes appended after the signature, as a later update would be.
    (HERE / "appended.pdf").write_bytes(signed_rsa + b"\n% added after signing\n")

    # The signer changes the page's text in the signing update.
    changed = sign(base, rsa_key, rsa_cert, [inter, root], pades, "sha256", change_page=True)
    (HERE / "changed-page.pdf").write_bytes(changed)

    # A document issued and sealed by charte itself, when given.
    if len(sys.argv) > 1:
        sealed = pathlib.Path(sys.argv[1]).read_bytes()
        signed = sign(sealed, rsa_key, rsa_cert, [inter, root], pades, "sha256")
        (HERE / "signed-sealed.pdf").write_bytes(signed)

    print("issued length:", len(base))


if __name__ == "__main__":
    main()
