/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the SEV-SNP verifier shared by its files (not for other
 * modules): the trust store's layout and AMD's built-in roots.
 */
#ifndef ATT_EVIDENCE_SNP_SNP_INT_H
#define ATT_EVIDENCE_SNP_SNP_INT_H

#include "evidence/snp/snp.h"

struct att_cert;

/* One pinned ARK per product (NULL: none); immutable once built, so a
 * trust store may be shared by threads. */
struct att_snp_trust {
	struct att_cert *ark[ATT_SNP_PRODUCT_COUNT];
};

/* ark_amd.c: AMD's ARK certificates (PEM). */
extern const char att_snp_ark_milan_pem[];
extern const char att_snp_ark_genoa_pem[];
extern const char att_snp_ark_turin_pem[];

/* att_snp_cert_load reads one certificate, PEM or DER (at most
 * ATT_SNP_MAX_CERT_LEN bytes). */
int att_snp_cert_load(struct att_cert **out, const uint8_t *in, size_t len);

/* vek.c: AMD's certificate extensions (OIDs under 1.3.6.1.4.1.3704.1). */
#define ATT_SNP_N_SPL 5
struct att_snp_spl {
	const char *name; /* "blSPL", ... as in the KDS query */
	const char *oid;
	size_t off;	  /* of the uint8_t in struct att_snp_tcb */
	bool turin_only;  /* fmcSPL */
};
extern const struct att_snp_spl att_snp_spls[ATT_SNP_N_SPL];
uint8_t *att_snp_spl_field(struct att_snp_tcb *t, size_t i);
/* A DER INTEGER of one to three content bytes, non-negative, minimal. */
int att_snp_der_small_uint(const uint8_t *v, size_t len, unsigned *out);
/* productName ("Milan-B0") into out; ATT_ERR_NOT_FOUND when absent. */
int att_snp_vek_product(const struct att_cert *vek, char *out,
			size_t out_len);
/* hwID bytes (borrowed from vek); ATT_ERR_NOT_FOUND when absent. */
int att_snp_vek_hwid(const struct att_cert *vek, const uint8_t **id,
		     size_t *len);
/* The SPL extensions of p's TCB layout; ATT_ERR_FORMAT (named in d) when
 * one is missing or not an INTEGER 0..255. */
int att_snp_vek_tcb(const struct att_cert *vek, enum att_snp_product p,
		    struct att_snp_tcb *out, struct att_diag *d);

#endif
