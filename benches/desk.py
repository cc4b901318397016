#!/usr/bin/env python3
"""The desk's year at a glance (`/`) under load (issue 19, BENCHMARKS.md).

    python3 benches/desk.py BUILD_DIR WORKDIR

BUILD_DIR holds `charte` and `charte-bench` (target/release, or a debug
build: say which when you report the numbers).

1. Two workspaces: Saint-Gilles's whole year (`charte demo saint-gilles`,
   110 organisations, every meeting, vote and signature of its fixture),
   and a 10,000-organisation federation (`charte-bench federation`: ten
   years of meetings, 1,000,400 attendance lines, 1,020,970 entries).
2. On each, a coordinator's account (`charte users add`, the password on
   standard input), `charte serve` on loopback, a session opened by
   POSTing the sign-in form (/login, its CSRF token and cookie first).
3. The first view of `/` (the figures computed), then wrk (Debian's) with
   50 connections for 10 s on `/` with the session's cookie: requests per
   second and latency percentiles (p50, p90, p99), non-2xx responses.
4. The server's peak resident memory (VmHWM).

The glance's figures are kept while the journal's head, the day and the
configuration stay the same (src/web/desk/glance.rs): the first view pays
for them, the others for a page render. `charte-bench glance WS DATE`
times the computation itself.
"""
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve import request, wrk  # noqa: E402  (one HTTP client and one wrk run for the benches)

EMAIL = "bench@coordination.example.be"
PASSWORD = "un mot de passe pour le banc d'essai"


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: {r.stderr}")
    return r.stdout


def prepare(build, work):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    sg = os.path.join(work, "saint-gilles")
    started = time.perf_counter()
    run([os.path.join(build, "charte"), "demo", "saint-gilles", "--out", sg])
    print(f"Saint-Gilles's year (charte demo): {time.perf_counter() - started:.0f} s")
    fed = os.path.join(work, "federation")
    started = time.perf_counter()
    run([os.path.join(build, "charte-bench"), "federation", fed])
    print(f"federation (charte-bench federation): {time.perf_counter() - started:.0f} s")
    # (workspace, the day the server acts on: the journal's last day)
    return [("Saint-Gilles", sg, "2026-12-31"), ("federation, 10,000 organisations", fed, "2026-11-30")]


def sign_in(addr):
    """The session's Cookie header, through the sign-in form."""
    status, page, cookies, _ = request(addr, "GET", "/login")
    cookies = [c.split(";")[0] for c in cookies]
    assert status == 200, (status, page[:300])
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf": csrf, "email": EMAIL, "password": PASSWORD})
    headers = {"Cookie": "; ".join(cookies), "Content-Type": "application/x-www-form-urlencoded"}
    status, page, session, _ = request(addr, "POST", "/login", headers, body)
    assert status == 303, (status, page[:300])
    return "; ".join(cookies + [c.split(";")[0] for c in session])


def measure(build, name, ws, now):
    charte = os.path.join(build, "charte")
    run([charte, "--dir", ws, "--now", now, "users", "add", EMAIL, "--role", "coordinator"], input=PASSWORD + "\n")
    server = subprocess.Popen([charte, "--dir", ws, "--now", now, "serve", "--listen", "127.0.0.1:0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    addr = re.search(r"http://([\d.]+:\d+)/", server.stdout.readline()).group(1)
    try:
        cookie = sign_in(addr)
        status, page, _, first = request(addr, "GET", "/", {"Cookie": cookie})
        assert status == 200 and "stage-signed" in page, (status, page[:300])
        _, _, _, second = request(addr, "GET", "/", {"Cookie": cookie})
        rps, lat, errors = wrk(addr, "/", [f"Cookie: {cookie}"])
        with open(f"/proc/{server.pid}/status") as f:
            peak = re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1)
        print(f"{name}: first view {first * 1000:.0f} ms, second {second * 1000:.0f} ms; under wrk (50 connections, "
              f"10 s): {rps} requests/s, p50 {lat.get('50')}, p90 {lat.get('90')}, p99 {lat.get('99')}, non-2xx "
              f"{errors}; server peak resident memory {int(peak) / 1024:.0f} MB")
    finally:
        server.terminate()
        server.wait()


def main():
    build, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    for name, ws, now in prepare(build, work):
        print(f"{name}, the glance computed (charte-bench glance):")
        print("    " + run([os.path.join(build, "charte-bench"), "glance", ws, now]).strip().replace("\n", "\n    "))
        measure(build, name, ws, now)


if __name__ == "__main__":
    main()
