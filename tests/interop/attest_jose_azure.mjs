// SPDX-License-Identifier: Apache-2.0
// Microsoft's own MAA client, @azure/attestation 1.0.0, against attestd:
// attestSgxEnclave and attestOpenEnclave with binary and JSON runtime data
// and a draft policy, the SDK validating every token against /certs
// itself (signature by kid, exp, nbf, issuer); each token is then checked
// again with jose (createRemoteJWKSet + jwtVerify).
// usage: node attest_jose_azure.mjs BASE QUOTE_FILE OE_REPORT_FILE RUNTIME_BIN RUNTIME_JSON
//   QUOTE_FILE's report data is SHA-256(RUNTIME_BIN), OE_REPORT_FILE's is
//   SHA-256(RUNTIME_JSON). TLS trust: NODE_EXTRA_CA_CERTS.
// Prints one JSON line per check {"name", "ok", ...}.
import { AttestationClient } from "@azure/attestation";
import * as jose from "jose";
import { readFileSync } from "node:fs";

const [base, quoteFile, oeFile, rtBinFile, rtJsonFile] = process.argv.slice(2);
if (!rtJsonFile) {
  console.error("usage: node attest_jose_azure.mjs BASE QUOTE OE_REPORT RT_BIN RT_JSON");
  process.exit(2);
}
const quote = readFileSync(quoteFile);
const report = readFileSync(oeFile);
const rtBin = readFileSync(rtBinFile);
const rtJson = readFileSync(rtJsonFile);
const validationOptions = {
  validateToken: true, validateExpirationTime: true, validateNotBeforeTime: true,
  validateIssuer: true, expectedIssuer: base, timeValidationSlack: 5,
};
const client = new AttestationClient(base, { validationOptions });
const JWKS = jose.createRemoteJWKSet(new URL(base + "/certs"));

async function joseOk(token) {
  try {
    await jose.jwtVerify(token, JWKS, { issuer: base, algorithms: ["RS256", "PS256", "ES256"] });
    return true;
  } catch (e) {
    return e.code || String(e);
  }
}

function out(name, o) { console.log(JSON.stringify({ name, ...o })); }

async function run(name, fn) {
  try {
    const r = await fn();
    const b = r.body;
    out(name, {
      ok: true, jose: await joseOk(r.token.serialize()), alg: r.token.algorithm,
      verifierType: b.verifierType, mrEnclave: b.mrEnclave, mrSigner: b.mrSigner,
      productId: b.productId, svn: b.svn, isDebuggable: b.isDebuggable,
      ehd: b.enclaveHeldData ? Buffer.from(b.enclaveHeldData).toString("hex") : null,
      runTimeClaims: b.runTimeClaims ?? null, policyClaims: b.policyClaims ?? null,
      policyHashLen: b.policyHash ? b.policyHash.length : 0, issuer: b.issuer,
      quotehash: b.sgxCollateral ? b.sgxCollateral.quoteHash ?? b.sgxCollateral.quotehash : null,
    });
  } catch (e) {
    out(name, { ok: false, code: e.code ?? null, status: e.statusCode ?? null, message: String(e.message ?? e) });
  }
}

await run("sgx-binary", () => client.attestSgxEnclave(quote, { runTimeData: rtBin }));
await run("oe-json", () => client.attestOpenEnclave(report, { runTimeJson: rtJson }));
await run("sgx-draft", () => client.attestSgxEnclave(quote, {
  runTimeData: rtBin,
  draftPolicyForAttestation:
    'version=1.0; authorizationrules{=> permit();}; issuancerules{c:[type=="x-ms-sgx-svn"] => issue(type="draft-svn", value=c.value);};',
}));
await run("sgx-mismatch", () => client.attestSgxEnclave(quote, { runTimeData: rtJson }));
