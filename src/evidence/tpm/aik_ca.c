/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The provider's AIK CA (evidence/tpm/aik_ca.h): generating, exporting and
 * importing the CA, and issuing AIK certificates with the X.509 builder of
 * crypto/cert.h.
 */
#include "evidence/tpm/aik_ca.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"

struct att_tpmca {
	struct att_pkey *key;
	struct att_cert *cert;
};

void att_tpmca_free(struct att_tpmca *ca)
{
	if (!ca)
		return;
	att_pkey_free(ca->key);
	att_cert_free(ca->cert);
	free(ca);
}

static int ca_cert(struct att_tpmca *ca, const char *provider, int64_t now,
		   int days)
{
	char cn[128];
	snprintf(cn, sizeof(cn), "attestd TPM AIK CA (%.60s)", provider);
	const struct att_cert_name_attr name[] = {{"O", "attestd"},
						  {"CN", cn}};
	struct att_cert_spec s = {
		.subject = name,
		.n_subject = 2,
		.subject_key = ca->key,
		.not_before = now - 3600,
		.not_after = now + (int64_t)days * 86400,
		.basic_constraints = true,
		.ca = true,
		.pathlen = 0,
		.key_usage = ATT_KU_KEY_CERT_SIGN | ATT_KU_CRL_SIGN,
		.ski = ATT_SKI_KEY_SHA1,
		.aki = true,
	};
	return att_cert_build(&ca->cert, &s);
}

int att_tpmca_generate(struct att_tpmca **out, const char *provider,
		       int64_t now, int days)
{
	struct att_tpmca *ca = calloc(1, sizeof(*ca));
	int r = ATT_ERR_NOMEM;
	*out = NULL;
	if (!ca)
		return r;
	if ((r = att_pkey_generate(&ca->key, ATT_KEY_EC_P256)) != 0 ||
	    (r = ca_cert(ca, provider, now, days)) != 0) {
		att_tpmca_free(ca);
		return r;
	}
	*out = ca;
	return 0;
}

int att_tpmca_cert_pem(const struct att_tpmca *ca, char **out)
{
	return att_cert_to_pem(out, ca->cert);
}

int att_tpmca_export(const struct att_tpmca *ca, char **key_pem,
		     size_t *key_len, char **cert_pem)
{
	*key_pem = NULL;
	*cert_pem = NULL;
	int r = att_pkey_to_pem(key_pem, ca->key, true);
	if (r)
		return r;
	*key_len = strlen(*key_pem);
	r = att_tpmca_cert_pem(ca, cert_pem);
	if (r) {
		att_cleanse(*key_pem, *key_len);
		free(*key_pem);
		*key_pem = NULL;
	}
	return r;
}

int att_tpmca_import(struct att_tpmca **out, const char *key_pem,
		     size_t key_len, const char *cert_pem, size_t cert_len)
{
	struct att_tpmca *ca = calloc(1, sizeof(*ca));
	int r = ATT_ERR_NOMEM;
	*out = NULL;
	if (!ca)
		return r;
	r = ATT_ERR_FORMAT;
	if (att_pkey_from_pem(&ca->key, key_pem, key_len) != 0 ||
	    !att_pkey_has_private(ca->key) ||
	    att_cert_from_pem(&ca->cert, cert_pem, cert_len) != 0)
		goto out;
	if (!att_cert_matches_key(ca->cert, ca->key)) {
		r = ATT_ERR_MISMATCH;
		goto out;
	}
	*out = ca;
	ca = NULL; /* transferred */
	r = 0;
out:
	att_tpmca_free(ca);
	return r;
}

static int aik_subject(char cn[static 2 * 32 + 1],
		       const struct att_tpmca_issue *a)
{
	/* CN is at most 64 characters: the Name's digest, without the
	 * algorithm prefix (SHA-256: exactly 64 hex digits). */
	size_t dl = a->aik_name_len > 2 ? a->aik_name_len - 2 : 0;
	if (dl == 0 || dl > 32)
		return ATT_ERR_INVALID_ARG;
	att_hex_encode(cn, 2 * 32 + 1, a->aik_name + 2, dl, false);
	return 0;
}

static int aik_cert(struct att_cert **out, const struct att_tpmca *ca,
		    const struct att_tpmca_issue *a, struct att_pkey *pub)
{
	char cn[2 * 32 + 1];
	int r = aik_subject(cn, a);
	if (r)
		return r;
	const struct att_cert_name_attr name[] = {{"O", "attestd TPM AIK"},
						  {"CN", cn}};
	const struct att_cert_raw_ext raw[] = {
		{ATT_TPM_OID_AIK_NAME, a->aik_name, a->aik_name_len, false,
		 true},
		{ATT_TPM_OID_EK_CERT_SHA256, a->ek_cert_sha256, 32, false, true},
	};
	struct att_cert_spec s = {
		.subject = name,
		.n_subject = 2,
		.issuer = ca->cert,
		.signing_key = ca->key,
		.subject_key = pub,
		.not_before = a->now - 3600,
		.not_after = a->now + (int64_t)a->days * 86400,
		.basic_constraints = true,
		.pathlen = -1,
		.key_usage = ATT_KU_DIGITAL_SIGNATURE,
		.ski = ATT_SKI_KEY_SHA1,
		.aki = true,
		.raw = raw,
		.n_raw = a->ek_cert_sha256 ? 2 : 1,
	};
	return att_cert_build(out, &s);
}

int att_tpmca_issue(uint8_t **der, size_t *der_len, const struct att_tpmca *ca,
		    const struct att_tpmca_issue *a, struct att_diag *diag)
{
	struct att_pkey *pub = NULL;
	struct att_cert *c = NULL;
	int r;
	*der = NULL;
	*der_len = 0;
	/* DER only (the SPKI reader also takes PEM). */
	if (!a->spki || a->spki_len == 0 || a->spki[0] == '-' ||
	    att_pkey_from_public(&pub, a->spki, a->spki_len) != 0)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "AIK public key is not a valid SPKI");
	if ((r = aik_cert(&c, ca, a, pub)) != 0)
		r = att_diag_set(diag, r, "cannot issue the AIK certificate");
	else
		r = att_cert_to_der(der, der_len, c);
	att_cert_free(c);
	att_pkey_free(pub);
	return r;
}
