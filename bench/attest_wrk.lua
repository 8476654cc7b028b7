-- SPDX-License-Identifier: Apache-2.0
-- wrk script for bench/attest_wrk.sh: POSTs one MAA SgxEnclave request
-- (a simulated DCAP quote with runtime data, as `attest sgx --request-only`
-- writes it) to /attest/SgxEnclave?api-version=2020-10-01 on every
-- keep-alive connection, counts answers that are not HTTP 200, and prints
-- one JSON line with throughput and latency percentiles at the end.
--
-- Environment:
--   ATTEST_BODY  path of the request body (JSON)
--   ATTEST_PATH  the request path (optional; bench/snp.sh:
--                /attest/SevSnpVm?api-version=2025-06-01)
--   ATTEST_RATE  requests per second for the whole run (optional): each
--                wrk thread spaces its requests 1/(rate/threads) apart
--                with wrk's delay() hook, an open-loop schedule that
--                emulates wrk2's --rate (wrk2 is not installed). Without
--                it wrk runs closed-loop, i.e. at saturation.
--   ATTEST_THREADS  the -t value given to wrk (for the rate split)
--   ATTEST_STOP_AFTER  stop each wrk thread after this many answers
--                (optional): a run of a fixed number of requests, for
--                attestd's CPU time per request.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } att_timespec;
int clock_gettime(int clk, att_timespec *ts);
int getpid(void);
int kill(int pid, int sig);
long syscall(long n, ...);
]]
local ts = ffi.new("att_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- wake_main ends wrk's main thread's sleep(duration) with SIGINT (wrk's
-- own handler, which also stops the other threads): tgkill to the main
-- thread (tid = pid) on x86-64, else a process-directed kill.
local function wake_main()
  local pid = ffi.C.getpid()
  if ffi.arch == "x64" then
    ffi.C.syscall(ffi.cast("long", 234), ffi.cast("long", pid),
                  ffi.cast("long", pid), ffi.cast("long", 2))
  else
    ffi.C.kill(pid, 2)
  end
end

local f = assert(io.open(os.getenv("ATTEST_BODY"), "rb"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.path = os.getenv("ATTEST_PATH") or "/attest/SgxEnclave?api-version=2020-10-01"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"

local threads = {}
local rate = tonumber(os.getenv("ATTEST_RATE") or "0")
local nthreads = tonumber(os.getenv("ATTEST_THREADS") or "1")
local interval = rate > 0 and (1000 * nthreads / rate) or 0
local next_slot = 0
local bad = 0
local answers = 0
local stop_after = tonumber(os.getenv("ATTEST_STOP_AFTER") or "0")

function setup(thread)
  table.insert(threads, thread)
end

function delay()
  if interval == 0 then
    return 0
  end
  local t = now_ms()
  if next_slot < t then
    next_slot = t
  end
  local wait = next_slot - t
  next_slot = next_slot + interval
  return math.floor(wait)
end

function response(status, headers, body)
  answers = answers + 1
  if stop_after > 0 and answers == stop_after then
    wrk.thread:stop()
    wake_main()
  end
  if status ~= 200 then
    bad = bad + 1
    if bad == 1 then
      io.stderr:write("non-200 answer " .. status .. ": " .. string.sub(body, 1, 300) .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local nbad = 0
  for _, t in ipairs(threads) do
    nbad = nbad + (t:get("bad") or 0)
  end
  local secs = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,"non200":%d,"socket_errors":%d}\n',
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, nbad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
