#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Policy-write load and its checks, for tests/integration/crash_writes.sh
and concurrent_writes.sh (issue 13: crash safety and concurrency of the
store).

  polload.py run PLAN LOG    run the plan's clients until its duration ends
                             (or until killed); every request is logged
                             before it is sent and when it is answered
  polload.py check-crash ... after kill -9 and restart: what was answered
                             is there, nothing half-written
  polload.py check-concurrent ...

The log is JSON lines, written with one write() per line under a lock:
  {"ev":"S", "w":worker, "seq":n, "t":ns, ...what is sent}
  {"ev":"A", "w":worker, "seq":n, "t":ns, "status":code, "result":..}
  {"ev":"E", "w":worker, "seq":n, "t":ns, "err":text}   (no answer)
A request with an S line and no A line was in flight: it may or may not
have been applied. Checks print TAP-like "ok - ..." / "not ok - ..."
lines that the shell counts.

Plan (JSON): {"base": URL, "ca": FILE, "token": FILE, "duration": s
(0: until killed), "stop_on_error": bool, "nonce": text, "workers": [...]}
with workers of three kinds (each may name its own "base", "ca" and
"token", a second node; a race side its own in "a"/"b"):
  {"kind":"policy", "name":..., "prefix":"" or "/prov", "type":T}
      PUT /policies/T with a new unsigned policy each time
  {"kind":"certs", "name":..., "prefix":"/iso", "thumb":TH,
   "add":JWS, "remove":JWS}
      add, remove, add, ... one certificate (the next op only after a 200)
  {"kind":"race", "name":..., "prefix":"/iso2",
   "a":{"thumb":..,"rm":JWS,"add":JWS}, "b":{...}}
      two threads remove A (signed by B) and B (signed by A) at once
      after a barrier; the one removed is added back (signed by the other)
"""
import base64
import hashlib
import http.client
import json
import os
import ssl
import sys
import threading
import time

AV = "api-version=2020-10-01"


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64url_dec(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def jws_hash(jws):
    return b64url(hashlib.sha256(jws.encode()).digest())


def claims_of(body):
    """The payload of the response body's token ({} when there is none)."""
    try:
        tok = json.loads(body)["token"]
        return json.loads(b64url_dec(tok.split(".")[1]))
    except (ValueError, KeyError, IndexError, TypeError):
        return {}


class Log:
    def __init__(self, path):
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self.mu = threading.Lock()

    def put(self, **kv):
        kv["t"] = time.time_ns()
        line = (json.dumps(kv, sort_keys=True) + "\n").encode()
        with self.mu:
            os.write(self.fd, line)


class Client:
    """One keep-alive HTTPS connection; reconnects after an error."""

    def __init__(self, plan, w=None):
        u = (w or {}).get("base", plan["base"])
        assert u.startswith("https://")
        self.host = u[len("https://"):].split("/")[0]
        self.ctx = ssl.create_default_context(cafile=(w or {}).get("ca", plan["ca"]))
        self.ctx.check_hostname = False
        with open((w or {}).get("token", plan["token"])) as f:
            self.token = f.read().strip()
        self.conn = None

    def req(self, method, path, body=None, ctype="text/plain"):
        if self.conn is None:
            self.conn = http.client.HTTPSConnection(self.host, context=self.ctx,
                                                    timeout=20)
        hdr = {"Authorization": "Bearer " + self.token}
        if body is not None:
            hdr["Content-Type"] = ctype
        try:
            self.conn.request(method, path, body=body, headers=hdr)
            r = self.conn.getresponse()
            data = r.read()
            return r.status, data
        except Exception:
            self.conn.close()
            self.conn = None
            raise


def policy_text(nonce, name, seq):
    return ("version=1.0;\nauthorizationrules {\n  => permit();\n};\n"
            "issuancerules {\n  => issue(type=\"load\", value=\"%s-%s-%d\");\n};\n"
            % (nonce, name, seq))


def unsigned_policy_jws(text):
    payload = json.dumps({"AttestationPolicy": b64url(text.encode())},
                         separators=(",", ":"))
    return "eyJhbGciOiJub25lIn0.%s." % b64url(payload.encode())


def run_policy(plan, w, log, stop):
    c = Client(plan, w)
    seq = 0
    path = "%s/policies/%s?%s" % (w["prefix"], w["type"], AV)
    while not stop.is_set():
        seq += 1
        jws = unsigned_policy_jws(policy_text(plan["nonce"], w["name"], seq))
        h = jws_hash(jws)
        log.put(ev="S", w=w["name"], seq=seq, kind="policy",
                prov=w["prefix"], type=w["type"], hash=h)
        try:
            st, body = c.req("PUT", path, jws)
        except Exception as e:
            log.put(ev="E", w=w["name"], seq=seq, err=repr(e))
            if plan.get("stop_on_error"):
                return
            time.sleep(0.05)
            continue
        cl = claims_of(body)
        log.put(ev="A", w=w["name"], seq=seq, status=st,
                result=cl.get("x-ms-policy-result"),
                rhash=cl.get("x-ms-policy-token-hash"))


def run_certs(plan, w, log, stop):
    c = Client(plan, w)
    seq = 0
    add = True  # the certificate starts absent
    while not stop.is_set():
        seq += 1
        op = "add" if add else "remove"
        log.put(ev="S", w=w["name"], seq=seq, kind="cert", prov=w["prefix"],
                op=op, thumb=w["thumb"])
        try:
            st, body = c.req("POST", "%s/certificates:%s?%s" % (w["prefix"], op, AV),
                             json.dumps(w[op]), "application/json")
        except Exception as e:
            log.put(ev="E", w=w["name"], seq=seq, err=repr(e))
            if plan.get("stop_on_error"):
                return
            time.sleep(0.05)
            continue
        cl = claims_of(body)
        log.put(ev="A", w=w["name"], seq=seq, status=st,
                result=cl.get("x-ms-policycertificates-result"),
                rthumb=cl.get("x-ms-certificate-thumbprint"))
        if st == 200:
            add = not add


def run_race(plan, w, log, stop):
    """Two threads, one barrier per round: each removes one of the two
    certificates (signed by the other) at the same time."""
    names = ("a", "b")
    bar = threading.Barrier(2)
    res = {}
    state = {"round": 0, "go": True}

    def side(k):
        c = Client(plan, w[k])
        me, other = w[k], w["b" if k == "a" else "a"]
        while True:
            try:
                bar.wait(timeout=30)
            except threading.BrokenBarrierError:
                return
            if not state["go"]:
                return
            rnd = state["round"]
            log.put(ev="S", w=w["name"] + k, seq=rnd, kind="race",
                    prov=w["prefix"], op="remove", thumb=me["thumb"])
            try:
                st, body = c.req("POST", "%s/certificates:remove?%s" % (w["prefix"], AV),
                                 json.dumps(me["rm"]), "application/json")
                cl = claims_of(body)
                log.put(ev="A", w=w["name"] + k, seq=rnd, status=st,
                        result=cl.get("x-ms-policycertificates-result"),
                        err=(json.loads(body).get("error", {}).get("code")
                             if st != 200 and body[:1] == b"{" else None))
                res[k] = st
            except Exception as e:
                log.put(ev="E", w=w["name"] + k, seq=rnd, err=repr(e))
                res[k] = None
            try:
                bar.wait(timeout=30)
            except threading.BrokenBarrierError:
                return
            # Side a restores whichever was removed, signed by the other
            # (only when exactly one went; otherwise the check fails and
            # the round stops here).
            if k == "a":
                won = [x for x in names if res.get(x) == 200]
                if len(won) == 1:
                    g = won[0]
                    log.put(ev="S", w=w["name"] + "+", seq=rnd, kind="race",
                            prov=w["prefix"], op="add", thumb=w[g]["thumb"])
                    try:
                        st, body = c.req("POST", "%s/certificates:add?%s" % (w["prefix"], AV),
                                         json.dumps(w[g]["add"]), "application/json")
                        log.put(ev="A", w=w["name"] + "+", seq=rnd, status=st,
                                result=claims_of(body).get("x-ms-policycertificates-result"))
                        ok = st == 200
                    except Exception as e:
                        log.put(ev="E", w=w["name"] + "+", seq=rnd, err=repr(e))
                        ok = False
                else:
                    ok = False
                state["round"] += 1
                state["go"] = ok and not stop.is_set()

    ts = [threading.Thread(target=side, args=(k,)) for k in names]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def cmd_run(plan_file, log_file):
    with open(plan_file) as f:
        plan = json.load(f)
    log = Log(log_file)
    stop = threading.Event()
    fn = {"policy": run_policy, "certs": run_certs, "race": run_race}
    ts = [threading.Thread(target=fn[w["kind"]], args=(plan, w, log, stop), daemon=True)
          for w in plan["workers"]]
    for t in ts:
        t.start()
    if plan.get("duration"):
        time.sleep(plan["duration"])
        stop.set()
    for t in ts:
        t.join()
    return 0


# ---------------------------------------------------------------- checks

class Tap:
    def __init__(self):
        self.fail = 0

    def check(self, cond, desc, detail=""):
        if cond:
            print("ok - " + desc)
        else:
            self.fail += 1
            print("not ok - " + desc + (": " + detail if detail else ""))


def read_log(path):
    """(requests, answers): requests[(w, seq)] = S line; answers the A or
    E line of that request."""
    reqs, ans = {}, {}
    with open(path) as f:
        for line in f:
            if not line.endswith("\n"):
                continue  # a line cut by the kill of the client
            e = json.loads(line)
            if e["ev"] == "S":
                reqs[(e["w"], e["seq"])] = e
            else:
                ans[(e["w"], e["seq"])] = e
    return reqs, ans


def read_rows(path, ncol):
    rows = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                p = line.split("|")
                if len(p) != ncol:
                    raise ValueError("%s: %r has %d columns" % (path, line, len(p)))
                rows.append(p)
    return rows


def read_audit(path):
    """audit rows: id|provider|time|action|type|old_hash|new_hash."""
    out = []
    for r in read_rows(path, 7):
        out.append({"id": int(r[0]), "provider": r[1], "time": int(r[2]),
                    "action": r[3], "type": r[4], "old": r[5], "new": r[6]})
    return out


def prov_name(prefix):
    return prefix.strip("/") or "default"


def load_rows(policies, reqs):
    """The policy rows of the (provider, type) pairs the load wrote (the
    store may hold others: attestd --dev installs a default Tpm policy
    when it starts)."""
    keys = {(prov_name(s["prov"]), s["type"]) for s in reqs if s["kind"] == "policy"}
    return [r for r in policies if (r[0], r[1]) in keys]


def check_store_rows(tap, policies, sent_hashes, what):
    """Every policy row is whole: its hash is SHA-256 of its JWS, and the
    JWS is one a client sent (or is a provider's own)."""
    bad = [r for r in policies if jws_hash(r[3]) != r[2]]
    tap.check(not bad, "%s: every policy row's hash is SHA-256 of its JWS (%d rows)"
              % (what, len(policies)), repr(bad[:2]))
    alien = [r[:3] for r in policies if r[2] not in sent_hashes]
    tap.check(not alien, "%s: every policy row holds a JWS a client sent" % what,
              repr(alien[:3]))


def cmd_check_crash(args):
    """check-crash LOG POLICIES CERTS AUDIT GOT ROUND FROM_ID [OLD_LOG...]:
    LOG is this round's load log; POLICIES (provider|type|hash|jws), CERTS
    (provider|thumb) and AUDIT are store dumps after the crash (and before
    the restart); GOT is what the restarted server answers (JSON:
    {"policies": {prov/type: hash}, "certs": {prov: [thumbs]}}). The
    round's audit entries are those with an id above FROM_ID; OLD_LOGS are
    the earlier rounds' logs (their policies may still be stored)."""
    logf, polf, certf, audf, gotf, rnd, from_id = args[:7]
    tap = Tap()
    reqs, ans = read_log(logf)
    policies = read_rows(polf, 4)
    certs = read_rows(certf, 2)
    audit_all = read_audit(audf)
    audit = [a for a in audit_all if a["id"] > int(from_id)]
    old_sent = set()
    for f in args[7:]:
        old_sent |= {s["hash"] for s in read_log(f)[0].values() if s["kind"] == "policy"}
    with open(gotf) as f:
        got = json.load(f)
    w_reqs = {}
    for (w, seq), s in sorted(reqs.items(), key=lambda kv: kv[0][1]):
        w_reqs.setdefault(w, []).append(s)
    answered = lambda s: ans.get((s["w"], s["seq"]), {}).get("status") == 200
    n200 = sum(1 for k in reqs if ans.get(k, {}).get("status") == 200)
    tap.check(n200 >= 3, "round %s: the load made writes before the kill (%d answered 200)"
              % (rnd, n200))
    other = [a for a in ans.values() if a["ev"] == "A" and a["status"] != 200]
    tap.check(not other, "round %s: no write was refused before the kill" % rnd,
              repr(other[:2]))
    aud_pol = {}
    for a in audit:
        if a["action"] == "set-policy":
            aud_pol.setdefault(a["new"], []).append(a)
    sent_hashes = {s["hash"] for s in reqs.values() if s["kind"] == "policy"}
    stored = {(r[0], r[1]): r[2] for r in policies}
    for w, ss in sorted(w_reqs.items()):
        kind = ss[0]["kind"]
        done = [s for s in ss if answered(s)]
        # In flight: sent, no 200 answer, after the last answered one
        # (a worker stops at its first error, so that is at most one).
        pend = [s for s in ss if (s["w"], s["seq"]) not in ans or ans[(s["w"], s["seq"])]["ev"] == "E"]
        tap.check(len(pend) <= 1, "round %s, %s: at most one request in flight" % (rnd, w),
                  repr(pend))
        if kind == "policy":
            prov, typ = prov_name(ss[0]["prov"]), ss[0]["type"]
            want = {done[-1]["hash"]} if done else set()
            if pend:
                want.add(pend[0]["hash"])
            g = got["policies"].get("%s/%s" % (prov, typ))
            if done:
                tap.check(g in want, "round %s, %s: GET %s/%s after restart is the last answered "
                          "policy or the one in flight" % (rnd, w, prov, typ),
                          "got %s, want one of %s" % (g, sorted(want)))
                tap.check(stored.get((prov, typ)) in want,
                          "round %s, %s: the store row of %s/%s is the last answered policy "
                          "or the one in flight" % (rnd, w, prov, typ))
            miss = [s["seq"] for s in done if len(aud_pol.get(s["hash"], [])) != 1]
            tap.check(not miss, "round %s, %s: exactly one audit entry for each of the %d "
                      "answered PUTs" % (rnd, w, len(done)), "seqs %s" % miss[:5])
            if pend:
                n = len(aud_pol.get(pend[0]["hash"], []))
                applied = stored.get((prov, typ)) == pend[0]["hash"]
                tap.check(n == (1 if applied else 0),
                          "round %s, %s: the in-flight PUT has an audit entry exactly when "
                          "it is stored" % (rnd, w), "audit %d, stored %s" % (n, applied))
        elif kind == "cert":
            prov, th = prov_name(ss[0]["prov"]), ss[0]["thumb"]
            last = done[-1]["op"] if done else "remove"
            want = {last == "add"}
            if pend:
                want.add(pend[0]["op"] == "add")
            present = [th in got["certs"].get(prov, [])]
            tap.check(present[0] in want, "round %s, %s: certificate %s present after restart "
                      "as the last answered change left it (or the one in flight)"
                      % (rnd, w, th[:8]), "present %s, want %s" % (present[0], want))
            in_store = any(r[0] == prov and r[1] == th for r in certs)
            tap.check(in_store == present[0], "round %s, %s: store row and GET agree" % (rnd, w))
            for op, act, col in (("add", "add-policy-certificate", "new"),
                                 ("remove", "remove-policy-certificate", "old")):
                n_done = sum(1 for s in done if s["op"] == op)
                n_pend = sum(1 for s in pend if s["op"] == op)
                n_aud = sum(1 for a in audit if a["action"] == act and a[col] == th)
                tap.check(n_done <= n_aud <= n_done + n_pend,
                          "round %s, %s: audit %s entries (%d) match the answered ones (%d, "
                          "%d in flight)" % (rnd, w, op, n_aud, n_done, n_pend))
    stray = [a for a in audit if a["action"] == "set-policy" and a["new"] not in sent_hashes]
    tap.check(not stray, "round %s: no audit entry for a policy nobody sent" % rnd,
              repr(stray[:2]))
    check_store_rows(tap, load_rows(policies, reqs.values()), sent_hashes | old_sent,
                     "round %s" % rnd)
    # No change half-audited across the crashes: per type, each entry's
    # old hash is the previous entry's new hash, over every round.
    chain_bad, prev = [], {}
    for a in audit_all:
        if a["action"] in ("set-policy", "reset-policy"):
            k = (a["provider"], a["type"])
            if k in prev and a["old"] != prev[k]:
                chain_bad.append((a["id"], k))
            prev[k] = a["new"]
    tap.check(not chain_bad, "round %s: per type, each audit entry's old hash is the previous "
              "entry's new hash (all rounds)" % rnd, repr(chain_bad[:3]))
    # The audit log and the data move together: per type, the last
    # set-policy entry is the stored policy.
    last = {}
    for a in audit_all:
        if a["action"] == "set-policy":
            last[(a["provider"], a["type"])] = a["new"]
    bad = [(k, v, stored.get(k)) for k, v in last.items() if stored.get(k) != v]
    tap.check(not bad, "round %s: per type, the last audit entry's hash is the stored policy"
              % rnd, repr(bad[:2]))
    return 1 if tap.fail else 0


def cmd_check_concurrent(args):
    """check-concurrent LOG POLICIES AUDIT GOT [FROM_ID]: the audit
    entries of the load are those with an id above FROM_ID (0: all)."""
    logf, polf, audf, gotf = args[:4]
    from_id = int(args[4]) if len(args) > 4 else 0
    tap = Tap()
    reqs, ans = read_log(logf)
    policies = load_rows(read_rows(polf, 4), reqs.values())
    audit = [a for a in read_audit(audf) if a["id"] > from_id]
    with open(gotf) as f:
        got = json.load(f)
    unans = [k for k in reqs if ans.get(k, {}).get("ev") != "A"]
    tap.check(not unans, "every request was answered (%d requests)" % len(reqs),
              repr(unans[:3]))
    status = {}
    for a in ans.values():
        status[a.get("status")] = status.get(a.get("status"), 0) + 1
    print("# answers by status: %s" % json.dumps(status, sort_keys=True))
    # Policies: one audit entry per answered PUT, none for others.
    put200 = [(s, ans[k]) for k, s in reqs.items()
              if s["kind"] == "policy" and ans.get(k, {}).get("status") == 200]
    tap.check(len(put200) >= 20, "the policy writers made changes (%d answered 200)" % len(put200))
    badh = [s["seq"] for s, a in put200 if a.get("rhash") != s["hash"]]
    tap.check(not badh, "each PUT answer carries its own policy's token hash", repr(badh[:3]))
    ids = [a["id"] for a in audit]
    tap.check(len(ids) == len(set(ids)), "audit ids are unique (%d entries)" % len(ids))
    tap.check(ids == sorted(ids), "audit entries read in id order")
    times = [a["time"] for a in audit]
    tap.check(all(x <= y for x, y in zip(times, times[1:])),
              "audit times never go back as ids increase")
    by_hash = {}
    for a in audit:
        if a["action"] == "set-policy":
            by_hash.setdefault(a["new"], []).append(a)
    sent = {s["hash"] for s in reqs.values() if s["kind"] == "policy"}
    miss = [s["hash"] for s, _ in put200 if len(by_hash.get(s["hash"], [])) != 1]
    tap.check(not miss, "exactly one audit entry per answered PUT (%d)" % len(put200),
              "%d without exactly one, e.g. %s" % (len(miss), miss[:2]))
    ok200 = {s["hash"] for s, _ in put200}
    extra = [h for h in by_hash if h not in ok200]
    tap.check(not extra, "no audit entry for a PUT that was not answered 200",
              "%d, e.g. %s" % (len(extra), extra[:2]))
    tap.check(not (set(by_hash) - sent), "no audit entry for a policy nobody sent")
    # Consistent order: the audit order is the order of the changes.
    # (1) per type, each set's old hash is the previous entry's new hash;
    chain_bad = []
    prev = {}
    for a in audit:
        if a["action"] not in ("set-policy", "reset-policy"):
            continue
        k = (a["provider"], a["type"])
        if k in prev and a["old"] != prev[k]:
            chain_bad.append((a["id"], k))
        prev[k] = a["new"]
    tap.check(not chain_bad, "per type, each audit entry's old hash is the previous entry's "
              "new hash", repr(chain_bad[:3]))
    # (2) real time: a change answered before another was sent has the
    # smaller audit id;
    id_of = {a["new"]: a["id"] for a in audit if a["action"] == "set-policy"}
    ev = sorted(((ans[(s["w"], s["seq"])]["t"], s["t"], id_of.get(s["hash"], -1))
                 for s, _ in put200), key=lambda x: x[1])
    viol = 0
    max_done_id, j = -1, 0
    by_answer = sorted(ev)
    for a_t, s_t, i in ev:  # by send time
        while j < len(by_answer) and by_answer[j][0] < s_t:
            max_done_id = max(max_done_id, by_answer[j][2])
            j += 1
        if i <= max_done_id:
            viol += 1
    tap.check(viol == 0, "audit order respects real time (a PUT answered before another "
              "was sent has the smaller id)", "%d violations" % viol)
    # (3) each client's own changes appear in the order it made them.
    order_bad = []
    for w in {s["w"] for s, _ in put200}:
        mine = sorted((s["seq"], id_of.get(s["hash"], -1)) for s, _ in put200 if s["w"] == w)
        ids_w = [i for _, i in mine]
        if ids_w != sorted(ids_w):
            order_bad.append(w)
    tap.check(not order_bad, "each client's changes are audited in its order", repr(order_bad))
    # Per type: GET = the store row = the last audit entry.
    last = {}
    for a in audit:
        if a["action"] in ("set-policy", "reset-policy"):
            last["%s/%s" % (a["provider"], a["type"])] = a["new"]
    stored = {"%s/%s" % (r[0], r[1]): r[2] for r in policies}
    types = sorted({"%s/%s" % (prov_name(s["prov"]), s["type"])
                    for s in reqs.values() if s["kind"] == "policy"})
    for k in types:
        tap.check(last.get(k) == got["policies"].get(k) == stored.get(k),
                  "%s: the last audit entry's hash is what GET returns and the store holds" % k,
                  "audit %s, GET %s, store %s" % (last.get(k), got["policies"].get(k),
                                                  stored.get(k)))
    check_store_rows(tap, policies, sent, "store")
    # Certificates: one audit entry per answered change.
    for w in sorted({s["w"] for s in reqs.values() if s["kind"] == "cert"}):
        mine = [(s, ans.get((s["w"], s["seq"]), {})) for s in reqs.values() if s["w"] == w]
        th = mine[0][0]["thumb"]
        prov = prov_name(mine[0][0]["prov"])
        for op, act, col in (("add", "add-policy-certificate", "new"),
                             ("remove", "remove-policy-certificate", "old")):
            n = sum(1 for s, a in mine if s["op"] == op and a.get("status") == 200)
            n_aud = sum(1 for a in audit if a["action"] == act and a[col] == th
                        and a["provider"] == prov)
            tap.check(n == n_aud and n > 0, "%s: %d answered certificate %ss, %d audit entries"
                      % (w, n, op, n_aud))
    # Last-certificate race.
    race = {}
    for k, s in reqs.items():
        if s["kind"] == "race" and s["op"] == "remove":
            race.setdefault(s["seq"], []).append(ans.get(k, {}))
    rounds = sorted(race)
    tap.check(len(rounds) >= 5, "last-certificate race: %d rounds of two concurrent removals"
              % len(rounds))
    one = [r for r in rounds if sum(1 for a in race[r] if a.get("status") == 200) == 1
           and len(race[r]) == 2]
    tap.check(len(one) == len(rounds), "last-certificate race: exactly one removal wins in "
              "every round", "%d of %d" % (len(one), len(rounds)))
    losers = [a for r in rounds for a in race[r] if a.get("status") != 200]
    tap.check(all(a.get("status") == 400 for a in losers),
              "last-certificate race: the other removal is refused with 400",
              repr(losers[:2]))
    rprov = [prov_name(s["prov"]) for s in reqs.values() if s["kind"] == "race"]
    if rprov:
        n_left = len(got["certs"].get(rprov[0], []))
        tap.check(n_left == 2, "last-certificate race: both certificates registered at the "
                  "end (each removal was undone)", "%d" % n_left)
        rm = sum(1 for a in audit if a["provider"] == rprov[0]
                 and a["action"] == "remove-policy-certificate")
        tap.check(rm == len(one), "last-certificate race: one audit entry per winning removal",
                  "%d entries, %d wins" % (rm, len(one)))
    return 1 if tap.fail else 0


def cmd_got(args):
    """got PLAN OUT PROV/TYPE... -- PROV...: what the server answers now:
    the hash of each policy (GET) and each provider's certificates."""
    plan_file, out = args[0], args[1]
    rest = args[2:]
    sep = rest.index("--") if "--" in rest else len(rest)
    with open(plan_file) as f:
        plan = json.load(f)
    c = Client(plan)
    res = {"policies": {}, "certs": {}}
    for pt in rest[:sep]:
        prov, typ = pt.split("/")
        pre = "" if prov == "default" else "/" + prov
        st, body = c.req("GET", "%s/policies/%s?%s" % (pre, typ, AV))
        if st != 200:
            raise SystemExit("GET %s: %d %s" % (pt, st, body[:200]))
        res["policies"][pt] = jws_hash(claims_of(body)["x-ms-policy"])
    for prov in rest[sep + 1:]:
        st, body = c.req("GET", "/%s/certificates?%s" % (prov, AV))
        if st != 200:
            raise SystemExit("GET %s certificates: %d" % (prov, st))
        keys = claims_of(body)["x-ms-policy-certificates"]["keys"]
        res["certs"][prov] = [hashlib.sha1(base64.b64decode(k["x5c"][0])).hexdigest().upper()
                              for k in keys]
    with open(out, "w") as f:
        json.dump(res, f)
    return 0


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "run":
        return cmd_run(*args)
    if cmd == "got":
        return cmd_got(args)
    if cmd == "check-crash":
        return cmd_check_crash(args)
    if cmd == "check-concurrent":
        return cmd_check_concurrent(args)
    if cmd == "hash":
        print(jws_hash(sys.stdin.read()))
        return 0
    raise SystemExit("usage: polload.py run|got|check-crash|check-concurrent ...")


if __name__ == "__main__":
    sys.exit(main())
