#!/usr/bin/env python3
"""TLS line sink for logfig's `tcp` handler tests (tests/integration/handlers/secure.rs).

usage: tls_sink.py OUT --cert PEM --key PEM [--client-ca PEM]

Listens with TLS (Python's ssl module, OpenSSL) on 127.0.0.1 on a free port,
a thread per connection, and prints `PORT <n>` once ready. Every line a client
sends is appended to OUT as it arrives. With --client-ca, a client must show a
certificate signed by that CA (mutual TLS). Each failed handshake is appended
to OUT.errors, one line each.
"""
import argparse
import socket
import ssl
import sys
import threading

args = argparse.ArgumentParser()
args.add_argument("out")
args.add_argument("--cert", required=True)
args.add_argument("--key", required=True)
args.add_argument("--client-ca")
opts = args.parse_args()

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(opts.cert, opts.key)
if opts.client_ca:
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(opts.client_ca)

lock = threading.Lock()


def note(path, text):
    with lock:
        with open(path, "a", encoding="utf-8") as f:
            f.write(text)
            f.flush()


def serve(conn):
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError) as e:
        note(opts.out + ".errors", "%s\n" % str(e).replace("\n", " "))
        conn.close()
        return
    rest = b""
    try:
        while True:
            data = tls.recv(65536)
            if not data:
                break
            rest += data
            *lines, rest = rest.split(b"\n")
            if lines:
                note(opts.out, "".join(l.decode("utf-8", "replace") + "\n" for l in lines))
    except (ssl.SSLError, OSError):
        pass
    finally:
        tls.close()


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(16)
print("PORT %d" % server.getsockname()[1], flush=True)
while True:
    conn, _ = server.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
