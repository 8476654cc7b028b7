/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The end of flow B (docs/tpm-protocol.md §5): the provider's Tpm policy
 * (there is no default: without one MAA answers 400 "Bad request", and so
 * do we), its configuration properties (require_valid_aik_cert,
 * required_pcr_mask), the incoming claims (tpmVersion, aikValidated,
 * aikPubHash, pcrs, events, secureBootEnabled when the log proves it,
 * custom claims with issuer CustomClaim), the evaluation and the token:
 * x-ms-attestation-type "tpm", rp_data and nonce, cnf, x-ms-policy with
 * the issued claims, x-ms-policy-hash, lifetime report_validity_in_minutes
 * (default 1440).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "crypto/digest.h"
#include "evidence/tcg/eventlog.h"
#include "evidence/tcg/replay.h"
#include "evidence/tcg/uefi.h"
#include "evidence/tpm/proto.h"
#include "policy/policy.h"
#include "store/store.h"
#include "token/jws.h"
#include "verify/tpm_int.h"

#define TPM_TYPE "Tpm"

void att_tpm_policy_release(struct att_tpm_policy *p)
{
	if (!p)
		return;
	free(p->text);
	att_policy_free(p->compiled);
	memset(p, 0, sizeof(*p));
}

/* policy_text extracts the policy text of a stored policy JWS. */
static int policy_text(struct att_tpm_policy *p, const char *jws,
		       struct att_diag *d)
{
	struct att_jws j;
	uint8_t *t = NULL;
	size_t tl = 0;
	att_jws_init(&j);
	int r = att_jws_parse(&j, jws, strlen(jws), d);
	json_t *o =
	    r ? NULL
	      : json_loadb((const char *)j.payload, j.payload_len, 0, NULL);
	const char *b =
	    json_string_value(json_object_get(o, "AttestationPolicy"));
	if (r == 0 && (!b || att_b64_decode(&t, &tl, b, strlen(b))))
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "the stored Tpm policy has no "
				 "AttestationPolicy text");
	if (r == 0) {
		p->text = (char *)t; /* transferred */
		p->len = tl;
		t = NULL;
	}
	free(t);
	json_decref(o);
	att_jws_release(&j);
	return r;
}

/* eval_within evaluates within the provider's budget (the request's);
 * a refusal for the budget names the limit. */
static int eval_within(const struct att_policy *pol,
		       const struct att_claimset *in,
		       const struct att_policy_budget *l,
		       struct att_policy_result *res, struct att_diag *d)
{
	struct att_policy_budget b = *l;
	int r = att_policy_eval_budget(pol, in, &b, res, false, d);
	if (r && res->limit != ATT_POLICY_LIMIT_NONE) {
		char msg[ATT_DIAG_LEN];
		snprintf(msg, sizeof(msg), "%s", att_diag_msg(d));
		att_diag_clear(d);
		att_diag_set(d, r, "%s (%s)", msg,
			     att_policy_limit_name(res->limit));
	}
	return r;
}

/* config evaluates the configuration rules (over no incoming claim). */
static int config(struct att_tpm_policy *p, const struct att_policy_budget *l,
		  struct att_diag *d)
{
	struct att_claimset none;
	struct att_policy_result res;
	att_claimset_init(&none);
	int r = eval_within(p->compiled, &none, l, &res, d);
	if (r == 0) {
		json_t *v =
		    json_object_get(res.properties, "require_valid_aik_cert");
		json_t *m =
		    json_object_get(res.properties, "required_pcr_mask");
		if (json_is_boolean(v))
			p->require_valid_aik_cert = json_is_true(v);
		if (json_is_integer(m) && json_integer_value(m) >= 0 &&
		    json_integer_value(m) <= 0xFFFFFF)
			p->required_pcr_mask = (uint32_t)json_integer_value(m);
		else if (m)
			r = att_diag_set(d, ATT_ERR_POLICY_EVAL,
					 "required_pcr_mask must be an integer "
					 "in [0, 0xFFFFFF]");
	}
	att_policy_result_release(&res);
	return r;
}

int att_tpm_policy_load(struct att_tpm_policy *p, struct att_tpm_run *t)
{
	struct att_store_policy sp = {0};
	struct att_diag d = {0};
	memset(p, 0, sizeof(*p));
	p->require_valid_aik_cert = true;
	p->required_pcr_mask = 0xFFFFFF;
	int r = att_store_policy_get(t->v->store, t->req->provider, TPM_TYPE,
				     &sp, &d);
	if (r == ATT_ERR_NOT_FOUND && t->v->tpm_dev_policy &&
	    t->v->tpm_dev_policy_provider &&
	    !strcmp(t->req->provider, t->v->tpm_dev_policy_provider)) {
		/* dev mode's default (verifier.h) */
		p->len = strlen(t->v->tpm_dev_policy);
		if (!(p->text = strdup(t->v->tpm_dev_policy)))
			return att_tpm_internal(t, ATT_ERR_NOMEM,
						"out of memory");
		goto compile;
	}
	if (r == ATT_ERR_NOT_FOUND)
		return att_tpm_fail(t, r, "Bad request",
				    "A TPM attestation policy has not been "
				    "set on provider %s (there is no default "
				    "Tpm policy; set one with PUT "
				    "/policies/Tpm)",
				    t->req->provider);
	if (r == 0)
		r = policy_text(p, sp.jws, &d);
	att_store_policy_release(&sp);
	if (r) {
		r = att_tpm_internal(t, r, "cannot read the Tpm policy: %s",
				     att_diag_msg(&d));
		goto fail;
	}
compile:;
	struct att_policy_error pe = {0};
	if ((r = att_policy_compile_limited(&p->compiled, p->text, p->len,
					    &t->req->limits, &pe, &d)) ||
	    (r = att_policy_hash(p->hash, p->text, p->len))) {
		const char *ln = att_policy_limit_name(pe.limit);
		r = att_tpm_fail(t, r, "PolicyParsingError",
				 "the Tpm policy does not compile: %s%s%s%s",
				 att_diag_msg(&d), *ln ? " (" : "", ln,
				 *ln ? ")" : "");
		goto fail;
	}
	if ((r = config(p, &t->req->budget, &d)) != 0) {
		r = att_tpm_fail(t, r, "PolicyEvaluationError",
				 "configurationrules: %s", att_diag_msg(&d));
		goto fail;
	}
	return 0;
fail:
	att_tpm_policy_release(p);
	return r;
}

/* ---- Secure Boot ---------------------------------------------------- */

static const uint8_t efi_global_guid[16] = {0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93,
					    0xd2, 0x11, 0xaa, 0x0d, 0x00, 0xe0,
					    0x98, 0x03, 0x2b, 0x8c};
/* "SecureBoot" in UTF-16LE */
static const uint8_t secure_boot_name[20] = {'S', 0,   'e', 0,	 'c', 0,   'u',
					     0,	  'r', 0,   'e', 0,   'B', 0,
					     'o', 0,   'o', 0,	 't', 0};

static bool pcr7_type_ok(uint32_t t)
{
	return t == ATT_EV_EFI_VARIABLE_DRIVER_CONFIG ||
	       t == ATT_EV_SEPARATOR || t == ATT_EV_EFI_VARIABLE_AUTHORITY ||
	       t == ATT_EV_EFI_ACTION || t == ATT_EV_NO_ACTION ||
	       t == ATT_EV_EFI_SPDM_DEVICE_POLICY ||
	       t == ATT_EV_EFI_SPDM_DEVICE_AUTHORITY;
}

static bool digest_ok(const struct att_tcg_check_result *r)
{
	return r->status == ATT_TCG_CHECK_VERIFIED ||
	       r->status == ATT_TCG_CHECK_VERIFIED_QUIRK;
}

/* sb_var returns 1/0 for a SecureBoot variable event, 2 for another
 * variable, ATT_ERR_FORMAT for an event that is not a well-formed
 * variable. */
static int sb_var(const struct att_tcg_event *ev)
{
	struct att_uefi_variable v;
	if (att_uefi_variable_parse(&v, ev->data, ev->data_len) != 0)
		return ATT_ERR_FORMAT;
	if (memcmp(v.guid, efi_global_guid, 16) || v.name_chars != 10 ||
	    memcmp(v.name, secure_boot_name, 20))
		return 2;
	if (v.data_len > 1)
		return ATT_ERR_FORMAT;
	return v.data_len == 1 && v.data[0] == 1;
}

enum att_tpm_sb att_tpm_secure_boot(const struct att_tcg_log *log,
				     const struct att_tcg_check_result *res,
				     uint32_t verified)
{
	enum att_tpm_sb value = ATT_TPM_SB_UNKNOWN;
	int seen = 0;
	bool after_sep = false;
	if (!(verified & (1u << 7)))
		return ATT_TPM_SB_UNKNOWN;
	for (size_t i = 0; i < log->num_events; i++) {
		const struct att_tcg_event *ev = &log->events[i];
		if (ev->pcr != 7 || ev->type == ATT_EV_NO_ACTION)
			continue;
		if (!pcr7_type_ok(ev->type))
			return ATT_TPM_SB_UNKNOWN;
		if (ev->type == ATT_EV_SEPARATOR) {
			if (after_sep || !digest_ok(&res[i]))
				return ATT_TPM_SB_UNKNOWN;
			after_sep = true;
		}
		if (ev->type != ATT_EV_EFI_VARIABLE_DRIVER_CONFIG)
			continue;
		int v = sb_var(ev);
		if (v < 0 || !digest_ok(&res[i]) || after_sep)
			return ATT_TPM_SB_UNKNOWN;
		if (v < 2) {
			value = v ? ATT_TPM_SB_ON : ATT_TPM_SB_OFF;
			seen++;
		}
	}
	return seen == 1 && after_sep ? value : ATT_TPM_SB_UNKNOWN;
}

/* ---- incoming claims ------------------------------------------------ */

static int add_custom(struct att_claimset *in, json_t *cc)
{
	size_t i;
	json_t *c;
	int r = 0;
	json_array_foreach(cc, i, c)
	{
		const char *name =
		    json_string_value(json_object_get(c, "name"));
		r = att_claimset_add_json(in, name, json_object_get(c, "value"),
					  ATT_CLAIM_ISSUER_CUSTOM);
		if (r)
			break;
	}
	return r;
}

static int incoming(struct att_claimset *in, const struct att_tpm_evidence *ev)
{
	const char *svc = ATT_CLAIM_ISSUER_SERVICE;
	json_t *two = json_integer(2), *val = json_boolean(ev->aik_validated);
	json_t *hash = json_string(ev->aik_pub_hash);
	json_t *sb =
	    ev->secure_boot != ATT_TPM_SB_UNKNOWN
		? json_boolean(ev->secure_boot == ATT_TPM_SB_ON)
		: NULL;
	int r = two && val && hash ? 0 : ATT_ERR_NOMEM;
	if (r == 0)
		r = att_claimset_add(in, "tpmVersion", two, ATT_CLAIM_INTEGER,
				     svc);
	if (r == 0)
		r = att_claimset_add(in, "aikValidated", val, ATT_CLAIM_BOOLEAN,
				     svc);
	if (r == 0)
		r = att_claimset_add(in, "aikPubHash", hash, ATT_CLAIM_STRING,
				     svc);
	if (r == 0)
		r = att_claimset_add(in, "pcrs", ev->pcrs_claim, ATT_CLAIM_JSON,
				     svc);
	if (r == 0 && ev->events_claim)
		r = att_claimset_add(in, "events", ev->events_claim,
				     ATT_CLAIM_JSON, svc);
	if (r == 0 && sb)
		r = att_claimset_add(in, "secureBootEnabled", sb,
				     ATT_CLAIM_BOOLEAN, svc);
	if (r == 0 && ev->custom_claims)
		r = add_custom(in, ev->custom_claims);
	json_decref(two);
	json_decref(val);
	json_decref(hash);
	json_decref(sb);
	return r;
}

/* ---- the token ------------------------------------------------------ */

static json_t *public_jwk(json_t *k)
{
	static const char *const keep[] = {"kty", "n",	 "e",	"crv", "x",
					   "y",	  "kid", "alg", "use"};
	json_t *o = json_object();
	for (size_t i = 0; o && i < sizeof(keep) / sizeof(keep[0]); i++) {
		json_t *v = json_object_get(k, keep[i]);
		if (json_is_string(v) && json_object_set(o, keep[i], v)) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *token_claims(const struct att_tpm_policy *pol,
			    const struct att_tpm_evidence *ev,
			    const struct att_policy_result *res)
{
	uint8_t rnd[20];
	char jti[41];
	if (att_rand_bytes(rnd, sizeof(rnd)))
		return NULL;
	att_hex_encode(jti, sizeof(jti), rnd, sizeof(rnd), false);
	json_t *issued = att_claimset_to_object(&res->issued);
	json_t *jwk = public_jwk(ev->attest_key);
	json_t *c =
	    issued && jwk
		? json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:O}, "
			    "s:O}",
			    "jti", jti, "ver", "1.0", "x-ms-ver", "1.0",
			    "x-ms-attestation-type", "tpm", "x-ms-policy-hash",
			    pol->hash, "cnf", "jwk", jwk, "x-ms-policy", issued)
		: NULL;
	if (c && ev->rp_data &&
	    (json_object_set_new(c, "rp_data", json_string(ev->rp_data)) ||
	     json_object_set_new(c, "nonce", json_string(ev->rp_data)))) {
		json_decref(c);
		c = NULL;
	}
	json_decref(issued);
	json_decref(jwk);
	return c;
}

static int64_t lifetime(const struct att_policy_result *res)
{
	json_t *v =
	    json_object_get(res->properties, "report_validity_in_minutes");
	json_int_t m = json_is_integer(v) ? json_integer_value(v)
					  : ATT_TPM_REPORT_VALIDITY_DEFAULT;
	if (m < 1 || m > ATT_TPM_REPORT_VALIDITY_MAX)
		m = ATT_TPM_REPORT_VALIDITY_DEFAULT;
	return (int64_t)m * 60;
}

static int deny(struct att_tpm_run *t, const struct att_policy_result *res)
{
	return att_tpm_fail(t, ATT_ERR_POLICY_DENY, "PolicyEvaluationError",
			    "A Deny claim was issued, authorization failed.%s%s",
			    res->deny_summary ? " " : "",
			    res->deny_summary ? res->deny_summary : "");
}

int att_tpm_finish(struct att_tpm_run *t, const struct att_tpm_policy *pol,
		   const struct att_tpm_evidence *ev)
{
	struct att_claimset in;
	struct att_policy_result res;
	struct att_diag d = {0};
	json_t *claims = NULL;
	char *jwt = NULL, *body = NULL;
	int r;
	att_claimset_init(&in);
	att_policy_result_init(&res);
	if ((r = incoming(&in, ev)) != 0) {
		r = att_tpm_internal(t, r, "out of memory");
		goto out;
	}
	if ((r = eval_within(pol->compiled, &in, &t->req->budget, &res,
			     &d)) != 0) {
		r = att_tpm_fail(t, r, "PolicyEvaluationError",
				 "the Tpm policy failed: %s",
				 att_diag_msg(&d));
		goto out;
	}
	if (!res.authorized) {
		r = deny(t, &res);
		goto out;
	}
	if (!(claims = token_claims(pol, ev, &res)))
		r = ATT_ERR_NOMEM;
	else if (!t->req->sign)
		r = att_diag_set(&d, ATT_ERR_INTERNAL, "no signer");
	else
		r = t->req->sign(t->req->sign_arg, claims, lifetime(&res),
				 &jwt, &d);
	if (r == 0)
		r = att_tpmproto_enc_report(&body, jwt);
	if (r) {
		r = att_tpm_internal(t, r, "cannot sign the report: %s",
				     att_diag_msg(&d));
		goto out;
	}
	t->res->authorized = true;
	t->res->claims = claims;
	claims = NULL;
	t->res->token = jwt;
	jwt = NULL;
	r = att_tpm_reply(t, body);
out:
	free(jwt);
	json_decref(claims);
	att_policy_result_release(&res);
	att_claimset_release(&in);
	return r;
}
