/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signing and verification for the JOSE algorithms (RFC 7518 section 3):
 * RSASSA-PKCS1-v1_5 and RSASSA-PSS (salt length = hash length, MGF1 with
 * the same hash) over RSA keys, and ECDSA whose signature travels as the
 * fixed-length big-endian r||s pair (RFC 7518 section 3.4), converted
 * to and from the DER ECDSA-Sig-Value OpenSSL speaks with OpenSSL's own
 * ECDSA_SIG functions (here and in att_pkey_ecdsa_sig_der). Every entry
 * point checks first that the key type fits the algorithm, so a P-384 key
 * can never verify an ES256 token nor an RSA key an ES* one.
 *
 * Cost per call (the token signature is on every attestation): the
 * digests are fetched once per process, not by name on every call, and
 * whether the key has a private part (~7 us with OpenSSL 3.0, more than
 * the rest of the set-up) is only asked when signing failed, to tell a
 * public key (ATT_ERR_INVALID_ARG) from a crypto failure.
 */
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "crypto/cert.h"
#include "crypto/pk_internal.h"
#include "crypto/pkey.h"

struct sig_info {
	const char *md;
	bool rsa;
	bool pss;
	size_t coord; /* ECDSA coordinate length, 0 for RSA */
};

static int sig_info(struct sig_info *si, enum att_sig_alg alg)
{
	switch (alg) {
	case ATT_SIG_RS256: *si = (struct sig_info){"SHA256", true, false, 0}; return 0;
	case ATT_SIG_RS384: *si = (struct sig_info){"SHA384", true, false, 0}; return 0;
	case ATT_SIG_PS256: *si = (struct sig_info){"SHA256", true, true, 0}; return 0;
	case ATT_SIG_ES256: *si = (struct sig_info){"SHA256", false, false, 32}; return 0;
	case ATT_SIG_ES384: *si = (struct sig_info){"SHA384", false, false, 48}; return 0;
	}
	return ATT_ERR_ALG;
}

/* The key must be RSA for RS and PS, and on the matching curve for ES. */
static int key_fits(const struct att_pkey *k, const struct sig_info *si)
{
	if (si->rsa) /* evidence keys may be smaller than token keys */
		return att_pkey_is_rsa(k) && att_pkey_bits(k) >= 2048
			       ? 0
			       : ATT_ERR_ALG;
	if (!att_pkey_is_ec(k))
		return ATT_ERR_ALG;
	enum att_key_kind want =
		si->coord == 32 ? ATT_KEY_EC_P256 : ATT_KEY_EC_P384;
	return att_pkey_kind(k) == want ? 0 : ATT_ERR_ALG;
}

/* The digests, fetched once (kept for the process's lifetime). */
static EVP_MD *md_sha256, *md_sha384;
static pthread_once_t md_once = PTHREAD_ONCE_INIT;

static void md_fetch_once(void)
{
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	md_sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
	ERR_clear_error();
}

/* fetched_md returns the pre-fetched digest named md, or NULL (then the
 * caller initialises by name). */
static const EVP_MD *fetched_md(const char *md)
{
	pthread_once(&md_once, md_fetch_once);
	if (!strcmp(md, "SHA256"))
		return md_sha256;
	if (!strcmp(md, "SHA384"))
		return md_sha384;
	return NULL;
}

static int digest_init(EVP_MD_CTX *ctx, EVP_PKEY_CTX **pctx, EVP_PKEY *pk,
		       const char *mdname, bool sign)
{
	const EVP_MD *md = fetched_md(mdname);
	if (md)
		return sign ? EVP_DigestSignInit(ctx, pctx, md, NULL, pk)
			    : EVP_DigestVerifyInit(ctx, pctx, md, NULL, pk);
	return sign ? EVP_DigestSignInit_ex(ctx, pctx, mdname, NULL, NULL, pk,
					    NULL)
		    : EVP_DigestVerifyInit_ex(ctx, pctx, mdname, NULL, NULL,
					      pk, NULL);
}

static int md_ctx_init(EVP_MD_CTX **out, struct att_pkey *k,
		       const struct sig_info *si, bool sign)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	*out = NULL;
	if (!ctx)
		return ATT_ERR_NOMEM;
	int ok = digest_init(ctx, &pctx, att_pkey_get0_evp(k), si->md, sign);
	if (ok && si->pss)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx,
						  RSA_PKCS1_PSS_PADDING) > 0 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(
			     pctx, RSA_PSS_SALTLEN_DIGEST) > 0;
	else if (ok && si->rsa)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0;
	if (!ok) {
		EVP_MD_CTX_free(ctx);
		ERR_clear_error();
		return ATT_ERR_CRYPTO;
	}
	*out = ctx;
	return 0;
}

/* DER ECDSA-Sig-Value -> r||s, each left-padded to coord bytes. */
static int ecdsa_der_to_raw(struct att_buf *out, const unsigned char *der,
			    size_t der_len, size_t coord)
{
	uint8_t raw[2 * 66];
	const unsigned char *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	if (!es)
		return ATT_ERR_CRYPTO;
	const BIGNUM *r = NULL, *s = NULL;
	ECDSA_SIG_get0(es, &r, &s);
	int ok = BN_bn2binpad(r, raw, (int)coord) == (int)coord &&
		 BN_bn2binpad(s, raw + coord, (int)coord) == (int)coord;
	ECDSA_SIG_free(es);
	if (!ok)
		return ATT_ERR_CRYPTO;
	return att_buf_add(out, raw, 2 * coord);
}

int att_pkey_sign(struct att_buf *out_sig, struct att_pkey *k,
		  enum att_sig_alg alg, const void *data, size_t len)
{
	struct sig_info si;
	EVP_MD_CTX *ctx = NULL;
	unsigned char *sig = NULL;
	size_t sig_len = 0;
	int r;
	if ((r = sig_info(&si, alg)) != 0 || (r = key_fits(k, &si)) != 0)
		return r;
	if (att_pkey_is_external(k))
		return att_pkey_sign_external(out_sig, k, alg, data, len);
	if ((r = md_ctx_init(&ctx, k, &si, true)) != 0)
		goto refused;
	r = ATT_ERR_CRYPTO;
	if (EVP_DigestSign(ctx, NULL, &sig_len, data, len) != 1)
		goto refused;
	sig = OPENSSL_malloc(sig_len);
	if (!sig) {
		r = ATT_ERR_NOMEM;
		goto out;
	}
	if (EVP_DigestSign(ctx, sig, &sig_len, data, len) != 1)
		goto refused;
	r = si.rsa ? att_buf_add(out_sig, sig, sig_len)
		   : ecdsa_der_to_raw(out_sig, sig, sig_len, si.coord);
	goto out;
refused: /* a public key cannot sign: say so rather than "crypto" */
	if (!att_pkey_has_private(k))
		r = ATT_ERR_INVALID_ARG;
out:
	OPENSSL_free(sig);
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return r;
}

int att_pkey_verify(struct att_pkey *k, enum att_sig_alg alg,
		    const void *data, size_t len, const uint8_t *sig,
		    size_t sig_len)
{
	struct sig_info si;
	EVP_MD_CTX *ctx = NULL;
	uint8_t der[2 * ATT_PKEY_EC_MAX_COORD + 16];
	size_t der_len = 0;
	int r;
	if ((r = sig_info(&si, alg)) != 0 || (r = key_fits(k, &si)) != 0)
		return r;
	if (!sig || sig_len == 0)
		return ATT_ERR_SIG_INVALID;
	if (si.rsa && sig_len != (size_t)EVP_PKEY_get_size(att_pkey_get0_evp(k)))
		return ATT_ERR_SIG_INVALID;
	if (!si.rsa && sig_len != 2 * si.coord)
		return ATT_ERR_SIG_INVALID;
	if (!si.rsa && (r = att_pkey_ecdsa_sig_der(der, sizeof(der), &der_len,
						   sig, si.coord, sig + si.coord,
						   si.coord)))
		goto out;
	if ((r = md_ctx_init(&ctx, k, &si, false)) != 0)
		goto out;
	int ok = si.rsa ? EVP_DigestVerify(ctx, sig, sig_len, data, len)
			: EVP_DigestVerify(ctx, der, der_len, data, len);
	r = ok == 1 ? 0 : ATT_ERR_SIG_INVALID;
out:
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return r;
}

/* ---- signatures for the certificate and CRL builders, and raw-digest
 * ECDSA (the SEV-SNP simulator's reports) ---- */

int att_pk_x509_sign_ctx(EVP_MD_CTX **out, EVP_PKEY *pk, int sig)
{
	EVP_PKEY_CTX *pctx = NULL;
	bool pss = sig == ATT_CERT_SIG_RSA_PSS_SHA384;
	*out = NULL;
	if (sig != 0 && !pss)
		return ATT_ERR_INVALID_ARG;
	if (pss && EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA)
		return ATT_ERR_ALG;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return ATT_ERR_NOMEM;
	const EVP_MD *md = fetched_md(pss ? "SHA384" : "SHA256");
	/* RFC 4055 §3.1: salt = hash length, MGF1 with the same hash */
	int ok = md && EVP_DigestSignInit(ctx, &pctx, md, NULL, pk) == 1;
	if (ok && pss)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx,
						  RSA_PKCS1_PSS_PADDING) > 0 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 48) > 0 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) > 0;
	if (!ok) {
		EVP_MD_CTX_free(ctx);
		ERR_clear_error();
		return ATT_ERR_CRYPTO;
	}
	*out = ctx;
	return 0;
}

int att_pkey_sign_ecdsa_digest(struct att_pkey *k, const uint8_t *digest,
			       size_t digest_len, uint8_t *r, uint8_t *s,
			       size_t coord)
{
	uint8_t der[2 * ATT_PKEY_EC_MAX_COORD + 16];
	size_t der_len = sizeof(der);
	int bits = att_pkey_bits(k);
	if (att_pkey_is_external(k)) /* tokens sign JOSE inputs only */
		return ATT_ERR_UNSUPPORTED;
	if (!att_pkey_is_ec(k) || bits <= 0 || coord != ((size_t)bits + 7) / 8 ||
	    coord > ATT_PKEY_EC_MAX_COORD || !digest || digest_len == 0)
		return ATT_ERR_ALG;
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(att_pkey_get0_evp(k), NULL);
	ECDSA_SIG *es = NULL;
	int ret = ATT_ERR_CRYPTO;
	if (!pctx || EVP_PKEY_sign_init(pctx) != 1 ||
	    EVP_PKEY_sign(pctx, der, &der_len, digest, digest_len) != 1) {
		if (!att_pkey_has_private(k)) /* say why, not "crypto" */
			ret = ATT_ERR_INVALID_ARG;
		goto out;
	}
	const unsigned char *p = der;
	es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	if (!es)
		goto out;
	const BIGNUM *br = NULL, *bs = NULL;
	ECDSA_SIG_get0(es, &br, &bs);
	if (BN_bn2binpad(br, r, (int)coord) == (int)coord &&
	    BN_bn2binpad(bs, s, (int)coord) == (int)coord)
		ret = 0;
out:
	ECDSA_SIG_free(es);
	EVP_PKEY_CTX_free(pctx);
	ERR_clear_error();
	return ret;
}
