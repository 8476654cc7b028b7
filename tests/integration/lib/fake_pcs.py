#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in Intel PCS / PCCS for tests (listens on 127.0.0.1 only).

Serves a PCS-shaped directory tree over HTTPS (--cert/--key) or plain
HTTP. A request for PATH?QUERY is answered with the file
ROOT/PATH/QUERY, the query's parameters sorted ("ca=platform&encoding=der"),
or ROOT/PATH when there is no query; 404 when there is no such file. When
FILE.chain.pem exists next to it, its PEM text goes URL-encoded into the
issuer-chain header of the route, as Intel's PCS API v4 does:
  .../tcb           TCB-Info-Issuer-Chain (--tcb-header overrides, e.g.
                    SGX-TCB-Info-Issuer-Chain as API v3 spelled it)
  .../qe/identity   SGX-Enclave-Identity-Issuer-Chain
  .../pckcrl        SGX-PCK-CRL-Issuer-Chain
Files are read at every request, so a test can change the served
collateral while the server runs. --delay-ms holds every response (to
make concurrent requests overlap), --log appends one line per request
("GET /path?query"), --port-file receives the bound port (0 = any free).
"""
import argparse
import http.server
import os
import signal
import ssl
import sys
import threading
import time
import urllib.parse


def chain_header(path, tcb_header):
    if path.endswith("/tcb"):
        return tcb_header
    if path.endswith("/qe/identity"):
        return "SGX-Enclave-Identity-Issuer-Chain"
    if path.endswith("/pckcrl"):
        return "SGX-PCK-CRL-Issuer-Chain"
    return None


def make_handler(args, log_lock):
    root = os.path.realpath(args.root)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):  # quiet; --log has the requests
            pass

        def resolve(self):
            url = urllib.parse.urlsplit(self.path)
            parts = [p for p in url.path.split("/") if p]
            if any(p in (".", "..") for p in parts):
                return None, url.path
            query = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
            rel = os.path.join(*parts) if parts else ""
            if query:
                q = "&".join(f"{k}={v}" for k, v in sorted(query))
                rel = os.path.join(rel, q)
            full = os.path.realpath(os.path.join(root, rel))
            if not full.startswith(root + os.sep):
                return None, url.path
            return full, url.path

        def do_GET(self):
            if args.log:
                with log_lock, open(args.log, "a") as f:
                    f.write(f"GET {self.path}\n")
            if args.delay_ms:
                time.sleep(args.delay_ms / 1000.0)
            full, path = self.resolve()
            if not full or not os.path.isfile(full):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with open(full, "rb") as f:
                body = f.read()
            self.send_response(200)
            ctype = "application/json" if body[:1] == b"{" else \
                "application/octet-stream"
            self.send_header("Content-Type", ctype)
            name = chain_header(path, args.tcb_header)
            if name and os.path.isfile(full + ".chain.pem"):
                with open(full + ".chain.pem", "r") as f:
                    pem = f.read()
                self.send_header(name, urllib.parse.quote(pem, safe=""))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--delay-ms", type=int, default=0)
    ap.add_argument("--log")
    ap.add_argument("--tcb-header", default="TCB-Info-Issuer-Chain")
    args = ap.parse_args()

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # e.g. a client that refused our certificate

    srv = Server(("127.0.0.1", args.port),
                 make_handler(args, threading.Lock()))
    srv.daemon_threads = True
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                     do_handshake_on_connect=False)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{srv.server_address[1]}\n")
        os.rename(tmp, args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
