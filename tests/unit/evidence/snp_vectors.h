/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the SEV-SNP unit tests: the real vectors of
 * tests/vectors/sevsnp (cases.json), loaded as report bytes (binary, hex,
 * or the SNP report inside an Azure HCL report) and certificates.
 */
#ifndef ATT_TESTS_SNP_VECTORS_H
#define ATT_TESTS_SNP_VECTORS_H

#include <jansson.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "codec/hex.h"
#include "crypto/x509.h"
#include "evidence/snp/snp.h"
#include "harness/tap.h"

static inline const char *snpv_path(const char *rel)
{
	static char p[4][4096];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", att_testdata(), rel);
	return p[k];
}

/* The 1184 report bytes of a vector file into out; 0 or -2. */
static inline int snpv_load_report(const char *rel,
				   uint8_t out[ATT_SNP_REPORT_LEN])
{
	size_t len = 0, n = 0;
	uint8_t *raw = att_read_file(snpv_path(rel), &len), *dec = NULL;
	int rc = -2;
	if (!raw)
		return rc;
	size_t rl = strlen(rel);
	if (rl > 4 && strcmp(rel + rl - 4, ".hex") == 0) {
		for (size_t i = 0; i < len; i++)
			if (raw[i] > ' ')
				raw[n++] = raw[i];
		if (att_hex_decode(&dec, &len, (char *)raw, n) == 0 &&
		    len == ATT_SNP_REPORT_LEN) {
			memcpy(out, dec, ATT_SNP_REPORT_LEN);
			rc = 0;
		}
	} else if (len >= 0x20 + ATT_SNP_REPORT_LEN &&
		   memcmp(raw, "HCLA", 4) == 0) {
		/* Azure HCL report: a 32-byte header, then the report */
		memcpy(out, raw + 0x20, ATT_SNP_REPORT_LEN);
		rc = 0;
	} else if (len == ATT_SNP_REPORT_LEN) {
		memcpy(out, raw, ATT_SNP_REPORT_LEN);
		rc = 0;
	}
	free(dec);
	free(raw);
	return rc;
}

/* Every certificate of a PEM file, or the one of a DER file. */
static inline int snpv_load_certs(const char *rel, struct att_cert ***certs,
				  size_t *n)
{
	size_t len = 0;
	uint8_t *raw = att_read_file(snpv_path(rel), &len);
	int rc = -2;
	*certs = NULL;
	*n = 0;
	if (!raw)
		return rc;
	if (len > 0 && raw[0] == 0x30) {
		*certs = calloc(1, sizeof(**certs));
		if (*certs && att_cert_from_der(&(*certs)[0], raw, len) == 0) {
			*n = 1;
			rc = 0;
		}
	} else {
		rc = att_cert_chain_from_pem(certs, n, (char *)raw, len);
	}
	free(raw);
	return rc;
}

static inline json_t *snpv_cases(void)
{
	json_error_t e;
	return json_load_file(snpv_path("sevsnp/cases.json"), 0, &e);
}

static inline const char *snpv_str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* lower-case hex of p[0..n) equals want (case-insensitive). */
static inline bool snpv_hex_is(const uint8_t *p, size_t n, const char *want)
{
	char h[300];
	if (!want || 2 * n + 1 > sizeof(h))
		return false;
	for (size_t i = 0; i < n; i++)
		snprintf(h + 2 * i, 3, "%02x", p[i]);
	return strcasecmp(h, want) == 0;
}

/* A TCB_VERSION as the 8 bytes of the report, in hex. */
static inline bool snpv_tcb_is(uint64_t raw, const char *want)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(raw >> (8 * i));
	return snpv_hex_is(b, 8, want);
}

#endif
