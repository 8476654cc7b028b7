/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest azure-guest: attest this VM to POST /attest/AzureGuest with its
 * (v)TPM, as Microsoft's guest attestation client does, and print the
 * token the TPM decrypted (src/client/azguest_flow.h); --verify checks
 * it as a relying party.
 * attest tpmtool azure-provision | azure-hcl: make a TPM (swtpm) look
 * like an Azure VM's vTPM for tests: AIK, its certificate from a test
 * vTPM CA, a boot log in the PCRs, and an HCL report whose hardware
 * report comes from the SEV-SNP simulator (dev/test only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "attest/rp.h"
#include "base/buf.h"
#include "base/diag.h"
#include "client/azguest.h"
#include "client/azguest_flow.h"
#include "client/azguest_tpm.h"
#include "crypto/digest.h"
#include "sim/snp_sim.h"

int att_cmd_azure_guest(int argc, char **argv);
int att_cmd_tpmtool_azure_provision(int argc, char **argv);
int att_cmd_tpmtool_azure_hcl(int argc, char **argv);

static const char *const usage_guest =
    "usage: attest azure-guest --url BASE [--tcti T] [--isolation "
    "trusted-launch|sev-snp|tdx]\n"
    "           [--hcl-report F] [--vcek-chain PEM] [--log F | --no-log] "
    "[--client-payload JSON]\n"
    "           [--pcrs linux|windows] [--api-version V] [--ca FILE] "
    "[--verify] [--save-request F]\n";

static int verify_token(const char *base, struct att_http_opts *http,
			const char *token)
{
	char err[ATT_DIAG_LEN] = "", issuer[2048], *claims = NULL;
	size_t ul = strlen(base);
	while (ul && base[ul - 1] == '/')
		ul--;
	snprintf(issuer, sizeof(issuer), "%.*s", (int)ul, base);
	struct att_rp_opts ro = {.issuer = issuer, .http = http,
				 .skew_seconds = -1,
				 .min_refresh_seconds = -1};
	struct att_rp *rp = att_rp_new_opts(&ro);
	int r = rp ? att_rp_verify(rp, token, 0, &claims, err, sizeof(err))
		   : ATT_ERR_INVALID_ARG;
	if (r == 0) {
		json_t *j = json_loads(claims, 0, NULL);
		char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
		printf("%s\n", s ? s : claims);
		free(s);
		json_decref(j);
	} else {
		fprintf(stderr, "attest: the token does not verify: %s\n",
			rp ? err : "bad --url");
	}
	free(claims);
	att_rp_free(rp);
	return r ? 1 : 0;
}

static int iso_choice(const char *v, enum att_azg_iso_choice *c)
{
	if (!strcmp(v, "trusted-launch"))
		*c = ATT_AZG_ISO_TRUSTED_LAUNCH;
	else if (!strcmp(v, "sev-snp"))
		*c = ATT_AZG_ISO_SEV_SNP;
	else if (!strcmp(v, "tdx"))
		*c = ATT_AZG_ISO_TDX;
	else
		return ATT_ERR_INVALID_ARG;
	return 0;
}

/* guest_opt takes one option with a value; 0, or 2 for a usage error. */
static int guest_opt(struct att_azg_client_opts *o, const char *a,
		     const char *v)
{
	const char **s = !strcmp(a, "--url")		  ? &o->url
			 : !strcmp(a, "--tcti")		  ? &o->tcti
			 : !strcmp(a, "--hcl-report")	  ? &o->hcl_report
			 : !strcmp(a, "--vcek-chain")	  ? &o->vcek_chain
			 : !strcmp(a, "--log")		  ? &o->log_file
			 : !strcmp(a, "--client-payload") ? &o->client_payload
			 : !strcmp(a, "--api-version")	  ? &o->api_version
			 : !strcmp(a, "--save-request")	  ? &o->save_request
			 : !strcmp(a, "--ca")		  ? &o->http.ca_file
			 : !strcmp(a, "--bearer")	  ? &o->http.bearer
							  : NULL;
	if (s) {
		*s = v;
		return 0;
	}
	if (!strcmp(a, "--isolation"))
		return iso_choice(v, &o->isolation) ? 2 : 0;
	if (!strcmp(a, "--pcrs")) {
		o->pcr_mask = !strcmp(v, "windows") ? ATT_AZG_PCRS_WINDOWS
			      : !strcmp(v, "linux") ? ATT_AZG_PCRS_LINUX
						    : 0;
		return o->pcr_mask ? 0 : 2;
	}
	return 2;
}

int att_cmd_azure_guest(int argc, char **argv)
{
	struct att_azg_client_opts o;
	struct att_diag d;
	bool verify = false;
	char *jwt = NULL;
	memset(&o, 0, sizeof(o));
	att_diag_clear(&d);
	setenv("TSS2_LOG", "all+none", 0);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage_guest, stdout);
			return 0;
		}
		if (!strcmp(a, "--verify"))
			verify = true;
		else if (!strcmp(a, "--no-log"))
			o.no_log = true;
		else if (!strcmp(a, "--insecure"))
			o.http.insecure_skip_verify = true;
		else if (i + 1 == argc || guest_opt(&o, a, argv[i + 1])) {
			fprintf(stderr, "attest: %s: bad option or value\n%s",
				a, usage_guest);
			return 2;
		} else
			i++;
	}
	if (!o.url) {
		fputs(usage_guest, stderr);
		return 2;
	}
	int r = att_azg_client_attest(&o, &jwt, &d);
	if (r) {
		fprintf(stderr, "attest: azure-guest: %s\n",
			att_diag_msg(&d)[0] ? att_diag_msg(&d)
					    : att_strerror(r));
		return 1;
	}
	printf("%s\n", jwt);
	if (verify)
		r = verify_token(o.url, &o.http, jwt);
	free(jwt);
	return r;
}

static const char *const usage_prov =
    "usage: attest tpmtool azure-provision --tcti T [--ca DIR] "
    "[--hcl-report F] [--log F]\n"
    "  --ca DIR: a new AIK at 0x81000003 with a certificate from the "
    "test vTPM CA in DIR\n"
    "            (made on first use; DIR/vtpm-ca.pem is its root) in NV "
    "0x01C101D0\n"
    "  --hcl-report F: F into NV 0x01400001; --log F: F's digests "
    "extended into the PCRs\n";

int att_cmd_tpmtool_azure_provision(int argc, char **argv)
{
	struct att_azg_prov_opts o;
	struct att_diag d;
	memset(&o, 0, sizeof(o));
	att_diag_clear(&d);
	setenv("TSS2_LOG", "all+none", 0);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], **s = NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage_prov, stdout);
			return 0;
		}
		s = !strcmp(a, "--tcti")	 ? &o.tcti
		    : !strcmp(a, "--ca")	 ? &o.ca_dir
		    : !strcmp(a, "--hcl-report") ? &o.hcl_report
		    : !strcmp(a, "--log")	 ? &o.log_file
						 : NULL;
		if (!s || i + 1 == argc) {
			fprintf(stderr, "attest: %s: bad option\n%s", a,
				usage_prov);
			return 2;
		}
		*s = argv[++i];
	}
	if (!o.ca_dir && !o.hcl_report && !o.log_file) {
		fputs(usage_prov, stderr);
		return 2;
	}
	int r = att_azg_provision(&o, &d);
	if (r) {
		fprintf(stderr, "attest: azure-provision: %s\n",
			att_diag_msg(&d)[0] ? att_diag_msg(&d)
					    : att_strerror(r));
		return 1;
	}
	return 0;
}

static const char *const usage_hcl =
    "usage: attest tpmtool azure-hcl --tcti T --sim DIR -o FILE "
    "[--wrong-report-data]\n"
    "  an HCL report for this TPM's AIK: runtime data naming it "
    "(HCLAkPub) and an SEV-SNP\n"
    "  report of the simulator in DIR whose REPORT_DATA is SHA-256 of "
    "that runtime data (dev/test only)\n";

/* hcl_make builds the HCL report of the AIK at 0x81000003. */
static int hcl_make(const char *tcti, const char *sim, bool wrong,
		    struct att_buf *out, struct att_diag *d)
{
	struct att_azgtpm *t = NULL;
	struct att_snpsim_report_opts ro;
	uint8_t *pub = NULL, rep[ATT_SNP_REPORT_LEN];
	size_t pub_len = 0;
	char *rt = NULL;
	int r = att_azgtpm_open(&t, tcti, d);
	if (r == 0)
		r = att_azgtpm_aik_public(t, &pub, &pub_len, d);
	att_azgtpm_close(t);
	if (r == 0)
		r = att_azg_runtime_json(&rt, pub, pub_len, d);
	if (r == 0) {
		att_snpsim_report_opts_init(&ro);
		att_sha256(ro.report_data, rt, strlen(rt));
		if (wrong)
			ro.report_data[0] ^= 0xff;
		r = att_snpsim_report(sim, &ro, rep, d);
	}
	if (r == 0)
		r = att_hcl_build(out, ATT_HCL_TYPE_SNP, rep, sizeof(rep),
				  (const uint8_t *)rt, strlen(rt));
	free(pub);
	free(rt);
	return r;
}

int att_cmd_tpmtool_azure_hcl(int argc, char **argv)
{
	const char *tcti = NULL, *sim = NULL, *out = NULL;
	bool wrong = false;
	struct att_diag d;
	struct att_buf b;
	att_diag_clear(&d);
	setenv("TSS2_LOG", "all+none", 0);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], **s = NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage_hcl, stdout);
			return 0;
		}
		if (!strcmp(a, "--wrong-report-data")) {
			wrong = true;
			continue;
		}
		s = !strcmp(a, "--tcti")  ? &tcti
		    : !strcmp(a, "--sim") ? &sim
		    : !strcmp(a, "-o")	  ? &out
					  : NULL;
		if (!s || i + 1 == argc) {
			fprintf(stderr, "attest: %s: bad option\n%s", a,
				usage_hcl);
			return 2;
		}
		*s = argv[++i];
	}
	if (!sim || !out) {
		fputs(usage_hcl, stderr);
		return 2;
	}
	att_buf_init(&b, ATT_MAX_HCL_REPORT_LEN);
	int r = hcl_make(tcti, sim, wrong, &b, &d);
	FILE *f = r ? NULL : fopen(out, "wb");
	if (r == 0 && (!f || fwrite(b.data, 1, b.len, f) != b.len))
		r = att_diag_set(&d, ATT_ERR_IO, "cannot write %s", out);
	if (f && fclose(f) && r == 0)
		r = att_diag_set(&d, ATT_ERR_IO, "cannot write %s", out);
	att_buf_release(&b);
	if (r) {
		fprintf(stderr, "attest: azure-hcl: %s\n",
			att_diag_msg(&d)[0] ? att_diag_msg(&d)
					    : att_strerror(r));
		return 1;
	}
	return 0;
}
