/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TPM's key derivation functions (TPM 2.0 Part 1 §11.4.10): KDFa, the
 * SP 800-108 counter-mode KDF with HMAC, and KDFe, the SP 800-56A
 * concatenation KDF. The hash is a TPM_ALG_ID (evidence/tpm/tpm_alg.h).
 */
#ifndef ATT_EVIDENCE_TPM_KDF_H
#define ATT_EVIDENCE_TPM_KDF_H

#include <stddef.h>
#include <stdint.h>

/* att_tpm_kdfa is KDFa: blocks HMAC(key, u32be(i) || label || 0x00 ||
 * ctx_u || ctx_v || u32be(bits)), i = 1, 2, ...; writes ceil(bits/8)
 * bytes to out, masking the unused high bits of out[0] when bits % 8 !=
 * 0. label is a C string without its NUL (the 0x00 is added here);
 * ctx_u/ctx_v may be NULL. ATT_ERR_ALG for an unknown hash,
 * ATT_ERR_INVALID_ARG when out_len is not ceil(bits/8) or bits is 0 or
 * above ATT_TPM_KDF_MAX_BITS (base/limits.h). */
int att_tpm_kdfa(uint16_t hash, const uint8_t *key, size_t key_len,
		 const char *label, const uint8_t *ctx_u, size_t ctx_u_len,
		 const uint8_t *ctx_v, size_t ctx_v_len, uint32_t bits,
		 uint8_t *out, size_t out_len);
/* att_tpm_kdfe is KDFe: blocks H(u32be(i) || z || use || 0x00 || party_u
 * || party_v); writes ceil(bits/8) bytes to out (errors as KDFa). */
int att_tpm_kdfe(uint16_t hash, const uint8_t *z, size_t z_len,
		 const char *use, const uint8_t *party_u, size_t party_u_len,
		 const uint8_t *party_v, size_t party_v_len, uint32_t bits,
		 uint8_t *out, size_t out_len);

#endif
