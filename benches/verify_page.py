#!/usr/bin/env python3
"""How long the verification page (out/verify.html) takes to give its
verdict in a real browser: Debian's headless Chromium, driven over the
WebDriver protocol by chromedriver, the page opened from disk.

    python3 benches/verify_page.py WORKSPACE/out/verify.html FILE.pdf...

For each file: 5 runs, from choosing the file in #file to #verdict's
data-valid attribute (polled every 5 ms), median and each run. Needs
/usr/bin/chromium and /usr/bin/chromedriver (Debian's chromium and
chromium-driver), nothing else.
"""
import json, os, socket, subprocess, sys, tempfile, time, urllib.error, urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    page, files = sys.argv[1], sys.argv[2:]
    port = free_port()
    driver = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def call(method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        r = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                   headers={"Content-Type": "application/json"})
        try:
            return json.load(urllib.request.urlopen(r))["value"]
        except urllib.error.HTTPError as e:
            return json.load(e)["value"]

    for _ in range(100):
        try:
            call("GET", "/status")
            break
        except OSError:
            time.sleep(0.05)
    profile = tempfile.mkdtemp()
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}"]
    session = call("POST", "/session", {"capabilities": {"alwaysMatch": {
        "browserName": "chrome", "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}}}})["sessionId"]
    base = f"/session/{session}"
    js = lambda script: call("POST", f"{base}/execute/sync", {"script": script, "args": []})
    try:
        call("POST", f"{base}/url", {"url": "file://" + os.path.abspath(page)})
        field = call("POST", f"{base}/element", {"using": "css selector", "value": "#file"})[ELEMENT]
        for path in files:
            runs = []
            for _ in range(5):
                js("document.getElementById('file').value = ''; document.getElementById('verdict').removeAttribute('data-valid');")
                start = time.perf_counter()
                call("POST", f"{base}/element/{field}/value", {"text": os.path.abspath(path)})
                while not js("return document.getElementById('verdict').getAttribute('data-valid')"):
                    time.sleep(0.005)
                runs.append((time.perf_counter() - start) * 1000)
            verdict = js("return document.getElementById('verdict').getAttribute('data-valid')")
            print(f"{os.path.basename(path)}  {os.path.getsize(path)} bytes  valid={verdict}  "
                  f"median {sorted(runs)[2]:.0f} ms  runs {' '.join(f'{r:.0f}' for r in runs)}")
    finally:
        call("DELETE", base)
        driver.kill()


if __name__ == "__main__":
    main()
