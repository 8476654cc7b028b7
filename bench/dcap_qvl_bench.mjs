// SPDX-License-Identifier: Apache-2.0
// Times N verifications of one quote with @phala/dcap-qvl (pure JS) after a
// warm-up; prints verifications per CPU second (and per wall second).
// Usage: node dcap_qvl_bench.mjs QUOTE BUNDLE.json RFC3339 [N]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.ATT_SRC_DIR || process.cwd(), "package.json"));
const qvl = require("@phala/dcap-qvl");
const [quotePath, bundlePath, at, nArg] = process.argv.slice(2);
const quote = readFileSync(quotePath);
const col = JSON.parse(readFileSync(bundlePath, "utf8"));
const now = Math.floor(Date.parse(at) / 1000);
const n = Number(nArg || 300);
let status = "";
for (let i = 0; i < 20; i++) status = qvl.verify(quote, col, now).status;
const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
for (let i = 0; i < n; i++) qvl.verify(quote, col, now);
const s = Number(process.hrtime.bigint() - t0) / 1e9;
const c = process.cpuUsage(c0), cpu = (c.user + c.system) / 1e6;
console.log(`dcap-qvl: ${n} verifications: ${(n / cpu).toFixed(1)}/s per CPU-s (${(n / s).toFixed(1)}/s wall) (${status})`);
