/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Token signing keys in a PKCS #11 token (an HSM; SoftHSM2 in the tests).
 * attestd loads the module named by the URI's module-path with dlopen
 * (no OpenSSL engine, no p11-kit proxy), logs in as the user with the PIN
 * from a file (pin_file, or the URI's pin-source) or the URI's pin-value,
 * and signs with C_SignInit/C_Sign: CKM_SHA256_RSA_PKCS for RS256 and
 * CKM_ECDSA over a SHA-256 digest for ES256 (PKCS #11 ECDSA signatures
 * are already r||s, as JWS wants). The private key never leaves the
 * token: a key is handed out as a struct att_pkey holding the public key
 * and an external signer (crypto/pkey.h), so the JWS and certificate code
 * sign through it unchanged. Keys made here (att_p11_key_generate) are
 * CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE and not CKA_EXTRACTABLE.
 * PKCS #11 Base Specification v2.40 (OASIS) for every call used.
 */
#ifndef ATT_HSM_P11_H
#define ATT_HSM_P11_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "crypto/pkey.h"

struct att_p11;

/* att_p11_open loads the module of uri (an RFC 7512 URI, hsm/uri.h),
 * finds the one token matching its token attributes and logs in.
 * pin_file (may be NULL) overrides the URI's pin-value/pin-source.
 * Errors, each named in diag with the step: ATT_ERR_FORMAT (URI),
 * ATT_ERR_IO (module does not load, PIN file unreadable),
 * ATT_ERR_NOT_FOUND (no matching token), ATT_ERR_AUTH (wrong or locked
 * PIN), ATT_ERR_CRYPTO (another CKR_ from the module). */
int att_p11_open(struct att_p11 **out, const char *uri, const char *pin_file,
		 struct att_diag *diag);

/* att_p11_close drops a reference (keys hold their own); accepts NULL. */
void att_p11_close(struct att_p11 *p);

/* att_p11_key_load finds the private key labelled label (NULL: the URI's
 * object and id) and its public key (the CKO_PUBLIC_KEY with the same
 * CKA_ID or label) and returns it as an att_pkey signing through the
 * token. ATT_ERR_NOT_FOUND when absent, ATT_ERR_FORMAT when the label
 * matches more than one key, ATT_ERR_UNSUPPORTED for another key type
 * than RSA 2048..4096 or EC P-256/P-384. */
int att_p11_key_load(struct att_pkey **out, struct att_p11 *p,
		     const char *label, struct att_diag *diag);

/* att_p11_key_generate makes a new key pair in the token (C_GenerateKeyPair)
 * labelled label, with a random CKA_ID: kind ATT_KEY_RSA2048/3072/4096 or
 * ATT_KEY_EC_P256/P384. */
int att_p11_key_generate(struct att_pkey **out, struct att_p11 *p,
			 enum att_key_kind kind, const char *label,
			 struct att_diag *diag);

/* att_p11_key_count counts the private keys in the token whose label
 * begins with prefix ("" for all; at most 64 keys are looked at); with
 * protected_only, only token objects that are CKA_SENSITIVE and not
 * CKA_EXTRACTABLE. */
int att_p11_key_count(struct att_p11 *p, const char *prefix,
		      bool protected_only, size_t *n, struct att_diag *diag);

/* att_p11_token_label copies the token's label (trailing blanks cut). */
const char *att_p11_token_label(const struct att_p11 *p);

#endif
