#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in OIDC identity provider for tests (listens on 127.0.0.1 only).

Serves over HTTPS (--cert/--key) or plain HTTP, answering by the mode in
the file STATE/mode, read at every request so a test can switch it while
the server runs:
  serve   GET /jwks answers STATE/jwks.json; GET <any>/.well-known/
          openid-configuration answers {"issuer", "jwks_uri": <this>/jwks}
  hang    requests are read and never answered; when the mode changes
          the held connection is closed without an answer (an IdP that
          hangs, then restarts)
  close   the connection is closed at once, no answer
GET /hang/... always hangs (until --max-seconds). --log appends one line
per request ("GET /path") before answering, so a test counts fetches.
--port-file receives the bound port (0 = any free). The process exits by
itself after --max-seconds, so it never outlives a test.
"""
import argparse
import http.server
import json
import os
import signal
import ssl
import sys
import threading
import time


def make_handler(args, log_lock, started):
    def mode():
        try:
            with open(os.path.join(args.state, "mode")) as f:
                return f.read().strip()
        except OSError:
            return "serve"

    def deadline_passed():
        return time.monotonic() - started > args.max_seconds

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):  # quiet; --log has the requests
            pass

        def answer(self, body):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

        def hold(self, while_mode):
            while not deadline_passed():
                if while_mode is not None and mode() != while_mode:
                    break
                time.sleep(0.05)
            self.close_connection = True

        def do_GET(self):
            if args.log:
                with log_lock, open(args.log, "a") as f:
                    f.write(f"GET {self.path}\n")
            if self.path.startswith("/hang"):
                return self.hold(None)
            m = mode()
            if m == "hang":
                return self.hold("hang")
            if m == "close":
                self.close_connection = True
                return
            port = self.server.server_address[1]
            scheme = "https" if args.cert else "http"
            if self.path.endswith("/.well-known/openid-configuration"):
                iss = self.path[: -len("/.well-known/openid-configuration")]
                doc = {"issuer": f"{scheme}://127.0.0.1:{port}{iss}",
                       "jwks_uri": f"{scheme}://127.0.0.1:{port}/jwks"}
                return self.answer(json.dumps(doc).encode())
            if self.path == "/jwks":
                with open(os.path.join(args.state, "jwks.json"), "rb") as f:
                    return self.answer(f.read())
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--state", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--log")
    ap.add_argument("--max-seconds", type=float, default=120)
    args = ap.parse_args()
    started = time.monotonic()

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            pass  # a client that gave up, or refused our certificate

    srv = Server(("127.0.0.1", args.port),
                 make_handler(args, threading.Lock(), started))
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                     do_handshake_on_connect=False)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    threading.Timer(args.max_seconds, lambda: os._exit(0)).start()
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{srv.server_address[1]}\n")
        os.rename(tmp, args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
