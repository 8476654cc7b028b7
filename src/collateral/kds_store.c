/* SPDX-License-Identifier: Apache-2.0 */
/*
 * KDS items in the store's collateral table, beside the DCAP items: one
 * row per item under its "kds/..." key (att_kds_item_key), the fetch or
 * import time and the item's end of validity in their columns, and as
 * body a compact JSON envelope
 *   {"v":1,"kind":"kds_vcek","enc":"hex","body":"<hex of the DER>",
 *    "source":"GET https://kdsintf.amd.com/..."}
 * ("enc":"text" for a PEM cert_chain). A row is parsed again as the item
 * its key names when read, so a damaged or misfiled row is refused.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "collateral/kds.h"

static const char *const kind_names[ATT_KDS_ITEM_KIND_COUNT] = {
	"kds_vcek",	  "kds_vlek",	  "kds_vcek_chain",
	"kds_vlek_chain", "kds_vcek_crl", "kds_vlek_crl",
};

static bool is_text(enum att_kds_item_kind k)
{
	return k == ATT_KDS_ITEM_VCEK_CHAIN || k == ATT_KDS_ITEM_VLEK_CHAIN;
}

static int encode(char **out, const struct att_kds_item *it,
		  const char *source)
{
	json_t *o = json_object();
	char *hex = NULL;
	int rc = ATT_ERR_NOMEM;
	*out = NULL;
	if (!o || it->spec.kind >= ATT_KDS_ITEM_KIND_COUNT)
		goto out;
	if (!is_text(it->spec.kind) &&
	    !(hex = att_hex_encode_alloc(it->body, it->body_len)))
		goto out;
	if (json_object_set_new(o, "v", json_integer(1)) ||
	    json_object_set_new(o, "kind",
				json_string(kind_names[it->spec.kind])) ||
	    json_object_set_new(o, "enc", json_string(hex ? "hex" : "text")) ||
	    json_object_set_new(o, "body",
				hex ? json_string(hex)
				    : json_stringn((const char *)it->body,
						   it->body_len)) ||
	    (source && json_object_set_new(o, "source", json_string(source))))
		goto out;
	rc = (*out = json_dumps(o, JSON_COMPACT)) ? 0 : ATT_ERR_NOMEM;
out:
	free(hex);
	json_decref(o);
	return rc;
}

int att_kds_item_put(struct att_store *st, const struct att_kds_item *it,
		     int64_t fetched, const char *source, struct att_diag *d)
{
	char key[ATT_KDS_KEY_LEN], what[160];
	char *body = NULL;
	att_kds_item_key(&it->spec, key, sizeof(key));
	int rc = encode(&body, it, source);
	if (rc) {
		att_kds_item_what(&it->spec, what, sizeof(what));
		return att_diag_set(d, rc, "AMD KDS: %s: cannot encode for the "
				    "store", what);
	}
	struct att_store_collateral row = {
		.key = key, .body = (uint8_t *)body, .body_len = strlen(body),
		.fetched = fetched, .next_update = it->valid_until,
	};
	rc = att_store_collateral_put(st, &row, d);
	free(body);
	return rc;
}

static int decode(uint8_t **raw, size_t *raw_len,
		  const struct att_kds_spec *s, const uint8_t *row, size_t len)
{
	json_t *o = json_loadb((const char *)row, len, 0, NULL);
	json_t *b = json_object_get(o, "body");
	const char *kind = json_string_value(json_object_get(o, "kind"));
	const char *enc = json_string_value(json_object_get(o, "enc"));
	int rc = ATT_ERR_FORMAT;
	*raw = NULL;
	if (!json_is_object(o) ||
	    json_integer_value(json_object_get(o, "v")) != 1 || !kind ||
	    strcmp(kind, kind_names[s->kind]) != 0 || !enc || !json_is_string(b))
		goto out;
	const char *t = json_string_value(b);
	size_t n = json_string_length(b);
	if (strcmp(enc, "hex") == 0) {
		rc = att_hex_decode(raw, raw_len, t, n) ? ATT_ERR_FORMAT : 0;
	} else if (strcmp(enc, "text") == 0 && (*raw = malloc(n + 1))) {
		memcpy(*raw, t, n);
		(*raw)[n] = 0;
		*raw_len = n;
		rc = 0;
	}
out:
	json_decref(o);
	return rc;
}

int att_kds_item_get(struct att_store *st, const struct att_kds_spec *s,
		     struct att_kds_item *out, int64_t *fetched,
		     struct att_diag *d)
{
	char key[ATT_KDS_KEY_LEN];
	struct att_store_collateral row = {0};
	struct att_diag pd = {0};
	uint8_t *raw = NULL;
	size_t raw_len = 0;
	int rc;
	memset(out, 0, sizeof(*out));
	if (s->kind >= ATT_KDS_ITEM_KIND_COUNT)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "AMD KDS: bad kind");
	att_kds_item_key(s, key, sizeof(key));
	if ((rc = att_store_collateral_get(st, key, &row, d)) != 0)
		return rc;
	if (row.body_len > 4 * (size_t)ATT_SNP_MAX_CRL_LEN)
		rc = ATT_ERR_LIMIT;
	else
		rc = decode(&raw, &raw_len, s, row.body, row.body_len);
	if (rc == 0)
		rc = att_kds_parse_response(out, s, raw, raw_len, &pd);
	if (rc == 0 && fetched)
		*fetched = row.fetched;
	if (rc)
		rc = att_diag_set(d, rc, "store row %s is damaged%s%s", key,
				  pd.msg[0] ? ": " : "", pd.msg);
	free(raw);
	att_store_collateral_release(&row);
	return rc;
}
