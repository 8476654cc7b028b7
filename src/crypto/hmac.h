/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Incremental HMAC (RFC 2104) with any digest of enum att_md. The one-shot
 * att_hmac is in crypto/digest.h. A context fetches HMAC and its digest
 * once and is keyed again for every message (att_hmac_init), which is
 * what block-by-block KDFs need.
 */
#ifndef ATT_CRYPTO_HMAC_H
#define ATT_CRYPTO_HMAC_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/digest.h"

struct att_hmac_ctx;

/* att_hmac_ctx_new returns a context for HMAC-md, or NULL when md is not
 * available in this OpenSSL or on allocation failure. */
struct att_hmac_ctx *att_hmac_ctx_new(enum att_md md);
/* att_hmac_init starts a message under key (key_len may be 0: the empty
 * key). */
int att_hmac_init(struct att_hmac_ctx *c, const void *key, size_t key_len);
int att_hmac_update(struct att_hmac_ctx *c, const void *in, size_t in_len);
/* att_hmac_final writes the MAC; out_len must be att_md_len(md)
 * (ATT_ERR_INVALID_ARG otherwise). The next message starts with
 * att_hmac_init. */
int att_hmac_final(struct att_hmac_ctx *c, uint8_t *out, size_t out_len);
/* att_hmac_ctx_free frees c; accepts NULL. */
void att_hmac_ctx_free(struct att_hmac_ctx *c);

#endif
