/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `attest azure-guest` and `attest tpmtool azure-provision`: the
 * AzureGuest client flow over the vTPM (client/azguest.h,
 * client/azguest_tpm.h) and the provisioning that makes a TPM (swtpm in
 * tests) look like an Azure VM's vTPM: an AIK at 0x81000003 whose
 * certificate, issued by a test "vTPM CA", sits in NV 0x01C101D0, an
 * optional HCL report in NV 0x01400001, and a boot log extended into the
 * PCRs so that it replays.
 */
#ifndef ATT_CLIENT_AZGUEST_FLOW_H
#define ATT_CLIENT_AZGUEST_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attest/client.h"
#include "base/diag.h"

/* Files of a vTPM CA directory. */
#define ATT_AZG_CA_CERT "vtpm-ca.pem"
#define ATT_AZG_CA_KEY "vtpm-ca.key"
/* The kernel's copy of the firmware event log. */
#define ATT_AZG_KERNEL_LOG "/sys/kernel/security/tpm0/binary_bios_measurements"

enum att_azg_iso_choice {
	ATT_AZG_ISO_AUTO = 0, /* SEV-SNP when an HCL report exists */
	ATT_AZG_ISO_TRUSTED_LAUNCH,
	ATT_AZG_ISO_SEV_SNP,
	ATT_AZG_ISO_TDX,
};

struct att_azg_client_opts {
	const char *url;  /* provider base URL */
	const char *tcti; /* NULL: device:/dev/tpmrm0 */
	struct att_http_opts http;
	enum att_azg_iso_choice isolation;
	const char *hcl_report; /* file; NULL: NV 0x01400001 */
	const char *vcek_chain; /* PEM file (SEV-SNP) */
	const char *log_file;	/* NULL: the kernel's log when readable */
	bool no_log;
	const char *client_payload; /* JSON object text of strings */
	const char *api_version;    /* NULL: ATT_AZG_API_VERSION */
	uint32_t pcr_mask;	    /* 0: ATT_AZG_PCRS_LINUX */
	const char *save_request;   /* write the request body here */
};

/* att_azg_client_attest runs the whole flow and returns the decrypted
 * JWT (malloc'd). */
int att_azg_client_attest(const struct att_azg_client_opts *o, char **jwt,
			  struct att_diag *d);

struct att_azg_prov_opts {
	const char *tcti;
	const char *ca_dir;	/* NULL: keep the AIK and its certificate */
	const char *hcl_report; /* file written to NV 0x01400001, or NULL */
	const char *log_file;	/* extended into the PCRs, or NULL */
};

/* att_azg_provision: with ca_dir, a vTPM CA in ca_dir (made on first
 * use: vtpm-ca.pem, vtpm-ca.key), a new AIK persisted at 0x81000003 and
 * its certificate in NV 0x01C101D0; then the HCL report and the log. */
int att_azg_provision(const struct att_azg_prov_opts *o, struct att_diag *d);

/* att_azg_runtime_json returns (malloc'd) the runtime data JSON an HCL
 * report of this vTPM carries: {"keys": [the AIK as JWK, kid
 * "HCLAkPub"], "vm-configuration": {...}, "user-data": hex} from the
 * AIK's TPM2B_PUBLIC. */
int att_azg_runtime_json(char **out, const uint8_t *aik_pub, size_t len,
			 struct att_diag *d);

#endif
