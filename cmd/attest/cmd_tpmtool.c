/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest tpm ...: developer tools over the TPM 2.0 structures the service
 * checks. "makecredential" does what the enrolment endpoint does (and
 * writes tpm2-tools' credential file, so tpm2_activatecredential can prove
 * it); "verify-quote" runs the quote checks on files; "name" prints an
 * object's Name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attest/err.h"
#include "base/diag.h"
#include "base/limits.h"
#include "codec/hex.h"
#include "crypto/digest.h"
#include "evidence/tpm/makecred.h"
#include "evidence/tpm/pcrs.h"
#include "evidence/tpm/quote.h"
#include "evidence/tpm/tpm.h"
#include "evidence/tpm/tpm_alg.h"

int att_cmd_tpm_makecredential(int argc, char **argv);
int att_cmd_tpm_verify_quote(int argc, char **argv);
int att_cmd_tpm_name(int argc, char **argv);

#define MAX_FILE (64 * 1024)

/* quiet: tss2-mu logs every structure it rejects to stderr unless told
 * otherwise; our own messages say what failed. */
static void quiet(void)
{
	setenv("TSS2_LOG", "all+none", 0);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0, k;
	unsigned char *b;
	if (!f) {
		fprintf(stderr, "attest: cannot open %s\n", path);
		return NULL;
	}
	b = malloc(MAX_FILE + 1);
	while (b && n < MAX_FILE + 1 && (k = fread(b + n, 1, MAX_FILE + 1 - n, f)))
		n += k;
	fclose(f);
	if (b && n > MAX_FILE) {
		fprintf(stderr, "attest: %s is too large\n", path);
		free(b);
		return NULL;
	}
	*len = n;
	return b;
}

/* load_public reads a TPM2B_PUBLIC, or a bare TPMT_PUBLIC. */
static int load_public(struct att_tpm_public *pub, const char *path)
{
	struct att_diag d, d2;
	size_t n = 0;
	unsigned char *b = slurp(path, &n);
	int r;
	if (!b)
		return -1;
	att_diag_clear(&d);
	att_diag_clear(&d2);
	r = att_tpm_public_parse(pub, b, n, &d);
	if (r && att_tpm_public_parse_tpmt(pub, b, n, &d2) == 0)
		r = 0;
	if (r)
		fprintf(stderr, "attest: %s: as TPM2B_PUBLIC: %s; as TPMT_PUBLIC: "
			"%s\n", path, att_diag_msg(&d), att_diag_msg(&d2));
	free(b);
	return r;
}

static const char *arg_of(int argc, char **argv, const char *name)
{
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], name))
			return argv[i + 1];
	return NULL;
}

static int hex_arg(uint8_t **out, size_t *len, const char *hx, const char *what)
{
	if (att_hex_decode(out, len, hx, strlen(hx)) != 0) {
		fprintf(stderr, "attest: %s is not hex\n", what);
		return -1;
	}
	return 0;
}

static int get_name(uint8_t **name, size_t *len, int argc, char **argv)
{
	const char *hx = arg_of(argc, argv, "--name");
	const char *file = arg_of(argc, argv, "--name-file");
	if (hx)
		return hex_arg(name, len, hx, "--name");
	if (file)
		return (*name = slurp(file, len)) ? 0 : -1;
	fprintf(stderr, "attest: --name HEX or --name-file FILE is required\n");
	return -1;
}

static void put_u32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* write_cred writes tpm2-tools' credential file: u32be 0xBADCC0DE, u32be
 * version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET (lib/files.c). */
static int write_cred(const char *path, const struct att_tpm_credential *c)
{
	uint8_t hdr[8];
	FILE *f = fopen(path, "wb");
	int ok;
	if (!f) {
		fprintf(stderr, "attest: cannot write %s\n", path);
		return -1;
	}
	put_u32be(hdr, 0xBADCC0DEu);
	put_u32be(hdr + 4, 1);
	ok = fwrite(hdr, 1, 8, f) == 8 &&
	     fwrite(c->id_object, 1, c->id_object_len, f) == c->id_object_len &&
	     fwrite(c->secret, 1, c->secret_len, f) == c->secret_len;
	ok = (fclose(f) == 0) && ok;
	return ok ? 0 : -1;
}

int att_cmd_tpm_makecredential(int argc, char **argv)
{
	const char *ek_path = arg_of(argc, argv, "--ek-pub");
	const char *sec_path = arg_of(argc, argv, "--secret");
	const char *out_path = arg_of(argc, argv, "-o");
	struct att_tpm_public *ek = calloc(1, sizeof(*ek));
	struct att_tpm_credential cred;
	struct att_diag d;
	uint8_t *name = NULL, *secret = NULL;
	size_t name_len = 0, secret_len = 0;
	int rc = 1;
	att_diag_clear(&d);
	quiet();
	if (!ek_path || !sec_path || !out_path) {
		fprintf(stderr, "usage: attest tpm makecredential --ek-pub FILE "
			"(--name HEX | --name-file FILE) --secret FILE -o FILE\n");
		rc = 2;
		goto out;
	}
	if (!ek || load_public(ek, ek_path) != 0 ||
	    get_name(&name, &name_len, argc, argv) != 0 ||
	    !(secret = slurp(sec_path, &secret_len)))
		goto out;
	if (att_tpm_make_credential(&cred, ek, name, name_len, secret,
				    secret_len, &d) != 0) {
		fprintf(stderr, "attest: %s\n", att_diag_msg(&d));
		goto out;
	}
	if (write_cred(out_path, &cred) == 0)
		rc = 0;
out:
	att_cleanse(secret, secret_len);
	free(secret);
	free(name);
	free(ek);
	return rc;
}

int att_cmd_tpm_name(int argc, char **argv)
{
	struct att_tpm_public *pub = calloc(1, sizeof(*pub));
	uint8_t name[2 + ATT_TPM_MAX_DIGEST_LEN];
	char hx[2 * sizeof(name) + 1];
	size_t n = 0;
	struct att_diag d;
	int rc = 1;
	att_diag_clear(&d);
	quiet();
	if (argc != 2) {
		fprintf(stderr, "usage: attest tpm name FILE (TPM2B_PUBLIC or "
			"TPMT_PUBLIC)\n");
		free(pub);
		return 2;
	}
	if (pub && load_public(pub, argv[1]) == 0) {
		if (att_tpm_public_name(pub, name, sizeof(name), &n, &d) == 0) {
			att_hex_encode(hx, sizeof(hx), name, n, false);
			printf("%s\n", hx);
			rc = 0;
		} else {
			fprintf(stderr, "attest: %s\n", att_diag_msg(&d));
		}
	}
	free(pub);
	return rc;
}

/* load_ak builds the AIK from --ak-pub (TPM2B/TPMT_PUBLIC) or --ak-pem. */
static int load_ak(struct att_pkey **key, struct att_tpm_public *pub,
		   bool *have_pub, int argc, char **argv, struct att_diag *d)
{
	const char *pubf = arg_of(argc, argv, "--ak-pub");
	const char *pem = arg_of(argc, argv, "--ak-pem");
	*have_pub = false;
	if (pubf) {
		if (load_public(pub, pubf) != 0)
			return -1;
		*have_pub = true;
		return att_tpm_public_pkey(pub, key, d);
	}
	if (pem) {
		size_t n = 0;
		unsigned char *b = slurp(pem, &n);
		int r = b ? att_pkey_from_public(key, b, n) : -1;
		free(b);
		if (r)
			fprintf(stderr, "attest: %s: not a public key\n", pem);
		return r;
	}
	fprintf(stderr, "attest: --ak-pub FILE or --ak-pem FILE is required\n");
	return -1;
}

static int load_pcrs(struct att_tpm_pcrs *pcrs, const char *path,
		     struct att_diag *d)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	int r;
	if (!j) {
		fprintf(stderr, "attest: %s: %s\n", path, je.text);
		return -1;
	}
	r = att_tpm_pcrs_from_json(pcrs, j, d);
	json_decref(j);
	return r;
}

struct vq {
	struct att_pkey *ak;
	struct att_tpm_public pub;
	struct att_tpm_pcrs pcrs;
	struct att_tpm_attest att;
	uint8_t *quote, *sig, *nonce;
	size_t quote_len, sig_len, nonce_len;
};

static int vq_load(struct vq *v, struct att_tpm_quote_opts *o, int argc,
		   char **argv, struct att_diag *d)
{
	const char *q = arg_of(argc, argv, "--quote");
	const char *s = arg_of(argc, argv, "--sig");
	const char *nonce = arg_of(argc, argv, "--nonce");
	const char *pcrs = arg_of(argc, argv, "--pcrs");
	const char *mask = arg_of(argc, argv, "--mask");
	bool have_pub;
	if (!q || !s) {
		fprintf(stderr, "usage: attest tpm verify-quote --quote FILE "
			"--sig FILE (--ak-pub FILE | --ak-pem FILE) [--nonce "
			"HEX] [--pcrs FILE.json] [--mask HEX]\n");
		return 2;
	}
	if (!(v->quote = slurp(q, &v->quote_len)) ||
	    !(v->sig = slurp(s, &v->sig_len)) ||
	    load_ak(&v->ak, &v->pub, &have_pub, argc, argv, d) != 0 ||
	    (nonce && hex_arg(&v->nonce, &v->nonce_len, nonce, "--nonce")) ||
	    (pcrs && load_pcrs(&v->pcrs, pcrs, d) != 0))
		return 1;
	o->ak = v->ak;
	o->ak_pub = have_pub ? &v->pub : NULL;
	o->check_nonce = nonce != NULL;
	o->nonce = v->nonce;
	o->nonce_len = v->nonce_len;
	o->pcrs = pcrs ? &v->pcrs : NULL;
	o->required_mask = mask ? (uint32_t)strtoul(mask, NULL, 16) : 0;
	return 0;
}

static void print_quote(const struct att_tpm_attest *a)
{
	char hx[2 * ATT_TPM_MAX_NAME_LEN + 1];
	att_hex_encode(hx, sizeof(hx), a->extra, a->extra_len, false);
	printf("extraData: %s\nclock: %llu resetCount: %u restartCount: %u "
	       "safe: %u\n", hx, (unsigned long long)a->clock, a->reset_count,
	       a->restart_count, a->safe);
	for (uint32_t i = 0; i < a->pcr_select.count; i++)
		printf("selection: %s 0x%06x\n",
		       att_tpm_alg_name(a->pcr_select.sel[i].hash),
		       att_tpm_selection_mask(&a->pcr_select.sel[i]));
	att_hex_encode(hx, sizeof(hx), a->pcr_digest, a->pcr_digest_len, false);
	printf("pcrDigest: %s\n", hx);
}

int att_cmd_tpm_verify_quote(int argc, char **argv)
{
	struct vq *v = calloc(1, sizeof(*v));
	struct att_tpm_quote_opts o;
	struct att_diag d;
	int rc = 1;
	memset(&o, 0, sizeof(o));
	att_diag_clear(&d);
	quiet();
	if (!v || (rc = vq_load(v, &o, argc, argv, &d)) != 0) {
		if (d.msg[0])
			fprintf(stderr, "attest: %s\n", att_diag_msg(&d));
		rc = rc ? rc : 1;
		goto out;
	}
	if (att_tpm_quote_verify(v->quote, v->quote_len, v->sig, v->sig_len,
				 &o, &v->att, &d) != 0) {
		fprintf(stderr, "attest: %s\n", att_diag_msg(&d));
		rc = 1;
		goto out;
	}
	print_quote(&v->att);
	printf("quote OK\n");
	rc = 0;
out:
	if (v) {
		att_pkey_free(v->ak);
		free(v->quote);
		free(v->sig);
		free(v->nonce);
	}
	free(v);
	return rc;
}
