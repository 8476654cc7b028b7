/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The default policy text of each attestation type (MAA docs "Examples
 * of an attestation policy", default policies):
 * SgxEnclave and OpenEnclave get MAA's default byte for byte (the one-line
 * version 1.0 text whose x-ms-policy-hash real MAA SGX tokens carry),
 * SevSnpVm MAA's as well; TdxVm's MAA default is not known (ours permits);
 * Tpm has none (an attestation fails until a policy is set), as on MAA.
 */
#ifndef ATT_POLICY_DEFAULTS_H
#define ATT_POLICY_DEFAULTS_H

#include <stdbool.h>

/* att_policy_default_text returns the default policy of an attestation
 * type ("SgxEnclave", "OpenEnclave", "TdxVm", "Tpm", ...; case as MAA
 * writes them), or NULL when the type has no default (Tpm) or is unknown. */
const char *att_policy_default_text(const char *attestation_type);

/* att_policy_default_served_text returns the default text only when it
 * is MAA's own, byte for byte (SgxEnclave, OpenEnclave, SevSnpVm): what
 * GET /policies/{type} serves for a type without a stored policy. NULL
 * when MAA's default is not known (TdxVm, AzureGuest: attestd evaluates
 * its own stand-in, att_policy_default_text, but does not present it as
 * MAA's) or there is none (Tpm): GET then answers as MAA does for a type
 * without a policy, x-ms-policy "eyJhbGciOiJub25lIn0..". */
const char *att_policy_default_served_text(const char *attestation_type);

/* att_policy_type_known tells whether attestation_type is one we serve. */
bool att_policy_type_known(const char *attestation_type);

/* MAA's SgxEnclave (and OpenEnclave) default, whose x-ms-policy-hash
 * bROrN897ZfWmWY2V0FLUlu3uwk5xatGnKYHn3zBbSlw real MAA SGX tokens carry. */
extern const char att_policy_default_sgx_2021[];

/* The SevSnpVm default (MAA's, whose x-ms-policy-hash real MAA SevSnpVm
 * tokens carry): "version= 1.0;authorizationrules{=> permit();};". */
extern const char att_policy_default_snp[];

#endif
