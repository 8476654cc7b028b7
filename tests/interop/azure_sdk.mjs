// SPDX-License-Identifier: Apache-2.0
// Microsoft's own MAA client, @azure/attestation 1.0.0, against attestd:
// every call of AttestationClient and AttestationAdministrationClient,
// with the SDK's token validation ON (signature against /certs, exp, nbf,
// issuer = the provider's base URL) plus a strict hook that requires the
// signer to be one of the provider's /certs keys (the SDK alone would
// accept a token self-signed through its header x5c). Every signed token
// attestd returns is also verified with jose through <issuer>/certs.
// Bearer tokens come from a TokenCredential that runs `attest dev-token`.
// SDK quirk (@azure/attestation 1.0.0): new AttestationClient(ep,
// credential, options) drops options, so the credentialed client gets
// validationOptions on every call; an anonymous client is also built with
// them in its constructor. TLS trust: NODE_EXTRA_CA_CERTS.
// usage: node azure_sdk.mjs CONFIG.json   (written by azure_sdk.sh)
// Prints "ok - ..." / "not ok - ..." lines and "N passed, M failed".
import {
  AttestationClient,
  AttestationAdministrationClient,
  createAttestationPolicyToken,
  KnownAttestationType,
} from "@azure/attestation";
import * as jose from "jose";
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";

const cfg = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const read = (p) => fs.readFileSync(p);
const readText = (p) => fs.readFileSync(p, "utf8");
const SGX = KnownAttestationType.SgxEnclave;
const OE = KnownAttestationType.OpenEnclave;

let passed = 0;
let failed = 0;
const ok = (name) => { passed++; console.log(`ok - ${name}`); };
const notOk = (name, why) => { failed++; console.log(`not ok - ${name}: ${why}`); };
const check = (name, cond, why = "") => (cond ? ok(name) : notOk(name, why || "condition false"));
const eq = (name, got, want) =>
  check(name, got === want, `got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);

// ---- bearer credential: `attest dev-token` ----
let tokenCalls = 0;
const credential = {
  getToken: async () => {
    tokenCalls++;
    const token = execFileSync(cfg.attest, ["dev-token", "--data-dir", cfg.dataDir,
      "--role", "contributor", "--ttl", "900"]).toString().trim();
    return { token, expiresOnTimestamp: Date.now() + 600_000 };
  },
};

// ---- validation: SDK checks ON + strict signer hook; tokens collected ----
const issued = []; // {call, issuer, token}
let current = "";
let hookCalls = 0;
const jwksCerts = {}; // issuer -> Set of /certs x5c[0]

async function loadJwks(issuer) {
  const r = await fetch(`${issuer}/certs`);
  const j = await r.json();
  jwksCerts[issuer] = new Set(j.keys.map((k) => k.x5c[0]));
}

const pemBody = (pem) => pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");

function vopts(issuer, { requireSigner = true } = {}) {
  return {
    validateToken: true,
    validateExpirationTime: true,
    validateNotBeforeTime: true,
    validateIssuer: true,
    expectedIssuer: issuer,
    timeValidationSlack: 5,
    validateAttestationToken: (token, signer) => {
      hookCalls++;
      issued.push({ call: current, issuer, token: token.serialize(), alg: token.algorithm });
      if (!requireSigner) return undefined;
      if (!signer || !signer.certificates?.length) return ["token has no signer from /certs"];
      if (!jwksCerts[issuer]?.has(pemBody(signer.certificates[0])))
        return ["token signer is not one of the provider's /certs keys"];
      return undefined;
    },
  };
}

// run: one SDK call; fn returns nothing or throws. Requires the hook to
// have run when tokenExpected.
async function run(name, fn, { tokenExpected = true } = {}) {
  current = name;
  hookCalls = 0;
  try {
    await fn();
    if (tokenExpected) check(`${name}: SDK token validation ran`, hookCalls > 0);
  } catch (e) {
    notOk(name, `${e.code ?? ""} ${e.statusCode ?? ""} ${e.message ?? e}`.trim());
  }
}

// expectError: the call must fail with the given RestError code.
async function expectError(name, fn, code) {
  current = name;
  try {
    await fn();
    notOk(name, "call succeeded");
  } catch (e) {
    eq(name, e.code ?? String(e), code);
  }
}

const sha256 = (b) => crypto.createHash("sha256").update(b).digest();
const thumb = (pem) => new crypto.X509Certificate(pem).fingerprint.replace(/:/g, "").toUpperCase();
const oeWrap = (q) => {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(1, 0);
  h.writeUInt32LE(2, 4);
  h.writeBigUInt64LE(BigInt(q.length), 8);
  return Buffer.concat([h, q]);
};

const base = cfg.base;
const iso = cfg.iso;
await loadJwks(base);
await loadJwks(iso);
const k = cfg.keys; // {s1:{key,cert}, s2:{...}, e1:{...}} PEM paths
const pem = (n) => ({ privateKey: readText(k[n].key), certificate: readText(k[n].cert) });

// ================= AttestationClient =================
const client = new AttestationClient(base, credential); // options would be dropped (SDK bug)
const anon = new AttestationClient(base, { validationOptions: vopts(base) });
const rtBin = read(cfg.runtimeBin);
const rtJson = read(cfg.runtimeJson);
const quoteBin = read(cfg.quoteBin);
const quoteJson = read(cfg.quoteJson);

await run("getOpenIdMetadata", async () => {
  const md = await client.getOpenIdMetadata({ validationOptions: vopts(base) });
  eq("getOpenIdMetadata: issuer is the endpoint", md.issuer, base);
  eq("getOpenIdMetadata: jwks_uri", md.jwks_uri, `${base}/certs`);
}, { tokenExpected: false });

await run("getAttestationSigners", async () => {
  const signers = await client.getAttestationSigners({ validationOptions: vopts(base) });
  check("getAttestationSigners: at least one signer", signers.length >= 1);
  check("getAttestationSigners: every signer has a keyId and a PEM certificate",
    signers.every((s) => s.keyId && s.certificates[0].includes("BEGIN CERTIFICATE")));
  check("getAttestationSigners: the same certificates as /certs",
    signers.every((s) => jwksCerts[base].has(pemBody(s.certificates[0]))));
}, { tokenExpected: false });

await run("attestSgxEnclave (Binary runtime data)", async () => {
  const r = await client.attestSgxEnclave(quoteBin,
    { runTimeData: rtBin, validationOptions: vopts(base) });
  const b = r.body;
  eq("attestSgxEnclave: issuer", b.issuer, base);
  eq("attestSgxEnclave: verifierType sgx", b.verifierType, "sgx");
  check("attestSgxEnclave: mrEnclave is 64 hex chars", /^[0-9a-f]{64}$/.test(b.mrEnclave ?? ""));
  check("attestSgxEnclave: enclaveHeldData = the runtime data",
    Buffer.from(b.enclaveHeldData ?? []).equals(rtBin));
  eq("attestSgxEnclave: policyHash is 32 bytes", b.policyHash?.length, 32);
  eq("attestSgxEnclave: not debuggable", b.isDebuggable, false);
});

await run("attestSgxEnclave (JSON runtime data)", async () => {
  const r = await client.attestSgxEnclave(quoteJson,
    { runTimeJson: rtJson, validationOptions: vopts(base) });
  check("attestSgxEnclave JSON: runTimeClaims = the runtime JSON",
    JSON.stringify(r.body.runTimeClaims) === JSON.stringify(JSON.parse(rtJson.toString())),
    `got ${JSON.stringify(r.body.runTimeClaims)}`);
});

await run("attestSgxEnclave (anonymous client, constructor validationOptions)", async () => {
  const r = await anon.attestSgxEnclave(quoteBin, { runTimeData: rtBin });
  eq("anonymous attestSgxEnclave: issuer", r.body.issuer, base);
});

const draft = 'version=1.0; authorizationrules { => permit(); }; issuancerules { => issue(type="draft", value="yes"); };';
await run("attestSgxEnclave (draft policy)", async () => {
  const r = await client.attestSgxEnclave(quoteBin, {
    runTimeData: rtBin, draftPolicyForAttestation: draft,
    validationOptions: vopts(base, { requireSigner: false }),
  });
  eq("draft policy: the token is unsigned, as MAA's", r.token.algorithm, "none");
  const claims = r.body.policyClaims ?? {};
  check("draft policy: the draft's claim is issued",
    claims.draft === "yes" || r.token.getBody()?.draft === "yes",
    JSON.stringify(claims));
});

await run("attestOpenEnclave", async () => {
  const r = await client.attestOpenEnclave(oeWrap(quoteBin),
    { runTimeData: rtBin, validationOptions: vopts(base) });
  eq("attestOpenEnclave: issuer", r.body.issuer, base);
  check("attestOpenEnclave: enclaveHeldData = the runtime data",
    Buffer.from(r.body.enclaveHeldData ?? []).equals(rtBin));
});

current = "wrong expectedIssuer";
try {
  await client.attestSgxEnclave(quoteBin, { runTimeData: rtBin,
    validationOptions: { ...vopts(base), expectedIssuer: `${base}/other` } });
  notOk("validation is really on: a wrong expectedIssuer is refused", "call succeeded");
} catch (e) {
  check("validation is really on: a wrong expectedIssuer is refused",
    String(e.message ?? e).includes(`Found issuer: ${base}; expected issuer: ${base}/other`), String(e));
}

await expectError("attestSgxEnclave with runtime data not matching the quote", async () => {
  await client.attestSgxEnclave(quoteBin, { runTimeData: rtJson, validationOptions: vopts(base) });
}, "InvalidParameter");

// ================= AttestationAdministrationClient, aad =================
const admin = new AttestationAdministrationClient(base, credential,
  { validationOptions: vopts(base) });
const policyText = `version=1.0;
authorizationrules { c:[type=="x-ms-sgx-is-debuggable", value==false] => permit(); };
issuancerules { => issue(type="sdk-test", value="aad"); };
`;
let defaultText = "";

await run("getPolicy (default)", async () => {
  const r = await admin.getPolicy(SGX);
  defaultText = r.body;
  check("getPolicy: the default policy text", typeof r.body === "string" && r.body.includes("version="));
});

await run("setPolicy (unsigned, aad)", async () => {
  const r = await admin.setPolicy(SGX, policyText);
  eq("setPolicy: Updated", r.body.policyResolution, "Updated");
  const want = sha256(createAttestationPolicyToken(policyText).serialize());
  check("setPolicy: policyTokenHash = SHA-256 of the JWS sent",
    Buffer.from(r.body.policyTokenHash).equals(want));
  eq("setPolicy unsigned: no policySigner", r.body.policySigner, undefined);
});

await run("getPolicy (after setPolicy)", async () => {
  const r = await admin.getPolicy(SGX);
  eq("getPolicy: identical text after setPolicy", r.body, policyText);
});

await run("attestSgxEnclave under the new policy", async () => {
  const r = await client.attestSgxEnclave(quoteBin, { runTimeData: rtBin, validationOptions: vopts(base) });
  const c = r.body.policyClaims ?? {};
  check("attest after setPolicy: the new policy's claim", c["sdk-test"] === "aad" ||
    r.token.getBody()?.["sdk-test"] === "aad", JSON.stringify(c));
});

await run("setPolicy (signed RSA, aad)", async () => {
  const r = await admin.setPolicy(SGX, policyText, pem("s2"));
  eq("setPolicy signed: Updated", r.body.policyResolution, "Updated");
  const want = sha256(createAttestationPolicyToken(policyText, pem("s2").privateKey,
    pem("s2").certificate).serialize());
  check("setPolicy signed: policyTokenHash (RS256 is deterministic)",
    Buffer.from(r.body.policyTokenHash).equals(want));
  check("setPolicy signed: policySigner is the signing certificate",
    pemBody(r.body.policySigner?.certificates?.[0] ?? "") === pemBody(pem("s2").certificate));
});

await run("setPolicy (signed EC, aad)", async () => {
  const r = await admin.setPolicy(SGX, policyText, pem("e1"));
  check("setPolicy ES256: policySigner is the EC certificate",
    pemBody(r.body.policySigner?.certificates?.[0] ?? "") === pemBody(pem("e1").certificate));
});

await run("resetPolicy (aad)", async () => {
  const r = await admin.resetPolicy(SGX);
  eq("resetPolicy: Removed", r.body.policyResolution, "Removed");
});

await run("getPolicy (after resetPolicy)", async () => {
  const r = await admin.getPolicy(SGX);
  eq("getPolicy after reset: the default again", r.body, defaultText);
});

await run("getPolicyManagementCertificates (aad)", async () => {
  const r = await admin.getPolicyManagementCertificates();
  eq("aad: no policy management certificates", r.body.length, 0);
});

// ================= AttestationAdministrationClient, isolated =================
const isoAdmin = new AttestationAdministrationClient(iso, credential,
  { validationOptions: vopts(iso) });
const isoClient = new AttestationClient(iso, { validationOptions: vopts(iso) });
const isoText = policyText.replace('"aad"', '"isolated"');

await expectError("isolated: unsigned setPolicy refused",
  () => isoAdmin.setPolicy(SGX, isoText), "InvalidOperation");
await run("setPolicy (isolated, signed by the registered certificate)", async () => {
  const r = await isoAdmin.setPolicy(SGX, isoText, pem("s1"));
  eq("isolated setPolicy: Updated", r.body.policyResolution, "Updated");
  check("isolated setPolicy: policySigner = s1",
    pemBody(r.body.policySigner?.certificates?.[0] ?? "") === pemBody(pem("s1").certificate));
});
await run("getPolicy (isolated)", async () => {
  const r = await isoAdmin.getPolicy(SGX);
  eq("isolated getPolicy: identical text", r.body, isoText);
});
await run("attestSgxEnclave (isolated, signed policy)", async () => {
  const r = await isoClient.attestSgxEnclave(quoteBin, { runTimeData: rtBin });
  eq("isolated attest: issuer", r.body.issuer, iso);
  check("isolated attest: policySigner = s1",
    pemBody(r.body.policySigner?.certificates?.[0] ?? "") === pemBody(pem("s1").certificate),
    JSON.stringify(r.body.policySigner));
});
await expectError("isolated: setPolicy signed by an unregistered certificate refused",
  () => isoAdmin.setPolicy(SGX, isoText, pem("s2")), "InvalidOperation");
await expectError("isolated: unsigned resetPolicy refused",
  () => isoAdmin.resetPolicy(OE), "InvalidOperation");
await run("getPolicyManagementCertificates (isolated)", async () => {
  const r = await isoAdmin.getPolicyManagementCertificates();
  eq("isolated: one certificate", r.body.length, 1);
  check("isolated: it is s1", pemBody(r.body[0]?.certificates?.[0] ?? "") === pemBody(pem("s1").certificate));
});
await run("addPolicyManagementCertificate", async () => {
  const r = await isoAdmin.addPolicyManagementCertificate(pem("s2").certificate,
    pem("s1").privateKey, pem("s1").certificate);
  eq("add: IsPresent", r.body.certificateResolution, "IsPresent");
  eq("add: thumbprint = upper-case SHA-1 of s2", r.body.certificateThumbprint, thumb(pem("s2").certificate));
});
await run("getPolicyManagementCertificates (after add)", async () => {
  const r = await isoAdmin.getPolicyManagementCertificates();
  eq("after add: two certificates", r.body.length, 2);
});
await run("setPolicy (isolated, signed by the added certificate)", async () => {
  const r = await isoAdmin.setPolicy(OE, isoText, pem("s2"));
  eq("isolated setPolicy by s2: Updated", r.body.policyResolution, "Updated");
});
await run("resetPolicy (isolated, signed)", async () => {
  const r = await isoAdmin.resetPolicy(SGX, pem("s1"));
  eq("isolated resetPolicy: Removed", r.body.policyResolution, "Removed");
});
await run("removePolicyManagementCertificate", async () => {
  const r = await isoAdmin.removePolicyManagementCertificate(pem("s1").certificate,
    pem("s2").privateKey, pem("s2").certificate);
  eq("remove: IsAbsent", r.body.certificateResolution, "IsAbsent");
  eq("remove: thumbprint of s1", r.body.certificateThumbprint, thumb(pem("s1").certificate));
});
await expectError("the last certificate cannot be removed",
  () => isoAdmin.removePolicyManagementCertificate(pem("s2").certificate,
    pem("s2").privateKey, pem("s2").certificate), "InvalidOperation");
await expectError("removed s1 cannot sign any more",
  () => isoAdmin.setPolicy(SGX, isoText, pem("s1")), "InvalidOperation");

check("the credential was used (getToken called)", tokenCalls > 0);

// ================= jose: every signed token through /certs =================
const jwks = {};
let signedCount = 0;
for (const t of issued) {
  if (t.alg === "none") {
    eq(`jose: ${t.call}: unsigned (draft) token is not offered to jose`, t.call.includes("draft"), true);
    continue;
  }
  signedCount++;
  jwks[t.issuer] ??= jose.createRemoteJWKSet(new URL(`${t.issuer}/certs`), { timeoutDuration: 5000 });
  try {
    await jose.jwtVerify(t.token, jwks[t.issuer], { issuer: t.issuer,
      algorithms: ["RS256", "PS256", "ES256"], requiredClaims: ["exp", "iss"], clockTolerance: 5 });
    ok(`jose verifies the token of ${t.call}`);
  } catch (e) {
    notOk(`jose verifies the token of ${t.call}`, e.code ?? e.message);
  }
}
check("jose checked at least 20 signed tokens", signedCount >= 20, `only ${signedCount}`);

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
