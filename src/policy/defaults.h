/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The default policy text of each attestation type (MAA docs "Examples
 * of an attestation policy", default policies):
 * SgxEnclave and OpenEnclave get MAA's current default (version 1.1, with
 * the azuredefault TCB identifier); Tpm has none (an attestation fails
 * until a policy is set), as on MAA.
 */
#ifndef ATT_POLICY_DEFAULTS_H
#define ATT_POLICY_DEFAULTS_H

#include <stdbool.h>

/* att_policy_default_text returns the default policy of an attestation
 * type ("SgxEnclave", "OpenEnclave", "TdxVm", "Tpm", ...; case as MAA
 * writes them), or NULL when the type has no default (Tpm) or is unknown. */
const char *att_policy_default_text(const char *attestation_type);

/* att_policy_type_known tells whether attestation_type is one we serve. */
bool att_policy_type_known(const char *attestation_type);

/* The 2021 SGX default (MAA docs "Examples of an attestation policy", its
 * 2021 revision), whose x-ms-policy-hash
 * MAA published; kept for the hash known-answer test. */
extern const char att_policy_default_sgx_2021[];

/* The SevSnpVm default (MAA's, whose x-ms-policy-hash real MAA SevSnpVm
 * tokens carry): "version= 1.0;authorizationrules{=> permit();};". */
extern const char att_policy_default_snp[];

#endif
