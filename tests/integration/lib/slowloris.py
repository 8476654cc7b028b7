#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Slow HTTPS clients for tests/integration/http_slowloris.sh (loopback only).

attack: holds PER connections from each source address for DURATION
seconds. "tls" addresses complete the TLS handshake, then send one byte
of a never-ending request header every INTERVAL seconds; "raw" addresses
send the 5-byte header of a TLS record and then one byte of it every
INTERVAL seconds, so their handshake never completes. A connection the
server closes is opened again at once (as an attacker would). Every
0.25 s the number of open connections is written to STATUS; at the end a
JSON report goes to OUT: how many were opened, the peak and the samples
of open connections, and for connections the server closed, how long
they had lived (by kind).

keepalive: one TLS connection sends a whole request and reads the
answer, then trickles the next request one byte every INTERVAL seconds
(with --line-at-once, its request line at once and then the header
bytes); reports the first answer's status and how long after it the
server closed the connection.

probe: opens COUNT TLS connections one after the other from one address
and keeps them open (no request); reports how many completed the
handshake, which was the first refused, whether one from OTHER_ADDR
still connects and what THEN_RUN (a shell command run while they are
held) printed, and whether the accepted ones are still open afterwards.
"""
import argparse
import errno
import ipaddress
import json
import selectors
import socket
import ssl
import subprocess
import time

HEADER = (b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
          + b"a" * 100000)
RECORD = b"\x16\x03\x01\x02\x00" + b"\x01" * 100000


def addr_range(spec):
    if not spec:
        return []
    lo, _, hi = spec.partition("-")
    a, b = ipaddress.IPv4Address(lo), ipaddress.IPv4Address(hi or lo)
    for ip in ipaddress.summarize_address_range(a, b):
        for h in ip:
            if not h.is_loopback:
                raise SystemExit("only loopback addresses: %s" % h)
            yield str(h)


def tls_context():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Slot:
    def __init__(self, kind, src):
        self.kind, self.src = kind, src
        self.sock = None
        self.state = "idle"
        self.opened = 0.0
        self.next_send = 0.0
        self.sent = 0
        self.handshaken = False


class Attack:
    def __init__(self, args):
        self.a = args
        self.ctx = tls_context()
        self.sel = selectors.DefaultSelector()
        self.slots = []
        for src in addr_range(args.tls_addrs):
            self.slots += [Slot("tls", src) for _ in range(args.per_addr)]
        for src in addr_range(args.raw_addrs):
            self.slots += [Slot("raw", src) for _ in range(args.per_addr)]
        self.opened = 0
        self.connect_errors = 0
        self.lives = {"tls": [], "raw": []}
        self.closed_before_handshake = 0
        self.samples = []

    def open(self, s, now):
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setblocking(False)
        try:
            raw.bind((s.src, 0))
        except OSError:
            raw.close()
            self.connect_errors += 1
            return
        err = raw.connect_ex(("127.0.0.1", self.a.port))
        if err not in (0, errno.EINPROGRESS):
            raw.close()
            self.connect_errors += 1
            return
        s.sock, s.state, s.opened, s.sent = raw, "connecting", now, 0
        s.handshaken = False
        s.next_send = now
        self.opened += 1
        self.sel.register(raw, selectors.EVENT_WRITE, s)

    def closed(self, s, now, by_server=True):
        try:
            self.sel.unregister(s.sock)
        except (KeyError, ValueError):
            pass
        s.sock.close()
        if by_server:
            self.lives[s.kind].append(round(now - s.opened, 3))
            if s.kind == "tls" and not s.handshaken:
                self.closed_before_handshake += 1
        s.sock, s.state = None, "idle"

    def step_handshake(self, s, now):
        try:
            s.sock.do_handshake()
        except ssl.SSLWantReadError:
            self.sel.modify(s.sock, selectors.EVENT_READ, s)
            return
        except ssl.SSLWantWriteError:
            self.sel.modify(s.sock, selectors.EVENT_WRITE, s)
            return
        except (ssl.SSLError, OSError):
            self.closed(s, now)
            return
        s.handshaken = True
        s.state = "trickle"
        self.sel.modify(s.sock, selectors.EVENT_READ, s)

    def on_event(self, s, now):
        if s.state == "connecting":
            err = s.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                self.connect_errors += 1
                self.closed(s, now, by_server=False)
                return
            if s.kind == "raw":
                s.state = "trickle"
                self.sel.modify(s.sock, selectors.EVENT_READ, s)
                self.send_some(s, now, 5)
                return
            self.sel.unregister(s.sock)
            s.sock = self.ctx.wrap_socket(s.sock, do_handshake_on_connect=False)
            self.sel.register(s.sock, selectors.EVENT_WRITE, s)
            s.state = "handshake"
            self.step_handshake(s, now)
            return
        if s.state == "handshake":
            self.step_handshake(s, now)
            return
        # trickle: readable means the server closed (or answered).
        try:
            data = s.sock.recv(4096)
        except (ssl.SSLWantReadError, BlockingIOError):
            return
        except (ssl.SSLError, OSError):
            data = b""
        if not data:
            self.closed(s, now)

    def send_some(self, s, now, n):
        data = (RECORD if s.kind == "raw" else HEADER)[s.sent:s.sent + n]
        try:
            s.sent += s.sock.send(data)
        except (ssl.SSLWantWriteError, ssl.SSLWantReadError,
                BlockingIOError):
            pass
        except (ssl.SSLError, OSError):
            self.closed(s, now)
            return
        s.next_send = now + self.a.interval

    def run(self):
        start = time.monotonic()
        end = start + self.a.duration
        next_status = start
        while True:
            now = time.monotonic()
            if now >= end:
                break
            for s in self.slots:
                if s.state == "idle":
                    self.open(s, now)
                elif s.state == "trickle" and now >= s.next_send:
                    self.send_some(s, now, 1)
            for key, _ in self.sel.select(timeout=0.05):
                self.on_event(key.data, time.monotonic())
            if now >= next_status:
                held = sum(1 for s in self.slots if s.state == "trickle")
                self.samples.append(held)
                with open(self.a.status, "w") as f:
                    f.write("%d\n" % held)
                next_status = now + 0.25
        for s in self.slots:
            if s.sock:
                self.closed(s, time.monotonic(), by_server=False)
        return {
            "slots": len(self.slots),
            "opened": self.opened,
            "connect_errors": self.connect_errors,
            "peak_open": max(self.samples or [0]),
            "samples": self.samples,
            "closed_by_server": {k: len(v) for k, v in self.lives.items()},
            "lives": self.lives,
            "tls_closed_before_handshake": self.closed_before_handshake,
        }


def tls_connect(ctx, src, port):
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.settimeout(5)
    raw.bind((src, 0))
    try:
        raw.connect(("127.0.0.1", port))
        return ctx.wrap_socket(raw), ""
    except (ssl.SSLError, OSError) as e:
        raw.close()
        return None, type(e).__name__


def probe(args):
    ctx = tls_context()
    held, refused_at, err = [], 0, ""
    for i in range(1, args.count + 1):
        t, e = tls_connect(ctx, args.probe_addr, args.port)
        if t:
            held.append(t)
        elif not refused_at:
            refused_at, err = i, e
    other, _ = tls_connect(ctx, args.other_addr, args.port)
    if other:
        other.close()
    then = ""
    if args.then_run:
        then = subprocess.run(args.then_run, shell=True, timeout=30,
                              capture_output=True, text=True).stdout
    still_open = 0
    for t in held:
        t.setblocking(False)
        try:
            still_open += 0 if t.recv(1) == b"" else 1
        except (ssl.SSLWantReadError, BlockingIOError):
            still_open += 1
        except (ssl.SSLError, OSError):
            pass
        t.close()
    return {"handshakes": len(held), "refused_at": refused_at,
            "error": err, "still_open": still_open,
            "other_ok": other is not None, "then_output": then}


def keepalive(args):
    ctx = tls_context()
    t, err = tls_connect(ctx, "127.0.0.1", args.port)
    if not t:
        return {"error": err}
    t.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    got = b""
    while b"\r\n\r\n" not in got or not got.endswith(b"}"):
        b = t.recv(4096)
        if not b:
            break
        got += b
    status = int(got.split(b" ", 2)[1]) if got.startswith(b"HTTP/") else 0
    t0 = time.monotonic()
    nxt = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 1000
    sent = 0
    if args.line_at_once:
        sent = nxt.index(b"\r\n") + 2
        t.sendall(nxt[:sent])
    t.settimeout(args.interval)
    closed_after = -1.0
    while time.monotonic() - t0 < args.duration:
        try:
            b = t.recv(4096)
            if not b:
                closed_after = time.monotonic() - t0
                break
        except socket.timeout:
            pass
        except (ssl.SSLError, OSError):
            closed_after = time.monotonic() - t0
            break
        try:
            t.sendall(nxt[sent:sent + 1])
            sent += 1
        except (ssl.SSLError, OSError):
            closed_after = time.monotonic() - t0
            break
    t.close()
    return {"first_status": status, "closed_after": round(closed_after, 3),
            "bytes_trickled": sent}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["attack", "probe", "keepalive"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--status", default="/dev/null")
    p.add_argument("--duration", type=float, default=15)
    p.add_argument("--interval", type=float, default=1.0)
    p.add_argument("--per-addr", type=int, default=64)
    p.add_argument("--tls-addrs", default="")
    p.add_argument("--raw-addrs", default="")
    p.add_argument("--probe-addr", default="127.0.0.18")
    p.add_argument("--count", type=int, default=65)
    p.add_argument("--other-addr", default="127.0.0.19")
    p.add_argument("--then-run", default="")
    p.add_argument("--line-at-once", action="store_true")
    args = p.parse_args()
    if args.duration > 60 or args.count > 1000:
        raise SystemExit("bounded: duration <= 60 s, count <= 1000")
    run = {"attack": lambda a: Attack(a).run(), "probe": probe,
           "keepalive": keepalive}[args.mode]
    rep = run(args)
    with open(args.out, "w") as f:
        json.dump(rep, f)


if __name__ == "__main__":
    main()
