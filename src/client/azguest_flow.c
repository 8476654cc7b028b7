/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AzureGuest client flow and the vTPM provisioning for tests
 * (client/azguest_flow.h). The order follows Microsoft's guest
 * attestation clients: AIK certificate and public area, PCR quote, PCR
 * values, the EncKey bound to those PCRs, the boot log, OS and isolation
 * information; then the request, and the answer opened with the EncKey.
 */
#include "client/azguest_flow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/limits.h"
#include "client/azguest.h"
#include "client/azguest_tpm.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"
#include "evidence/tpm/tpm.h"
#include "net/http.h"

/* ---- files ---------------------------------------------------------- */

static int read_file(const char *path, size_t max, uint8_t **out, size_t *len,
		     struct att_diag *d)
{
	struct att_buf b;
	uint8_t chunk[8192];
	size_t n;
	int r = 0;
	*out = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return att_diag_set(d, ATT_ERR_IO, "cannot read %s: %s", path,
				    strerror(errno));
	att_buf_init(&b, max);
	while (r == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		r = att_buf_add(&b, chunk, n);
	if (r == 0 && ferror(f))
		r = ATT_ERR_IO;
	fclose(f);
	if (r)
		return att_diag_set(d, r, "cannot read %s (over %zu bytes?)",
				    path, max);
	*out = att_buf_detach(&b, len);
	return *out ? 0 : att_diag_set(d, ATT_ERR_FORMAT, "%s is empty", path);
}

static int write_file(const char *path, const void *data, size_t len,
		      mode_t mode, struct att_diag *d)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	const uint8_t *p = data;
	if (fd < 0)
		return att_diag_set(d, ATT_ERR_IO, "cannot write %s: %s", path,
				    strerror(errno));
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w <= 0) {
			close(fd);
			return att_diag_set(d, ATT_ERR_IO, "cannot write %s",
					    path);
		}
		p += w;
		len -= (size_t)w;
	}
	return close(fd) ? att_diag_set(d, ATT_ERR_IO, "cannot write %s", path)
			 : 0;
}

static int path_in(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);
	return n < 0 || (size_t)n >= cap ? ATT_ERR_LIMIT : 0;
}

/* ---- the vTPM CA ---------------------------------------------------- */

#define CA_DAYS 3650
#define AIK_DAYS 365

static int ca_create(const char *dir, struct att_diag *d)
{
	static const struct att_cert_name_attr cn[] = {
	    {"CN", "attestd test Virtual TPM CA"}};
	struct att_pkey *k = NULL;
	struct att_cert *c = NULL;
	char *key_pem = NULL, *cert_pem = NULL, p[1024];
	int64_t now = (int64_t)time(NULL);
	struct att_cert_spec s = {
	    .subject = cn, .n_subject = 1, .not_before = now - 3600,
	    .not_after = now + 86400LL * CA_DAYS, .basic_constraints = true,
	    .ca = true, .pathlen = -1,
	    .key_usage = ATT_KU_KEY_CERT_SIGN | ATT_KU_CRL_SIGN,
	    .ski = ATT_SKI_KEY_SHA1};
	int r = att_pkey_generate(&k, ATT_KEY_RSA2048);
	if (r == 0) {
		s.signing_key = s.subject_key = k;
		r = att_cert_build(&c, &s);
	}
	if (r == 0 && !(r = att_pkey_to_pem(&key_pem, k, true)))
		r = att_cert_to_pem(&cert_pem, c);
	if (r)
		r = att_diag_set(d, r, "cannot make the vTPM CA");
	if (r == 0 && !(r = path_in(p, sizeof(p), dir, ATT_AZG_CA_KEY)))
		r = write_file(p, key_pem, strlen(key_pem), 0600, d);
	if (r == 0 && !(r = path_in(p, sizeof(p), dir, ATT_AZG_CA_CERT)))
		r = write_file(p, cert_pem, strlen(cert_pem), 0644, d);
	if (key_pem)
		att_cleanse(key_pem, strlen(key_pem));
	free(key_pem);
	free(cert_pem);
	att_pkey_free(k);
	att_cert_free(c);
	return r;
}

static int ca_load(const char *dir, struct att_cert **cert,
		   struct att_pkey **key, struct att_diag *d)
{
	char p[1024];
	uint8_t *kb = NULL, *cb = NULL;
	size_t kl = 0, cl = 0;
	int r;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return att_diag_set(d, ATT_ERR_IO, "cannot create %s: %s", dir,
				    strerror(errno));
	if ((r = path_in(p, sizeof(p), dir, ATT_AZG_CA_KEY)))
		return r;
	if (access(p, F_OK) != 0 && (r = ca_create(dir, d)))
		return r;
	if ((r = read_file(p, ATT_PKEY_MAX_PEM_LEN, &kb, &kl, d)) == 0 &&
	    (r = path_in(p, sizeof(p), dir, ATT_AZG_CA_CERT)) == 0 &&
	    (r = read_file(p, ATT_PKEY_MAX_PEM_LEN, &cb, &cl, d)) == 0 &&
	    ((r = att_pkey_from_pem(key, (const char *)kb, kl)) ||
	     (r = att_cert_from_pem(cert, (const char *)cb, cl))))
		r = att_diag_set(d, r, "%s: not a vTPM CA directory", dir);
	if (kb)
		att_cleanse(kb, kl);
	free(kb);
	free(cb);
	return r;
}

/* aik_cert issues the AIK's certificate: keyUsage digitalSignature and
 * extendedKeyUsage tcg-kp-AIKCertificate (2.23.133.8.3), as Azure's vTPM
 * CA issues them. */
static int aik_cert(uint8_t **der, size_t *der_len, const char *ca_dir,
		    struct att_pkey *aik, struct att_diag *d)
{
	static const struct att_cert_name_attr cn[] = {
	    {"CN", "attestd-test.TrustedVM.attestd.invalid"}};
	static const uint8_t eku[] = {0x30, 0x07, 0x06, 0x05, 0x67,
				      0x81, 0x05, 0x08, 0x03};
	static const struct att_cert_raw_ext raw[] = {
	    {.oid = "2.5.29.37", .val = eku, .len = sizeof(eku)}};
	struct att_cert *ca = NULL, *c = NULL;
	struct att_pkey *cak = NULL;
	int64_t now = (int64_t)time(NULL);
	int r = ca_load(ca_dir, &ca, &cak, d);
	if (r == 0) {
		struct att_cert_spec s = {
		    .subject = cn, .n_subject = 1, .issuer = ca,
		    .signing_key = cak, .subject_key = aik,
		    .not_before = now - 3600,
		    .not_after = now + 86400LL * AIK_DAYS,
		    .key_usage = ATT_KU_DIGITAL_SIGNATURE,
		    .ski = ATT_SKI_KEY_SHA1, .aki = true, .raw = raw,
		    .n_raw = 1};
		if ((r = att_cert_build(&c, &s)) == 0)
			r = att_cert_to_der(der, der_len, c);
		if (r)
			r = att_diag_set(d, r, "cannot issue the AIK "
					 "certificate");
	}
	att_cert_free(ca);
	att_cert_free(c);
	att_pkey_free(cak);
	return r;
}

static int aik_pkey(struct att_pkey **k, const uint8_t *pub, size_t len,
		    struct att_diag *d)
{
	struct att_tpm_public *tp = calloc(1, sizeof(*tp));
	int r = tp ? att_tpm_public_parse(tp, pub, len, d) : ATT_ERR_NOMEM;
	if (r == 0 && tp->type != ATT_TPM_ALG_RSA)
		r = att_diag_set(d, ATT_ERR_UNSUPPORTED, "the AIK is not RSA");
	if (r == 0)
		r = att_tpm_public_pkey(tp, k, d);
	free(tp);
	return r;
}

int att_azg_provision(const struct att_azg_prov_opts *o, struct att_diag *d)
{
	struct att_azgtpm *t = NULL;
	struct att_pkey *aik = NULL;
	uint8_t *pub = NULL, *der = NULL, *hcl = NULL, *log = NULL;
	size_t pub_len = 0, der_len = 0, hcl_len = 0, log_len = 0;
	int r = att_azgtpm_open(&t, o->tcti, d);
	if (r == 0 && o->ca_dir &&
	    (r = att_azgtpm_aik_create(t, d)) == 0 &&
	    (r = att_azgtpm_aik_public(t, &pub, &pub_len, d)) == 0 &&
	    (r = aik_pkey(&aik, pub, pub_len, d)) == 0 &&
	    (r = aik_cert(&der, &der_len, o->ca_dir, aik, d)) == 0)
		r = att_azgtpm_nv_write(t, ATT_AZG_AIK_CERT_NV, der, der_len, d);
	if (r == 0 && o->hcl_report &&
	    (r = read_file(o->hcl_report, ATT_MAX_HCL_REPORT_LEN, &hcl,
			   &hcl_len, d)) == 0)
		r = att_azgtpm_nv_write(t, ATT_AZG_HCL_NV, hcl, hcl_len, d);
	if (r == 0 && o->log_file &&
	    (r = read_file(o->log_file, ATT_MAX_EVENTLOG_LEN, &log, &log_len,
			   d)) == 0)
		r = att_azgtpm_extend_log(t, log, log_len, d);
	att_azgtpm_close(t);
	att_pkey_free(aik);
	free(pub);
	free(der);
	free(hcl);
	free(log);
	return r;
}

int att_azg_runtime_json(char **out, const uint8_t *aik_pub, size_t len,
			 struct att_diag *d)
{
	struct att_pkey *k = NULL;
	json_t *jwk = NULL, *rt = NULL;
	*out = NULL;
	int r = aik_pkey(&k, aik_pub, len, d);
	if (r == 0)
		r = att_pkey_to_jwk(&jwk, k);
	if (r == 0 &&
	    (json_object_set_new(jwk, "kid", json_string("HCLAkPub")) ||
	     json_object_set_new(jwk, "key_ops", json_pack("[s]", "sign")) ||
	     !(rt = json_pack("{s:[O], s:{s:b, s:b, s:b, s:s}, s:s}", "keys",
			      jwk, "vm-configuration", "console-enabled", 0,
			      "secure-boot", 1, "tpm-enabled", 1, "vmUniqueId",
			      "00000000-0000-0000-0000-000000000000",
			      "user-data",
			      "0000000000000000000000000000000000000000000000"
			      "000000000000000000")) ||
	     !(*out = json_dumps(rt, JSON_COMPACT))))
		r = ATT_ERR_NOMEM;
	att_pkey_free(k);
	json_decref(jwk);
	json_decref(rt);
	return r;
}

/* ---- the client flow ------------------------------------------------ */

struct flow {
	struct att_azgtpm *t;
	struct att_tpm_pcrs pcrs;
	uint8_t *aik_cert, *aik_pub, *quote, *sig, *enc, *cert_info, *cert_sig;
	size_t aik_cert_len, aik_pub_len, quote_len, sig_len, enc_len,
	    cert_info_len, cert_sig_len;
	uint8_t *log, *hcl, *vcek;
	size_t log_len, hcl_len, vcek_len;
	json_t *payload;
	char os_distro[128];
	unsigned os_major, os_minor;
};

static void flow_release(struct flow *f)
{
	att_azgtpm_close(f->t);
	free(f->aik_cert);
	free(f->aik_pub);
	free(f->quote);
	free(f->sig);
	free(f->enc);
	free(f->cert_info);
	free(f->cert_sig);
	free(f->log);
	free(f->hcl);
	free(f->vcek);
	json_decref(f->payload);
}

/* os_release reads NAME and VERSION_ID ("major[.minor]") of
 * /etc/os-release; missing values stay "Linux" and 0.0. */
static void os_release(struct flow *f)
{
	char line[512];
	FILE *fp = fopen("/etc/os-release", "r");
	snprintf(f->os_distro, sizeof(f->os_distro), "Linux");
	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		char *v = strchr(line, '='), *e;
		if (!v)
			continue;
		*v++ = '\0';
		if (*v == '"')
			v++;
		if ((e = strpbrk(v, "\"\n")))
			*e = '\0';
		if (!strcmp(line, "NAME") && *v)
			snprintf(f->os_distro, sizeof(f->os_distro), "%s", v);
		else if (!strcmp(line, "VERSION_ID")) {
			char *dot = NULL;
			f->os_major = (unsigned)strtoul(v, &dot, 10);
			if (dot && *dot == '.')
				f->os_minor = (unsigned)strtoul(dot + 1, NULL,
								10);
		}
	}
	fclose(fp);
}

static int tpm_evidence(struct flow *f, const struct att_azg_client_opts *o,
			uint32_t mask, struct att_diag *d)
{
	int r;
	if ((r = att_azgtpm_nv_read(f->t, ATT_AZG_AIK_CERT_NV,
				    ATT_MAX_CERT_LEN, &f->aik_cert,
				    &f->aik_cert_len, d)) ||
	    (r = att_azgtpm_aik_public(f->t, &f->aik_pub, &f->aik_pub_len, d)) ||
	    (r = att_azgtpm_quote(f->t, mask, &f->quote, &f->quote_len,
				  &f->sig, &f->sig_len, d)) ||
	    (r = att_azgtpm_pcr_read(f->t, mask, &f->pcrs, d)) ||
	    (r = att_azgtpm_enckey(f->t, mask, &f->enc, &f->enc_len,
				   &f->cert_info, &f->cert_info_len,
				   &f->cert_sig, &f->cert_sig_len, d)))
		return r;
	(void)o;
	return 0;
}

/* hcl_source reads the HCL report (file or NV); *found false when the
 * vTPM has none (a Trusted Launch VM). */
static int hcl_source(struct flow *f, const struct att_azg_client_opts *o,
		      bool *found, struct att_diag *d)
{
	*found = false;
	if (o->hcl_report) {
		int r = read_file(o->hcl_report, ATT_MAX_HCL_REPORT_LEN,
				  &f->hcl, &f->hcl_len, d);
		*found = r == 0;
		return r;
	}
	struct att_diag quiet;
	att_diag_clear(&quiet);
	int r = att_azgtpm_nv_read(f->t, ATT_AZG_HCL_NV, ATT_MAX_HCL_REPORT_LEN,
				   &f->hcl, &f->hcl_len, &quiet);
	if (r == ATT_ERR_NOT_FOUND)
		return 0;
	if (r)
		return att_diag_set(d, r, "%s", att_diag_msg(&quiet));
	*found = true;
	return 0;
}

static int isolation(struct flow *f, const struct att_azg_client_opts *o,
		     struct att_azg_evidence *e, struct att_diag *d)
{
	struct att_hcl_report h;
	bool found = false;
	int r;
	e->isolation = ATT_AZG_TRUSTED_LAUNCH;
	if (o->isolation == ATT_AZG_ISO_TRUSTED_LAUNCH)
		return 0;
	if ((r = hcl_source(f, o, &found, d)))
		return r;
	if (!found)
		return o->isolation == ATT_AZG_ISO_AUTO
			   ? 0
			   : att_diag_set(d, ATT_ERR_NOT_FOUND,
					  "no HCL report (NV "
					  "0x%08x) for a confidential VM",
					  ATT_AZG_HCL_NV);
	if ((r = att_hcl_parse(&h, f->hcl, f->hcl_len, d)))
		return r;
	if (h.report_type == ATT_HCL_TYPE_TDX ||
	    o->isolation == ATT_AZG_ISO_TDX)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "TDX isolation needs the TD "
				    "quote from the host (IMDS), which this "
				    "client does not fetch");
	if (!o->vcek_chain)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "SEV-SNP isolation needs "
				    "--vcek-chain FILE (the VCEK, ASK and ARK "
				    "as PEM)");
	if ((r = read_file(o->vcek_chain, ATT_PKEY_MAX_PEM_LEN, &f->vcek,
			   &f->vcek_len, d)))
		return r;
	e->isolation = ATT_AZG_SEV_SNP;
	e->hw_report = (struct att_azg_bytes){h.hw_report, h.hw_report_len};
	e->runtime_data =
	    (struct att_azg_bytes){h.runtime_data, h.runtime_data_len};
	e->vcek_chain = (struct att_azg_bytes){f->vcek, f->vcek_len};
	return 0;
}

static int gather(struct flow *f, const struct att_azg_client_opts *o,
		  struct att_azg_evidence *e, struct att_diag *d)
{
	uint32_t mask = o->pcr_mask ? o->pcr_mask : ATT_AZG_PCRS_LINUX;
	const char *log = o->log_file;
	int r;
	if (o->client_payload) {
		json_error_t je;
		f->payload = json_loads(o->client_payload, 0, &je);
		if (!json_is_object(f->payload))
			return att_diag_set(d, ATT_ERR_FORMAT,
					    "--client-payload is not a JSON "
					    "object");
	}
	if ((r = att_azgtpm_open(&f->t, o->tcti, d)) ||
	    (r = tpm_evidence(f, o, mask, d)))
		return r;
	if (!log && !o->no_log && access(ATT_AZG_KERNEL_LOG, R_OK) == 0)
		log = ATT_AZG_KERNEL_LOG;
	if (log && !o->no_log &&
	    (r = read_file(log, ATT_MAX_EVENTLOG_LEN, &f->log, &f->log_len, d)))
		return r;
	os_release(f);
	*e = (struct att_azg_evidence){
	    .os_type = "Linux", .os_distro = f->os_distro,
	    .os_build = "NotApplication", .os_major = f->os_major,
	    .os_minor = f->os_minor,
	    .tcg_log = {f->log, f->log_len}, .client_payload = f->payload,
	    .aik_cert = {f->aik_cert, f->aik_cert_len},
	    .aik_pub = {f->aik_pub, f->aik_pub_len},
	    .quote = {f->quote, f->quote_len}, .quote_sig = {f->sig, f->sig_len},
	    .pcrs = &f->pcrs, .pcr_mask = mask,
	    .enc_key_pub = {f->enc, f->enc_len},
	    .certify_info = {f->cert_info, f->cert_info_len},
	    .certify_sig = {f->cert_sig, f->cert_sig_len}};
	return isolation(f, o, e, d);
}

static int post(const struct att_azg_client_opts *o, const char *body,
		struct att_buf *resp, struct att_diag *d)
{
	char url[2048];
	long status = 0;
	size_t ul = strlen(o->url);
	while (ul && o->url[ul - 1] == '/')
		ul--;
	if (snprintf(url, sizeof(url), "%.*s/attest/AzureGuest?api-version=%s",
		     (int)ul, o->url,
		     o->api_version ? o->api_version : ATT_AZG_API_VERSION) >=
	    (int)sizeof(url))
		return att_diag_set(d, ATT_ERR_LIMIT, "URL too long");
	int r = att_http_post(resp, &status, url, &o->http, "application/json",
			      body, strlen(body), d);
	if (r == 0 && status != 200) {
		json_t *j = json_loadb((const char *)resp->data, resp->len, 0,
				       NULL);
		json_t *e = json_object_get(j, "error");
		const char *code = json_string_value(json_object_get(e, "code"));
		const char *msg =
		    json_string_value(json_object_get(e, "message"));
		r = att_diag_set(d, ATT_ERR_NETWORK, "HTTP %ld: %s: %s", status,
				 code ? code : "error",
				 msg ? msg : att_buf_cstr(resp));
		json_decref(j);
	}
	return r;
}

int att_azg_client_attest(const struct att_azg_client_opts *o, char **jwt,
			  struct att_diag *d)
{
	struct flow f;
	struct att_azg_evidence e;
	struct att_azg_sealed s;
	struct att_buf resp;
	char *body = NULL;
	memset(&f, 0, sizeof(f));
	memset(&s, 0, sizeof(s));
	att_buf_init(&resp, ATT_MAX_HTTP_BODY);
	*jwt = NULL;
	int r = gather(&f, o, &e, d);
	if (r == 0)
		r = att_azg_request_body(&body, &e, d);
	if (r == 0 && o->save_request)
		r = write_file(o->save_request, body, strlen(body), 0600, d);
	if (r == 0)
		r = post(o, body, &resp, d);
	if (r == 0)
		r = att_azg_sealed_parse(&s, resp.data, resp.len, d);
	if (r == 0)
		r = att_azg_open(jwt, &s, att_azgtpm_decrypt, f.t, d);
	att_azg_sealed_release(&s);
	att_buf_release(&resp);
	free(body);
	flow_release(&f);
	return r;
}
