#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# with_pg.sh CMD [ARGS...]: run CMD against a throw-away PostgreSQL
# (tests/harness/pg.sh) with ATT_TEST_PG_URL, ATT_TEST_PG_PWURL and
# ATT_TEST_PG_PWFILE set, then stop and remove it. Exits with CMD's status;
# when PostgreSQL cannot be started, fails (exit 1) and says why.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/pg.sh"
dir=$(mktemp -d /tmp/att-pg-XXXXXX) || exit 1
trap att_pg_cleanup EXIT
if ! att_pg_start "$dir"; then
	echo "FAIL (cannot run): PostgreSQL did not start"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "# PostgreSQL on $ATT_PG_DIR (port $ATT_PG_PORT)"
"$@"
