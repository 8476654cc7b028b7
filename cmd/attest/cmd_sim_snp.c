/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `attest sim snp ...`: the SEV-SNP platform simulator's CLI (src/sim).
 *   init DIR          a fresh simulated AMD-shaped PKI for one product
 *   report DIR -o F   a signed ATTESTATION_REPORT from the simulated chip
 * A development and test tool: its ARK must never be trusted in
 * production (docs/simulator.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "sim/snp_sim.h"

int att_cmd_sim_snp(int argc, char **argv);

static int usage(void)
{
	fprintf(stderr,
		"usage: attest sim snp init DIR [--product milan|genoa|turin] "
		"[--tcb bl,tee,snp,ucode[,fmc]]\n"
		"            [--csp-id TEXT] [--rsa2048] [--force]\n"
		"       attest sim snp report DIR -o FILE [--version 2|3|5] "
		"[--measurement HEX]\n"
		"            [--report-data HEX] [--host-data HEX] "
		"[--policy BITS] [--vmpl N]\n"
		"            [--tcb bl,tee,snp,ucode[,fmc]] [--vlek] "
		"[--mask-chip-id] [--certtable FILE]\n"
		"            [--crl-out FILE [--revoked]]\n"
		"--tcb: the VEKs' TCB at init (default 3,0,8,115; Turin fmc 1);"
		"\n  for a report, its current/reported/committed/launch TCB "
		"(default the VEK's).\n"
		"--policy: guest policy as a number (default 0x30000).\n"
		"--certtable: also write the extended-report certificate table "
		"(VEK, ASK, ARK).\n"
		"--crl-out: also write the ARK's CRL (--revoked: the one "
		"listing ASK, ASVK, VCEK, VLEK).\n"
		"SIMULATED: never trust a simulator ARK in production.\n");
	return 2;
}

static int fail(const char *what, const struct att_diag *d)
{
	fprintf(stderr, "attest sim snp %s: %s\n", what, att_diag_msg(d));
	return 1;
}

static int bad_opt(const char *a)
{
	fprintf(stderr, "attest sim snp: bad or unknown option '%s'\n", a);
	return usage();
}

static int parse_u64(uint64_t *out, const char *s, uint64_t max)
{
	char *end = NULL;
	if (!s || !*s || *s == '-')
		return ATT_ERR_FORMAT;
	unsigned long long v = strtoull(s, &end, 0);
	if (*end || v > max)
		return ATT_ERR_FORMAT;
	*out = v;
	return 0;
}

/* parse_hex: up to cap bytes, a shorter value zero-padded on the right. */
static int parse_hex(uint8_t *out, size_t cap, const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n % 2 || n / 2 > cap)
		return ATT_ERR_FORMAT;
	memset(out, 0, cap);
	return att_hex_decode_fixed(out, n / 2, s, n) ? ATT_ERR_FORMAT : 0;
}

/* parse_tcb reads "bl,tee,snp,ucode[,fmc]" (each 0..255). */
static int parse_tcb(struct att_snp_tcb *t, const char *s)
{
	uint64_t v[5];
	size_t n = 0;
	char buf[64];
	if (strlen(s) >= sizeof(buf))
		return ATT_ERR_FORMAT;
	snprintf(buf, sizeof(buf), "%s", s);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n == 5 || parse_u64(&v[n], tok, 255))
			return ATT_ERR_FORMAT;
		n++;
	}
	if (n != 4 && n != 5)
		return ATT_ERR_FORMAT;
	*t = (struct att_snp_tcb){.bl = (uint8_t)v[0],
				  .tee = (uint8_t)v[1],
				  .snp = (uint8_t)v[2],
				  .ucode = (uint8_t)v[3],
				  .fmc = n == 5 ? (uint8_t)v[4] : 0,
				  .has_fmc = n == 5};
	return 0;
}

static enum att_snp_product parse_product(const char *s)
{
	enum att_snp_product p = att_snp_product_from_name(s);
	return strchr(s, '-') ? ATT_SNP_PRODUCT_UNKNOWN : p;
}

static int cmd_init(int argc, char **argv)
{
	struct att_snpsim_init_opts o;
	struct att_diag d;
	const char *dir = NULL;
	enum att_snp_product p = ATT_SNP_MILAN;
	att_snpsim_init_opts_init(&o);
	att_diag_clear(&d);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--force")) {
			o.force = true;
		} else if (!strcmp(a, "--rsa2048")) {
			o.rsa2048 = true;
		} else if (!strcmp(a, "--product") && v) {
			if ((p = parse_product(v)) == ATT_SNP_PRODUCT_UNKNOWN)
				return bad_opt(a);
			i++;
		} else if (!strcmp(a, "--tcb") && v) {
			if (parse_tcb(&o.tcb, v))
				return bad_opt(a);
			o.has_tcb = true;
			i++;
		} else if (!strcmp(a, "--csp-id") && v) {
			o.csp_id = v;
			i++;
		} else if (a[0] != '-' && !dir) {
			dir = a;
		} else {
			return bad_opt(a);
		}
	}
	if (!dir)
		return usage();
	if (p == ATT_SNP_TURIN && o.has_tcb && !o.tcb.has_fmc) {
		fprintf(stderr, "attest sim snp init: Turin needs --tcb "
				"bl,tee,snp,ucode,fmc\n");
		return 2;
	}
	if (att_snpsim_init(dir, p, &o, &d))
		return fail("init", &d);
	printf("simulated SEV-SNP %s PKI written to %s (ARK: %s/ark.pem, "
	       "VCEK: %s/vcek.der)\n"
	       "WARNING: simulated; never trust this ARK in production\n",
	       att_snp_product_name(p), dir, dir, dir);
	return 0;
}

static int write_out(const char *path, const void *p, size_t n)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "wb") : stdout;
	if (!f) {
		perror(path);
		return 1;
	}
	int bad = fwrite(p, 1, n, f) != n;
	bad |= f != stdout ? fclose(f) != 0 : fflush(f) != 0;
	if (bad)
		fprintf(stderr, "attest sim snp: cannot write %s\n", path);
	return bad;
}

struct report_args {
	const char *dir, *out, *certtable, *crl_out;
	bool revoked;
	struct att_snpsim_report_opts o;
};

/* report_value handles "--opt VALUE": 1 done, 0 not one, <0 bad value. */
static int report_value(struct report_args *a, const char *k, const char *v)
{
	struct att_snpsim_report_opts *o = &a->o;
	uint64_t n = 0;
	const char **path = !strcmp(k, "-o")		? &a->out
			    : !strcmp(k, "--certtable") ? &a->certtable
			    : !strcmp(k, "--crl-out")	? &a->crl_out
							: NULL;
	if (path) {
		*path = v;
		return 1;
	}
	if (!strcmp(k, "--measurement"))
		return parse_hex(o->measurement, 48, v) ? -1 : 1;
	if (!strcmp(k, "--report-data"))
		return parse_hex(o->report_data, 64, v) ? -1 : 1;
	if (!strcmp(k, "--host-data"))
		return parse_hex(o->host_data, 32, v) ? -1 : 1;
	if (!strcmp(k, "--tcb")) {
		o->has_tcb = true;
		return parse_tcb(&o->tcb, v) ? -1 : 1;
	}
	if (!strcmp(k, "--policy")) {
		if (parse_u64(&n, v, UINT64_MAX))
			return -1;
		o->policy = n;
		return 1;
	}
	if (!strcmp(k, "--version") || !strcmp(k, "--vmpl")) {
		if (parse_u64(&n, v, !strcmp(k, "--vmpl") ? 3 : 5))
			return -1;
		*(!strcmp(k, "--vmpl") ? &o->vmpl : &o->version) = (uint32_t)n;
		return 1;
	}
	return 0;
}

static int report_flag(struct report_args *a, const char *k)
{
	if (!strcmp(k, "--vlek"))
		a->o.vlek = true;
	else if (!strcmp(k, "--mask-chip-id"))
		a->o.mask_chip_id = true;
	else if (!strcmp(k, "--revoked"))
		a->revoked = true;
	else
		return 0;
	return 1;
}

static int copy_file(const char *dir, const char *name, const char *to)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "rb");
	if (!f) {
		perror(p);
		return 1;
	}
	uint8_t *buf = malloc(ATT_SNP_MAX_CRL_LEN);
	size_t n = buf ? fread(buf, 1, ATT_SNP_MAX_CRL_LEN, f) : 0;
	int bad = !buf || ferror(f);
	fclose(f);
	if (!bad)
		bad = write_out(to, buf, n);
	free(buf);
	return bad;
}

static int emit(struct report_args *a, const uint8_t *rep)
{
	struct att_diag d;
	att_diag_clear(&d);
	int rc = write_out(a->out, rep, ATT_SNP_REPORT_LEN);
	if (!rc && a->certtable) {
		struct att_buf t;
		att_buf_init(&t, ATT_SNP_MAX_CERT_TABLE_LEN);
		rc = att_snpsim_certtable(a->dir, a->o.vlek, false, NULL, &t,
					  &d)
			 ? fail("report", &d)
			 : write_out(a->certtable, t.data, t.len);
		att_buf_release(&t);
	}
	if (!rc && a->crl_out)
		rc = copy_file(a->dir,
			       a->revoked ? ATT_SNPSIM_F_CRL_REVOKED
					  : ATT_SNPSIM_F_CRL,
			       a->crl_out);
	return rc;
}

static int cmd_report(int argc, char **argv)
{
	struct report_args a = {0};
	struct att_diag d;
	uint8_t rep[ATT_SNP_REPORT_LEN];
	att_snpsim_report_opts_init(&a.o);
	att_diag_clear(&d);
	for (int i = 1; i < argc; i++) {
		int k = 0;
		if (report_flag(&a, argv[i]))
			continue;
		if (i + 1 < argc &&
		    (k = report_value(&a, argv[i], argv[i + 1])) != 0) {
			if (k < 0)
				return bad_opt(argv[i]);
			i++;
		} else if (argv[i][0] != '-' && !a.dir) {
			a.dir = argv[i];
		} else {
			return bad_opt(argv[i]);
		}
	}
	if (!a.dir || !a.out)
		return usage();
	if (a.revoked && !a.crl_out) {
		fprintf(stderr, "attest sim snp report: --revoked selects the "
				"CRL written by --crl-out FILE\n");
		return 2;
	}
	if (att_snpsim_report(a.dir, &a.o, rep, &d))
		return fail("report", &d);
	return emit(&a, rep);
}

int att_cmd_sim_snp(int argc, char **argv)
{
	if (!att_snpsim_built_in()) {
		fprintf(stderr, "attest: the SEV-SNP simulator is not built in "
				"(configured with -DATT_SIM=OFF)\n");
		return 2;
	}
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "init"))
		return cmd_init(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage();
		return 0;
	}
	return usage();
}
