/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest snp: AMD SEV-SNP reports.
 *   attest snp info REPORT      the decoded fields; never verifies
 *   attest snp verify REPORT    offline verification at --at with the VEK
 *                               and chain of files (--vek, --chain) or of
 *                               a directory (--collateral: vcek.der or
 *                               vlek.der, cert_chain.pem or
 *                               vlek_cert_chain.pem, crl.der), against
 *                               AMD's ARKs or a pinned --ark
 *   attest snp --url BASE       the MAA client: POST BASE/attest/SevSnpVm
 *                               with MAA's request ({"SnpReport",
 *                               "VcekCertChain"} document), the report
 *                               from a file or made now by the SEV-SNP
 *                               simulator with REPORT_DATA = SHA-256 of
 *                               the runtime data; prints the token and,
 *                               with --verify, checks it as a relying
 *                               party (attest/rp.h).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "attest/rp.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/limits.h"
#include "base/timeutil.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "collateral/kds.h"
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/x509.h"
#include "evidence/snp/snp.h"
#include "net/http.h"
#include "sim/snp_sim.h"

int att_cmd_snp(int argc, char **argv);
int att_cmd_snp_info(int argc, char **argv);
int att_cmd_snp_verify(int argc, char **argv);

static uint8_t *read_file(const char *path, size_t *len, size_t max)
{
	FILE *f = fopen(path, "rb");
	struct att_buf b;
	uint8_t chunk[16384];
	size_t k;
	if (!f)
		return NULL;
	att_buf_init(&b, max);
	int r = 0;
	while (!r && (k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		r = att_buf_add(&b, chunk, k);
	fclose(f);
	if (r) {
		att_buf_release(&b);
		return NULL;
	}
	uint8_t *p = att_buf_detach(&b, len);
	return p ? p : calloc(1, 1);
}

/* read_report reads a report file: the 1184 bytes, or base64 of them. */
static uint8_t *read_report(const char *path, size_t *len)
{
	uint8_t *raw = read_file(path, len, 4 * ATT_SNP_REPORT_LEN);
	uint8_t *out = NULL;
	size_t n = 0;
	if (!raw || *len == ATT_SNP_REPORT_LEN)
		return raw;
	while (*len && (raw[*len - 1] == '\n' || raw[*len - 1] == '\r'))
		(*len)--;
	if (att_b64_decode(&out, &n, (const char *)raw, *len) == 0 &&
	    n == ATT_SNP_REPORT_LEN) {
		free(raw);
		*len = n;
		return out;
	}
	free(out);
	return raw; /* the parser says what is wrong with it */
}

static void hex(char *out, size_t cap, const uint8_t *p, size_t n)
{
	att_hex_encode(out, cap, p, n, false);
}

static const char *signer_name(uint32_t signer_info)
{
	unsigned k = ATT_SNP_SIGNER_KEY(signer_info);
	return k == ATT_SNP_KEY_VCEK ? "VCEK" : k == ATT_SNP_KEY_VLEK ? "VLEK"
						: "none";
}

static enum att_snp_product guess_product(const struct att_snp_report *r)
{
	return r->has_cpuid ? att_snp_product_from_cpuid(r->cpuid_fam_id,
							  r->cpuid_mod_id)
			    : ATT_SNP_PRODUCT_UNKNOWN;
}

static void print_tcb(const char *name, uint64_t raw, enum att_snp_product p)
{
	struct att_snp_tcb t;
	att_snp_tcb_decode(&t, raw, p);
	printf("%-16s %016llx (bootloader %u, TEE %u, SNP %u, microcode %u",
	       name, (unsigned long long)raw, t.bl, t.tee, t.snp, t.ucode);
	if (t.has_fmc)
		printf(", FMC %u", t.fmc);
	printf(")\n");
}

static void print_report(const struct att_snp_report *r)
{
	char h[129];
	enum att_snp_product p = guess_product(r);
	printf("version          %u\n", r->version);
	printf("product (CPUID)  %s\n", r->has_cpuid ? att_snp_product_name(p)
						     : "- (report version < 3)");
	printf("guest SVN        %u\n", r->guest_svn);
	printf("policy           %016llx (ABI %u.%u%s%s%s%s)\n",
	       (unsigned long long)r->policy, ATT_SNP_POLICY_ABI_MAJOR(r->policy),
	       ATT_SNP_POLICY_ABI_MINOR(r->policy),
	       r->policy & ATT_SNP_POLICY_SMT ? ", SMT allowed" : "",
	       r->policy & ATT_SNP_POLICY_MIGRATE_MA ? ", migration agent" : "",
	       r->policy & ATT_SNP_POLICY_DEBUG ? ", DEBUG allowed" : "",
	       r->policy & ATT_SNP_POLICY_SINGLE_SOCKET ? ", single socket"
							 : "");
	printf("VMPL             %u\n", r->vmpl);
	printf("signer           %s (signer info %08x)\n",
	       signer_name(r->signer_info), r->signer_info);
	printf("platform info    %016llx\n", (unsigned long long)r->platform_info);
	hex(h, sizeof(h), r->measurement, 48);
	printf("measurement      %s\n", h);
	hex(h, sizeof(h), r->report_data, 64);
	printf("report data      %s\n", h);
	hex(h, sizeof(h), r->host_data, 32);
	printf("host data        %s\n", h);
	hex(h, sizeof(h), r->id_key_digest, 48);
	printf("ID key digest    %s\n", h);
	hex(h, sizeof(h), r->report_id, 32);
	printf("report ID        %s\n", h);
	hex(h, sizeof(h), r->chip_id, 64);
	printf("chip ID          %s\n", h);
	print_tcb("current TCB", r->current_tcb, p);
	print_tcb("reported TCB", r->reported_tcb, p);
	print_tcb("committed TCB", r->committed_tcb, p);
	print_tcb("launch TCB", r->launch_tcb, p);
	printf("firmware         %u.%u.%u (committed %u.%u.%u)\n",
	       r->current_major, r->current_minor, r->current_build,
	       r->committed_major, r->committed_minor, r->committed_build);
	printf("(not verified: use attest snp verify)\n");
}

int att_cmd_snp_info(int argc, char **argv)
{
	struct att_snp_report r;
	struct att_diag d = {0};
	size_t len = 0;
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: attest snp info REPORT\n");
		return 2;
	}
	uint8_t *p = read_report(argv[1], &len);
	if (!p) {
		fprintf(stderr, "attest: cannot read %s\n", argv[1]);
		return 1;
	}
	int rc = att_snp_report_parse(&r, p, len, &d);
	free(p);
	if (rc) {
		fprintf(stderr, "attest: %s: %s\n", argv[1], att_diag_msg(&d));
		return 1;
	}
	print_report(&r);
	return 0;
}

/* ---- attest snp verify ---- */

struct vopts {
	const char *report, *vek, *chain, *dir, *at, *ark, *crl;
	bool json, allow_debug;
};

struct vcerts {
	struct att_cert *vek;
	struct att_cert **chain;
	size_t n_chain;
	struct att_x509_crl *crl;
};

static void vcerts_release(struct vcerts *c)
{
	att_cert_free(c->vek);
	att_cert_chain_free(c->chain, c->n_chain);
	att_x509_crl_free(c->crl);
	memset(c, 0, sizeof(*c));
}

static int load_cert(struct att_cert **out, const char *path)
{
	size_t n = 0;
	uint8_t *p = read_file(path, &n, ATT_SNP_MAX_CERT_LEN);
	int r = !p ? ATT_ERR_IO
		: n > 10 && !memcmp(p, "-----", 5)
			? att_cert_from_pem(out, (const char *)p, n)
			: att_cert_from_der(out, p, n);
	free(p);
	return r;
}

static int load_chain(struct vcerts *c, const char *path)
{
	size_t n = 0;
	uint8_t *p = read_file(path, &n,
			       ATT_SNP_MAX_CHAIN_CERTS * ATT_SNP_MAX_CERT_LEN);
	int r = p ? att_cert_chain_from_pem(&c->chain, &c->n_chain,
					    (const char *)p, n)
		  : ATT_ERR_IO;
	free(p);
	return r;
}

static int load_crl(struct vcerts *c, const char *path, bool optional)
{
	size_t n = 0;
	uint8_t *p = read_file(path, &n, ATT_SNP_MAX_CRL_LEN);
	int r = p ? att_x509_crl_from_der(&c->crl, p, n)
		: optional ? 0
			   : ATT_ERR_IO;
	free(p);
	return r;
}

/* load_certs reads --vek/--chain/--crl, or the --collateral directory
 * (the VLEK files when the report is signed by the VLEK). */
static int load_certs(struct vcerts *c, const struct vopts *o, bool vlek)
{
	char a[4096], b[4096], crl[4096];
	if (!o->dir) {
		if (load_cert(&c->vek, o->vek))
			return fprintf(stderr, "attest: cannot read the VEK "
					       "%s\n",
				       o->vek),
			       1;
		if (load_chain(c, o->chain))
			return fprintf(stderr, "attest: cannot read the chain "
					       "%s\n",
				       o->chain),
			       1;
		return o->crl && load_crl(c, o->crl, false) ? 1 : 0;
	}
	snprintf(a, sizeof(a), "%s/%s", o->dir, vlek ? "vlek.der" : "vcek.der");
	snprintf(b, sizeof(b), "%s/%s", o->dir,
		 vlek ? "vlek_cert_chain.pem" : "cert_chain.pem");
	snprintf(crl, sizeof(crl), "%s/crl.der", o->dir);
	if (load_cert(&c->vek, a) || load_chain(c, b)) {
		fprintf(stderr, "attest: cannot read %s and %s\n", a, b);
		return 1;
	}
	if (load_crl(c, crl, true)) {
		fprintf(stderr, "attest: %s is not a DER CRL\n", crl);
		return 1;
	}
	return 0;
}

static int make_trust(struct att_snp_trust **t, const struct vopts *o,
		      const struct vcerts *c, const struct att_snp_report *r)
{
	struct att_kds_vek_info vi;
	struct att_diag d = {0};
	int rc = att_snp_trust_new_amd(t);
	if (rc || !o->ark)
		return rc;
	enum att_snp_product p = guess_product(r);
	if (p == ATT_SNP_PRODUCT_UNKNOWN && att_kds_vek_info(&vi, c->vek, &d) == 0)
		p = vi.product;
	size_t n = 0;
	uint8_t *pem = read_file(o->ark, &n, ATT_SNP_MAX_CERT_LEN);
	rc = pem ? att_snp_trust_add_ark(*t, p, pem, n, &d) : ATT_ERR_IO;
	free(pem);
	if (rc)
		fprintf(stderr, "attest: --ark %s: %s\n", o->ark,
			pem ? att_diag_msg(&d) : "cannot read");
	return rc;
}

static json_t *tcb_json(const struct att_snp_tcb *t)
{
	json_t *o = json_pack("{s:i, s:i, s:i, s:i}", "bootloader", t->bl,
			      "tee", t->tee, "snp", t->snp, "microcode",
			      t->ucode);
	if (o && t->has_fmc)
		json_object_set_new(o, "fmc", json_integer(t->fmc));
	return o;
}

static void print_result(const struct vopts *o, int rc,
			 const struct att_snp_result *res,
			 const struct att_diag *d)
{
	char m[97];
	if (!o->json) {
		if (rc)
			printf("NOT VERIFIED: %s\n", att_diag_msg(d));
		else
			printf("verified: %s report version %u signed by the "
			       "%s (product from %s)\n",
			       att_snp_product_name(res->product),
			       res->rep.version,
			       res->signer == ATT_SNP_KEY_VLEK ? "VLEK" : "VCEK",
			       res->product_source);
		return;
	}
	json_t *j = json_pack("{s:b}", "verified", rc == 0);
	json_object_set_new(j, "error", rc ? json_string(att_diag_msg(d))
					   : json_null());
	if (!rc) {
		hex(m, sizeof(m), res->rep.measurement, 48);
		json_object_set_new(j, "product", json_string(att_snp_product_name(
							  res->product)));
		json_object_set_new(j, "product_source",
				    json_string(res->product_source));
		json_object_set_new(j, "report_version",
				    json_integer(res->rep.version));
		json_object_set_new(j, "signer",
				    json_string(res->signer == ATT_SNP_KEY_VLEK
							? "VLEK"
							: "VCEK"));
		json_object_set_new(j, "reported_tcb", tcb_json(&res->reported));
		json_object_set_new(j, "current_tcb", tcb_json(&res->current));
		json_object_set_new(j, "committed_tcb",
				    tcb_json(&res->committed));
		json_object_set_new(j, "launch_tcb", tcb_json(&res->launch));
		json_object_set_new(j, "vmpl", json_integer(res->rep.vmpl));
		json_object_set_new(j, "debug",
				    json_boolean(res->rep.policy &
						 ATT_SNP_POLICY_DEBUG));
		json_object_set_new(j, "crl_checked",
				    json_boolean(res->crl_checked));
		json_object_set_new(j, "measurement", json_string(m));
	}
	char *s = json_dumps(j, JSON_INDENT(2));
	printf("%s\n", s ? s : "{}");
	free(s);
	json_decref(j);
}

static int parse_verify(struct vopts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **s = !strcmp(a, "--vek")	      ? &o->vek
				 : !strcmp(a, "--chain")      ? &o->chain
				 : !strcmp(a, "--collateral") ? &o->dir
				 : !strcmp(a, "--at")	      ? &o->at
				 : !strcmp(a, "--ark")	      ? &o->ark
				 : !strcmp(a, "--crl")	      ? &o->crl
							      : NULL;
		if (s && i + 1 < argc)
			*s = argv[++i];
		else if (!strcmp(a, "--json"))
			o->json = true;
		else if (!strcmp(a, "--allow-debug"))
			o->allow_debug = true;
		else if (a[0] != '-' && !o->report)
			o->report = a;
		else
			return 2;
	}
	bool files = o->vek && o->chain;
	if (!o->report || !o->at || files == (o->dir != NULL) ||
	    (!files && (o->vek || o->chain)))
		return 2;
	return 0;
}

int att_cmd_snp_verify(int argc, char **argv)
{
	struct vopts o = {0};
	struct vcerts c = {0};
	struct att_snp_trust *t = NULL;
	struct att_snp_report rep;
	struct att_snp_result res;
	struct att_diag d = {0};
	int64_t at = 0;
	size_t len = 0;
	if (parse_verify(&o, argc, argv) || att_time_parse(&at, o.at)) {
		fprintf(stderr,
			"usage: attest snp verify REPORT (--vek F --chain F "
			"[--crl F] | --collateral DIR)\n"
			"         --at RFC3339 [--ark ARK.pem] [--allow-debug] "
			"[--json]\n");
		return 2;
	}
	memset(&res, 0, sizeof(res));
	uint8_t *p = read_report(o.report, &len);
	int rc = p ? att_snp_report_parse(&rep, p, len, &d) : ATT_ERR_IO;
	if (rc == 0)
		rc = load_certs(&c, &o, ATT_SNP_SIGNER_KEY(rep.signer_info) ==
						ATT_SNP_KEY_VLEK)
			     ? ATT_ERR_IO
			     : 0;
	if (rc == 0)
		rc = make_trust(&t, &o, &c, &rep) ? ATT_ERR_IO : 0;
	if (rc == 0) {
		struct att_snp_certs sc = {
			.vek = c.vek, .chain = c.chain, .n_chain = c.n_chain,
			.crls = c.crl ? &c.crl : NULL, .n_crls = c.crl ? 1 : 0};
		struct att_snp_appraisal ap = {.allow_debug = o.allow_debug,
					       .max_vmpl = 3};
		rc = att_snp_verify(&res, p, len, &sc, t, &ap, at, &d);
	} else if (!p) {
		att_diag_set(&d, rc, "cannot read %s", o.report);
	}
	print_result(&o, rc, &res, &d);
	att_snp_trust_free(t);
	vcerts_release(&c);
	free(p);
	return rc ? 1 : 0;
}

/* ---- attest snp --url (the MAA client) ---- */

struct copts {
	const char *url, *report, *chain, *sim, *runtime, *nonce, *draft;
	const char *api_version, *out;
	bool runtime_binary, verify, request_only, debug;
	struct att_http_opts http;
};

static int parse_client(struct copts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **s =
			!strcmp(a, "--url")	       ? &o->url
			: !strcmp(a, "--report")       ? &o->report
			: !strcmp(a, "--vcek-chain")   ? &o->chain
			: !strcmp(a, "--sim")	       ? &o->sim
			: !strcmp(a, "--runtime-json") ? &o->runtime
			: !strcmp(a, "--runtime-data") ? &o->runtime
			: !strcmp(a, "--nonce")	       ? &o->nonce
			: !strcmp(a, "--draft-policy") ? &o->draft
			: !strcmp(a, "--api-version")  ? &o->api_version
			: !strcmp(a, "--ca")	       ? &o->http.ca_file
			: !strcmp(a, "-o")	       ? &o->out
						       : NULL;
		if (!strcmp(a, "--runtime-data"))
			o->runtime_binary = true;
		if (s && i + 1 < argc)
			*s = argv[++i];
		else if (!strcmp(a, "--verify"))
			o->verify = true;
		else if (!strcmp(a, "--request-only"))
			o->request_only = true;
		else if (!strcmp(a, "--insecure"))
			o->http.insecure_skip_verify = true;
		else if (!strcmp(a, "--debug"))
			o->debug = true;
		else
			return 2;
	}
	if ((!o->url && !o->request_only) || !o->report == !o->sim ||
	    (o->report && !o->chain))
		return 2;
	return 0;
}

/* sim_chain makes the PEM VCEK + ASK + ARK of the simulator DIR. */
static char *sim_chain(const char *dir)
{
	char a[4096], b[4096];
	struct att_cert *vcek = NULL;
	char *pem = NULL, *out = NULL;
	size_t n = 0;
	snprintf(a, sizeof(a), "%s/%s", dir, ATT_SNPSIM_F_VCEK);
	snprintf(b, sizeof(b), "%s/%s", dir, ATT_SNPSIM_F_CHAIN);
	uint8_t *chain = read_file(b, &n, ATT_SNP_MAX_CHAIN_CERTS *
						  ATT_SNP_MAX_CERT_LEN);
	if (chain && load_cert(&vcek, a) == 0 && att_cert_to_pem(&pem, vcek) == 0 &&
	    (out = malloc(strlen(pem) + n + 1)) != NULL) {
		memcpy(out, pem, strlen(pem));
		memcpy(out + strlen(pem), chain, n);
		out[strlen(pem) + n] = 0;
	}
	free(chain);
	free(pem);
	att_cert_free(vcek);
	return out;
}

static int sim_report(const struct copts *o, const uint8_t *rt, size_t rt_len,
		      uint8_t out[ATT_SNP_REPORT_LEN])
{
	struct att_snpsim_report_opts so;
	struct att_diag d = {0};
	att_snpsim_report_opts_init(&so);
	if (rt)
		att_sha256(so.report_data, rt, rt_len);
	if (o->debug)
		so.policy |= ATT_SNP_POLICY_DEBUG;
	if (att_snpsim_report(o->sim, &so, out, &d) == 0)
		return 0;
	fprintf(stderr, "attest: SEV-SNP simulator: %s\n", att_diag_msg(&d));
	return 1;
}

/* report_doc makes MAA's "report": b64url of {"SnpReport",
 * "VcekCertChain"}. */
static char *report_doc(const uint8_t *rep, size_t len, const char *chain)
{
	char *r = att_b64url_encode(rep, len);
	char *c = att_b64url_encode((const uint8_t *)chain, strlen(chain));
	json_t *doc = r && c ? json_pack("{s:s, s:s}", "SnpReport", r,
					 "VcekCertChain", c)
			     : NULL;
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	char *out = text ? att_b64url_encode((const uint8_t *)text,
					     strlen(text))
			 : NULL;
	free(text);
	json_decref(doc);
	free(r);
	free(c);
	return out;
}

static json_t *build_request(const struct copts *o, const char *doc,
			     const uint8_t *rt, size_t rt_len,
			     const char *draft, size_t draft_len)
{
	json_t *req = json_pack("{s:s}", "report", doc);
	char *b = rt ? att_b64url_encode(rt, rt_len) : NULL;
	if (req && b)
		json_object_set_new(req, "runtimeData",
				    json_pack("{s:s, s:s}", "data", b,
					      "dataType",
					      o->runtime_binary ? "Binary"
								: "JSON"));
	if (req && draft)
		json_object_set_new(req, "draftPolicyForAttestation",
				    json_stringn(draft, draft_len));
	if (req && o->nonce)
		json_object_set_new(req, "nonce", json_string(o->nonce));
	free(b);
	return req;
}

static char *post(const struct copts *o, const char *body)
{
	struct att_buf resp;
	struct att_diag d = {0};
	char url[2048];
	long status = 0;
	char *token = NULL;
	size_t ul = strlen(o->url);
	while (ul && o->url[ul - 1] == '/')
		ul--;
	snprintf(url, sizeof(url), "%.*s/attest/SevSnpVm?api-version=%s",
		 (int)ul, o->url, o->api_version ? o->api_version : "2025-06-01");
	att_buf_init(&resp, 0);
	if (att_http_post(&resp, &status, url, &o->http, "application/json",
			  body, strlen(body), &d) != 0) {
		fprintf(stderr, "attest: %s\n", att_diag_msg(&d));
		att_buf_release(&resp);
		return NULL;
	}
	json_t *j = json_loadb((const char *)resp.data, resp.len, 0, NULL);
	const char *t = json_string_value(json_object_get(j, "token"));
	json_t *e = json_object_get(j, "error");
	if (status == 200 && t)
		token = strdup(t);
	else
		fprintf(stderr, "attest: HTTP %ld %s: %s\n", status,
			e ? json_string_value(json_object_get(e, "code")) : "?",
			e ? json_string_value(json_object_get(e, "message"))
			  : "unexpected body");
	json_decref(j);
	att_buf_release(&resp);
	return token;
}

static int verify_token(const struct copts *o, const char *token)
{
	char err[ATT_DIAG_LEN] = "", *claims = NULL, issuer[2048];
	size_t ul = strlen(o->url);
	while (ul && o->url[ul - 1] == '/')
		ul--;
	snprintf(issuer, sizeof(issuer), "%.*s", (int)ul, o->url);
	struct att_rp_opts ro = {.issuer = issuer, .http = &o->http,
				 .skew_seconds = -1, .min_refresh_seconds = -1};
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

static int output(const struct copts *o, const char *text)
{
	FILE *f = o->out ? fopen(o->out, "w") : stdout;
	if (!f || fprintf(f, "%s\n", text) < 0 ||
	    (o->out && fclose(f) != 0)) {
		fprintf(stderr, "attest: cannot write %s\n", o->out);
		return 1;
	}
	return 0;
}

/* evidence gets the report and its PEM chain from files or the
 * simulator. */
static int evidence(const struct copts *o, const uint8_t *rt, size_t rt_len,
		    uint8_t **rep, size_t *len, char **chain)
{
	size_t n = 0;
	if (o->sim) {
		*len = ATT_SNP_REPORT_LEN;
		if (!(*rep = malloc(ATT_SNP_REPORT_LEN)) ||
		    sim_report(o, rt, rt_len, *rep))
			return 1;
		*chain = sim_chain(o->sim);
	} else {
		*rep = read_report(o->report, len);
		*chain = (char *)read_file(o->chain, &n,
					   ATT_SNP_MAX_CHAIN_CERTS *
						   ATT_SNP_MAX_CERT_LEN);
	}
	if (*rep && *chain)
		return 0;
	fprintf(stderr, "attest: cannot read the report or its chain%s\n",
		o->sim ? " from the simulator directory" : "");
	return 1;
}

int att_cmd_snp(int argc, char **argv)
{
	struct copts o;
	memset(&o, 0, sizeof(o));
	if (parse_client(&o, argc, argv)) {
		fprintf(stderr,
			"usage: attest snp --url BASE (--report F --vcek-chain "
			"F | --sim DIR [--debug])\n"
			"         [--runtime-json F | --runtime-data F] [--nonce "
			"N] [--draft-policy F]\n"
			"         [--api-version V] [--ca F] [--insecure] "
			"[--verify] [-o F] [--request-only]\n"
			"       attest snp info REPORT\n"
			"       attest snp verify REPORT ... (attest snp verify "
			"-h)\n");
		return 2;
	}
	uint8_t *rt = NULL, *rep = NULL, *draft = NULL;
	size_t rt_len = 0, rep_len = 0, draft_len = 0;
	char *chain = NULL, *doc = NULL, *body = NULL, *token = NULL;
	json_t *req = NULL;
	int r = 0;
	const char *bad = NULL;
	if (o.runtime && !(rt = read_file(o.runtime, &rt_len, ATT_MAX_HTTP_BODY)))
		bad = o.runtime;
	if (!bad && o.draft &&
	    !(draft = read_file(o.draft, &draft_len, ATT_MAX_POLICY_LEN)))
		bad = o.draft;
	if (bad) {
		fprintf(stderr, "attest: cannot read %s\n", bad);
		r = 1;
	}
	if (!r)
		r = evidence(&o, rt, rt_len, &rep, &rep_len, &chain);
	if (!r && (!(doc = report_doc(rep, rep_len, chain)) ||
		   !(req = build_request(&o, doc, rt, rt_len, (char *)draft,
					 draft_len)) ||
		   !(body = json_dumps(req, JSON_COMPACT))))
		r = 1;
	if (!r && o.request_only)
		r = output(&o, body);
	else if (!r && !(token = post(&o, body)))
		r = 1;
	if (!r && token)
		r = output(&o, token);
	if (!r && token && o.verify)
		r = verify_token(&o, token);
	free(token);
	free(body);
	json_decref(req);
	free(doc);
	free(chain);
	free(rep);
	free(rt);
	free(draft);
	return r;
}
