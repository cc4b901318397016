// charte: the verification page's script (docs/seal.md, docs/journal.md).
//
// Everything happens in the visitor's browser: the file is read with the
// File API, hashed and checked with the browser's own SHA-256 and Ed25519
// (WebCrypto), and never sent anywhere. The page works opened from disk
// (out/verify.html inlines this script) and served (/verify loads it as an
// asset: the server's Content-Security-Policy allows no inline script).
//
// Written by hand: no library is loaded (the page must work offline, from
// one file, with nothing to install), and what it checks is charte's own
// format, specified in docs/seal.md and docs/journal.md, which this script
// follows step by step as docs/verify_seal.py and docs/verify_journal.py do.
"use strict";

(function () {
  // --- What the page holds: the coordination's keys and its members' ------

  const HELD = JSON.parse(document.getElementById("charte-keys").textContent);

  // --- Bytes -----------------------------------------------------------------

  const utf8 = new TextEncoder();

  /** Bytes as a "binary string" (one character per byte, 0–255), so that
   * regular expressions read a PDF as Python's bytes patterns do. */
  function binary(bytes) {
    let out = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      out += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return out;
  }

  /** A binary string's bytes (each character must be below 256). */
  function unbinary(text) {
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }

  /** A text's UTF-8 bytes as a binary string. */
  function utf8Binary(text) {
    return binary(utf8.encode(text));
  }

  function decodeUtf8(bytes) {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  }

  function hex(bytes) {
    let out = "";
    for (const b of bytes) out += b.toString(16).padStart(2, "0");
    return out;
  }

  function unhex(text) {
    if (!/^([0-9a-f]{2})*$/.test(text)) return null;
    const out = new Uint8Array(text.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
    return out;
  }

  function base64(text) {
    if (typeof text !== "string" || !/^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null;
    return unbinary(atob(text));
  }

  function equalBytes(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  // --- Refusals: what does not hold, said in the visitor's language ---------

  /** A check that failed: `code` names the message, `params` fill it. */
  class Refusal extends Error {
    constructor(code, params) {
      super(code);
      this.code = code;
      this.params = params || {};
    }
  }

  function refuse(code, params) {
    throw new Refusal(code, params);
  }

  // --- Canonical JSON (docs/seal.md §2) ---------------------------------------

  function compareUtf8(a, b) {
    const x = utf8.encode(a);
    const y = utf8.encode(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
    return x.length - y.length;
  }

  /** The canonical text of a parsed JSON value: keys sorted by their UTF-8
   * bytes at every level, no whitespace, strings escaped minimally (which
   * is what JSON.stringify does to a string), integers only. */
  function canonical(value) {
    if (value === null || typeof value === "boolean") return String(value);
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) throw new Refusal("not_canonical");
      return String(value);
    }
    if (typeof value === "string") return JSON.stringify(value);
    if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
    const keys = Object.keys(value).sort(compareUtf8);
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
  }

  function canonicalBytes(value) {
    return utf8.encode(canonical(value));
  }

  /** Parses `bytes` as a signed object written canonically with its final
   * line feed (a seal, a checkpoint, a statement), or returns null. */
  function parseCanonical(bytes) {
    let value;
    try {
      value = JSON.parse(decodeUtf8(bytes));
      if (!equalBytes(concat(canonicalBytes(value), utf8.encode("\n")), bytes)) return null;
    } catch (e) {
      return null;
    }
    return value;
  }

  // --- Cryptography: the browser's own ---------------------------------------

  function subtle() {
    if (!window.crypto || !window.crypto.subtle) refuse("no_webcrypto");
    return window.crypto.subtle;
  }

  async function sha256(bytes) {
    return new Uint8Array(await subtle().digest("SHA-256", bytes));
  }

  async function ed25519Verify(publicKey, message, signature) {
    let key;
    try {
      key = await subtle().importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    } catch (e) {
      if (e && e.name === "NotSupportedError") refuse("no_ed25519");
      return false; // not a valid public key
    }
    try {
      return await subtle().verify({ name: "Ed25519" }, key, signature, message);
    } catch (e) {
      return false;
    }
  }

  /** docs/seal.md §1: the first 16 hex digits of the key's SHA-256. */
  async function fingerprint(publicKey) {
    return hex(await sha256(publicKey)).slice(0, 16);
  }

  // --- Reading the rendered PDF (docs/seal.md §4, "What T takes from R") -----

  /** Index just past the literal string opening at text[i] == "(". */
  function literalEnd(text, i) {
    return literalString(text, i)[1];
  }

  /** The bytes (binary string) of the literal string at text[i] == "(". */
  function literalString(text, i) {
    const esc = { n: "\n", r: "\r", t: "\t", b: "\b", f: "\f" };
    let out = "";
    let depth = 1;
    i += 1;
    while (depth) {
      if (i >= text.length) refuse("pdf_unreadable");
      let c = text[i];
      if (c === "\\") {
        i += 1;
        c = text[i];
        if (c in esc) out += esc[c];
        else if (c >= "0" && c <= "7") {
          let j = i;
          while (j < i + 3 && text[j] >= "0" && text[j] <= "7") j++;
          out += String.fromCharCode(parseInt(text.slice(i, j), 8) & 0xff);
          i = j - 1;
        } else if (c === "\r") {
          if (text[i + 1] === "\n") i += 1;
        } else if (c !== "\n") out += c;
      } else if (c === "(") {
        depth += 1;
        out += c;
      } else if (c === ")") {
        depth -= 1;
        if (depth) out += c;
      } else out += c;
      i += 1;
    }
    return [out, i];
  }

  /** The bytes of the literal or hex string at text[i]. */
  function pdfString(text, i) {
    if (text[i] === "(") return literalString(text, i);
    const j = text.indexOf(">", i);
    if (text[i] !== "<" || j < 0) refuse("pdf_unreadable");
    let digits = text.slice(i + 1, j).replace(/\s/g, "");
    if (digits.length % 2) digits += "0";
    const bytes = unhex(digits.toLowerCase());
    if (!bytes) refuse("pdf_unreadable");
    return [binary(bytes), j + 1];
  }

  /** Index just past the ">>" matching the "<<" at text[start]. */
  function dictEnd(text, start) {
    let depth = 0;
    let i = start;
    while (i < text.length) {
      if (text.startsWith("<<", i)) {
        depth += 1;
        i += 2;
      } else if (text[i] === "<") {
        const j = text.indexOf(">", i);
        if (j < 0) break;
        i = j + 1;
      } else if (text.startsWith(">>", i)) {
        depth -= 1;
        i += 2;
        if (depth === 0) return i;
      } else if (text[i] === "(") {
        i = literalEnd(text, i);
      } else if (text[i] === "%") {
        while (i < text.length && text[i] !== "\r" && text[i] !== "\n") i++;
      } else i += 1;
    }
    refuse("pdf_unreadable");
  }

  /** What the seal revision takes from the rendered PDF `r` (binary string). */
  function readPrefix(r) {
    const starts = [...r.matchAll(/startxref\s+(\d+)/g)];
    if (!starts.length) refuse("pdf_unreadable");
    const startxref = Number(starts[starts.length - 1][1]);
    if (!r.startsWith("xref", startxref)) refuse("pdf_unreadable");
    const offsets = new Map();
    let trailer = null;
    let at = startxref;
    const seen = new Set();
    while (at !== null) {
      if (seen.has(at)) refuse("pdf_unreadable");
      seen.add(at);
      const head = /xref\s+/y;
      head.lastIndex = at;
      if (!head.exec(r)) refuse("pdf_unreadable");
      let pos = head.lastIndex;
      for (;;) {
        const sub = /(\d+)\s+(\d+)\s*[\r\n]+/y;
        sub.lastIndex = pos;
        const m = sub.exec(r);
        if (!m) break;
        const first = Number(m[1]);
        const count = Number(m[2]);
        pos = sub.lastIndex;
        for (let k = 0; k < count; k++) {
          const entry = r.slice(pos, pos + 20);
          if (entry[17] === "n" && !offsets.has(first + k)) {
            offsets.set(first + k, [Number(entry.slice(0, 10)), Number(entry.slice(11, 16))]);
          }
          pos += 20;
        }
      }
      const t = r.indexOf("trailer", pos);
      const tstart = t < 0 ? -1 : r.indexOf("<<", t);
      if (tstart < 0) refuse("pdf_unreadable");
      const tdict = r.slice(tstart, dictEnd(r, tstart));
      if (trailer === null) trailer = tdict;
      const prev = /\/Prev\s+(\d+)/.exec(tdict);
      at = prev ? Number(prev[1]) : null;
    }
    const size = /\/Size\s+(\d+)/.exec(trailer);
    const root = /\/Root\s+(\d+)\s+(\d+)\s+R/.exec(trailer);
    const info = /\/Info\s+(\d+)\s+(\d+)\s+R/.exec(trailer);
    const id = /\/ID\s*\[\s*/.exec(trailer);
    if (!size || !root || !info || !id) refuse("pdf_unreadable");
    const [id0, after0] = pdfString(trailer, id.index + id[0].length);
    const gap = /\s*/y;
    gap.lastIndex = after0;
    gap.exec(trailer);
    const [id1] = pdfString(trailer, gap.lastIndex);

    function inner(num, gen) {
      const found = offsets.get(num);
      const header = num + " " + gen + " obj";
      if (!found || found[1] !== gen || !r.startsWith(header, found[0])) refuse("pdf_unreadable");
      const ws = /\s*/y;
      ws.lastIndex = found[0] + header.length;
      ws.exec(r);
      const start = ws.lastIndex;
      if (!r.startsWith("<<", start)) refuse("pdf_unreadable");
      return r.slice(start + 2, dictEnd(r, start) - 2);
    }

    const rootRef = [Number(root[1]), Number(root[2])];
    const infoRef = [Number(info[1]), Number(info[2])];
    return {
      size: Number(size[1]),
      root: rootRef,
      info: infoRef,
      id: [id0, id1],
      startxref,
      rootInner: inner(rootRef[0], rootRef[1]),
      infoInner: inner(infoRef[0], infoRef[1]),
    };
  }

  function binaryHex(text, upper) {
    const h = hex(unbinary(text));
    return upper ? h.toUpperCase() : h;
  }

  /** docs/seal.md §4, PDFSTR: a literal string when printable ASCII, else
   * UTF-16BE in hex after a byte-order mark. */
  function pdfTextString(text) {
    const raw = utf8.encode(text);
    if (raw.every((c) => c >= 0x20 && c < 0x7f)) return "(" + text.replace(/([()\\])/g, "\\$1") + ")";
    let out = "<FEFF";
    for (let i = 0; i < text.length; i++) out += text.charCodeAt(i).toString(16).toUpperCase().padStart(4, "0");
    return out + ">";
  }

  const SEAL_NAME = "charte-seal.json";
  const SEAL_DESC = "charte seal: manifest of this document signed by the coordination";

  function pad(n, width) {
    return String(n).padStart(width, "0");
  }

  /** The seal revision T, rebuilt from the rendered PDF `r` and the seal
   * file `s` (binary strings), as docs/seal.md §4 lays it out. */
  function sealRevision(r, s, manifest) {
    const p = readPrefix(r);
    const n = p.size;
    const date = String(manifest.issued).replace(/-/g, "");
    let tail = r.endsWith("\n") || r.endsWith("\r") ? "" : "\n";
    const base = r.length;
    const offsets = [];
    offsets.push([n, 0, base + tail.length]);
    tail +=
      n + " 0 obj\n<</Type/EmbeddedFile/Subtype/application#2Fjson/Params<</Size " + s.length +
      "/ModDate(D:" + date + "000000Z)>>/Length " + s.length + ">>\nstream\n" + s + "\nendstream\nendobj\n";
    offsets.push([n + 1, 0, base + tail.length]);
    tail +=
      (n + 1) + " 0 obj\n<</Type/Filespec/F(" + SEAL_NAME + ")/UF(" + SEAL_NAME + ")/Desc(" + SEAL_DESC +
      ")/AFRelationship/Data/EF<</F " + n + " 0 R/UF " + n + " 0 R>>>>\nendobj\n";
    const [ri, rg] = p.root;
    offsets.push([ri, rg, base + tail.length]);
    tail +=
      ri + " " + rg + " obj\n<</Names<</EmbeddedFiles<</Names[(" + SEAL_NAME + ") " + (n + 1) + " 0 R]>>>>/AF[" +
      (n + 1) + " 0 R]" + p.rootInner + ">>\nendobj\n";
    const [ii, ig] = p.info;
    offsets.push([ii, ig, base + tail.length]);
    tail +=
      ii + " " + ig + " obj\n<</CharteDocId" + utf8Binary(pdfTextString(manifest.document_id)) +
      "/CharteSha256(" + manifest.sha256 + ")" + p.infoInner + ">>\nendobj\n";
    const xrefAt = base + tail.length;
    tail += "xref\n";
    offsets.sort((a, b) => a[0] - b[0]);
    for (let k = 0; k < offsets.length; ) {
      let j = k + 1;
      while (j < offsets.length && offsets[j][0] === offsets[j - 1][0] + 1) j++;
      tail += offsets[k][0] + " " + (j - k) + "\n";
      for (const [, gen, off] of offsets.slice(k, j)) tail += pad(off, 10) + " " + pad(gen, 5) + " n\r\n";
      k = j;
    }
    tail +=
      "trailer\n<</Size " + (n + 2) + "/Root " + ri + " " + rg + " R/Info " + ii + " " + ig + " R/ID[<" +
      binaryHex(p.id[0], true) + "><" + binaryHex(p.id[1], true) + ">]/Prev " + p.startxref +
      ">>\nstartxref\n" + xrefAt + "\n%%EOF\n";
    return { bytes: tail, prefix: p, xrefAt };
  }

  /** The update `charte sign` appends to the sealed file (docs/seal.md §7). */
  function signatureRevision(sealed, sigFile, p, prev, extra = "") {
    const n = p.size + 2;
    let tail = sealed.endsWith("\n") || sealed.endsWith("\r") ? "" : "\n";
    const objAt = sealed.length + tail.length;
    tail +=
      n + " 0 obj\n<< /Type /EmbeddedFile /Subtype /application#2Fjson" + extra + " /Length " + sigFile.length +
      " >>\nstream\n" + sigFile + "\nendstream\nendobj\n";
    const xrefAt = sealed.length + tail.length;
    tail +=
      "xref\n" + n + " 1\n" + pad(objAt, 10) + " 00000 n \ntrailer\n<< /Size " + (n + 1) + " /Root " +
      p.root[0] + " " + p.root[1] + " R /Info " + p.info[0] + " " + p.info[1] + " R /ID [<" +
      binaryHex(p.id[0], false) + "> <" + binaryHex(p.id[1], false) + ">] /Prev " + prev +
      " >>\nstartxref\n" + xrefAt + "\n%%EOF\n";
    return tail;
  }

  const EMBEDDED =
    /\d+ 0 obj\n<<\/Type\/EmbeddedFile\/Subtype\/application#2Fjson\/Params<<\/Size \d+\/ModDate\(D:\d{8}000000Z\)>>\/Length (\d+)>>\nstream\n/g;

  // --- Keys and their chain (docs/seal.md §8) --------------------------------

  const DATE = /^\d{4}-\d{2}-\d{2}$/;

  /** One rotation statement, checked: {previous, next, date}. */
  async function rotation(item, index) {
    const bad = () => refuse("chain_bad", { n: index + 1 });
    if (!item || typeof item !== "object" || Object.keys(item).sort().join() !== "public_key,signature,statement") bad();
    const st = item.statement;
    if (!st || st.format !== "charte-key-rotation/1" || typeof st.date !== "string" || !DATE.test(st.date)) bad();
    const previous = base64(st.previous_key);
    const next = base64(st.next_key);
    const signature = base64(item.signature);
    if (!previous || !next || !signature || previous.length !== 32 || next.length !== 32 || equalBytes(previous, next)) bad();
    if (st.previous_fingerprint !== (await fingerprint(previous)) || st.next_fingerprint !== (await fingerprint(next))) bad();
    if (item.public_key !== st.previous_key) bad();
    if (!(await ed25519Verify(previous, canonicalBytes(st), signature))) bad();
    return { previous, next, date: st.date, previousFp: st.previous_fingerprint, nextFp: st.next_fingerprint };
  }

  /** The statements `carried` (a document's extra.key_chain), checked and
   * put in one line, oldest first. */
  async function chainOf(carried) {
    if (!Array.isArray(carried) || !carried.length) return [];
    const links = [];
    for (let i = 0; i < carried.length; i++) links.push(await rotation(carried[i], i));
    const fp = (k) => hex(k);
    const byPrevious = new Map();
    for (const l of links) {
      if (byPrevious.has(fp(l.previous))) refuse("chain_line");
      byPrevious.set(fp(l.previous), l);
    }
    const nexts = new Set(links.map((l) => fp(l.next)));
    const heads = links.filter((l) => !nexts.has(fp(l.previous)));
    if (heads.length !== 1) refuse("chain_line");
    const order = [];
    const seen = new Set([fp(heads[0].previous)]);
    let at = fp(heads[0].previous);
    while (byPrevious.has(at)) {
      const l = byPrevious.get(at);
      if (seen.has(fp(l.next))) refuse("chain_line");
      seen.add(fp(l.next));
      order.push(l);
      at = fp(l.next);
    }
    if (order.length !== links.length) refuse("chain_line");
    for (let i = 1; i < order.length; i++) if (order[i].date < order[i - 1].date) refuse("chain_line");
    return order;
  }

  /** What the page knows of the coordination's chain of keys: for each
   * former key it holds, the day it retired and the key that succeeded it
   * (the page holds the current key first, then each former one, the most
   * recently retired first). */
  function heldSuccession() {
    const keys = (HELD.keys || []).map((k) => ({ key: base64(k.public_key), retired: k.retired || null }));
    const known = new Map();
    for (let i = 1; i < keys.length; i++) known.set(hex(keys[i].key), { retired: keys[i].retired, next: keys[i - 1].key });
    return known;
  }

  /** Whether the document's sealing key `sealing` is the coordination's:
   * one of the keys trusted (the key the visitor gave, else the keys the
   * page holds), or a successor of one through the statements the document
   * carries (forward only). What the page knows of the chain holds
   * whichever key is trusted: a key it knows retired sealed nothing after
   * that day, and was succeeded by the key it knows, not by a key a
   * statement made with it later names (a leaked former key). */
  async function trustSealingKey(sealing, manifest, trusted) {
    const sealingFp = await fingerprint(sealing);
    const known = heldSuccession();
    const retirement = known.get(hex(sealing));
    if (retirement && manifest.issued > retirement.retired) {
      refuse("retired_key", { key: sealingFp, date: retirement.retired, issued: manifest.issued });
    }
    for (const t of trusted) {
      if (equalBytes(t.key, sealing)) {
        return { how: retirement ? "former" : "held", retired: retirement ? retirement.retired : null, links: [] };
      }
    }
    const carried = (manifest.extra || {}).key_chain;
    const order = await chainOf(carried);
    const keys = order.length ? [order[0].previous, ...order.map((l) => l.next)] : [];
    const index = (k) => keys.findIndex((x) => equalBytes(x, k));
    const end = index(sealing);
    for (const t of trusted) {
      const start = index(t.key);
      if (start < 0 || end < 0) continue;
      if (start > end) refuse("older_key", { key: sealingFp, held: await fingerprint(t.key) });
      const links = order.slice(start, end);
      for (const l of links) {
        const k = known.get(hex(l.previous));
        if (k && (!equalBytes(k.next, l.next) || k.retired !== l.date)) {
          refuse("chain_conflict", { key: l.previousFp, next: l.nextFp, date: k.retired, sealing: sealingFp });
        }
      }
      return { how: "chain", links };
    }
    const held = trusted.find((t) => !known.has(hex(t.key))) || trusted[0];
    refuse("other_key", { key: sealingFp, held: held ? await fingerprint(held.key) : "?" });
  }

  // --- The journal's tree (docs/journal.md) ----------------------------------

  async function nodeHash(left, right) {
    return sha256(concat(new Uint8Array([1]), left, right));
  }

  /** RFC 9162 §2.1.4.2, as docs/journal.md "Consistency" writes it. */
  async function verifyConsistency(m, n, oldRoot, newRoot, proof) {
    if (m === n) return proof.length === 0 && equalBytes(oldRoot, newRoot);
    if (m === 0) return proof.length === 0 && equalBytes(oldRoot, await sha256(new Uint8Array(0)));
    if (m > n || !proof.length) return false;
    let p = proof;
    if ((m & (m - 1)) === 0) p = [oldRoot, ...proof];
    let fn = m - 1;
    let sn = n - 1;
    while (fn & 1) {
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    let fr = p[0];
    let sr = p[0];
    for (const c of p.slice(1)) {
      if (sn === 0) return false;
      if (fn & 1 || fn === sn) {
        fr = await nodeHash(c, fr);
        sr = await nodeHash(c, sr);
        while (!(fn & 1) && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      } else {
        sr = await nodeHash(sr, c);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return equalBytes(fr, oldRoot) && equalBytes(sr, newRoot) && sn === 0;
  }

  /** A report's embedded checkpoint (docs/journal.md "Checkpoints"),
   * checked: signed by the key that sealed the report. */
  async function checkpointOf(manifest, sealing) {
    const cp = (manifest.extra || {}).checkpoint;
    if (cp === undefined) return null;
    const bad = () => refuse("checkpoint_bad");
    if (!cp || typeof cp !== "object" || Object.keys(cp).sort().join() !== "checkpoint,public_key,signature") bad();
    const st = cp.checkpoint;
    if (!st || st.format !== "charte-checkpoint/1" || !Number.isSafeInteger(st.tree_size) || st.tree_size < 0) bad();
    if (typeof st.root !== "string" || !/^[0-9a-f]{64}$/.test(st.root) || typeof st.date !== "string") bad();
    const key = base64(cp.public_key);
    const signature = base64(cp.signature);
    if (!key || !signature || !equalBytes(key, sealing)) bad();
    if (st.key_fingerprint !== (await fingerprint(key))) bad();
    if (!(await ed25519Verify(key, canonicalBytes(st), signature))) bad();
    return st;
  }

  // --- A signed return (docs/seal.md §7 and docs/pades.md) -------------------

  async function ownKeySignature(sealed, after, manifest, p, prev) {
    const start = after.indexOf("stream\n");
    const end = start < 0 ? -1 : after.indexOf("\nendstream", start + 7);
    if (start < 0 || end < 0) refuse("modified_after");
    const sigFile = after.slice(start + 7, end);
    let sig;
    try {
      sig = JSON.parse(decodeUtf8(unbinary(sigFile)));
    } catch (e) {
      refuse("modified_after");
    }
    if (!sig || typeof sig !== "object" || !sig.statement) refuse("modified_after");
    if (after !== signatureRevision(sealed, sigFile, p, prev)) refuse("signature_update_altered");
    if (canonical(sig) !== decodeUtf8(unbinary(sigFile))) refuse("signature_update_altered");
    const st = sig.statement;
    const key = base64(sig.public_key);
    const signature = base64(sig.signature);
    if (st.format !== "charte-signature/1" || !key || key.length !== 32 || !signature) refuse("signature_bad");
    const keyFp = await fingerprint(key);
    if (st.key_fingerprint !== keyFp || !(await ed25519Verify(key, canonicalBytes(st), signature))) {
      refuse("signature_bad");
    }
    const sealedBytes = unbinary(sealed);
    if (
      st.document_id !== manifest.document_id ||
      st.sealed_sha256 !== hex(await sha256(sealedBytes)) ||
      st.sealed_length !== sealedBytes.length
    ) {
      refuse("signature_other_document");
    }
    // Whose key: the one the organisation the document is addressed to
    // registered with the coordination, when the page holds it (docs/seal.md
    // §7, step 4); another organisation's key is refused.
    const members = HELD.members || [];
    const registered = members.find((m) => m.enterprise_number === manifest.enterprise_number);
    if (registered && registered.public_key !== sig.public_key) {
      const theirs = base64(registered.public_key);
      refuse("signature_not_registered", {
        key: keyFp,
        organisation: registered.organisation,
        registered: theirs ? await fingerprint(theirs) : "?",
      });
    }
    const owner = members.find((m) => m.public_key === sig.public_key);
    if (owner && owner.enterprise_number !== manifest.enterprise_number) {
      refuse("signature_other_organisation", { key: keyFp, owner: owner.organisation, organisation: manifest.organisation });
    }
    return { kind: "own-key", key: keyFp, date: st.signed, owner: registered ? registered.organisation : null };
  }

  /** The web signature's update `W` carries this key (docs/seal.md §7, "The web signature"). */
  const WEB_KEY = " /CharteWebSignature true";

  /** A web signature after the seal: the update `W` rebuilt, the record
   * signed by the coordination's key (the one that sealed, or one the
   * check trusts) and about this very document. */
  async function webSignature(sealed, after, manifest, p, prev, sealing, trusted) {
    const start = after.indexOf("stream\n");
    const end = start < 0 ? -1 : after.indexOf("\nendstream", start + 7);
    if (start < 0 || end < 0) refuse("web_altered");
    const recordFile = after.slice(start + 7, end);
    const expected = signatureRevision(sealed, recordFile, p, prev, WEB_KEY);
    if (!after.startsWith(expected)) refuse("web_altered");
    if (after.length > expected.length) refuse("web_modified_after");
    const signed = parseCanonical(unbinary(recordFile));
    if (!signed || typeof signed !== "object" || Object.keys(signed).sort().join() !== "public_key,record,signature") {
      refuse("web_altered");
    }
    const r = signed.record;
    const key = base64(signed.public_key);
    const signature = base64(signed.signature);
    if (!r || r.format !== "charte-web-signature/1" || !key || key.length !== 32 || !signature) refuse("web_bad");
    const keyFp = await fingerprint(key);
    if (r.key_fingerprint !== keyFp || !(await ed25519Verify(key, canonicalBytes(r), signature))) refuse("web_bad");
    if (!equalBytes(key, sealing) && !trusted.some((t) => equalBytes(t.key, key))) {
      refuse("web_other_key", { key: keyFp, held: await fingerprint(sealing) });
    }
    const sealedBytes = unbinary(sealed);
    if (
      r.document_id !== manifest.document_id ||
      r.organisation !== manifest.organisation ||
      r.enterprise_number !== manifest.enterprise_number ||
      r.sealed_sha256 !== hex(await sha256(sealedBytes)) ||
      r.sealed_length !== sealedBytes.length
    ) {
      refuse("web_other_document");
    }
    const at = typeof r.signed_at === "string" ? r.signed_at : "";
    if (r.mandate !== true || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(at) || at.slice(0, 10) < manifest.issued) {
      refuse("web_bad");
    }
    return { kind: "web", key: keyFp, at, signer: r.signer, capacity: r.capacity, email: r.email };
  }

  /** A PAdES signature after the seal: only its coverage is checked here;
   * its certificate and value are left to the reader's PDF software. */
  function padesSignature(file, sealedLength) {
    const ranges = [...file.slice(sealedLength).matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
    if (ranges.length !== 1) refuse("pades_many", { n: ranges.length });
    const [a, b, c, d] = ranges[0].slice(1).map(Number);
    if (a !== 0 || c + d !== file.length || b < sealedLength || c <= b) refuse("pades_coverage");
    if (!/^<[0-9A-Fa-f]*>$/.test(file.slice(b, c)) || !/\/Contents\s*$/.test(file.slice(0, b))) refuse("pades_coverage");
    return { kind: "pades" };
  }

  // --- One sealed PDF, whole ---------------------------------------------------

  /** Checks a sealed PDF (`bytes`) against the keys `trusted`; returns what
   * it found, or throws a Refusal naming what does not hold. */
  async function checkSealed(bytes, trusted) {
    const file = binary(bytes);
    if (!file.startsWith("%PDF-")) refuse("not_pdf");
    const found = [...file.matchAll(EMBEDDED)];
    if (!found.length) refuse("no_seal");
    const m = found[found.length - 1];
    const sealStart = m.index + m[0].length;
    const sealLength = Number(m[1]);
    if (sealStart + sealLength > file.length) refuse("truncated");
    const sealBytes = bytes.subarray(sealStart, sealStart + sealLength);
    const seal = parseCanonical(sealBytes);
    if (!seal || typeof seal !== "object" || Object.keys(seal).sort().join() !== "manifest,public_key,signature") {
      refuse("seal_altered");
    }
    const manifest = seal.manifest;
    if (!manifest || manifest.format !== "charte-seal/1") refuse("seal_altered");
    if (
      !Number.isSafeInteger(manifest.length) || manifest.length < 0 || typeof manifest.sha256 !== "string" ||
      typeof manifest.issued !== "string" || typeof manifest.document_id !== "string"
    ) {
      refuse("seal_altered");
    }
    const sealing = base64(seal.public_key);
    const signature = base64(seal.signature);
    if (!sealing || sealing.length !== 32 || !signature) refuse("seal_altered");
    const sealingFp = await fingerprint(sealing);
    const trust = await trustSealingKey(sealing, manifest, trusted);
    if (!(await ed25519Verify(sealing, canonicalBytes(manifest), signature))) refuse("manifest_altered");
    const length = manifest.length;
    if (bytes.length < length) refuse("truncated");
    if (hex(await sha256(bytes.subarray(0, length))) !== manifest.sha256) refuse("content_altered");
    const rendered = file.slice(0, length);
    const rest = file.slice(length);
    const revision = sealRevision(rendered, binary(sealBytes), manifest);
    if (!rest.startsWith(revision.bytes)) {
      refuse(revision.bytes.startsWith(rest) ? "truncated" : "revision_altered");
    }
    const sealedLength = length + revision.bytes.length;
    const after = rest.slice(revision.bytes.length);
    let signed = null;
    // Only a document addressed to an organisation is signed back; a report
    // is exactly what the coordination sealed, or it was modified.
    if (after.length && !manifest.enterprise_number) refuse("modified_after");
    if (after.slice(0, 160).includes("/Subtype /application#2Fjson" + WEB_KEY + " /Length ")) {
      const sealed = file.slice(0, sealedLength);
      signed = await webSignature(sealed, after, manifest, revision.prefix, revision.xrefAt, sealing, trusted);
    } else if (after.includes("/ByteRange")) signed = padesSignature(file, sealedLength);
    else if (after.length) {
      signed = await ownKeySignature(file.slice(0, sealedLength), after, manifest, revision.prefix, revision.xrefAt);
    }
    const checkpoint = await checkpointOf(manifest, sealing);
    return { manifest, sealingFp, trust, signed, checkpoint, sealedPart: after.length ? bytes.subarray(0, sealedLength) : null };
  }

  /** The previous report `old` and this one `now`: does the history behind
   * `now` extend the one behind `old`? (docs/journal.md "Consistency") */
  async function consistency(now, old) {
    if (!now.checkpoint) refuse("not_a_report");
    if (!old.checkpoint) refuse("previous_not_a_report");
    const m = old.checkpoint.tree_size;
    const n = now.checkpoint.tree_size;
    const oldRoot = unhex(old.checkpoint.root);
    const newRoot = unhex(now.checkpoint.root);
    const params = { old: old.manifest.document_id, m, n };
    if (m > n) {
      refuse(now.manifest.issued > old.manifest.issued ? "rolled_back" : "previous_is_later", params);
    }
    let proof = [];
    if (m < n) {
      const c = (now.manifest.extra || {}).consistency;
      if (!c || !c.from || !Array.isArray(c.proof)) refuse("no_proof", params);
      // The same size with another root: two histories, both signed.
      if (c.from.tree_size === m && c.from.root !== old.checkpoint.root) refuse("history_rewritten", params);
      if (c.from.tree_size !== m || c.from.root !== old.checkpoint.root) {
        refuse("proof_from_elsewhere", Object.assign({ from: String(c.from.document_id || "?") }, params));
      }
      proof = c.proof.map((h) => (typeof h === "string" ? unhex(h) : null));
      if (proof.some((h) => !h || h.length !== 32)) refuse("history_rewritten", params);
    }
    if (!(await verifyConsistency(m, n, oldRoot, newRoot, proof))) refuse("history_rewritten", params);
    return Object.assign({ hashes: proof.length }, params);
  }

  // --- Words ---------------------------------------------------------------------

  const MONTHS = {
    fr: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
    nl: ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"],
  };

  function day(text, lang) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text));
    if (!m) return String(text);
    return Number(m[3]) + " " + MONTHS[lang][Number(m[2]) - 1] + " " + m[1];
  }

  const WORDS = {
    fr: {
      title: "Vérifier un document de la coordination",
      kinds: { adherence: "Document d'adhésion", "annual-report": "Rapport annuel d'évaluation", "subsidy-report": "Rapport de subvention" },
      not_pdf: "Ce fichier n'est pas un PDF.",
      no_seal: "Ce PDF ne porte pas de sceau charte : il n'a pas été émis par la coordination avec charte, ou son sceau en a été retiré.",
      truncated: "Ce fichier est incomplet : il a été tronqué (un téléchargement interrompu ?). Demandez-en une nouvelle copie.",
      seal_altered: "Le sceau de ce document a été modifié : il ne peut pas être vérifié.",
      manifest_altered: "La signature du sceau ne correspond pas : la description du document a été modifiée après son émission.",
      content_altered: "Le contenu de ce document a été modifié après son émission : ce n'est plus le document que la coordination a scellé.",
      revision_altered: "Ce document a été modifié après avoir été scellé.",
      modified_after: "Des données ont été ajoutées à ce document après son scellement, et ce n'est pas une signature reconnue.",
      other_key: "Ce document est scellé avec une autre clé ({key}) que celle de la coordination ({held}) : il ne vient pas de cette coordination, ou c'est une contrefaçon.",
      older_key: "Ce document est scellé avec la clé {key}, une clé antérieure à celle que vous avez donnée ({held}) : une clé plus récente ne se porte pas garante d'une plus ancienne. Vérifiez-le avec l'ancienne clé de la coordination.",
      retired_key: "Ce document est scellé avec la clé {key}, que la coordination a retirée le {date}, alors qu'il est daté du {issued} : la coordination ne scelle plus avec cette clé ; ce sceau n'est pas le sien.",
      chain_bad: "La déclaration de changement de clé n° {n} portée par le document ne tient pas : elle a été modifiée ou fabriquée.",
      chain_conflict: "Ce document porte une déclaration selon laquelle la clé {key} aurait été remplacée par la clé {next}, mais la coordination a remplacé cette clé le {date} par une autre : c'est une contrefaçon, faite avec une ancienne clé de la coordination.",
      signature_not_registered: "Ce document est signé avec la clé {key}, et non avec la clé que {organisation} a enregistrée auprès de la coordination ({registered}) : quelqu'un d'autre l'a signé.",
      valid_sealed_part: "Le début de ce fichier est exactement le document que {coordination} a émis le {issued}.",
      download_sealed: "Télécharger le document tel qu'il a été émis (sans ce qui a été ajouté ensuite)",
      chain_line: "Les déclarations de changement de clé portées par le document ne forment pas une suite cohérente.",
      checkpoint_bad: "L'état du journal inclus dans ce rapport n'est pas signé par la clé qui l'a scellé : il a été modifié.",
      signature_update_altered: "La signature ajoutée après le sceau a été modifiée, ou quelque chose a été ajouté après elle.",
      signature_bad: "La signature de l'organisation ne tient pas : elle a été modifiée ou fabriquée.",
      signature_other_document: "La signature de l'organisation porte sur un autre document.",
      signature_other_organisation: "Ce document est signé avec la clé {key}, enregistrée par {owner}, et non par {organisation} à qui il a été adressé.",
      pades_many: "Plusieurs signatures PDF suivent le sceau ({n}) ; une seule est attendue.",
      pades_coverage: "La signature PDF ne couvre pas tout le fichier : des données ont été ajoutées ou retirées après la signature.",
      not_a_report: "Ce document n'est pas un rapport : le rapport précédent n'a pas servi (la continuité du journal ne se vérifie qu'entre deux rapports).",
      previous_prefix: "Le rapport précédent que vous avez donné :",
      previous_not_a_report: "Le document donné comme rapport précédent n'est pas un rapport.",
      rolled_back: "L'historique a été raccourci : ce rapport, plus récent, repose sur {n} entrées du journal, moins que les {m} du rapport précédent {old}.",
      previous_is_later: "Le rapport donné comme précédent ({m} entrées) est plus récent que celui-ci ({n} entrées) : inversez les deux fichiers.",
      no_proof: "Ce rapport ne contient pas de preuve de continuité depuis le rapport {old}.",
      proof_from_elsewhere: "Ce rapport prolonge le rapport {from}, pas le rapport {old} que vous avez donné : si la coordination en a émis un autre entre les deux, vérifiez avec celui-là ; sinon, l'historique a été réécrit.",
      history_rewritten: "L'historique derrière ce rapport ({n} entrées) ne prolonge pas celui du rapport {old} ({m} entrées) : des entrées du journal ont été retirées ou réécrites entre les deux.",
      no_webcrypto: "Ce navigateur ne permet pas la vérification cryptographique sur cette page. Ouvrez-la dans un navigateur récent (Chrome, Edge, Firefox ou Safari à jour).",
      no_ed25519: "Ce navigateur est trop ancien pour vérifier une signature Ed25519. Utilisez Chrome ou Edge 137 ou plus récent, Firefox 129 ou plus récent, ou Safari 17 ou plus récent.",
      pdf_unreadable: "La structure de ce PDF a été modifiée : son sceau ne peut pas être reconstruit.",
      key_unreadable: "Ce fichier n'est pas une clé publique de coordination (fichier coordination.pub).",
      unreadable: "Ce fichier ne peut pas être lu.",
      checking: "Vérification en cours…",
      valid: "Authentique",
      invalid: "Non authentique",
      invalid_history: "Historique non confirmé",
      valid_partial: "Sceau authentique",
      valid_sealed: "{coordination} a émis ce document le {issued}, et il n'a pas été modifié depuis.",
      valid_own_key: "Il a ensuite été signé par {who} le {date}, avec sa propre clé ; la signature couvre tout le document tel qu'il a été émis.",
      valid_pades: "Il a ensuite été signé dans un lecteur PDF (signature électronique, par exemple avec la carte d'identité). Cette page ne vérifie ni cette signature ni ce qu'elle a pu changer à l'affichage : ouvrez le fichier dans votre logiciel PDF (par exemple Adobe Acrobat Reader) pour voir si la signature est valable et qui a signé, et lisez le document tel qu'il a été émis dans la copie ci-dessous.",
      valid_since: "L'historique derrière ce rapport prolonge celui du rapport {old} : aucune des {m} entrées du journal sur lesquelles il reposait n'a été retirée ni réécrite.",
      who_unregistered: "le détenteur de la clé {key}, pour {organisation} ; cette page ne connaît pas la clé de cette organisation : demandez à la coordination l'empreinte de la clé qu'elle a enregistrée pour elle",
      who_registered: "{organisation} (clé {key}, enregistrée auprès de la coordination)",
      d_document: "Document",
      d_kind: "Type",
      d_organisation: "Adressé à",
      d_charter: "Version de la charte",
      d_issued: "Émis le",
      d_coordination: "Scellé par",
      d_key: "Clé du sceau",
      d_chain: "Changements de clé",
      d_tree: "Journal",
      d_signer: "Signature",
      d_consistency: "Continuité",
      d_sha256: "Empreinte SHA-256",
      key_held: "la clé de la coordination que détient cette page",
      key_given: "la clé que vous avez donnée",
      given_title: "Clé que vous avez donnée :",
      given_how: "La page vérifie avec cette clé, et non avec celle qu'elle contient ({held}).",
      key_former: "une ancienne clé de la coordination, retirée le {date}",
      key_chain: "successeur de la clé {from}, par le changement de clé ci-dessous",
      chain_link: "la clé {from} a été remplacée par la clé {to} le {date}",
      tree: "entrées 1 à {n} du journal de la coordination, racine {root}, signées le {date}",
      signer_pades: "dans un lecteur PDF : à vérifier dans votre logiciel PDF",
      signer_web: "signé sur la page de signature par {signer} ({capacity}) le {when} ; la coordination s'en porte garante",
      valid_web: "Il a ensuite été signé sur la page de signature de la coordination par {signer} ({capacity}) le {when}, avec un code envoyé à {email} (signature électronique simple) ; la coordination s'en porte garante : sa clé a signé l'enregistrement de cette signature.",
      web_altered: "La signature faite sur la page de signature a été modifiée.",
      web_modified_after: "Des données ont été ajoutées à ce document après sa signature sur la page de signature.",
      web_bad: "L'enregistrement de la signature faite sur la page de signature ne tient pas : il a été modifié ou fabriqué.",
      web_other_key: "L'enregistrement de la signature faite sur la page de signature est signé avec la clé {key}, et non avec celle de la coordination ({held}) : ce n'est pas la coordination qui s'en porte garante.",
      web_other_document: "L'enregistrement de la signature faite sur la page de signature porte sur un autre document.",
      consistency_ok: "prolonge le rapport {old} ({m} entrées → {n})",
      consistency_no: "ne prolonge pas le rapport {old}",
    },
    nl: {
      title: "Een document van de coördinatie nagaan",
      kinds: { adherence: "Toetredingsdocument", "annual-report": "Jaarlijks evaluatieverslag", "subsidy-report": "Subsidieverslag" },
      not_pdf: "Dit bestand is geen pdf.",
      no_seal: "Deze pdf draagt geen charte-zegel: hij werd niet door de coördinatie met charte uitgegeven, of het zegel werd eruit verwijderd.",
      truncated: "Dit bestand is onvolledig: het werd afgekapt (een onderbroken download?). Vraag een nieuwe kopie.",
      seal_altered: "Het zegel van dit document werd gewijzigd: het kan niet nagegaan worden.",
      manifest_altered: "De handtekening van het zegel klopt niet: de beschrijving van het document werd na de uitgifte gewijzigd.",
      content_altered: "De inhoud van dit document werd na de uitgifte gewijzigd: het is niet meer het document dat de coördinatie verzegelde.",
      revision_altered: "Dit document werd gewijzigd nadat het verzegeld werd.",
      modified_after: "Na de verzegeling werden gegevens aan dit document toegevoegd, en het is geen erkende handtekening.",
      other_key: "Dit document is verzegeld met een andere sleutel ({key}) dan die van de coördinatie ({held}): het komt niet van deze coördinatie, of het is een vervalsing.",
      older_key: "Dit document is verzegeld met sleutel {key}, een oudere sleutel dan de sleutel die u gaf ({held}): een nieuwere sleutel staat niet in voor een oudere. Ga het na met de vroegere sleutel van de coördinatie.",
      retired_key: "Dit document is verzegeld met sleutel {key}, die de coördinatie op {date} buiten gebruik stelde, terwijl het gedateerd is op {issued}: de coördinatie verzegelt niet meer met die sleutel; dit zegel is niet van haar.",
      chain_bad: "De verklaring van sleutelwissel nr. {n} in het document klopt niet: ze werd gewijzigd of vervalst.",
      chain_conflict: "Dit document draagt een verklaring dat sleutel {key} vervangen zou zijn door sleutel {next}, maar de coördinatie verving die sleutel op {date} door een andere: het is een vervalsing, gemaakt met een vroegere sleutel van de coördinatie.",
      signature_not_registered: "Dit document is ondertekend met sleutel {key}, en niet met de sleutel die {organisation} bij de coördinatie registreerde ({registered}): iemand anders heeft het ondertekend.",
      valid_sealed_part: "Het begin van dit bestand is precies het document dat {coordination} op {issued} uitgaf.",
      download_sealed: "Het document downloaden zoals het uitgegeven werd (zonder wat er later aan toegevoegd werd)",
      chain_line: "De verklaringen van sleutelwissel in het document vormen geen samenhangende reeks.",
      checkpoint_bad: "De stand van het logboek in dit verslag is niet ondertekend met de sleutel die het verzegelde: hij werd gewijzigd.",
      signature_update_altered: "De handtekening na het zegel werd gewijzigd, of er werd iets na toegevoegd.",
      signature_bad: "De handtekening van de organisatie klopt niet: ze werd gewijzigd of vervalst.",
      signature_other_document: "De handtekening van de organisatie gaat over een ander document.",
      signature_other_organisation: "Dit document is ondertekend met sleutel {key}, geregistreerd door {owner}, en niet door {organisation}, aan wie het gericht was.",
      pades_many: "Er volgen meerdere pdf-handtekeningen op het zegel ({n}); er wordt er maar één verwacht.",
      pades_coverage: "De pdf-handtekening dekt niet het hele bestand: na de ondertekening werden gegevens toegevoegd of verwijderd.",
      not_a_report: "Dit document is geen verslag: het vorige verslag werd niet gebruikt (de continuïteit van het logboek wordt alleen tussen twee verslagen nagegaan).",
      previous_prefix: "Het vorige verslag dat u gaf:",
      previous_not_a_report: "Het document dat als vorig verslag gegeven werd, is geen verslag.",
      rolled_back: "De geschiedenis werd ingekort: dit recentere verslag steunt op {n} items van het logboek, minder dan de {m} van het vorige verslag {old}.",
      previous_is_later: "Het verslag dat als vorig verslag gegeven werd ({m} items) is recenter dan dit ({n} items): verwissel de twee bestanden.",
      no_proof: "Dit verslag bevat geen bewijs van continuïteit sinds verslag {old}.",
      proof_from_elsewhere: "Dit verslag bouwt voort op verslag {from}, niet op verslag {old} dat u gaf: als de coördinatie er tussendoor een ander uitgaf, ga het dan met dat verslag na; zo niet, dan werd de geschiedenis herschreven.",
      history_rewritten: "De geschiedenis achter dit verslag ({n} items) bouwt niet voort op die van verslag {old} ({m} items): tussen beide werden items uit het logboek verwijderd of herschreven.",
      no_webcrypto: "Deze browser laat geen cryptografische controle toe op deze pagina. Open ze in een recente browser (Chrome, Edge, Firefox of Safari, bijgewerkt).",
      no_ed25519: "Deze browser is te oud om een Ed25519-handtekening na te gaan. Gebruik Chrome of Edge 137 of nieuwer, Firefox 129 of nieuwer, of Safari 17 of nieuwer.",
      pdf_unreadable: "De structuur van deze pdf werd gewijzigd: het zegel kan niet opnieuw opgebouwd worden.",
      key_unreadable: "Dit bestand is geen publieke sleutel van een coördinatie (bestand coordination.pub).",
      unreadable: "Dit bestand kan niet gelezen worden.",
      checking: "Bezig met nagaan…",
      valid: "Echt",
      invalid: "Niet echt",
      invalid_history: "Geschiedenis niet bevestigd",
      valid_partial: "Zegel echt",
      valid_sealed: "{coordination} heeft dit document op {issued} uitgegeven, en het werd sindsdien niet gewijzigd.",
      valid_own_key: "Het werd daarna op {date} ondertekend door {who}, met een eigen sleutel; de handtekening dekt het hele document zoals het uitgegeven werd.",
      valid_pades: "Het werd daarna ondertekend in een pdf-lezer (elektronische handtekening, bijvoorbeeld met de identiteitskaart). Deze pagina gaat die handtekening niet na, en ook niet wat ze aan de weergave veranderd kan hebben: open het bestand in uw pdf-software (bijvoorbeeld Adobe Acrobat Reader) om te zien of de handtekening geldig is en wie ondertekende, en lees het document zoals het uitgegeven werd in de kopie hieronder.",
      valid_since: "De geschiedenis achter dit verslag bouwt voort op die van verslag {old}: geen van de {m} items van het logboek waarop het steunde, werd verwijderd of herschreven.",
      who_unregistered: "de houder van sleutel {key}, voor {organisation}; deze pagina kent de sleutel van die organisatie niet: vraag de coördinatie naar de vingerafdruk van de sleutel die ze ervoor registreerde",
      who_registered: "{organisation} (sleutel {key}, geregistreerd bij de coördinatie)",
      d_document: "Document",
      d_kind: "Soort",
      d_organisation: "Gericht aan",
      d_charter: "Versie van het charter",
      d_issued: "Uitgegeven op",
      d_coordination: "Verzegeld door",
      d_key: "Sleutel van het zegel",
      d_chain: "Sleutelwissels",
      d_tree: "Logboek",
      d_signer: "Handtekening",
      d_consistency: "Continuïteit",
      d_sha256: "SHA-256-vingerafdruk",
      key_held: "de sleutel van de coördinatie die deze pagina bevat",
      key_given: "de sleutel die u gaf",
      given_title: "Sleutel die u gaf:",
      given_how: "De pagina gaat na met deze sleutel, en niet met de sleutel die ze zelf bevat ({held}).",
      key_former: "een vroegere sleutel van de coördinatie, buiten gebruik sinds {date}",
      key_chain: "opvolger van sleutel {from}, via de sleutelwissel hieronder",
      chain_link: "sleutel {from} werd op {date} vervangen door sleutel {to}",
      tree: "items 1 tot {n} van het logboek van de coördinatie, wortel {root}, ondertekend op {date}",
      signer_pades: "in een pdf-lezer: na te gaan in uw pdf-software",
      signer_web: "ondertekend op de ondertekeningspagina door {signer} ({capacity}) op {when}; de coördinatie staat ervoor in",
      valid_web: "Het werd daarna op {when} ondertekend op de ondertekeningspagina van de coördinatie door {signer} ({capacity}), met een code gestuurd naar {email} (gewone elektronische handtekening); de coördinatie staat ervoor in: haar sleutel ondertekende de registratie van die handtekening.",
      web_altered: "De handtekening op de ondertekeningspagina werd gewijzigd.",
      web_modified_after: "Na de ondertekening op de ondertekeningspagina werden gegevens aan dit document toegevoegd.",
      web_bad: "De registratie van de handtekening op de ondertekeningspagina klopt niet: ze werd gewijzigd of vervalst.",
      web_other_key: "De registratie van de handtekening op de ondertekeningspagina is ondertekend met sleutel {key}, en niet met die van de coördinatie ({held}): de coördinatie staat er niet voor in.",
      web_other_document: "De registratie van de handtekening op de ondertekeningspagina gaat over een ander document.",
      consistency_ok: "bouwt voort op verslag {old} ({m} items → {n})",
      consistency_no: "bouwt niet voort op verslag {old}",
    },
  };

  /** Refusals of the sealing key, which name it (`key`). */
  const KEY_REFUSALS = ["other_key", "older_key", "retired_key", "chain_conflict"];

  /** Refusals of the history between two reports (both authentic). */
  const HISTORY = ["rolled_back", "previous_is_later", "no_proof", "proof_from_elsewhere", "history_rewritten"];

  let lang = "fr";

  function say(code, params) {
    const text = WORDS[lang][code] || WORDS[lang].unreadable;
    return text.replace(/\{(\w+)\}/g, (_, k) => {
      const v = params && params[k];
      if (v === undefined || v === null) return "?";
      return ["issued", "date"].includes(k) ? day(v, lang) : String(v);
    });
  }

  // --- The page ------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);

  /** The last result shown, kept to be said again in the other language. */
  let shown = null;
  /** The key the visitor gave ({key, fingerprint}), or null. */
  let givenKey = null;
  let run = 0;

  function setLanguage(chosen) {
    lang = chosen === "nl" ? "nl" : "fr";
    document.documentElement.lang = lang;
    for (const el of document.querySelectorAll("[data-fr]")) el.textContent = el.dataset[lang];
    for (const l of ["fr", "nl"]) $("lang-" + l).setAttribute("aria-pressed", String(l === lang));
    document.title = WORDS[lang].title;
    try {
      localStorage.setItem("charte-lang", lang);
    } catch (e) {
      /* a page opened from disk may have no storage: the choice is not kept */
    }
    showHeld();
    if (shown) show(shown);
  }

  /** The key the page checks with: its own, or the one the visitor gave. */
  function showHeld() {
    const own = HELD.keys && HELD.keys.length ? HELD.keys[0].fingerprint : "—";
    const how = $("held-how");
    if (givenKey) {
      $("held-title").textContent = WORDS[lang].given_title;
      $("held-fingerprint").textContent = givenKey.fingerprint;
      how.textContent = say("given_how", { held: own });
    } else {
      $("held-title").textContent = $("held-title").dataset[lang];
      $("held-fingerprint").textContent = own;
      how.textContent = how.dataset[lang];
    }
  }

  function initialLanguage() {
    try {
      const kept = localStorage.getItem("charte-lang");
      if (kept === "fr" || kept === "nl") return kept;
    } catch (e) {
      /* no storage */
    }
    for (const l of navigator.languages || []) {
      const base = String(l).slice(0, 2).toLowerCase();
      if (base === "fr" || base === "nl") return base;
    }
    return HELD.language === "nl" ? "nl" : "fr";
  }

  function row(list, label, value, id, valid) {
    const dt = document.createElement("dt");
    dt.textContent = WORDS[lang][label];
    const dd = document.createElement("dd");
    if (id) dd.id = id;
    if (valid !== undefined) dd.dataset.valid = String(valid);
    if (Array.isArray(value)) {
      const ul = document.createElement("ul");
      for (const v of value) {
        const li = document.createElement("li");
        li.textContent = v;
        ul.appendChild(li);
      }
      dd.appendChild(ul);
    } else dd.textContent = value;
    list.append(dt, dd);
  }

  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
  }

  /** Writes a result (or a refusal) into #verdict and #details. */
  /** What the page says of a web signature, its time in the page's language. */
  function webWords(signed) {
    const when = day(signed.at.slice(0, 10), lang) + ", " + signed.at.slice(11, 16) + " UTC";
    return { signer: signed.signer, capacity: signed.capacity, email: signed.email, when };
  }

  function show(result) {
    shown = result;
    const verdict = $("verdict");
    const details = $("details");
    clear(verdict);
    clear(details);
    if (result.checking) {
      verdict.removeAttribute("data-valid");
      verdict.className = "verdict checking";
      verdict.textContent = WORDS[lang].checking;
      return;
    }
    const head = document.createElement("p");
    head.className = "verdict-head";
    const body = document.createElement("div");
    const ok = !result.refusal;
    // The document is authentic but its history is not confirmed: its
    // continuity with the previous report fails, or that report does not hold.
    const history = !ok && result.found && (HISTORY.includes(result.refusal.code) || result.refusal.params.previous);
    // Authentic as sealed, but something after the seal is not checked here:
    // a PAdES signature, or an own key the page does not know.
    const signedKind = ok && result.found.signed ? result.found.signed.kind : null;
    const partial = signedKind === "pades" || (signedKind === "own-key" && !result.found.signed.owner);
    head.textContent = WORDS[lang][partial ? "valid_partial" : ok ? "valid" : history ? "invalid_history" : "invalid"];
    verdict.className = "verdict " + (partial ? "valid partial" : ok ? "valid" : "invalid");
    const lines = [];
    const f = result.found;
    const m = f ? f.manifest : null;
    if (f) {
      const pades = f.signed && f.signed.kind === "pades";
      lines.push(say(pades ? "valid_sealed_part" : "valid_sealed", { coordination: m.coordination, issued: m.issued }));
      if (f.signed && f.signed.kind === "own-key") {
        const who = f.signed.owner
          ? say("who_registered", { organisation: f.signed.owner, key: f.signed.key })
          : say("who_unregistered", { organisation: m.organisation || "?", key: f.signed.key });
        lines.push(say("valid_own_key", { who, date: f.signed.date }));
      } else if (f.signed && f.signed.kind === "web") {
        lines.push(say("valid_web", webWords(f.signed)));
      } else if (pades) {
        lines.push(say("valid_pades"));
      }
    }
    if (result.since) lines.push(say("valid_since", result.since));
    if (result.sinceUnused) lines.push(say("not_a_report"));
    if (!ok && !history) lines.length = 0;
    if (result.refusal) {
      const r = result.refusal;
      const text = say(r.code, r.params);
      lines.push(r.params.previous ? say("previous_prefix") + " " + text.charAt(0).toLowerCase() + text.slice(1) : text);
    }
    for (const l of lines) {
      const p = document.createElement("p");
      p.textContent = l;
      body.appendChild(p);
    }
    if (ok && f && f.signed && f.signed.kind === "pades" && f.sealedPart) {
      // What the coordination sealed, to read as it was issued: what the
      // signing update displays is not checked here.
      const a = document.createElement("a");
      a.id = "sealed-part";
      a.href = URL.createObjectURL(new Blob([f.sealedPart], { type: "application/pdf" }));
      a.download = m.document_id.replace(/[^A-Za-z0-9._-]/g, "_") + "-as-issued.pdf";
      a.textContent = say("download_sealed");
      const p = document.createElement("p");
      p.appendChild(a);
      body.appendChild(p);
    }
    verdict.append(head, body);
    verdict.dataset.valid = String(ok);
    // On a phone the verdict is below the inputs: bring it into view.
    if (verdict.getBoundingClientRect().top > window.innerHeight * 0.6) verdict.scrollIntoView({ block: "start" });

    if (!f) {
      // A seal by a key the page does not trust: its fingerprint, to compare.
      const r = result.refusal;
      const sealing = r && KEY_REFUSALS.includes(r.code) ? r.params.sealing || r.params.key : null;
      if (sealing) {
        row(details, "d_key", "", "fingerprint-row");
        const code = document.createElement("code");
        code.id = "fingerprint";
        code.textContent = sealing;
        $("fingerprint-row").appendChild(code);
      }
      return;
    }
    const kind = WORDS[lang].kinds[m.kind] || m.kind;
    row(details, "d_kind", kind);
    row(details, "d_document", m.document_id);
    if (m.organisation) row(details, "d_organisation", m.organisation + (m.enterprise_number ? " (" + m.enterprise_number + ")" : ""));
    if (m.charter_version) row(details, "d_charter", m.charter_version);
    row(details, "d_issued", day(m.issued, lang));
    row(details, "d_coordination", m.coordination);
    const how =
      f.trust.how === "held"
        ? say(givenKey ? "key_given" : "key_held")
        : f.trust.how === "former"
          ? say("key_former", { date: f.trust.retired })
          : say("key_chain", { from: f.trust.from });
    row(details, "d_key", f.sealingFp + " — " + how, "fingerprint-row");
    const fp = document.createElement("code");
    fp.id = "fingerprint";
    fp.textContent = f.sealingFp;
    const keyRow = $("fingerprint-row");
    keyRow.textContent = "";
    keyRow.append(fp, " — " + how);
    if (f.trust.links.length) {
      row(details, "d_chain", f.trust.links.map((l) => say("chain_link", { from: l.previousFp, to: l.nextFp, date: l.date })), "chain");
    }
    if (f.checkpoint) {
      row(details, "d_tree", say("tree", { n: f.checkpoint.tree_size, root: f.checkpoint.root, date: f.checkpoint.date }), "tree");
    }
    if (f.signed) {
      const text =
        f.signed.kind === "web"
          ? say("signer_web", webWords(f.signed))
          : f.signed.kind === "pades"
          ? say("signer_pades")
          : f.signed.owner
            ? say("who_registered", { organisation: f.signed.owner, key: f.signed.key })
            : say("who_unregistered", { organisation: m.organisation || "?", key: f.signed.key });
      row(details, "d_signer", text, "signer");
    }
    if (result.since || result.sinceRefused) {
      const s = result.since || result.sinceRefused;
      row(details, "d_consistency", say(result.since ? "consistency_ok" : "consistency_no", s), "consistency", Boolean(result.since));
    }
    row(details, "d_sha256", m.sha256);
  }

  /** The keys the check trusts: the one the visitor gave, else the page's. */
  function trustedKeys() {
    if (givenKey) return [{ key: givenKey.key, retired: null }];
    return (HELD.keys || []).map((k) => ({ key: base64(k.public_key), retired: k.retired || null }));
  }

  async function readFile(input) {
    const file = input.files && input.files[0];
    if (!file) return null;
    return new Uint8Array(await file.arrayBuffer());
  }

  async function check() {
    const mine = ++run;
    const fileInput = $("file");
    if (!fileInput.files || !fileInput.files[0]) {
      shown = null;
      clear($("details"));
      const v = $("verdict");
      clear(v);
      v.removeAttribute("data-valid");
      v.className = "verdict";
      return;
    }
    show({ checking: true });
    let result;
    try {
      const trusted = trustedKeys();
      const found = await checkSealed(await readFile(fileInput), trusted);
      if (found.trust.how === "chain") found.trust.from = found.trust.links.length ? found.trust.links[0].previousFp : "";
      result = { found };
      const previous = await readFile($("previous"));
      if (previous && !found.checkpoint) {
        // Only reports carry the journal's state: the document stands on
        // its own, and the previous report is said to be of no use here.
        result.sinceUnused = true;
      } else if (previous) {
        let old;
        try {
          old = await checkSealed(previous, trusted);
        } catch (e) {
          if (e instanceof Refusal) e.params = Object.assign({}, e.params, { previous: true });
          result.sinceRefused = { old: "?", m: "?", n: found.checkpoint.tree_size };
          throw e;
        }
        const params = { old: old.manifest.document_id, m: old.checkpoint ? old.checkpoint.tree_size : "?", n: found.checkpoint.tree_size };
        try {
          result.since = await consistency(found, old);
        } catch (e) {
          result.sinceRefused = params;
          throw e;
        }
      }
    } catch (e) {
      const refusal = e instanceof Refusal ? e : new Refusal("unreadable");
      if (!(e instanceof Refusal)) console.error(e);
      result = Object.assign(result || {}, { refusal });
    }
    if (mine === run) show(result);
  }

  async function useKey() {
    const input = $("key");
    const bytes = await readFile(input);
    givenKey = null;
    $("given").textContent = "";
    if (bytes) {
      let key = null;
      try {
        const lines = decodeUtf8(bytes).split("\n").map((l) => l.trim()).filter((l) => l);
        if (lines.length === 2 && lines[0] === "charte-ed25519-public-v1") key = base64(lines[1]);
      } catch (e) {
        key = null;
      }
      if (!key || key.length !== 32) {
        input.value = "";
        $("given").textContent = say("key_unreadable");
      } else {
        givenKey = { key, fingerprint: await fingerprint(key) };
        $("given").textContent = givenKey.fingerprint;
      }
    }
    showHeld();
    await check();
  }

  /** A file dropped on a drop zone goes into its input, as if chosen. */
  function dropZone(zone, input) {
    zone.addEventListener("dragover", (e) => {
      e.preventDefault();
      zone.classList.add("over");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("over");
      if (e.dataTransfer && e.dataTransfer.files.length) {
        input.files = e.dataTransfer.files;
        input.dispatchEvent(new Event("change"));
      }
    });
  }

  function start() {
    $("lang-fr").addEventListener("click", () => setLanguage("fr"));
    $("lang-nl").addEventListener("click", () => setLanguage("nl"));
    $("file").addEventListener("change", check);
    $("previous").addEventListener("change", check);
    $("key").addEventListener("change", useKey);
    dropZone($("drop-file"), $("file"));
    dropZone($("drop-previous"), $("previous"));
    document.body.classList.add("scripted");
    setLanguage(initialLanguage());
  }

  start();
})();
