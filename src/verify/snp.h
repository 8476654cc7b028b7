/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POST /attest/SevSnpVm (MAA REST API "Attestation - Attest Sev Snp Vm";
 * docs/api.md "SevSnpVm"), the steps shared by the files of src/verify
 * (verifier.h has the entry point, att_verify_snp):
 *   snp_request.c  request body -> struct att_snp_request, data binding
 *   snp_claims.c   verified report -> the token's claims, incoming set
 *   snp.c          the pipeline: policy, VEK source, report verification,
 *                  binding, claims, policy evaluation, token
 * The request is MAA's AttestSevSnpVmRequest: "report" is base64url of a
 * JSON document {"SnpReport": b64url(1184-byte report), "VcekCertChain":
 * b64url(PEM VCEK, ASK, ARK)}; runtimeData / initTimeData, nonce and
 * draftPolicyForAttestation as for SGX.
 */
#ifndef ATT_VERIFY_SNP_H
#define ATT_VERIFY_SNP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "evidence/snp/snp.h"
#include "policy/policy.h"
#include "verify/attest.h"

/* Where the report's VCEK / VLEK came from. */
enum att_snp_vek_source {
	ATT_SNP_VEK_NONE = 0,
	ATT_SNP_VEK_CHAIN,     /* the request's VcekCertChain */
	ATT_SNP_VEK_CERTTABLE, /* the request's certificate table */
	ATT_SNP_VEK_KDS,       /* AMD KDS (through the collateral module) */
	ATT_SNP_VEK_FILES,     /* given by the caller (attest snp verify) */
};

/* A decoded SevSnpVm request. report, chain_pem and cert_table are
 * malloc'd; the strings point into body. */
struct att_snp_request {
	json_t *body;       /* the parsed request (owns the strings below) */
	bool wrapped;       /* the body was {"request": {...}} */
	bool raw_report;    /* "report" was the SNP report itself */
	uint8_t *report;    /* SnpReport, ATT_SNP_REPORT_LEN bytes */
	size_t report_len;
	uint8_t *chain_pem; /* VcekCertChain (PEM text) or NULL */
	size_t chain_len;
	uint8_t *cert_table; /* CertTable (attestd extension) or NULL */
	size_t cert_table_len;
	struct att_attest_data runtime;
	struct att_attest_data inittime;
	const char *draft;
	size_t draft_len;
	const char *nonce;
};

/* att_snp_request_decode parses an AttestSevSnpVmRequest body (all api
 * versions; {"request": {...}} is unwrapped). base64url with or without
 * padding, standard alphabet tolerated, as for SGX. ATT_ERR_FORMAT /
 * ATT_ERR_LIMIT with d naming the member; r is released by
 * att_snp_request_release whatever the result. */
int att_snp_request_decode(struct att_snp_request *r, const uint8_t *body,
			   size_t len, struct att_diag *d);
void att_snp_request_release(struct att_snp_request *r);

/* att_snp_binding_check binds the request's data to the verified report
 * (docs/api.md, "SevSnpVm: data binding"): runtimeData present:
 * REPORT_DATA[0..31] = SHA-256(runtimeData bytes as sent) and
 * REPORT_DATA[32..63] all zero; initTimeData present: HOST_DATA =
 * SHA-256(initTimeData bytes). ATT_ERR_MISMATCH naming the field and
 * both values. */
int att_snp_binding_check(const struct att_snp_request *r,
			  const struct att_snp_report *rep,
			  struct att_diag *d);

/* att_snp_claims puts into obj the evidence claims of a verified report
 * (docs/claims.md "SevSnpVm"): x-ms-attestation-type "sevsnpvm", x-ms-ver,
 * the x-ms-sevsnpvm-* claims with MAA's names, JSON types and encodings,
 * x-ms-runtime / x-ms-inittime (r may be NULL: none), and the
 * x-attestd-sevsnp-* claims (source: where the VEK came from). */
int att_snp_claims(json_t *obj, const struct att_snp_request *r,
		   const struct att_snp_result *res,
		   enum att_snp_vek_source source);

/* att_snp_compliance_claims adds x-ms-compliance-status when the report
 * meets c, the provider's SevSnpVm floor (verify/compliance.h,
 * att_compliance_snp_claim); c NULL or without a floor: nothing. */
struct att_compliance;
int att_snp_compliance_claims(json_t *obj, const struct att_compliance *c,
			      const struct att_snp_result *res);

/* att_snp_vek_source_name: "VcekCertChain", "certificate table", "KDS",
 * "files", "none". */
const char *att_snp_vek_source_name(enum att_snp_vek_source s);

/* att_snp_incoming adds every claim of obj to in (arrays become one claim
 * per element); SevSnpVm has no deprecated $-aliases. */
int att_snp_incoming(struct att_claimset *in, json_t *obj);

/* att_snp_sample_incoming appends a representative SevSnpVm claim set
 * (a Milan report as in MAA's example) to in, for the trial run of an
 * uploaded policy. */
int att_snp_sample_incoming(struct att_claimset *in);

struct att_verifier;
struct att_cert;
struct att_x509_crl;
/* att_verify_snp_crl returns AMD's CRL that applies to a report signed
 * by certs[0] (product from the report's CPUID, else the VEK's
 * productName; the VCEK or VLEK CRL by the report's signer), from the
 * verifier's KDS client (stored, imported or fetched; only stored or
 * imported when dev: a simulator chain), kept only when it is issued by
 * the ARK trust pins for that product; its signature is checked by
 * att_snp_verify. NULL: none (no KDS client, none known, or not
 * applicable). Free with att_x509_crl_free. */
struct att_x509_crl *att_verify_snp_crl(struct att_verifier *v,
					const struct att_snp_trust *trust,
					bool dev, const uint8_t *report,
					size_t report_len,
					struct att_cert *const *certs,
					size_t n_certs, int64_t at);

#endif
