/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SEV-SNP verification cache (owned by struct att_verifier, made in
 * att_verifier_new, as the DCAP cache of evidence/sgx/verify.h):
 * what att_snp_verify proves about a certificate chain once, so that a
 * later report signed by the same VCEK or VLEK costs one ECDSA P-384
 * verification and no RSA, PEM or ASN.1 work. Two kinds of entry share
 * one bounded, thread-safe LRU (one mutex):
 *
 *  - a verified chain, keyed by SHA-256 of the signing key kind, the
 *    product, the DER of the VEK and of every supplied chain certificate,
 *    the DER of the ARK pinned for the product, and the identity of the
 *    supplied CRLs. It holds the VEK's public key (by reference), hwID and
 *    TCB extensions, and the window in which every certificate and every
 *    applied CRL was valid. A lookup at a time outside that window misses,
 *    so the full verification runs again and reports the expiry itself.
 *    The report's own checks (signature, hwID against CHIP_ID, TCB against
 *    REPORTED_TCB, debug, VMPL, minimum TCBs, a required CRL) run on every
 *    request, hit or miss.
 *  - a parsed VcekCertChain, keyed by SHA-256 of the PEM text.
 *
 * Invalidation rule for CRLs: an entry is bound to the exact CRL objects
 * it was verified with (it holds a reference to each, and their addresses
 * are part of the key). CRL objects are immutable; a new or refreshed CRL
 * (collateral/kds.h hands out a new object when it fetches one) is a
 * different object, so the first request that carries it misses and runs
 * the full check, revocation included. Entries verified with the old CRL
 * age out of the LRU. att_snp_cache_clear drops every entry at once.
 * Nothing here reads the clock: the caller's verification time decides.
 */
#ifndef ATT_EVIDENCE_SNP_CACHE_H
#define ATT_EVIDENCE_SNP_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "evidence/snp/snp.h"

struct att_cert;
struct att_snp_cache;

/* att_snp_cache_new makes an empty cache of at most max_entries entries
 * (0: ATT_SNP_CACHE_DEFAULT). ATT_ERR_NOMEM / ATT_ERR_INTERNAL. */
int att_snp_cache_new(struct att_snp_cache **out, size_t max_entries);
/* Accepts NULL. */
void att_snp_cache_free(struct att_snp_cache *c);
/* att_snp_cache_clear drops every entry (e.g. after the pinned ARKs or
 * the CRL source changed). Accepts NULL. */
void att_snp_cache_clear(struct att_snp_cache *c);

struct att_snp_cache_stats {
	uint64_t hits;    /* verified-chain lookups that hit */
	uint64_t misses;  /* verified-chain lookups that missed */
	uint64_t pem_hits, pem_misses; /* parsed VcekCertChain lookups */
	size_t entries;   /* entries of both kinds */
};
void att_snp_cache_stats(const struct att_snp_cache *c,
			 struct att_snp_cache_stats *out);

/* att_snp_verify_cached is att_snp_verify with a cache (NULL: none): the
 * same checks in the same order with the same results and messages; the
 * chain, its validity windows and its CRLs are taken from the cache when
 * an entry for these certificates, ARK, product, CRLs and time exists,
 * and put into it when they verify. */
int att_snp_verify_cached(struct att_snp_cache *cache,
			  struct att_snp_result *res, const uint8_t *report,
			  size_t len, const struct att_snp_certs *certs,
			  const struct att_snp_trust *trust,
			  const struct att_snp_appraisal *ap, int64_t at,
			  struct att_diag *d);

/* att_snp_cache_chain_from_pem is att_cert_chain_from_pem (same results,
 * a new array of new references in *out, freed with att_cert_chain_free)
 * through the cache: a PEM text seen before is not parsed again. cache
 * NULL: parses. */
int att_snp_cache_chain_from_pem(struct att_snp_cache *cache,
				 struct att_cert ***out, size_t *n_out,
				 const char *pem, size_t len);

#endif
