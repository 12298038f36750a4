#!/usr/bin/env python3
"""Drives the control endpoint's page in headless Chromium (issue #15).

Usage: control_page.py URL TOKEN LOGGER LEVEL SCREENSHOT [TTL]

Opens URL, enters TOKEN, sets LOGGER to LEVEL (for TTL, typed in the row's
TTL field, if given) with the page's own selector and button, waits until the
page shows LEVEL as the logger's effective level (and the override's time
left, with a TTL) and the handler statistics, and saves a screenshot. Speaks the Chrome DevTools protocol over
--remote-debugging-pipe (JSON messages ended by NUL on fds 3 and 4), so it
needs nothing beyond the standard library and Debian's `chromium`.
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

DEADLINE = 60.0


class Browser:
    def __init__(self):
        exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if not exe:
            raise SystemExit("chromium is not installed (apt-get install chromium)")
        self.profile = tempfile.mkdtemp(prefix="logfig-chromium-")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        def fds():
            # Through spare numbers first: a pipe may already be fd 3 or 4,
            # and dup2 onto itself would keep its close-on-exec flag.
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--remote-debugging-pipe", "--user-data-dir=" + self.profile,
             "--window-size=1200,900", "about:blank"],
            preexec_fn=fds, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buf = b""
        self.next_id = 0
        self.session = None

    def send(self, method, params=None, session=True):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self.read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def read(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.from_chrome, 65536)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def open(self, url):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        attached = self.send("Target.attachToTarget",
                             {"targetId": target["targetId"], "flatten": True}, session=False)
        self.session = attached["sessionId"]
        self.send("Page.enable")
        self.send("Runtime.enable")
        self.send("Page.navigate", {"url": url})
        self.wait("the page to load", "document.readyState === 'complete' && !!document.getElementById('login')")

    def eval(self, expression):
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait(self, what, expression):
        end = time.monotonic() + DEADLINE
        while not self.eval(expression):
            if time.monotonic() > end:
                raise SystemExit(f"timed out waiting for {what}; page text:\n" + str(self.eval("document.body.innerText")))
            time.sleep(0.1)

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.send("Browser.close", session=False)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    url, token, logger, level, shot = sys.argv[1:6]
    ttl = sys.argv[6] if len(sys.argv) > 6 else ""
    b = Browser()
    try:
        b.open(url)
        b.eval(f"document.getElementById('token').value = {json.dumps(token)};"
               "document.getElementById('login').requestSubmit(); true")
        row = f"document.querySelector('tr[data-logger={json.dumps(logger)}]')"
        b.wait(f"the row of {logger}", f"!!{row}")
        b.eval(f"(() => {{ const tr = {row}; const s = tr.querySelector('select');"
               f" s.value = {json.dumps(level)}; s.dispatchEvent(new Event('change'));"
               f" tr.querySelector('input').value = {json.dumps(ttl)};"
               " tr.querySelector('button').click(); return true; })()")
        b.wait(f"{logger} to show {level}",
               f"(() => {{ const tr = {row}; return !!tr && tr.querySelector('.effective').textContent === {json.dumps(level)}; }})()")
        if ttl:
            b.wait(f"{logger}'s override to show its time left",
                   f"(() => {{ const t = {row}.querySelector('.over').textContent; return t.startsWith({json.dumps(level + ' for ')}); }})()")
        b.wait("the handler statistics", "document.querySelectorAll('#handlers tbody tr').length > 0")
        b.screenshot(shot)
        print("ok")
    finally:
        b.close()


if __name__ == "__main__":
    main()
