/* SPDX-License-Identifier: Apache-2.0 */
/*
 * crypto/ecdh.h: a P-256 known answer (the peer key is 0x22..22 * G, the
 * ephemeral scalar 0x0123..ef; Qe and Z were computed independently with
 * a few lines of affine arithmetic in Python), both sides agreeing on Z
 * with a random ephemeral key on P-256, P-384 and P-521, and the
 * refusals: a point off the curve, coordinates longer than the field,
 * scalars 0 and >= n, and a key kind that is not a curve.
 */
#include <stdint.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "crypto/digest.h"
#include "crypto/ecdh.h"
#include "crypto/pkey.h"
#include "harness/tap.h"

static const char ax_hex[] =
	"d65a93977caa3d1b081852ff57a79e465f1660577304baead505dd3a48589cf3";
static const char ay_hex[] =
	"50185e895372df6221ea3a137557e473fddb6755f05bd507c3c533fce9c91285";
static const char d_hex[] =
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
static const char qx_hex[] =
	"d8cd12ea5c67f2f8a00c1124893edcfa6754c4d6cede6be13bdf2295c810a97f";
static const char qy_hex[] =
	"a5a89d2d2a360c0ca9a4d6c7c9ed4b28d3e199d6627f2e696d689c310a5b0f48";
static const char z_hex[] =
	"433027e842e1d603ddb9dfb73785421b249aa28d1bfc09ad89a28086a2832ebe";
static const char n_hex[] = /* the order of P-256 */
	"ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

static size_t unhex(uint8_t *out, size_t cap, const char *h)
{
	size_t n = strlen(h) / 2;
	if (n > cap || att_hex_decode_fixed(out, n, h, strlen(h)) != 0)
		return 0;
	return n;
}

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= b[i];
	return acc == 0;
}

static void hex_eq(const uint8_t *p, size_t n, const char *want,
		   const char *what)
{
	char h[2 * ATT_PKEY_EC_MAX_COORD + 1];
	att_hex_encode(h, sizeof(h), p, n, false);
	ATT_CHECK(!strcmp(h, want), "%s: %s != %s", what, h, want);
}

static void test_kat(void)
{
	uint8_t ax[32], ay[32], d[32], a[32], x65[65];
	struct att_ecdh e;
	unhex(ax, 32, ax_hex);
	unhex(ay, 32, ay_hex);
	unhex(d, 32, d_hex);
	ATT_CHECK_EQ_INT(att_ecdh_ephemeral(&e, ATT_KEY_EC_P256, ax, 32, ay,
					    32, d, 32),
			 0);
	ATT_CHECK_EQ_INT(e.len, 32);
	hex_eq(e.qx, 32, qx_hex, "Qe.x");
	hex_eq(e.qy, 32, qy_hex, "Qe.y");
	hex_eq(e.z, 32, z_hex, "Z");
	/* the peer's side: its scalar against Qe gives the same Z */
	memset(a, 0x22, sizeof(a));
	struct att_ecdh back;
	ATT_CHECK_EQ_INT(att_ecdh_ephemeral(&back, ATT_KEY_EC_P256, e.qx, 32,
					    e.qy, 32, a, 32),
			 0);
	hex_eq(back.qx, 32, ax_hex, "peer public x");
	hex_eq(back.z, 32, z_hex, "peer's Z");
	/* a coordinate with its leading zero bytes left off is padded */
	ATT_CHECK_EQ_INT(att_ecdh_ephemeral(&back, ATT_KEY_EC_P256, e.qx, 32,
					    e.qy, 32, d + 1, 31),
			 0);
	/* refusals: each leaves *out zeroed */
	uint8_t bad[32];
	memcpy(bad, ay, 32);
	bad[31] ^= 1;
	ATT_CHECK_EQ_INT(att_ecdh_ephemeral(&e, ATT_KEY_EC_P256, ax, 32, bad,
					    32, d, 32),
			 ATT_ERR_FORMAT);
	ATT_CHECK(all_zero(&e, sizeof(e)), "zeroed after a refusal");
	memset(x65, 0, sizeof(x65));
	memcpy(x65 + 33, ax, 32);
	ATT_CHECK_EQ_INT(att_ecdh_ephemeral(&e, ATT_KEY_EC_P256, x65, 33, ay,
					    32, d, 32),
			 ATT_ERR_FORMAT);
	ATT_CHECK_EQ_INT(att_ecdh_ephemeral(&e, ATT_KEY_EC_P256, NULL, 0, ay,
					    32, d, 32),
			 ATT_ERR_FORMAT);
	uint8_t zero[32] = {0}, order[32];
	unhex(order, 32, n_hex);
	ATT_CHECK_EQ_INT(att_ecdh_ephemeral(&e, ATT_KEY_EC_P256, ax, 32, ay,
					    32, zero, 32),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_ecdh_ephemeral(&e, ATT_KEY_EC_P256, ax, 32, ay,
					    32, order, 32),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_ecdh_ephemeral(&e, ATT_KEY_EC_P256, ax, 32, ay,
					    32, d, 0),
			 ATT_ERR_INVALID_ARG);
	ATT_CHECK_EQ_INT(att_ecdh_ephemeral(&e, ATT_KEY_RSA2048, ax, 32, ay,
					    32, d, 32),
			 ATT_ERR_UNSUPPORTED);
	/* the P-256 point is not on P-384 */
	ATT_CHECK_EQ_INT(att_ecdh_ephemeral(&e, ATT_KEY_EC_P384, ax, 32, ay,
					    32, NULL, 0),
			 ATT_ERR_FORMAT);
}

/* The base points of the curves (FIPS 186-4 Appendix D.1.2), x || y. */
static const char g256[] =
	"6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
	"4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
static const char g384[] =
	"aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a38"
	"5502f25dbf55296c3a545e3872760ab73617de4a96262c6f5d9e98bf9292dc29"
	"f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f";
static const char g521[] =
	"00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d"
	"3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5"
	"bd66011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17"
	"273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be9476"
	"9fd16650";

/* agree: a static scalar s = 7 with its public point S = s * G (ECDH
 * against G: Z is then the x of Qe), a random ephemeral against S, and
 * the static side (s against Qe) finding the same Z. */
static void agree(enum att_key_kind curve, const char *g_hex, size_t field)
{
	uint8_t g[2 * ATT_PKEY_EC_MAX_COORD], s[ATT_PKEY_EC_MAX_COORD];
	struct att_ecdh st, e1, e2, back;
	const char *name = att_pkey_kind_name(curve);
	ATT_CHECK_EQ_INT(unhex(g, sizeof(g), g_hex), 2 * field);
	memset(s, 0, sizeof(s));
	s[field - 1] = 7;
	ATT_CHECK_EQ_INT(att_ecdh_ephemeral(&st, curve, g, field, g + field,
					    field, s, field),
			 0);
	ATT_CHECK(st.len == field && !memcmp(st.z, st.qx, field),
		  "%s: against G, Z = x(s * G)", name);
	ATT_CHECK_EQ_INT(att_ecdh_ephemeral(&e1, curve, st.qx, field, st.qy,
					    field, NULL, 0),
			 0);
	ATT_CHECK_EQ_INT(att_ecdh_ephemeral(&e2, curve, st.qx, field, st.qy,
					    field, NULL, 0),
			 0);
	ATT_CHECK(e1.len == field && memcmp(e1.qx, e2.qx, field) &&
			  memcmp(e1.z, e2.z, field),
		  "%s: fresh ephemeral keys", name);
	ATT_CHECK_EQ_INT(att_ecdh_ephemeral(&back, curve, e1.qx, field, e1.qy,
					    field, s, field),
			 0);
	ATT_CHECK(!memcmp(back.z, e1.z, field), "%s: both sides agree", name);
	att_cleanse(&e1, sizeof(e1));
	att_cleanse(&e2, sizeof(e2));
	ATT_CHECK(all_zero(&e1, sizeof(e1)), "att_cleanse zeroes");
}

int main(void)
{
	test_kat();
	agree(ATT_KEY_EC_P256, g256, 32);
	agree(ATT_KEY_EC_P384, g384, 48);
	agree(ATT_KEY_EC_P521, g521, 66);
	return att_test_done();
}
