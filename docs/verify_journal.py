#!/usr/bin/env python3
"""Verify charte's journal proofs without charte (docs/journal.md: "The Merkle
tree", "Checkpoints", "Proofs").

Usage:
  verify_journal.py checkpoint FILE coordination.pub
      a checkpoint file: canonical form, the key it names, its signature, and
      that the key is the coordination's.
  verify_journal.py evidence FILE coordination.pub
      an evidence file (charte evidence ENTRY): the entry's hash recomputed
      from its columns, its inclusion proof up to the checkpoint's root, the
      checkpoint as above.
  verify_journal.py since NEW.pdf OLD.pdf coordination.pub
      two sealed reports: each seal (as verify_seal.py checks it), the
      checkpoint each embeds, and that NEW's consistency proof starts from
      OLD's tree and leads to NEW's: the history behind NEW extends the one
      behind OLD.
  verify_journal.py journal charte.db [--key coordination.pub] [CHECKPOINT ...]
      the whole journal, read with the sqlite3 module: the hash chain, then
      the tree's root at each checkpoint given (a checkpoint file or a sealed
      report embedding one): the journal must begin with the tree each signed.
      Without --key, a checkpoint's signature is checked with the key it
      carries only: whose key that is is not checked (give --key).

Needs Python 3.8+ and, for the signatures, the openssl command (3.0+), as
verify_seal.py beside it. Exit 0 when everything holds (VERIFIED: ...), 1 when
a check fails (NOT VERIFIED: reason), 2 when an input is unusable (not a
checkpoint, not an evidence file, not a journal, a missing file).
"""
import base64, hashlib, json, os, sqlite3, sys

sys.dont_write_bytecode = True               # leave no __pycache__ beside the script
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verify_seal  # noqa: E402  (the seal's reading and ed25519 through openssl)

CHECKPOINT_FORMAT = "charte-checkpoint/1"
EVIDENCE_FORMAT = "charte-evidence/1"
GENESIS = "0" * 64


def failed(msg):
    print("NOT VERIFIED:", msg)
    sys.exit(1)


def unusable(msg):
    print("UNUSABLE INPUT:", msg, file=sys.stderr)
    sys.exit(2)


def read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        unusable(f"{path}: {e.strerror}")


def read_public_key(path):
    """A charte public key file (docs/seal.md section 1): 32 bytes."""
    lines = [l.strip() for l in read_bytes(path).decode("utf-8", "replace").splitlines() if l.strip()]
    try:
        if len(lines) != 2 or lines[0] != "charte-ed25519-public-v1":
            raise ValueError
        key = base64.b64decode(lines[1], validate=True)
        if len(key) != 32:
            raise ValueError
    except ValueError:
        unusable(f"{path}: not a charte public key file")
    return key


def fingerprint(public_key):
    return hashlib.sha256(public_key).hexdigest()[:16]


def is_hex32(text):
    return isinstance(text, str) and len(text) == 64 and all(c in "0123456789abcdef" for c in text)


# --- the tree (RFC 9162 section 2.1) -------------------------------------

def leaf_hash(entry_hash):
    return hashlib.sha256(b"\x00" + entry_hash).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


class Frontier:
    """The roots of the full subtrees of a growing tree, largest first."""

    def __init__(self):
        self.size, self.nodes = 0, []          # nodes: [(level, hash)]

    def push(self, entry_hash):
        level, h = 0, leaf_hash(entry_hash)
        while self.nodes and self.nodes[-1][0] == level:
            h = node_hash(self.nodes.pop()[1], h)
            level += 1
        self.nodes.append((level, h))
        self.size += 1

    def root(self):
        if not self.nodes:
            return EMPTY_ROOT
        r = self.nodes[-1][1]
        for _, left in reversed(self.nodes[:-1]):
            r = node_hash(left, r)
        return r


def verify_inclusion(index, size, entry_hash, proof, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash(entry_hash)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(old, new, old_root, new_root, proof):
    """RFC 9162 section 2.1.4.2 (equal sizes: an empty proof and equal roots)."""
    if old > new:
        return False
    if old == new:
        return not proof and old_root == new_root
    if old == 0:
        return not proof and old_root == EMPTY_ROOT
    path = ([old_root] if old & (old - 1) == 0 else []) + list(proof)
    if not path:
        return False
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


def hashes(values, what):
    if not isinstance(values, list) or not all(is_hex32(v) for v in values):
        unusable(f"{what} is not a list of 64 lowercase hexadecimal digits each")
    return [bytes.fromhex(v) for v in values]


# --- checkpoints (docs/journal.md "Checkpoints") -------------------------

def read_checkpoint(raw, source):
    """A checkpoint file's bytes, checked in itself (canonical form, the key
    it names, its signature): returns its statement and its key."""
    try:
        obj = json.loads(raw)
    except ValueError:
        unusable(f"{source}: this is not a charte checkpoint (not JSON)")
    if not isinstance(obj, dict) or set(obj) != {"checkpoint", "public_key", "signature"}:
        unusable(f"{source}: this is not a charte checkpoint (not {{checkpoint, public_key, signature}})")
    st = obj["checkpoint"]
    fields = {"coordination": str, "date": str, "format": str, "key_fingerprint": str, "root": str,
              "tree_size": int}
    if not isinstance(st, dict) or any(not isinstance(st.get(k), t) or isinstance(st.get(k), bool)
                                       for k, t in fields.items()):
        unusable(f"{source}: this is not a charte checkpoint (its fields are not {sorted(fields)})")
    if st["format"] != CHECKPOINT_FORMAT:
        unusable(f"{source}: unknown format {st['format']!r} (this script reads {CHECKPOINT_FORMAT!r})")
    if not is_hex32(st["root"]):
        unusable(f"{source}: its root is not 64 lowercase hexadecimal digits")
    try:
        key = base64.b64decode(obj["public_key"], validate=True)
        signature = base64.b64decode(obj["signature"], validate=True)
    except (ValueError, TypeError):
        unusable(f"{source}: its public_key or signature is not base64")
    if len(key) != 32 or len(signature) != 64:
        unusable(f"{source}: its public_key or signature has the wrong length")
    if verify_seal.canonical(obj) + b"\n" != raw:
        failed(f"{source}: the checkpoint was altered (its bytes are not in canonical form)")
    if st["key_fingerprint"] != fingerprint(key):
        failed(f"{source}: the checkpoint was altered (the key it names is not the key it carries)")
    if not verify_seal.ed25519_verify(key, verify_seal.canonical(st), signature):
        failed(f"{source}: the checkpoint was altered (its signature does not hold)")
    return st, key


def checked_checkpoint(raw, source, coordination_key):
    st, key = read_checkpoint(raw, source)
    if key != coordination_key:
        failed(f"{source}: this checkpoint is signed with the key {st['key_fingerprint']}, not with the "
               f"coordination's key {fingerprint(coordination_key)}")
    return st


def embedded_checkpoint(data, source):
    """The checkpoint a sealed report embeds (its manifest's extra.checkpoint),
    as the checkpoint file's bytes."""
    if data.startswith(b"%PDF-"):
        found = list(verify_seal.EMBEDDED.finditer(data))
        if not found:
            unusable(f"{source}: no charte seal in this PDF")
        m = found[-1]
        seal = data[m.end():m.end() + int(m.group(1))]
    else:
        seal = data
    try:
        extra = json.loads(seal)["manifest"].get("extra", {})
    except (ValueError, KeyError, TypeError, AttributeError):
        unusable(f"{source}: its seal does not read")
    if "checkpoint" not in extra:
        unusable(f"{source}: this sealed document embeds no checkpoint (only reports do)")
    return verify_seal.canonical(extra["checkpoint"]) + b"\n"


def describe(st):
    return (f"{st['coordination']}'s journal, entries 1 to {st['tree_size']}, root {st['root']}, "
            f"signed on {st['date']} with key {st['key_fingerprint']}")


# --- the subcommands -------------------------------------------------------

def cmd_checkpoint(path, key_path):
    key = read_public_key(key_path)
    st = checked_checkpoint(read_bytes(path), path, key)
    print("VERIFIED: a checkpoint of", describe(st))


def cmd_evidence(path, key_path):
    key = read_public_key(key_path)
    try:
        ev = json.loads(read_bytes(path))
        entry, cp, inc = ev["entry"], ev["checkpoint"], ev["inclusion"]
        if ev["format"] != EVIDENCE_FORMAT:
            raise ValueError
        seq, index, size = entry["seq"], inc["leaf_index"], inc["tree_size"]
        columns = [entry[k] for k in ("at", "kind", "subject", "payload", "prev_hash", "hash")]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (seq, index, size)) or seq < 1 \
                or not all(isinstance(c, str) for c in columns) or not isinstance(cp, dict):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        unusable(f"{path}: this is not a charte evidence file ({EVIDENCE_FORMAT})")
    at, kind, subject, payload, prev_hash, entry_hash = columns
    proof = hashes(inc["proof"], f"{path}: its proof")
    if not is_hex32(entry_hash):
        unusable(f"{path}: the entry's hash is not 64 lowercase hexadecimal digits")
    # 1. The entry: its hash from its columns (docs/journal.md "The hash").
    data = "charte-journal/1\n" + "\n".join([prev_hash, str(seq), at, kind, subject, payload])
    if hashlib.sha256(data.encode("utf-8")).hexdigest() != entry_hash:
        failed(f"{path}: entry {seq} was altered: its columns do not give its hash")
    # 2. The checkpoint: the coordination's, signed; after a key rotation,
    #    by a successor of the key given, through the statements the file
    #    carries (`key_chain`, forward only, as verify_seal.py follows them).
    raw = verify_seal.canonical(cp) + b"\n"
    st, signer = read_checkpoint(raw, f"{path}'s checkpoint")
    if signer != key and ev.get("key_chain"):
        verify_seal.chain_to({"extra": {"key_chain": ev["key_chain"]}}, key, signer)
    else:
        st = checked_checkpoint(raw, f"{path}'s checkpoint", key)
    # 3. The proof: entry seq is leaf seq - 1 of the checkpoint's very tree.
    if index != seq - 1:
        failed(f"{path}: the proof is for leaf {index}, entry {seq} is leaf {seq - 1}")
    if size != st["tree_size"]:
        failed(f"{path}: the proof is for a tree of {size} entries, the checkpoint signs {st['tree_size']}")
    if not verify_inclusion(index, size, bytes.fromhex(entry_hash), proof, bytes.fromhex(st["root"])):
        failed(f"{path}: the inclusion proof does not lead from entry {seq} to the checkpoint's root "
               f"(altered, truncated, reordered, or for another entry)")
    print(f"VERIFIED: entry {seq} ({kind}, {at}, subject {subject!r}) is in {describe(st)}")
    print("  payload:", payload)


def cmd_since(new_path, old_path, key_path):
    key = read_public_key(key_path)
    reports = []
    for path in (new_path, old_path):
        data = read_bytes(path)
        if not data.startswith(b"%PDF-"):
            unusable(f"{path}: not a PDF")
        # The seal, with the key given or a successor of it (a key rotation
        # the report carries); its checkpoint is signed with the same key.
        manifest, _, sealing_key, _ = verify_seal.check_sealed(data, key)
        extra = manifest.get("extra", {})
        if "checkpoint" not in extra:
            unusable(f"{path}: this sealed document embeds no checkpoint (a report made before charte signed "
                     "its tree heads, or not a report)")
        st = checked_checkpoint(verify_seal.canonical(extra["checkpoint"]) + b"\n", f"{path}'s checkpoint",
                                sealing_key)
        reports.append((manifest, extra, st))
    (new_m, new_extra, new_st), (old_m, _, old_st) = reports
    # The coordination's name is not compared: the keys authenticate both.
    m, n = old_st["tree_size"], new_st["tree_size"]
    old_root, new_root = bytes.fromhex(old_st["root"]), bytes.fromhex(new_st["root"])
    if m > n:
        if new_m["issued"] > old_m["issued"]:
            failed(f"the history behind {new_path} does not extend the one behind {old_path}: dated "
                   f"{new_m['issued']}, it vouches for {n} journal entries, fewer than the {m} behind {old_path} "
                   f"(dated {old_m['issued']}): the history was rolled back")
        unusable(f"{old_path} vouches for {m} journal entries, more than {new_path} ({n}): give the later report first")
    if m == n:
        proof = []
    else:
        c = new_extra.get("consistency")
        if c is None:
            unusable(f"{new_path}: this report embeds no consistency proof (`consistency`: from, proof)")
        try:
            start, proof_hex = c["from"], c["proof"]
            if not isinstance(start["tree_size"], int) or not is_hex32(start["root"]):
                raise TypeError
        except (KeyError, TypeError):
            failed(f"{new_path}: its consistency proof is malformed")
        # Exit codes as `charte verify --since`: a proof that starts from
        # another tree than OLD's (a report made in between) is no verdict on
        # the history (2): check NEW against that report, then it against OLD.
        if start["tree_size"] == m and start["root"] != old_st["root"]:
            failed(f"the history behind {new_path} does not extend the one behind {old_path}: it continues another "
                   f"history of the same {m} entries (root {start['root']}, where {old_path} signed {old_st['root']}): "
                   f"the journal was rewritten")
        if start["tree_size"] != m or start["root"] != old_st["root"]:
            unusable(f"{new_path}'s consistency proof starts from a tree of {start['tree_size']} entries with "
                   f"root {start['root']} (report {start.get('document_id')}), not from the tree {old_path} signed "
                   f"({m} entries, root {old_st['root']})")
        proof = hashes(proof_hex, f"{new_path}: its consistency proof")
    if not verify_consistency(m, n, old_root, new_root, proof):
        failed(f"the history behind {new_path} ({n} entries) does not extend the one behind {old_path} "
               f"({m} entries): entries were removed or rewritten in between")
    print(f"VERIFIED: the history behind {new_m['document_id']} ({n} entries, signed on {new_st['date']}) "
          f"extends the one behind {old_m['document_id']} ({m} entries, signed on {old_st['date']})")
    print(f"  consistency proof: {len(proof)} hashes, {32 * len(proof)} bytes")


def cmd_journal(db, key_path, given):
    key = read_public_key(key_path) if key_path else None
    checkpoints = []
    for path in given:
        raw = read_bytes(path)
        if raw.startswith(b"%PDF-") or raw.startswith(b'{"manifest"'):
            raw = embedded_checkpoint(raw, path)
        st, k = read_checkpoint(raw, path)
        if key is not None and k != key:
            failed(f"{path}: this checkpoint is signed with the key {st['key_fingerprint']}, not with the "
                   f"coordination's key {fingerprint(key)}")
        checkpoints.append((path, st))
    if not os.path.isfile(db):
        unusable(f"{db}: no such file")
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        rows = conn.execute("SELECT seq, at, kind, subject, payload, prev_hash, hash FROM journal ORDER BY seq")
    except sqlite3.Error as e:
        unusable(f"{db}: not a charte journal ({e})")
    wanted = {st["tree_size"] for _, st in checkpoints}
    roots, tree, prev, n = {}, Frontier(), GENESIS, 0
    if 0 in wanted:
        roots[0] = EMPTY_ROOT
    for seq, at, kind, subject, payload, prev_hash, h in rows:
        n += 1
        if seq != n:
            failed(f"journal broken at entry {n}: entries are missing or out of order (found {seq})")
        if prev_hash != prev:
            failed(f"journal broken at entry {seq}: its link to the entry before was changed")
        data = "charte-journal/1\n" + "\n".join([prev_hash, str(seq), at, kind, subject, payload])
        if hashlib.sha256(data.encode("utf-8")).hexdigest() != h or not is_hex32(h):
            failed(f"journal broken at entry {seq}: it was altered")
        tree.push(bytes.fromhex(h))
        if n in wanted:
            roots[n] = tree.root()
        prev = h
    for path, st in checkpoints:
        if st["tree_size"] > n:
            failed(f"{path} (signed on {st['date']}) covers {st['tree_size']} journal entries, the journal has "
                   f"only {n}: entries were removed after it")
        if roots[st["tree_size"]].hex() != st["root"]:
            failed(f"the journal's first {st['tree_size']} entries are not those {path} signed on {st['date']}: "
                   "the history was rewritten or entries were removed")
    print(f"VERIFIED: journal intact, {n} entries, head {prev}, tree root {tree.root().hex()}")
    for path, st in checkpoints:
        print(f"  {path}: the journal begins with the tree it signed ({st['tree_size']} entries, {st['date']})")


def main():
    args = sys.argv[1:]
    try:
        if len(args) == 3 and args[0] == "checkpoint":
            return cmd_checkpoint(args[1], args[2])
        if len(args) == 3 and args[0] == "evidence":
            return cmd_evidence(args[1], args[2])
        if len(args) == 4 and args[0] == "since":
            return cmd_since(args[1], args[2], args[3])
        if len(args) >= 2 and args[0] == "journal":
            rest, key = args[2:], None
            if "--key" in rest:
                at = rest.index("--key")
                if at + 1 >= len(rest):
                    unusable("--key needs the coordination's public key file")
                key = rest[at + 1]
                del rest[at:at + 2]
            return cmd_journal(args[1], key, rest)
    except RecursionError:
        unusable("the input nests too deeply")
    print(__doc__, file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    main()
