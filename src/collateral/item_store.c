/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Items in the store's collateral table: one row per item under its key,
 * with the fetch/import time and the item's next_update in their columns,
 * and as body a compact JSON envelope
 *   {"v":1,"kind":"tcb_info","tee":"sgx","fmspc":"00606A000000",
 *    "enc":"text","body":"<raw text>","signature":"<hex>",
 *    "issuer_chain":"<PEM>","issue":N,"next_update":N,"source":"..."}
 * where body is the raw item exactly as received (CRLs as hex of the DER:
 * "enc":"hex"). A string round-trips byte for byte through the JSON, so
 * the signed text of a TCB Info or QE Identity is what was received.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "codec/hex.h"
#include "collateral/items.h"

static const char *const kind_names[] = {
	"tcb_info", "qe_identity", "pck_crl", "root_ca_crl", "chain",
};

static bool is_binary(enum att_colitem_kind k)
{
	return k == ATT_COLITEM_PCK_CRL || k == ATT_COLITEM_ROOT_CRL;
}

static int set_str(json_t *o, const char *k, const char *v, size_t len)
{
	json_t *s = v ? json_stringn(v, len) : NULL;
	if (!v)
		return 0;
	return s && json_object_set_new(o, k, s) == 0 ? 0 : ATT_ERR_FORMAT;
}

static int spec_json(json_t *o, const struct att_colspec *s)
{
	char fm[13];
	int rc = set_str(o, "kind", kind_names[s->kind],
			 strlen(kind_names[s->kind]));
	if (!rc && (s->kind == ATT_COLITEM_TCB_INFO ||
		    s->kind == ATT_COLITEM_QE_IDENTITY))
		rc = set_str(o, "tee", att_dcap_tee_name(s->tee), 3);
	if (!rc && s->kind == ATT_COLITEM_TCB_INFO) {
		att_hex_encode(fm, sizeof(fm), s->fmspc, 6, true);
		rc = set_str(o, "fmspc", fm, 12);
	}
	if (!rc && s->kind == ATT_COLITEM_CHAIN) {
		const char *r = s->role == ATT_COLCHAIN_TCB_SIGNING
					? "tcb_signing" : "pck_ca";
		rc = set_str(o, "role", r, strlen(r));
	}
	if (!rc && (s->kind == ATT_COLITEM_PCK_CRL ||
		    (s->kind == ATT_COLITEM_CHAIN &&
		     s->role == ATT_COLCHAIN_PCK_CA))) {
		const char *ca = att_dcap_ca_name(s->ca);
		rc = set_str(o, "ca", ca, strlen(ca));
	}
	return rc;
}

static int body_json(json_t *o, const struct att_colitem *it)
{
	char *hex = NULL;
	int rc;
	if (!is_binary(it->spec.kind))
		return set_str(o, "enc", "text", 4) ||
		       set_str(o, "body", (const char *)it->body, it->body_len)
			? ATT_ERR_FORMAT : 0;
	if (!(hex = att_hex_encode_alloc(it->body, it->body_len)))
		return ATT_ERR_NOMEM;
	rc = set_str(o, "enc", "hex", 3) ||
	     set_str(o, "body", hex, strlen(hex)) ? ATT_ERR_FORMAT : 0;
	free(hex);
	return rc;
}

static int encode(char **out, const struct att_colitem *it)
{
	json_t *o = json_object();
	int rc = o ? 0 : ATT_ERR_NOMEM;
	*out = NULL;
	if (!rc && json_object_set_new(o, "v", json_integer(1)))
		rc = ATT_ERR_NOMEM;
	if (!rc && (rc = spec_json(o, &it->spec)) == 0 &&
	    (rc = body_json(o, it)) == 0 &&
	    (rc = set_str(o, "signature", it->sig_hex,
			  it->sig_hex ? strlen(it->sig_hex) : 0)) == 0 &&
	    (rc = set_str(o, "issuer_chain", it->chain, it->chain_len)) == 0 &&
	    (rc = set_str(o, "source", it->source,
			  it->source ? strlen(it->source) : 0)) == 0) {
		if (json_object_set_new(o, "issue", json_integer(it->issue)) ||
		    json_object_set_new(o, "next_update",
					json_integer(it->next_update)) ||
		    !(*out = json_dumps(o, JSON_COMPACT)))
			rc = ATT_ERR_NOMEM;
	}
	json_decref(o);
	return rc;
}

int att_colitem_put(struct att_store *st, const struct att_colitem *it,
		    int64_t fetched, struct att_diag *d)
{
	char key[ATT_COLITEM_KEY_LEN], what[ATT_COLITEM_WHAT_LEN];
	char *body = NULL;
	att_colspec_key(&it->spec, key, sizeof(key));
	int rc = encode(&body, it);
	if (rc) {
		att_colspec_what(&it->spec, what, sizeof(what));
		return att_diag_set(d, rc, "%s: cannot encode for the store "
				    "(text not UTF-8?)", what);
	}
	struct att_store_collateral row = {
		.key = key, .body = (uint8_t *)body, .body_len = strlen(body),
		.fetched = fetched, .next_update = it->next_update,
	};
	rc = att_store_collateral_put(st, &row, d);
	free(body);
	return rc;
}

/* ---- decoding ---- */

static const char *jstr(json_t *o, const char *k, size_t *len)
{
	json_t *v = json_object_get(o, k);
	if (!json_is_string(v))
		return NULL;
	if (len)
		*len = json_string_length(v);
	return json_string_value(v);
}

static int dup_str(char **out, json_t *o, const char *k, size_t *len)
{
	size_t n = 0;
	const char *s = jstr(o, k, &n);
	*out = NULL;
	if (!s)
		return 0;
	if (!(*out = malloc(n + 1)))
		return ATT_ERR_NOMEM;
	memcpy(*out, s, n);
	(*out)[n] = 0;
	if (len)
		*len = n;
	return 0;
}

static int decode_body(struct att_colitem *it, json_t *o)
{
	size_t n = 0;
	const char *enc = jstr(o, "enc", NULL), *b = jstr(o, "body", &n);
	if (!enc || !b)
		return ATT_ERR_FORMAT;
	if (strcmp(enc, "hex") == 0) {
		uint8_t *raw = NULL;
		size_t raw_len = 0;
		if (att_hex_decode(&raw, &raw_len, b, n) != 0)
			return ATT_ERR_FORMAT;
		it->body = realloc(raw, raw_len + 1);
		if (!it->body) {
			free(raw);
			return ATT_ERR_NOMEM;
		}
		it->body[raw_len] = 0;
		it->body_len = raw_len;
		return 0;
	}
	return dup_str((char **)&it->body, o, "body", &it->body_len);
}

static int decode(struct att_colitem *it, const uint8_t *row, size_t len)
{
	json_t *o = json_loadb((const char *)row, len, 0, NULL);
	const char *kind = jstr(o, "kind", NULL);
	int rc = ATT_ERR_FORMAT;
	if (!json_is_object(o) ||
	    json_integer_value(json_object_get(o, "v")) != 1 || !kind)
		goto out;
	for (size_t k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]); k++) {
		if (strcmp(kind, kind_names[k]) == 0) {
			it->spec.kind = (enum att_colitem_kind)k;
			rc = 0;
		}
	}
	if (rc || (rc = decode_body(it, o)) ||
	    (rc = dup_str(&it->sig_hex, o, "signature", NULL)) ||
	    (rc = dup_str(&it->chain, o, "issuer_chain", &it->chain_len)) ||
	    (rc = dup_str(&it->source, o, "source", NULL)))
		goto out;
	it->issue = json_integer_value(json_object_get(o, "issue"));
	it->next_update = json_integer_value(json_object_get(o, "next_update"));
out:
	json_decref(o);
	return rc;
}

int att_colitem_from_row(struct att_colitem *out,
			 const struct att_store_collateral *row,
			 enum att_colitem_kind kind, struct att_diag *d)
{
	int rc;
	memset(out, 0, sizeof(*out));
	if (row->body_len > 2 * (size_t)ATT_MAX_COLLATERAL_LEN + 65536)
		rc = ATT_ERR_LIMIT;
	else
		rc = decode(out, row->body, row->body_len);
	if (rc == 0 && out->spec.kind != kind)
		rc = ATT_ERR_FORMAT;
	if (rc) {
		att_colitem_release(out);
		return att_diag_set(d, rc, "store row %s is damaged",
				    row->key);
	}
	return 0;
}

int att_colitem_get(struct att_store *st, const struct att_colspec *s,
		    struct att_colitem *out, int64_t *fetched,
		    struct att_diag *d)
{
	char key[ATT_COLITEM_KEY_LEN], what[ATT_COLITEM_WHAT_LEN];
	struct att_store_collateral row = {0};
	memset(out, 0, sizeof(*out));
	att_colspec_key(s, key, sizeof(key));
	int rc = att_store_collateral_get(st, key, &row, d);
	if (rc)
		return rc;
	if (row.body_len > 2 * (size_t)ATT_MAX_COLLATERAL_LEN + 65536)
		rc = ATT_ERR_LIMIT;
	else
		rc = decode(out, row.body, row.body_len);
	if (rc == 0 && out->spec.kind != s->kind)
		rc = ATT_ERR_FORMAT;
	if (rc == 0) {
		/* the key names the item: the rest of the spec comes from it */
		enum att_colitem_kind k = out->spec.kind;
		out->spec = *s;
		out->spec.kind = k;
		if (fetched)
			*fetched = row.fetched;
	} else {
		att_colitem_release(out);
		att_colspec_what(s, what, sizeof(what));
		rc = att_diag_set(d, rc, "store row %s (%s) is damaged", key,
				  what);
	}
	att_store_collateral_release(&row);
	return rc;
}
