/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the collateral service's offline import of one file.
 * The input is the file's content. It goes through content recognition
 * the way import.c does (a collateral bundle is split, anything else is
 * classified as TCB Info / QE Identity / CRL / PEM issuer chain), every
 * recognised item is written to a memory-only store and read back, and
 * the round trip must give the same item (body, signature, chain, dates).
 * Then the same bytes are imported as a file with
 * att_collateral_import_path_ex into another memory store: it must
 * succeed exactly when the recognition above succeeded with items that
 * the store can hold. Nothing here needs a network or the clock.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/log.h"
#include "collateral/items.h"
#include "collateral/service.h"
#include "collateral/svc_int.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW 1750000000 /* 2025-06-15: a fixed import time */

static char tmp_path[256];

static void remove_tmp(void)
{
	if (tmp_path[0])
		unlink(tmp_path);
}

static int setup(void)
{
	static int done;
	if (done)
		return tmp_path[0] ? 0 : -1;
	done = 1;
	att_log_set_level(ATT_LOG_ERROR);
	const char *dirs[] = {"/dev/shm", getenv("TMPDIR"), "/tmp"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (!dirs[i])
			continue;
		snprintf(tmp_path, sizeof(tmp_path),
			 "%s/att-fuzz-colimport-XXXXXX", dirs[i]);
		int fd = mkstemp(tmp_path);
		if (fd >= 0) {
			close(fd);
			atexit(remove_tmp);
			return 0;
		}
	}
	tmp_path[0] = 0;
	return -1;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* put then get one item; the row must give back what was stored. */
static bool round_trip(struct att_store *st, const struct att_colitem *it)
{
	struct att_diag d = {0};
	struct att_colitem back;
	int64_t fetched = 0;
	if (att_colitem_put(st, it, FUZZ_NOW, &d) != 0)
		return false; /* e.g. a PEM chain that is not UTF-8 */
	if (att_colitem_get(st, &it->spec, &back, &fetched, &d) != 0) {
		fprintf(stderr, "stored item does not read back: %s\n",
			att_diag_msg(&d));
		abort();
	}
	if (back.body_len != it->body_len ||
	    memcmp(back.body, it->body, it->body_len) != 0 ||
	    back.body[back.body_len] != 0 ||
	    !same_str(back.sig_hex, it->sig_hex) ||
	    back.chain_len != it->chain_len ||
	    (it->chain && memcmp(back.chain, it->chain, it->chain_len)) ||
	    back.issue != it->issue || back.next_update != it->next_update ||
	    !same_str(back.source, it->source) || fetched != FUZZ_NOW ||
	    !att_colspec_same(&back.spec, &it->spec))
		abort();
	att_colitem_release(&back);
	return true;
}

/* Recognition as import.c does it; returns 0 when the file would be
 * imported, with *storable false when the store refused an item. */
static int recognise(const uint8_t *data, size_t size, bool *storable)
{
	struct att_colitem items[ATT_COLBUNDLE_MAX_ITEMS];
	struct att_store *st = NULL;
	struct att_diag d = {0};
	char key[ATT_COLITEM_KEY_LEN], what[ATT_COLITEM_WHAT_LEN];
	size_t n = 0;
	int rc;
	*storable = true;
	if (att_colbundle_detect(data, size)) {
		rc = att_colbundle_split(items, &n, data, size, &d);
		if (rc == 0 && (n == 0 || n > ATT_COLBUNDLE_MAX_ITEMS))
			abort();
	} else {
		rc = att_colitem_classify(&items[0], data, size, &d);
		n = rc == 0;
	}
	if (rc != 0 && n != 0)
		abort();
	if (att_colmem_store_new(&st) != 0)
		abort();
	for (size_t i = 0; i < n; i++) {
		struct att_colitem *it = &items[i];
		if (!it->body || it->body[it->body_len] != 0)
			abort();
		att_colspec_key(&it->spec, key, sizeof(key));
		att_colspec_what(&it->spec, what, sizeof(what));
		if (strncmp(key, "dcap/", 5) != 0 || !what[0])
			abort();
		if (att_colitem_set_source(it, "import:fuzz") != 0)
			abort();
		if (!round_trip(st, it))
			*storable = false;
		att_colitem_release(it);
	}
	att_store_close(st);
	return rc;
}

static int write_tmp(const uint8_t *data, size_t size)
{
	int fd = open(tmp_path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fd);
	return off == size ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_collateral_import_report rep;
	struct att_store *st = NULL;
	struct att_diag d = {0};
	bool storable;
	if (setup() != 0) {
		fprintf(stderr, "fuzz: no temporary file\n");
		abort();
	}
	int rc = recognise(data, size, &storable);
	if (write_tmp(data, size) != 0 || att_colmem_store_new(&st) != 0)
		abort();
	int ir = att_collateral_import_path_ex(st, tmp_path, FUZZ_NOW, &rep,
					       &d);
	/* A single file must be collateral: the import fails exactly when
	 * recognition failed or an item could not be stored. */
	if ((ir == 0) != (rc == 0 && storable)) {
		fprintf(stderr, "import %d (%s) but recognition %d/%d\n", ir,
			att_diag_msg(&d), rc, storable);
		abort();
	}
	if (getenv("ATT_FUZZ_DEBUG"))
		fprintf(stderr, "recognise %d, import %d: %zu items: %s\n", rc,
			ir, rep.items, ir ? att_diag_msg(&d) : "ok");
	if (ir == 0 && (rep.files != 1 || rep.items == 0 ||
			rep.items > ATT_COLBUNDLE_MAX_ITEMS || rep.skipped))
		abort();
	att_store_close(st);
	return 0;
}
