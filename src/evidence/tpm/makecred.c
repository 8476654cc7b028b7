/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MakeCredential, as the TPM reference implementation does it
 * (MakeCredential.c, Object_spt.c SecretToCredential /
 * ComputeProtectionKeyParms / ComputeOuterIntegrity, CryptUtil.c
 * CryptSecretEncrypt) and TPM 2.0 Library Part 1 specifies (§24
 * Credential Protection; KDFa and KDFe in §11.4):
 *   seed     RSA: random, RSA-OAEP(EK, label "IDENTITY\0");
 *            ECC: KDFe(nameAlg, Z, "IDENTITY", Qe.x, EK.x)
 *   symKey   = KDFa(nameAlg, seed, "STORAGE", Name, "", symBits)
 *   hmacKey  = KDFa(nameAlg, seed, "INTEGRITY", "", "", 8 * H)
 *   encIdentity   = AES-CFB(symKey, IV 0, TPM2B_DIGEST(credential))
 *   integrityHMAC = HMAC(hmacKey, encIdentity || Name)
 *   TPM2B_ID_OBJECT = TPM2B(TPM2B_DIGEST(integrityHMAC) || encIdentity)
 * The TPM2B framing is marshalled with libtss2-mu. Seeds and derived keys
 * are wiped before return.
 */
#include "evidence/tpm/makecred.h"

#include <string.h>

#include <tss2/tss2_mu.h>

#include "attest/err.h"
#include "crypto/aes_cfb.h"
#include "crypto/digest.h"
#include "crypto/ecdh.h"
#include "evidence/tpm/kdf.h"

/* TPM2B "IDENTITY" with its terminating NUL: 9 bytes (REF passes the
 * terminator; tpm2-tools uses length 9). */
static const uint8_t identity_label[9] = "IDENTITY";

static int check_name(const uint8_t *name, size_t name_len,
		      struct att_diag *diag)
{
	const struct att_tpm_hash_info *hi;
	if (!name || name_len < 2)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG, "tpm: empty Name");
	hi = att_tpm_hash_info((uint16_t)(name[0] << 8 | name[1]));
	if (!hi || name_len != 2 + hi->size)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG, "tpm: Name of "
				    "%zu bytes is not alg || digest", name_len);
	return 0;
}

/* encrypt_identity: encIdentity = AES-CFB(symKey, TPM2B_DIGEST(cred)). */
static int encrypt_identity(uint8_t *enc, size_t *enc_len, uint16_t name_alg,
			    uint16_t sym_bits, const uint8_t *seed,
			    size_t seed_len, const uint8_t *name, size_t name_len,
			    const uint8_t *cred, size_t cred_len)
{
	TPM2B_DIGEST plain;
	uint8_t buf[2 + sizeof(plain.buffer)], key[32];
	size_t n = 0;
	int r;
	memset(&plain, 0, sizeof(plain));
	plain.size = (UINT16)cred_len;
	memcpy(plain.buffer, cred, cred_len);
	if (Tss2_MU_TPM2B_DIGEST_Marshal(&plain, buf, sizeof(buf), &n) !=
	    TSS2_RC_SUCCESS) {
		r = ATT_ERR_INTERNAL;
		goto out;
	}
	if ((r = att_tpm_kdfa(name_alg, seed, seed_len, "STORAGE", name,
			      name_len, NULL, 0, sym_bits, key,
			      sym_bits / 8u)) != 0 ||
	    (r = att_aes_cfb(true, key, sym_bits / 8u, NULL, buf, n, enc)) != 0)
		goto out;
	*enc_len = n;
out:
	att_cleanse(key, sizeof(key));
	att_cleanse(buf, sizeof(buf));
	att_cleanse(&plain, sizeof(plain));
	return r;
}

/* outer_hmac: integrityHMAC = HMAC(hmacKey, encIdentity || Name). */
static int outer_hmac(uint8_t *mac, size_t mac_len, uint16_t name_alg,
		      const uint8_t *seed, size_t seed_len, const uint8_t *enc,
		      size_t enc_len, const uint8_t *name, size_t name_len)
{
	uint8_t key[ATT_TPM_MAX_DIGEST_LEN];
	int r = att_tpm_kdfa(name_alg, seed, seed_len, "INTEGRITY", NULL, 0,
			     NULL, 0, (uint32_t)(8 * mac_len), key, mac_len);
	if (!r)
		r = att_tpm_hmac(name_alg, mac, mac_len, key, mac_len, enc,
				 enc_len, name, name_len);
	att_cleanse(key, sizeof(key));
	return r;
}

static int marshal_id_object(uint8_t *out, size_t cap, size_t *len,
			     const uint8_t *mac, size_t mac_len,
			     const uint8_t *enc, size_t enc_len)
{
	TPM2B_DIGEST hm;
	TPM2B_ID_OBJECT id;
	size_t n = 0, off = 0;
	memset(&hm, 0, sizeof(hm));
	memset(&id, 0, sizeof(id));
	hm.size = (UINT16)mac_len;
	memcpy(hm.buffer, mac, mac_len);
	if (Tss2_MU_TPM2B_DIGEST_Marshal(&hm, id.credential,
					 sizeof(id.credential), &n) !=
		    TSS2_RC_SUCCESS ||
	    enc_len > sizeof(id.credential) - n)
		return ATT_ERR_INTERNAL;
	memcpy(id.credential + n, enc, enc_len);
	id.size = (UINT16)(n + enc_len);
	if (Tss2_MU_TPM2B_ID_OBJECT_Marshal(&id, out, cap, &off) !=
	    TSS2_RC_SUCCESS)
		return ATT_ERR_INTERNAL;
	*len = off;
	return 0;
}

int att_tpm_credential_wrap(uint8_t *id_object, size_t cap, size_t *len,
			    uint16_t name_alg, uint16_t sym_bits,
			    const uint8_t *seed, size_t seed_len,
			    const uint8_t *name, size_t name_len,
			    const uint8_t *credential, size_t credential_len,
			    struct att_diag *diag)
{
	const struct att_tpm_hash_info *hi = att_tpm_hash_info(name_alg);
	uint8_t enc[2 + ATT_TPM_MAX_DIGEST_LEN], mac[ATT_TPM_MAX_DIGEST_LEN];
	size_t enc_len = 0;
	int r;
	*len = 0;
	if (!hi || !seed || seed_len == 0 || sym_bits % 64 || sym_bits < 128 ||
	    sym_bits > 256)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG, "tpm: "
				    "MakeCredential parameters");
	if (!credential || credential_len == 0 || credential_len > hi->size)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG, "tpm: credential "
				    "of %zu bytes (1..%zu for %s)",
				    credential_len, hi->size, hi->name);
	if ((r = check_name(name, name_len, diag)) != 0)
		return r;
	if ((r = encrypt_identity(enc, &enc_len, name_alg, sym_bits, seed,
				  seed_len, name, name_len, credential,
				  credential_len)) != 0 ||
	    (r = outer_hmac(mac, hi->size, name_alg, seed, seed_len, enc,
			    enc_len, name, name_len)) != 0 ||
	    (r = marshal_id_object(id_object, cap, len, mac, hi->size, enc,
				   enc_len)) != 0)
		r = att_diag_set(diag, r, "tpm: MakeCredential: %s",
				 att_strerror(r));
	return r;
}

static int marshal_secret(uint8_t *out, size_t cap, size_t *len,
			  const uint8_t *p, size_t n)
{
	TPM2B_ENCRYPTED_SECRET s;
	size_t off = 0;
	memset(&s, 0, sizeof(s));
	if (n > sizeof(s.secret))
		return ATT_ERR_INTERNAL;
	s.size = (UINT16)n;
	memcpy(s.secret, p, n);
	if (Tss2_MU_TPM2B_ENCRYPTED_SECRET_Marshal(&s, out, cap, &off) !=
	    TSS2_RC_SUCCESS)
		return ATT_ERR_INTERNAL;
	*len = off;
	return 0;
}

/* seed_rsa draws (or takes) the seed and OAEP-encrypts it to the EK. */
static int seed_rsa(struct att_tpm_credential *out,
		    const struct att_tpm_public *ek, uint8_t *seed,
		    size_t seed_len, const uint8_t *fixed, size_t fixed_len)
{
	struct att_pkey *k = NULL;
	enum att_md md = ATT_MD_SHA256;
	uint8_t ct[ATT_TPM_MAX_RSA_BYTES];
	size_t ct_len = 0;
	int r;
	if (fixed && fixed_len != seed_len)
		return ATT_ERR_INVALID_ARG;
	if (fixed)
		memcpy(seed, fixed, seed_len);
	else if ((r = att_rand_bytes(seed, seed_len)) != 0)
		return r;
	if ((r = att_tpm_public_pkey(ek, &k, NULL)) != 0)
		return r;
	r = att_tpm_md_of(ek->name_alg, &md);
	if (!r)
		r = att_pkey_rsa_oaep_encrypt(k, md, identity_label,
					      sizeof(identity_label), seed,
					      seed_len, ct, sizeof(ct),
					      &ct_len);
	if (!r)
		r = marshal_secret(out->secret, sizeof(out->secret),
				   &out->secret_len, ct, ct_len);
	att_pkey_free(k);
	return r;
}

/* seed_ecc: one-pass ECDH; Qe is the encrypted secret. */
static int seed_ecc(struct att_tpm_credential *out,
		    const struct att_tpm_public *ek, uint8_t *seed,
		    size_t seed_len, const uint8_t *fixed, size_t fixed_len)
{
	struct att_ecdh e;
	TPMS_ECC_POINT pt;
	uint8_t buf[sizeof(TPMS_ECC_POINT) + 4];
	size_t n = 0;
	int r = att_ecdh_ephemeral(&e, att_tpm_curve_kind(ek->curve), ek->x,
				   ek->x_len, ek->y, ek->y_len, fixed, fixed_len);
	if (r)
		return r;
	/* PartyUInfo: the Qe.x bytes sent; PartyVInfo: the EK's x as is */
	r = att_tpm_kdfe(ek->name_alg, e.z, e.len, "IDENTITY", e.qx, e.len,
			 ek->x, ek->x_len, (uint32_t)(8 * seed_len), seed,
			 seed_len);
	memset(&pt, 0, sizeof(pt));
	pt.x.size = pt.y.size = (UINT16)e.len;
	memcpy(pt.x.buffer, e.qx, e.len);
	memcpy(pt.y.buffer, e.qy, e.len);
	if (!r && Tss2_MU_TPMS_ECC_POINT_Marshal(&pt, buf, sizeof(buf), &n) !=
		  TSS2_RC_SUCCESS)
		r = ATT_ERR_INTERNAL;
	if (!r)
		r = marshal_secret(out->secret, sizeof(out->secret),
				   &out->secret_len, buf, n);
	att_cleanse(&e, sizeof(e));
	return r;
}

int att_tpm_make_credential_kat(struct att_tpm_credential *out,
				const struct att_tpm_public *ek,
				const uint8_t *name, size_t name_len,
				const uint8_t *credential,
				size_t credential_len, const uint8_t *fixed,
				size_t fixed_len, struct att_diag *diag)
{
	const struct att_tpm_hash_info *hi;
	uint8_t seed[ATT_TPM_MAX_DIGEST_LEN];
	int r;
	memset(out, 0, sizeof(*out));
	if ((r = att_tpm_public_check_ek(ek, diag)) != 0 ||
	    (r = check_name(name, name_len, diag)) != 0)
		return r;
	hi = att_tpm_hash_info(ek->name_alg);
	if (ek->type == ATT_TPM_ALG_RSA)
		r = seed_rsa(out, ek, seed, hi->size, fixed, fixed_len);
	else
		r = seed_ecc(out, ek, seed, hi->size, fixed, fixed_len);
	if (r)
		r = att_diag_set(diag, r, "tpm: MakeCredential: cannot protect "
				 "the seed to the %s EK (%s)",
				 att_tpm_alg_name(ek->type), att_strerror(r));
	else
		r = att_tpm_credential_wrap(out->id_object,
					    sizeof(out->id_object),
					    &out->id_object_len, ek->name_alg,
					    ek->sym_bits, seed, hi->size, name,
					    name_len, credential,
					    credential_len, diag);
	att_cleanse(seed, sizeof(seed));
	if (r)
		memset(out, 0, sizeof(*out));
	return r;
}

int att_tpm_make_credential(struct att_tpm_credential *out,
			    const struct att_tpm_public *ek,
			    const uint8_t *name, size_t name_len,
			    const uint8_t *credential, size_t credential_len,
			    struct att_diag *diag)
{
	return att_tpm_make_credential_kat(out, ek, name, name_len, credential,
					   credential_len, NULL, 0, diag);
}
