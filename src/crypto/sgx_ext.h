/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Intel SGX extension of PCK certificates (OID 1.2.840.113741.1.13.1):
 * PPID, the 16 TCB component SVNs, PCESVN, CPUSVN, PCE-ID, FMSPC, SGX type
 * and, for Platform-CA certificates, the platform instance ID and
 * configuration flags. Parsed with OpenSSL's generic ASN.1 API
 * (d2i_ASN1_SEQUENCE_ANY, ASN1_TYPE); rules follow Intel's "SGX PCK
 * Certificate and CRL Profile" (its SGX Extensions section) and QVL.
 */
#ifndef ATT_CRYPTO_SGX_EXT_H
#define ATT_CRYPTO_SGX_EXT_H

#include "base/limits.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"

#define ATT_SGX_EXT_OID "1.2.840.113741.1.13.1"

struct att_cert;

enum att_sgx_type {
	ATT_SGX_TYPE_STANDARD = 0,
	ATT_SGX_TYPE_SCALABLE = 1,
	ATT_SGX_TYPE_SCALABLE_WITH_INTEGRITY = 2,
};

struct att_sgx_pck_ext {
	uint8_t ppid[16];
	uint8_t comps[16]; /* sgxtcbcomp01svn .. 16 */
	uint16_t pcesvn;
	uint8_t cpusvn[16];
	uint8_t pce_id[2];
	uint8_t fmspc[6];
	int sgx_type; /* enum att_sgx_type */
	bool has_platform_instance_id;
	uint8_t platform_instance_id[16];
	bool has_configuration;
	bool has_dynamic_platform, dynamic_platform;
	bool has_cached_keys, cached_keys;
	bool has_smt_enabled, smt_enabled;
};

/* att_sgx_pck_ext_parse parses the extension value (the DER SEQUENCE
 * inside extnValue). Returns 0, or ATT_ERR_FORMAT / ATT_ERR_LIMIT with a
 * message naming the bad element; *out is zeroed on error. */
int att_sgx_pck_ext_parse(struct att_sgx_pck_ext *out, const uint8_t *der,
			  size_t len, struct att_diag *d);
/* att_sgx_pck_ext_from_cert finds and parses the extension of a PCK
 * certificate (ATT_ERR_NOT_FOUND when absent). */
int att_sgx_pck_ext_from_cert(struct att_sgx_pck_ext *out,
			      const struct att_cert *cert, struct att_diag *d);

#endif
