/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Building struct att_dcap_collateral from raw items, from the JSON bundle
 * with sgx_ql_qve_collateral_t field names (dcap-qvl's QuoteCollateralV3)
 * and from files. Everything is parsed once here (JSON documents,
 * certificates, CRLs) and the content hashes used as cache keys and
 * reported to relying parties (MAA's x-ms-sgx-collateral) are computed.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "crypto/digest.h"
#include "evidence/sgx/dcap_int.h"

static void chain_release(struct att_dcap_chain *c)
{
	for (size_t i = 0; i < c->n; i++)
		att_cert_free(c->certs[i]);
	c->n = 0;
}

static int chain_parse(struct att_dcap_chain *c, const struct att_dcap_bytes *b,
		       const char *what, struct att_diag *d)
{
	struct att_pem_span spans[ATT_MAX_CERT_CHAIN];
	int n = att_pem_split_certs(spans, ATT_MAX_CERT_CHAIN,
				    (const char *)b->p, b->len), rc;
	if (n <= 0)
		return att_diag_set(d, n < 0 ? n : ATT_ERR_FORMAT,
				    "%s: no PEM certificates", what);
	for (int i = 0; i < n; i++) {
		if ((rc = att_x509_from_pem(&c->certs[c->n], spans[i].p,
					    spans[i].len)) != 0)
			return att_diag_set(d, rc, "%s: certificate #%d does "
					    "not parse", what, i + 1);
		c->n++;
	}
	return 0;
}

static int crl_parse(struct att_x509_crl **out, uint8_t der_hash[32],
		     const struct att_dcap_bytes *b, const char *what,
		     struct att_diag *d)
{
	uint8_t *der = NULL;
	size_t der_len = 0;
	int rc = att_dcap_crl_to_der(&der, &der_len, b->p, b->len, d);
	if (rc == 0 && (rc = att_x509_crl_from_der(out, der, der_len)) != 0)
		rc = att_diag_set(d, rc, "%s: not a DER X.509 CRL", what);
	if (rc == 0)
		att_sha256(der_hash, der, der_len);
	free(der);
	return rc;
}

void att_dcap_collateral_free(struct att_dcap_collateral *c)
{
	if (!c)
		return;
	att_tcb_info_free(c->tcb_info);
	att_qe_identity_free(c->qe_identity);
	chain_release(&c->tcb_chain);
	chain_release(&c->qe_chain);
	chain_release(&c->pck_crl_chain);
	att_x509_crl_free(c->pck_crl);
	att_x509_crl_free(c->root_crl);
	free(c);
}

static bool present(const struct att_dcap_bytes *b)
{
	return b->p && b->len > 0;
}

static void hash_item(uint8_t out[32], const struct att_dcap_bytes *b)
{
	if (present(b))
		att_sha256(out, b->p, b->len);
	else
		memset(out, 0, 32);
}

/* Cache key of a signed document: body, signature and signing chain. */
static void doc_key(uint8_t out[32], const char *tag, const char *body,
		    size_t body_len, const uint8_t sig[64],
		    const uint8_t chain_hash[32])
{
	uint8_t buf[8 + 32 + 64 + 32];
	memset(buf, 0, 8);
	memcpy(buf, tag, strlen(tag) < 8 ? strlen(tag) : 8);
	att_sha256(buf + 8, body, body_len);
	memcpy(buf + 40, sig, 64);
	memcpy(buf + 104, chain_hash, 32);
	att_sha256(out, buf, sizeof(buf));
}

static int docs_parse(struct att_dcap_collateral *c,
		      const struct att_dcap_collateral_src *s,
		      struct att_diag *d)
{
	int rc;
	if (!present(&s->tcb_info) || !present(&s->qe_identity))
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "collateral: TCB "
				    "Info and QE Identity are required");
	rc = att_tcb_info_parse(&c->tcb_info, (const char *)s->tcb_info.p,
				s->tcb_info.len,
				(const char *)s->tcb_info_signature.p,
				s->tcb_info_signature.len, d);
	if (rc)
		return rc;
	return att_qe_identity_parse(&c->qe_identity,
				     (const char *)s->qe_identity.p,
				     s->qe_identity.len,
				     (const char *)s->qe_identity_signature.p,
				     s->qe_identity_signature.len, d);
}

static int pki_parse(struct att_dcap_collateral *c,
		     const struct att_dcap_collateral_src *s,
		     struct att_diag *d)
{
	const struct att_dcap_bytes *qe_chain = present(&s->qe_identity_issuer_chain)
		? &s->qe_identity_issuer_chain : &s->tcb_info_issuer_chain;
	int rc;
	if (!present(&s->tcb_info_issuer_chain) || !present(&s->pck_crl) ||
	    !present(&s->root_ca_crl))
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "collateral: TCB "
				    "signing chain, PCK CRL and Root CA CRL "
				    "are required");
	if ((rc = chain_parse(&c->tcb_chain, &s->tcb_info_issuer_chain,
			      "TCB Info issuer chain", d)) ||
	    (rc = chain_parse(&c->qe_chain, qe_chain,
			      "QE Identity issuer chain", d)) ||
	    (rc = crl_parse(&c->pck_crl, c->pck_crl_der_hash, &s->pck_crl,
			    "PCK CRL", d)) ||
	    (rc = crl_parse(&c->root_crl, c->root_crl_der_hash,
			    &s->root_ca_crl, "Root CA CRL", d)))
		return rc;
	if (present(&s->pck_crl_issuer_chain))
		return chain_parse(&c->pck_crl_chain, &s->pck_crl_issuer_chain,
				   "PCK CRL issuer chain", d);
	return 0;
}

static void hashes_fill(struct att_dcap_collateral *c,
			const struct att_dcap_collateral_src *s)
{
	struct att_dcap_collateral_hashes *h = &c->hashes;
	hash_item(h->tcbinfohash, &s->tcb_info);
	hash_item(h->tcbinfocertshash, &s->tcb_info_issuer_chain);
	hash_item(h->tcbinfocrlhash, &s->root_ca_crl);
	hash_item(h->qeidhash, &s->qe_identity);
	hash_item(h->qeidcertshash, present(&s->qe_identity_issuer_chain)
					    ? &s->qe_identity_issuer_chain
					    : &s->tcb_info_issuer_chain);
	memcpy(h->qeidcrlhash, h->tcbinfocrlhash, 32);
	hash_item(h->pckcrlhash, &s->pck_crl);
	hash_item(h->pckcrlcertshash, &s->pck_crl_issuer_chain);
	doc_key(c->tcb_key, "tcbinfo", c->tcb_info->body,
		c->tcb_info->body_len, c->tcb_info->signature,
		h->tcbinfocertshash);
	doc_key(c->qe_key, "qeid", c->qe_identity->body,
		c->qe_identity->body_len, c->qe_identity->signature,
		h->qeidcertshash);
}

int att_dcap_collateral_new(struct att_dcap_collateral **out,
			    const struct att_dcap_collateral_src *src,
			    struct att_diag *d)
{
	struct att_dcap_collateral *c = calloc(1, sizeof(*c));
	int rc = ATT_ERR_NOMEM;
	*out = NULL;
	if (!c)
		goto out;
	if ((rc = docs_parse(c, src, d)) != 0 || (rc = pki_parse(c, src, d)))
		goto out;
	hashes_fill(c, src);
	*out = c;
	c = NULL; /* transferred */
out:
	att_dcap_collateral_free(c);
	return rc;
}

const struct att_tcb_info *
att_dcap_collateral_tcb_info(const struct att_dcap_collateral *c)
{
	return c ? c->tcb_info : NULL;
}

const struct att_qe_identity *
att_dcap_collateral_qe_identity(const struct att_dcap_collateral *c)
{
	return c ? c->qe_identity : NULL;
}

/* ---- bundle JSON ---- */

static int bundle_field(json_t *o, const char *k, struct att_dcap_bytes *b,
			struct att_diag *d)
{
	json_t *v = json_object_get(o, k);
	b->p = NULL;
	b->len = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return att_diag_set(d, ATT_ERR_FORMAT, "collateral bundle: "
				    "\"%s\" is not a string", k);
	b->p = (const uint8_t *)json_string_value(v);
	b->len = json_string_length(v);
	return 0;
}

int att_dcap_collateral_from_bundle_json(struct att_dcap_collateral **out,
					 const char *json, size_t len,
					 struct att_diag *d)
{
	struct att_dcap_collateral_src s;
	json_error_t jerr;
	json_t *o = NULL;
	int rc;
	*out = NULL;
	memset(&s, 0, sizeof(s));
	if (len > ATT_MAX_COLLATERAL_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT, "collateral bundle too "
				    "large");
	o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(o)) {
		json_decref(o);
		return att_diag_set(d, ATT_ERR_FORMAT, "collateral bundle: not "
				    "a JSON object (%s)", jerr.text);
	}
	if ((rc = bundle_field(o, "pck_crl_issuer_chain",
			       &s.pck_crl_issuer_chain, d)) ||
	    (rc = bundle_field(o, "root_ca_crl", &s.root_ca_crl, d)) ||
	    (rc = bundle_field(o, "pck_crl", &s.pck_crl, d)) ||
	    (rc = bundle_field(o, "tcb_info_issuer_chain",
			       &s.tcb_info_issuer_chain, d)) ||
	    (rc = bundle_field(o, "tcb_info", &s.tcb_info, d)) ||
	    (rc = bundle_field(o, "tcb_info_signature", &s.tcb_info_signature,
			       d)) ||
	    (rc = bundle_field(o, "qe_identity_issuer_chain",
			       &s.qe_identity_issuer_chain, d)) ||
	    (rc = bundle_field(o, "qe_identity", &s.qe_identity, d)) ||
	    (rc = bundle_field(o, "qe_identity_signature",
			       &s.qe_identity_signature, d)))
		goto out;
	rc = att_dcap_collateral_new(out, &s, d);
out:
	json_decref(o);
	return rc;
}

/* ---- files ---- */

static int read_file(struct att_dcap_bytes *b, const char *path,
		     const char *what, struct att_diag *d)
{
	FILE *f;
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, k;
	b->p = NULL;
	b->len = 0;
	if (!path)
		return 0;
	if (!(f = fopen(path, "rb")))
		return att_diag_set(d, ATT_ERR_IO, "%s: cannot open %s: %s",
				    what, path, strerror(errno));
	do {
		if (n == cap) {
			uint8_t *nb = cap >= ATT_MAX_COLLATERAL_LEN ? NULL
					: realloc(buf, cap = cap ? 2 * cap : 8192);
			if (!nb) {
				free(buf);
				fclose(f);
				return att_diag_set(d, ATT_ERR_LIMIT, "%s: %s "
						    "too large", what, path);
			}
			buf = nb;
		}
		k = fread(buf + n, 1, cap - n, f);
		n += k;
	} while (k > 0);
	fclose(f);
	b->p = buf;
	b->len = n;
	return 0;
}

int att_dcap_collateral_from_files(struct att_dcap_collateral **out,
				   const char *tcb_info_path,
				   const char *qe_identity_path,
				   const char *tcb_chain_path,
				   const char *pck_crl_path,
				   const char *root_crl_path,
				   const char *pck_crl_chain_path,
				   struct att_diag *d)
{
	struct att_dcap_collateral_src s;
	int rc;
	*out = NULL;
	memset(&s, 0, sizeof(s));
	if ((rc = read_file(&s.tcb_info, tcb_info_path, "TCB Info", d)) ||
	    (rc = read_file(&s.qe_identity, qe_identity_path, "QE Identity",
			    d)) ||
	    (rc = read_file(&s.tcb_info_issuer_chain, tcb_chain_path,
			    "TCB signing chain", d)) ||
	    (rc = read_file(&s.pck_crl, pck_crl_path, "PCK CRL", d)) ||
	    (rc = read_file(&s.root_ca_crl, root_crl_path, "Root CA CRL", d)) ||
	    (rc = read_file(&s.pck_crl_issuer_chain, pck_crl_chain_path,
			    "PCK CRL issuer chain", d)))
		goto out;
	rc = att_dcap_collateral_new(out, &s, d);
out:
	free((void *)s.tcb_info.p);
	free((void *)s.qe_identity.p);
	free((void *)s.tcb_info_issuer_chain.p);
	free((void *)s.pck_crl.p);
	free((void *)s.root_ca_crl.p);
	free((void *)s.pck_crl_issuer_chain.p);
	return rc;
}
