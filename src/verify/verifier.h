/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The verifier: evidence in, claims, policy outcome and token (or a
 * named error) out, with no HTTP in between (docs/internals/architecture.md,
 * module verify). struct att_verifier holds what a verification needs: the
 * DCAP trust roots and verification cache, the collateral source, the
 * compiled-policy cache and the store it reads policies from, and the
 * verification time override. One entry point per evidence type takes a
 * plain request (struct att_verify_req: the MAA request body, the
 * provider's name, limits and budget, the time, a token signer) and fills
 * a struct att_verify_result. The server's handlers decode HTTP, call it
 * and answer with att_verify_http_status of the result; `attest quote
 * verify` renders the claims through the same code.
 */
#ifndef ATT_VERIFY_VERIFIER_H
#define ATT_VERIFY_VERIFIER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attest/verify.h"
#include "base/diag.h"
#include "policy/policy.h"
#include "verify/attest.h"

struct att_dcap_trust;
struct att_dcap_cache;
struct att_collateral_svc;
struct att_policy_cache;
struct att_cached_policy;
struct att_store;
struct att_snp_trust;
struct att_snp_appraisal;
struct att_kds;
struct att_snp_cache;
struct att_compliance;

/* What the verifier is built from. att_verifier_new takes ownership of
 * every non-NULL object (att_verifier_free frees them); store is borrowed
 * (a provider's stored policies are read from it). policies NULL: the
 * verifier makes its own cache. */
struct att_verifier_cfg {
	struct att_dcap_trust *trust;
	struct att_dcap_cache *dcap_cache;
	struct att_collateral_svc *collateral;
	struct att_policy_cache *policies;
	struct att_store *store;
	int64_t verify_time; /* 0: verify at the request's time */
	/* SevSnpVm: the pinned ARKs (owned like the objects above); NULL:
	 * AMD's roots (att_snp_trust_new_amd). */
	struct att_snp_trust *snp_trust;
	/* SevSnpVm, dev mode: other ARKs (the simulator's; owned), used for
	 * a report whose VcekCertChain or certificate table carries one of
	 * them; NULL: none. */
	struct att_snp_trust *snp_dev_trust;
	/* SevSnpVm: the AMD KDS client (owned like the objects above) for
	 * reports sent without VcekCertChain or certificate table; NULL:
	 * none (such reports are refused). */
	struct att_kds *kds;
	/* SevSnpVm: the verification cache (evidence/snp/cache.h; owned
	 * like the objects above); NULL: the verifier makes its own. */
	struct att_snp_cache *snp_cache;
	/* Tpm, dev mode: the TPM simulator's manufacturer root and
	 * EK-issuing intermediate, PEM files (DATA_DIR/tpmsim, `attest sim
	 * tpm start`; the paths owned once given; NULL: none). When present
	 * at an enrolment they are trusted for EK certificates beside the
	 * provider's ek-roots and ek-intermediates. */
	char *tpm_dev_root_file;
	char *tpm_dev_inter_file;
	/* Tpm, dev mode: the policy text applied when the provider named
	 * tpm_dev_policy_provider has no Tpm policy set (both static, not
	 * owned; NULL: none, such requests are refused). Not stored: GET
	 * /policies/Tpm still answers that none is set. */
	const char *tpm_dev_policy;
	const char *tpm_dev_policy_provider;
};

struct att_verifier {
	struct att_dcap_trust *trust;
	struct att_dcap_cache *dcap_cache;
	struct att_collateral_svc *collateral;
	struct att_policy_cache *policies;
	struct att_store *store;
	int64_t verify_time;
	struct att_snp_trust *snp_trust;
	struct att_snp_trust *snp_dev_trust;
	struct att_kds *kds;
	struct att_snp_cache *snp_cache;
	char *tpm_dev_root_file; /* owned; see att_verifier_cfg */
	char *tpm_dev_inter_file;
	const char *tpm_dev_policy; /* see att_verifier_cfg */
	const char *tpm_dev_policy_provider;
};

/* att_verify_sign_fn makes the token of claims: signed with the
 * provider's key, or (draft) the unsigned alg-none token of a draft
 * policy. ATT_ERR_LIMIT when the token would exceed ATT_MAX_TOKEN_LEN. */
typedef int (*att_verify_sign_fn)(void *arg, json_t *claims, bool draft,
				  char **token, struct att_diag *d);

/* One attestation request, as plain values. */
struct att_verify_req {
	const uint8_t *body; /* the MAA request body (JSON) */
	size_t body_len;
	const char *provider;       /* whose stored policy applies */
	struct att_policy_limits limits; /* compile limits of its policies */
	struct att_policy_budget budget; /* evaluation budget */
	int64_t now;                /* request time, seconds since the epoch */
	bool explain;               /* keep the policy's explain trace */
	att_verify_sign_fn sign;    /* NULL: no token, claims only */
	void *sign_arg;
	/* The policy to apply instead of the provider's stored one
	 * (borrowed; NULL: the provider's). A draft policy of the request
	 * still replaces it, unless refuse_draft. */
	struct att_cached_policy *policy;
	/* A draftPolicyForAttestation in the request is refused
	 * (ATT_ERR_UNSUPPORTED, InvalidParameter): the caller, not the
	 * attester, chooses the policy (libattest's att_verify_attest). */
	bool refuse_draft;
	/* SevSnpVm appraisal beside the signature (the provider's); NULL:
	 * debug refused, any VMPL, no minimum TCB, CRL not required. */
	const struct att_snp_appraisal *snp;
	/* AzureGuest: the provider's vTPM trust anchors (PEM certificates,
	 * a pinned AIK certificate counts; providers.NAME.vtpm_roots);
	 * NULL: none (every request is refused at the AIK certificate). */
	const char *vtpm_roots_pem;
	size_t vtpm_roots_len;
	/* SgxEnclave, OpenEnclave, TdxVm: the provider's minimum TCB
	 * baseline (limits.min_tcb_evaluation_data_number): a quote whose
	 * collateral's TCB evaluation data number is lower is refused
	 * (InvalidParameter naming both numbers); 0: none. */
	uint32_t min_tcb_eval_num;
	/* TdxVm, SevSnpVm, AzureGuest: the provider's x-ms-compliance-status
	 * floor of the type (verify/compliance.h); NULL or no floor: the
	 * claim is never emitted. */
	const struct att_compliance *compliance;
};

/* The outcome. err 0: claims (the token's claims, issued claims placed),
 * authorized, token (when a signer was given). err < 0: ATT_ERR_* code,
 * maa_code (MAA's error code, e.g. "InvalidParameter") and msg naming the
 * failing step. explain is the policy's trace when one ran. */
struct att_verify_result {
	int err;
	int http_status; /* att_verify_http_status of err */
	const char *maa_code;
	char msg[ATT_DIAG_LEN];
	json_t *claims;
	bool authorized;
	bool draft; /* the request's draftPolicyForAttestation applied */
	char *token;
	char *reply; /* TPM (att_verify_tpm): the JSON answer */
	struct att_policy_result policy;
};

int att_verifier_new(struct att_verifier **out,
		     const struct att_verifier_cfg *cfg, struct att_diag *d);
void att_verifier_free(struct att_verifier *v);

/* att_verifier_time is the time a quote is verified at. */
int64_t att_verifier_time(const struct att_verifier *v, int64_t now);

/* att_verify_enclave runs the SGX (SgxEnclave), Open Enclave or TDX (TdxVm)
 * pipeline: decode the request, find the policy (a draft is compiled
 * within req->limits), verify the quote with its collateral at the
 * verification time, bind runtimeData / initTimeData, build the claims and
 * the incoming claim set, evaluate the policy within req->budget, place
 * the issued claims, and sign. Returns res->err. */
int att_verify_enclave(struct att_verifier *v, enum att_attest_kind kind,
		       const struct att_verify_req *req,
		       struct att_verify_result *res);
int att_verify_sgx(struct att_verifier *v, const struct att_verify_req *req,
		   struct att_verify_result *res);
int att_verify_oe(struct att_verifier *v, const struct att_verify_req *req,
		  struct att_verify_result *res);
int att_verify_tdx(struct att_verifier *v, const struct att_verify_req *req,
		   struct att_verify_result *res);

/* att_verify_snp runs the SevSnpVm pipeline (src/verify/snp.c; docs/api.md
 * "SevSnpVm"): decode the request (report document {SnpReport,
 * VcekCertChain}), find the policy, verify the report at the verification
 * time with the VEK of VcekCertChain (else the certificate table, else
 * KDS) against v->snp_trust and req->snp, bind runtimeData (REPORT_DATA)
 * and initTimeData (HOST_DATA), build the x-ms-sevsnpvm-* claims,
 * evaluate the policy, place the issued claims and sign. Returns
 * res->err. */
int att_verify_snp(struct att_verifier *v, const struct att_verify_req *req,
		   struct att_verify_result *res);

/* att_verify_azureguest runs the AzureGuest pipeline (src/verify/
 * azureguest.c; docs/api.md "AzureGuest"): decode AttestationInfo, find
 * the policy, verify the vTPM links (AIK certificate to
 * req->vtpm_roots_pem at the verification time, quote signature, PCRs,
 * boot log replay, EncKeyPub certification) and, for SevSnp / Tdx, the
 * hardware report, its REPORT_DATA binding of the HCL runtime data and
 * HCLAkPub = AikPub; build the azurevm claims, evaluate the policy, sign
 * (res->token) and seal the token to EncKeyPub: res->reply is the
 * answer's "token" value (base64url of the sealed envelope). Returns
 * res->err. */
int att_verify_azureguest(struct att_verifier *v,
			  const struct att_verify_req *req,
			  struct att_verify_result *res);

/* att_verify_dcap_claims puts into obj the evidence claims a token of
 * kind carries for a verified quote (res), before policy: what
 * att_verify_enclave issues, and what `attest quote verify --claims`
 * prints. rq: the request's runtime / init-time data (NULL: none);
 * policy_hash and policy_signer (x-ms-policy-hash, x-ms-policy-signer)
 * may be NULL; verify_time_override (0: none) is reported as
 * x-attestd-verify-time-override. */
int att_verify_dcap_claims(json_t *obj, enum att_attest_kind kind,
			   const struct att_attest_request *rq,
			   const struct att_dcap_result *res,
			   const char *policy_hash, json_t *policy_signer,
			   int64_t verify_time_override);

void att_verify_result_init(struct att_verify_result *res);
void att_verify_result_release(struct att_verify_result *res);

/* att_verify_http_status (attest/verify.h, exported by libattest) is the
 * one table from an error to its HTTP status and MAA code: internal
 * failures (memory, store, I/O, crypto, internal) are 500
 * "InternalError", an upstream that could not be reached (network,
 * timeout) 503 "ServiceUnavailable", anything else the step's code
 * (dflt; "InvalidParameter" when NULL) with that code's status (400 but
 * for the few codes of the table's second part). */

/* att_verify_is_internal: err is a failure of the service, not of the
 * request (500). */
bool att_verify_is_internal(int err);

/* att_policy_limit_name returns the configuration name of a limit
 * ("limits.policy_max_rules", ...), "" for none. */
const char *att_policy_limit_name(enum att_policy_limit limit);

#endif
