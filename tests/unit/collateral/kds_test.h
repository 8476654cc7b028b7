/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the AMD KDS tests: the real SEV-SNP vectors
 * (tests/vectors/sevsnp, PROVENANCE.md) and an ARK-shaped test CA that
 * signs CRLs (no AMD CRL is among the vectors: the CRLs here are made by
 * a test key under the name "ARK-<Product>", which is all the form checks
 * of the KDS client look at).
 */
#ifndef ATT_TEST_KDS_TEST_H
#define ATT_TEST_KDS_TEST_H

#include "col_test.h"
#include "collateral/kds.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"
#include "crypto/x509.h"

/* The Milan VCEK of go-sev-guest's attestation.bin (cases.json
 * snp_gosevguest_milan): chip id, REPORTED_TCB. */
#define KT_GOSEV_CHIP                                                          \
	"3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184c" \
	"a39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d"
#define KT_GOSEV_TCB 0x4405000000000002ull /* bytes 02 00 .. 05 44 */

static inline uint64_t kt_tcb_from_hex(const char *hex)
{
	uint8_t *b = NULL;
	size_t n = 0;
	uint64_t v = 0;
	if (att_hex_decode(&b, &n, hex, strlen(hex)) == 0 && n == 8)
		for (int i = 7; i >= 0; i--)
			v = (v << 8) | b[i];
	free(b);
	return v;
}

static inline int kt_chip(uint8_t out[64], const char *hex)
{
	uint8_t *b = NULL;
	size_t n = 0;
	int rc = att_hex_decode(&b, &n, hex, strlen(hex));
	if (rc == 0 && n == 64)
		memcpy(out, b, 64);
	free(b);
	return rc == 0 && n == 64 ? 0 : -1;
}

/* A DER CRL "issued" by a test CA named CN=<cn>, thisUpdate now - 3600,
 * nextUpdate now + valid; *der malloc'd. */
static inline int kt_make_crl(uint8_t **der, size_t *len, const char *cn,
			      int64_t now, int64_t valid)
{
	struct att_pkey *k = NULL;
	struct att_cert *ca = NULL;
	struct att_cert_name_attr name[] = {{"CN", cn},
					    {"O", "Advanced Micro Devices"}};
	int rc = att_pkey_generate(&k, ATT_KEY_EC_P256);
	if (rc == 0) {
		struct att_cert_spec s = {
			.subject = name, .n_subject = 2, .signing_key = k,
			.subject_key = k, .not_before = now - 86400,
			.not_after = now + 86400 * 365, .basic_constraints = true,
			.ca = true, .pathlen = -1,
			.key_usage = ATT_KU_KEY_CERT_SIGN | ATT_KU_CRL_SIGN,
			.ski = ATT_SKI_KEY_SHA1,
		};
		rc = att_cert_build(&ca, &s);
	}
	if (rc == 0) {
		struct att_crl_spec cs = {
			.issuer = ca, .issuer_key = k,
			.this_update = now - 3600, .next_update = now + valid,
			.number = 1, .reason = -1,
		};
		rc = att_crl_build(der, len, &cs);
	}
	att_cert_free(ca);
	att_pkey_free(k);
	return rc;
}

#endif
