-- SPDX-License-Identifier: Apache-2.0
-- wrk script of tests/integration/cluster_faults.sh and bench/cluster.sh:
-- POSTs one MAA SgxEnclave request (as `attest sgx --request-only` writes
-- it) on every keep-alive connection, counts the answers by HTTP status,
-- optionally keeps every 200 body (one per line, in
-- ATTEST_SAVE_PREFIX<thread>) so that each token can be verified
-- afterwards, and every other answer as "STATUS BODY" lines (in
-- ATTEST_SAVE_PREFIXx<thread>), and prints one JSON line at the end.
--
-- Environment: ATTEST_BODY (request body file), ATTEST_SAVE_PREFIX
-- (optional), ATTEST_PATH (optional request path).
local f = assert(io.open(os.getenv("ATTEST_BODY"), "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.path = os.getenv("ATTEST_PATH") or "/attest/SgxEnclave?api-version=2020-10-01"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"

local threads = {}
local nthreads = 0

function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
  table.insert(threads, thread)
end

-- per thread; counts is a global so that done() can read it with
-- thread:get (wrk copies globals between its Lua states)
counts = {}
local out = nil
local other = nil
local prefix = os.getenv("ATTEST_SAVE_PREFIX")

function response(status, headers, rbody)
  local k = tostring(status)
  counts[k] = (counts[k] or 0) + 1
  if not prefix then
    return
  end
  if status == 200 then
    if not out then
      out = assert(io.open(prefix .. tostring(tid), "wb"))
    end
    out:write(rbody, "\n")
    out:flush()
  else
    if not other then
      other = assert(io.open(prefix .. "x" .. tostring(tid), "wb"))
    end
    other:write(k, " ", (string.gsub(rbody, "\n", " ")), "\n")
    other:flush()
  end
end

function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts") or {}
    for k, v in pairs(c) do
      all[k] = (all[k] or 0) + v
    end
  end
  local parts = {}
  local answered, ok = 0, 0
  for k, v in pairs(all) do
    table.insert(parts, string.format('"%s":%d', k, v))
    answered = answered + v
    if k == "200" then ok = v end
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"answered":%d,"ok":%d,"non200":%d,"seconds":%.3f,"rps":%.1f,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,' ..
    '"p50_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"status":{%s}}\n',
    summary.requests, answered, ok, answered - ok, secs, ok / secs,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, table.concat(parts, ",")))
end
