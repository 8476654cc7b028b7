/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A store holding only the collateral table, in memory, for a collateral
 * service created without a store (memory-only: tests, the CLI). It
 * implements the collateral_get/put/list operations of struct
 * att_store_ops and nothing else; it is private to src/collateral and
 * never handed to other modules.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "collateral/svc_int.h"

struct mem_row {
	struct att_store_collateral c;
	struct mem_row *next;
};

struct mem_impl {
	pthread_mutex_t mu;
	struct mem_row *rows;
	size_t n;
};

static void mem_close(void *impl)
{
	struct mem_impl *m = impl;
	struct mem_row *r = m->rows, *next;
	for (; r; r = next) {
		next = r->next;
		att_store_collateral_release(&r->c);
		free(r);
	}
	pthread_mutex_destroy(&m->mu);
	free(m);
}

static int copy_row(struct att_store_collateral *dst,
		    const struct att_store_collateral *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->key = strdup(src->key);
	dst->body = malloc(src->body_len ? src->body_len : 1);
	if (!dst->key || !dst->body) {
		att_store_collateral_release(dst);
		return ATT_ERR_NOMEM;
	}
	memcpy(dst->body, src->body, src->body_len);
	dst->body_len = src->body_len;
	dst->fetched = src->fetched;
	dst->next_update = src->next_update;
	return 0;
}

static struct mem_row *find(struct mem_impl *m, const char *key)
{
	for (struct mem_row *r = m->rows; r; r = r->next)
		if (strcmp(r->c.key, key) == 0)
			return r;
	return NULL;
}

static int mem_get(void *impl, const char *key,
		   struct att_store_collateral *out, struct att_diag *d)
{
	struct mem_impl *m = impl;
	pthread_mutex_lock(&m->mu);
	struct mem_row *r = find(m, key);
	int rc = r ? copy_row(out, &r->c) : ATT_ERR_NOT_FOUND;
	pthread_mutex_unlock(&m->mu);
	return rc == ATT_ERR_NOMEM ? att_diag_set(d, rc, "out of memory") : rc;
}

static int mem_put(void *impl, const struct att_store_collateral *c,
		   struct att_diag *d)
{
	struct mem_impl *m = impl;
	struct att_store_collateral copy;
	struct mem_row *r;
	int rc = copy_row(&copy, c);
	if (rc)
		return att_diag_set(d, rc, "out of memory");
	pthread_mutex_lock(&m->mu);
	if ((r = find(m, c->key)) != NULL) {
		att_store_collateral_release(&r->c);
		r->c = copy;
	} else if (m->n >= ATT_COLLATERAL_MEMSTORE_MAX ||
		   !(r = calloc(1, sizeof(*r)))) {
		att_store_collateral_release(&copy);
		rc = att_diag_set(d, ATT_ERR_LIMIT, "memory collateral store "
				  "full (%d rows)", ATT_COLLATERAL_MEMSTORE_MAX);
	} else {
		r->c = copy;
		r->next = m->rows;
		m->rows = r;
		m->n++;
	}
	pthread_mutex_unlock(&m->mu);
	return rc;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct att_store_collateral *)a)->key,
		      ((const struct att_store_collateral *)b)->key);
}

/* mem_list copies the rows under prefix, sorted by key as the SQLite
 * backend returns them. */
static int mem_list(void *impl, const char *prefix,
		    struct att_store_collateral **out, size_t *n,
		    struct att_diag *d)
{
	struct mem_impl *m = impl;
	size_t plen = strlen(prefix), k = 0;
	struct att_store_collateral *v = NULL;
	int rc = 0;
	*out = NULL;
	*n = 0;
	pthread_mutex_lock(&m->mu);
	v = calloc(m->n ? m->n : 1, sizeof(*v));
	if (!v)
		rc = ATT_ERR_NOMEM;
	for (struct mem_row *r = m->rows; !rc && r; r = r->next) {
		if (strncmp(r->c.key, prefix, plen) != 0)
			continue;
		if (k == ATT_STORE_COLLATERAL_LIST_MAX)
			rc = ATT_ERR_LIMIT;
		else if ((rc = copy_row(&v[k], &r->c)) == 0)
			k++;
	}
	pthread_mutex_unlock(&m->mu);
	if (rc) {
		att_store_collateral_list_free(v, k);
		return rc == ATT_ERR_LIMIT
			       ? att_diag_set(d, rc, "more than %d collateral "
					      "rows under '%s'",
					      ATT_STORE_COLLATERAL_LIST_MAX,
					      prefix)
			       : att_diag_set(d, rc, "out of memory");
	}
	qsort(v, k, sizeof(*v), cmp_key);
	*out = v;
	*n = k;
	return 0;
}

static const struct att_store_ops mem_ops = {
	.name = "memory",
	.close = mem_close,
	.collateral_get = mem_get,
	.collateral_put = mem_put,
	.collateral_list = mem_list,
};

int att_colmem_store_new(struct att_store **out)
{
	struct att_store *s = calloc(1, sizeof(*s));
	struct mem_impl *m = calloc(1, sizeof(*m));
	*out = NULL;
	if (!s || !m || pthread_mutex_init(&m->mu, NULL) != 0) {
		free(s);
		free(m);
		return ATT_ERR_NOMEM;
	}
	s->ops = &mem_ops;
	s->impl = m;
	*out = s;
	return 0;
}
