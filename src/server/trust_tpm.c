/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dev mode and TPM attestation out of the box (docs/tpm.md "Trying it
 * out"): the TPM simulator of DATA_DIR/tpmsim (`attest sim tpm start
 * DATA_DIR/tpmsim`), when present at an enrolment, is trusted as a TPM
 * manufacturer for every provider's EK certificates, by this process
 * only (never written to the store: a later start without --dev trusts
 * it no more); and the
 * default provider applies a dev default Tpm policy (permit, issuing
 * x-attestd-dev-default-policy) while it has none set (src/verify,
 * att_verifier_cfg.tpm_dev_policy; nothing is stored, so GET
 * /policies/Tpm still answers as MAA does when none is set).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attest/err.h"
#include "base/log.h"
#include "server/datadir.h"
#include "server/server.h"
#include "server/trust.h"
#include "sim/tpm_sim.h"

const char att_tpm_dev_policy_text[] =
	"version=1.0;\n"
	"// attestd DEV MODE default Tpm policy: permits every TPM whose EK\n"
	"// chains to a trusted manufacturer. Set a real one (PUT /policies/Tpm).\n"
	"authorizationrules { => permit(); };\n"
	"issuancerules {\n"
	"  => issue(type=\"x-attestd-dev-default-policy\", value=true);\n"
	"};\n";

static int dev_tpm_trust(struct att_attest_ctx *c, const char *data_dir,
			 struct att_diag *d)
{
	char dir[4096], root[4096], issuer[4096];
	struct stat st;
	if (att_datadir_path(dir, sizeof(dir), data_dir,
			     ATT_ATTEST_TPM_SIM_DIR) ||
	    att_datadir_path(root, sizeof(root), dir, ATT_TPMSIM_F_ROOT) ||
	    att_datadir_path(issuer, sizeof(issuer), dir, ATT_TPMSIM_F_ISSUER))
		return att_diag_set(d, ATT_ERR_LIMIT, "tpmsim path too long");
	if (!(c->tpm_dev_root_file = strdup(root)) ||
	    !(c->tpm_dev_inter_file = strdup(issuer)))
		return att_diag_set(d, ATT_ERR_NOMEM, "out of memory");
	if (stat(root, &st) == 0)
		att_logf(ATT_LOG_WARN,
			 "DEV MODE: trusting the TPM simulator's manufacturer "
			 "CA %s for EK certificates (dev mode only)",
			 root);
	else
		att_logf(ATT_LOG_INFO,
			 "DEV MODE: `attest sim tpm start %s` makes a TPM "
			 "simulator whose EK certificates dev mode trusts",
			 dir);
	return 0;
}

int att_attest_dev_tpm(struct att_attest_ctx *c, const char *data_dir,
		       int64_t now, struct att_diag *d)
{
	(void)now;
	int r = dev_tpm_trust(c, data_dir, d);
	if (r == 0)
		att_logf(ATT_LOG_WARN,
			 "DEV MODE: provider %s applies a permit-all dev "
			 "default Tpm policy (claim "
			 "x-attestd-dev-default-policy) while none is set",
			 ATT_DEFAULT_PROVIDER);
	return r;
}
