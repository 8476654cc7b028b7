/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `attest quote verify` and `attest quote info`: Intel SGX / TDX DCAP
 * quotes checked against collateral at a given time (the verifier never
 * reads the clock; --at is required). The quote file may be binary, hex
 * or base64 (detected), optionally behind an Open Enclave report header
 * (detected). Exit 0 when the quote verified, whatever its TCB status;
 * 1 when verification failed; 2 on usage errors.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "evidence/sgx/verify.h"

int att_cmd_quote_verify(int argc, char **argv);
int att_cmd_quote_info(int argc, char **argv);

struct opts {
	const char *quote, *bundle, *tcb_info, *qe_identity, *tcb_chain;
	const char *pck_crl, *root_crl, *pck_crl_chain, *at;
	const char *root_ca[8];
	int n_root_ca;
	bool json, allow_expired;
};

static int usage(FILE *f)
{
	fprintf(f,
		"usage: attest quote verify QUOTE --at RFC3339 [--json]\n"
		"         (--collateral BUNDLE.json |\n"
		"          --tcb-info F --qe-identity F --tcb-chain F --pck-crl F"
		" --root-crl F\n"
		"          [--pck-crl-chain F])\n"
		"         [--root-ca PEM]... [--allow-expired-collateral]\n"
		"       attest quote info QUOTE\n"
		"  QUOTE: binary, hex or base64, optionally with an Open "
		"Enclave header.\n"
		"  --root-ca replaces the built-in Intel SGX Root CA (repeatable).\n"
		"  --allow-expired-collateral: QvE semantics, expiry is only "
		"reported.\n"
		"  Exit 0 when the quote verified (any TCB status but Revoked), "
		"1 otherwise.\n");
	return f == stdout ? 0 : 2;
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = NULL;
	size_t cap = 0, n = 0, k;
	if (!f)
		return NULL;
	do {
		if (n == cap) {
			uint8_t *nb = realloc(b, cap = cap ? 2 * cap : 16384);
			if (!nb || cap > 64u << 20) {
				free(nb ? nb : b);
				fclose(f);
				return NULL;
			}
			b = nb;
		}
		k = fread(b + n, 1, cap - n, f);
		n += k;
	} while (k > 0);
	fclose(f);
	*len = n;
	return b;
}

/* Binary quotes start with a small little-endian version (or the OE
 * header's 1); text is hex when every character is a hex digit, else
 * base64. */
static uint8_t *decode_quote(uint8_t *raw, size_t *len)
{
	size_t n = 0;
	bool hex = true;
	uint8_t *out = NULL;
	if (*len > 0 && raw[0] < 0x20)
		return raw;
	for (size_t i = 0; i < *len; i++) {
		if (raw[i] <= ' ')
			continue;
		raw[n++] = raw[i];
		hex &= strchr("0123456789abcdefABCDEF", raw[i]) != NULL;
	}
	int rc = hex ? att_hex_decode(&out, len, (char *)raw, n)
		     : att_b64_decode(&out, len, (char *)raw, n);
	free(raw);
	return rc ? NULL : out;
}

static uint8_t *load_quote(const char *path, size_t *len)
{
	uint8_t *raw = read_all(path, len);
	if (!raw) {
		fprintf(stderr, "attest: quote: cannot read %s\n", path);
		return NULL;
	}
	uint8_t *q = decode_quote(raw, len);
	if (!q)
		fprintf(stderr, "attest: quote: %s is neither binary, hex nor "
			"base64\n", path);
	return q;
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = !strcmp(a, "--collateral") ? &o->bundle
			: !strcmp(a, "--tcb-info") ? &o->tcb_info
			: !strcmp(a, "--qe-identity") ? &o->qe_identity
			: !strcmp(a, "--tcb-chain") ? &o->tcb_chain
			: !strcmp(a, "--pck-crl") ? &o->pck_crl
			: !strcmp(a, "--root-crl") ? &o->root_crl
			: !strcmp(a, "--pck-crl-chain") ? &o->pck_crl_chain
			: !strcmp(a, "--at") ? &o->at : NULL;
		if (!strcmp(a, "--root-ca") && o->n_root_ca < 8)
			slot = &o->root_ca[o->n_root_ca++];
		if (slot) {
			if (++i >= argc)
				return -1;
			*slot = argv[i];
		} else if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--allow-expired-collateral")) {
			o->allow_expired = true;
		} else if (a[0] == '-' || o->quote) {
			return -1;
		} else {
			o->quote = a;
		}
	}
	return 0;
}

static int load_trust(struct att_dcap_trust **t, const struct opts *o,
		      struct att_diag *d)
{
	int rc = o->n_root_ca ? att_dcap_trust_new_empty(t)
			      : att_dcap_trust_new_intel(t);
	for (int i = 0; rc == 0 && i < o->n_root_ca; i++) {
		size_t n;
		char *pem = (char *)read_all(o->root_ca[i], &n);
		rc = pem ? att_dcap_trust_add_root_pem(*t, pem, n, d)
			 : att_diag_set(d, ATT_ERR_IO, "cannot read %s",
					o->root_ca[i]);
		free(pem);
	}
	return rc;
}

static int load_collateral(struct att_dcap_collateral **c,
			   const struct opts *o, struct att_diag *d)
{
	if (o->bundle) {
		size_t n;
		char *text = (char *)read_all(o->bundle, &n);
		if (!text)
			return att_diag_set(d, ATT_ERR_IO, "cannot read %s",
					    o->bundle);
		int rc = att_dcap_collateral_from_bundle_json(c, text, n, d);
		free(text);
		return rc;
	}
	return att_dcap_collateral_from_files(c, o->tcb_info, o->qe_identity,
					      o->tcb_chain, o->pck_crl,
					      o->root_crl, o->pck_crl_chain, d);
}

/* ---- output ---- */

static void put_hex(json_t *o, const char *k, const uint8_t *p, size_t n)
{
	char *h = att_hex_encode_alloc(p, n);
	json_object_set_new(o, k, json_string(h ? h : ""));
	free(h);
}

static void put_time(json_t *o, const char *k, int64_t t)
{
	char s[32];
	att_time_format(s, sizeof(s), t);
	json_object_set_new(o, k, json_string(s));
}

static void put_sgx(json_t *o, const struct att_dcap_sgx_claims *c)
{
	put_hex(o, "mrenclave", c->mrenclave, 32);
	put_hex(o, "mrsigner", c->mrsigner, 32);
	json_object_set_new(o, "isvprodid", json_integer(c->isvprodid));
	json_object_set_new(o, "isvsvn", json_integer(c->isvsvn));
	put_hex(o, "attributes", c->attributes, 16);
	json_object_set_new(o, "is_debuggable", json_boolean(c->debug));
	json_object_set_new(o, "miscselect", json_integer(c->miscselect));
	put_hex(o, "cpusvn", c->cpusvn, 16);
	put_hex(o, "report_data", c->report_data, 64);
	put_hex(o, "config_id", c->config_id, 64);
	json_object_set_new(o, "config_svn", json_integer(c->config_svn));
	put_hex(o, "isvextprodid", c->isvextprodid, 16);
	put_hex(o, "isvfamilyid", c->isvfamilyid, 16);
}

static void put_tdx(json_t *o, const struct att_dcap_tdx_claims *c)
{
	static const char *rt[4] = {"rtmr0", "rtmr1", "rtmr2", "rtmr3"};
	put_hex(o, "mrtd", c->mrtd, 48);
	for (int i = 0; i < 4; i++)
		put_hex(o, rt[i], c->rtmr[i], 48);
	put_hex(o, "mrseam", c->mrseam, 48);
	put_hex(o, "mrsignerseam", c->mrsignerseam, 48);
	put_hex(o, "mrowner", c->mrowner, 48);
	put_hex(o, "mrownerconfig", c->mrownerconfig, 48);
	put_hex(o, "mrconfigid", c->mrconfigid, 48);
	put_hex(o, "td_attributes", c->td_attributes, 8);
	json_object_set_new(o, "is_debuggable", json_boolean(c->debug));
	put_hex(o, "xfam", c->xfam, 8);
	put_hex(o, "tee_tcb_svn", c->tee_tcb_svn, 16);
	if (c->has_v15) {
		put_hex(o, "tee_tcb_svn2", c->tee_tcb_svn2, 16);
		put_hex(o, "mrservicetd", c->mrservicetd, 48);
	}
	put_hex(o, "report_data", c->report_data, 64);
}

static json_t *hashes_json(const struct att_dcap_collateral_hashes *h)
{
	json_t *o = json_object();
	put_hex(o, "qeidcertshash", h->qeidcertshash, 32);
	put_hex(o, "qeidcrlhash", h->qeidcrlhash, 32);
	put_hex(o, "qeidhash", h->qeidhash, 32);
	put_hex(o, "quotehash", h->quotehash, 32);
	put_hex(o, "tcbinfocertshash", h->tcbinfocertshash, 32);
	put_hex(o, "tcbinfocrlhash", h->tcbinfocrlhash, 32);
	put_hex(o, "tcbinfohash", h->tcbinfohash, 32);
	put_hex(o, "pckcrlhash", h->pckcrlhash, 32);
	put_hex(o, "pckcertshash", h->pckcertshash, 32);
	return o;
}

static void put_status(json_t *o, const char *k, enum att_tcb_status s)
{
	json_object_set_new(o, k, s == ATT_TCB_STATUS_NONE ? json_null()
				  : json_string(att_tcb_status_name(s)));
}

static void put_result(json_t *o, const struct att_dcap_result *r)
{
	json_t *adv = json_array();
	put_status(o, "tcb_status", r->tcb_status);
	for (size_t i = 0; i < r->n_advisory_ids; i++)
		json_array_append_new(adv, json_string(r->advisory_ids[i]));
	json_object_set_new(o, "advisory_ids", adv);
	put_status(o, "platform_tcb_status", r->platform_tcb_status);
	put_status(o, "qe_tcb_status", r->qe_tcb_status);
	put_status(o, "tdx_module_tcb_status", r->tdx_module_status);
	put_time(o, "tcb_date", r->tcb_date);
	json_object_set_new(o, "collateral_expired",
			    json_boolean(r->collateral_expired));
	if (r->collateral_expired)
		json_object_set_new(o, "collateral_expired_reason",
				    json_string(r->collateral_expired_what));
	put_hex(o, "fmspc", r->fmspc, 6);
	put_hex(o, "pce_id", r->pce_id, 2);
	json_object_set_new(o, "pcesvn", json_integer(r->pcesvn));
	json_object_set_new(o, "pck_ca", json_string(att_dcap_ca_name(r->ca)));
	json_object_set_new(o, "qe_isvsvn", json_integer(r->qe_isvsvn));
	if (r->tee == ATT_DCAP_TEE_TDX)
		put_tdx(o, &r->tdx);
	else
		put_sgx(o, &r->sgx);
	json_object_set_new(o, "collateral_hashes", hashes_json(&r->hashes));
}

static void report(const struct opts *o, int rc, const struct att_diag *d,
		   const struct att_dcap_result *r, const uint8_t *q, size_t n,
		   unsigned flags)
{
	struct att_dcap_quote_info qi;
	json_t *j = json_object();
	json_object_set_new(j, "verified", json_boolean(rc == 0));
	json_object_set_new(j, "error", rc ? json_string(att_diag_msg(d))
					   : json_null());
	if (rc)
		json_object_set_new(j, "error_code", json_string(att_errname(rc)));
	if (q && att_dcap_quote_info(&qi, q, n, flags, NULL) == 0) {
		json_object_set_new(j, "tee", json_string(att_dcap_tee_name(qi.tee)));
		json_object_set_new(j, "version", json_integer(qi.version));
	}
	if (rc == 0 || r->tcb_status != ATT_TCB_STATUS_NONE)
		put_result(j, r);
	if (o->json) {
		char *s = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
		printf("%s\n", s ? s : "{}");
		free(s);
	} else if (rc == 0) {
		printf("verified: %s quote, TCB status %s%s%s%s\n",
		       att_dcap_tee_name(r->tee),
		       att_tcb_status_name(r->tcb_status),
		       r->collateral_expired ? " (collateral expired: " : "",
		       r->collateral_expired ? r->collateral_expired_what : "",
		       r->collateral_expired ? ")" : "");
	} else {
		fprintf(stderr, "attest: quote verify: %s\n", att_diag_msg(d));
	}
	json_decref(j);
}

int att_cmd_quote_verify(int argc, char **argv)
{
	struct opts o;
	struct att_dcap_trust *trust = NULL;
	struct att_dcap_collateral *col = NULL;
	struct att_dcap_result r;
	struct att_diag d = {0};
	uint8_t *q = NULL;
	size_t n = 0;
	int64_t at;
	int rc;
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return usage(stdout);
	if (parse_args(&o, argc, argv) || !o.quote || !o.at ||
	    (!o.bundle && (!o.tcb_info || !o.qe_identity || !o.tcb_chain ||
			   !o.pck_crl || !o.root_crl)))
		return usage(stderr);
	if (att_time_parse(&at, o.at) != 0) {
		fprintf(stderr, "attest: quote verify: bad --at time %s\n", o.at);
		return 2;
	}
	memset(&r, 0, sizeof(r));
	r.tcb_status = ATT_TCB_STATUS_NONE;
	if (!(q = load_quote(o.quote, &n)))
		rc = att_diag_set(&d, ATT_ERR_FORMAT, "quote unreadable");
	else if ((rc = load_trust(&trust, &o, &d)) == 0 &&
		 (rc = load_collateral(&col, &o, &d)) == 0) {
		struct att_dcap_opts vo = {
			.allow_expired_collateral = o.allow_expired,
			.parse_flags = att_sgx_has_oe_header(q, n)
					       ? ATT_SGX_PARSE_OE_HEADER : 0,
		};
		rc = att_dcap_verify_opts(&r, q, n, col, trust, NULL, at, &vo,
					  &d);
	}
	report(&o, rc, &d, &r, q, n,
	       q && att_sgx_has_oe_header(q, n) ? ATT_SGX_PARSE_OE_HEADER : 0);
	free(q);
	att_dcap_collateral_free(col);
	att_dcap_trust_free(trust);
	return rc == 0 ? 0 : 1;
}

int att_cmd_quote_info(int argc, char **argv)
{
	struct att_dcap_quote_info qi;
	struct att_diag d = {0};
	size_t n = 0;
	char fmspc[16], pce[8];
	if (argc != 2 || argv[1][0] == '-')
		return usage(argc == 2 ? stdout : stderr);
	uint8_t *q = load_quote(argv[1], &n);
	if (!q)
		return 1;
	int rc = att_dcap_quote_info(&qi, q, n, att_sgx_has_oe_header(q, n)
					 ? ATT_SGX_PARSE_OE_HEADER : 0, &d);
	free(q);
	if (rc) {
		fprintf(stderr, "attest: quote info: %s\n", att_diag_msg(&d));
		return 1;
	}
	att_hex_encode(fmspc, sizeof(fmspc), qi.fmspc, 6, true);
	att_hex_encode(pce, sizeof(pce), qi.pce_id, 2, true);
	printf("{\"tee\":\"%s\",\"version\":%u,\"fmspc\":\"%s\",\"pce_id\":"
	       "\"%s\",\"ca\":\"%s\",\"pcesvn\":%u,\"sgx_type\":%d}\n",
	       att_dcap_tee_name(qi.tee), qi.version, fmspc, pce,
	       att_dcap_ca_name(qi.ca), qi.pcesvn, qi.sgx_type);
	return 0;
}
