/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Public DCAP verification (include/attest/verify.h): thin wrappers over
 * src/evidence/sgx, whose trust store and collateral stay opaque.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/quote_json.h"
#include "attest/verify.h"
#include "evidence/sgx/quote.h"
#include "evidence/sgx/verify.h"

struct att_quote_trust {
	struct att_dcap_trust *t;
};

struct att_quote_collateral {
	struct att_dcap_collateral *c;
};

int att_quote_trust_new(struct att_quote_trust **out, int with_intel_root)
{
	struct att_quote_trust *t;
	int rc;
	if (!out)
		return ATT_ERR_INVALID_ARG;
	*out = NULL;
	if (!(t = calloc(1, sizeof(*t))))
		return ATT_ERR_NOMEM;
	rc = with_intel_root ? att_dcap_trust_new_intel(&t->t)
			     : att_dcap_trust_new_empty(&t->t);
	if (rc) {
		free(t);
		return rc;
	}
	*out = t;
	return 0;
}

int att_quote_trust_add_pem(struct att_quote_trust *t, const char *pem,
			    size_t len, char *errbuf, size_t errlen)
{
	struct att_diag d = {0};
	if (!t || !pem)
		return att_api_fail(ATT_ERR_INVALID_ARG,
				    "quote trust: no store or no PEM text",
				    errbuf, errlen);
	return att_api_err(att_dcap_trust_add_root_pem(t->t, pem, len, &d),
			   &d, errbuf, errlen);
}

void att_quote_trust_free(struct att_quote_trust *t)
{
	if (!t)
		return;
	att_dcap_trust_free(t->t);
	free(t);
}

int att_quote_collateral_from_json(struct att_quote_collateral **out,
				   const char *json, size_t len, char *errbuf,
				   size_t errlen)
{
	struct att_diag d = {0};
	struct att_quote_collateral *c;
	int rc;
	if (!out || !json)
		return att_api_fail(ATT_ERR_INVALID_ARG,
				    "quote collateral: no bundle text", errbuf,
				    errlen);
	*out = NULL;
	if (!(c = calloc(1, sizeof(*c))))
		return att_api_fail(ATT_ERR_NOMEM, "out of memory", errbuf,
				    errlen);
	rc = att_dcap_collateral_from_bundle_json(&c->c, json, len, &d);
	if (rc) {
		free(c);
		return att_api_err(rc, &d, errbuf, errlen);
	}
	*out = c;
	return 0;
}

void att_quote_collateral_free(struct att_quote_collateral *c)
{
	if (!c)
		return;
	att_dcap_collateral_free(c->c);
	free(c);
}

int att_verify_quote(const uint8_t *quote, size_t len,
		     const struct att_quote_collateral *col,
		     const struct att_quote_trust *trust, int64_t at,
		     unsigned flags, char **out_json, char *errbuf,
		     size_t errlen)
{
	struct att_diag d = {0};
	struct att_dcap_result *r = NULL;
	json_t *j = NULL;
	int rc;
	if (out_json)
		*out_json = NULL;
	if (!quote || !col || !trust)
		return att_api_fail(ATT_ERR_INVALID_ARG,
				    "quote verify: quote, collateral and trust "
				    "are required", errbuf, errlen);
	if (!(r = calloc(1, sizeof(*r))))
		return att_api_fail(ATT_ERR_NOMEM, "out of memory", errbuf,
				    errlen);
	r->tcb_status = ATT_TCB_STATUS_NONE;
	struct att_dcap_opts vo = {
		.allow_expired_collateral =
			(flags & ATT_QUOTE_ALLOW_EXPIRED_COLLATERAL) != 0,
		.parse_flags = att_sgx_has_oe_header(quote, len)
				       ? ATT_SGX_PARSE_OE_HEADER : 0,
	};
	rc = att_dcap_verify_opts(r, quote, len, col->c, trust->t, NULL, at,
				  &vo, &d);
	if (out_json) {
		j = att_api_dcap_json(rc, &d, r, quote, len, vo.parse_flags);
		if (!j || att_api_dump(out_json, j, 1) != 0)
			rc = rc ? rc : att_diag_set(&d, ATT_ERR_NOMEM,
						    "out of memory");
	}
	json_decref(j);
	free(r);
	return rc ? att_api_err(rc, &d, errbuf, errlen) : 0;
}
