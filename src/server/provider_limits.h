/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-provider limits and hardening switches: the policy evaluation
 * budget and compile-time complexity limits, the request rate of the
 * anonymous attest routes, and isolated mode's strict policy binding.
 * Read from the config file's providers.NAME.limits object; every member
 * is optional and defaults to the constants of base/limits.h.
 * docs/configuration.md and docs/security.md list them.
 */
#ifndef ATT_SERVER_PROVIDER_LIMITS_H
#define ATT_SERVER_PROVIDER_LIMITS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/diag.h"
#include "evidence/snp/snp.h"

struct att_provider_limits {
	/* Policy evaluation: one budget per request for the whole policy. */
	uint64_t policy_eval_steps;  /* steps over every rule and JmesPath */
	uint64_t policy_eval_bytes;  /* bytes allocated while evaluating */
	uint32_t policy_eval_ms;     /* wall-clock deadline */
	/* Policy compilation: size and complexity. */
	uint32_t policy_max_rules;    /* rules in all sections */
	uint32_t policy_max_jmespath; /* JmesPath calls */
	uint32_t policy_max_nesting;  /* nesting of expressions */
	/* Anonymous attest routes: token bucket per provider (0 = off). */
	double attest_rate_per_second;
	uint32_t attest_rate_burst;
	/* Isolated mode: signed policies must carry binding claims
	 * (attestation type, issuer, iat) and may not roll back. */
	bool policy_strict_binding;
	/* POST /attest/SevSnpVm appraisal: accept reports of guests whose
	 * policy allows debugging (default false), and the highest VMPL
	 * accepted (0..3, default 3). */
	bool snp_allow_debug;
	uint32_t snp_max_vmpl;
	/* Minimum TCBs (limits.snp_min_tcb against REPORTED_TCB,
	 * limits.snp_min_launch_tcb against LAUNCH_TCB and COMMITTED_TCB;
	 * "bl,tee,snp,ucode[,fmc]" or {"bl","tee","snp","ucode","fmc"}),
	 * and whether an AMD CRL must be applied (limits.snp_require_crl). */
	bool snp_has_min_tcb;
	struct att_snp_tcb snp_min_tcb;
	bool snp_has_min_launch_tcb;
	struct att_snp_tcb snp_min_launch_tcb;
	bool snp_require_crl;
	/* Minimum TCB baselines (limits.min_tcb_evaluation_data_number: one
	 * number for all three types, or {"SgxEnclave": N, "OpenEnclave":
	 * N, "TdxVm": N}): a quote evaluated with an older TCB evaluation
	 * data number is refused; 0: none. */
	uint32_t min_tcb_eval_sgx, min_tcb_eval_oe, min_tcb_eval_tdx;
};

/* att_provider_limits_snp fills ap, the SevSnpVm appraisal of
 * att_verify_snp, from l's snp_* members (product: from the report). */
void att_provider_limits_snp(struct att_snp_appraisal *ap,
			     const struct att_provider_limits *l);

/* att_provider_limits_defaults fills l with the defaults. */
void att_provider_limits_defaults(struct att_provider_limits *l);

/* att_provider_limits_parse reads obj (providers.NAME.limits, may be
 * NULL) over the defaults. Unknown members and out-of-range values are
 * refused, naming the member. */
int att_provider_limits_parse(struct att_provider_limits *l, json_t *obj,
			      struct att_diag *d);

#endif
