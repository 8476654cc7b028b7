// SPDX-License-Identifier: Apache-2.0
// Runs every DCAP case of testdata sgx/cases.json and tdx/cases.json through
// @phala/dcap-qvl (pure JS, node_modules) and prints one JSON line per case:
// {"id","verified","status","advisory_ids","error"}. PCS-format collateral
// files are converted to dcap-qvl's QuoteCollateralV3 shape: the signed
// body is the raw text of the inner object (sliced, not re-serialised),
// CRLs become hex DER, the TCB signing chain serves both documents.
// Usage: node dcap_qvl_diff.mjs args TESTDATA_DIR     (attest CLI arguments)
//        node dcap_qvl_diff.mjs qvl TESTDATA_DIR      (dcap-qvl results)
//        node dcap_qvl_diff.mjs compare TESTDATA_DIR OURS_DIR
// compare reads OURS_DIR/<id>.json (`attest quote verify --json`) and
// prints one line per case and "N passed, M failed".
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.ATT_SRC_DIR || process.cwd(), "package.json"));
const qvl = require("@phala/dcap-qvl");
const mode = process.argv[2];
const root = process.argv[3];

// Raw text span of the value of top-level member `key` (string-aware).
function memberSpan(text, key) {
  const want = JSON.stringify(key);
  let i = text.indexOf("{") + 1;
  for (;;) {
    while (/[\s,]/.test(text[i])) i++;
    if (text[i] !== '"') throw new Error(`${key} not found`);
    const ks = i;
    i = skipString(text, i);
    const k = text.slice(ks, i);
    while (/[\s:]/.test(text[i])) i++;
    const vs = i, ve = skipValue(text, i);
    if (k === want) return text.slice(vs, ve);
    i = ve;
  }
}
function skipString(t, i) {
  for (i++; i < t.length; i++) {
    if (t[i] === "\\") { i++; continue; }
    if (t[i] === '"') return i + 1;
  }
  throw new Error("unterminated string");
}
function skipValue(t, i) {
  if (t[i] === '"') return skipString(t, i);
  if (t[i] !== "{" && t[i] !== "[") { while (!/[\s,}\]]/.test(t[i])) i++; return i; }
  let depth = 0;
  for (; i < t.length; i++) {
    if (t[i] === '"') { i = skipString(t, i) - 1; continue; }
    if (t[i] === "{" || t[i] === "[") depth++;
    if ((t[i] === "}" || t[i] === "]") && --depth === 0) return i + 1;
  }
  throw new Error("unbalanced");
}

function crlHex(buf) {
  const s = buf.toString("latin1");
  if (s.includes("-----BEGIN X509 CRL-----")) {
    const b64 = s.split("-----BEGIN X509 CRL-----")[1].split("-----END")[0].replace(/\s/g, "");
    return Buffer.from(b64, "base64").toString("hex");
  }
  if (/^[0-9a-fA-F\s]+$/.test(s)) return s.replace(/\s/g, "").toLowerCase();
  return buf.toString("hex");
}

export function collateralFor(c) {
  const p = (rel) => path.join(root, rel);
  if (c.bundle) return JSON.parse(readFileSync(p(c.bundle), "utf8"));
  const ti = readFileSync(p(c.tcb_info), "utf8");
  const qe = readFileSync(p(c.qe_identity), "utf8");
  const chain = readFileSync(p(c.tcb_chain), "utf8");
  return {
    pck_crl_issuer_chain: chain,
    root_ca_crl: crlHex(readFileSync(p(c.root_crl))),
    pck_crl: crlHex(readFileSync(p(c.pck_crl))),
    tcb_info_issuer_chain: chain,
    tcb_info: memberSpan(ti, "tcbInfo"),
    tcb_info_signature: JSON.parse(ti).signature,
    qe_identity_issuer_chain: chain,
    qe_identity: memberSpan(qe, "enclaveIdentity"),
    qe_identity_signature: JSON.parse(qe).signature,
  };
}

export function quoteFor(c) {
  const raw = readFileSync(path.join(root, c.quote));
  if (c.enc === "hex") return Buffer.from(raw.toString("latin1").replace(/\s/g, ""), "hex");
  return raw;
}

export function verifyCase(c, q, col) {
  const now = Math.floor(Date.parse(c.verify_at) / 1000);
  try {
    const r = qvl.verify(q, col, now);
    return { id: c.id, verified: true, status: r.status, advisory_ids: [...r.advisory_ids].sort(), error: null };
  } catch (e) {
    const msg = e instanceof Error ? e.message + (e.cause ? `: ${e.cause.message}` : "") : String(e);
    return { id: c.id, verified: false, status: null, advisory_ids: [], error: msg };
  }
}


// Known, documented divergences (listed below with the reason of each,
// Intel QVL being the reference): for these cases
// dcap-qvl must give exactly `qvl` (a status or an error substring);
// anything else is reported as a failure.
const DIVERGENCES = {
  sgx_automata_v3_tcbinfo_v2: { unsupported: true, qvl: { error: "Failed to decode TcbInfo" },
    why: "dcap-qvl cannot parse TCB Info v2 (flat sgxtcbcompNNsvn)" },
  tdx_cos113_dcaprs: { qvl: { status: "OutOfDate" },
    why: "dcap-qvl compares all 16 TEE_TCB_SVN bytes; QVL skips bytes 0-1 when TEE_TCB_SVN[1] != 0 and rates the module via TDX_01" },
  tdx_cos113_automata1025: { qvl: { status: "OutOfDate" },
    why: "same TEE_TCB_SVN index rule as tdx_cos113_dcaprs" },
  tdx_azure_td_quote: { qvl: { error: "No matching TCB level found" },
    why: "same TEE_TCB_SVN index rule: with all 16 bytes compared no level matches; QVL gives OutOfDate (module TDX_01 OutOfDate)" },
  tdx_gotdx_spr_e4: { qvl: { error: "No matching TCB level found" },
    ours: "39 bytes after its signature data at offset 4935 are not zero padding",
    why: "attestd accepts only zero padding after the signature data; go-tdx-guest appended 39 ASCII bytes to this sample (docs/dcap-verifier.md)" },
};

function cases() {
  const out = [];
  for (const f of ["sgx/cases.json", "tdx/cases.json"])
    out.push(...JSON.parse(readFileSync(path.join(root, f), "utf8")).cases);
  return out;
}

function runQvl(c) {
  try { return verifyCase(c, quoteFor(c), collateralFor(c)); }
  catch (e) { return { id: c.id, verified: false, status: null, advisory_ids: [], error: "harness: " + e.message }; }
}

function cliArgs(c) {
  const p = (rel) => path.join(root, rel);
  const a = [p(c.quote), "--at", c.verify_at, "--json"];
  if (c.bundle) a.push("--collateral", p(c.bundle));
  else a.push("--tcb-info", p(c.tcb_info), "--qe-identity", p(c.qe_identity), "--tcb-chain", p(c.tcb_chain),
              "--pck-crl", p(c.pck_crl), "--root-crl", p(c.root_crl));
  // Collateral whose windows do not overlap at verify_at (stale PCK CRL):
  // dcap-qvl's JS does not enforce CRL windows, QvE only flags them, so
  // we compare in QvE mode and report the flag.
  if (c.verify_at_inside_window === false) a.push("--allow-expired-collateral");
  return a;
}

function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

function compareOne(c, oursDir) {
  const q = runQvl(c);
  let o;
  try { o = JSON.parse(readFileSync(path.join(oursDir, c.id + ".json"), "utf8")); }
  catch (e) { return [false, `ours: no JSON output (${e.message})`]; }
  const oursAdv = [...(o.advisory_ids || [])].sort();
  const oursDesc = o.verified ? `verified ${o.tcb_status} [${oursAdv}]` : `rejected (${o.error})`;
  const qvlDesc = q.verified ? `verified ${q.status} [${q.advisory_ids}]` : `rejected (${q.error})`;
  const flag = o.collateral_expired ? ` (ours: collateral expired flag: ${o.collateral_expired_reason})` : "";
  const dv = DIVERGENCES[c.id];
  if (dv) {
    const hit = (dv.qvl.status ? q.verified && q.status === dv.qvl.status
                               : !q.verified && q.error.includes(dv.qvl.error)) &&
                (!dv.ours || oursDesc.includes(dv.ours));
    const tag = dv.unsupported ? "unsupported by dcap-qvl" : "expected difference";
    return hit ? [true, `${tag}: ours ${oursDesc}; dcap-qvl ${qvlDesc} -- ${dv.why}`]
               : [false, `divergence changed: ours ${oursDesc}; dcap-qvl ${qvlDesc}; expected dcap-qvl ${JSON.stringify(dv.qvl)}${dv.ours ? ` and ours "${dv.ours}"` : ""}`];
  }
  if (o.verified !== q.verified)
    return [false, `verdict differs: ours ${oursDesc}; dcap-qvl ${qvlDesc}`];
  if (!o.verified) {
    // both reject: the reason must be the same kind (TCB level not found)
    const bothNoLevel = /TCB level not found/.test(o.error) && /No matching TCB level/.test(q.error);
    return bothNoLevel ? [true, `both reject: ours "${o.error.slice(0, 60)}..."; dcap-qvl "${q.error}"`]
                       : [false, `both reject for different reasons: ours ${oursDesc}; dcap-qvl ${qvlDesc}`];
  }
  if (o.tcb_status !== q.status || !same(oursAdv, q.advisory_ids))
    return [false, `status differs: ours ${oursDesc}; dcap-qvl ${qvlDesc}`];
  return [true, `agree: ${oursDesc}${flag}`];
}

if (mode === "args") {
  for (const c of cases()) console.log([c.id, ...cliArgs(c)].join("\t"));
} else if (mode === "qvl") {
  for (const c of cases()) console.log(JSON.stringify(runQvl(c)));
} else if (mode === "compare") {
  let pass = 0, fail = 0;
  for (const c of cases()) {
    const [ok, msg] = compareOne(c, process.argv[4]);
    console.log(`${ok ? "ok  " : "FAIL"} ${c.id}: ${msg}`);
    ok ? pass++ : fail++;
  }
  console.log(`${pass} passed, ${fail} failed`);
  process.exit(fail ? 1 : 0);
}
