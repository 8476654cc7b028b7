/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SEV-SNP trust store: the ARK pinned for each product. AMD's roots
 * are built in (ark_amd.c); more may be pinned from configuration or by
 * tests. An ARK is accepted only when it is self-issued and its own
 * signature verifies, so that the chain step can take it as the anchor.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "crypto/x509.h"
#include "evidence/snp/snp_int.h"

int att_snp_trust_new_empty(struct att_snp_trust **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : ATT_ERR_NOMEM;
}

void att_snp_trust_free(struct att_snp_trust *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < ATT_SNP_PRODUCT_COUNT; i++)
		att_cert_free(t->ark[i]);
	free(t);
}

/* PEM when the text starts (after white space) with "-----BEGIN". */
static bool looks_pem(const uint8_t *in, size_t len)
{
	static const char begin[] = "-----BEGIN";
	size_t i = 0;
	while (i < len && (in[i] == ' ' || in[i] == '\t' || in[i] == '\r' ||
			   in[i] == '\n'))
		i++;
	return len - i >= sizeof(begin) - 1 &&
	       memcmp(in + i, begin, sizeof(begin) - 1) == 0;
}

int att_snp_cert_load(struct att_cert **out, const uint8_t *in, size_t len)
{
	*out = NULL;
	if (in == NULL || len == 0 || len > ATT_SNP_MAX_CERT_LEN)
		return len > ATT_SNP_MAX_CERT_LEN ? ATT_ERR_LIMIT
						  : ATT_ERR_FORMAT;
	if (looks_pem(in, len))
		return att_cert_from_pem(out, (const char *)in, len);
	return att_cert_from_der(out, in, len);
}

int att_snp_trust_add_ark(struct att_snp_trust *t, enum att_snp_product p,
			  const uint8_t *cert, size_t len, struct att_diag *d)
{
	struct att_cert *ark = NULL;
	int rc;
	if (t == NULL || p <= ATT_SNP_PRODUCT_UNKNOWN ||
	    p >= ATT_SNP_PRODUCT_COUNT)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "snp: ARK for an "
				    "unknown product");
	if ((rc = att_snp_cert_load(&ark, cert, len)) != 0)
		return att_diag_set(d, rc, "snp: ARK for %s does not parse",
				    att_snp_product_name(p));
	if (!att_x509_is_self_issued(ark) ||
	    att_x509_check_signed_by(ark, ark) != 0) {
		att_cert_free(ark);
		return att_diag_set(d, ATT_ERR_CHAIN_INVALID, "snp: ARK for %s "
				    "is not self-signed",
				    att_snp_product_name(p));
	}
	att_cert_free(t->ark[p]);
	t->ark[p] = ark; /* transferred */
	return 0;
}

int att_snp_trust_new_amd(struct att_snp_trust **out)
{
	static const struct {
		enum att_snp_product p;
		const char *pem;
	} roots[] = {
		{ATT_SNP_MILAN, att_snp_ark_milan_pem},
		{ATT_SNP_GENOA, att_snp_ark_genoa_pem},
		{ATT_SNP_TURIN, att_snp_ark_turin_pem},
	};
	struct att_snp_trust *t = NULL;
	int rc = att_snp_trust_new_empty(&t);
	for (size_t i = 0; rc == 0 && i < sizeof(roots) / sizeof(roots[0]);
	     i++)
		rc = att_snp_trust_add_ark(t, roots[i].p,
					   (const uint8_t *)roots[i].pem,
					   strlen(roots[i].pem), NULL);
	if (rc != 0) {
		att_snp_trust_free(t);
		t = NULL;
	}
	*out = t;
	return rc;
}

const struct att_cert *att_snp_trust_get0_ark(const struct att_snp_trust *t,
					      enum att_snp_product p)
{
	if (t == NULL || p <= ATT_SNP_PRODUCT_UNKNOWN ||
	    p >= ATT_SNP_PRODUCT_COUNT)
		return NULL;
	return t->ark[p];
}
