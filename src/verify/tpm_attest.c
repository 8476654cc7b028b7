/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flow B, attestation (docs/tpm-protocol.md §3): aikcert answers a fresh
 * 16-byte challenge sealed into a service_context (only when the
 * provider has a TPM policy: there is no default); the signed request is
 * then checked step by step, each failure naming its step:
 * service_context (opens, unexpired, this challenge, never used before),
 * the request JWS (signed by attest_key), the AIK (certificate chaining
 * to the provider's AIK CA or another AIK root, or an enrolled aik_pub
 * where the policy allows a bare key), the quote (magic, type, AIK
 * signature, extraData = SHA-256(challenge || rp_data || RFC 7638
 * thumbprint of attest_key), PCR selection covering required_pcr_mask,
 * pcrDigest over the supplied PCRs) and the event log replay.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/buf.h"
#include "codec/b64.h"
#include "crypto/cert_path.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"
#include "evidence/tcg/eventlog.h"
#include "evidence/tcg/events_json.h"
#include "evidence/tcg/replay.h"
#include "evidence/tpm/context.h"
#include "evidence/tpm/proto.h"
#include "evidence/tpm/quote.h"
#include "evidence/tpm/tpm.h"
#include "evidence/tpm/tpm_alg.h"
#include "token/jwks.h"
#include "token/jws.h"
#include "verify/tpm_int.h"

int att_tpm_challenge(struct att_tpm_run *t)
{
	struct att_tpm_policy pol;
	struct att_tpmctx *ctx = calloc(1, sizeof(*ctx));
	struct att_tpmctx_key k;
	char *sc = NULL, *body = NULL;
	int r;
	if (!ctx)
		return att_tpm_internal(t, ATT_ERR_NOMEM, "out of memory");
	if ((r = att_tpm_policy_load(&pol, t)) != 0)
		goto out;
	att_tpm_policy_release(&pol);
	ctx->kind = ATT_TPMCTX_ATTEST;
	ctx->iat = t->req->now;
	ctx->exp = t->req->now + t->req->settings->context_ttl;
	if ((r = att_rand_bytes(ctx->id, sizeof(ctx->id))) != 0 ||
	    (r = att_tpm_ctx_key(&k, t)) != 0) {
		r = att_tpm_internal(t, r, "no randomness");
		goto out;
	}
	r = att_tpmctx_seal(&sc, &k, t->req->provider, ctx);
	att_tpmctx_key_wipe(&k);
	if (r || (r = att_tpmproto_enc_challenge(&body, ctx->id,
						  sizeof(ctx->id), sc)) != 0) {
		r = att_tpm_internal(t, r, "cannot seal the service_context");
		goto out;
	}
	r = att_tpm_reply(t, body);
out:
	free(sc);
	free(ctx);
	return r;
}

/* ---- the request -------------------------------------------------- */

/* State of one request check, released by request_release. */
struct check {
	struct att_jws jws;
	struct att_tpmproto_attreq a;
	struct att_tpmctx ctx;
	struct att_tpm_policy pol;
	bool pol_loaded;
	struct att_pkey *attest_key;
	struct att_pkey *ak;
	struct att_tpm_public ak_pub;
	bool has_ak_pub;
	struct att_tpm_evidence ev;
	struct att_tcg_log log;
	struct att_tcg_replay rp;
	struct att_tcg_check_result *res;
};

static void check_release(struct check *c)
{
	att_jws_release(&c->jws);
	att_tpmproto_attreq_release(&c->a);
	if (c->pol_loaded)
		att_tpm_policy_release(&c->pol);
	att_pkey_free(c->attest_key);
	att_pkey_free(c->ak);
	json_decref(c->ev.pcrs_claim);
	json_decref(c->ev.events_claim);
	att_tcg_log_release(&c->log);
	free(c->res);
}

static int fail(struct att_tpm_run *t, const char *step,
		const struct att_diag *d, int r)
{
	return att_tpm_fail(t, r ? r : ATT_ERR_INVALID_ARG,
			    "InvalidParameter", "%s: %s", step,
			    att_diag_msg(d));
}

/* step_context opens the service_context and checks its challenge. */
static int step_context(struct att_tpm_run *t,
			struct check *c)
{
	struct att_tpmctx_key k;
	struct att_diag d = {0};
	int r = att_tpm_ctx_key(&k, t);
	if (r == 0)
		r = att_tpmctx_open(&c->ctx, &k, t->req->provider,
				    c->a.service_context, t->req->now, &d);
	att_tpmctx_key_wipe(&k);
	if (r)
		return fail(t, "service_context", &d, r);
	if (c->ctx.kind != ATT_TPMCTX_ATTEST)
		r = att_diag_set(&d, ATT_ERR_MISMATCH,
				 "it does not belong to "
				 "an attestation");
	else if (!att_ct_eq(c->a.challenge.p, c->ctx.id, sizeof(c->ctx.id)))
		r = att_diag_set(&d, ATT_ERR_MISMATCH,
				 "the request's challenge does not match the "
				 "challenge of the service_context");
	else if ((r = att_tpm_replay_mark(t, c->ctx.id, c->ctx.exp, &d)) !=
			 0 &&
		 (r == ATT_ERR_REPLAY || r == ATT_ERR_LIMIT))
		att_diag_set(&d, r,
			     r == ATT_ERR_REPLAY
				 ? "its challenge was already used "
				   "(replayed request)"
				 : "too many outstanding requests");
	if (r == ATT_ERR_STORE)
		return att_tpm_internal(t, r, "service_context: %s",
					att_diag_msg(&d));
	return r ? fail(t, "service_context", &d, r) : 0;
}

static int step_jws(struct att_tpm_run *t, struct check *c)
{
	struct att_diag d = {0};
	int r = att_pkey_from_jwk(&c->attest_key, c->a.attest_key);
	if (r) {
		att_diag_set(&d, r,
			     "not a usable RSA (>= 2048 bits) or EC "
			     "P-256/P-384 JWK");
		return fail(t, "attest_key", &d, r);
	}
	r = att_jws_verify(&c->jws, c->attest_key,
			   ATT_JWS_ALLOW_RS256 | ATT_JWS_ALLOW_PS256 |
			       ATT_JWS_ALLOW_ES256,
			   &d);
	return r ? fail(t, "request signature (attest_key)", &d, r) : 0;
}

static int aik_from_cert(struct att_tpm_run *t, struct check *c,
			 struct att_diag *d)
{
	char *anchors = NULL, *ca_pem = NULL, *roots = NULL;
	size_t ca_len = 0, roots_len = 0, spki_len = 0;
	uint8_t *spki = NULL, h[32];
	struct att_buf all;
	att_buf_init(&all, 2 * ATT_TPM_MAX_TRUST_PEM);
	/* Only the CA certificate: the key is not needed to verify. */
	int r = att_tpm_aik_ca_cert(&ca_pem, &ca_len, t, d);
	if (r == 0 && (r = att_buf_add(&all, ca_pem, ca_len)) == 0)
		r = att_buf_adds(&all, "\n");
	if (r == ATT_ERR_NOT_FOUND)
		r = 0; /* no enrolment yet: only the configured roots */
	if (r == 0)
		r = att_tpm_read_pems(&roots, &roots_len, t->v->store,
				      t->req->provider, "aik-roots", d);
	if (r == 0 && roots)
		r = att_buf_add(&all, roots, roots_len);
	anchors = (char *)all.data;
	struct att_cert_path v = {
	    .der = c->a.aik_cert.p,
	    .der_len = c->a.aik_cert.len,
	    .roots_pem = anchors,
	    .roots_len = all.len,
	    .at = t->req->now,
	    .what = "AIK certificate (issued by the provider's AIK CA "
		    "at enrolment)"};
	if (r == 0)
		r = att_cert_path_verify(&v, &spki, &spki_len, NULL, d);
	if (r == 0 && (r = att_pkey_from_public(&c->ak, spki, spki_len)))
		att_diag_set(d, r, "AIK certificate key is not usable");
	if (r == 0) {
		att_sha256(h, spki, spki_len);
		char *b = att_b64_encode(h, 32);
		snprintf(c->ev.aik_pub_hash, sizeof(c->ev.aik_pub_hash), "%s",
			 b ? b : "");
		free(b);
		c->ev.aik_validated = true;
	}
	att_buf_release(&all);
	free(ca_pem);
	free(roots);
	free(spki);
	return r;
}

static int aik_from_pub(struct att_tpm_run *t, struct check *c,
			struct att_diag *d)
{
	uint8_t name[2 + ATT_TPM_MAX_DIGEST_LEN], *spki = NULL, h[32];
	size_t name_len = 0, spki_len = 0;
	int r;
	if ((r = att_tpm_public_parse(&c->ak_pub, c->a.aik_pub.p,
				      c->a.aik_pub.len, d)) ||
	    (r = att_tpm_public_check_ak(&c->ak_pub, d)) ||
	    (r = att_tpm_public_name(&c->ak_pub, name, sizeof(name), &name_len,
				     d)) ||
	    (r = att_tpm_public_pkey(&c->ak_pub, &c->ak, d)))
		return r;
	c->has_ak_pub = true;
	c->ev.aik_validated = att_tpm_enrolled(t, name, name_len);
	if (!c->ev.aik_validated && c->pol.require_valid_aik_cert)
		return att_diag_set(d, ATT_ERR_NOT_FOUND,
				    "this AIK was never enrolled with provider "
				    "%s and has no valid AIK certificate (the "
				    "policy requires one: require_valid_aik_"
				    "cert)",
				    t->req->provider);
	if ((r = att_pkey_spki_der(&spki, &spki_len, c->ak)) != 0)
		return r;
	att_sha256(h, spki, spki_len);
	free(spki);
	char *b = att_b64_encode(h, 32);
	snprintf(c->ev.aik_pub_hash, sizeof(c->ev.aik_pub_hash), "%s",
		 b ? b : "");
	free(b);
	return 0;
}

static int step_aik(struct att_tpm_run *t, struct check *c)
{
	struct att_diag d = {0};
	int r = c->a.aik_cert.p ? aik_from_cert(t, c, &d)
				: aik_from_pub(t, c, &d);
	return r ? fail(t, "AIK", &d, r) : 0;
}

/* binding computes SHA-256(challenge || rp_data || thumbprint). */
static int binding(struct check *c, uint8_t out[32])
{
	char kid[ATT_JWK_KID_LEN];
	uint8_t *tp = NULL;
	size_t tp_len = 0;
	struct att_buf b;
	int r = att_jwk_kid_for(kid, c->attest_key);
	if (r || (r = att_b64_decode(&tp, &tp_len, kid, strlen(kid))) != 0)
		return r;
	att_buf_init(&b, 4096);
	if ((r = att_buf_add(&b, c->a.challenge.p, c->a.challenge.len)) == 0 &&
	    (!c->a.rp_data_raw.p ||
	     (r = att_buf_add(&b, c->a.rp_data_raw.p, c->a.rp_data_raw.len)) ==
		 0) &&
	    (r = att_buf_add(&b, tp, tp_len)) == 0)
		att_sha256(out, b.data, b.len);
	att_buf_release(&b);
	free(tp);
	return r;
}

static int step_quote(struct att_tpm_run *t, struct check *c)
{
	struct att_diag d = {0};
	uint8_t nonce[32];
	int r = binding(c, nonce);
	if (r)
		return fail(t, "quote", &d, r);
	struct att_tpm_quote_opts o = {
	    .ak = c->ak,
	    .ak_pub = c->has_ak_pub ? &c->ak_pub : NULL,
	    .check_nonce = true,
	    .nonce = nonce,
	    .nonce_len = 32,
	    .pcrs = &c->a.pcrs,
	    .required_mask = c->pol.required_pcr_mask};
	r = att_tpm_quote_verify(c->a.quote.p, c->a.quote.len, c->a.signature.p,
				 c->a.signature.len, &o, NULL, &d);
	if (r)
		return fail(t, "quote", &d, r);
	if (!(c->ev.pcrs_claim = att_tpm_pcrs_to_maa_json(&c->a.pcrs)))
		return fail(t, "quote", &d, ATT_ERR_NOMEM);
	return 0;
}

static int step_log(struct att_tpm_run *t, struct check *c)
{
	struct att_diag d = {0};
	uint32_t verified = 0;
	int r;
	c->ev.secure_boot = ATT_TPM_SB_UNKNOWN;
	if (!c->a.log.p)
		return 0;
	if ((r = att_tcg_log_parse(&c->log, c->a.log.p, c->a.log.len, &d)) ||
	    (r = att_tcg_replay(&c->rp, &c->log, &d)))
		return fail(t, "event log", &d, r);
	c->res =
	    calloc(c->log.num_events ? c->log.num_events : 1, sizeof(*c->res));
	if (!c->res)
		return fail(t, "event log", &d, ATT_ERR_NOMEM);
	r = att_tcg_check_digests(c->res, &c->log, NULL, &d);
	if (r && r != ATT_ERR_MISMATCH)
		return fail(t, "event log", &d, r);
	att_diag_clear(&d);
	if ((r = att_tcg_replay_compare(&c->rp, &c->log, c->res, &c->a.pcrs,
					&verified, &d)) != 0)
		return fail(t, "event log does not match the quoted PCRs",
			    &d, r);
	if (!(c->ev.events_claim = att_tcg_events_json(&c->log, c->res)))
		return fail(t, "event log", &d, ATT_ERR_NOMEM);
	c->ev.secure_boot = att_tpm_secure_boot(&c->log, c->res, verified);
	return 0;
}

static int step_parse(struct att_tpm_run *t, struct check *c,
		      const struct att_tpmproto_msg *m)
{
	struct att_diag d = {0};
	int r = att_jws_parse(&c->jws, m->request, strlen(m->request), &d);
	if (r)
		return att_tpm_fail(t, r, "InvalidOperation",
				    "request: not a compact JWS: %s",
				    att_diag_msg(&d));
	r = att_tpmproto_attreq_parse(&c->a, c->jws.payload, c->jws.payload_len,
				      &d);
	return r ? fail(t, "request", &d, r) : 0;
}

int att_tpm_attest(struct att_tpm_run *t, const struct att_tpmproto_msg *m)
{
	struct check *c = calloc(1, sizeof(*c));
	int r;
	if (!c)
		return att_tpm_internal(t, ATT_ERR_NOMEM, "out of memory");
	att_jws_init(&c->jws);
	if ((r = step_parse(t, c, m)) || (r = step_context(t, c)) ||
	    (r = step_jws(t, c)))
		goto out;
	if ((r = att_tpm_policy_load(&c->pol, t)) != 0)
		goto out;
	c->pol_loaded = true;
	if ((r = step_aik(t, c)) || (r = step_quote(t, c)) ||
	    (r = step_log(t, c)))
		goto out;
	c->ev.custom_claims = c->a.custom_claims;
	c->ev.attest_key = c->a.attest_key;
	c->ev.rp_data = c->a.rp_data;
	r = att_tpm_finish(t, &c->pol, &c->ev);
out:
	check_release(c);
	free(c);
	return r;
}
