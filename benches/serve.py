#!/usr/bin/env python3
"""What `charte serve` sustains on this machine (BENCHMARKS.md, issue 18).

    python3 benches/serve.py target/release/charte WORKDIR

1. A workspace: the Woluwe-Saint-Lambert fixture with `[serve] public_url`
   and 100 more organisations (fresh addresses), all mailed their adherence
   document with a signing link (`charte run adhesion`, outbox transport).
2. `charte serve` on loopback; wrk (Debian's) with 50 connections for 10 s
   on the signing page (GET /s/TOKEN) and the verification page (/verify):
   requests per second and latency percentiles.
3. 100 signatures at once: 100 visitors (each its own X-Forwarded-For, as
   behind a proxy) open their page and ask for a code, all at the same
   time; the codes are read from the code mails; then all 100 submit their
   code at the same time. Every request's time is kept: the slowest is
   printed; then `charte audit` must hold and 100 signed PDFs exist.
4. The server's peak resident memory (VmHWM).
"""
import concurrent.futures as cf
import email
import email.policy
import http.client
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse

NOW = "2026-01-05"
N = 100


def enterprise_number(i):
    """A valid Belgian enterprise number: 0 + 7 digits + 97 - (those mod 97)."""
    base = 9_000_000 + i
    check = 97 - (base % 97)
    digits = f"0{base:07d}{check:02d}"
    return f"{digits[0:4]}.{digits[4:7]}.{digits[7:10]}"


def charte(binary, ws, *args):
    r = subprocess.run([binary, "--dir", ws, "--now", NOW, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"charte {' '.join(args)}: {r.stderr}")
    return r.stdout


def prepare(binary, work, repo):
    ws = os.path.join(work, "ws")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(os.path.join(repo, "fixtures", "woluwe-saint-lambert"), ws)
    with open(os.path.join(ws, "charte.toml"), "a", encoding="utf-8") as f:
        f.write('\n[serve]\npublic_url = "http://127.0.0.1"\n')
    with open(os.path.join(ws, "roster.csv"), "a", encoding="utf-8") as f:
        for i in range(N):
            f.write(f"Association banc d'essai {i},{enterprise_number(i)},bench{i}@bench.example.be,fr,participant,,,"
                    f"\"Rue du Test {i + 1}, 1200 Woluwe-Saint-Lambert\",aide sociale\n")
    charte(binary, ws, "members", "import", os.path.join(ws, "roster.csv"))
    charte(binary, ws, "keys", "init")
    charte(binary, ws, "run", "adhesion")
    return ws


def mails(ws, prefix):
    out = []
    box = os.path.join(ws, "out", "outbox")
    for name in os.listdir(box):
        if name.startswith(prefix) and name.endswith(".eml"):
            with open(os.path.join(box, name), "rb") as f:
                out.append(email.message_from_binary_file(f, policy=email.policy.default))
    return out


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def links(ws):
    """address -> token of the bench organisations' adherence mails."""
    found = {}
    for m in mails(ws, "adhesion."):
        to = str(m["To"])
        match = re.search(r"bench\d+@bench\.example\.be", to)
        token = re.search(r"http://127\.0\.0\.1/s/([A-Za-z0-9_-]+)", text_of(m))
        if match and token:
            found[match.group(0)] = token.group(1)
    return found


def request(addr, method, path, headers=None, body=None):
    host, port = addr.split(":")
    start = time.perf_counter()
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read().decode("utf-8", "replace")
    cookies = r.headers.get_all("Set-Cookie") or []
    c.close()
    return r.status, data, cookies, time.perf_counter() - start


def wrk(addr, path, headers=()):
    """wrk with 50 connections for 10 s on `path`, each request with `headers` ("Name: value")."""
    extra = [a for h in headers for a in ("-H", h)]
    r = subprocess.run(["wrk", "-t2", "-c50", "-d10s", "--timeout", "10s", "--latency", *extra, f"http://{addr}{path}"],
                       capture_output=True, text=True)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", r.stdout)
    lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", r.stdout, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", r.stdout)
    return rps.group(1) if rps else "?", lat, errors.group(1) if errors else "0"


def main():
    binary, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ws = prepare(binary, work, repo)
    tokens = links(ws)
    assert len(tokens) == N, f"{len(tokens)} links for the bench organisations"
    server = subprocess.Popen([binary, "--dir", ws, "--now", NOW, "serve", "--listen", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    addr = re.search(r"http://([\d.]+:\d+)/", server.stdout.readline()).group(1)
    try:
        first = next(iter(tokens.values()))
        for name, path in [("signing page GET /s/TOKEN", f"/s/{first}"), ("verification page GET /verify", "/verify")]:
            rps, lat, errors = wrk(addr, path)
            print(f"{name}: {rps} requests/s, p50 {lat.get('50')}, p90 {lat.get('90')}, p99 {lat.get('99')}, "
                  f"non-2xx {errors}")

        visitors = list(tokens.items())

        def ask(item):
            i, (address, token) = item
            forwarded = {"X-Forwarded-For": f"10.0.{i // 250}.{i % 250 + 1}"}
            status, page, cookies, t1 = request(addr, "GET", f"/s/{token}", forwarded)
            assert status == 200, (status, page[:300])
            cookie = cookies[0].split(";")[0]
            csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            body = urllib.parse.urlencode({"csrf": csrf, "signer": f"Signataire {i}", "capacity": "présidente",
                                           "mandate": "yes"})
            headers = dict(forwarded, **{"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
            status, page, _, t2 = request(addr, "POST", f"/s/{token}/code", headers, body)
            assert status == 200, (status, page[:300])
            return address, token, headers, csrf, max(t1, t2)

        started = time.perf_counter()
        with cf.ThreadPoolExecutor(N) as pool:
            asked = list(pool.map(ask, enumerate(visitors)))
        codes = {}
        for m in mails(ws, "code."):
            code = re.search(r"^\s+(\d{6})\s*$", text_of(m), re.M)
            to = re.search(r"bench\d+@bench\.example\.be", str(m["To"]))
            if to and code:
                codes[to.group(0)] = code.group(1)

        def sign(item):
            address, token, headers, csrf, _ = item
            body = urllib.parse.urlencode({"csrf": csrf, "signer": "Signataire", "capacity": "présidente",
                                           "mandate": "yes", "code": codes[address]})
            status, page, _, t = request(addr, "POST", f"/s/{token}/sign", headers, body)
            assert status == 200 and "a signé la charte" in page, (status, page[:400])
            return t

        with cf.ThreadPoolExecutor(N) as pool:
            signed = list(pool.map(sign, asked))
        took = time.perf_counter() - started
        slowest = max(max(a[4] for a in asked), max(signed))
        print(f"{N} signatures in parallel (page + code, then submit): {took:.2f} s in all; slowest request "
              f"{slowest * 1000:.0f} ms; slowest submit {max(signed) * 1000:.0f} ms; median submit "
              f"{sorted(signed)[N // 2] * 1000:.0f} ms")
        with open(f"/proc/{server.pid}/status") as f:
            peak = re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1)
        print(f"server peak resident memory: {int(peak) / 1024:.0f} MB")
    finally:
        server.terminate()
        server.wait()
    pdfs = len(os.listdir(os.path.join(ws, "out", "signed")))
    print(f"signed PDFs written: {pdfs}")
    print(charte(binary, ws, "audit").strip().splitlines()[0])


if __name__ == "__main__":
    main()
