/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DCAP trust anchors. The Intel SGX Root CA (public PKI data: CN "Intel SGX
 * Root CA", valid 2018-05-21 .. 2049-12-31, SHA-256 fingerprint 44A0196B
 * 2B99F889 B8E149E9 5B807A35 0E742496 4399E885 A7CBB8CC FAB674D3) is built
 * in; further roots (a simulator's, in development) can be added.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "crypto/digest.h"
#include "evidence/sgx/dcap_int.h"

static const char intel_sgx_root_ca_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIICjzCCAjSgAwIBAgIUImUM1lqdNInzg7SVUr9QGzknBqwwCgYIKoZIzj0EAwIw\n"
	"aDEaMBgGA1UEAwwRSW50ZWwgU0dYIFJvb3QgQ0ExGjAYBgNVBAoMEUludGVsIENv\n"
	"cnBvcmF0aW9uMRQwEgYDVQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExCzAJ\n"
	"BgNVBAYTAlVTMB4XDTE4MDUyMTEwNDUxMFoXDTQ5MTIzMTIzNTk1OVowaDEaMBgG\n"
	"A1UEAwwRSW50ZWwgU0dYIFJvb3QgQ0ExGjAYBgNVBAoMEUludGVsIENvcnBvcmF0\n"
	"aW9uMRQwEgYDVQQHDAtTYW50YSBDbGFyYTELMAkGA1UECAwCQ0ExCzAJBgNVBAYT\n"
	"AlVTMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEC6nEwMDIYZOj/iPWsCzaEKi7\n"
	"1OiOSLRFhWGjbnBVJfVnkY4u3IjkDYYL0MxO4mqsyYjlBalTVYxFP2sJBK5zlKOB\n"
	"uzCBuDAfBgNVHSMEGDAWgBQiZQzWWp00ifODtJVSv1AbOScGrDBSBgNVHR8ESzBJ\n"
	"MEegRaBDhkFodHRwczovL2NlcnRpZmljYXRlcy50cnVzdGVkc2VydmljZXMuaW50\n"
	"ZWwuY29tL0ludGVsU0dYUm9vdENBLmRlcjAdBgNVHQ4EFgQUImUM1lqdNInzg7SV\n"
	"Ur9QGzknBqwwDgYDVR0PAQH/BAQDAgEGMBIGA1UdEwEB/wQIMAYBAf8CAQEwCgYI\n"
	"KoZIzj0EAwIDSQAwRgIhAOW/5QkR+S9CiSDcNoowLuPRLsWGf/Yi7GSX94BgwTwg\n"
	"AiEA4J0lrHoMs+Xo5o/sX6O9QWxHRAvZUGOdRQ7cvqRXaqI=\n"
	"-----END CERTIFICATE-----\n";

int att_dcap_trust_new_empty(struct att_dcap_trust **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : ATT_ERR_NOMEM;
}

void att_dcap_trust_free(struct att_dcap_trust *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n_roots; i++)
		att_cert_free(t->roots[i]);
	free(t);
}

static int recompute_id(struct att_dcap_trust *t)
{
	uint8_t all[ATT_DCAP_MAX_ROOTS * 32];
	for (size_t i = 0; i < t->n_roots; i++)
		if (att_x509_sha256(t->roots[i], all + 32 * i))
			return ATT_ERR_CRYPTO;
	att_sha256(t->id, all, 32 * t->n_roots);
	return 0;
}

/* Takes ownership of x. Roots must be self-issued and self-signed. */
static int add_root(struct att_dcap_trust *t, struct att_cert *x,
		    struct att_diag *d)
{
	char cn[96];
	att_x509_subject_cn(x, cn, sizeof(cn));
	if (!att_x509_is_self_issued(x) || att_x509_check_signed_by(x, x)) {
		att_cert_free(x);
		return att_diag_set(d, ATT_ERR_CHAIN_INVALID, "trust anchor "
				    "\"%s\" is not a self-signed root", cn);
	}
	for (size_t i = 0; i < t->n_roots; i++)
		if (att_x509_equal(t->roots[i], x)) {
			att_cert_free(x);
			return 0;
		}
	if (t->n_roots == ATT_DCAP_MAX_ROOTS) {
		att_cert_free(x);
		return att_diag_set(d, ATT_ERR_LIMIT, "more than %d trust "
				    "anchors", ATT_DCAP_MAX_ROOTS);
	}
	t->roots[t->n_roots++] = x; /* transferred */
	return recompute_id(t);
}

int att_dcap_trust_add_root_pem(struct att_dcap_trust *t, const char *pem,
				size_t len, struct att_diag *d)
{
	struct att_pem_span spans[ATT_DCAP_MAX_ROOTS];
	int n = att_pem_split_certs(spans, ATT_DCAP_MAX_ROOTS, pem, len), rc;
	if (n <= 0)
		return att_diag_set(d, n < 0 ? n : ATT_ERR_FORMAT, "trust "
				    "anchor: no PEM certificate");
	for (int i = 0; i < n; i++) {
		struct att_cert *x;
		if ((rc = att_x509_from_pem(&x, spans[i].p, spans[i].len)) != 0)
			return att_diag_set(d, rc, "trust anchor: bad PEM "
					    "certificate #%d", i + 1);
		if ((rc = add_root(t, x, d)) != 0)
			return rc;
	}
	return 0;
}

int att_dcap_trust_add_root_der(struct att_dcap_trust *t, const uint8_t *der,
				size_t len, struct att_diag *d)
{
	struct att_cert *x;
	int rc = att_x509_from_der(&x, der, len);
	if (rc)
		return att_diag_set(d, rc, "trust anchor: bad DER certificate");
	return add_root(t, x, d);
}

int att_dcap_trust_new_intel(struct att_dcap_trust **out)
{
	struct att_dcap_trust *t = NULL;
	int rc = att_dcap_trust_new_empty(&t);
	if (rc == 0)
		rc = att_dcap_trust_add_root_pem(t, intel_sgx_root_ca_pem,
						 sizeof(intel_sgx_root_ca_pem) - 1,
						 NULL);
	if (rc) {
		att_dcap_trust_free(t);
		t = NULL;
	}
	*out = t;
	return rc;
}
