/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SGX simulator's keys, certificates and CRLs over the crypto
 * primitives of src/crypto (no OpenSSL here): P-256 keys and raw r||s
 * ECDSA signatures through struct att_pkey, certificates shaped like
 * Intel's SGX PKI through the one certificate builder - v3, DN "CN, O, L,
 * ST, C", extensions in Intel's order (AKI, CRL Distribution Points, SKI,
 * critical Key Usage, critical Basic Constraints, then the SGX extension
 * on PCK certificates), ecdsa-with-SHA256 - and v2 CRLs with CRL Number
 * and AKI whose entries carry reason keyCompromise. Dev and test tool only.
 */
#include "sim/sgx_sim_crypto.h"

#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "crypto/keywrap.h"

#define CRL_REASON_KEY_COMPROMISE 1 /* RFC 5280 §5.3.1 */
#define SGX_EXT_OID "1.2.840.113741.1.13.1"

int att_sgxsim_key_generate(struct att_pkey **out)
{
	return att_pkey_generate(out, ATT_KEY_EC_P256);
}

int att_sgxsim_key_load_pem(struct att_pkey **out, const char *pem,
			    size_t len)
{
	*out = NULL;
	if (len > ATT_SGXSIM_MAX_OBJ)
		return ATT_ERR_LIMIT;
	struct att_pkey *k = NULL;
	int r = att_pkey_from_pem(&k, pem, len);
	if (r == ATT_ERR_UNSUPPORTED)
		return ATT_ERR_ALG;
	if (r || !att_pkey_has_private(k)) {
		att_pkey_free(k);
		return ATT_ERR_FORMAT;
	}
	if (att_pkey_kind(k) != ATT_KEY_EC_P256) {
		att_pkey_free(k);
		return ATT_ERR_ALG;
	}
	*out = k;
	return 0;
}

/* add_text appends a malloc'd string and frees it. */
static int add_text(struct att_buf *out, char *s, int r)
{
	if (!r)
		r = att_buf_add(out, s, strlen(s));
	free(s);
	return r;
}

int att_sgxsim_key_pem(struct att_pkey *k, struct att_buf *out)
{
	char *pem = NULL;
	int r = att_pkey_to_pem(&pem, k, true);
	if (!r)
		r = att_buf_add(out, pem, strlen(pem));
	if (pem)
		att_keywrap_wipe(pem, strlen(pem)); /* secret */
	free(pem);
	return r;
}

int att_sgxsim_key_pub(struct att_pkey *k, uint8_t xy[ATT_SGXSIM_XY_LEN])
{
	return att_pkey_ec_public_xy(k, xy, ATT_SGXSIM_XY_LEN) ? ATT_ERR_CRYPTO
							       : 0;
}

int att_sgxsim_sign(struct att_pkey *k, const void *msg, size_t len,
		    uint8_t rs[ATT_SGXSIM_RS_LEN])
{
	struct att_buf sig;
	att_buf_init(&sig, 512);
	int r = att_pkey_sign(&sig, k, ATT_SIG_ES256, msg, len);
	if (!r && sig.len != ATT_SGXSIM_RS_LEN)
		r = ATT_ERR_CRYPTO;
	if (!r)
		memcpy(rs, sig.data, ATT_SGXSIM_RS_LEN);
	att_buf_release(&sig);
	return r;
}

int att_sgxsim_cert_create(struct att_cert **out,
			   const struct att_sgxsim_cert_spec *s)
{
	struct att_buf ext;
	*out = NULL;
	if (!s->cn || !s->org || !s->crl_url || !s->subject_key ||
	    !s->issuer_key)
		return ATT_ERR_INVALID_ARG;
	const struct att_cert_name_attr name[] = {
		{"CN", s->cn}, {"O", s->org}, {"L", "Santa Clara"}, {"ST", "CA"},
		{"C", "US"}};
	att_buf_init(&ext, 8192);
	int r = s->sgx ? att_sgxsim_pck_ext_der(s->sgx, &ext) : 0;
	struct att_cert_raw_ext raw = {SGX_EXT_OID, ext.data, ext.len, false,
				       false};
	struct att_cert_spec c = {
		.subject = name,
		.n_subject = 5,
		.issuer = s->issuer,
		.signing_key = s->issuer_key,
		.subject_key = s->subject_key,
		.serial = s->serial,
		.serial_len = ATT_SGXSIM_SERIAL_LEN,
		.not_before = s->not_before,
		.not_after = s->not_after,
		.basic_constraints = true,
		.ca = s->ca,
		.pathlen = s->pathlen,
		.key_usage = s->ca ? ATT_KU_KEY_CERT_SIGN | ATT_KU_CRL_SIGN
				   : ATT_KU_DIGITAL_SIGNATURE |
					     ATT_KU_NON_REPUDIATION,
		/* Intel uses the serial as SKI of its CA and signing certs;
		 * PCK certs get the SHA-1 of the public key. */
		.ski = s->sgx ? ATT_SKI_KEY_SHA1 : ATT_SKI_SERIAL,
		.aki = true,
		.crl_url = s->crl_url,
		.raw = &raw,
		.n_raw = s->sgx ? 1 : 0,
		.order = {ATT_EXT_AKI, ATT_EXT_CRL_DP, ATT_EXT_SKI,
			  ATT_EXT_KEY_USAGE, ATT_EXT_BASIC_CONSTRAINTS,
			  ATT_EXT_RAW},
	};
	if (!r)
		r = att_cert_build(out, &c);
	att_buf_release(&ext);
	return r;
}

int att_sgxsim_cert_load_pem(struct att_cert **out, const char *pem,
			     size_t len)
{
	*out = NULL;
	if (len > ATT_SGXSIM_MAX_OBJ)
		return ATT_ERR_LIMIT;
	return att_cert_from_pem(out, pem, len) ? ATT_ERR_FORMAT : 0;
}

int att_sgxsim_cert_pem(const struct att_cert *c, struct att_buf *out)
{
	char *pem = NULL;
	int r = att_cert_to_pem(&pem, c);
	return add_text(out, pem, r);
}

int att_sgxsim_cert_der(const struct att_cert *c, struct att_buf *out)
{
	uint8_t *der = NULL;
	size_t n = 0;
	int r = att_cert_to_der(&der, &n, c);
	if (!r)
		r = att_buf_add(out, der, n);
	free(der);
	return r;
}

int att_sgxsim_cert_serial(const struct att_cert *c,
			   struct att_sgxsim_serial *out)
{
	return att_cert_serial(c, out->b, sizeof(out->b), &out->len)
		       ? ATT_ERR_CRYPTO
		       : 0;
}

int att_sgxsim_crl_create(const struct att_sgxsim_crl_spec *s,
			  struct att_buf *der)
{
	struct att_crl_revoked rev[64];
	uint8_t *d = NULL;
	size_t n = 0;
	if (!s->issuer || !s->issuer_key)
		return ATT_ERR_INVALID_ARG;
	if (s->n_revoked > sizeof(rev) / sizeof(rev[0]))
		return ATT_ERR_LIMIT;
	for (size_t i = 0; i < s->n_revoked; i++)
		rev[i] = (struct att_crl_revoked){s->revoked[i].b,
						  s->revoked[i].len};
	struct att_crl_spec c = {
		.issuer = s->issuer,
		.issuer_key = s->issuer_key,
		.this_update = s->this_update,
		.next_update = s->next_update,
		.number = s->number,
		.revoked = rev,
		.n_revoked = s->n_revoked,
		.revocation_date = s->revocation_date,
		.reason = CRL_REASON_KEY_COMPROMISE,
	};
	int r = att_crl_build(&d, &n, &c);
	if (!r)
		r = att_buf_add(der, d, n);
	free(d);
	return r;
}

int att_sgxsim_crl_pem(const uint8_t *der, size_t len, struct att_buf *out)
{
	char *pem = NULL;
	int r = att_crl_der_to_pem(&pem, der, len);
	return add_text(out, pem, r);
}
