/* SPDX-License-Identifier: Apache-2.0 */
/*
 * att_cur: a bounds-checked reader over borrowed bytes, for all binary
 * evidence (SGX quotes and TCG logs are little-endian, TPM structures
 * big-endian). Every getter either advances the cursor and returns 0, or
 * returns ATT_ERR_TRUNCATED, leaves the cursor unchanged and zeroes its
 * output. The only bounds check is a comparison of lengths: n > c->len.
 */
#ifndef ATT_BASE_CUR_H
#define ATT_BASE_CUR_H

#include <stddef.h>
#include <stdint.h>

struct att_cur {
	const uint8_t *p;
	size_t len;
};

/* att_cur_init points c at buf[0..len); the bytes stay the caller's. */
void att_cur_init(struct att_cur *c, const uint8_t *buf, size_t len);
int att_cur_get_u8(struct att_cur *c, uint8_t *out);
int att_cur_get_u16le(struct att_cur *c, uint16_t *out);
int att_cur_get_u16be(struct att_cur *c, uint16_t *out);
int att_cur_get_u32le(struct att_cur *c, uint32_t *out);
int att_cur_get_u32be(struct att_cur *c, uint32_t *out);
int att_cur_get_u64le(struct att_cur *c, uint64_t *out);
int att_cur_get_u64be(struct att_cur *c, uint64_t *out);
/* att_cur_get_bytes borrows the next n bytes as a sub-cursor. */
int att_cur_get_bytes(struct att_cur *c, struct att_cur *out, size_t n);
/* att_cur_copy copies the next n bytes into out[0..n). */
int att_cur_copy(struct att_cur *c, uint8_t *out, size_t n);
int att_cur_skip(struct att_cur *c, size_t n);
/* TPM2B: a big-endian u16 length, then that many bytes (borrowed). */
int att_cur_get_u16be_prefixed(struct att_cur *c, struct att_cur *out);
int att_cur_get_u16le_prefixed(struct att_cur *c, struct att_cur *out);
int att_cur_get_u32le_prefixed(struct att_cur *c, struct att_cur *out);
/*
 * att_cur_get_der borrows one whole DER element (identifier, length and
 * contents octets; X.690 §8.1) whose identifier octet is tag. The length
 * is the short form or the long form with 1..ATT_DER_MAX_LEN_OCTETS
 * length octets (base/limits.h). Transactional: on failure c is
 * unchanged and out empty. ATT_ERR_FORMAT: another identifier, the
 * indefinite form or too many length octets; ATT_ERR_TRUNCATED: the
 * element runs past the end of c.
 */
int att_cur_get_der(struct att_cur *c, uint8_t tag, struct att_cur *out);
/* att_cur_expect_end returns ATT_ERR_TRAILING when bytes remain. */
int att_cur_expect_end(const struct att_cur *c);

#endif
