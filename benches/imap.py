#!/usr/bin/env python3
"""`charte collect --imap` on 1,000 replies (issue 21), against a Dovecot
already listening on 127.0.0.1:PORT with user USER / PASSWORD (the test
suite's configuration, tests/cli/imap.rs, works as it is).

    python3 benches/imap.py CHARTE_BINARY PORT USER PASSWORD [N]

Makes a workspace from fixtures/woluwe-saint-lambert in a temporary folder
(roster, key, every document issued), appends N replies (default 1,000):
each from an organisation's address with a scanned paper signature (a JPEG
of about 60 KB, each different), so every one is examined,
recorded as a return waiting for confirmation and moved. Then runs
`collect --imap` twice under /usr/bin/time: the 1,000 replies, and again
with nothing new.
"""

import imaplib
import os
import random
import shutil
import subprocess
import sys
import tempfile
from email.message import EmailMessage

charte, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
n = int(sys.argv[5]) if len(sys.argv) > 5 else 1000
repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
tmp = tempfile.mkdtemp()
ws = os.path.join(tmp, "ws")
shutil.copytree(os.path.join(repo, "fixtures/woluwe-saint-lambert"), ws)
with open(os.path.join(ws, "charte.toml"), "a") as f:
    f.write(
        f'\n[mail.imap]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nusername = "{user}"\n'
        f'password_env = "CHARTE_IMAP_PASSWORD"\nprocessed_folder = "charte/traité"\n'
    )
now = ["--dir", ws, "--now", "2026-02-01"]
for args in (["members", "import", "roster.csv"], ["keys", "init"], ["issue", "--all"]):
    subprocess.run([charte, *now, *args], check=True, stdout=subprocess.DEVNULL, cwd=ws)
emails = []
for line in open(os.path.join(ws, "roster.csv"), encoding="utf-8").read().splitlines()[1:]:
    emails.append(line.split(",")[2] if '"' not in line.split(",")[0] else None)
emails = [e for e in emails if e and "@" in e]

box = imaplib.IMAP4("127.0.0.1", port)
box.login(user, password)
rng = random.Random(21)
for i in range(n):
    m = EmailMessage()
    m["From"] = emails[i % len(emails)]
    m["To"] = "coordination@cpas-woluwe-saint-lambert.example.be"
    m["Subject"] = f"Charte signée {i}"
    m["Message-ID"] = f"<bench-{i}@example.be>"
    m.set_content("Bonjour, voici notre charte signée.")
    scan = b"\xff\xd8\xff\xe0" + rng.randbytes(60 * 1024) + b"\xff\xd9"
    m.add_attachment(scan, maintype="image", subtype="jpeg", filename="charte-signee.jpg")
    box.append("INBOX", None, None, m.as_bytes())
box.logout()

env = dict(os.environ, CHARTE_IMAP_PASSWORD=password)
fmt = "%e s wall, %U s user, %S s sys, %M KB peak"
for label in (f"{n} replies", "again, nothing new"):
    r = subprocess.run(
        ["/usr/bin/time", "-f", fmt, charte, *now, "collect", "--imap"],
        env=env, capture_output=True, text=True, cwd=ws,
    )
    summary = [l for l in r.stdout.splitlines() if "message(s) read" in l]
    refused = [l for l in r.stderr.splitlines() if l.startswith("refused")][:1]
    print(f"{label}: exit {r.returncode}; {r.stderr.strip().splitlines()[-1]}; {summary[-1] if summary else r.stderr[-500:]}")
    print("\n".join(refused))
shutil.rmtree(tmp, ignore_errors=True)
