/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The memory cache of the collateral service: a hash table of entries by
 * key ("sgx/00606A000000/platform"), bounded with least-recently-used
 * eviction of idle entries, and a map from each handed-out struct
 * att_dcap_collateral to its reference-counted set, so that a set
 * replaced by a refresh or evicted stays alive until its last user
 * releases it. The caller holds the service mutex around every call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/hex.h"
#include "collateral/svc_int.h"

void att_colkey_format(struct att_colkey *k)
{
	char fm[13];
	att_hex_encode(fm, sizeof(fm), k->fmspc, 6, true);
	snprintf(k->str, sizeof(k->str), "%s/%s/%s", att_dcap_tee_name(k->tee),
		 fm, att_dcap_ca_name(k->ca));
}

static size_t hash_str(const char *s)
{
	size_t h = 5381;
	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h % ATT_COLCACHE_BUCKETS;
}

static size_t hash_ptr(const void *p)
{
	uintptr_t v = (uintptr_t)p;
	return (size_t)((v >> 4) ^ (v >> 12)) % ATT_COLCACHE_BUCKETS;
}

void att_colcache_init(struct att_colcache *c, size_t max)
{
	memset(c, 0, sizeof(*c));
	c->max = max;
}

static void obj_free(struct att_colobj *o)
{
	att_dcap_collateral_free(o->col);
	free(o);
}

void att_colcache_destroy(struct att_colcache *c)
{
	for (size_t i = 0; i < ATT_COLCACHE_BUCKETS; i++) {
		struct att_colentry *e = c->buckets[i], *en;
		struct att_colobj *o = c->objs[i], *on;
		for (; e; e = en) {
			en = e->next;
			free(e);
		}
		for (; o; o = on) {
			on = o->pnext;
			obj_free(o);
		}
	}
	memset(c, 0, sizeof(*c));
}

struct att_colentry *att_colcache_find(struct att_colcache *c, const char *key)
{
	for (struct att_colentry *e = c->buckets[hash_str(key)]; e; e = e->next)
		if (strcmp(e->key.str, key) == 0)
			return e;
	return NULL;
}

static void unlink_entry(struct att_colcache *c, struct att_colentry *e)
{
	struct att_colentry **pp = &c->buckets[hash_str(e->key.str)];
	while (*pp && *pp != e)
		pp = &(*pp)->next;
	if (*pp)
		*pp = e->next;
	c->n--;
}

static bool evict_one(struct att_colcache *c)
{
	struct att_colentry *victim = NULL;
	for (size_t i = 0; i < ATT_COLCACHE_BUCKETS; i++)
		for (struct att_colentry *e = c->buckets[i]; e; e = e->next)
			if (!e->loading && !e->queued &&
			    (!victim || e->used < victim->used))
				victim = e;
	if (!victim)
		return false;
	unlink_entry(c, victim);
	if (victim->obj)
		att_colobj_unref(c, victim->obj);
	free(victim);
	return true;
}

struct att_colentry *att_colcache_add(struct att_colcache *c,
				      const struct att_colkey *k)
{
	struct att_colentry *e;
	if (c->n >= c->max && !evict_one(c))
		return NULL;
	if (!(e = calloc(1, sizeof(*e))))
		return NULL;
	e->key = *k;
	e->used = ++c->tick;
	size_t h = hash_str(k->str);
	e->next = c->buckets[h];
	c->buckets[h] = e;
	c->n++;
	return e;
}

struct att_colobj *att_colobj_new(struct att_colcache *c,
				  struct att_colset *set, const char *key)
{
	struct att_colobj *o = calloc(1, sizeof(*o));
	if (!o) {
		att_dcap_collateral_free(set->col);
		set->col = NULL;
		return NULL;
	}
	o->col = set->col;
	set->col = NULL; /* transferred */
	o->refs = 1;
	snprintf(o->key, sizeof(o->key), "%s", key);
	o->valid_until = set->valid_until;
	o->refresh_at = set->refresh_at;
	snprintf(o->first_expiry, sizeof(o->first_expiry), "%s",
		 set->first_expiry);
	memcpy(o->digest, set->digest, 32);
	size_t h = hash_ptr(o->col);
	o->pnext = c->objs[h];
	c->objs[h] = o;
	return o;
}

struct att_colobj *att_colcache_obj_of(struct att_colcache *c,
				       const struct att_dcap_collateral *col)
{
	for (struct att_colobj *o = c->objs[hash_ptr(col)]; o; o = o->pnext)
		if (o->col == col)
			return o;
	return NULL;
}

void att_colobj_unref(struct att_colcache *c, struct att_colobj *o)
{
	if (!o || --o->refs > 0)
		return;
	struct att_colobj **pp = &c->objs[hash_ptr(o->col)];
	while (*pp && *pp != o)
		pp = &(*pp)->pnext;
	if (*pp)
		*pp = o->pnext;
	obj_free(o);
}

void att_colcache_install(struct att_colcache *c, struct att_colentry *e,
			  struct att_colobj *o)
{
	struct att_colobj *old = e->obj;
	if (o)
		o->refs++;
	e->obj = o;
	att_colobj_unref(c, old);
}

void att_colcache_drop_all(struct att_colcache *c)
{
	for (size_t i = 0; i < ATT_COLCACHE_BUCKETS; i++)
		for (struct att_colentry *e = c->buckets[i]; e; e = e->next) {
			att_colcache_install(c, e, NULL);
			e->fail_code = 0;
			e->fail_until = 0;
			e->stale = false;
			e->retry_after = 0;
		}
}
