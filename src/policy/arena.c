/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bump allocator for the policy module. A compiled policy keeps its
 * whole AST in one arena (freed in one step); an evaluation uses another
 * one, started on a stack buffer and reset after every rule, for the
 * short-lived value arrays of that rule.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "policy/internal.h"

struct att_pol_chunk {
	struct att_pol_chunk *prev;
	size_t cap;
	max_align_t data[];
};

#define ALIGN_UP(n) (((n) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1))
#define CHUNK_MIN 4096

void att_pol_arena_init(struct att_pol_arena *a, void *buf, size_t buf_len)
{
	a->chunk = NULL;
	/* The caller's buffer is used from its first aligned byte. */
	size_t skip = 0;
	if (buf) {
		uintptr_t u = (uintptr_t)buf;
		skip = ALIGN_UP(u) - u;
		if (skip > buf_len)
			skip = buf_len;
	}
	a->init = buf ? (unsigned char *)buf + skip : NULL;
	a->init_cap = buf ? buf_len - skip : 0;
	a->base = a->init;
	a->cap = a->init_cap;
	a->used = 0;
}

static int grow(struct att_pol_arena *a, size_t n)
{
	size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
	if (a->chunk && a->chunk->cap >= CHUNK_MIN && cap < a->chunk->cap * 2 &&
	    a->chunk->cap < ((size_t)1 << 24))
		cap = a->chunk->cap * 2;
	if (cap > SIZE_MAX - sizeof(struct att_pol_chunk))
		return ATT_ERR_LIMIT;
	struct att_pol_chunk *c = malloc(sizeof(*c) + cap);
	if (!c)
		return ATT_ERR_NOMEM;
	c->prev = a->chunk;
	c->cap = cap;
	a->chunk = c;
	a->base = (unsigned char *)c->data;
	a->cap = cap;
	a->used = 0;
	return 0;
}

void *att_pol_alloc(struct att_pol_arena *a, size_t n)
{
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / 2)
		return NULL;
	n = ALIGN_UP(n);
	if (!a->base || n > a->cap - a->used) {
		if (grow(a, n) != 0)
			return NULL;
	}
	void *p = a->base + a->used;
	a->used += n;
	memset(p, 0, n);
	return p;
}

char *att_pol_strndup(struct att_pol_arena *a, const char *s, size_t n)
{
	char *p = att_pol_alloc(a, n + 1);
	if (p && n)
		memcpy(p, s, n);
	return p;
}

void att_pol_arena_mark(const struct att_pol_arena *a, struct att_pol_mark *m)
{
	m->chunk = a->chunk;
	m->used = a->used;
}

void att_pol_arena_reset(struct att_pol_arena *a, const struct att_pol_mark *m)
{
	while (a->chunk != m->chunk) {
		struct att_pol_chunk *c = a->chunk;
		a->chunk = c->prev;
		free(c);
	}
	if (a->chunk) {
		a->base = (unsigned char *)a->chunk->data;
		a->cap = a->chunk->cap;
	} else {
		a->base = a->init;
		a->cap = a->init_cap;
	}
	a->used = m->used;
}

void att_pol_arena_release(struct att_pol_arena *a)
{
	if (!a)
		return;
	struct att_pol_mark m = {NULL, 0};
	att_pol_arena_reset(a, &m);
}
