/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Text out of event data: UTF-16LE (UEFI names, file paths, sd-boot
 * command lines) and free-form byte strings (grub, EV_EFI_ACTION) turned
 * into valid UTF-8, so that the events JSON never carries invalid text.
 * Nothing is dropped silently except trailing NULs; undecodable units
 * become U+FFFD.
 */
#include "evidence/tcg/uefi.h"

#include "attest/err.h"

static int put_cp(struct att_buf *b, uint32_t cp)
{
	uint8_t u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (uint8_t)(0xC0 | cp >> 6);
		u[1] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (uint8_t)(0xE0 | cp >> 12);
		u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (uint8_t)(0xF0 | cp >> 18);
		u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		u[3] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return att_buf_add(b, u, n);
}

#define REPLACEMENT 0xFFFD

static uint16_t u16at(const uint8_t *p, size_t i)
{
	return (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
}

int att_uefi_utf16_text(struct att_buf *out, const uint8_t *p, size_t units,
			bool stop_at_nul)
{
	int r = 0;
	for (size_t i = 0; i < units && !r; i++) {
		uint32_t u = u16at(p, i);
		if (u == 0 && stop_at_nul)
			break;
		if (u >= 0xD800 && u < 0xDC00 && i + 1 < units) {
			uint32_t lo = u16at(p, i + 1);
			if (lo >= 0xDC00 && lo < 0xE000) {
				u = 0x10000 + ((u - 0xD800) << 10) +
				    (lo - 0xDC00);
				i++;
			}
		}
		if (u >= 0xD800 && u < 0xE000)
			u = REPLACEMENT;
		r = put_cp(out, u);
	}
	return r;
}

bool att_tcg_looks_utf16(const uint8_t *p, size_t len)
{
	if (len < 2 || p[0] == 0 || p[1] != 0)
		return false;
	/* the first (up to) 8 code units are ASCII: high bytes all zero */
	for (size_t i = 0; i + 1 < len && i < 16; i += 2)
		if (p[i + 1] != 0)
			return false;
	return true;
}

/* utf8_len returns the length of a valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	size_t k;
	uint32_t cp;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] < 0xE0)
		k = 2, cp = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] < 0xF0)
		k = 3, cp = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] < 0xF5)
		k = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp < 0xE000))) ||
	    (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return k;
}

int att_tcg_string_text(struct att_buf *out, const uint8_t *p, size_t len)
{
	int r = 0;
	if (len > ATT_UEFI_MAX_TEXT)
		len = ATT_UEFI_MAX_TEXT;
	if (att_tcg_looks_utf16(p, len)) {
		/* an odd last byte (sd-boot's stray NUL) is not a unit */
		size_t units = len / 2;
		while (units > 0 && u16at(p, units - 1) == 0)
			units--;
		return att_uefi_utf16_text(out, p, units, true);
	}
	while (len > 0 && p[len - 1] == 0)
		len--;
	for (size_t i = 0; i < len && !r;) {
		size_t k = utf8_len(p + i, len - i);
		if (k) {
			r = att_buf_add(out, p + i, k);
			i += k;
		} else {
			r = put_cp(out, REPLACEMENT);
			i++;
		}
	}
	return r;
}
