/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Recognising DCAP collateral items by content and deriving what they
 * are for: FMSPC and TEE from TCB Info (tcbInfo.fmspc, tcbInfo.id), TEE
 * from QE Identity (QE / TD_QE), the CA from a CRL's issuer CN (PCK
 * Processor CA, PCK Platform CA, Root CA), the role of a PEM issuer chain
 * from its signer's CN (TCB Signing, PCK CA). Everything here parses;
 * nothing verifies a signature (the DCAP verifier does that).
 */
#include "collateral/items.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "codec/hex.h"
#include "crypto/x509.h"
#include "evidence/sgx/collateral.h"

void att_colitem_release(struct att_colitem *it)
{
	if (!it)
		return;
	free(it->body);
	free(it->sig_hex);
	free(it->chain);
	free(it->source);
	memset(it, 0, sizeof(*it));
}

void att_colitem_move(struct att_colitem *dst, struct att_colitem *src)
{
	att_colitem_release(dst);
	*dst = *src;
	memset(src, 0, sizeof(*src));
}

void att_colspec_key(const struct att_colspec *s, char *out, size_t len)
{
	char fm[13];
	switch (s->kind) {
	case ATT_COLITEM_TCB_INFO:
		att_hex_encode(fm, sizeof(fm), s->fmspc, 6, true);
		snprintf(out, len, "dcap/tcbinfo/%s/%s",
			 att_dcap_tee_name(s->tee), fm);
		break;
	case ATT_COLITEM_QE_IDENTITY:
		snprintf(out, len, "dcap/qeidentity/%s",
			 att_dcap_tee_name(s->tee));
		break;
	case ATT_COLITEM_PCK_CRL:
		snprintf(out, len, "dcap/pckcrl/%s", att_dcap_ca_name(s->ca));
		break;
	case ATT_COLITEM_ROOT_CRL:
		snprintf(out, len, "dcap/rootcacrl");
		break;
	case ATT_COLITEM_CHAIN:
		if (s->role == ATT_COLCHAIN_TCB_SIGNING)
			snprintf(out, len, "dcap/chain/tcbsigning");
		else
			snprintf(out, len, "dcap/chain/pckcrl/%s",
				 att_dcap_ca_name(s->ca));
		break;
	}
}

void att_colspec_what(const struct att_colspec *s, char *out, size_t len)
{
	char fm[13];
	switch (s->kind) {
	case ATT_COLITEM_TCB_INFO:
		att_hex_encode(fm, sizeof(fm), s->fmspc, 6, true);
		snprintf(out, len, "TCB Info (%s, FMSPC %s)",
			 att_dcap_tee_name(s->tee), fm);
		break;
	case ATT_COLITEM_QE_IDENTITY:
		snprintf(out, len, "QE Identity (%s)",
			 att_dcap_tee_name(s->tee));
		break;
	case ATT_COLITEM_PCK_CRL:
		snprintf(out, len, "PCK CRL (%s CA)", att_dcap_ca_name(s->ca));
		break;
	case ATT_COLITEM_ROOT_CRL:
		snprintf(out, len, "Root CA CRL");
		break;
	case ATT_COLITEM_CHAIN:
		if (s->role == ATT_COLCHAIN_TCB_SIGNING)
			snprintf(out, len, "TCB signing issuer chain");
		else
			snprintf(out, len, "PCK CRL issuer chain (%s CA)",
				 att_dcap_ca_name(s->ca));
		break;
	}
}

bool att_colspec_same(const struct att_colspec *a, const struct att_colspec *b)
{
	char ka[ATT_COLITEM_KEY_LEN], kb[ATT_COLITEM_KEY_LEN];
	att_colspec_key(a, ka, sizeof(ka));
	att_colspec_key(b, kb, sizeof(kb));
	return a->kind == b->kind && strcmp(ka, kb) == 0;
}

static int dup_bytes(uint8_t **out, const void *p, size_t n)
{
	*out = malloc(n + 1);
	if (!*out)
		return ATT_ERR_NOMEM;
	if (n)
		memcpy(*out, p, n);
	(*out)[n] = 0;
	return 0;
}

int att_colitem_set_source(struct att_colitem *it, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	free(it->source);
	it->source = strdup(buf);
	return it->source ? 0 : ATT_ERR_NOMEM;
}

/* ---- signed JSON documents ---- */

static int doc_common(struct att_colitem *out, const char *text, size_t len,
		      const char *sig_hex, size_t sig_len)
{
	if (dup_bytes(&out->body, text, len))
		return ATT_ERR_NOMEM;
	out->body_len = len;
	if (sig_hex && !(out->sig_hex = strndup(sig_hex, sig_len)))
		return ATT_ERR_NOMEM;
	return 0;
}

int att_colitem_from_tcb_info(struct att_colitem *out, const char *text,
			      size_t len, const char *sig_hex, size_t sig_len,
			      struct att_diag *d)
{
	struct att_tcb_info *ti = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	if (len > ATT_MAX_COLLATERAL_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT, "TCB Info too large");
	if ((rc = att_tcb_info_parse(&ti, text, len, sig_hex, sig_len, d)))
		return rc;
	out->spec.kind = ATT_COLITEM_TCB_INFO;
	out->spec.tee = ti->id == ATT_TCB_INFO_TDX ? ATT_DCAP_TEE_TDX
						   : ATT_DCAP_TEE_SGX;
	memcpy(out->spec.fmspc, ti->fmspc, 6);
	out->issue = ti->issue_date;
	out->next_update = ti->next_update;
	att_tcb_info_free(ti);
	if ((rc = doc_common(out, text, len, sig_hex, sig_len)) != 0) {
		att_colitem_release(out);
		return att_diag_set(d, rc, "TCB Info: out of memory");
	}
	return 0;
}

int att_colitem_from_qe_identity(struct att_colitem *out, const char *text,
				 size_t len, const char *sig_hex,
				 size_t sig_len, struct att_diag *d)
{
	struct att_qe_identity *qi = NULL;
	int rc;
	memset(out, 0, sizeof(*out));
	if (len > ATT_MAX_COLLATERAL_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT, "QE Identity too large");
	if ((rc = att_qe_identity_parse(&qi, text, len, sig_hex, sig_len, d)))
		return rc;
	enum att_qe_identity_id id = qi->id;
	out->issue = qi->issue_date;
	out->next_update = qi->next_update;
	att_qe_identity_free(qi);
	if (id != ATT_QE_ID_QE && id != ATT_QE_ID_TD_QE)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED, "enclave identity "
				    "is not a quoting enclave's (QE/TD_QE)");
	out->spec.kind = ATT_COLITEM_QE_IDENTITY;
	out->spec.tee = id == ATT_QE_ID_TD_QE ? ATT_DCAP_TEE_TDX
					      : ATT_DCAP_TEE_SGX;
	if ((rc = doc_common(out, text, len, sig_hex, sig_len)) != 0) {
		att_colitem_release(out);
		return att_diag_set(d, rc, "QE Identity: out of memory");
	}
	return 0;
}

/* ---- CRLs ---- */

static int crl_kind(struct att_colspec *s, const char *cn, struct att_diag *d)
{
	if (strstr(cn, "PCK Processor CA") || strstr(cn, "PCK Platform CA")) {
		s->kind = ATT_COLITEM_PCK_CRL;
		s->ca = strstr(cn, "Platform") ? ATT_DCAP_CA_PLATFORM
					       : ATT_DCAP_CA_PROCESSOR;
		return 0;
	}
	if (strstr(cn, "Root CA")) {
		s->kind = ATT_COLITEM_ROOT_CRL;
		return 0;
	}
	return att_diag_set(d, ATT_ERR_UNSUPPORTED, "CRL issued by \"%s\" is "
			    "neither a PCK CA nor a Root CA CRL", cn);
}

int att_colitem_from_crl(struct att_colitem *out, const uint8_t *data,
			 size_t len, struct att_diag *d)
{
	struct att_x509_crl *crl = NULL;
	uint8_t *der = NULL;
	size_t der_len = 0;
	char cn[128];
	int rc;
	memset(out, 0, sizeof(*out));
	if (len > ATT_MAX_COLLATERAL_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT, "CRL too large");
	if ((rc = att_dcap_crl_to_der(&der, &der_len, data, len, d)) != 0)
		return rc;
	if (att_x509_crl_from_der(&crl, der, der_len) != 0) {
		rc = att_diag_set(d, ATT_ERR_FORMAT, "not a DER X.509 CRL");
		goto out;
	}
	att_x509_crl_issuer_cn(crl, cn, sizeof(cn));
	if ((rc = crl_kind(&out->spec, cn, d)) != 0 ||
	    (rc = att_x509_crl_times(crl, &out->issue, &out->next_update)))
		goto out;
	if ((rc = dup_bytes(&out->body, der, der_len)) != 0)
		goto out;
	out->body_len = der_len;
out:
	if (rc)
		att_colitem_release(out);
	att_x509_crl_free(crl);
	free(der);
	return rc;
}

/* ---- PEM issuer chains ---- */

struct chain_certs {
	struct att_cert *x[ATT_MAX_CERT_CHAIN];
	size_t n;
};

static void chain_certs_free(struct chain_certs *c)
{
	for (size_t i = 0; i < c->n; i++)
		att_cert_free(c->x[i]);
	c->n = 0;
}

/* Parses every certificate; window = [latest notBefore, earliest notAfter].
 * A NUL byte is refused: the chain is stored as a JSON string, and a
 * store row with \u0000 would not read back. */
static int chain_load(struct chain_certs *c, const char *pem, size_t len,
		      int64_t *from, int64_t *until, struct att_diag *d)
{
	struct att_pem_span sp[ATT_MAX_CERT_CHAIN];
	c->n = 0;
	*from = INT64_MIN;
	*until = INT64_MAX;
	if (memchr(pem, 0, len))
		return att_diag_set(d, ATT_ERR_FORMAT, "issuer chain: a NUL "
				    "byte in the PEM text");
	int n = att_pem_split_certs(sp, ATT_MAX_CERT_CHAIN, pem, len);
	if (n < 0)
		return att_diag_set(d, n, "issuer chain: more than %d "
				    "certificates or bad PEM", ATT_MAX_CERT_CHAIN);
	if (n == 0)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED, "no PEM certificate");
	for (int i = 0; i < n; i++, c->n++) {
		int64_t nb, na;
		if (att_x509_from_pem(&c->x[i], sp[i].p, sp[i].len) != 0 ||
		    att_x509_validity(c->x[i], &nb, &na) != 0) {
			att_cert_free(c->x[i]); /* parsed, bad validity */
			chain_certs_free(c);
			return att_diag_set(d, ATT_ERR_FORMAT, "issuer chain: "
					    "certificate #%d does not parse",
					    i + 1);
		}
		*from = nb > *from ? nb : *from;
		*until = na < *until ? na : *until;
	}
	return 0;
}

/* The signer: the one certificate that issued no other in the chain. */
static int chain_signer(const struct chain_certs *c, size_t *leaf)
{
	size_t found = 0, idx = 0;
	for (size_t i = 0; i < c->n; i++) {
		bool issues = false;
		for (size_t j = 0; j < c->n && !issues; j++)
			issues = j != i && att_x509_issuer_is(c->x[j], c->x[i]);
		if (!issues) {
			found++;
			idx = i;
		}
	}
	*leaf = idx;
	return found == 1 ? 0 : ATT_ERR_FORMAT;
}

static int chain_role(struct att_colspec *s, const struct chain_certs *c,
		      struct att_diag *d)
{
	size_t leaf = 0;
	bool has_root = false;
	char cn[128];
	for (size_t i = 0; i < c->n; i++)
		has_root |= att_x509_is_self_issued(c->x[i]);
	if (c->n < 2 || !has_root || chain_signer(c, &leaf) != 0)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED, "PEM certificates "
				    "but not an issuer chain (signer .. root)");
	att_x509_subject_cn(c->x[leaf], cn, sizeof(cn));
	s->kind = ATT_COLITEM_CHAIN;
	if (strstr(cn, "TCB Signing")) {
		s->role = ATT_COLCHAIN_TCB_SIGNING;
		return 0;
	}
	if (strstr(cn, "PCK Processor CA") || strstr(cn, "PCK Platform CA")) {
		s->role = ATT_COLCHAIN_PCK_CA;
		s->ca = strstr(cn, "Platform") ? ATT_DCAP_CA_PLATFORM
					       : ATT_DCAP_CA_PROCESSOR;
		return 0;
	}
	return att_diag_set(d, ATT_ERR_UNSUPPORTED, "certificate chain of "
			    "\"%s\" is not a TCB signing or PCK CA issuer "
			    "chain", cn);
}

int att_colitem_from_chain(struct att_colitem *out, const char *pem,
			   size_t len, struct att_diag *d)
{
	struct chain_certs c = {.n = 0};
	int rc;
	memset(out, 0, sizeof(*out));
	if (len > ATT_MAX_COLLATERAL_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT, "issuer chain too large");
	if ((rc = chain_load(&c, pem, len, &out->issue, &out->next_update,
			     d)) != 0)
		return rc;
	rc = chain_role(&out->spec, &c, d);
	chain_certs_free(&c);
	if (rc == 0 && (rc = dup_bytes(&out->body, pem, len)) == 0)
		out->body_len = len;
	if (rc)
		att_colitem_release(out);
	return rc;
}

int att_colitem_attach_chain(struct att_colitem *it, const char *pem,
			     size_t len, struct att_diag *d)
{
	struct chain_certs c = {.n = 0};
	int64_t from, until;
	uint8_t *copy = NULL;
	int rc = chain_load(&c, pem, len, &from, &until, d);
	chain_certs_free(&c);
	if (rc)
		return rc == ATT_ERR_UNSUPPORTED
			? att_diag_set(d, ATT_ERR_FORMAT, "issuer chain "
				       "without certificates") : rc;
	if (dup_bytes(&copy, pem, len))
		return att_diag_set(d, ATT_ERR_NOMEM, "out of memory");
	free(it->chain);
	it->chain = (char *)copy;
	it->chain_len = len;
	if (until < it->next_update)
		it->next_update = until;
	return 0;
}

/* ---- classification ---- */

static int classify_json(struct att_colitem *out, const uint8_t *data,
			 size_t len, struct att_diag *d)
{
	json_error_t e;
	json_t *o = json_loadb((const char *)data, len, 0, &e);
	bool tcb = json_is_object(json_object_get(o, "tcbInfo"));
	bool qe = json_is_object(json_object_get(o, "enclaveIdentity"));
	bool obj = json_is_object(o);
	json_decref(o);
	if (!obj)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED, "JSON that does not "
				    "parse as an object (%s)", e.text);
	if (tcb)
		return att_colitem_from_tcb_info(out, (const char *)data, len,
						 NULL, 0, d);
	if (qe)
		return att_colitem_from_qe_identity(out, (const char *)data,
						    len, NULL, 0, d);
	return att_diag_set(d, ATT_ERR_UNSUPPORTED, "JSON without \"tcbInfo\" "
			    "or \"enclaveIdentity\"");
}

static bool has(const uint8_t *data, size_t len, const char *s)
{
	return memmem(data, len, s, strlen(s)) != NULL;
}

int att_colitem_classify(struct att_colitem *out, const uint8_t *data,
			 size_t len, struct att_diag *d)
{
	size_t i = 0;
	struct att_diag tmp = {0};
	memset(out, 0, sizeof(*out));
	while (i < len && (data[i] == ' ' || data[i] == '\n' ||
			   data[i] == '\r' || data[i] == '\t'))
		i++;
	if (i == len)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED, "empty");
	if (len > ATT_MAX_COLLATERAL_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT, "larger than %d bytes",
				    ATT_MAX_COLLATERAL_LEN);
	if (data[i] == '{')
		return classify_json(out, data, len, d);
	if (has(data, len, "PRIVATE KEY-----"))
		return att_diag_set(d, ATT_ERR_UNSUPPORTED, "a private key "
				    "(never imported)");
	if (has(data, len, "-----BEGIN X509 CRL-----"))
		return att_colitem_from_crl(out, data, len, d);
	if (has(data, len, "-----BEGIN CERTIFICATE-----"))
		return att_colitem_from_chain(out, (const char *)data, len, d);
	int rc = att_colitem_from_crl(out, data, len, &tmp);
	if (rc == 0 || rc == ATT_ERR_UNSUPPORTED)
		return rc ? att_diag_set(d, rc, "%s", tmp.msg) : 0;
	return att_diag_set(d, ATT_ERR_UNSUPPORTED, "not DCAP collateral "
			    "(not JSON, PEM or a DER/hex CRL)");
}
