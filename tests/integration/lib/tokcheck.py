#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Check attestation answers saved by tests/integration/lib/cluster_wrk.lua.

usage: tokcheck.py --jwks JWKS.json [--jwks ...] --ehd B64URL FILE...

Every line of every FILE is an HTTP 200 body of POST /attest/SgxEnclave
({"token": JWT}). A line passes when its token is an RS256 JWT whose kid
is in one of the JWKS (the nodes' /certs), whose signature verifies with
that key, which is not expired and whose x-ms-sgx-ehd is the runtime data
the load sent. Prints "verified N, bad M" and the first few failures;
exits 1 when a line fails or when no line was read.
"""
import argparse
import base64
import json
import sys
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def load_keys(paths):
    keys = {}
    for p in paths:
        with open(p, "rb") as f:
            for k in json.load(f)["keys"]:
                if k.get("kty") != "RSA":
                    continue
                n = int.from_bytes(b64d(k["n"]), "big")
                e = int.from_bytes(b64d(k["e"]), "big")
                keys[k["kid"]] = rsa.RSAPublicNumbers(e, n).public_key()
    return keys


def check(line, keys, ehd, now):
    tok = json.loads(line)["token"]
    h64, p64, s64 = tok.split(".")
    hdr = json.loads(b64d(h64))
    if hdr.get("alg") != "RS256":
        return "alg %r" % hdr.get("alg")
    key = keys.get(hdr.get("kid"))
    if key is None:
        return "kid %r not in /certs" % hdr.get("kid")
    try:
        key.verify(b64d(s64), (h64 + "." + p64).encode(),
                   padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return "bad signature"
    claims = json.loads(b64d(p64))
    if claims.get("x-ms-sgx-ehd") != ehd:
        return "x-ms-sgx-ehd %r" % claims.get("x-ms-sgx-ehd")
    if not claims.get("exp", 0) > now:
        return "expired"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jwks", action="append", required=True)
    ap.add_argument("--ehd", required=True)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    keys = load_keys(a.jwks)
    now = time.time()
    good = bad = 0
    for p in a.files:
        with open(p, "r") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    why = check(line, keys, a.ehd, now)
                except (ValueError, KeyError, TypeError) as e:
                    why = "unreadable answer: %s" % e
                if why is None:
                    good += 1
                else:
                    bad += 1
                    if bad <= 3:
                        print("bad answer: %s: %s" % (why, line[:120]))
    print("verified %d, bad %d" % (good, bad))
    return 0 if good > 0 and bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
