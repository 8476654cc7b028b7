/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `attest quote verify` and `attest quote info`: Intel SGX / TDX DCAP
 * quotes checked against collateral at a given time (the verifier never
 * reads the clock; --at is required). The quote file may be binary, hex
 * or base64 (detected), optionally behind an Open Enclave report header
 * (detected). --claims prints the evidence claims of attestd's token for
 * the quote, through the verifier's own code (src/verify). Exit 0 when the quote verified, whatever its TCB status;
 * 1 when verification failed; 2 on usage errors.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/quote_json.h"
#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "evidence/sgx/verify.h"
#include "verify/verifier.h"

int att_cmd_quote_verify(int argc, char **argv);
int att_cmd_quote_info(int argc, char **argv);

struct opts {
	const char *quote, *bundle, *tcb_info, *qe_identity, *tcb_chain;
	const char *pck_crl, *root_crl, *pck_crl_chain, *at;
	const char *root_ca[8];
	int n_root_ca;
	bool json, claims, allow_expired;
};

static int usage(FILE *f)
{
	fprintf(f,
		"usage: attest quote verify QUOTE --at RFC3339 [--json | --claims]\n"
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
		"  --claims: print the evidence claims attestd's token carries "
		"for the quote\n"
		"    (before policy), made by the same verifier code.\n"
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
		} else if (!strcmp(a, "--claims")) {
			o->claims = true;
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

/* print_claims prints the token's evidence claims for the verified quote,
 * through the verifier's code (att_verify_dcap_claims). */
static int print_claims(const struct att_dcap_result *r, struct att_diag *d)
{
	json_t *c = json_object();
	enum att_attest_kind kind =
		r->tee == ATT_DCAP_TEE_TDX ? ATT_ATTEST_TDX : ATT_ATTEST_SGX;
	int rc = c ? att_verify_dcap_claims(c, kind, NULL, r, NULL, NULL, 0)
		   : ATT_ERR_NOMEM;
	char *s = rc ? NULL : json_dumps(c, JSON_INDENT(1));
	if (!rc && !s)
		rc = ATT_ERR_NOMEM;
	if (rc)
		att_diag_set(d, rc, "cannot render the claims: %s",
			     att_errname(rc));
	else
		printf("%s\n", s);
	free(s);
	json_decref(c);
	return rc;
}

static void report(const struct opts *o, int rc, const struct att_diag *d,
		   const struct att_dcap_result *r, const uint8_t *q, size_t n,
		   unsigned flags)
{
	/* the same JSON as libattest's att_verify_quote */
	json_t *j = att_api_dcap_json(rc, d, r, q, n, flags);
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
	if (o.claims && rc == 0) {
		if ((rc = print_claims(&r, &d)) != 0)
			fprintf(stderr, "attest: quote verify: %s\n",
				att_diag_msg(&d));
	} else {
		report(&o, rc, &d, &r, q, n,
		       q && att_sgx_has_oe_header(q, n)
			       ? ATT_SGX_PARSE_OE_HEADER
			       : 0);
	}
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
