// SPDX-License-Identifier: Apache-2.0
// Verify SevSnpVm tokens with the npm package jose the way a relying party
// does: createRemoteJWKSet(<issuer>/certs) + jwtVerify with the issuer
// checked, RS256/PS256/ES256 allowed, exp/iat/iss required. TLS trust
// comes from NODE_EXTRA_CA_CERTS (the dev tls.crt).
// usage: node attest_snp_jose.mjs ISSUER FILE
//   FILE: one "NAME TOKEN" per line. Prints one JSON line per token:
//   {"name", "ok", "alg", "type", "lifetime", "snpTypes": {claim: type}}
//   where type is "integer", "string", "boolean", ... as a JSON reader
//   sees it, or {"name", "ok": false, "code"}.
import * as jose from "jose";
import { readFileSync } from "node:fs";

const [issuer, file] = process.argv.slice(2);
if (!issuer || !file) {
  console.error("usage: node attest_snp_jose.mjs ISSUER FILE");
  process.exit(2);
}
const typeOf = (v) =>
  Number.isInteger(v) ? "integer" : Array.isArray(v) ? "array" : v === null ? "null" : typeof v;
const JWKS = jose.createRemoteJWKSet(new URL(issuer + "/certs"), { timeoutDuration: 5000 });
for (const line of readFileSync(file, "utf8").split("\n")) {
  const [name, token] = line.trim().split(/\s+/);
  if (!name || !token) continue;
  try {
    const { payload, protectedHeader } = await jose.jwtVerify(token, JWKS, {
      issuer,
      algorithms: ["RS256", "PS256", "ES256"],
      requiredClaims: ["exp", "iat", "iss"],
      clockTolerance: 5,
    });
    const snpTypes = {};
    for (const [k, v] of Object.entries(payload))
      if (k.startsWith("x-ms-sevsnpvm-")) snpTypes[k] = typeOf(v);
    console.log(JSON.stringify({ name, ok: true, alg: protectedHeader.alg,
      type: payload["x-ms-attestation-type"], lifetime: payload.exp - payload.iat,
      measurement: payload["x-ms-sevsnpvm-launchmeasurement"], snpTypes }));
  } catch (e) {
    console.log(JSON.stringify({ name, ok: false, code: e.code || String(e) }));
  }
}
