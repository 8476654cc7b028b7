#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Sends raw bytes to an HTTPS server on loopback and reads every response.

usage: rawhttps.py PORT REQUEST
REQUEST is a Python-style escaped string ("\\r\\n", "\\x00"). Curl and
most clients normalise what this sends (duplicate or conflicting framing
headers, %00, spaces in the target), so this writes the bytes as given,
then reads until the server closes the connection or 3 s pass without
data. Prints JSON: the responses parsed from the stream in order
(status, lower-cased headers, body), whether the server closed the
connection, the bytes left over, and the seconds it took.
"""
import json
import socket
import ssl
import sys
import time


def parse(stream):
    out = []
    while stream:
        head, sep, rest = stream.partition(b"\r\n\r\n")
        if not sep:
            break
        lines = head.decode("latin1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            break
        hdrs = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            hdrs.setdefault(k.strip().lower(), v.strip())
        n = int(hdrs.get("content-length", "0"))
        body, stream = rest[:n], rest[n:]
        out.append({"status": int(parts[1]), "headers": hdrs,
                    "body": body.decode("utf-8", "replace")})
    return out, stream


def main():
    port = int(sys.argv[1])
    req = sys.argv[2].encode("latin1").decode("unicode_escape")
    req = req.encode("latin1")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    t0 = time.monotonic()
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    s = ctx.wrap_socket(raw)
    s.sendall(req)
    s.settimeout(3)
    data, closed = b"", False
    try:
        while True:
            b = s.recv(65536)
            if not b:
                closed = True
                break
            data += b
    except socket.timeout:
        pass
    except (ssl.SSLError, OSError):
        closed = True
    s.close()
    responses, rest = parse(data)
    print(json.dumps({"responses": responses, "closed": closed,
                      "leftover": rest.decode("latin1"),
                      "seconds": round(time.monotonic() - t0, 3)}))


if __name__ == "__main__":
    main()
