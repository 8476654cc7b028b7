/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The process's SQLite write count: bumped after every write transaction
 * that any SQLite store of this process commits (providers, keys,
 * policies, certificates, collateral, migrations). It lets in-memory
 * caches of store contents (signing keys, compiled policies) skip the
 * store read on every request and still see this process's own writes
 * at once: a cache entry remembers the count it was checked at and is
 * re-read as soon as the count differs. Writes by OTHER processes (the
 * attestd CLI, a second server on the same database) do not move it;
 * such caches re-read the store at a bounded interval for those.
 */
#ifndef ATT_STORE_SQLITE_WRITES_H
#define ATT_STORE_SQLITE_WRITES_H

#include <stdint.h>

/* att_store_sqlite_write_count reads the count (an atomic load, no
 * store access). Read it BEFORE reading the store: a write that commits
 * in between then shows as a changed count at the next check. */
uint64_t att_store_sqlite_write_count(void);
/* att_store_write_count_bump moves the count: after each committed write
 * of any store backend of this process (the PostgreSQL backend too, so
 * the same caches see this process's own writes to it at once). */
void att_store_write_count_bump(void);

#endif
