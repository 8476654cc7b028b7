/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a parsed TPM public area is for: its Name (Part 1 §16: nameAlg ||
 * H_nameAlg(TPMT_PUBLIC)), the OpenSSL key it describes, and the checks an
 * attestation service makes before trusting it as an AIK (docs/tpm-protocol.md
 * §2, Flow A) or encrypting a credential to it as an EK (Part 3 §12.6,
 * TPM2_MakeCredential's own checks in the reference implementation).
 */
#include "evidence/tpm/tpm.h"

#include <string.h>

#include "attest/err.h"

struct alg_name {
	uint16_t alg;
	const char *name;
};

static const struct alg_name alg_names[] = {
	{ATT_TPM_ALG_RSA, "rsa"},         {ATT_TPM_ALG_SHA1, "sha1"},
	{ATT_TPM_ALG_HMAC, "hmac"},       {ATT_TPM_ALG_AES, "aes"},
	{ATT_TPM_ALG_KEYEDHASH, "keyedhash"}, {ATT_TPM_ALG_SHA256, "sha256"},
	{ATT_TPM_ALG_SHA384, "sha384"},   {ATT_TPM_ALG_SHA512, "sha512"},
	{ATT_TPM_ALG_NULL, "null"},       {ATT_TPM_ALG_SM3_256, "sm3_256"},
	{ATT_TPM_ALG_RSASSA, "rsassa"},   {ATT_TPM_ALG_RSAES, "rsaes"},
	{ATT_TPM_ALG_RSAPSS, "rsapss"},   {ATT_TPM_ALG_OAEP, "oaep"},
	{ATT_TPM_ALG_ECDSA, "ecdsa"},     {ATT_TPM_ALG_ECDH, "ecdh"},
	{ATT_TPM_ALG_ECDAA, "ecdaa"},     {ATT_TPM_ALG_ECC, "ecc"},
	{ATT_TPM_ALG_SYMCIPHER, "symcipher"}, {ATT_TPM_ALG_SHA3_256, "sha3_256"},
	{ATT_TPM_ALG_SHA3_384, "sha3_384"}, {ATT_TPM_ALG_SHA3_512, "sha3_512"},
	{ATT_TPM_ALG_CFB, "cfb"},
};

const char *att_tpm_alg_name(uint16_t alg)
{
	for (size_t i = 0; i < sizeof(alg_names) / sizeof(alg_names[0]); i++)
		if (alg_names[i].alg == alg)
			return alg_names[i].name;
	return "unknown";
}

int att_tpm_public_name(const struct att_tpm_public *pub, uint8_t *name,
			size_t cap, size_t *name_len, struct att_diag *diag)
{
	const struct att_tpm_hash_info *hi = att_tpm_hash_info(pub->name_alg);
	int r;
	*name_len = 0;
	if (!hi)
		return att_diag_set(diag, ATT_ERR_ALG, "tpm: nameAlg %s (0x%04x) "
				    "is not a hash attestd computes",
				    att_tpm_alg_name(pub->name_alg), pub->name_alg);
	if (cap < 2 + hi->size || pub->tpmt_len == 0)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG,
				    "tpm: Name buffer too small");
	name[0] = (uint8_t)(pub->name_alg >> 8);
	name[1] = (uint8_t)pub->name_alg;
	r = att_tpm_hash(pub->name_alg, name + 2, hi->size, pub->tpmt,
			 pub->tpmt_len, NULL, 0);
	if (r)
		return att_diag_set(diag, r, "tpm: cannot hash the Name");
	*name_len = 2 + hi->size;
	return 0;
}

int att_tpm_public_pkey(const struct att_tpm_public *pub,
			struct att_pkey **out, struct att_diag *diag)
{
	int r;
	*out = NULL;
	if (pub->type == ATT_TPM_ALG_RSA) {
		if (pub->rsa_n_len * 8u != pub->rsa_bits)
			return att_diag_set(diag, ATT_ERR_FORMAT, "tpm: RSA "
					    "modulus of %u bytes for %u bits",
					    pub->rsa_n_len, pub->rsa_bits);
		r = att_pkey_from_rsa_public(out, pub->rsa_n, pub->rsa_n_len,
					     pub->rsa_exponent);
	} else {
		r = att_pkey_from_ec_public(out, att_tpm_curve_kind(pub->curve),
					    pub->x, pub->x_len, pub->y,
					    pub->y_len);
	}
	if (r)
		return att_diag_set(diag, r, "tpm: the %s public key is not "
				    "usable (%s)", att_tpm_alg_name(pub->type),
				    att_strerror(r));
	return 0;
}

static bool is_sign_scheme(uint16_t s)
{
	return s == ATT_TPM_ALG_RSASSA || s == ATT_TPM_ALG_RSAPSS ||
	       s == ATT_TPM_ALG_ECDSA;
}

/* rule_attrs checks the objectAttributes an AIK must have. */
static int rule_attrs(const struct att_tpm_public *ak, struct att_diag *diag)
{
	static const struct {
		uint32_t bit;
		bool set;
		const char *name;
	} rules[] = {
		{ATT_TPMA_FIXED_TPM, true, "fixedTPM"},
		{ATT_TPMA_FIXED_PARENT, true, "fixedParent"},
		{ATT_TPMA_SENSITIVE_DATA_ORIGIN, true, "sensitiveDataOrigin"},
		{ATT_TPMA_RESTRICTED, true, "restricted"},
		{ATT_TPMA_SIGN, true, "sign"},
		{ATT_TPMA_DECRYPT, false, "decrypt"},
	};
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (!!(ak->attributes & rules[i].bit) != rules[i].set)
			return att_diag_set(diag, ATT_ERR_FORMAT, "tpm: AIK "
					    "attribute %s must be %s "
					    "(objectAttributes 0x%08x)",
					    rules[i].name,
					    rules[i].set ? "set" : "clear",
					    ak->attributes);
	if (ak->attributes & ATT_TPMA_RESERVED)
		return att_diag_set(diag, ATT_ERR_FORMAT, "tpm: AIK has "
				    "reserved attribute bits 0x%08x",
				    ak->attributes & ATT_TPMA_RESERVED);
	return 0;
}

int att_tpm_public_check_ak(const struct att_tpm_public *ak,
			    struct att_diag *diag)
{
	int r;
	if ((r = rule_attrs(ak, diag)) != 0)
		return r;
	if (ak->name_alg != ATT_TPM_ALG_SHA256)
		return att_diag_set(diag, ATT_ERR_FORMAT, "tpm: AIK nameAlg is "
				    "%s, not sha256", att_tpm_alg_name(ak->name_alg));
	if (ak->sym_alg != ATT_TPM_ALG_NULL)
		return att_diag_set(diag, ATT_ERR_FORMAT, "tpm: AIK has a "
				    "symmetric algorithm (%s)",
				    att_tpm_alg_name(ak->sym_alg));
	if (!is_sign_scheme(ak->scheme) || !att_tpm_hash_info(ak->scheme_hash))
		return att_diag_set(diag, ATT_ERR_FORMAT, "tpm: AIK scheme %s "
				    "with hash %s is not a signing scheme",
				    att_tpm_alg_name(ak->scheme),
				    att_tpm_alg_name(ak->scheme_hash));
	if ((ak->scheme == ATT_TPM_ALG_ECDSA) != (ak->type == ATT_TPM_ALG_ECC))
		return att_diag_set(diag, ATT_ERR_FORMAT, "tpm: AIK scheme %s "
				    "does not fit a %s key",
				    att_tpm_alg_name(ak->scheme),
				    att_tpm_alg_name(ak->type));
	return 0;
}

int att_tpm_public_check_ek(const struct att_tpm_public *ek,
			    struct att_diag *diag)
{
	uint32_t need = ATT_TPMA_RESTRICTED | ATT_TPMA_DECRYPT;
	if ((ek->attributes & need) != need || (ek->attributes & ATT_TPMA_SIGN))
		return att_diag_set(diag, ATT_ERR_FORMAT, "tpm: EK must be "
				    "restricted and decrypt and not sign "
				    "(objectAttributes 0x%08x)", ek->attributes);
	if (!att_tpm_hash_info(ek->name_alg))
		return att_diag_set(diag, ATT_ERR_ALG, "tpm: EK nameAlg %s "
				    "(0x%04x) unsupported",
				    att_tpm_alg_name(ek->name_alg), ek->name_alg);
	if (ek->sym_alg != ATT_TPM_ALG_AES || ek->sym_mode != ATT_TPM_ALG_CFB ||
	    (ek->sym_bits != 128 && ek->sym_bits != 192 && ek->sym_bits != 256))
		return att_diag_set(diag, ATT_ERR_UNSUPPORTED, "tpm: EK "
				    "symmetric %s-%u-%s is not AES-CFB",
				    att_tpm_alg_name(ek->sym_alg), ek->sym_bits,
				    att_tpm_alg_name(ek->sym_mode));
	if (ek->type == ATT_TPM_ALG_RSA && ek->scheme != ATT_TPM_ALG_NULL &&
	    ek->scheme != ATT_TPM_ALG_OAEP)
		return att_diag_set(diag, ATT_ERR_FORMAT, "tpm: RSA EK scheme "
				    "%s", att_tpm_alg_name(ek->scheme));
	return 0;
}
