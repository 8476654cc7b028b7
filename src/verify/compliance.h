/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x-ms-compliance-status (docs/claims.md, "x-ms-compliance-status";
 * docs/configuration.md, providers.NAME.compliance). Real MAA TdxVm,
 * SevSnpVm and azurevm tokens carry "azure-compliant-cvm": Azure's
 * statement that the VM meets Azure's confidential VM baseline. attestd
 * cannot make Azure's statement, so it never emits the claim by itself:
 * an operator declares, per provider and attestation type, a baseline
 * name and the floor that earns it, and the claim (the name) is emitted
 * only for evidence that meets that floor. No floor, no claim.
 *
 * A floor: the guest's debug mode is off (TD ATTRIBUTES.DEBUG, SEV-SNP
 * guest policy DEBUG), and
 *   TDX: the converged TCB status is at least min_tcb_status (order
 *     UpToDate, SWHardeningNeeded, ConfigurationNeeded,
 *     ConfigurationAndSWHardeningNeeded, OutOfDate,
 *     OutOfDateConfigurationNeeded; TDRelaunchAdvised counts as
 *     OutOfDate, TDRelaunchAdvisedConfigurationNeeded as
 *     OutOfDateConfigurationNeeded) and/or the collateral's TCB
 *     evaluation data number is at least min_tcb_eval_num; MRTD one of
 *     measurements when any are given;
 *   SEV-SNP: every component of REPORTED_TCB at least min_tcb's (fmc
 *     when both have one); MEASUREMENT one of measurements when any are
 *     given.
 * AzureGuest uses the TDX or the SEV-SNP part by the VM's TEE:
 * att_compliance_tdx_claim / att_compliance_snp_claim with the
 * provider's AzureGuest floor (att_compliance_set.azureguest).
 */
#ifndef ATT_VERIFY_COMPLIANCE_H
#define ATT_VERIFY_COMPLIANCE_H

#include "base/limits.h"
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "evidence/sgx/verify.h"
#include "evidence/snp/snp.h"

#define ATT_COMPLIANCE_CLAIM "x-ms-compliance-status"
/* Why evidence did not earn a configured baseline (attestd's claim). */
#define ATT_COMPLIANCE_UNMET_CLAIM "x-attestd-compliance-unmet"

struct att_compliance {
	char name[ATT_COMPLIANCE_NAME_MAX + 1]; /* "": no floor, no claim */
	/* TDX */
	bool has_tdx;                        /* a TDX criterion is set */
	bool has_min_tcb_status;
	enum att_tcb_status min_tcb_status;
	uint32_t min_tcb_eval_num;           /* 0: none */
	/* SEV-SNP */
	bool has_min_tcb;
	struct att_snp_tcb min_tcb;          /* against REPORTED_TCB */
	/* Allowed MRTD (TDX) / MEASUREMENT (SEV-SNP) values; none: any. */
	size_t n_tdx_measurements, n_snp_measurements;
	uint8_t tdx_measurements[ATT_COMPLIANCE_MAX_MEASUREMENTS][48];
	uint8_t snp_measurements[ATT_COMPLIANCE_MAX_MEASUREMENTS][48];
};

/* A provider's floors by attestation type. */
struct att_compliance_set {
	struct att_compliance tdx;        /* TdxVm */
	struct att_compliance snp;        /* SevSnpVm */
	struct att_compliance azureguest; /* AzureGuest (TDX or SEV-SNP VM) */
};

/* att_compliance_parse reads providers.NAME.compliance (obj may be
 * NULL: no floor) into out: {"TdxVm": FLOOR, "SevSnpVm": FLOOR,
 * "AzureGuest": FLOOR}, FLOOR = {"baseline": NAME, "min_tcb_status",
 * "min_tcb_evaluation_data_number", "mrtd": [hex, ...] (TDX),
 * "min_tcb": "bl,tee,snp,ucode[,fmc]" or {...}, "measurements": [hex,
 * ...] (SEV-SNP)}. A floor needs a baseline name (1 to
 * ATT_COMPLIANCE_NAME_MAX of A-Z a-z 0-9 . _ -) and a TCB criterion of
 * its TEE; unknown members, members of the other TEE (TdxVm, SevSnpVm)
 * and bad values are refused naming the member. */
int att_compliance_parse(struct att_compliance_set *out, json_t *obj,
			 struct att_diag *d);

/* att_compliance_tdx_meets tells whether a verified TDX quote meets c's
 * floor; false (why: the first criterion missed) when c has no floor. */
bool att_compliance_tdx_meets(const struct att_compliance *c,
			      const struct att_dcap_result *r, char *why,
			      size_t why_len);
bool att_compliance_snp_meets(const struct att_compliance *c,
			      const struct att_snp_result *r, char *why,
			      size_t why_len);

/* att_compliance_tdx_claim / _snp_claim put into claims
 * x-ms-compliance-status = c->name when the evidence meets c's floor, and
 * x-attestd-compliance-unmet = the reason when c has a floor the evidence
 * misses; nothing when c is NULL or has no floor. 0 or ATT_ERR_NOMEM. */
int att_compliance_tdx_claim(json_t *claims, const struct att_compliance *c,
			     const struct att_dcap_result *r);
int att_compliance_snp_claim(json_t *claims, const struct att_compliance *c,
			     const struct att_snp_result *r);

#endif
