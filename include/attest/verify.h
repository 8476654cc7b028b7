/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libattest, verifier half: offline verification of attestation evidence,
 * with no server, no network and no clock (every check takes its time from
 * the caller; only the whole verifier reads the clock when given no
 * time, and the network when given a PCS/PCCS URL). Everything here is
 * plain C: opaque handles, byte buffers, and JSON text out (malloc'd,
 * freed with att_verify_free_text / free()).
 * Failures return a negative ATT_ERR_* code (attest/err.h) and, when
 * errbuf is not NULL, a NUL-terminated message naming what failed
 * ("sgx: QE report signature invalid"). Handles may be shared between
 * threads once built (they are never modified by a verification).
 *
 *   DCAP quotes (Intel SGX, TDX)   att_verify_quote
 *   TPM 2.0 quotes                 att_verify_tpm_quote
 *   TCG event logs                 att_verify_eventlog_parse / _replay
 *   MAA policies                   att_verify_policy_compile / _eval
 *   the whole verifier             att_verify_ctx_new, att_verify_attest
 *
 * docs/library.md describes the JSON each function returns.
 */
#ifndef ATT_ATTEST_VERIFY_H
#define ATT_ATTEST_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "attest/err.h"
#include "attest/export.h"
#include "attest/token.h"

#ifdef __cplusplus
extern "C" {
#endif

/* att_verify_free_text frees a JSON text returned by this library;
 * accepts NULL. */
ATT_EXPORT void att_verify_free_text(char *text);

/* ---- DCAP quotes (Intel SGX and TDX) -------------------------------- */

/* Trust anchors for DCAP: the Intel SGX Root CA (built in) and/or roots
 * added as PEM (e.g. a test platform's). */
struct att_quote_trust;

/* att_quote_trust_new makes a trust store holding the built-in Intel SGX
 * Root CA when with_intel_root is non-zero, else nothing. */
ATT_EXPORT int att_quote_trust_new(struct att_quote_trust **out,
				   int with_intel_root);
/* att_quote_trust_add_pem adds every self-signed root certificate of a
 * PEM text. */
ATT_EXPORT int att_quote_trust_add_pem(struct att_quote_trust *t,
				       const char *pem, size_t len,
				       char *errbuf, size_t errlen);
/* att_quote_trust_free frees t; accepts NULL. */
ATT_EXPORT void att_quote_trust_free(struct att_quote_trust *t);

/* Parsed DCAP collateral (TCB Info, QE Identity, their issuer chain, the
 * PCK and root CA CRLs), immutable once built. */
struct att_quote_collateral;

/* att_quote_collateral_from_json reads a collateral bundle: a JSON object
 * with the member names of sgx_ql_qve_collateral_t (pck_crl_issuer_chain,
 * root_ca_crl, pck_crl, tcb_info_issuer_chain, tcb_info,
 * tcb_info_signature, qe_identity_issuer_chain, qe_identity,
 * qe_identity_signature), as `attest quote verify --collateral` reads. */
ATT_EXPORT int att_quote_collateral_from_json(struct att_quote_collateral **out,
					      const char *json, size_t len,
					      char *errbuf, size_t errlen);
/* att_quote_collateral_free frees c; accepts NULL. */
ATT_EXPORT void att_quote_collateral_free(struct att_quote_collateral *c);

/* Flags of att_verify_quote. */
/* Expired collateral only sets "collateral_expired" in the result (as
 * Intel's QvE reports it) instead of failing with ATT_ERR_EXPIRED. */
#define ATT_QUOTE_ALLOW_EXPIRED_COLLATERAL 0x1u

/*
 * att_verify_quote verifies a binary DCAP quote (SGX v3/v4/v5 or TDX;
 * an Open Enclave report header in front is detected) against col and
 * trust at time `at` (Unix seconds): PCK chain and CRLs, TCB Info and QE
 * Identity, QE report, quote signature, TCB levels. Returns 0 when the
 * quote verified, whatever its TCB status (a Revoked TCB is
 * ATT_ERR_REVOKED). *out_json (when out_json is not NULL) receives the
 * result in the shape of `attest quote verify --json`, also on a failure:
 * {"verified", "error", "error_code"?, "tee", "version", and once the TCB
 * was evaluated "tcb_status", "advisory_ids", ..., "collateral_hashes"}.
 */
ATT_EXPORT int att_verify_quote(const uint8_t *quote, size_t len,
				const struct att_quote_collateral *col,
				const struct att_quote_trust *trust,
				int64_t at, unsigned flags, char **out_json,
				char *errbuf, size_t errlen);

/* ---- TPM 2.0 quotes ------------------------------------------------- */

/* What att_verify_tpm_quote checks besides the structure (magic, quote
 * type) and the AIK's signature over the exact TPMS_ATTEST bytes. */
struct att_tpm_quote_check {
	/* extraData must equal nonce[0..nonce_len) (constant time); NULL:
	 * not checked. */
	const uint8_t *nonce;
	size_t nonce_len;
	/* The PCR values the quote covers, JSON text {"sha256": {"0":
	 * "<hex>", ...}, ...}: pcrDigest must be their digest and they
	 * must be exactly the selected PCRs. NULL: not checked. */
	const char *pcrs_json;
	/* PCRs (bit i = PCR i) the selection must include, in bank
	 * required_bank (a TPM_ALG_ID, e.g. 0x000B SHA-256; 0: any). */
	uint32_t required_mask;
	uint16_t required_bank;
};

/*
 * att_verify_tpm_quote verifies a TPM2_Quote: attest (TPMS_ATTEST) and
 * sig (TPMT_SIGNATURE) as the TPM returned them, with the AIK's public
 * area ak_pub (TPM2B_PUBLIC or bare TPMT_PUBLIC). The checks run in the
 * order header, signature, nonce, PCR selection, pcrDigest; the first
 * failure is returned and errbuf names the step. check may be NULL (only
 * header and signature). *out_json receives the parsed quote: {"magic",
 * "type", "extra_data", "clock", "reset_count", "restart_count", "safe",
 * "firmware_version", "pcr_digest", "pcr_select": {"sha256": [0,1,...]}}.
 */
ATT_EXPORT int att_verify_tpm_quote(const uint8_t *attest, size_t attest_len,
				    const uint8_t *sig, size_t sig_len,
				    const uint8_t *ak_pub, size_t ak_pub_len,
				    const struct att_tpm_quote_check *check,
				    char **out_json, char *errbuf,
				    size_t errlen);

/* ---- TCG event logs (TPM boot logs) --------------------------------- */

/*
 * att_verify_eventlog_parse parses a TCG PC Client event log (SHA-1 or
 * crypto-agile) and returns MAA's "events" claim shape, {"Events": [...]}
 * with every event's decoded data and its "DigestCheck" (whether the
 * digest is the hash of the event's data). Returns 0 also when some
 * digests do not match their data (they say "mismatch").
 */
ATT_EXPORT int att_verify_eventlog_parse(const uint8_t *log, size_t len,
					 char **out_json, char *errbuf,
					 size_t errlen);

/*
 * att_verify_eventlog_replay replays the log into PCR values, bank by
 * bank, as `attest eventlog replay --json` prints them: {"sha256":
 * {"0": "<hex>", ...}, ...}. With quoted_pcrs_json (same shape, e.g. the
 * values a verified TPM quote covers) the replay must also explain them:
 * every PCR both hold must be equal (ATT_ERR_MISMATCH naming the PCR,
 * bank and the event to look at otherwise).
 */
ATT_EXPORT int att_verify_eventlog_replay(const uint8_t *log, size_t len,
					  const char *quoted_pcrs_json,
					  char **out_json, char *errbuf,
					  size_t errlen);

/* ---- MAA attestation policies --------------------------------------- */

/* A compiled policy (the MAA policy language, versions 1.0 to 1.2): built
 * once, evaluated any number of times, by any number of threads. */
struct att_verify_policy;

/* att_verify_policy_compile compiles text[0..len). Errors:
 * ATT_ERR_POLICY_SYNTAX, ATT_ERR_POLICY_TYPE, ATT_ERR_JMESPATH_*,
 * ATT_ERR_LIMIT; errbuf gets "line L, column C: ...". */
ATT_EXPORT int att_verify_policy_compile(struct att_verify_policy **out,
					 const char *text, size_t len,
					 char *errbuf, size_t errlen);
/* att_verify_policy_free frees p; accepts NULL. */
ATT_EXPORT void att_verify_policy_free(struct att_verify_policy *p);

/*
 * att_verify_policy_eval evaluates p over the incoming claims, a JSON
 * array of {"type", "value", "issuer"?, "valueType"?} (the CLAIMS.json of
 * `attest policy eval`), within the default budget. Returns 0 when the
 * evaluation ran to the end, whether or not it authorized; *out_json
 * receives {"authorized": bool, "issued": {type: value, ...},
 * "properties": {...}, "deny": "why" | null, "explain": [...] (only with
 * explain non-zero)}. ATT_ERR_POLICY_EVAL / ATT_ERR_LIMIT when a rule
 * failed or the budget ran out.
 */
ATT_EXPORT int att_verify_policy_eval(const struct att_verify_policy *p,
				      const char *claims_json, int explain,
				      char **out_json, char *errbuf,
				      size_t errlen);

/* Size of the x-ms-policy-hash text: 43 base64url characters and a NUL. */
#define ATT_VERIFY_POLICY_HASH_LEN 44

/* att_verify_policy_hash writes x-ms-policy-hash of a policy text,
 * b64url(SHA-256(b64url(text))), into out[0..ATT_VERIFY_POLICY_HASH_LEN). */
ATT_EXPORT int att_verify_policy_hash(char out[ATT_VERIFY_POLICY_HASH_LEN],
				      const char *text, size_t len);

/* ---- the whole verifier --------------------------------------------- */

/*
 * The whole pipeline of attestd's POST /attest/{type}, offline: an MAA
 * attestation request body in, the evidence claims, the policy outcome
 * (with its explain trace) and optionally a signed MAA-shaped token out.
 * A handle holds the trust roots, the collateral source (a store with
 * imported collateral, optionally a PCS/PCCS), the compiled-policy cache
 * and the store providers' policies are read from. Built once, it may be
 * used by any number of threads.
 */
struct att_verify_ctx;

/* An extra pinned AMD ARK for SevSnpVm: product "Milan", "Genoa" or
 * "Turin", and its self-signed ARK certificate as a NUL-terminated PEM
 * (or DER with pem_len set). */
struct att_verify_snp_ark {
	const char *product;
	const char *pem;
	size_t pem_len; /* 0: strlen(pem) */
};

/* What att_verify_ctx_new builds the verifier from. All zero: an
 * in-memory store, no PCS, no KDS, the Intel SGX Root CA and AMD's
 * Milan, Genoa and Turin ARKs, each request verified at its own time. */
struct att_verify_ctx_opts {
	/* A data directory of attestd (its attestd.db must exist) or a
	 * SQLite file (created if missing): the providers' stored policies
	 * and the collateral imported into it. NULL: a private in-memory
	 * store (policies are the defaults; import collateral with
	 * att_verify_ctx_import). */
	const char *store;
	/* Intel PCS or PCCS base URL for collateral the store lacks; NULL:
	 * offline. pcs_is_pccs: the URL is a PCCS. pcs_ca_file: PEM bundle
	 * for its TLS certificate (NULL: the system's). */
	const char *pcs_url;
	int pcs_is_pccs;
	const char *pcs_ca_file;
	/* Extra trusted DCAP roots: NUL-terminated PEM texts, each adding
	 * its self-signed certificates (e.g. the SGX simulator's root). */
	const char *const *root_pems;
	size_t n_root_pems;
	/* Non-zero: do not trust the built-in Intel SGX Root CA. */
	int no_intel_root;
	/* Fixed verification time of every quote (Unix seconds); 0: the
	 * request's time (att_verify_attest_opts.now). */
	int64_t verify_time;
	/* SevSnpVm: ARKs pinned beside (or, for the same product, instead
	 * of) AMD's built-in ones; no_amd_roots non-zero: only these. */
	const struct att_verify_snp_ark *snp_arks;
	size_t n_snp_arks;
	int no_amd_roots;
	/* SevSnpVm: AMD KDS base URL (e.g. "https://kdsintf.amd.com" or a
	 * mirror) for the VCEKs, chains and CRLs the store lacks; NULL:
	 * offline (the store and att_verify_ctx_import only).
	 * kds_ca_file: PEM bundle for its TLS (NULL: the system's). */
	const char *kds_url;
	const char *kds_ca_file;
};

/* att_verify_ctx_new opens the store and builds the verifier. *out is
 * freed with att_verify_ctx_free. o may be NULL (all defaults). */
ATT_EXPORT int att_verify_ctx_new(struct att_verify_ctx **out,
				  const struct att_verify_ctx_opts *o,
				  char *errbuf, size_t errlen);
/* att_verify_ctx_import imports DCAP collateral (a PCS response, CRL, PEM
 * chain, collateral bundle, or a directory of them; `attestd collateral
 * import` reads the same) into the context's store at time now (Unix
 * seconds; 0: the current time). */
ATT_EXPORT int att_verify_ctx_import(struct att_verify_ctx *v,
				     const char *file_or_dir, int64_t now,
				     char *errbuf, size_t errlen);
/* att_verify_ctx_free frees v (and closes its store); accepts NULL. */
ATT_EXPORT void att_verify_ctx_free(struct att_verify_ctx *v);

/* Options of one att_verify_attest call (all zero: the default provider's
 * policy, the current time, no token). */
struct att_verify_attest_opts {
	/* Whose stored policy applies (NULL: "default"); without a stored
	 * policy, the type's default policy. */
	const char *provider;
	/* A policy text to apply instead of the provider's, compiled within
	 * the default limits; NULL: the provider's. */
	const char *policy;
	size_t policy_len;
	/* The request time (Unix seconds); <= 0: the current time. */
	int64_t now;
	/* Non-zero: the result's "policy" carries the explain trace. */
	int explain;
	/* Non-zero: honour a draftPolicyForAttestation of the request (MAA's
	 * policy trial: it replaces every other policy, the result says
	 * "draft": true and the token is unsigned, alg "none"). Zero: a
	 * request holding one is refused (ATT_ERR_UNSUPPORTED), so the
	 * attester cannot choose its own policy. */
	int allow_draft;
	/* Sign the claims into an MAA-shaped token with this private key
	 * (NULL: no token); alg "RS256" or "ES256" (NULL: the key's, RSA:
	 * RS256, P-256: ES256; others are ATT_ERR_ALG), kid and iss (each
	 * NULL: left out), lifetime in seconds (<= 0: 8 hours). */
	const struct att_token_key *sign_key;
	const char *sign_alg;
	const char *kid;
	const char *issuer;
	int64_t token_lifetime;
};

/*
 * att_verify_attest runs one MAA attestation request body (JSON text:
 * {"quote", "runtimeData"?, "initTimeData"?, "draftPolicyForAttestation"?,
 * "nonce"?}, as POST /attest/{type} takes it) of type "SgxEnclave",
 * "OpenEnclave", "TdxVm" or "SevSnpVm" (MAA's AttestSevSnpVmRequest:
 * "report" instead of "quote"; AMD's appraisal defaults: a guest policy
 * allowing debug is refused, any VMPL, no minimum TCB, a CRL used when
 * the store or KDS has one) through the whole pipeline: request decoding,
 * policy, collateral and quote verification at the verification time,
 * runtime / init-time data binding, claims, policy evaluation, issued
 * claims, token. Returns 0 when it ran to the end, whether or not the
 * policy authorized; *out_json (malloc'd) is then
 *   {"authorized": bool,
 *    "claims": {the token's claims: evidence, issued, nonce, jti, and
 *               with a token iat, nbf, exp, iss},
 *    "policy": {"hash", "issued": {...}, "deny": "why" | null,
 *               "explain": [...] (only with opts->explain)},
 *    "token": "<JWT>" (only when signed and authorized),
 *    "draft": true (only for a draft policy)}.
 * Otherwise a negative ATT_ERR_* code, errbuf naming the failing step,
 * and *out_maa_code (when not NULL) MAA's error code for it
 * ("InvalidParameter", "PolicyParsingError", "InternalError", ...; a
 * static string): att_verify_http_status(rc, *out_maa_code, ...) gives
 * the HTTP status attestd answers with. o may be NULL.
 */
ATT_EXPORT int att_verify_attest(struct att_verify_ctx *v, const char *type,
				 const uint8_t *body, size_t len,
				 const struct att_verify_attest_opts *o,
				 char **out_json, const char **out_maa_code,
				 char *errbuf, size_t errlen);

/*
 * att_verify_http_status is attestd's one table from an error to its HTTP
 * status and MAA error code: failures of the service itself (ATT_ERR_NOMEM,
 * _INTERNAL, _STORE, _IO, _CRYPTO) are 500 "InternalError", an upstream
 * that could not be reached (ATT_ERR_NETWORK, _TIMEOUT) 503
 * "ServiceUnavailable"; any other error takes the failing step's MAA code
 * dflt ("InvalidParameter" when NULL) with that code's status
 * ("InternalError" 500, "ServiceUnavailable" 503, "Forbidden" 403, any
 * other 400). *maa_code (static) receives the code; returns the status.
 */
ATT_EXPORT int att_verify_http_status(int err, const char *dflt,
				      const char **maa_code);

#ifdef __cplusplus
}
#endif
#endif
