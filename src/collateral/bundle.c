/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The collateral bundle: a JSON object with the field names of Intel's
 * sgx_ql_qve_collateral_t (pck_crl_issuer_chain, root_ca_crl, pck_crl,
 * tcb_info_issuer_chain, tcb_info, tcb_info_signature,
 * qe_identity_issuer_chain, qe_identity, qe_identity_signature), as
 * dcap-qvl's QuoteCollateralV3 JSON and the SGX simulator write it. It is
 * split into items so that its parts are stored and refreshed like the
 * ones fetched from a PCS: each document with the issuer chain that came
 * with it, and the chains themselves under their role.
 */
#include <jansson.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "collateral/items.h"

struct field {
	const char *p;
	size_t len;
};

static int field(json_t *o, const char *k, struct field *f,
		 struct att_diag *d)
{
	json_t *v = json_object_get(o, k);
	f->p = NULL;
	f->len = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return att_diag_set(d, ATT_ERR_FORMAT, "collateral bundle: "
				    "\"%s\" is not a string", k);
	f->p = json_string_value(v);
	f->len = json_string_length(v);
	return 0;
}

bool att_colbundle_detect(const uint8_t *data, size_t len)
{
	size_t i = 0;
	while (i < len && (data[i] == ' ' || data[i] == '\n' ||
			   data[i] == '\r' || data[i] == '\t'))
		i++;
	if (i == len || data[i] != '{' || len > ATT_MAX_COLLATERAL_LEN)
		return false;
	json_t *o = json_loadb((const char *)data, len, 0, NULL);
	bool yes = json_is_string(json_object_get(o, "tcb_info")) ||
		   json_is_string(json_object_get(o, "qe_identity")) ||
		   json_is_string(json_object_get(o, "pck_crl"));
	json_decref(o);
	return yes;
}

struct bundle {
	struct field tcb, tcb_sig, tcb_chain, qe, qe_sig, qe_chain;
	struct field pck_crl, pck_chain, root_crl;
};

static int bundle_fields(json_t *o, struct bundle *b, struct att_diag *d)
{
	int rc;
	if ((rc = field(o, "tcb_info", &b->tcb, d)) ||
	    (rc = field(o, "tcb_info_signature", &b->tcb_sig, d)) ||
	    (rc = field(o, "tcb_info_issuer_chain", &b->tcb_chain, d)) ||
	    (rc = field(o, "qe_identity", &b->qe, d)) ||
	    (rc = field(o, "qe_identity_signature", &b->qe_sig, d)) ||
	    (rc = field(o, "qe_identity_issuer_chain", &b->qe_chain, d)) ||
	    (rc = field(o, "pck_crl", &b->pck_crl, d)) ||
	    (rc = field(o, "pck_crl_issuer_chain", &b->pck_chain, d)) ||
	    (rc = field(o, "root_ca_crl", &b->root_crl, d)))
		return rc;
	return 0;
}

static int with_chain(struct att_colitem *it, const struct field *chain,
		      struct att_diag *d)
{
	return chain->p && chain->len
		? att_colitem_attach_chain(it, chain->p, chain->len, d) : 0;
}

/* A chain is stored under its role too, when the role is recognised. */
static int add_chain(struct att_colitem *items, size_t *n,
		     const struct field *chain, struct att_diag *d)
{
	struct att_diag tmp = {0};
	if (!chain->p || !chain->len)
		return 0;
	int rc = att_colitem_from_chain(&items[*n], chain->p, chain->len, &tmp);
	if (rc == ATT_ERR_UNSUPPORTED)
		return 0;
	if (rc)
		return att_diag_set(d, rc, "collateral bundle: %s", tmp.msg);
	(*n)++;
	return 0;
}

static int docs(struct att_colitem *items, size_t *n, const struct bundle *b,
		struct att_diag *d)
{
	int rc;
	if (b->tcb.p) {
		if ((rc = att_colitem_from_tcb_info(&items[*n], b->tcb.p,
						    b->tcb.len, b->tcb_sig.p,
						    b->tcb_sig.len, d)) ||
		    (rc = with_chain(&items[(*n)++], &b->tcb_chain, d)))
			return rc;
	}
	if (b->qe.p) {
		const struct field *qc = b->qe_chain.p ? &b->qe_chain
						       : &b->tcb_chain;
		if ((rc = att_colitem_from_qe_identity(&items[*n], b->qe.p,
						       b->qe.len, b->qe_sig.p,
						       b->qe_sig.len, d)) ||
		    (rc = with_chain(&items[(*n)++], qc, d)))
			return rc;
	}
	return 0;
}

static int crl(struct att_colitem *items, size_t *n, const struct field *f,
	       const struct field *chain, enum att_colitem_kind want,
	       struct att_diag *d)
{
	int rc;
	if (!f->p)
		return 0;
	if ((rc = att_colitem_from_crl(&items[*n], (const uint8_t *)f->p,
				       f->len, d)) != 0)
		return rc;
	if (items[(*n)++].spec.kind != want)
		return att_diag_set(d, ATT_ERR_FORMAT, "collateral bundle: %s "
				    "holds another CRL",
				    want == ATT_COLITEM_PCK_CRL ? "pck_crl"
								: "root_ca_crl");
	return chain ? with_chain(&items[*n - 1], chain, d) : 0;
}

int att_colbundle_split(struct att_colitem *items, size_t *n,
			const uint8_t *data, size_t len, struct att_diag *d)
{
	struct bundle b;
	json_error_t e;
	json_t *o = NULL;
	int rc;
	*n = 0;
	memset(items, 0, sizeof(*items) * ATT_COLBUNDLE_MAX_ITEMS);
	if (len > ATT_MAX_COLLATERAL_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT, "collateral bundle too "
				    "large");
	o = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &e);
	if (!json_is_object(o)) {
		json_decref(o);
		return att_diag_set(d, ATT_ERR_FORMAT, "collateral bundle: not "
				    "a JSON object (%s)", e.text);
	}
	if ((rc = bundle_fields(o, &b, d)) || (rc = docs(items, n, &b, d)) ||
	    (rc = crl(items, n, &b.pck_crl, &b.pck_chain, ATT_COLITEM_PCK_CRL,
		      d)) ||
	    (rc = crl(items, n, &b.root_crl, NULL, ATT_COLITEM_ROOT_CRL, d)) ||
	    (rc = add_chain(items, n, &b.tcb_chain, d)) ||
	    (rc = add_chain(items, n, &b.pck_chain, d)))
		goto out;
	if (*n == 0)
		rc = att_diag_set(d, ATT_ERR_FORMAT, "collateral bundle holds "
				  "no collateral");
out:
	if (rc) {
		for (size_t i = 0; i <= *n && i < ATT_COLBUNDLE_MAX_ITEMS; i++)
			att_colitem_release(&items[i]);
		*n = 0;
	}
	json_decref(o);
	return rc;
}
