#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in AMD Key Distribution Service for tests (127.0.0.1 only).

Serves the real SEV-SNP certificates of the test vectors (--vectors, the
tests/vectors directory) in the KDS layout (AMD KDS interface
specification, publication 57230):
  GET /vcek/v1/{Milan|Genoa|Turin}/{hwid hex}?blSPL=&teeSPL=&snpSPL=&ucodeSPL=
      (Turin: fmcSPL too, 8-byte hwid)   the VCEK (DER) whose chip id and
      TCB are those of a VALID VCEK case of sevsnp/cases.json, or one given
      with --extra PRODUCT:HWID:fmc,bl,tee,snp,ucode:RELPATH
  GET /vcek/v1/{P}/cert_chain   sevsnp/amd_roots/ask_ark_{p}.pem (PEM)
  GET /vlek/v1/{P}/cert_chain   sevsnp/amd_roots/ask_ark_{p}_vlek.pem
  GET /v{c,l}ek/v1/{P}/crl      CRLDIR/{P}.crl when --crl-dir has it
With --sim-dir DIR (an `attest sim snp init` directory) it serves that
simulator instead for its product: the VCEK (DIR/vcek.der) at the chip id
and TCB of DIR/manifest.json, DIR/cert_chain.pem and
DIR/vlek_cert_chain.pem as the chains, and as the CRL DIR/crl.der, or
DIR/crl_revoked.der when the control file says "sim_crl": "revoked"
("none": 404).
Anything else is 404 (400 for a VCEK query missing a parameter).
--control names a JSON file read at every request, so a test can change
the behaviour while the server runs:
  {"mode": "ok" | "429" | "503" | "404" | "stall",
   "retry_after": 2,        (429/503: the Retry-After header, if given)
   "stall_ms": 3000,        (stall: hold the answer that long, then 503)
   "delay_ms": 300,         (every answer waits that long first)
   "vcek_override": "sevsnp/certs/gosevguest_vcek.der",
   "sim_crl": "clean" | "revoked" | "none"}   (--sim-dir only)
--log appends one line per request ("GET /path?query"), written before
the answer; --port-file receives the bound port.
"""
import argparse
import http.server
import json
import os
import signal
import ssl
import threading
import time
import urllib.parse

PRODUCTS = ("Milan", "Genoa", "Turin")


def load_table(vectors, extras):
    """(product, hwid hex, (fmc, bl, tee, snp, ucode)) -> DER bytes."""
    table = {}
    with open(os.path.join(vectors, "sevsnp", "cases.json")) as f:
        cases = json.load(f)
    for c in cases:
        fields = c.get("fields", {})
        tcb = c.get("vek_tcb_ext")
        if c.get("expected") != "VALID" or fields.get("signing_key") != 0 \
                or not tcb:
            continue
        chain = c.get("ask_ark_chain", "").lower()
        product = next((p for p in PRODUCTS if p.lower() in chain), None)
        if not product:
            continue
        with open(os.path.join(vectors, c["vek_cert"]), "rb") as f:
            body = f.read()
        if body.startswith(b"-----BEGIN"):
            first = body.split(b"-----END CERTIFICATE-----")[0] + \
                b"-----END CERTIFICATE-----\n"
            body = ssl.PEM_cert_to_DER_cert(first.decode())
        key = (product, fields["chip_id"].lower(),
               (None, tcb["bl"], tcb["tee"], tcb["snp"], tcb["ucode"]))
        table[key] = body
    for e in extras:
        product, hwid, spl, rel = e.split(":", 3)
        fmc, bl, tee, snp, ucode = (int(x) for x in spl.split(","))
        with open(os.path.join(vectors, rel), "rb") as f:
            table[(product, hwid.lower(), (fmc, bl, tee, snp, ucode))] = \
                f.read()
    return table


def load_sim(sim_dir):
    """The simulator's product and its VCEK table entry, or (None, {})."""
    if not sim_dir:
        return None, {}
    with open(os.path.join(sim_dir, "manifest.json")) as f:
        m = json.load(f)
    product, t = m["product"], m["tcb"]
    hwid = m["chip_id"].lower()
    if product == "Turin":
        hwid = hwid[:16]
    spl = (t.get("fmc") if product == "Turin" else None, t["bl"], t["tee"],
           t["snp"], t["ucode"])
    with open(os.path.join(sim_dir, "vcek.der"), "rb") as f:
        return product, {(product, hwid, spl): f.read()}


def make_handler(args, table, log_lock):
    vectors = os.path.realpath(args.vectors)
    sim_product, sim_table = load_sim(args.sim_dir)
    table = {**table, **sim_table}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *a):  # quiet; --log has the requests
            pass

        def control(self):
            if not args.control or not os.path.isfile(args.control):
                return {}
            try:
                with open(args.control) as f:
                    return json.load(f)
            except (OSError, ValueError):
                return {}

        def answer(self, status, body=b"", ctype="application/octet-stream",
                   headers=()):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def read(self, rel):
            with open(os.path.join(vectors, rel), "rb") as f:
                return f.read()

        def sim_item(self, ctl, kind, leaf):
            if leaf == "cert_chain":
                name = "vlek_cert_chain.pem" if kind == "vlek" else \
                    "cert_chain.pem"
                ctype = "application/x-pem-file"
            else:
                which = ctl.get("sim_crl", "clean")
                if which == "none":
                    return 404, b"", "text/plain"
                name = "crl_revoked.der" if which == "revoked" else \
                    "crl.der"
                ctype = "application/pkix-crl"
            with open(os.path.join(args.sim_dir, name), "rb") as f:
                return 200, f.read(), ctype

        def route(self, ctl):
            url = urllib.parse.urlsplit(self.path)
            parts = [p for p in url.path.split("/") if p]
            if len(parts) != 4 or parts[0] not in ("vcek", "vlek") or \
                    parts[1] != "v1" or parts[2] not in PRODUCTS:
                return 404, b"", "text/plain"
            kind, product, leaf = parts[0], parts[2], parts[3]
            p = product.lower()
            if product == sim_product and leaf in ("cert_chain", "crl"):
                return self.sim_item(ctl, kind, leaf)
            if leaf == "cert_chain":
                name = f"ask_ark_{p}_vlek.pem" if kind == "vlek" else \
                    (f"ask_ark_{p}_vcek.pem" if p == "turin"
                     else f"ask_ark_{p}.pem")
                return 200, self.read(os.path.join("sevsnp", "amd_roots",
                                                   name)), \
                    "application/x-pem-file"
            if leaf == "crl":
                path = os.path.join(args.crl_dir or "", f"{product}.crl")
                if args.crl_dir and os.path.isfile(path):
                    with open(path, "rb") as f:
                        return 200, f.read(), "application/pkix-crl"
                return 404, b"", "text/plain"
            if kind != "vcek":
                return 404, b"", "text/plain"
            q = dict(urllib.parse.parse_qsl(url.query))
            names = ["blSPL", "teeSPL", "snpSPL", "ucodeSPL"]
            if product == "Turin":
                names.insert(0, "fmcSPL")
            try:
                spl = [int(q[n]) for n in names]
            except (KeyError, ValueError):
                return 400, b"missing SPL", "text/plain"
            tcb = tuple(spl) if product == "Turin" else (None, *spl)
            if ctl.get("vcek_override"):
                return 200, self.read(ctl["vcek_override"]), \
                    "application/x-x509-ca-cert"
            body = table.get((product, leaf.lower(), tcb))
            if body is None:
                return 404, b"", "text/plain"
            return 200, body, "application/x-x509-ca-cert"

        def do_GET(self):
            if args.log:
                with log_lock, open(args.log, "a") as f:
                    f.write(f"GET {self.path}\n")
            ctl = self.control()
            if ctl.get("delay_ms"):
                time.sleep(ctl["delay_ms"] / 1000.0)
            mode = ctl.get("mode", "ok")
            ra = ()
            if "retry_after" in ctl:
                ra = (("Retry-After", str(ctl["retry_after"])),)
            if mode == "stall":
                time.sleep(ctl.get("stall_ms", 3000) / 1000.0)
                mode = "503"
            if mode in ("429", "503", "404"):
                self.answer(int(mode), b"", "text/plain", ra)
                return
            status, body, ctype = self.route(ctl)
            self.answer(status, body, ctype)

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vectors", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--log")
    ap.add_argument("--control")
    ap.add_argument("--crl-dir")
    ap.add_argument("--sim-dir")
    ap.add_argument("--extra", action="append", default=[])
    args = ap.parse_args()
    table = load_table(args.vectors, args.extra)

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # e.g. a client that timed out or refused the certificate

    srv = Server(("127.0.0.1", args.port),
                 make_handler(args, table, threading.Lock()))
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
            f.write(str(srv.server_address[1]))
        os.rename(tmp, args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
