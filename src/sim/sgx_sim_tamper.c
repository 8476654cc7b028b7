/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Deliberate breakage for negative tests of DCAP verifiers: flipping a
 * bit of the PCK leaf certificate's signature inside a quote (the PEM is
 * re-encoded at the same length so the quote stays well-formed), and
 * grafting another simulator's PCK key and certificates into a directory
 * (a PCK issued by a CA that the directory's root never certified).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "sim/sgx_sim_int.h"

static const char pem_begin[] = "-----BEGIN CERTIFICATE-----";
static const char pem_end[] = "-----END CERTIFICATE-----";

/* strip_ws copies base64 characters of p[0..n) into out; returns count. */
static size_t strip_ws(char *out, const uint8_t *p, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] != '\n' && p[i] != '\r')
			out[k++] = (char)p[i];
	return k;
}

/* refill writes b64 back over p[0..n), keeping p's line breaks. */
static void refill(uint8_t *p, size_t n, const char *b64)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] != '\n' && p[i] != '\r')
			p[i] = (uint8_t)b64[k++];
}

int att_sgxsim_tamper_pck_sig(uint8_t *quote, size_t len)
{
	uint8_t *b = memmem(quote, len, pem_begin, sizeof(pem_begin) - 1);
	if (!b)
		return ATT_ERR_NOT_FOUND;
	b += sizeof(pem_begin) - 1;
	uint8_t *e =
	    memmem(b, len - (size_t)(b - quote), pem_end, sizeof(pem_end) - 1);
	if (!e)
		return ATT_ERR_FORMAT;
	size_t n = (size_t)(e - b);
	char *txt = malloc(n + 1);
	uint8_t *der = NULL;
	char *enc = NULL;
	size_t der_len = 0;
	int r = txt ? 0 : ATT_ERR_NOMEM;
	size_t k = r ? 0 : strip_ws(txt, b, n);
	if (!r)
		r = att_b64_decode(&der, &der_len, txt, k);
	if (!r && der_len == 0)
		r = ATT_ERR_FORMAT;
	if (!r) {
		der[der_len - 1] ^= 0x01; /* last byte of ECDSA s */
		enc = att_b64_encode(der, der_len);
		r = enc && strlen(enc) == k ? 0 : ATT_ERR_INTERNAL;
	}
	if (!r)
		refill(b, n, enc);
	free(txt);
	free(der);
	free(enc);
	return r;
}

static int copy_file(const char *dst, const char *src, const char *sub,
		     const char *name, unsigned mode, struct att_diag *d)
{
	struct att_buf b;
	int r = att_sim_read(src, sub, name, &b, mode == 0600, d);
	if (!r)
		r = att_sim_write(dst, sub, name, b.data, b.len, mode, d);
	att_buf_release(&b);
	return r;
}

int att_sgxsim_graft_pck(const char *dst_dir, const char *src_dir,
			 const char *platform, struct att_diag *d)
{
	const struct att_sim_platform *pl = att_sim_platform_find(platform);
	char name[128];
	if (!pl)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "sgxsim: unknown platform \"%s\"",
				    platform);
	int r = copy_file(dst_dir, src_dir, pl->name, SIM_F_PCK_KEY, 0600, d);
	for (size_t i = 0; !r && i < ATT_SGXSIM_N_LEVELS; i++) {
		att_sim_pck_cert_name(name, sizeof(name),
				      att_sim_levels[i].name);
		r = copy_file(dst_dir, src_dir, pl->name, name, 0644, d);
	}
	att_sim_pck_cert_name(name, sizeof(name), SIM_F_REVOKED);
	if (!r)
		r = copy_file(dst_dir, src_dir, pl->name, name, 0644, d);
	return r;
}
