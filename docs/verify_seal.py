#!/usr/bin/env python3
"""Verify a charte-sealed PDF without charte (format: docs/seal.md).

Usage: verify_seal.py FILE.pdf coordination.pub [SEAL.json] [--signer-key ORG.pub]
       verify_seal.py ROTATION.json former.pub     (a key rotation statement)

Needs Python 3.8+ and the openssl command (3.0+) for the signature checks;
nothing else. Prints the manifest and exits 0 if the document is authentic
and unaltered, 1 otherwise. With SEAL.json (a detached seal) FILE.pdf may
be the sealed PDF or the rendered PDF alone.

A document returned signed (docs/seal.md section 7) is checked in two parts:
the sealed part as above, then the signature that follows it.
- Own key (charte sign): the signature update is rebuilt byte for byte and
  the ed25519 signature checked over its statement, which must name this
  document and the sealed part's sha256. Whose key it is can only be
  checked with --signer-key ORG.pub (the organisation's public key);
  otherwise the script prints the key's fingerprint and says so.
- PAdES (signed in a PDF reader): the signature must cover the whole file
  but its own value, and `openssl cms -verify -noverify` must accept it
  over those bytes (hash and signature). NOT checked here: the certificate
  chain and revocation (the PDF reader shows them), and whether the signing
  update changes what a reader displays (`charte verify` checks that).

After a key rotation (docs/seal.md, "Key rotation") a document may be sealed
with a later key than the one given: it is accepted when the rotation
statements the document carries (its manifest's extra.key_chain) lead from
the given key to the sealing key, each signed by the key it retires. Never
the other way: a newer key does not vouch for an older one. A statement
file given instead of a PDF is checked with the key it retires.
"""
import base64, hashlib, json, os, re, subprocess, sys, tempfile

SEAL_NAME = b"charte-seal.json"
SEAL_DESC = b"charte seal: manifest of this document signed by the coordination"
ED25519_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")


def fail(msg):
    print("NOT AUTHENTIC:", msg)
    sys.exit(1)


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def read_public_key(path):
    lines = [l.strip() for l in open(path, encoding="utf-8") if l.strip()]
    if len(lines) != 2 or lines[0] != "charte-ed25519-public-v1":
        sys.exit(f"{path}: not a charte public key file")
    key = base64.b64decode(lines[1], validate=True)
    assert len(key) == 32
    return key


def ed25519_verify(public_key, message, signature):
    """openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in msg -sigfile sig"""
    with tempfile.TemporaryDirectory() as d:
        der = os.path.join(d, "pub.der")
        pem = os.path.join(d, "pub.pem")
        msg = os.path.join(d, "manifest.bin")
        sig = os.path.join(d, "sig.bin")
        open(der, "wb").write(ED25519_SPKI_PREFIX + public_key)
        open(msg, "wb").write(message)
        open(sig, "wb").write(signature)
        subprocess.run(["openssl", "pkey", "-pubin", "-inform", "DER", "-in", der,
                        "-out", pem], check=True, capture_output=True)
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pem,
                            "-rawin", "-in", msg, "-sigfile", sig], capture_output=True)
        return r.returncode == 0


# --- minimal PDF reading, enough for the rendered prefix ------------------

def literal_string(b, i):
    """Decode the PDF literal string starting at b[i] == '('; return (bytes, end)."""
    out, depth, i = bytearray(), 1, i + 1
    esc = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
    while depth:
        c = b[i]
        if c == 0x5C:  # backslash
            i += 1
            c = b[i]
            if c in esc:
                out.append(esc[c])
            elif 0x30 <= c <= 0x37:
                j = i
                while j < i + 3 and 0x30 <= b[j] <= 0x37:
                    j += 1
                out.append(int(b[i:j], 8) & 0xFF)
                i = j - 1
            elif c == 13:
                if b[i + 1] == 10:
                    i += 1
            elif c != 10:
                out.append(c)
        elif c == 0x28:
            depth += 1
            out.append(c)
        elif c == 0x29:
            depth -= 1
            if depth:
                out.append(c)
        else:
            out.append(c)
        i += 1
    return bytes(out), i


def pdf_string(b, i):
    """Decode the literal or hex string at b[i]; return (bytes, end)."""
    if b[i:i + 1] == b"(":
        return literal_string(b, i)
    j = b.index(b">", i)
    digits = re.sub(rb"\s", b"", b[i + 1:j])
    if len(digits) % 2:
        digits += b"0"
    return bytes.fromhex(digits.decode()), j + 1


def dict_end(b, start):
    """Index just past the '>>' matching the '<<' at b[start]."""
    depth, i = 0, start
    while i < len(b):
        if b[i:i + 2] == b"<<":
            depth += 1; i += 2
        elif b[i:i + 1] == b"<":
            i = b.index(b">", i) + 1
        elif b[i:i + 2] == b">>":
            depth -= 1; i += 2
            if depth == 0:
                return i
        elif b[i:i + 1] == b"(":
            i = literal_string(b, i)[1]
        elif b[i:i + 1] == b"%":
            while i < len(b) and b[i] not in b"\r\n":
                i += 1
        else:
            i += 1
    raise ValueError("unterminated dictionary")


def read_prefix(prefix):
    """What the seal revision takes from the rendered PDF (docs/seal.md)."""
    startxref = int(re.findall(rb"startxref\s+(\d+)", prefix)[-1])
    if not prefix[startxref:].startswith(b"xref"):
        fail("the rendered PDF does not use an xref table")
    offsets, trailer, at = {}, None, startxref
    while at is not None:                      # newest section first
        m = re.compile(rb"xref\s+").match(prefix, at)
        pos = m.end()
        while True:
            sub = re.compile(rb"(\d+)\s+(\d+)\s*[\r\n]+").match(prefix, pos)
            if not sub:
                break
            first, count = int(sub.group(1)), int(sub.group(2))
            pos = sub.end()
            for k in range(count):
                entry = prefix[pos:pos + 20]
                off, gen, kind = int(entry[0:10]), int(entry[11:16]), entry[17:18]
                if kind == b"n":
                    offsets.setdefault(first + k, (off, gen))
                pos += 20
        t = prefix.index(b"trailer", pos)
        tstart = prefix.index(b"<<", t)
        tdict = prefix[tstart:dict_end(prefix, tstart)]
        if trailer is None:
            trailer = tdict
        prev = re.search(rb"/Prev\s+(\d+)", tdict)
        at = int(prev.group(1)) if prev else None

    size = int(re.search(rb"/Size\s+(\d+)", trailer).group(1))
    root = tuple(map(int, re.search(rb"/Root\s+(\d+)\s+(\d+)\s+R", trailer).groups()))
    info = tuple(map(int, re.search(rb"/Info\s+(\d+)\s+(\d+)\s+R", trailer).groups()))
    i = re.search(rb"/ID\s*\[\s*", trailer).end()
    id0, i = pdf_string(trailer, i)
    i = re.compile(rb"\s*").match(trailer, i).end()
    id1, _ = pdf_string(trailer, i)

    def inner(obj):
        off, gen = offsets[obj[0]]
        header = b"%d %d obj" % obj
        assert prefix.startswith(header, off) and gen == obj[1]
        start = re.compile(rb"\s*").match(prefix, off + len(header)).end()
        assert prefix.startswith(b"<<", start)
        return prefix[start + 2:dict_end(prefix, start) - 2]

    return dict(size=size, root=root, info=info, id=(id0, id1), startxref=startxref,
                root_inner=inner(root), info_inner=inner(info))


def pdf_text_string(text):
    raw = text.encode("utf-8")
    if all(0x20 <= c < 0x7F for c in raw):
        return b"(" + re.sub(rb"([()\\])", rb"\\\1", raw) + b")"
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def seal_revision(prefix, seal, manifest):
    """The exact bytes charte appends to the rendered PDF (docs/seal.md)."""
    p = read_prefix(prefix)
    n, date = p["size"], manifest["issued"].replace("-", "")
    tail = bytearray(b"" if prefix[-1:] in (b"\n", b"\r") else b"\n")
    base, offsets = len(prefix), []

    offsets.append((n, 0, base + len(tail)))
    tail += (b"%d 0 obj\n<</Type/EmbeddedFile/Subtype/application#2Fjson/Params<</Size %d"
             b"/ModDate(D:%s000000Z)>>/Length %d>>\nstream\n"
             % (n, len(seal), date.encode(), len(seal)))
    tail += seal + b"\nendstream\nendobj\n"

    offsets.append((n + 1, 0, base + len(tail)))
    tail += (b"%d 0 obj\n<</Type/Filespec/F(%s)/UF(%s)/Desc(%s)/AFRelationship/Data"
             b"/EF<</F %d 0 R/UF %d 0 R>>>>\nendobj\n"
             % (n + 1, SEAL_NAME, SEAL_NAME, SEAL_DESC, n, n))

    r, g = p["root"]
    offsets.append((r, g, base + len(tail)))
    tail += (b"%d %d obj\n<</Names<</EmbeddedFiles<</Names[(%s) %d 0 R]>>>>/AF[%d 0 R]"
             % (r, g, SEAL_NAME, n + 1, n + 1))
    tail += p["root_inner"] + b">>\nendobj\n"

    i, g = p["info"]
    offsets.append((i, g, base + len(tail)))
    tail += b"%d %d obj\n<</CharteDocId" % (i, g) + pdf_text_string(manifest["document_id"])
    tail += b"/CharteSha256(" + manifest["sha256"].encode() + b")"
    tail += p["info_inner"] + b">>\nendobj\n"

    xref_at = base + len(tail)
    tail += b"xref\n"
    offsets.sort()
    k = 0
    while k < len(offsets):
        j = k + 1
        while j < len(offsets) and offsets[j][0] == offsets[j - 1][0] + 1:
            j += 1
        tail += b"%d %d\n" % (offsets[k][0], j - k)
        for _, gen, off in offsets[k:j]:
            tail += b"%010d %05d n\r\n" % (off, gen)
        k = j
    tail += (b"trailer\n<</Size %d/Root %d %d R/Info %d %d R/ID[<%s><%s>]/Prev %d>>\n"
             b"startxref\n%d\n%%%%EOF\n"
             % (n + 2, *p["root"], *p["info"], p["id"][0].hex().upper().encode(),
                p["id"][1].hex().upper().encode(), p["startxref"], xref_at))
    return bytes(tail)


EMBEDDED = re.compile(rb"\d+ 0 obj\n<</Type/EmbeddedFile/Subtype/application#2Fjson"
                      rb"/Params<</Size \d+/ModDate\(D:\d{8}000000Z\)>>/Length (\d+)>>\nstream\n")


# --- what follows the seal: the organisation's signature ------------------

def signature_revision(sealed, sig_file, p, prev, extra=b""):
    """The update `charte sign` appends to the sealed file (docs/seal.md section 7,
    `U`); with `extra` = WEB_KEY, the web signature's update `W`."""
    n = p["size"] + 2                       # the seal revision's trailer /Size
    tail = bytearray(b"" if sealed[-1:] in (b"\n", b"\r") else b"\n")
    obj_at = len(sealed) + len(tail)
    tail += (b"%d 0 obj\n<< /Type /EmbeddedFile /Subtype /application#2Fjson%s /Length %d >>\nstream\n"
             % (n, extra, len(sig_file)))
    tail += sig_file + b"\nendstream\nendobj\n"
    xref_at = len(sealed) + len(tail)
    tail += (b"xref\n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root %d %d R /Info %d %d R "
             b"/ID [<%s> <%s>] /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
             % (n, obj_at, n + 1, *p["root"], *p["info"], p["id"][0].hex().encode(),
                p["id"][1].hex().encode(), prev, xref_at))
    return bytes(tail)


def update_file(after, missing):
    """The JSON file an update `U` or `W` carries: between `stream` and `endstream`."""
    start = after.find(b"stream\n")
    end = after.find(b"\nendstream", start + 7)
    if start < 0 or end < 0:
        fail(missing)
    return after[start + 7:end]


def signed_parts(file, field, invalid):
    """A signed file's object, its `field`, public key and signature (bytes)."""
    try:
        signed = json.loads(file)
        return signed, signed[field], base64.b64decode(signed["public_key"]), base64.b64decode(signed["signature"])
    except (ValueError, KeyError, TypeError):
        fail(invalid)


def fingerprint(public_key):
    return hashlib.sha256(public_key).hexdigest()[:16]


def check_own_key(sealed, after, manifest, p, prev, signer_key):
    """Returns the lines saying who signed; fails if the signature does not hold."""
    sig_file = update_file(after, "bytes follow the seal and they are not a charte signature: "
                           "the file was modified after sealing")
    sig, statement, public_key, signature = signed_parts(
        sig_file, "statement", "the signature after the seal is not a valid charte signature file")
    if after != signature_revision(sealed, sig_file, p, prev):
        fail("the signature update was altered, or something was added after it")
    if canonical(sig) != sig_file:
        fail("the signature file was edited (not in canonical form)")
    if (statement.get("format") != "charte-signature/1" or len(public_key) != 32
            or statement.get("key_fingerprint") != fingerprint(public_key)
            or not ed25519_verify(public_key, canonical(statement), signature)):
        fail("the organisation's signature does not verify (forged or altered)")
    if (statement.get("document_id") != manifest["document_id"]
            or statement.get("sealed_sha256") != hashlib.sha256(sealed).hexdigest()
            or statement.get("sealed_length") != len(sealed)):
        fail("the signature is about another document")
    fp = statement["key_fingerprint"]
    who = manifest.get("organisation") or "the organisation"
    if signer_key is not None:
        if signer_key != public_key:
            fail(f"signed with key {fp}, not with the given organisation key {fingerprint(signer_key)}")
        return [f"then signed by {who} (own key {fp}) on {statement['signed']}",
                f"checked: key {fp} is the key given with --signer-key"]
    return [f"then signed by the holder of key {fp} (own key; for {who}) on {statement['signed']}",
            f"not checked: whether key {fp} is the one {who} registered with the coordination "
            "(ask the coordination for its fingerprint, or pass --signer-key ORG.pub)"]


# --- what follows the seal: a web signature (docs/seal.md, "The web signature")

WEB_KEY = b" /CharteWebSignature true"
WEB_HEAD = b"/Subtype /application#2Fjson" + WEB_KEY + b" /Length "


def check_web(sealed, after, manifest, p, prev, trusted):
    """Returns the lines saying who signed on the signing page; fails if the
    record does not hold or is not signed by one of the `trusted` keys."""
    record_file = update_file(after, "the web signature's update is cut")
    expected = signature_revision(sealed, record_file, p, prev, WEB_KEY)
    if not after.startswith(expected):
        fail("the web signature's update was altered")
    if len(after) > len(expected):
        fail(f"{len(after) - len(expected)} bytes follow the web signature: "
             "the document was modified after it was signed")
    signed, record, public_key, signature = signed_parts(
        record_file, "record", "the web signature's record is not valid")
    if set(signed) != {"public_key", "record", "signature"} or canonical(signed) + b"\n" != record_file:
        fail("the web signature's record is not valid: not in canonical form (it was altered)")
    if record.get("format") != "charte-web-signature/1":
        fail("unknown web signature format")
    if (len(public_key) != 32 or record.get("key_fingerprint") != fingerprint(public_key)
            or not ed25519_verify(public_key, canonical(record), signature)):
        fail("the web signature's record does not verify: it was altered or forged")
    if public_key not in trusted:
        fail(f"the web signature's record is signed by key {fingerprint(public_key)}, "
             "not by the coordination's key")
    if (record.get("document_id") != manifest["document_id"]
            or record.get("organisation") != manifest.get("organisation")
            or record.get("enterprise_number") != manifest.get("enterprise_number")
            or record.get("sealed_sha256") != hashlib.sha256(sealed).hexdigest()
            or record.get("sealed_length") != len(sealed)):
        fail("the web signature's record is about another document")
    at = record.get("signed_at")
    if (record.get("mandate") is not True or not isinstance(at, str)
            or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", at) or at[:10] < manifest["issued"]):
        fail("the web signature's record has no mandate or no valid signing time")
    return [f"then signed by {record['signer']} ({record['capacity']}) on the signing page on {at}, "
            f"the code mailed to {record['email']}; the coordination vouches for it "
            f"(key {record['key_fingerprint']})"]


# --- after a key rotation: the chain of keys ------------------------------

ROTATION_FORMAT = "charte-key-rotation/1"


def rotation(item, name):
    """A carried rotation statement, checked: (previous key, next key, date)."""
    try:
        statement = item["statement"]
        previous = base64.b64decode(statement["previous_key"], validate=True)
        nxt = base64.b64decode(statement["next_key"], validate=True)
        signature = base64.b64decode(item["signature"], validate=True)
        date = statement["date"]
    except (KeyError, TypeError, ValueError):
        fail(f"key rotation statement {name}: not a statement file")
    if sorted(item) != ["public_key", "signature", "statement"]:
        fail(f"key rotation statement {name}: unexpected fields")
    if statement.get("format") != ROTATION_FORMAT:
        fail(f"key rotation statement {name}: unknown format")
    if (len(previous) != 32 or len(nxt) != 32 or previous == nxt
            or statement.get("previous_fingerprint") != fingerprint(previous)
            or statement.get("next_fingerprint") != fingerprint(nxt)):
        fail(f"key rotation statement {name}: malformed keys or fingerprints")
    if item["public_key"] != statement["previous_key"]:
        fail(f"key rotation statement {name}: not signed by the key it retires")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        fail(f"key rotation statement {name}: bad date")
    if not ed25519_verify(previous, canonical(statement), signature):
        fail(f"key rotation statement {name}: the signature of key {fingerprint(previous)} does not verify: "
             "the statement was altered or forged")
    return previous, nxt, date, name


def chain_to(manifest, trusted, sealing):
    """The rotations leading from the trusted key to the sealing key through the
    statements the document carries, oldest first; fails if there are none."""
    carried = (manifest.get("extra") or {}).get("key_chain")
    if not isinstance(carried, list) or not carried:
        fail(f"sealed with another key ({fingerprint(sealing)}, not the given {fingerprint(trusted)}), "
             "and the document carries no key rotation statement")
    links = [rotation(item, f"key_chain[{i}] of the document") for i, item in enumerate(carried)]
    by_previous = {}
    for link in links:
        if link[0] in by_previous:
            fail(f"key rotation statement {link[3]}: key {fingerprint(link[0])} already named another successor")
        by_previous[link[0]] = link
    nexts = {link[1] for link in links}
    heads = [link for link in links if link[0] not in nexts]
    if len(heads) != 1:
        fail("the key rotation statements do not form one line from the first key to the last")
    order, seen, at = [], {heads[0][0]}, heads[0][0]
    while at in by_previous:
        link = by_previous[at]
        if link[1] in seen:
            fail(f"key rotation statement {link[3]}: a key appears twice in the chain")
        seen.add(link[1])
        order.append(link)
        at = link[1]
    if len(order) != len(links):
        fail("the key rotation statements do not form one line from the first key to the last")
    for before, after in zip(order, order[1:]):
        if after[2] < before[2]:
            fail(f"key rotation statement {after[3]}: dated before the rotation it follows")
    keys = [order[0][0]] + [link[1] for link in order]
    if trusted not in keys or sealing not in keys:
        fail(f"sealed with key {fingerprint(sealing)}, not with the given key {fingerprint(trusted)}, "
             "and the statements the document carries do not lead from one to the other")
    start, end = keys.index(trusted), keys.index(sealing)
    if start > end:
        fail(f"sealed with key {fingerprint(sealing)}, older than the given key {fingerprint(trusted)}: "
             "trust goes forward only (verify with the former key)")
    return order[start:end]


def check_statement(name, data, public_key):
    """A key rotation statement file, checked with the key it retires."""
    try:
        item = json.loads(data)
    except ValueError:
        fail("not a PDF, nor a key rotation statement")
    if canonical(item) + b"\n" != data:
        fail(f"key rotation statement {name}: the file was edited (not in canonical form)")
    previous, nxt, date, _ = rotation(item, name)
    if previous != public_key:
        fail(f"the statement is signed by key {fingerprint(previous)}, not by the given key "
             f"{fingerprint(public_key)}: check it with the key it retires")
    print(json.dumps(item["statement"], indent=2, ensure_ascii=False))
    print(f"AUTHENTIC: key rotation statement: key {fingerprint(previous)} retired on {date}, "
          f"succeeded by key {fingerprint(nxt)}")


def der_length(der):
    """Length of the DER element at the start of `der` (the CMS, before its zero padding)."""
    if len(der) < 2:
        return None
    first = der[1]
    if first < 0x80:
        return 2 + first
    n = first & 0x7F
    return 2 + n + int.from_bytes(der[2:2 + n], "big")


def check_pades(data, sealed_len):
    """Returns the lines saying who signed; fails if the signature does not hold."""
    ranges = re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data[sealed_len:])
    if len(ranges) != 1:
        fail(f"{len(ranges)} PDF signatures follow the seal; exactly one is expected")
    a, b, c, d = map(int, ranges[0])
    if a != 0 or c + d != len(data) or b < sealed_len or c <= b:
        fail("the PDF signature does not cover the whole file (bytes were added or cut after signing)")
    gap = data[b:c]
    if not re.fullmatch(rb"<[0-9A-Fa-f]*>", gap) or not data[:b].rstrip().endswith(b"/Contents"):
        fail("the part the PDF signature leaves out is not only its own value")
    der = bytes.fromhex(gap[1:-1].decode() + ("0" if len(gap) % 2 else ""))
    length = der_length(der)
    if not length or length > len(der) or any(der[length:]):
        fail("the PDF signature's value is not a CMS signature")
    with tempfile.TemporaryDirectory() as t:
        cms, content, signer = (os.path.join(t, n) for n in ("sig.der", "content.bin", "signer.pem"))
        open(cms, "wb").write(der[:length])
        open(content, "wb").write(data[:b] + data[c:])
        r = subprocess.run(["openssl", "cms", "-verify", "-inform", "DER", "-in", cms, "-content", content,
                            "-binary", "-noverify", "-signer", signer, "-out", os.devnull],
                           capture_output=True)
        if r.returncode != 0:
            fail("the PDF signature is not valid: the file was changed after signing, "
                 "or the signature does not match its certificate")
        subject = subprocess.run(["openssl", "x509", "-in", signer, "-noout", "-subject", "-nameopt",
                                  "utf8,sep_multiline"], capture_output=True, text=True).stdout
    cn = re.search(r"^\s*(?:CN|commonName)\s*=\s*(.+)$", subject, re.M)
    name = cn.group(1).strip() if cn else subject.strip()
    return [f"then signed by {name} (PAdES, certificate of {name})",
            "checked: the PDF signature's hash and signature over the whole file (openssl cms)",
            "not checked: the certificate chain and revocation (a PDF reader shows them), and "
            "whether the signing update changes what a reader displays (charte verify checks that)"]


def check_sealed(data, public_key, seal=None, signer_key=None):
    """Checks a sealed PDF's bytes (its embedded seal, or the detached `seal`
    given) with `public_key`, or with a successor of it through the rotation
    statements the document carries; returns (manifest, lines saying who
    sealed and signed it, the sealing key, the rotations followed), or
    fails (exit 1)."""
    detached = seal is not None
    if not data.startswith(b"%PDF-"):
        fail("not a PDF")
    if not detached:
        found = list(EMBEDDED.finditer(data))
        if not found:
            fail("no charte seal in this PDF")
        m = found[-1]
        seal = data[m.end():m.end() + int(m.group(1))]

    # 1. The seal: canonical JSON of {manifest, public_key, signature} + "\n".
    sealed = json.loads(seal)
    if canonical(sealed) + b"\n" != seal:
        fail("the seal file is not in canonical form")
    manifest = sealed["manifest"]
    if manifest.get("format") != "charte-seal/1":
        fail("unknown seal format")
    # 2. The key and the signature over the canonical manifest: the given key,
    #    or a successor of it through the rotation statements the document carries.
    sealing_key = base64.b64decode(sealed["public_key"])
    rotations = [] if sealing_key == public_key else chain_to(manifest, public_key, sealing_key)
    if not ed25519_verify(sealing_key, canonical(manifest),
                          base64.b64decode(sealed["signature"])):
        fail("invalid signature: the manifest was altered")
    # 3. The rendered bytes.
    length = manifest["length"]
    if len(data) < length or hashlib.sha256(data[:length]).hexdigest() != manifest["sha256"]:
        fail("content altered")
    # 4. The seal revision, rebuilt; then nothing after it, or a signature.
    rest = data[length:]
    lines = [f"sealed by {manifest['coordination']} on {manifest['issued']}"]
    if rest or not detached:
        revision = seal_revision(data[:length], seal, manifest)
        if not rest.startswith(revision):
            fail("the file was modified after sealing (the seal revision differs)")
        after = rest[len(revision):]
        sealed_len = length + len(revision)
        if WEB_HEAD in after[:160]:
            p = read_prefix(data[:length])
            prev = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", revision).group(1))
            lines += check_web(data[:sealed_len], after, manifest, p, prev, (public_key, sealing_key))
        elif b"/ByteRange" in after:
            lines += check_pades(data, sealed_len)
        elif after:
            p = read_prefix(data[:length])
            prev = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", revision).group(1))
            lines += check_own_key(data[:sealed_len], after, manifest, p, prev, signer_key)
    return manifest, lines, sealing_key, rotations


def main():
    args = sys.argv[1:]
    signer_key = None
    if "--signer-key" in args:
        at = args.index("--signer-key")
        if at + 1 >= len(args):
            sys.exit(__doc__)
        signer_key = read_public_key(args[at + 1])
        del args[at:at + 2]
    if len(args) not in (2, 3):
        sys.exit(__doc__)
    data = open(args[0], "rb").read()
    public_key = read_public_key(args[1])
    seal = open(args[2], "rb").read() if len(args) == 3 else None
    if data.startswith(b"{") and seal is None:
        check_statement(args[0], data, public_key)
        return
    manifest, lines, sealing_key, rotations = check_sealed(data, public_key, seal, signer_key)
    print(json.dumps(manifest, indent=2, ensure_ascii=False))
    print("AUTHENTIC:", lines[0] + (", " + lines[1] if len(lines) > 1 else ""))
    for line in lines[2:]:
        print("  " + line)
    if rotations:
        dates = ", ".join(link[2] for link in rotations)
        print(f"  key: sealed with key {fingerprint(sealing_key)}, the successor of the given key "
              f"{fingerprint(public_key)} through the rotation statement(s) of {dates} carried in the document")


if __name__ == "__main__":
    main()
