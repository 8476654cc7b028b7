#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Crash safety of policy writes on PostgreSQL (issue 13): crash_writes.sh
# with ATT_TEST_STORE=pg, on a throw-away PostgreSQL (tests/harness/pg.sh)
# that the test starts and removes. attestd serves on --store URL; the
# isolated provider is made by `attestd provider add --data-dir DIR
# --store URL` (rows in PostgreSQL, signing key wrapped with DIR's master
# key). Each round kills attestd with SIGKILL while policy PUTs (three
# types) and certificate adds and removes are in flight, then checks:
# PostgreSQL ended every session of the killed process; every write
# answered 200 is there after the restart (GET and the rows), the one in
# flight either whole or absent; each policy row's hash is SHA-256 of its
# JWS; exactly one audit entry per answered change (the in-flight one:
# exactly when it was applied) and the per-type audit chain unbroken.
exec bash "$(dirname "$0")/crash_writes.sh" pg
