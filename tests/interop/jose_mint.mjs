// SPDX-License-Identifier: Apache-2.0
// Mint bearer tokens with jose for attestd's auth tests.
// usage: node jose_mint.mjs MODE DATA_DIR [ROLE]
//   valid   RS256 with the dev issuer's key (dev-issuer.key), dev iss/aud
//   ps256   the same key with PS256
//   rogue   a fresh RSA key signing under the dev issuer's kid
//   hs256   HS256 keyed with the dev issuer's public JWKS text
//   none    an unsecured JWT (alg "none") with valid claims
//   wrongaud / wrongiss / expired   valid signature, bad claim
import * as jose from "jose";
import { readFileSync } from "node:fs";

const [mode, dir, role = "Attestation.Reader"] = process.argv.slice(2);
const meta = JSON.parse(readFileSync(`${dir}/dev-issuer.json`, "utf8"));
const pem = readFileSync(`${dir}/dev-issuer.key`, "utf8");
const now = Math.floor(Date.now() / 1000);
let iss = meta.issuer, aud = meta.audience, exp = now + 600;
if (mode === "wrongaud") aud = "api://not-attest";
if (mode === "wrongiss") iss = "https://login.microsoftonline.com/x/v2.0";
if (mode === "expired") exp = now - 3600;
const claims = { roles: [role], sub: "jose-test" };
const build = () => new jose.SignJWT(claims).setIssuer(iss).setAudience(aud)
  .setIssuedAt(now).setNotBefore(now).setExpirationTime(exp);

let token;
if (mode === "none") {
  token = new jose.UnsecuredJWT(claims).setIssuer(iss).setAudience(aud)
    .setIssuedAt(now).setNotBefore(now).setExpirationTime(exp).encode();
} else if (mode === "hs256") {
  const secret = new TextEncoder().encode(readFileSync(`${dir}/dev-issuer.jwks`, "utf8"));
  token = await build().setProtectedHeader({ alg: "HS256", kid: meta.kid }).sign(secret);
} else if (mode === "rogue") {
  const { privateKey } = await jose.generateKeyPair("RS256");
  token = await build().setProtectedHeader({ alg: "RS256", kid: meta.kid }).sign(privateKey);
} else {
  const alg = mode === "ps256" ? "PS256" : "RS256";
  const key = await jose.importPKCS8(pem, alg);
  token = await build().setProtectedHeader({ alg, kid: meta.kid, typ: "JWT" }).sign(key);
}
process.stdout.write(token + "\n");
