/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The vTPM links of an AzureGuest request (azureguest.h; docs/api.md
 * "AzureGuest: verification"), each its own step so that a refusal names
 * the link that broke:
 *   AIK certificate -> the provider's vTPM anchors; its key = AikPub
 *   AikPub          -> an AIK (TPM 2.0 Part 2 TPMA_OBJECT rules)
 *   PcrQuote        -> TPMS_ATTEST of TPM2_Quote signed by AikPub
 *                      (PcrSignature: the raw signature of AikPub's
 *                      scheme), pcrDigest = SHA-256 of PCRs over PcrSet
 *   TcgLogs         -> replays to the quoted PCRs it extends
 *   EncKeyPub       -> certified by the AIK (TPM2_Certify: certifyInfo
 *                      signed by AikPub, its Name = Name(EncKeyPub))
 * The quote's extraData is not a nonce here: Microsoft's clients quote
 * with none (the REST example's is empty); freshness is the sealed
 * answer, which only the TPM holding EncKeyPub's private key opens.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "crypto/cert_path.h"
#include "crypto/digest.h"
#include "evidence/tcg/eventlog.h"
#include "evidence/tcg/replay.h"
#include "evidence/tcg/wbcl.h"
#include "evidence/tpm/quote.h"
#include "evidence/tpm/tpm_alg.h"
#include "verify/azureguest.h"
#include "verify/tpm.h"

void att_azg_tpm_release(struct att_azg_tpm *t)
{
	if (!t)
		return;
	att_pkey_free(t->aik_key);
	att_pkey_free(t->enc_key);
	json_decref(t->boot_claims);
	memset(t, 0, sizeof(*t));
}

int att_azg_check_aik_cert(const struct att_azg_request *r,
			   const struct att_azg_tpm *t, const char *anchors,
			   size_t anchors_len, int64_t at, struct att_diag *d)
{
	struct att_cert_path p = {.der = r->aik_cert.p,
				  .der_len = r->aik_cert.len,
				  .roots_pem = anchors,
				  .roots_len = anchors_len,
				  .at = at,
				  .what = "AIK certificate"};
	uint8_t *spki = NULL;
	size_t spki_len = 0;
	struct att_pkey *ck = NULL;
	int rc;
	if (!anchors || !anchors_len)
		return att_diag_set(d, ATT_ERR_CHAIN_INVALID,
				    "AIK certificate: this provider has no vTPM "
				    "trust anchors (providers.NAME.vtpm_roots)");
	if ((rc = att_cert_path_verify(&p, &spki, &spki_len, NULL, d)) != 0)
		goto out;
	if ((rc = att_pkey_from_spki_der(&ck, spki, spki_len)) != 0) {
		att_diag_set(d, rc, "AIK certificate: its key cannot be read");
		goto out;
	}
	if (!t->aik_key || !att_pkey_equal_public(ck, t->aik_key))
		rc = att_diag_set(d, ATT_ERR_MISMATCH,
				  "AIK certificate: its key is not AikPub");
out:
	free(spki);
	att_pkey_free(ck);
	return rc;
}

/* raw_sig makes the TPMT_SIGNATURE of a raw signature by key pub (its
 * scheme; Microsoft's clients send TPMT_SIGNATURE.signature.sig only). */
static int raw_sig(struct att_tpm_signature *s, const struct att_tpm_public *pub,
		   const struct att_azg_blob *b, const char *what,
		   struct att_diag *d)
{
	memset(s, 0, sizeof(*s));
	if (pub->type != ATT_TPM_ALG_RSA ||
	    (pub->scheme != ATT_TPM_ALG_RSASSA &&
	     pub->scheme != ATT_TPM_ALG_RSAPSS))
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "%s: AikPub is not an RSASSA or RSAPSS "
				    "key",
				    what);
	if (b->len != pub->rsa_n_len || b->len > sizeof(s->sig))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "%s: %zu bytes, not the AIK's modulus "
				    "size (%u)",
				    what, b->len, pub->rsa_n_len);
	s->sig_alg = pub->scheme;
	s->hash = pub->scheme_hash;
	s->sig_len = (uint16_t)b->len;
	memcpy(s->sig, b->p, b->len);
	return 0;
}

int att_azg_check_quote(const struct att_azg_request *r,
			struct att_azg_tpm *t, struct att_diag *d)
{
	struct att_diag ld = {0};
	struct att_tpm_signature sig;
	int rc;
	if ((rc = att_tpm_public_parse(&t->aik, r->aik_pub.p, r->aik_pub.len,
				       &ld)) != 0 ||
	    (rc = att_tpm_public_check_ak(&t->aik, &ld)) != 0 ||
	    (rc = att_tpm_public_pkey(&t->aik, &t->aik_key, &ld)) != 0)
		return att_diag_set(d, rc, "AikPub: %s", att_diag_msg(&ld));
	if ((rc = att_tpm_attest_parse(&t->quote, r->quote.p, r->quote.len,
				       &ld)) != 0 ||
	    (rc = att_tpm_quote_check_header(&t->quote, &ld)) != 0)
		return att_diag_set(d, rc, "PcrQuote: %s", att_diag_msg(&ld));
	if ((rc = raw_sig(&sig, &t->aik, &r->quote_sig, "PcrSignature", d)))
		return rc;
	if ((rc = att_tpm_quote_verify_signature(r->quote.p, r->quote.len, &sig,
						 t->aik_key, &t->aik, &ld)) != 0)
		return att_diag_set(d, rc,
				    "PcrSignature: the quote is not signed by "
				    "AikPub (%s)",
				    att_diag_msg(&ld));
	/* the quote selects exactly PcrSet in the SHA-256 bank */
	uint32_t sel = 0;
	for (uint32_t i = 0; i < t->quote.pcr_select.count; i++) {
		if (t->quote.pcr_select.sel[i].hash != ATT_TPM_ALG_SHA256)
			return att_diag_set(d, ATT_ERR_UNSUPPORTED,
					    "PcrQuote: selects a bank other "
					    "than SHA-256 (%s)",
					    att_tpm_alg_name(
						    t->quote.pcr_select.sel[i].hash));
		sel |= att_tpm_selection_mask(&t->quote.pcr_select.sel[i]);
	}
	if (sel != r->pcr_set)
		return att_diag_set(d, ATT_ERR_MISMATCH,
				    "PcrSet (0x%06x) is not the quote's PCR "
				    "selection (0x%06x)",
				    r->pcr_set, sel);
	if ((rc = att_tpm_quote_check_pcrs(&t->quote, ATT_TPM_ALG_SHA256,
					   &r->pcrs, &ld)) != 0)
		return att_diag_set(d, rc,
				    "PCRs: the quote's pcrDigest is not that "
				    "of the PCR values sent (%s)",
				    att_diag_msg(&ld));
	return 0;
}

/* boot_claims makes the x-ms-azurevm-* claims of the log's verified
 * part (evidence/tcg/wbcl.h). */
static int boot_claims(const struct att_azg_request *r, struct att_azg_tpm *t,
		       const struct att_tcg_log *log,
		       const struct att_tcg_check_result *res,
		       struct att_diag *d)
{
	struct att_diag ld = {0};
	struct att_wbcl_facts f;
	struct att_wbcl_os os = {.type = r->os_type,
				 .distro = r->os_distro,
				 .build = r->os_build,
				 .has_version = r->has_version,
				 .version_major = r->os_major,
				 .version_minor = r->os_minor};
	memset(&f, 0, sizeof(f));
	int rc = att_wbcl_facts_from_log(&f, log, res, t->attested, &ld);
	if (rc)
		return att_diag_set(d, rc, "TcgLogs: %s", att_diag_msg(&ld));
	enum att_tpm_sb sb = att_tpm_secure_boot(log, res, t->attested);
	enum att_wbcl_tri tri = sb == ATT_TPM_SB_ON    ? ATT_WBCL_TRUE
				: sb == ATT_TPM_SB_OFF ? ATT_WBCL_FALSE
						       : ATT_WBCL_UNKNOWN;
	return att_wbcl_claims(&t->boot_claims, &f, &os, t->attested, tri, d);
}

int att_azg_check_log(const struct att_azg_request *r, struct att_azg_tpm *t,
		      struct att_diag *d)
{
	struct att_diag ld = {0};
	struct att_tcg_log log;
	struct att_tcg_check_result *res = NULL;
	struct att_tcg_replay *rp = NULL;
	int rc;
	memset(&log, 0, sizeof(log));
	if (!r->tcg_log.len)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "TcgLogs is empty: the boot cannot be "
				    "attested");
	if ((rc = att_tcg_log_parse(&log, r->tcg_log.p, r->tcg_log.len, &ld))) {
		att_diag_set(d, rc, "TcgLogs: %s", att_diag_msg(&ld));
		goto out;
	}
	rc = ATT_ERR_NOMEM;
	if (!(res = calloc(log.num_events ? log.num_events : 1, sizeof(*res))) ||
	    !(rp = calloc(1, sizeof(*rp)))) {
		att_diag_set(d, rc, "out of memory");
		goto out;
	}
	/* an event whose data does not hash to its digest is not used for
	 * claims (wbcl.h); the replay below is what binds the log */
	rc = att_tcg_check_digests(res, &log, NULL, &ld);
	if (rc && rc != ATT_ERR_MISMATCH) {
		att_diag_set(d, rc, "TcgLogs: %s", att_diag_msg(&ld));
		goto out;
	}
	att_diag_clear(&ld);
	if ((rc = att_tcg_replay(rp, &log, &ld)) != 0 ||
	    (rc = att_tcg_replay_compare(rp, &log, res, &r->pcrs, &t->attested,
					 &ld)) != 0) {
		att_diag_set(d, rc,
			     "TcgLogs: the boot log does not replay to the "
			     "quoted PCRs: %s",
			     att_diag_msg(&ld));
		goto out;
	}
	t->attested &= r->pcr_set;
	t->has_log = true;
	rc = boot_claims(r, t, &log, res, d);
out:
	free(res);
	free(rp);
	att_tcg_log_release(&log);
	return rc;
}

int att_azg_check_enckey(const struct att_azg_request *r,
			 struct att_azg_tpm *t, struct att_diag *d)
{
	struct att_diag ld = {0};
	struct att_azg_certify c;
	struct att_tpm_signature sig;
	uint8_t name[2 + ATT_TPM_MAX_DIGEST_LEN];
	size_t name_len = 0;
	int rc;
	if ((rc = att_tpm_public_parse(&t->enc, r->enc_pub.p, r->enc_pub.len,
				       &ld)) != 0)
		return att_diag_set(d, rc, "EncKeyPub: %s", att_diag_msg(&ld));
	if (t->enc.type != ATT_TPM_ALG_RSA ||
	    !(t->enc.attributes & ATT_TPMA_DECRYPT) ||
	    (t->enc.attributes & (ATT_TPMA_SIGN | ATT_TPMA_RESTRICTED)) ||
	    !(t->enc.attributes & ATT_TPMA_FIXED_TPM) ||
	    !(t->enc.attributes & ATT_TPMA_SENSITIVE_DATA_ORIGIN))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "EncKeyPub: not a TPM-resident RSA "
				    "decryption key (fixedTPM, "
				    "sensitiveDataOrigin, decrypt; not sign or "
				    "restricted)");
	if ((rc = att_tpm_public_pkey(&t->enc, &t->enc_key, &ld)) != 0)
		return att_diag_set(d, rc, "EncKeyPub: %s", att_diag_msg(&ld));
	if ((rc = att_azg_certify_parse(&c, r->certify.p, r->certify.len, d)))
		return rc;
	if (c.magic != ATT_TPM_GENERATED_VALUE)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "EncKeyCertifyInfo: magic 0x%08x is not "
				    "TPM_GENERATED_VALUE",
				    c.magic);
	if ((rc = raw_sig(&sig, &t->aik, &r->certify_sig,
			  "EncKeyCertifyInfoSignature", d)) != 0)
		return rc;
	if ((rc = att_tpm_quote_verify_signature(r->certify.p, r->certify.len,
						 &sig, t->aik_key, &t->aik,
						 &ld)) != 0)
		return att_diag_set(d, rc,
				    "EncKeyCertifyInfoSignature: the "
				    "certification of EncKeyPub is not signed "
				    "by AikPub (%s)",
				    att_diag_msg(&ld));
	if ((rc = att_tpm_public_name(&t->enc, name, sizeof(name), &name_len,
				      &ld)) != 0)
		return att_diag_set(d, rc, "EncKeyPub: %s", att_diag_msg(&ld));
	if (c.name_len != name_len || memcmp(c.name, name, name_len))
		return att_diag_set(d, ATT_ERR_MISMATCH,
				    "EncKeyCertifyInfo: the certified Name is "
				    "not EncKeyPub's");
	return 0;
}
