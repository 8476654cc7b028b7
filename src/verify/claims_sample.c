/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Representative incoming claims of each attestation type, for the trial
 * run of an uploaded policy within the provider's budget (the server's
 * policy_budget.c). SgxEnclave, OpenEnclave and TdxVm claims are made by
 * the very functions that make them from verified evidence (claims_sgx.c,
 * claims_tdx.c), over a verification result shaped like a real one:
 * runtime data carrying a JWK, two advisories, a TCB date. Tpm claims are
 * those of flow B (src/verify/tpm_claims.c): tpmVersion,
 * aikValidated, aikPubHash, the pcrs JSON of 24 PCRs and an events JSON
 * of a UEFI boot of SAMPLE_TPM_EVENTS events with decoded data
 * (docs/eventlog.md), secureBootEnabled.
 */
#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "evidence/sgx/collateral.h"
#include "evidence/sgx/verify.h"
#include "verify/attest.h"
#include "verify/snp.h"

/* Events in the sample log: a measured UEFI boot of Linux with a few
 * hundred IPL lines is about this long. */
#define SAMPLE_TPM_EVENTS 160

static const char hex64[] =
	"3d458cfe55cc03ea1f443f1562beec8df51c75e14a9fcf9a7234a13f198e7969";
static const char hex40[] = "9069ca78e7450a285173431b3e52c5c25299e473";

/* A 2048-bit RSA key's modulus length in base64url. */
#define SAMPLE_N_LEN 342

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 37);
}

/* runtime_jwk is the runtimeData an enclave typically sends: its key. */
static json_t *runtime_jwk(void)
{
	char n[SAMPLE_N_LEN + 1];
	for (size_t i = 0; i < SAMPLE_N_LEN; i++)
		n[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		       "0123456789-_"[(i * 7) % 64];
	n[SAMPLE_N_LEN] = 0;
	return json_pack("{s:[{s:s, s:s, s:s, s:s}]}", "keys", "kty", "RSA",
			 "kid", "enclave-key", "e", "AQAB", "n", n);
}

static void sample_result(struct att_dcap_result *res, bool tdx)
{
	memset(res, 0, sizeof(*res));
	res->tee = tdx ? ATT_DCAP_TEE_TDX : ATT_DCAP_TEE_SGX;
	res->version = tdx ? 4 : 3;
	fill(res->sgx.mrenclave, 32, 1);
	fill(res->sgx.mrsigner, 32, 2);
	fill(res->sgx.report_data, 64, 3);
	res->sgx.isvprodid = 1;
	res->sgx.isvsvn = 3;
	fill(res->tdx.mrtd, 48, 4);
	for (int i = 0; i < 4; i++)
		fill(res->tdx.rtmr[i], 48, (uint8_t)(5 + i));
	fill(res->tdx.mrseam, 48, 9);
	fill(res->tdx.tee_tcb_svn, 16, 10);
	fill(res->fmspc, 6, 11);
	res->tcb_status = ATT_TCB_SW_HARDENING_NEEDED;
	res->platform_tcb_status = ATT_TCB_SW_HARDENING_NEEDED;
	res->qe_tcb_status = ATT_TCB_UP_TO_DATE;
	res->tdx_module_status = tdx ? ATT_TCB_UP_TO_DATE : ATT_TCB_STATUS_NONE;
	res->tcb_date = 1731456000; /* 2024-11-13 */
	snprintf(res->advisory_ids[0], sizeof(res->advisory_ids[0]),
		 "INTEL-SA-00615");
	snprintf(res->advisory_ids[1], sizeof(res->advisory_ids[1]),
		 "INTEL-SA-00657");
	res->n_advisory_ids = 2;
	res->tcb_eval_num = 17;
	fill((uint8_t *)&res->hashes, sizeof(res->hashes), 12);
}

static int enclave_claims(struct att_claimset *in, enum att_attest_kind kind)
{
	struct att_attest_request rq;
	struct att_dcap_result res;
	memset(&rq, 0, sizeof(rq));
	rq.kind = kind;
	rq.runtime.present = true;
	rq.runtime.is_json = true;
	rq.runtime.json = runtime_jwk();
	sample_result(&res, kind == ATT_ATTEST_TDX);
	json_t *c = json_object();
	int r = c && rq.runtime.json ? 0 : ATT_ERR_NOMEM;
	if (!r)
		r = kind == ATT_ATTEST_TDX ? att_attest_claims_tdx(c, &rq, &res)
					   : att_attest_claims_sgx(c, &rq, &res);
	if (!r && json_object_set_new(c, "x-ms-policy-hash",
				      json_string("bROrN897ZfWmWY2V0FLUlu3uwk5"
						  "xatGnKYHn3zBbSlw")))
		r = ATT_ERR_NOMEM;
	if (!r)
		r = att_attest_claims_tcb(c, &res, 0);
	if (!r)
		r = att_attest_incoming(in, c, kind);
	json_decref(c);
	json_decref(rq.runtime.json);
	return r;
}

/* ---- Tpm -------------------------------------------------------------- */

static json_t *event(int seq, int pcr, const char *type, json_t *pd)
{
	return json_pack("{s:i, s:i, s:i, s:s, s:{s:s, s:s}, s:s, s:i, s:o}",
			 "EventSeq", seq, "PcrIndex", pcr, "EventType",
			 0x80000000 + seq % 16, "EventTypeString", type,
			 "Digests", "SHA1", hex40, "SHA256", hex64,
			 "DigestCheck", "verified", "EventSize", 32 + seq % 200,
			 "ProcessedData", pd ? pd : json_object());
}

static json_t *variable(const char *name, const char *data)
{
	return json_pack("{s:s, s:s, s:s}", "VariableGuid",
			 "8BE4DF61-93CA-11D2-AA0D-00E098032B8C", "UnicodeName",
			 name, "VariableData", data);
}

static json_t *image(int i)
{
	char path[160];
	snprintf(path, sizeof(path),
		 "PciRoot(0x0)/Pci(0x1d,0x0)/NVMe(0x1,00-00-00-00-00-00-00-"
		 "00)/HD(1,GPT,1a504613-19b5-4b44-a83d-d926d40daa1c,0x800,"
		 "0x100000)/\\EFI\\BOOT\\IMAGE%d.EFI",
		 i);
	return json_pack("{s:s, s:i, s:s, s:i, s:s}", "ImageLocationInMemory",
			 "0x7a2f5018", "ImageLengthInMemory", 1187024,
			 "ImageLinkTimeAddress", "0x0", "LengthOfDevicePath",
			 (int)strlen(path), "DevicePath", path);
}

static json_t *ipl(int i)
{
	char s[96];
	snprintf(s, sizeof(s), "grub_cmd: linux /vmlinuz-6.%d root=UUID="
			       "1a504613-19b5 ro quiet",
		 i);
	return json_pack("{s:s}", "String", s);
}

static json_t *tag(int i)
{
	return json_pack("{s:i, s:{s:b, s:[{s:i}]}}", "TaggedEventId", i,
			 "EVENT_TRUSTBOUNDARY", "EVENT_CODEINTEGRITY", 1,
			 "EVENT_BITLOCKER_UNLOCK", "Value", i % 2);
}

/* boot_event is event seq of the sample log: firmware blobs in PCR 0,
 * the Secure Boot variables in PCR 7, separators, boot applications in
 * PCR 4, then kernel command lines (PCR 8) and trust-boundary tags. */
static json_t *boot_event(int seq)
{
	static const char *vars[] = {"SecureBoot", "PK", "KEK", "db", "dbx"};
	if (seq == 0)
		return event(seq, 0, "EV_NO_ACTION",
			     json_pack("{s:s, s:i}", "Signature",
				       "Spec ID Event03", "NumberOfAlgorithms",
				       2));
	if (seq < 12)
		return event(seq, 0, "EV_EFI_PLATFORM_FIRMWARE_BLOB2",
			     json_pack("{s:s, s:s, s:i}", "BlobDescription",
				       "Fv(8c8ce578-8a3d-4f1c-9935-896185c32dd3)",
				       "BlobBase", "0xffc00000", "BlobLength",
				       65536 * seq));
	if (seq < 17)
		return event(seq, 7, "EV_EFI_VARIABLE_DRIVER_CONFIG",
			     variable(vars[seq - 12],
				      seq == 12 ? "AQ" : "oVnAvQ"));
	if (seq < 25)
		return event(seq, seq - 17, "EV_SEPARATOR",
			     json_pack("{s:s}", "Value", "00000000"));
	if (seq < 29)
		return event(seq, 4, "EV_EFI_BOOT_SERVICES_APPLICATION",
			     image(seq));
	if (seq % 3)
		return event(seq, 8, "EV_IPL", ipl(seq));
	return event(seq, 12 + seq % 3, "EV_EVENT_TAG", tag(seq));
}

static json_t *tpm_events(void)
{
	json_t *a = json_array();
	for (int i = 0; a && i < SAMPLE_TPM_EVENTS; i++)
		if (json_array_append_new(a, boot_event(i))) {
			json_decref(a);
			return NULL;
		}
	return a ? json_pack("{s:o}", "Events", a) : NULL;
}

static json_t *tpm_pcrs(void)
{
	json_t *a = json_array();
	for (int i = 0; a && i < 24; i++)
		if (json_array_append_new(
			a, json_pack("{s:i, s:{s:s}}", "Index", i, "Digests",
				     "SHA256", hex64))) {
			json_decref(a);
			return NULL;
		}
	return a ? json_pack("{s:o}", "PCRs", a) : NULL;
}

static int add(struct att_claimset *in, const char *type, json_t *v)
{
	int r = v ? att_claimset_add_json(in, type, v, NULL) : ATT_ERR_NOMEM;
	json_decref(v);
	return r;
}

static int tpm_claims(struct att_claimset *in)
{
	int r = add(in, "tpmVersion", json_integer(2));
	if (!r)
		r = add(in, "aikValidated", json_true());
	if (!r)
		r = add(in, "aikPubHash", json_string(hex64));
	if (!r)
		r = add(in, "pcrs", tpm_pcrs());
	if (!r)
		r = add(in, "events", tpm_events());
	if (!r)
		r = add(in, "secureBootEnabled", json_true());
	return r;
}

int att_attest_sample_incoming(struct att_claimset *in, const char *type)
{
	if (!strcmp(type, "SgxEnclave"))
		return enclave_claims(in, ATT_ATTEST_SGX);
	if (!strcmp(type, "OpenEnclave"))
		return enclave_claims(in, ATT_ATTEST_OE);
	if (!strcmp(type, "TdxVm"))
		return enclave_claims(in, ATT_ATTEST_TDX);
	if (!strcmp(type, "Tpm"))
		return tpm_claims(in);
	if (!strcmp(type, "SevSnpVm")) /* src/verify/snp_claims.c */
		return att_snp_sample_incoming(in);
	return ATT_ERR_NOT_FOUND;
}
