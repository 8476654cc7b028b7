/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The verifier's life cycle, its result, and the one table from an error
 * to an HTTP status and MAA error code (verifier.h).
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "collateral/kds.h"
#include "collateral/service.h"
#include "evidence/sgx/verify.h"
#include "evidence/snp/cache.h"
#include "evidence/snp/snp.h"
#include "verify/policy_cache.h"
#include "verify/verifier.h"

/* The objects of cfg are the verifier's once it exists, freed by
 * att_verifier_free; on failure they stay the caller's. */
int att_verifier_new(struct att_verifier **out,
		     const struct att_verifier_cfg *cfg, struct att_diag *d)
{
	struct att_verifier *v = calloc(1, sizeof(*v));
	*out = NULL;
	if (!v)
		return att_diag_set(d, ATT_ERR_NOMEM,
				    "cannot allocate the verifier: out of "
				    "memory");
	if (!cfg->policies && att_policy_cache_new(&v->policies, 0) != 0) {
		free(v);
		return att_diag_set(d, ATT_ERR_NOMEM,
				    "cannot allocate the verifier's policy "
				    "cache: out of memory");
	}
	if (!cfg->snp_trust && att_snp_trust_new_amd(&v->snp_trust) != 0) {
		if (!cfg->policies)
			att_policy_cache_free(v->policies);
		free(v);
		return att_diag_set(d, ATT_ERR_INTERNAL,
				    "cannot load AMD's SEV-SNP root keys");
	}
	if (!cfg->snp_cache && att_snp_cache_new(&v->snp_cache, 0) != 0) {
		if (!cfg->snp_trust)
			att_snp_trust_free(v->snp_trust);
		if (!cfg->policies)
			att_policy_cache_free(v->policies);
		free(v);
		return att_diag_set(d, ATT_ERR_NOMEM,
				    "cannot allocate the verifier's SEV-SNP "
				    "cache: out of memory");
	}
	if (cfg->snp_cache)
		v->snp_cache = cfg->snp_cache;
	if (cfg->snp_trust)
		v->snp_trust = cfg->snp_trust;
	v->snp_dev_trust = cfg->snp_dev_trust;
	v->tpm_dev_root_file = cfg->tpm_dev_root_file;
	v->tpm_dev_inter_file = cfg->tpm_dev_inter_file;
	v->tpm_dev_policy = cfg->tpm_dev_policy;
	v->tpm_dev_policy_provider = cfg->tpm_dev_policy_provider;
	v->kds = cfg->kds;
	if (cfg->policies)
		v->policies = cfg->policies;
	v->trust = cfg->trust;
	v->dcap_cache = cfg->dcap_cache;
	v->collateral = cfg->collateral;
	v->store = cfg->store;
	v->verify_time = cfg->verify_time;
	*out = v;
	return 0;
}

void att_verifier_free(struct att_verifier *v)
{
	if (!v)
		return;
	att_collateral_svc_free(v->collateral);
	att_dcap_cache_free(v->dcap_cache);
	att_dcap_trust_free(v->trust);
	att_policy_cache_free(v->policies);
	att_snp_trust_free(v->snp_trust);
	att_snp_trust_free(v->snp_dev_trust);
	att_kds_free(v->kds);
	att_snp_cache_free(v->snp_cache);
	free(v->tpm_dev_root_file);
	free(v->tpm_dev_inter_file);
	free(v);
}

int64_t att_verifier_time(const struct att_verifier *v, int64_t now)
{
	return v->verify_time ? v->verify_time : now;
}

void att_verify_result_init(struct att_verify_result *res)
{
	memset(res, 0, sizeof(*res));
	att_policy_result_init(&res->policy);
}

void att_verify_result_release(struct att_verify_result *res)
{
	if (!res)
		return;
	json_decref(res->claims);
	free(res->token);
	free(res->reply);
	att_policy_result_release(&res->policy);
	att_verify_result_init(res);
}

bool att_verify_is_internal(int err)
{
	return err == ATT_ERR_NOMEM || err == ATT_ERR_INTERNAL ||
	       err == ATT_ERR_STORE || err == ATT_ERR_IO ||
	       err == ATT_ERR_CRYPTO;
}

/*
 * The one table from an error to an HTTP status and MAA code, for the
 * verifier and for every handler of src/server (att_resp_err there).
 * First part, by error: failures of the service itself, then an upstream
 * that could not be reached; their code and status hold whatever the
 * step. Second part, by the failing step's MAA code, for every other
 * error: the codes whose status is not 400.
 *
 * Answers that src/server still writes with explicit statuses, because
 * they are facts of HTTP with no ATT_ERR_* behind them:
 *   dispatch.c   404 NotFound (no such route, no such provider),
 *                405 MethodNotAllowed (with Allow),
 *                429 TooManyRequests (with Retry-After);
 *   auth.c       401 Unauthorized (with WWW-Authenticate);
 *   server.c     413 RequestTooLarge and the strict HTTP refusals of
 *                http_strict.c (400, 414, 431, ... with their codes);
 *   api_health.c 503 NotReady (the readiness probe's answer).
 * api_attest.c and api_tpm.c answer with the status and code the
 * verifier took from this table (struct att_verify_result).
 */
static const struct {
	int err;
	int status;
	const char *code;
} err_table[] = {
	{ATT_ERR_NOMEM, 500, "InternalError"},
	{ATT_ERR_INTERNAL, 500, "InternalError"},
	{ATT_ERR_STORE, 500, "InternalError"},
	{ATT_ERR_IO, 500, "InternalError"},
	{ATT_ERR_CRYPTO, 500, "InternalError"},
	{ATT_ERR_NETWORK, 503, "ServiceUnavailable"},
	{ATT_ERR_TIMEOUT, 503, "ServiceUnavailable"},
};

static const struct {
	const char *code;
	int status;
} code_table[] = {
	{"InternalError", 500},
	{"ServiceUnavailable", 503},
	{"Forbidden", 403},
};

int att_verify_http_status(int err, const char *dflt, const char **maa_code)
{
	const char *code = dflt ? dflt : "InvalidParameter";
	for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (err_table[i].err == err) {
			*maa_code = err_table[i].code;
			return err_table[i].status;
		}
	*maa_code = code;
	for (size_t i = 0; i < sizeof(code_table) / sizeof(code_table[0]); i++)
		if (!strcmp(code_table[i].code, code))
			return code_table[i].status;
	return 400;
}

const char *att_policy_limit_name(enum att_policy_limit limit)
{
	switch (limit) {
	case ATT_POLICY_LIMIT_RULES:
		return "limits.policy_max_rules";
	case ATT_POLICY_LIMIT_JMESPATH:
		return "limits.policy_max_jmespath";
	case ATT_POLICY_LIMIT_NESTING:
		return "limits.policy_max_nesting";
	case ATT_POLICY_LIMIT_TIME:
		return "limits.policy_eval_ms";
	case ATT_POLICY_LIMIT_STEPS:
		return "limits.policy_eval_steps";
	case ATT_POLICY_LIMIT_BYTES:
		return "limits.policy_eval_bytes";
	default:
		return "";
	}
}
