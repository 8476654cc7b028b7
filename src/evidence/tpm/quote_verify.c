/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Quote verification, one function per step, in the order of docs/tpm.md
 * "Quote verification" (TPM 2.0 Library Part 2 TPMS_ATTEST, Part 3
 * TPM2_Quote). The signature is checked over the bytes as
 * received (never a re-marshalled structure); the pcrDigest uses the
 * selection inside the signed TPMS_ATTEST (the TPM drops unallocated banks
 * from the requested one) and the signature's hash (REF Quote.c).
 */
#include "evidence/tpm/quote.h"

#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "crypto/digest.h"

int att_tpm_quote_check_header(const struct att_tpm_attest *att,
			       struct att_diag *diag)
{
	if (att->magic != ATT_TPM_GENERATED_VALUE)
		return att_diag_set(diag, ATT_ERR_FORMAT, "tpm: quote magic "
				    "0x%08x is not TPM_GENERATED_VALUE",
				    att->magic);
	if (att->type != ATT_TPM_ST_ATTEST_QUOTE)
		return att_diag_set(diag, ATT_ERR_FORMAT, "tpm: attestation "
				    "type 0x%04x is not TPM_ST_ATTEST_QUOTE",
				    att->type);
	return 0;
}

int att_tpm_quote_verify_signature(const uint8_t *attest, size_t attest_len,
				   const struct att_tpm_signature *sig,
				   const struct att_pkey *ak,
				   const struct att_tpm_public *ak_pub,
				   struct att_diag *diag)
{
	int r;
	if (ak_pub && ak_pub->scheme != ATT_TPM_ALG_NULL &&
	    (sig->sig_alg != ak_pub->scheme || sig->hash != ak_pub->scheme_hash))
		return att_diag_set(diag, ATT_ERR_ALG, "tpm: quote signed with "
				    "%s/%s, but the AIK's scheme is %s/%s",
				    att_tpm_alg_name(sig->sig_alg),
				    att_tpm_alg_name(sig->hash),
				    att_tpm_alg_name(ak_pub->scheme),
				    att_tpm_alg_name(ak_pub->scheme_hash));
	enum att_md md = ATT_MD_SHA256;
	r = att_tpm_md_of(sig->hash, &md);
	if (r == 0 && sig->sig_alg == ATT_TPM_ALG_ECDSA)
		r = att_pkey_verify_ecdsa(ak, md, attest, attest_len, sig->r,
					  sig->r_len, sig->s, sig->s_len);
	else if (r == 0 && (sig->sig_alg == ATT_TPM_ALG_RSASSA ||
			    sig->sig_alg == ATT_TPM_ALG_RSAPSS))
		r = att_pkey_verify_rsa(ak, md,
					sig->sig_alg == ATT_TPM_ALG_RSAPSS,
					attest, attest_len, sig->sig,
					sig->sig_len);
	else if (r == 0)
		r = ATT_ERR_ALG;
	if (r == ATT_ERR_SIG_INVALID)
		return att_diag_set(diag, r, "tpm: quote signature (%s, %s) "
				    "does not verify with the AIK",
				    att_tpm_alg_name(sig->sig_alg),
				    att_tpm_alg_name(sig->hash));
	if (r)
		return att_diag_set(diag, r, "tpm: quote signature (%s, %s) "
				    "cannot be checked with this AIK (%s)",
				    att_tpm_alg_name(sig->sig_alg),
				    att_tpm_alg_name(sig->hash), att_strerror(r));
	return 0;
}

int att_tpm_quote_check_nonce(const struct att_tpm_attest *att,
			      const uint8_t *nonce, size_t nonce_len,
			      struct att_diag *diag)
{
	/* The length of the binding is public; its bytes are compared in
	 * constant time. */
	if (att->extra_len != nonce_len ||
	    (nonce_len && !att_ct_eq(att->extra, nonce, nonce_len)))
		return att_diag_set(diag, ATT_ERR_MISMATCH, "tpm: quote "
				    "extraData (%u bytes) is not the expected "
				    "nonce (%zu bytes)", att->extra_len,
				    nonce_len);
	return 0;
}

uint32_t att_tpm_selection_mask(const struct att_tpm_pcr_select *sel)
{
	uint32_t m = 0;
	for (uint32_t i = 0; i < sel->size && i < 4; i++)
		m |= (uint32_t)sel->select[i] << (8 * i);
	return m;
}

int att_tpm_quote_check_mask(const struct att_tpm_attest *att, uint16_t bank,
			     uint32_t required, struct att_diag *diag)
{
	uint32_t best_missing = required;
	for (uint32_t i = 0; i < att->pcr_select.count; i++) {
		const struct att_tpm_pcr_select *s = &att->pcr_select.sel[i];
		uint32_t missing;
		if (bank && s->hash != bank)
			continue;
		missing = required & ~att_tpm_selection_mask(s);
		if (!missing)
			return 0;
		if (__builtin_popcount(missing) <
		    __builtin_popcount(best_missing))
			best_missing = missing;
	}
	return att_diag_set(diag, ATT_ERR_MISMATCH, "tpm: the quote's PCR "
			    "selection%s%s does not cover the required PCRs "
			    "(missing mask 0x%06x)", bank ? " of " : "",
			    bank ? att_tpm_alg_name(bank) : "", best_missing);
}

/* feed hashes the selected values of one selection into h. */
static int feed(struct att_tpm_hash_ctx *h, const struct att_tpm_pcr_select *s,
		const struct att_tpm_pcrs *pcrs, struct att_diag *diag)
{
	const struct att_tpm_pcr_bank *b = att_tpm_pcrs_bank_const(pcrs, s->hash);
	uint32_t m = att_tpm_selection_mask(s);
	if (m >> ATT_TPM_NUM_PCRS)
		return att_diag_set(diag, ATT_ERR_UNSUPPORTED, "tpm: the quote "
				    "selects PCRs above 23");
	for (uint32_t p = 0; p < ATT_TPM_NUM_PCRS; p++) {
		if (!(m & (1u << p)))
			continue;
		if (!b || !(b->mask & (1u << p)))
			return att_diag_set(diag, ATT_ERR_MISMATCH, "tpm: PCR %u "
					    "(%s) is quoted but no value was "
					    "supplied", p,
					    att_tpm_alg_name(s->hash));
		if (att_tpm_hash_update(h, b->value[p], b->size) != 0)
			return att_diag_set(diag, ATT_ERR_CRYPTO,
					    "tpm: hashing failed");
	}
	return 0;
}

int att_tpm_quote_pcr_digest(const struct att_tpm_attest *att, uint16_t hash,
			     const struct att_tpm_pcrs *pcrs, uint8_t *out,
			     size_t out_len, struct att_diag *diag)
{
	struct att_tpm_hash_ctx *h = att_tpm_hash_ctx_new(hash);
	int r = 0;
	if (!h)
		return att_diag_set(diag, ATT_ERR_ALG, "tpm: cannot hash with "
				    "%s", att_tpm_alg_name(hash));
	for (uint32_t i = 0; i < att->pcr_select.count && !r; i++)
		r = feed(h, &att->pcr_select.sel[i], pcrs, diag);
	if (!r && att_tpm_hash_final(h, out, out_len) != 0)
		r = att_diag_set(diag, ATT_ERR_INVALID_ARG, "tpm: digest size");
	att_tpm_hash_ctx_free(h);
	return r;
}

/* exact_set rejects supplied values the quote does not select. */
static int exact_set(const struct att_tpm_attest *att,
		     const struct att_tpm_pcrs *pcrs, struct att_diag *diag)
{
	for (uint32_t b = 0; b < pcrs->num_banks; b++) {
		uint32_t sel = 0, extra;
		for (uint32_t i = 0; i < att->pcr_select.count; i++)
			if (att->pcr_select.sel[i].hash == pcrs->banks[b].alg)
				sel |= att_tpm_selection_mask(
					&att->pcr_select.sel[i]);
		extra = pcrs->banks[b].mask & ~sel;
		if (extra)
			return att_diag_set(diag, ATT_ERR_MISMATCH, "tpm: PCR %d "
					    "(%s) was supplied but is not in "
					    "the quote", __builtin_ctz(extra),
					    att_tpm_alg_name(pcrs->banks[b].alg));
	}
	return 0;
}

int att_tpm_quote_check_pcrs(const struct att_tpm_attest *att, uint16_t hash,
			     const struct att_tpm_pcrs *pcrs,
			     struct att_diag *diag)
{
	const struct att_tpm_hash_info *hi = att_tpm_hash_info(hash);
	uint8_t d[ATT_TPM_MAX_DIGEST_LEN];
	int r;
	if (!hi)
		return att_diag_set(diag, ATT_ERR_ALG, "tpm: signature hash "
				    "0x%04x unknown", hash);
	if ((r = exact_set(att, pcrs, diag)) != 0 ||
	    (r = att_tpm_quote_pcr_digest(att, hash, pcrs, d, hi->size,
					  diag)) != 0)
		return r;
	if (att->pcr_digest_len != hi->size ||
	    memcmp(att->pcr_digest, d, hi->size) != 0)
		return att_diag_set(diag, ATT_ERR_MISMATCH, "tpm: pcrDigest "
				    "does not match the supplied PCR values "
				    "(%s over the selection)", hi->name);
	return 0;
}

static int verify_parsed(const uint8_t *attest, size_t attest_len,
			 const struct att_tpm_attest *att,
			 const struct att_tpm_signature *sig,
			 const struct att_tpm_quote_opts *o,
			 struct att_diag *diag)
{
	int r;
	if ((r = att_tpm_quote_check_header(att, diag)) != 0 ||
	    (r = att_tpm_quote_verify_signature(attest, attest_len, sig, o->ak,
						o->ak_pub, diag)) != 0)
		return r;
	if (o->check_nonce &&
	    (r = att_tpm_quote_check_nonce(att, o->nonce, o->nonce_len,
					   diag)) != 0)
		return r;
	if (o->required_mask &&
	    (r = att_tpm_quote_check_mask(att, o->required_bank,
					  o->required_mask, diag)) != 0)
		return r;
	if (o->pcrs)
		return att_tpm_quote_check_pcrs(att, sig->hash, o->pcrs, diag);
	return 0;
}

int att_tpm_quote_verify(const uint8_t *attest, size_t attest_len,
			 const uint8_t *sig, size_t sig_len,
			 const struct att_tpm_quote_opts *o,
			 struct att_tpm_attest *att_out, struct att_diag *diag)
{
	struct att_tpm_attest *att = malloc(sizeof(*att));
	struct att_tpm_signature *s = malloc(sizeof(*s));
	int r = ATT_ERR_NOMEM;
	if (att_out)
		memset(att_out, 0, sizeof(*att_out));
	if (!att || !s)
		goto out;
	if (!o || !o->ak) {
		r = att_diag_set(diag, ATT_ERR_INVALID_ARG, "tpm: no AIK");
		goto out;
	}
	if ((r = att_tpm_attest_parse(att, attest, attest_len, diag)) != 0 ||
	    (r = att_tpm_signature_parse(s, sig, sig_len, diag)) != 0 ||
	    (r = verify_parsed(attest, attest_len, att, s, o, diag)) != 0)
		goto out;
	if (att_out)
		*att_out = *att;
out:
	free(att);
	free(s);
	return r;
}
