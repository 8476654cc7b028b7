/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the SEV-SNP extended-report certificate table parser.
 * Invariants: on failure the table is empty and zeroed; on success (a
 * table of only the terminator is one, with no entries) every
 * body lies inside the input after the entry list, no two bodies overlap,
 * no known kind appears twice, and there are at most
 * ATT_SNP_MAX_CERT_ENTRIES entries.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/snp/snp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct att_snp_cert_table *t, const uint8_t *b,
		  size_t len)
{
	size_t list_end = (t->n + 1) * 24;
	if (t->n > ATT_SNP_MAX_CERT_ENTRIES)
		abort();
	for (size_t i = 0; i < t->n; i++) {
		const struct att_snp_cert_entry *e = &t->e[i];
		if (e->body < b + list_end || e->body_len == 0 ||
		    e->body_len > len ||
		    (size_t)(e->body - b) > len - e->body_len)
			abort();
		for (size_t j = 0; j < i; j++) {
			const struct att_snp_cert_entry *f = &t->e[j];
			if (e->kind == f->kind && e->kind != ATT_SNP_CERT_OTHER)
				abort();
			if (e->body < f->body + f->body_len &&
			    f->body < e->body + e->body_len)
				abort();
		}
		if (att_snp_cert_kind_name(e->kind) == NULL)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct att_snp_cert_table t;
	static const struct att_snp_cert_table zero;
	if (att_snp_certtable_parse(&t, data, size, NULL) == 0)
		check(&t, data, size);
	else if (memcmp(&t, &zero, sizeof(t)) != 0)
		abort();
	return 0;
}
