// SPDX-License-Identifier: Apache-2.0
// Verify a JWT with the npm package jose against a remote JWKS, the way a
// relying party would: createRemoteJWKSet(jwks_uri) + jwtVerify with the
// issuer checked, RS256/PS256/ES256 allowed, exp and iss required.
// TLS trust comes from NODE_EXTRA_CA_CERTS (the dev tls.crt).
// usage: node jose_verify.mjs JWKS_URL ISSUER TOKEN
// Prints {"ok":true,...} and exits 0, or {"ok":false,"code":...} and 1.
import * as jose from "jose";

const [jwksUrl, issuer, token] = process.argv.slice(2);
if (!jwksUrl || !issuer || !token) {
  console.error("usage: node jose_verify.mjs JWKS_URL ISSUER TOKEN");
  process.exit(2);
}
const JWKS = jose.createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 5000 });
try {
  const { payload, protectedHeader } = await jose.jwtVerify(token, JWKS, {
    issuer,
    algorithms: ["RS256", "PS256", "ES256"],
    requiredClaims: ["exp", "iss"],
    clockTolerance: 5,
  });
  console.log(JSON.stringify({ ok: true, alg: protectedHeader.alg, kid: protectedHeader.kid,
    iss: payload.iss, devMode: payload["x-attestd-dev-mode"] === true,
    hasPolicy: typeof payload["x-ms-policy"] === "string" }));
  process.exit(0);
} catch (e) {
  console.log(JSON.stringify({ ok: false, code: e.code || String(e), message: e.message }));
  process.exit(1);
}
