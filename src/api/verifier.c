/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The whole verifier in libattest (include/attest/verify.h: struct
 * att_verify_ctx, att_verify_attest) over src/verify's struct
 * att_verifier: the same pipeline attestd's POST /attest/{type} runs,
 * with a store the caller names (or an in-memory one), the caller's trust
 * roots (Intel's and AMD's by default), an AMD KDS client over the store
 * (offline unless given a URL), and an optional token signed with the
 * caller's key. Evidence
 * types are dispatched through one table (kinds[]), so a new type is one
 * line there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "api/api.h"
#include "attest/token.h"
#include "attest/verify.h"
#include "base/limits.h"
#include "base/timeutil.h"
#include "collateral/kds.h"
#include "collateral/service.h"
#include "crypto/pkey.h"
#include "evidence/sgx/verify.h"
#include "evidence/snp/snp.h"
#include "store/store.h"
#include "token/jws.h"
#include "token/jwt.h"
#include "verify/policy_cache.h"
#include "verify/verifier.h"

/* The file of the store in an attestd data directory (server/datadir.h,
 * ATT_DATADIR_DB). */
#define DATADIR_DB "attestd.db"

struct att_verify_ctx {
	struct att_store *store;  /* owned; outlives v */
	struct att_verifier *v;   /* owns trust, caches, collateral */
};

/* The evidence types of att_verify_attest: MAA's type name and the
 * verifier's entry point. */
typedef int (*run_fn)(struct att_verifier *v, const struct att_verify_req *req,
		      struct att_verify_result *res);

/* run_snp: SevSnpVm with AMD's appraisal defaults (debug refused, any
 * VMPL, no minimum TCB, CRL used when had but not required). */
static int run_snp(struct att_verifier *v, const struct att_verify_req *req,
		   struct att_verify_result *res)
{
	static const struct att_snp_appraisal dflt = {.max_vmpl = 3};
	struct att_verify_req r = *req;
	if (!r.snp)
		r.snp = &dflt;
	return att_verify_snp(v, &r, res);
}

static const struct {
	const char *type;
	run_fn run;
} kinds[] = {
	{"SgxEnclave", att_verify_sgx},
	{"OpenEnclave", att_verify_oe},
	{"TdxVm", att_verify_tdx},
	{"SevSnpVm", run_snp},
};

static run_fn find_kind(const char *type)
{
	for (size_t i = 0; type && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcasecmp(kinds[i].type, type))
			return kinds[i].run;
	return NULL;
}

/* open_store: NULL is an in-memory store; a directory is attestd's data
 * directory, whose database must exist; anything else a SQLite file. */
static int open_store(struct att_store **out, const char *path,
		      struct att_diag *d)
{
	struct stat st;
	char db[4096];
	if (!path)
		return att_store_open_sqlite(out, ":memory:", d);
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return att_store_open_sqlite(out, path, d);
	if ((size_t)snprintf(db, sizeof(db), "%s/%s", path, DATADIR_DB) >=
	    sizeof(db))
		return att_diag_set(d, ATT_ERR_LIMIT,
				    "verifier: store path too long");
	if (stat(db, &st) != 0)
		return att_diag_set(d, ATT_ERR_NOT_FOUND,
				    "verifier: %s is a directory without %s "
				    "(not an attestd data directory)",
				    path, DATADIR_DB);
	return att_store_open_sqlite(out, db, d);
}

static int make_trust(struct att_dcap_trust **out,
		      const struct att_verify_ctx_opts *o, struct att_diag *d)
{
	int r = o->no_intel_root ? att_dcap_trust_new_empty(out)
				 : att_dcap_trust_new_intel(out);
	if (r)
		return att_diag_set(d, r, "verifier: cannot make the trust "
				    "store");
	for (size_t i = 0; i < o->n_root_pems; i++) {
		const char *pem = o->root_pems ? o->root_pems[i] : NULL;
		if (!pem)
			return att_diag_set(d, ATT_ERR_INVALID_ARG,
					    "verifier: root PEM %zu is NULL",
					    i);
		if ((r = att_dcap_trust_add_root_pem(*out, pem, strlen(pem),
						     d)) != 0)
			return r;
	}
	return 0;
}

/* make_snp_trust: AMD's ARKs (unless no_amd_roots) and the caller's. */
static int make_snp_trust(struct att_snp_trust **out,
			  const struct att_verify_ctx_opts *o,
			  struct att_diag *d)
{
	int r = o->no_amd_roots ? att_snp_trust_new_empty(out)
				: att_snp_trust_new_amd(out);
	if (r)
		return att_diag_set(d, r, "verifier: cannot make the SEV-SNP "
				    "trust store");
	for (size_t i = 0; i < o->n_snp_arks; i++) {
		const struct att_verify_snp_ark *a =
			o->snp_arks ? &o->snp_arks[i] : NULL;
		enum att_snp_product p =
			a && a->product ? att_snp_product_from_name(a->product)
					: ATT_SNP_PRODUCT_UNKNOWN;
		if (!a || !a->pem || p == ATT_SNP_PRODUCT_UNKNOWN)
			return att_diag_set(d, ATT_ERR_INVALID_ARG,
					    "verifier: SEV-SNP ARK %zu: no PEM "
					    "or product not Milan, Genoa or "
					    "Turin",
					    i);
		size_t n = a->pem_len ? a->pem_len : strlen(a->pem);
		if ((r = att_snp_trust_add_ark(*out, p, (const uint8_t *)a->pem,
					       n, d)) != 0)
			return r;
	}
	return 0;
}

static int make_kds(struct att_kds **out, struct att_store *st,
		    const struct att_verify_ctx_opts *o, struct att_diag *d)
{
	struct att_kds_opts ko = {
		.store = st,
		.base_url = o->kds_url,
		.offline = o->kds_url == NULL,
		.ca_file = o->kds_ca_file,
	};
	return att_kds_new(out, &ko, d);
}

static int make_collateral(struct att_collateral_svc **out,
			   struct att_store *st,
			   const struct att_verify_ctx_opts *o,
			   struct att_diag *d)
{
	struct att_collateral_opts co = {
		.store = st,
		.pcs_base_url = o->pcs_url,
		.is_pccs = o->pcs_is_pccs != 0,
		.ca_file = o->pcs_ca_file,
	};
	return att_collateral_svc_new(out, &co, d);
}

int att_verify_ctx_new(struct att_verify_ctx **out,
		       const struct att_verify_ctx_opts *o, char *errbuf,
		       size_t errlen)
{
	static const struct att_verify_ctx_opts none;
	struct att_verify_ctx *c = NULL;
	struct att_dcap_trust *trust = NULL;
	struct att_dcap_cache *cache = NULL;
	struct att_collateral_svc *col = NULL;
	struct att_snp_trust *snp = NULL;
	struct att_kds *kds = NULL;
	struct att_diag d = {0};
	int r;
	if (!out)
		return att_api_fail(ATT_ERR_INVALID_ARG, "verifier: no output",
				    errbuf, errlen);
	*out = NULL;
	if (!o)
		o = &none;
	if (o->verify_time < 0)
		return att_api_fail(ATT_ERR_INVALID_ARG, "verifier: negative "
				    "verify_time", errbuf, errlen);
	if (!(c = calloc(1, sizeof(*c)))) {
		r = att_diag_set(&d, ATT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = open_store(&c->store, o->store, &d)) != 0 ||
	    (r = make_trust(&trust, o, &d)) != 0 ||
	    (r = make_collateral(&col, c->store, o, &d)) != 0 ||
	    (r = make_snp_trust(&snp, o, &d)) != 0 ||
	    (r = make_kds(&kds, c->store, o, &d)) != 0)
		goto out;
	if ((r = att_dcap_cache_new(&cache, ATT_ATTEST_DCAP_CACHE_ENTRIES))) {
		att_diag_set(&d, r, "out of memory");
		goto out;
	}
	struct att_verifier_cfg cfg = {
		.trust = trust,
		.dcap_cache = cache,
		.collateral = col,
		.store = c->store,
		.verify_time = o->verify_time,
		.snp_trust = snp,
		.kds = kds,
	};
	if ((r = att_verifier_new(&c->v, &cfg, &d)) != 0)
		goto out;
	snp = NULL;   /* transferred */
	kds = NULL;   /* transferred */
	trust = NULL; /* transferred */
	cache = NULL; /* transferred */
	col = NULL;   /* transferred */
	*out = c;
	c = NULL; /* transferred */
out:
	att_kds_free(kds);
	att_snp_trust_free(snp);
	att_collateral_svc_free(col);
	att_dcap_cache_free(cache);
	att_dcap_trust_free(trust);
	att_verify_ctx_free(c);
	return r ? att_api_err(r, &d, errbuf, errlen) : 0;
}

int att_verify_ctx_import(struct att_verify_ctx *v, const char *file_or_dir,
			  int64_t now, char *errbuf, size_t errlen)
{
	struct att_collateral_import_report rep = {0};
	struct att_diag d = {0};
	if (!v || !file_or_dir)
		return att_api_fail(ATT_ERR_INVALID_ARG, "verifier: no context "
				    "or no path", errbuf, errlen);
	int r = att_collateral_svc_import(v->v->collateral, file_or_dir,
					  now > 0 ? now : att_time_now(), &rep,
					  &d);
	if (!r && v->v->kds)
		att_kds_invalidate(v->v->kds); /* AMD items: read them anew */
	return r ? att_api_err(r, &d, errbuf, errlen) : 0;
}

void att_verify_ctx_free(struct att_verify_ctx *v)
{
	if (!v)
		return;
	att_verifier_free(v->v); /* before the store it reads */
	att_store_close(v->store);
	free(v);
}

/* ---- one request ---------------------------------------------------- */

/* What the token signer needs (the verifier's att_verify_sign_fn). */
struct signer {
	const struct att_verify_attest_opts *o;
	enum att_jws_alg alg;
	int64_t now;
	int64_t lifetime;
};

/* pick_alg checks the caller's key and algorithm against the allow-list
 * of attestd's own signing keys: RS256 (RSA), ES256 (EC P-256). */
static int pick_alg(struct signer *s, struct att_diag *d)
{
	const struct att_pkey *k = s->o->sign_key->k;
	enum att_jws_alg a = att_jws_alg_for_key(k);
	if (!att_pkey_has_private(k))
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "token: the "
				    "signing key has no private part");
	if (s->o->sign_alg && att_jws_alg_from_name(&a, s->o->sign_alg) != 0)
		a = ATT_JWS_UNKNOWN;
	if ((a != ATT_JWS_RS256 && a != ATT_JWS_ES256) ||
	    !att_jws_alg_fits_key(a, k))
		return att_diag_set(d, ATT_ERR_ALG, "token: algorithm %s is "
				    "not allowed for this key (RS256 with "
				    "RSA, ES256 with EC P-256)",
				    s->o->sign_alg ? s->o->sign_alg
						   : att_jws_alg_name(a));
	s->alg = a;
	return 0;
}

/* unsigned_token: the alg-none token of a draft policy (MAA's policy
 * trial), so that it can never be taken for a signed one. */
static int unsigned_token(char **out, json_t *claims)
{
	char *payload = json_dumps(claims, JSON_COMPACT);
	json_t *hdr = json_pack("{s:s}", "typ", "JWT");
	int r = payload && hdr ? att_jws_unsigned(out, hdr, payload,
						  strlen(payload))
			       : ATT_ERR_NOMEM;
	json_decref(hdr);
	free(payload);
	return r;
}

static int sign(void *arg, json_t *claims, bool draft, char **token,
		struct att_diag *d)
{
	struct signer *s = arg;
	const struct att_verify_attest_opts *o = s->o;
	int r;
	*token = NULL;
	if (json_object_set_new(claims, "iat", json_integer(s->now)) ||
	    json_object_set_new(claims, "nbf", json_integer(s->now)) ||
	    json_object_set_new(claims, "exp",
				json_integer(s->now + s->lifetime)) ||
	    (o->issuer &&
	     json_object_set_new(claims, "iss", json_string(o->issuer))))
		return att_diag_set(d, ATT_ERR_NOMEM, "out of memory");
	if (draft) {
		r = unsigned_token(token, claims);
	} else {
		struct att_jwt_signer js = {
			.key = o->sign_key->k, .alg = s->alg, .kid = o->kid};
		r = att_jwt_sign(token, claims, &js);
	}
	if (!r && strlen(*token) > ATT_MAX_TOKEN_LEN)
		r = ATT_ERR_LIMIT;
	if (r) {
		free(*token);
		*token = NULL;
		if (r != ATT_ERR_LIMIT)
			att_diag_set(d, r, "cannot sign the token");
	}
	return r;
}

/* compile_policy compiles the caller's policy text within the default
 * limits; a failure is MAA's PolicyParsingError with line and column. */
static int compile_policy(struct att_cached_policy **out,
			  const struct att_verify_attest_opts *o,
			  const char **maa_code, struct att_diag *d)
{
	struct att_policy_limits lim;
	struct att_policy_error pe = {0};
	att_policy_limits_default(&lim);
	int r = att_cached_policy_compile_limited(out, o->policy, o->policy_len,
						  &lim, &pe, d);
	if (!r)
		return 0;
	char why[ATT_DIAG_LEN];
	att_verify_http_status(r, "PolicyParsingError", maa_code);
	snprintf(why, sizeof(why), "%s", pe.msg[0] ? pe.msg : att_diag_msg(d));
	if (pe.line)
		return att_diag_set(d, r, "policy: line %u, column %u: %s",
				    pe.line, pe.column, why);
	return att_diag_set(d, r, "policy: %s", why);
}

static json_t *policy_json(const struct att_verify_result *res, bool explain)
{
	const struct att_policy_result *pr = &res->policy;
	json_t *hash = json_object_get(res->claims, "x-ms-policy-hash");
	json_t *o = json_pack("{s:O?, s:o, s:s?}", "hash", hash, "issued",
			      att_claimset_to_object(&pr->issued), "deny",
			      res->authorized ? NULL : pr->deny_summary);
	if (o && explain && pr->explain &&
	    json_object_set(o, "explain", pr->explain)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* result_json renders a finished run (authorized or denied). */
static int result_json(char **out, const struct att_verify_result *res,
		       bool explain)
{
	json_t *pol = policy_json(res, explain);
	json_t *o = pol ? json_pack("{s:b, s:O, s:o}", "authorized",
				    res->authorized, "claims", res->claims,
				    "policy", pol)
			: NULL;
	int r = o ? 0 : ATT_ERR_NOMEM;
	if (!r && res->token && res->authorized &&
	    json_object_set_new(o, "token", json_string(res->token)))
		r = ATT_ERR_NOMEM;
	if (!r && res->draft && json_object_set_new(o, "draft", json_true()))
		r = ATT_ERR_NOMEM;
	if (!r)
		r = att_api_dump(out, o, 0);
	json_decref(o);
	return r;
}

/* prepare fills the request from the caller's options: time, policy,
 * signer. */
static int prepare(struct att_verify_req *vr, struct signer *s,
		   struct att_cached_policy **pol,
		   const struct att_verify_attest_opts *o,
		   const char **maa_code, struct att_diag *d)
{
	vr->provider = o->provider ? o->provider : "default";
	vr->now = o->now > 0 ? o->now : att_time_now();
	vr->explain = o->explain != 0;
	vr->refuse_draft = !o->allow_draft;
	att_policy_limits_default(&vr->limits);
	att_policy_budget_default(&vr->budget);
	s->o = o;
	s->now = vr->now;
	s->lifetime = o->token_lifetime > 0 ? o->token_lifetime
					    : ATT_ATTEST_TOKEN_LIFETIME_SECONDS;
	if (s->lifetime > INT64_MAX - s->now)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "token: lifetime "
				    "too long");
	if (o->sign_key) {
		int r = pick_alg(s, d);
		if (r)
			return r;
		vr->sign = sign;
		vr->sign_arg = s;
	}
	if (o->policy) {
		int r = compile_policy(pol, o, maa_code, d);
		if (r)
			return r;
		vr->policy = *pol;
	}
	return 0;
}

int att_verify_attest(struct att_verify_ctx *v, const char *type,
		      const uint8_t *body, size_t len,
		      const struct att_verify_attest_opts *o, char **out_json,
		      const char **out_maa_code, char *errbuf, size_t errlen)
{
	static const struct att_verify_attest_opts none;
	struct att_verify_req vr = {.body = body, .body_len = len};
	struct att_verify_result res;
	struct att_cached_policy *pol = NULL;
	struct att_diag d = {0};
	struct signer s = {0};
	const char *code = NULL, *ignored;
	run_fn run = find_kind(type);
	int r;
	if (!out_maa_code)
		out_maa_code = &ignored;
	*out_maa_code = NULL;
	if (out_json)
		*out_json = NULL;
	att_verify_result_init(&res);
	if (!v || !body) {
		r = att_diag_set(&d, ATT_ERR_INVALID_ARG,
				 "verifier: no context or no request body");
	} else if (!run) {
		r = att_diag_set(&d, ATT_ERR_UNSUPPORTED,
				 "verifier: unknown attestation type '%.64s' "
				 "(SgxEnclave, OpenEnclave, TdxVm, SevSnpVm)",
				 type ? type : "(null)");
	} else {
		r = prepare(&vr, &s, &pol, o ? o : &none, &code, &d);
	}
	if (!r) {
		r = run(v->v, &vr, &res);
		if (r == ATT_ERR_POLICY_DENY && res.claims && !res.authorized)
			r = 0; /* ran to the end: the policy said no */
		else if (r)
			att_diag_set(&d, r, "%s", res.msg);
		code = res.maa_code;
	}
	if (!r && (r = result_json(out_json, &res, vr.explain)) != 0)
		att_diag_set(&d, r, "out of memory");
	if (r) {
		att_verify_http_status(r, code, out_maa_code);
		if (res.maa_code && res.err == r)
			*out_maa_code = res.maa_code; /* the verifier's */
	}
	att_verify_result_release(&res);
	att_cached_policy_unref(pol);
	return r ? att_api_err(r, &d, errbuf, errlen) : 0;
}
