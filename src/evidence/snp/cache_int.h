/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the SEV-SNP verification cache shared by verify.c and
 * cache.c (not for other modules; cache.h is the interface): what a
 * verified chain leaves behind, and the entries that hold it.
 */
#ifndef ATT_EVIDENCE_SNP_CACHE_INT_H
#define ATT_EVIDENCE_SNP_CACHE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence/snp/cache.h"

struct att_pkey;
struct att_x509_crl;

/* What the report's checks need from the VEK, read once. A missing or
 * malformed item is recorded, not an error: the check that needs it
 * names the failure at its place in the order (verify.c). */
struct att_snp_vek_facts {
	struct att_pkey *key; /* the VEK's public key; NULL: unreadable */
	bool has_hwid;        /* the hwID extension is present */
	size_t hwid_len;      /* its length as in the certificate */
	uint8_t hwid[64];     /* its first min(hwid_len, 64) bytes */
	bool tcb_ok;          /* the SPL extensions read for the product */
	struct att_snp_tcb tcb;
};

void att_snp_vek_facts_release(struct att_snp_vek_facts *f);

/* A verified chain: the chain, its windows and its CRLs passed. */
struct att_snp_chain_info {
	struct att_snp_vek_facts facts;
	int64_t vek_not_before, vek_not_after;
	bool crl_checked; /* a CRL of the ARK was applied */
};

/* att_snp_cache_get_chain copies the entry of key live at time at into
 * out (out->facts.key a new reference; release with
 * att_snp_vek_facts_release). false: no such entry (or no memory). */
bool att_snp_cache_get_chain(struct att_snp_cache *c, const uint8_t key[32],
			     int64_t at, struct att_snp_chain_info *out);
/* att_snp_cache_put_chain stores a copy of info (a new reference to its
 * key) valid in [from, until], holding a reference to each CRL of crls so
 * that their addresses, part of the key, stay theirs while it lives. */
void att_snp_cache_put_chain(struct att_snp_cache *c, const uint8_t key[32],
			     int64_t from, int64_t until,
			     const struct att_snp_chain_info *info,
			     struct att_x509_crl *const *crls, size_t n_crls);

#endif
