/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Public policy compile / evaluate / explain (include/attest/verify.h)
 * over src/policy, with the result shape of `attest policy eval`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "attest/verify.h"
#include "policy/policy.h"

struct att_verify_policy {
	struct att_policy *p;
};

int att_verify_policy_compile(struct att_verify_policy **out,
			      const char *text, size_t len, char *errbuf,
			      size_t errlen)
{
	struct att_verify_policy *vp;
	struct att_policy_error e;
	struct att_diag d = {0};
	int rc;
	if (!out || !text)
		return att_api_fail(ATT_ERR_INVALID_ARG,
				    "policy: no policy text", errbuf, errlen);
	*out = NULL;
	if (!(vp = calloc(1, sizeof(*vp))))
		return att_api_fail(ATT_ERR_NOMEM, "out of memory", errbuf,
				    errlen);
	memset(&e, 0, sizeof(e));
	rc = att_policy_compile(&vp->p, text, len, &e, &d);
	if (rc) {
		free(vp);
		return att_api_err(rc, &d, errbuf, errlen);
	}
	*out = vp;
	return 0;
}

void att_verify_policy_free(struct att_verify_policy *p)
{
	if (!p)
		return;
	att_policy_free(p->p);
	free(p);
}

static int load_claims(struct att_claimset *in, const char *text,
		       struct att_diag *d)
{
	json_t *j;
	int rc;
	if (!text)
		return 0; /* no incoming claims */
	rc = att_api_parse(&j, text, "policy: incoming claims", d);
	if (rc == 0)
		rc = att_claimset_from_json(in, j, ATT_CLAIM_ISSUER_SERVICE, d);
	json_decref(j);
	return rc;
}

static json_t *result_json(const struct att_policy_result *res)
{
	json_t *o = json_pack("{s:b, s:o, s:O, s:s?}", "authorized",
			      res->authorized, "issued",
			      att_claimset_to_object(&res->issued),
			      "properties", res->properties, "deny",
			      res->deny_summary);
	if (o && res->explain)
		json_object_set(o, "explain", res->explain);
	return o;
}

int att_verify_policy_eval(const struct att_verify_policy *p,
			   const char *claims_json, int explain,
			   char **out_json, char *errbuf, size_t errlen)
{
	struct att_claimset in;
	struct att_policy_result res;
	struct att_diag d = {0};
	json_t *j = NULL;
	int rc;
	if (out_json)
		*out_json = NULL;
	if (!p)
		return att_api_fail(ATT_ERR_INVALID_ARG, "policy: no policy",
				    errbuf, errlen);
	att_claimset_init(&in);
	att_policy_result_init(&res);
	rc = load_claims(&in, claims_json, &d);
	if (rc == 0)
		rc = att_policy_eval(p->p, &in, &res, explain != 0, &d);
	if (rc == 0 && out_json) {
		j = result_json(&res);
		if (!j || att_api_dump(out_json, j, 1) != 0)
			rc = att_diag_set(&d, ATT_ERR_NOMEM, "out of memory");
	}
	json_decref(j);
	att_policy_result_release(&res);
	att_claimset_release(&in);
	return rc ? att_api_err(rc, &d, errbuf, errlen) : 0;
}

_Static_assert(ATT_VERIFY_POLICY_HASH_LEN == ATT_POLICY_HASH_LEN,
	       "the public hash size is the policy module's");

int att_verify_policy_hash(char out[ATT_VERIFY_POLICY_HASH_LEN],
			   const char *text, size_t len)
{
	if (!out || !text)
		return ATT_ERR_INVALID_ARG;
	return att_policy_hash(out, text, len);
}
