/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Intel PCS / PCCS API v4 routes of the collateral items (Intel "SGX and TDX
 * PCS API Specification" v4; docs/collateral.md): TCB Info per TEE and FMSPC,
 * QE Identity per TEE, PCK CRL per CA (DER encoding asked for), and the Root
 * CA CRL (a PCCS serves it at /sgx/certification/v4/rootcacrl; with Intel's
 * PCS it is the CRL distribution point of the root certificate, configurable).
 * A response is accepted only if it is the item asked for.
 */
#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "collateral/pcs.h"

static const char *const tcb_headers[] = {
	"TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain",
	"TDX-TCB-Info-Issuer-Chain", NULL,
};
static const char *const qe_headers[] = {
	"SGX-Enclave-Identity-Issuer-Chain", "Enclave-Identity-Issuer-Chain",
	NULL,
};
static const char *const crl_headers[] = {"SGX-PCK-CRL-Issuer-Chain", NULL};

static void set_headers(const char *out[ATT_PCS_MAX_CHAIN_HEADERS + 1],
			const char *const *in)
{
	size_t i = 0;
	for (; in && in[i] && i < ATT_PCS_MAX_CHAIN_HEADERS; i++)
		out[i] = in[i];
	out[i] = NULL;
}

int att_pcs_item_url(char *url, size_t url_len,
		     const char *headers[ATT_PCS_MAX_CHAIN_HEADERS + 1],
		     const struct att_pcs_conf *c,
		     const struct att_colspec *s)
{
	char fm[13];
	int n = -1;
	const char *tee = att_dcap_tee_name(s->tee);
	set_headers(headers, NULL);
	switch (s->kind) {
	case ATT_COLITEM_TCB_INFO:
		att_hex_encode(fm, sizeof(fm), s->fmspc, 6, true);
		n = snprintf(url, url_len, "%s/%s/certification/v4/tcb?fmspc=%s",
			     c->base_url, tee, fm);
		set_headers(headers, tcb_headers);
		break;
	case ATT_COLITEM_QE_IDENTITY:
		n = snprintf(url, url_len, "%s/%s/certification/v4/qe/identity",
			     c->base_url, tee);
		set_headers(headers, qe_headers);
		break;
	case ATT_COLITEM_PCK_CRL:
		n = snprintf(url, url_len, "%s/sgx/certification/v4/pckcrl?"
			     "ca=%s&encoding=der", c->base_url,
			     att_dcap_ca_name(s->ca));
		set_headers(headers, crl_headers);
		break;
	case ATT_COLITEM_ROOT_CRL:
		if (c->is_pccs || !c->root_crl_url)
			n = snprintf(url, url_len, "%s/sgx/certification/v4/"
				     "rootcacrl", c->base_url);
		else
			n = snprintf(url, url_len, "%s", c->root_crl_url);
		break;
	case ATT_COLITEM_CHAIN:
		return ATT_ERR_UNSUPPORTED; /* chains come in headers */
	}
	return n < 0 || (size_t)n >= url_len ? ATT_ERR_LIMIT : 0;
}

static int check_is(const struct att_colitem *got, const struct att_colspec *s,
		    const char *url, struct att_diag *d)
{
	char want[ATT_COLITEM_WHAT_LEN], have[ATT_COLITEM_WHAT_LEN];
	if (att_colspec_same(&got->spec, s))
		return 0;
	att_colspec_what(s, want, sizeof(want));
	att_colspec_what(&got->spec, have, sizeof(have));
	return att_diag_set(d, ATT_ERR_MISMATCH, "GET %.300s: asked for %s, "
			    "got %s", url, want, have);
}

int att_pcs_fetch_item(struct att_colitem *out, const struct att_pcs_conf *c,
		       const struct att_colspec *s, struct att_diag *d)
{
	const char *headers[ATT_PCS_MAX_CHAIN_HEADERS + 1];
	struct att_pcs_resp r;
	struct att_diag cd = {0};
	char url[2048];
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = att_pcs_item_url(url, sizeof(url), headers, c, s)) != 0)
		return att_diag_set(d, rc, "no PCS route for this item");
	if ((rc = att_pcs_get(&r, url, headers, c, d)) != 0)
		return rc;
	if ((rc = att_colitem_classify(out, r.body, r.body_len, &cd)) != 0)
		rc = att_diag_set(d, rc, "GET %.300s: %s", url, cd.msg);
	else if ((rc = check_is(out, s, url, d)) == 0 && r.chain &&
		 (rc = att_colitem_attach_chain(out, r.chain, r.chain_len,
						&cd)) != 0)
		rc = att_diag_set(d, rc, "GET %.300s: header %s: %s", url,
				  r.chain_header, cd.msg);
	if (rc == 0)
		rc = att_colitem_set_source(out, "GET %s", url);
	if (rc)
		att_colitem_release(out);
	att_pcs_resp_release(&r);
	return rc;
}
