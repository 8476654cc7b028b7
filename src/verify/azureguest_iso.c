/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The hardware links of an AzureGuest request (azureguest.h; docs/api.md
 * "AzureGuest: verification"): on an Azure confidential VM the HCL
 * (Hyper-V's paravisor) writes its runtime data, a JSON document whose
 * "keys" hold the vTPM's AK public key (kid "HCLAkPub"), and asks the CPU
 * for a report whose REPORT_DATA is SHA-256 of those exact bytes followed
 * by 32 zero bytes. With the hardware report verified (SEV-SNP: VCEK
 * chain to AMD's ARK; TDX: the TD quote by DCAP), REPORT_DATA bound to
 * the runtime data and HCLAkPub equal to AikPub, the chain runs from the
 * CPU to the vTPM that signed the quote and certified EncKeyPub.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "crypto/digest.h"
#include "verify/attest.h"
#include "verify/azureguest.h"

int att_azg_check_hcl_key(const uint8_t *runtime, size_t len,
			  const struct att_pkey *ak, json_t **runtime_json,
			  struct att_diag *d)
{
	struct att_diag jd = {0};
	json_t *rt = NULL, *k;
	struct att_pkey *hk = NULL;
	size_t i;
	int rc = att_attest_json_parse(&rt, runtime, len, &jd);
	if (rc || !json_is_object(rt)) {
		rc = att_diag_set(d, ATT_ERR_FORMAT,
				  "RunTimeData: not a JSON object%s%s",
				  rc ? ": " : "", rc ? att_diag_msg(&jd) : "");
		goto out;
	}
	rc = att_diag_set(d, ATT_ERR_NOT_FOUND,
			  "RunTimeData: no key of kid \"HCLAkPub\" in \"keys\"");
	json_array_foreach(json_object_get(rt, "keys"), i, k)
	{
		const char *kid = json_string_value(json_object_get(k, "kid"));
		if (!kid || strcmp(kid, "HCLAkPub"))
			continue;
		att_diag_clear(d);
		if (att_pkey_from_jwk(&hk, k) != 0) {
			rc = att_diag_set(d, ATT_ERR_FORMAT,
					  "RunTimeData: HCLAkPub is not a "
					  "public key JWK");
			goto out;
		}
		rc = ak && att_pkey_equal_public(hk, ak)
			     ? 0
			     : att_diag_set(d, ATT_ERR_MISMATCH,
					    "RunTimeData: HCLAkPub is not the "
					    "vTPM's AK (AikPub): the hardware "
					    "report does not vouch for this "
					    "vTPM");
		break;
	}
	if (!rc && runtime_json) {
		*runtime_json = rt;
		rt = NULL; /* transferred */
	}
out:
	att_pkey_free(hk);
	json_decref(rt);
	return rc;
}

int att_azg_check_report_data(const uint8_t report_data[64],
			      const uint8_t *runtime, size_t len,
			      struct att_diag *d)
{
	static const uint8_t zero[32];
	uint8_t h[32];
	char want[65], got[65];
	if (att_digest(ATT_MD_SHA256, h, runtime, len) != 0)
		return att_diag_set(d, ATT_ERR_CRYPTO, "SHA-256 failed");
	if (!memcmp(h, report_data, 32) && !memcmp(report_data + 32, zero, 32))
		return 0;
	att_hex_encode(want, sizeof(want), h, 32, false);
	att_hex_encode(got, sizeof(got), report_data, 32, false);
	return att_diag_set(d, ATT_ERR_MISMATCH,
			    "RunTimeData is not bound to the hardware report: "
			    "REPORT_DATA[0..32) %s, SHA-256(RunTimeData) %s%s",
			    got, want,
			    memcmp(report_data + 32, zero, 32)
				    ? ", REPORT_DATA[32..64) not zero"
				    : "");
}

json_t *att_azg_runtime_claims(json_t *runtime)
{
	json_t *o = json_object(), *keys = json_array(), *v, *k;
	const char *name;
	size_t i;
	if (!o || !keys)
		goto fail;
	json_object_foreach(runtime, name, v)
	{
		if (!strcmp(name, "user-data"))
			continue;
		if (strcmp(name, "keys")) {
			if (json_object_set(o, name, v))
				goto fail;
			continue;
		}
		json_array_foreach(v, i, k)
		{
			const char *kid =
				json_string_value(json_object_get(k, "kid"));
			if (kid && !strcmp(kid, "HCLAkPub") &&
			    json_array_append(keys, k))
				goto fail;
		}
	}
	if (json_object_set_new(o, "keys", keys))
		goto fail_o;
	return o;
fail:
	json_decref(keys);
fail_o:
	json_decref(o);
	return NULL;
}
