#!/usr/bin/env python3
"""HTTP sink for logfig's `http` handler tests (tests/integration/handlers/network.rs).

usage: http_sink.py DIR [--fail N] [--status CODE] [--retry-after SECS] [--cert PEM --key PEM]

Listens on 127.0.0.1 on a free port (a thread per connection) and prints `PORT <n>` once ready. Each
request is answered in turn: the first N with CODE (default 503), the rest
with 200; with --retry-after, each failing answer carries that
`Retry-After`. Every request is saved, in arrival order, as DIR/<seq>.body (the
body) and DIR/<seq>.json (method, path, status answered, headers, arrival time); a file
appears whole (written, then renamed). With --cert and --key it serves
HTTPS (Python's ssl module) with that certificate.
"""
import argparse
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = argparse.ArgumentParser()
args.add_argument("dir")
args.add_argument("--fail", type=int, default=0)
args.add_argument("--status", type=int, default=503)
args.add_argument("--retry-after")
args.add_argument("--cert")
args.add_argument("--key")
opts = args.parse_args()
seq = 0
lock = threading.Lock()


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global seq
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        arrived = time.time()
        with lock:
            seq += 1
            n = seq
        status = opts.status if n <= opts.fail else 200
        base = os.path.join(opts.dir, "%06d" % n)
        meta = {
            "method": self.command,
            "path": self.path,
            "status": status,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "time": arrived,
        }
        for ext, data in ((".body", body), (".json", json.dumps(meta).encode())):
            with open(base + ext + ".tmp", "wb") as f:
                f.write(data)
            os.rename(base + ext + ".tmp", base + ext)
        answer = b'{"ok":true}' if status == 200 else b'{"error":"try again"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if status != 200 and opts.retry_after:
            self.send_header("Retry-After", opts.retry_after)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *a):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
if opts.cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(opts.cert, opts.key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
print("PORT %d" % server.server_address[1], flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    sys.exit(0)
