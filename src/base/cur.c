/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The byte cursor. Written so that no sum or pointer is formed before the
 * bounds check: every check is "n > c->len".
 */
#include "base/cur.h"

#include <string.h>

#include "attest/err.h"
#include "base/limits.h"

void att_cur_init(struct att_cur *c, const uint8_t *buf, size_t len)
{
	c->p = buf;
	c->len = buf ? len : 0;
}

static int take(struct att_cur *c, const uint8_t **out, size_t n)
{
	if (n > c->len)
		return ATT_ERR_TRUNCATED;
	*out = c->p;
	c->p += n;
	c->len -= n;
	return 0;
}

int att_cur_get_u8(struct att_cur *c, uint8_t *out)
{
	const uint8_t *b;
	*out = 0;
	if (take(c, &b, 1))
		return ATT_ERR_TRUNCATED;
	*out = b[0];
	return 0;
}

static uint64_t le(const uint8_t *b, size_t n)
{
	uint64_t v = 0;
	for (size_t i = n; i > 0; i--)
		v = (v << 8) | b[i - 1];
	return v;
}

static uint64_t be(const uint8_t *b, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | b[i];
	return v;
}

#define ATT_CUR_INT(name, type, n, conv)                                       \
	int name(struct att_cur *c, type *out)                                 \
	{                                                                      \
		const uint8_t *b;                                              \
		*out = 0;                                                      \
		if (take(c, &b, n))                                            \
			return ATT_ERR_TRUNCATED;                              \
		*out = (type)conv(b, n);                                       \
		return 0;                                                      \
	}

ATT_CUR_INT(att_cur_get_u16le, uint16_t, 2, le)
ATT_CUR_INT(att_cur_get_u16be, uint16_t, 2, be)
ATT_CUR_INT(att_cur_get_u32le, uint32_t, 4, le)
ATT_CUR_INT(att_cur_get_u32be, uint32_t, 4, be)
ATT_CUR_INT(att_cur_get_u64le, uint64_t, 8, le)
ATT_CUR_INT(att_cur_get_u64be, uint64_t, 8, be)

int att_cur_get_bytes(struct att_cur *c, struct att_cur *out, size_t n)
{
	const uint8_t *b;
	out->p = NULL;
	out->len = 0;
	if (take(c, &b, n))
		return ATT_ERR_TRUNCATED;
	out->p = b;
	out->len = n;
	return 0;
}

int att_cur_copy(struct att_cur *c, uint8_t *out, size_t n)
{
	const uint8_t *b;
	if (take(c, &b, n)) {
		memset(out, 0, n);
		return ATT_ERR_TRUNCATED;
	}
	if (n)
		memcpy(out, b, n);
	return 0;
}

int att_cur_skip(struct att_cur *c, size_t n)
{
	const uint8_t *b;
	return take(c, &b, n) ? ATT_ERR_TRUNCATED : 0;
}

/* Length-prefixed reads are transactional: on failure c is unchanged. */
int att_cur_get_u16be_prefixed(struct att_cur *c, struct att_cur *out)
{
	struct att_cur t = *c;
	uint16_t n;
	if (att_cur_get_u16be(&t, &n) || att_cur_get_bytes(&t, out, n)) {
		out->p = NULL;
		out->len = 0;
		return ATT_ERR_TRUNCATED;
	}
	*c = t;
	return 0;
}

int att_cur_get_u16le_prefixed(struct att_cur *c, struct att_cur *out)
{
	struct att_cur t = *c;
	uint16_t n;
	if (att_cur_get_u16le(&t, &n) || att_cur_get_bytes(&t, out, n)) {
		out->p = NULL;
		out->len = 0;
		return ATT_ERR_TRUNCATED;
	}
	*c = t;
	return 0;
}

int att_cur_get_u32le_prefixed(struct att_cur *c, struct att_cur *out)
{
	struct att_cur t = *c;
	uint32_t n;
	if (att_cur_get_u32le(&t, &n) || att_cur_get_bytes(&t, out, n)) {
		out->p = NULL;
		out->len = 0;
		return ATT_ERR_TRUNCATED;
	}
	*c = t;
	return 0;
}

/* der_length below shifts at most this many octets into a size_t. */
_Static_assert(ATT_DER_MAX_LEN_OCTETS < sizeof(size_t),
	       "a DER length must fit in size_t");

/* der_length reads X.690 §8.1.3 length octets (definite form only). */
static int der_length(struct att_cur *c, size_t *len)
{
	uint8_t first, b;
	*len = 0;
	if (att_cur_get_u8(c, &first))
		return ATT_ERR_TRUNCATED;
	if (first < 0x80) {
		*len = first;
		return 0;
	}
	size_t k = first & 0x7fu;
	if (k == 0 || k > ATT_DER_MAX_LEN_OCTETS)
		return ATT_ERR_FORMAT;
	for (size_t i = 0; i < k; i++) {
		if (att_cur_get_u8(c, &b))
			return ATT_ERR_TRUNCATED;
		/* k < sizeof(size_t) (asserted above): no overflow */
		*len = *len << 8 | b;
	}
	return 0;
}

int att_cur_get_der(struct att_cur *c, uint8_t tag, struct att_cur *out)
{
	struct att_cur t = *c;
	uint8_t id;
	size_t n;
	int r;
	out->p = NULL;
	out->len = 0;
	if (att_cur_get_u8(&t, &id))
		return ATT_ERR_TRUNCATED;
	if (id != tag)
		return ATT_ERR_FORMAT;
	if ((r = der_length(&t, &n)) != 0)
		return r;
	if (n > t.len)
		return ATT_ERR_TRUNCATED;
	/* the element is what was read plus its n contents octets */
	return att_cur_get_bytes(c, out, (c->len - t.len) + n);
}

int att_cur_expect_end(const struct att_cur *c)
{
	return c->len ? ATT_ERR_TRAILING : 0;
}
