/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Providers whose token signing keys live in a PKCS #11 token (config
 * providers.NAME.signing = {"pkcs11": "pkcs11:...", "pin_file": "..."},
 * docs/configuration.md; src/hsm/p11.h). A process-wide table, set once
 * at start (attestd serve, attestd key rotate --config) from the config's
 * providers object: each named token is opened and logged in then, so a
 * missing token, module or wrong PIN is a start-up error naming the
 * provider and the problem.
 * Keys made for such a provider (keys.c: creation, rotation) are made in
 * the token (C_GenerateKeyPair, sensitive, not extractable) and their x5c
 * certificate is signed through it; the store keeps, in place of the
 * wrapped private key, the marker ATT_KEYS_HSM_MARKER followed by the
 * key's CKA_LABEL, and loading the key finds it in the token by that
 * label.
 */
#ifndef ATT_SERVER_KEYS_HSM_H
#define ATT_SERVER_KEYS_HSM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "crypto/pkey.h"

#define ATT_KEYS_HSM_MARKER "attestd-pkcs11-label:"

/* att_keys_hsm_configure opens the token of every provider of
 * config_providers with a "signing" member (replacing an earlier table).
 * Errors: ATT_ERR_FORMAT for a malformed "signing" member, else those of
 * att_p11_open, diag naming the provider. */
int att_keys_hsm_configure(json_t *config_providers, struct att_diag *d);

/* att_keys_hsm_clear closes every token (at exit). */
void att_keys_hsm_clear(void);

/* att_keys_hsm_enabled tells whether provider's keys live in a token. */
bool att_keys_hsm_enabled(const char *provider);

/* att_keys_hsm_is_marker tells whether a stored "wrapped" blob is the
 * marker of a token key (and not a key wrapped under the master key). */
bool att_keys_hsm_is_marker(const uint8_t *w, size_t len);

/* att_keys_hsm_generate makes a key of kind in provider's token, labelled
 * "attestd/<provider>/<kid-to-be unknown: created time and random>", and
 * returns it with *marker, the malloc'd marker string to store. */
int att_keys_hsm_generate(struct att_pkey **key, char **marker,
			  const char *provider, enum att_key_kind kind,
			  int64_t now, struct att_diag *d);

/* att_keys_hsm_load finds the key a marker names in provider's token. */
int att_keys_hsm_load(struct att_pkey **key, const char *provider,
		      const uint8_t *marker, size_t len, struct att_diag *d);

#endif
