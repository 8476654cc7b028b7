/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flow A, AIK enrolment (docs/tpm-protocol.md §2): aikenroll checks the EK
 * (its certificate chains to one of the provider's TPM manufacturer roots and
 * carries ek_pub's key) and the AIK (a restricted signing key that never
 * leaves the TPM), then protects a random secret for that EK and the AIK's
 * Name with MakeCredential; aikactivate opens the sealed context, burns its
 * id, compares the activated secret in constant time and has the provider's
 * AIK CA issue the AIK certificate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "crypto/cert_path.h"
#include "crypto/digest.h"
#include "evidence/tpm/aik_ca.h"
#include "evidence/tpm/context.h"
#include "evidence/tpm/makecred.h"
#include "evidence/tpm/proto.h"
#include "evidence/tpm/tpm.h"
#include "evidence/tpm/tpm_alg.h"
#include "verify/tpm_int.h"

static int bad(struct att_tpm_run *t, const char *what,
	       const struct att_diag *d, int r)
{
	return att_tpm_fail(t, r, "InvalidParameter", "%s: %s", what,
			    att_diag_msg(d));
}

/* dev_pem_append adds, in dev mode, the TPM simulator's PEM file PATH
 * (verifier.h tpm_dev_root_file, tpm_dev_inter_file) to the provider's
 * PEM text; NULL or a missing file adds nothing. */
static int dev_pem_append(char **pem, size_t *len, const char *path,
			  struct att_diag *d)
{
	if (!path)
		return 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	char *p = realloc(*pem, *len + ATT_TPM_MAX_TRUST_PEM + 2);
	int r = 0;
	if (!p) {
		r = att_diag_set(d, ATT_ERR_NOMEM, "EK roots: out of memory");
		goto out;
	}
	*pem = p;
	if (*len && p[*len - 1] != '\n')
		p[(*len)++] = '\n';
	size_t n = fread(p + *len, 1, ATT_TPM_MAX_TRUST_PEM + 1, f);
	if (ferror(f) || n > ATT_TPM_MAX_TRUST_PEM)
		r = att_diag_set(d, ferror(f) ? ATT_ERR_IO : ATT_ERR_LIMIT,
				 "cannot read %s", path);
	else
		*len += n;
	p[*len] = '\0';
out:
	fclose(f);
	return r;
}

/* ek_cert_check verifies the EK certificate and that its key is ek's. */
static int ek_cert_check(struct att_tpm_run *t, const struct att_tpm_public *ek,
			 const struct att_tpmproto_blob *cert,
			 uint8_t sha256[32], struct att_diag *d)
{
	char *roots = NULL, *inter = NULL;
	size_t roots_len = 0, inter_len = 0, spki_len = 0;
	uint8_t *spki = NULL;
	struct att_pkey *ck = NULL, *ek_key = NULL;
	struct att_store *st = t->v->store;
	const char *pn = t->req->provider;
	int r = att_tpm_read_pems(&roots, &roots_len, st, pn, "ek-roots", d);
	if (r == 0)
		r = att_tpm_read_pems(&inter, &inter_len, st, pn,
				      "ek-intermediates", d);
	if (r == 0)
		r = dev_pem_append(&roots, &roots_len,
				   t->v->tpm_dev_root_file, d);
	if (r == 0)
		r = dev_pem_append(&inter, &inter_len,
				   t->v->tpm_dev_inter_file, d);
	if (r)
		goto out;
	struct att_cert_path v = {.der = cert->p,
				  .der_len = cert->len,
				  .roots_pem = roots,
				  .roots_len = roots_len,
				  .inter_pem = inter,
				  .inter_len = inter_len,
				  .at = t->req->now,
				  .what = "EK certificate"};
	if ((r = att_cert_path_verify(&v, &spki, &spki_len, sha256, d)))
		goto out;
	if ((r = att_pkey_from_public(&ck, spki, spki_len)) != 0 ||
	    (r = att_tpm_public_pkey(ek, &ek_key, d)) != 0) {
		r = att_diag_set(d, r, "EK certificate key is not usable");
		goto out;
	}
	if (!att_pkey_equal_public(ck, ek_key))
		r = att_diag_set(d, ATT_ERR_MISMATCH,
				 "the EK certificate certifies another key "
				 "than ek_pub");
out:
	att_pkey_free(ck);
	att_pkey_free(ek_key);
	free(spki);
	free(roots);
	free(inter);
	return r;
}

/* enroll_checks parses and checks ek and aik; fills the result on
 * failure. */
static int enroll_checks(struct att_tpm_run *t,
			 const struct att_tpmproto_msg *m,
			 const struct att_tpm_settings *s,
			 struct att_tpm_public *ek, struct att_tpm_public *aik,
			 struct att_tpmctx *ctx)
{
	struct att_diag d = {0};
	int r;
	if ((r = att_tpm_public_parse(ek, m->ek_pub.p, m->ek_pub.len, &d)) ||
	    (r = att_tpm_public_check_ek(ek, &d)))
		return bad(t, "ek_pub", &d, r);
	if ((r = att_tpm_public_parse(aik, m->aik_pub.p, m->aik_pub.len, &d)) ||
	    (r = att_tpm_public_check_ak(aik, &d)))
		return bad(t, "aik_pub is not an acceptable AIK", &d, r);
	if (m->ek_cert.p) {
		if ((r = ek_cert_check(t, ek, &m->ek_cert,
				       ctx->ek_cert_sha256, &d)) != 0)
			return bad(t, "ek_cert", &d, r);
		ctx->has_ek_cert = true;
	} else if (!s->allow_ek_without_cert) {
		return att_tpm_fail(t, ATT_ERR_NOT_FOUND, "InvalidParameter",
				    "ek_cert: an EK certificate is required "
				    "by provider %s",
				    t->req->provider);
	}
	return 0;
}

static int make_context(struct att_tpm_run *t, struct att_tpmctx *ctx,
			const struct att_tpmproto_msg *m,
			const struct att_tpm_settings *s, char **out)
{
	struct att_tpmctx_key k;
	int r;
	ctx->kind = ATT_TPMCTX_ENROLL;
	ctx->iat = t->req->now;
	ctx->exp = t->req->now + s->context_ttl;
	ctx->secret_len = ATT_TPM_SECRET_LEN;
	if (m->aik_pub.len > sizeof(ctx->aik_pub))
		return ATT_ERR_LIMIT;
	memcpy(ctx->aik_pub, m->aik_pub.p, m->aik_pub.len);
	ctx->aik_pub_len = m->aik_pub.len;
	if ((r = att_rand_bytes(ctx->id, sizeof(ctx->id))) ||
	    (r = att_rand_bytes(ctx->secret, ctx->secret_len)) ||
	    (r = att_tpm_ctx_key(&k, t)))
		return r;
	r = att_tpmctx_seal(out, &k, t->req->provider, ctx);
	att_tpmctx_key_wipe(&k);
	return r;
}

int att_tpm_enroll(struct att_tpm_run *t, const struct att_tpmproto_msg *m)
{
	const struct att_tpm_settings *s = t->req->settings;
	struct att_tpm_public *ek = calloc(1, sizeof(*ek));
	struct att_tpm_public *aik = calloc(1, sizeof(*aik));
	struct att_tpmctx *ctx = calloc(1, sizeof(*ctx));
	struct att_tpm_credential cred;
	struct att_diag d = {0};
	uint8_t name[2 + ATT_TPM_MAX_DIGEST_LEN];
	size_t name_len = 0;
	char *sc = NULL, *body = NULL;
	int r;
	if (!ek || !aik || !ctx) {
		r = att_tpm_internal(t, ATT_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = enroll_checks(t, m, s, ek, aik, ctx)) != 0)
		goto out;
	if ((r = att_tpm_public_name(aik, name, sizeof(name), &name_len,
				     &d)) ||
	    (r = make_context(t, ctx, m, s, &sc)) ||
	    (r = att_tpm_make_credential(&cred, ek, name, name_len,
					 ctx->secret, ctx->secret_len, &d)) ||
	    (r = att_tpmproto_enc_credential(&body, cred.id_object,
					     cred.id_object_len, cred.secret,
					     cred.secret_len, sc))) {
		r = att_tpm_internal(t, r, "cannot make the credential: %s",
				     att_diag_msg(&d));
		goto out;
	}
	r = att_tpm_reply(t, body);
out:
	if (ctx)
		att_cleanse(ctx, sizeof(*ctx));
	free(sc);
	free(ctx);
	free(aik);
	free(ek);
	return r;
}

/* ---- aikactivate --------------------------------------------------- */

static int open_enroll_ctx(struct att_tpm_run *t,
			   const char *text, struct att_tpmctx *ctx)
{
	struct att_tpmctx_key k;
	struct att_diag d = {0};
	int r = att_tpm_ctx_key(&k, t);
	if (r == 0)
		r = att_tpmctx_open(ctx, &k, t->req->provider, text, t->req->now,
				    &d);
	att_tpmctx_key_wipe(&k);
	if (r == 0 && ctx->kind != ATT_TPMCTX_ENROLL)
		r = att_diag_set(&d, ATT_ERR_MISMATCH,
				 "service_context does not belong to an AIK "
				 "enrolment");
	if (r == 0 && (r = att_tpm_replay_mark(t, ctx->id, ctx->exp, &d)) !=
			  0 &&
	    (r == ATT_ERR_REPLAY || r == ATT_ERR_LIMIT))
		att_diag_set(&d, r,
			     r == ATT_ERR_REPLAY
				 ? "service_context was already used "
				   "(replayed activation)"
				 : "too many outstanding enrolments");
	if (r == ATT_ERR_STORE)
		return att_tpm_internal(t, r, "aikactivate: %s",
					att_diag_msg(&d));
	if (r)
		att_tpm_fail(t, r, "InvalidParameter", "aikactivate: %s",
			     att_diag_msg(&d));
	if (r == ATT_ERR_LIMIT) { /* the service is full, not the request */
		t->res->http_status = 503;
		t->res->maa_code = "ServiceUnavailable";
	}
	return r;
}

/* issue makes the AIK certificate for the context's AIK. */
static int issue(struct att_tpm_run *t, const struct att_tpmctx *ctx,
		 uint8_t **der, size_t *der_len, struct att_diag *d)
{
	struct att_tpm_public *aik = calloc(1, sizeof(*aik));
	struct att_pkey *key = NULL;
	struct att_tpmca *ca = NULL;
	uint8_t name[2 + ATT_TPM_MAX_DIGEST_LEN], *spki = NULL;
	size_t name_len = 0, spki_len = 0;
	int r = aik ? 0 : ATT_ERR_NOMEM;
	if (r == 0)
		r = att_tpm_public_parse(aik, ctx->aik_pub, ctx->aik_pub_len,
					 d);
	if (r == 0)
		r = att_tpm_public_name(aik, name, sizeof(name), &name_len, d);
	if (r == 0)
		r = att_tpm_public_pkey(aik, &key, d);
	if (r == 0)
		r = att_pkey_spki_der(&spki, &spki_len, key);
	if (r == 0)
		r = att_tpm_aik_ca(&ca, t, true, d);
	struct att_tpmca_issue a = {
	    .spki = spki,
	    .spki_len = spki_len,
	    .aik_name = name,
	    .aik_name_len = name_len,
	    .now = t->req->now,
	    .days = t->req->settings->aik_cert_days,
	    .ek_cert_sha256 = ctx->has_ek_cert ? ctx->ek_cert_sha256 : NULL};
	if (r == 0)
		r = att_tpmca_issue(der, der_len, ca, &a, d);
	if (r == 0)
		r = att_tpm_enrol_record(t, name, name_len, a.ek_cert_sha256,
					 *der, *der_len, d);
	att_tpmca_free(ca);
	att_pkey_free(key);
	free(spki);
	free(aik);
	return r;
}

int att_tpm_activate(struct att_tpm_run *t, const struct att_tpmproto_msg *m)
{
	struct att_tpmctx *ctx = calloc(1, sizeof(*ctx));
	struct att_diag d = {0};
	uint8_t *der = NULL;
	size_t der_len = 0;
	char *body = NULL;
	int r;
	if (!ctx)
		return att_tpm_internal(t, ATT_ERR_NOMEM, "out of memory");
	if ((r = open_enroll_ctx(t, m->service_context, ctx)) != 0)
		goto out;
	if (m->secret.len != ctx->secret_len ||
	    !att_ct_eq(m->secret.p, ctx->secret, ctx->secret_len)) {
		r = att_tpm_fail(t, ATT_ERR_MISMATCH, "InvalidParameter",
				 "aikactivate: credential activation failed: "
				 "the secret does not match (the AIK and the "
				 "EK are not in the same TPM)");
		goto out;
	}
	if ((r = issue(t, ctx, &der, &der_len, &d)) != 0 ||
	    (r = att_tpmproto_enc_aik_cert(&body, der, der_len)) != 0) {
		r = att_tpm_internal(t, r,
				     "cannot issue the AIK certificate: %s",
				     att_diag_msg(&d));
		goto out;
	}
	r = att_tpm_reply(t, body);
out:
	att_cleanse(ctx, sizeof(*ctx));
	free(ctx);
	free(der);
	return r;
}
