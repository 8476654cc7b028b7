/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The service's own secureBootEnabled claim (att_tpm_secure_boot,
 * src/verify/tpm_claims.c) on the real event logs of the shared test
 * data: SecureBoot 01 and 00 logs, an absent variable, a log without a
 * PCR 7 separator (unknown), PCR 7 not verified against a quote
 * (unknown), and a relabelled PCR 7 event (unknown: EventType alone is
 * never trusted).
 */
#include <stdlib.h>
#include <string.h>

#include "evidence/tcg/eventlog.h"
#include "evidence/tcg/replay.h"
#include "harness/tap.h"
#include "server/api_tpm.h"

/* sb runs the check on a log whose PCRs are "quoted" as replayed;
 * relabel (when not 0) changes the type of the first PCR 7 event of
 * type EV_EFI_VARIABLE_DRIVER_CONFIG to relabel. mask_off drops PCRs
 * from the verified mask. */
static int sb(const char *name, uint32_t relabel, uint32_t mask_off)
{
	char path[4096];
	size_t len = 0;
	struct att_tcg_log log;
	struct att_tcg_replay *rp = calloc(1, sizeof(*rp));
	struct att_diag d = {0};
	uint32_t verified = 0;
	int out = -2;
	memset(&log, 0, sizeof(log));
	snprintf(path, sizeof(path), "%s/tpm/eventlogs/%s", att_testdata(),
		 name);
	unsigned char *buf = att_read_file(path, &len);
	if (!buf || !rp || att_tcg_log_parse(&log, buf, len, &d) ||
	    att_tcg_replay(rp, &log, &d))
		goto out;
	for (size_t i = 0; relabel && i < log.num_events; i++)
		if (log.events[i].pcr == 7 &&
		    log.events[i].type == ATT_EV_EFI_VARIABLE_DRIVER_CONFIG) {
			log.events[i].type = relabel;
			break;
		}
	struct att_tcg_check_result *res =
	    calloc(log.num_events + 1, sizeof(*res));
	if (!res)
		goto out;
	att_tcg_check_digests(res, &log, NULL, &d);
	if (att_tcg_replay_compare(rp, &log, res, &rp->pcrs, &verified, &d) ==
	    0)
		out = att_tpm_secure_boot(&log, res, verified & ~mask_off);
	free(res);
out:
	if (out == -2)
		printf("# %s: %s\n", name, att_diag_msg(&d));
	att_tcg_log_release(&log);
	free(rp);
	free(buf);
	return out;
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	static const char *const on[] = {
	    "cos-101-amd-sev.bin", "cos-85-amd-sev.bin",
	    "confidential-gke-debug-251000_eventlog.bin",
	    "goattestation_sb_cert_eventlog.bin"};
	static const char *const off[] = {
	    "ubuntu-2104-no-secure-boot.bin",
	    "goattestation_coreos_36_shielded_vm_no_secure_boot_eventlog.bin",
	    "ubuntu-1804-amd-sev.bin", "glinux-alex.bin",
	    "arch-linux-workstation.bin"};
	for (size_t i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		int v = sb(on[i], 0, 0);
		ATT_CHECK(v == ATT_TPM_SB_ON, "%s: %d", on[i], v);
	}
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		int v = sb(off[i], 0, 0);
		ATT_CHECK(v == ATT_TPM_SB_OFF, "%s: %d", off[i], v);
	}
	/* One SecureBoot event and no separator: not a boot to trust. */
	ATT_CHECK_EQ_INT(sb("tpm2tools_event-uefivar.bin", 0, 0), ATT_TPM_SB_UNKNOWN);
	/* PCR 7 not compared with a quote. */
	ATT_CHECK_EQ_INT(sb("cos-101-amd-sev.bin", 0, 1u << 7), ATT_TPM_SB_UNKNOWN);
	/* A PCR 7 variable event relabelled to a type PCR 7 does not hold,
	 * or to a type whose data is not checked. */
	ATT_CHECK_EQ_INT(sb("cos-101-amd-sev.bin", ATT_EV_UNUSED, 0), ATT_TPM_SB_UNKNOWN);
	ATT_CHECK_EQ_INT(sb("cos-101-amd-sev.bin", ATT_EV_POST_CODE, 0), ATT_TPM_SB_UNKNOWN);
	return att_test_done();
}
