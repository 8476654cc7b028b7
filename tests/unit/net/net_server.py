#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""An HTTPS test server for the HTTP client and OIDC discovery tests
(tests/unit/net). Listens on 127.0.0.1 only, exits by itself after
--max-seconds. Routes:
  /hello           200 "hello", headers X-Chain (twice: the last wins)
                   and X-Other
  /big/N           200, N bytes with a Content-Length
  /stream/N        200, N bytes without Content-Length (connection close)
  /bighdr          200 with a 20000-byte X-Chain header
  /slow            answers after 5 s
  /status/N        status N, empty body
  /redirect        302 to /hello (same server, https)
  /echo            200, body "METHOD|Authorization|Content-Type|body"
  /jwks            a JWKS; /notjwks a JSON object without "keys"
  /<case>/.well-known/openid-configuration, <case> one of:
     good     issuer = this server + /good, jwks_uri https /jwks
     wrongiss issuer another URL      noiss   no issuer member
     plain    jwks_uri http://example.com/jwks (not loopback)
     loop     jwks_uri http://127.0.0.1:<port>/jwks (loopback http)
     nojwks   no jwks_uri             badjson not JSON
     array    a JSON array            dup     a duplicated member
     huge     a 3 MB document         notjwks jwks_uri -> /notjwks
     gone     HTTP 503
"""
import argparse
import http.server
import json
import os
import signal
import ssl
import threading
import time


def handler_class():
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):
            pass

        def send(self, status, body, headers=(), length=True):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            if length:
                self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

        def base(self):
            return "https://127.0.0.1:%d" % self.server.server_address[1]

        def discovery(self, case):
            b = self.base()
            doc = {"issuer": b + "/" + case, "jwks_uri": b + "/jwks"}
            if case == "wrongiss":
                doc["issuer"] = "https://other.example"
            elif case == "noiss":
                del doc["issuer"]
            elif case == "plain":
                doc["jwks_uri"] = "http://example.com/jwks"
            elif case == "loop":
                doc["jwks_uri"] = "http://127.0.0.1:%d/jwks" % \
                    self.server.server_address[1]
            elif case == "nojwks":
                del doc["jwks_uri"]
            elif case == "notjwks":
                doc["jwks_uri"] = b + "/notjwks"
            elif case == "badjson":
                return self.send(200, b"{not json")
            elif case == "array":
                return self.send(200, b"[1, 2]")
            elif case == "dup":
                text = '{"issuer": "%s/dup", "jwks_uri": "%s/jwks", ' \
                       '"jwks_uri": "%s/jwks"}' % (b, b, b)
                return self.send(200, text.encode())
            elif case == "gone":
                return self.send(503, b"")
            elif case == "huge":
                doc["pad"] = "x" * (3 * 1024 * 1024)
            self.send(200, json.dumps(doc).encode())

        def do_GET(self):
            p = self.path
            wk = "/.well-known/openid-configuration"
            if p == "/hello":
                return self.send(200, b"hello", [
                    ("X-Chain", "first"), ("X-Other", "o"),
                    ("x-chain", "  last%20value \t")])
            if p.startswith("/big/"):
                return self.send(200, b"a" * int(p[5:]))
            if p.startswith("/stream/"):
                return self.send(200, b"s" * int(p[8:]), length=False)
            if p == "/bighdr":
                return self.send(200, b"x", [("X-Chain", "c" * 20000)])
            if p == "/slow":
                time.sleep(5)
                return self.send(200, b"late")
            if p.startswith("/status/"):
                return self.send(int(p[8:]), b"")
            if p == "/redirect":
                return self.send(302, b"", [
                    ("Location", self.base() + "/hello"),
                    ("X-Chain", "from-redirect")])
            if p == "/jwks":
                return self.send(200, b'{"keys": []}')
            if p == "/notjwks":
                return self.send(200, b'{"a": 1}')
            if p.endswith(wk):
                return self.discovery(p[1:-len(wk)])
            self.send(404, b"")

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n) if n else b""
            if self.path != "/echo":
                return self.send(404, b"")
            text = "%s|%s|%s|" % (self.command,
                                  self.headers.get("Authorization", ""),
                                  self.headers.get("Content-Type", ""))
            self.send(200, text.encode() + body)

        do_PUT = do_POST
        do_DELETE = do_POST

    return H


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--max-seconds", type=float, default=60)
    args = ap.parse_args()

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            pass  # a client that gave up or refused the certificate

    srv = Server(("127.0.0.1", 0), handler_class())
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True,
                                 do_handshake_on_connect=False)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    threading.Timer(args.max_seconds, lambda: os._exit(0)).start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
