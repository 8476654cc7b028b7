/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Claims and claim sets (MAA docs "Claim rule grammar"): an ordered list
 * of (type,
 * value, valueType, issuer), and the two JSON forms: the CLAIMS.json
 * array of claim objects (input and explain output) and the token form,
 * an object mapping each type to its value or to the array of its values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "policy/internal.h"

void att_claimset_init(struct att_claimset *set)
{
	set->v = NULL;
	set->n = 0;
	set->cap = 0;
}

void att_claimset_release(struct att_claimset *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		free(set->v[i].type);
		free(set->v[i].issuer);
		json_decref(set->v[i].value);
	}
	free(set->v);
	att_claimset_init(set);
}

static bool fits(const json_t *v, enum att_claim_vtype vt)
{
	switch (vt) {
	case ATT_CLAIM_STRING:
		return json_is_string(v);
	case ATT_CLAIM_INTEGER:
		return json_is_integer(v);
	case ATT_CLAIM_BOOLEAN:
		return json_is_boolean(v);
	case ATT_CLAIM_JSON:
		return v != NULL;
	}
	return false;
}

int att_claimset_add(struct att_claimset *set, const char *type,
		     json_t *value, enum att_claim_vtype vtype,
		     const char *issuer)
{
	if (!type || !fits(value, vtype))
		return ATT_ERR_INVALID_ARG;
	if (set->n >= ATT_MAX_POLICY_CLAIMS)
		return ATT_ERR_LIMIT;
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		struct att_claim *p = realloc(set->v, cap * sizeof(*p));
		if (!p)
			return ATT_ERR_NOMEM;
		set->v = p;
		set->cap = cap;
	}
	struct att_claim *c = &set->v[set->n];
	c->type = strdup(type);
	c->issuer = strdup(issuer ? issuer : ATT_CLAIM_ISSUER_SERVICE);
	if (!c->type || !c->issuer) {
		free(c->type);
		free(c->issuer);
		return ATT_ERR_NOMEM;
	}
	c->value = json_incref(value);
	c->vtype = vtype;
	set->n++;
	return 0;
}

static int vtype_of(const json_t *value, enum att_claim_vtype *out)
{
	switch (json_typeof(value)) {
	case JSON_STRING:
		*out = ATT_CLAIM_STRING;
		return 0;
	case JSON_INTEGER:
		*out = ATT_CLAIM_INTEGER;
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		*out = ATT_CLAIM_BOOLEAN;
		return 0;
	case JSON_OBJECT:
	case JSON_ARRAY:
		*out = ATT_CLAIM_JSON;
		return 0;
	default:
		return ATT_ERR_INVALID_ARG;
	}
}

int att_claimset_add_json(struct att_claimset *set, const char *type,
			  json_t *value, const char *issuer)
{
	enum att_claim_vtype vt;
	if (!value || vtype_of(value, &vt) != 0)
		return ATT_ERR_INVALID_ARG;
	return att_claimset_add(set, type, value, vt, issuer);
}

/* ---- CLAIMS.json -------------------------------------------------------- */

static int check_members(const json_t *o, size_t i, struct att_diag *diag)
{
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)o, key, v) {
		if (strcmp(key, "type") && strcmp(key, "value") &&
		    strcmp(key, "issuer") && strcmp(key, "valueType"))
			return att_diag_set(diag, ATT_ERR_FORMAT,
					    "claims[%zu]: unknown member '%s'",
					    i, key);
	}
	return 0;
}

static bool c_string(const json_t *s)
{
	return json_is_string(s) &&
	       strlen(json_string_value(s)) == json_string_length(s);
}

static int claim_from_json(struct att_claimset *out, const json_t *o,
			   size_t i, const char *default_issuer,
			   struct att_diag *diag)
{
	int r = check_members(o, i, diag);
	if (r)
		return r;
	json_t *type = json_object_get(o, "type");
	json_t *value = json_object_get(o, "value");
	json_t *issuer = json_object_get(o, "issuer");
	json_t *vtname = json_object_get(o, "valueType");
	enum att_claim_vtype vt, want;
	if (!c_string(type) || json_string_length(type) == 0)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "claims[%zu]: \"type\" must be a non-empty "
				    "string",
				    i);
	if (!value || vtype_of(value, &vt) != 0)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "claims[%zu] (%s): \"value\" must be a "
				    "string, integer, boolean, object or array",
				    i, json_string_value(type));
	if (issuer && !c_string(issuer))
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "claims[%zu]: \"issuer\" must be a string",
				    i);
	if (vtname && (!json_is_string(vtname) ||
		       att_pol_vtype_parse(json_string_value(vtname),
					   json_string_length(vtname),
					   &want) != 0 ||
		       want != (vt == ATT_CLAIM_JSON ? ATT_CLAIM_STRING : vt)))
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "claims[%zu] (%s): \"valueType\" does not "
				    "match the value",
				    i, json_string_value(type));
	r = att_claimset_add(out, json_string_value(type), value, vt,
				 issuer ? json_string_value(issuer)
					: default_issuer);
	if (r)
		return att_diag_set(diag, r, "claims[%zu]: %s", i,
				    att_strerror(r));
	return 0;
}

int att_claimset_from_json(struct att_claimset *out, const json_t *json,
			   const char *default_issuer, struct att_diag *diag)
{
	if (!json_is_array(json))
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "claims: expected an array of claim "
				    "objects");
	size_t before = out->n;
	for (size_t i = 0; i < json_array_size(json); i++) {
		const json_t *o = json_array_get(json, i);
		int r = json_is_object(o)
				? claim_from_json(out, o, i, default_issuer, diag)
				: att_diag_set(diag, ATT_ERR_FORMAT,
					       "claims[%zu]: expected an object",
					       i);
		if (r) {
			/* Leave the set as it was. */
			while (out->n > before) {
				struct att_claim *c = &out->v[--out->n];
				free(c->type);
				free(c->issuer);
				json_decref(c->value);
			}
			return r;
		}
	}
	return 0;
}

json_t *att_claimset_to_json(const struct att_claimset *set)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < set->n; i++)
		if (json_array_append_new(a, att_pol_claim_json(&set->v[i]))) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

/* add_value puts one value under type: a second value turns the member
 * into an array of both, later ones are appended. */
static int add_value(json_t *o, const char *type, json_t *v, json_t *multi)
{
	json_t *cur = json_object_get(o, type);
	if (!cur)
		return json_object_set(o, type, v);
	if (!json_object_get(multi, type)) {
		json_t *arr = json_pack("[O]", cur);
		if (!arr || json_object_set_new(o, type, arr) ||
		    json_object_set_new(multi, type, json_true()))
			return ATT_ERR_NOMEM;
		cur = arr;
	}
	return json_array_append(cur, v);
}

json_t *att_claimset_to_object(const struct att_claimset *set)
{
	json_t *o = json_object();
	/* Types already turned into arrays (a value may itself be an array,
	 * so the member's JSON type cannot tell). */
	json_t *multi = json_object();
	for (size_t i = 0; o && multi && i < set->n; i++)
		if (add_value(o, set->v[i].type, set->v[i].value, multi) != 0) {
			json_decref(o);
			o = NULL;
		}
	if (!multi) {
		json_decref(o);
		o = NULL;
	}
	json_decref(multi);
	return o;
}
