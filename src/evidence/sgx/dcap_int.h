/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the DCAP verifier's files (trust, collateral, cache,
 * chain checks, TCB evaluation, the verify driver). Not a public header.
 */
#ifndef ATT_EVIDENCE_SGX_DCAP_INT_H
#define ATT_EVIDENCE_SGX_DCAP_INT_H

#include "base/limits.h"
#include <stdbool.h>
#include <stdint.h>

#include "crypto/pkey.h"
#include "crypto/sgx_ext.h"
#include "crypto/x509.h"
#include "evidence/sgx/verify.h"


struct att_dcap_trust {
	struct att_cert *roots[ATT_DCAP_MAX_ROOTS];
	size_t n_roots;
	uint8_t id[32]; /* SHA-256 over the roots' DER hashes */
};

struct att_dcap_chain {
	struct att_cert *certs[ATT_MAX_CERT_CHAIN];
	size_t n;
};

struct att_dcap_collateral {
	struct att_tcb_info *tcb_info;
	struct att_qe_identity *qe_identity;
	struct att_dcap_chain tcb_chain;
	struct att_dcap_chain qe_chain;
	struct att_dcap_chain pck_crl_chain; /* may be empty */
	struct att_x509_crl *pck_crl;
	struct att_x509_crl *root_crl;
	/* content keys for the cache */
	uint8_t pck_crl_der_hash[32];
	uint8_t root_crl_der_hash[32];
	uint8_t tcb_key[32]; /* H(tcb body || sig || tcb chain raw) */
	uint8_t qe_key[32]; /* H(qe body || sig || qe chain raw) */
	/* SHA-256 of the items as given (quotehash, pckcertshash unset) */
	struct att_dcap_collateral_hashes hashes;
};

/* What a verified PCK chain yields (cached). */
struct att_dcap_pck {
	struct att_pkey *key; /* one reference owned */
	struct att_sgx_pck_ext ext;
	enum att_dcap_ca ca;
	int64_t valid_from, valid_until;
};

void att_dcap_pck_release(struct att_dcap_pck *p);

/* Cache (dcap_cache.c). Lookups honour [valid_from, valid_until]. */
bool att_dcap_cache_get_pck(struct att_dcap_cache *c, const uint8_t key[32],
			    int64_t at, struct att_dcap_pck *out);
void att_dcap_cache_put_pck(struct att_dcap_cache *c, const uint8_t key[32],
			    const struct att_dcap_pck *p);
bool att_dcap_cache_has(struct att_dcap_cache *c, const uint8_t key[32],
			int64_t at);
void att_dcap_cache_put(struct att_dcap_cache *c, const uint8_t key[32],
			int64_t valid_from, int64_t valid_until);

/* Per-verification time policy and the expiry flag (dcap_chain.c). */
struct att_dcap_clock {
	int64_t at;
	bool strict; /* expired collateral is an error */
	struct att_dcap_result *res; /* collateral_expired is set here */
};

/* att_dcap_check_window applies the time policy to one item valid in
 * [from, until]: strict → ATT_ERR_NOT_YET_VALID / ATT_ERR_EXPIRED with
 * "<what> expired at ..."; otherwise (QvE) only t > until counts and sets
 * the result's collateral_expired flag. */
int att_dcap_check_window(struct att_dcap_clock *clk, const char *what,
			  int64_t from, int64_t until, bool check_from_lenient,
			  struct att_diag *d);

int att_dcap_verify_pck_chain(struct att_dcap_pck *out, const uint8_t *cert_data,
			      size_t cert_len,
			      const struct att_dcap_collateral *col,
			      const struct att_dcap_trust *trust,
			      struct att_dcap_clock *clk, struct att_diag *d);
/* TCB Info (is_tcb) or QE Identity: signing chain, root CRL, signature. */
int att_dcap_verify_signed_doc(int64_t *valid_from, int64_t *valid_until,
			       bool is_tcb,
			       const struct att_dcap_collateral *col,
			       const struct att_dcap_trust *trust,
			       struct att_dcap_clock *clk, struct att_diag *d);
/* att_dcap_find_pck_cert: the PCK leaf of a PEM chain, by subject CN. */
int att_dcap_split_pck_chain(struct att_cert **root, struct att_cert **inter,
			     struct att_cert **pck, const uint8_t *cert_data,
			     size_t cert_len, struct att_diag *d);

/* TCB evaluation (dcap_tcb.c), after all signatures verified. */
int att_dcap_eval_tcb(struct att_dcap_result *r, const struct att_sgx_quote *q,
		      const struct att_sgx_pck_ext *ext,
		      const struct att_tcb_info *ti,
		      const struct att_qe_identity *qi, struct att_diag *d);

/* QVL step 4.5.7: MRSIGNERSEAM and SEAMATTRIBUTES against the expected
 * TDX module (tdxModule, or the TDX_%02X identity when SVN[1] > 0). */
int att_dcap_check_tdx_module(const struct att_sgx_quote *q,
			      const struct att_tcb_info *ti, struct att_diag *d);

/* Formatting helpers */
void att_dcap_hex(char *out, size_t out_len, const uint8_t *p, size_t n);
void att_dcap_time(char *out, size_t out_len, int64_t t);

#endif
