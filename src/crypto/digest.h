/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Digests, HMAC, constant-time comparison and randomness. src/crypto is
 * the only directory that includes OpenSSL; other modules use these
 * wrappers and the opaque types of the other crypto headers.
 */
#ifndef ATT_CRYPTO_DIGEST_H
#define ATT_CRYPTO_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum att_md {
	ATT_MD_SHA1,
	ATT_MD_SHA256,
	ATT_MD_SHA384,
	ATT_MD_SHA512,
	ATT_MD_SHA3_256, /* TPM hash algorithms (TPM 2.0 Part 2 §6.3) */
	ATT_MD_SHA3_384,
	ATT_MD_SHA3_512,
	ATT_MD_SM3_256,
};

#define ATT_MD_MAX_LEN 64

/* att_md_len returns the digest length of md in bytes. */
size_t att_md_len(enum att_md md);
/* att_md_name returns "sha1", "sha256", ... */
const char *att_md_name(enum att_md md);
/* att_md_available tells whether this OpenSSL can compute md (a provider
 * may lack one: SM3 in a FIPS configuration, or a build without it). */
bool att_md_available(enum att_md md);
/* att_digest hashes in[0..in_len) into out (att_md_len(md) bytes). */
int att_digest(enum att_md md, uint8_t *out, const void *in, size_t in_len);
void att_sha256(uint8_t out[static 32], const void *in, size_t in_len);

/* Incremental hashing. att_md_ctx_new returns NULL on allocation failure
 * or when md is not available. A context fetches its digest once and can
 * be reused after att_md_final through att_md_ctx_reset (an event log
 * replay hashes thousands of times; a fetch per digest would dominate). */
struct att_md_ctx;
struct att_md_ctx *att_md_ctx_new(enum att_md md);
/* att_md_ctx_reset starts a new digest on c. */
int att_md_ctx_reset(struct att_md_ctx *c);
int att_md_update(struct att_md_ctx *c, const void *in, size_t in_len);
/* att_md_final writes the digest (att_md_len bytes); after it, c takes
 * updates again only after att_md_ctx_reset. */
int att_md_final(struct att_md_ctx *c, uint8_t *out);
void att_md_ctx_free(struct att_md_ctx *c);

/* att_hmac computes HMAC-md(key, in) into out (att_md_len(md) bytes).
 * Incremental HMAC is in crypto/hmac.h. */
int att_hmac(enum att_md md, uint8_t *out, const void *key, size_t key_len,
	     const void *in, size_t in_len);

/* att_ct_eq compares two equal-length byte strings in constant time. */
bool att_ct_eq(const void *a, const void *b, size_t len);

/* att_rand_bytes fills out with cryptographically secure random bytes. */
int att_rand_bytes(void *out, size_t len);

/* att_cleanse wipes len bytes of secret data at p (not optimised away);
 * p may be NULL when len is 0. */
void att_cleanse(void *p, size_t len);

#endif
