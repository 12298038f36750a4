#!/usr/bin/env python3
"""OTLP/HTTP logs receiver for logfig's `otlp` handler tests
(tests/integration/otlp.rs): every request is decoded with the official
OpenTelemetry protobuf classes (PyPI `opentelemetry-proto`), protobuf with
`ExportLogsServiceRequest.FromString`, JSON with `google.protobuf.json_format`.

usage: otlp_receiver.py DIR [--script ANSWERS] [--cert PEM --key PEM]

Listens on 127.0.0.1 on a free port (over TLS with --cert and --key) and
prints `PORT <n>` once ready.
ANSWERS is a comma-separated list of answers given to the requests in turn,
the last one repeated: `200`, `400`, `503` (with `Retry-After: 1`),
`partial:<n>` (200 with a partial success rejecting n records), `hang`
(never answers). Each request is saved, in arrival order, as DIR/<seq>.json:
the answer given, the arrival time, the request headers and the decoded
request (`MessageToDict`, field names as in the .proto files, enums as
numbers, trace and span ids as hex). A request that does not decode is
saved with `error` and answered 400.
"""
import argparse
import base64
import gzip
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2

args = argparse.ArgumentParser()
args.add_argument("dir")
args.add_argument("--script", default="200")
args.add_argument("--cert")
args.add_argument("--key")
opts = args.parse_args()
script = opts.script.split(",")
seq = 0
lock = threading.Lock()


def ids_to_hex(d):
    for rl in d.get("resource_logs", []):
        for sl in rl.get("scope_logs", []):
            for r in sl.get("log_records", []):
                for k in ("trace_id", "span_id"):
                    if k in r:
                        r[k] = base64.b64decode(r[k]).hex()


def json_ids_to_base64(obj):
    """OTLP/JSON writes ids as hex; protobuf's JSON mapping wants base64."""
    for rl in obj.get("resourceLogs", []):
        for sl in rl.get("scopeLogs", []):
            for r in sl.get("logRecords", []):
                for k in ("traceId", "spanId"):
                    if k in r:
                        r[k] = base64.b64encode(bytes.fromhex(r[k])).decode()


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global seq
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with lock:
            seq += 1
            n = seq
        answer = script[min(n, len(script)) - 1]
        meta = {
            "answer": answer,
            "time": time.time(),
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
        }
        try:
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            ctype = self.headers.get("Content-Type", "")
            if ctype == "application/x-protobuf":
                req = logs_service_pb2.ExportLogsServiceRequest.FromString(body)
            elif ctype == "application/json":
                obj = json.loads(body)
                json_ids_to_base64(obj)
                req = json_format.ParseDict(obj, logs_service_pb2.ExportLogsServiceRequest())
            else:
                raise ValueError("content type %r" % ctype)
            d = json_format.MessageToDict(
                req, preserving_proto_field_name=True, use_integers_for_enums=True
            )
            ids_to_hex(d)
            meta["request"] = d
        except Exception as e:  # noqa: BLE001 - any decoding failure is the finding
            meta["error"] = repr(e)
            answer = "400"
        base = os.path.join(opts.dir, "%06d" % n)
        with open(base + ".json.tmp", "w") as f:
            json.dump(meta, f)
        os.rename(base + ".json.tmp", base + ".json")
        if answer == "hang":
            time.sleep(3600)
            return
        headers = {}
        if answer.startswith("partial:"):
            resp = logs_service_pb2.ExportLogsServiceResponse()
            resp.partial_success.rejected_log_records = int(answer.split(":")[1])
            resp.partial_success.error_message = "too old\x1b[2J"
            status = 200
        else:
            resp = logs_service_pb2.ExportLogsServiceResponse()
            status = int(answer)
            if status == 503:
                headers["Retry-After"] = "1"
        if self.headers.get("Content-Type") == "application/json":
            out = json_format.MessageToJson(resp).encode()
            ctype = "application/json"
        else:
            out = resp.SerializeToString()
            ctype = "application/x-protobuf"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(out)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *a):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
server.daemon_threads = True
if opts.cert:
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(opts.cert, opts.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
print("PORT %d" % server.server_address[1], flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    sys.exit(0)
