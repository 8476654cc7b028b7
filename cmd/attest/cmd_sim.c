/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `attest sim sgx ...`: the SGX platform simulator's CLI (src/sim).
 *   init DIR        a fresh simulated Intel-shaped PKI and collateral
 *   quote DIR -o F  a DCAP v3 quote from a simulated platform
 *   collateral DIR  re-sign the collateral (e.g. other validity dates)
 * A development and test tool: its root must never be trusted in
 * production (docs/simulator.md).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/b64.h"
#include "codec/hex.h"
#include "sim/sgx_sim.h"

int att_cmd_sim_sgx(int argc, char **argv);

#define DAY 86400

static int usage(void)
{
	fprintf(
	    stderr,
	    "usage: attest sim sgx init DIR [--now T] [--force] [COLLATERAL "
	    "OPTIONS]\n"
	    "       attest sim sgx quote DIR -o FILE [--platform "
	    "processor|platform]\n"
	    "            [--mrenclave H] [--mrsigner H] [--isvprodid N] "
	    "[--isvsvn N] [--debug]\n"
	    "            [--report-data H] [--tcb LEVEL] [--revoked] "
	    "[--config-id H --config-svn N]\n"
	    "            [--qe-isvsvn N] [--format binary|hex|base64]\n"
	    "       attest sim sgx collateral DIR [--platform P] [-o FILE] "
	    "[COLLATERAL OPTIONS]\n"
	    "COLLATERAL OPTIONS: --now T --issue-date T --next-update T\n"
	    "  --{tcb-info,qe-identity,pck-crl,root-crl}-{issue-date,"
	    "next-update} T\n"
	    "  --fmspc H --qe-mrsigner H --qe-isvprodid N "
	    "--revoke-tcb-signing --revoke-pck-ca\n"
	    "T: RFC 3339 UTC (2025-07-01T00:00:00Z), or now, now+Nd, now-Nd\n"
	    "LEVEL: UpToDate SWHardeningNeeded ConfigurationNeeded\n"
	    "  ConfigurationAndSWHardeningNeeded OutOfDate\n"
	    "  OutOfDateConfigurationNeeded Revoked none\n"
	    "SIMULATED: never trust a simulator root in production.\n");
	return 2;
}

static int parse_time(int64_t *out, const char *s, int64_t now)
{
	if (!strncmp(s, "now", 3)) {
		char *end = NULL;
		long days = s[3] ? strtol(s + 3, &end, 10) : 0;
		if (s[3] && (!end || (*end != 'd' || end[1])))
			return -1;
		*out = now + (int64_t)days * DAY;
		return 0;
	}
	return att_time_parse(out, s) ? -1 : 0;
}

static int parse_uint(unsigned long *out, const char *s, unsigned long max)
{
	char *end = NULL;
	if (!s || !*s || *s == '-')
		return -1;
	unsigned long v = strtoul(s, &end, 0);
	if (*end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* parse_hex decodes up to cap bytes (shorter input is zero-padded when
 * pad, else it must be exactly cap bytes). */
static int parse_hex(uint8_t *out, size_t cap, const char *s, int pad)
{
	size_t n = strlen(s);
	if (n % 2 || n / 2 > cap || (!pad && n / 2 != cap))
		return -1;
	memset(out, 0, cap);
	return att_hex_decode_fixed(out, n / 2, s, n) ? -1 : 0;
}

struct time_opt {
	const char *name;
	size_t off;
};

#define CO(f) offsetof(struct att_sgxsim_collateral_opts, f)
static const struct time_opt time_opts[] = {
    {"--issue-date", CO(issue_date)},
    {"--next-update", CO(next_update)},
    {"--tcb-info-issue-date", CO(tcb_info_issue)},
    {"--tcb-info-next-update", CO(tcb_info_next)},
    {"--qe-identity-issue-date", CO(qe_identity_issue)},
    {"--qe-identity-next-update", CO(qe_identity_next)},
    {"--pck-crl-issue-date", CO(pck_crl_issue)},
    {"--pck-crl-next-update", CO(pck_crl_next)},
    {"--root-crl-issue-date", CO(root_crl_issue)},
    {"--root-crl-next-update", CO(root_crl_next)},
};

/* coll_flag handles the collateral options without a value. */
static int coll_flag(struct att_sgxsim_collateral_opts *o, const char *a)
{
	if (!strcmp(a, "--revoke-tcb-signing"))
		o->revoke_tcb_signing = true;
	else if (!strcmp(a, "--revoke-pck-ca"))
		o->revoke_pck_ca = true;
	else
		return 0;
	return 1;
}

/* coll_value handles "--opt VALUE"; 1 done, 0 not one, -1 bad value.
 * Relative times ("now-1d") count from o->now (or the clock). */
static int coll_value(struct att_sgxsim_collateral_opts *o, const char *a,
		      const char *v)
{
	unsigned long n = 0;
	int64_t now = o->now ? o->now : att_time_now();
	for (size_t k = 0; k < sizeof(time_opts) / sizeof(time_opts[0]); k++) {
		if (strcmp(a, time_opts[k].name))
			continue;
		int64_t *dst = (int64_t *)((char *)o + time_opts[k].off);
		return parse_time(dst, v, now) ? -1 : 1;
	}
	if (!strcmp(a, "--fmspc")) {
		o->has_fmspc = true;
		return parse_hex(o->fmspc, 6, v, 0) ? -1 : 1;
	}
	if (!strcmp(a, "--qe-mrsigner")) {
		o->has_qe_mrsigner = true;
		return parse_hex(o->qe_mrsigner, 32, v, 0) ? -1 : 1;
	}
	if (strcmp(a, "--qe-isvprodid"))
		return 0;
	if (parse_uint(&n, v, 0xffff))
		return -1;
	o->qe_isvprodid = (int)n;
	return 1;
}

/* coll_opt consumes one collateral option at argv[*i] (and its value);
 * returns 1 if it was one, 0 if not, -1 on a bad value. */
static int coll_opt(struct att_sgxsim_collateral_opts *o, int argc, char **argv,
		    int *i)
{
	if (coll_flag(o, argv[*i]))
		return 1;
	if (*i + 1 >= argc)
		return 0;
	int k = coll_value(o, argv[*i], argv[*i + 1]);
	if (k > 0)
		++*i;
	return k;
}

/* find_now applies "--now T" wherever it is, before the other options
 * (whose relative times count from it). */
static int find_now(int64_t *now, int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--now"))
			return parse_time(now, argv[i + 1], att_time_now());
	return 0;
}

static int fail(const char *what, const struct att_diag *d)
{
	fprintf(stderr, "attest sim sgx %s: %s\n", what, att_diag_msg(d));
	return 1;
}

static int bad_opt(const char *a)
{
	fprintf(stderr, "attest sim sgx: bad or unknown option '%s'\n", a);
	return usage();
}

static int cmd_init(int argc, char **argv)
{
	struct att_sgxsim_init_opts o;
	struct att_diag d;
	const char *dir = NULL;
	att_sgxsim_init_opts_init(&o);
	att_diag_clear(&d);
	if (find_now(&o.now, argc, argv))
		return bad_opt("--now");
	o.collateral.now = o.now;
	for (int i = 1; i < argc; i++) {
		int k = 0;
		if (!strcmp(argv[i], "--force")) {
			o.force = true;
		} else if (!strcmp(argv[i], "--now") && i + 1 < argc) {
			i++; /* applied by find_now */
		} else if ((k = coll_opt(&o.collateral, argc, argv, &i)) != 0) {
			if (k < 0)
				return bad_opt(argv[i]);
		} else if (argv[i][0] != '-' && !dir) {
			dir = argv[i];
		} else {
			return bad_opt(argv[i]);
		}
	}
	if (!dir)
		return usage();
	if (att_sgxsim_init(dir, &o, &d))
		return fail("init", &d);
	printf("simulated SGX PKI written to %s (root CA: %s/root.pem, "
	       "collateral: %s/collateral.json)\n"
	       "WARNING: simulated; never trust this root in production\n",
	       dir, dir, dir);
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
	if (f != stdout)
		bad |= fclose(f) != 0;
	else
		bad |= fflush(f) != 0;
	if (bad)
		fprintf(stderr, "attest sim sgx: cannot write %s\n", path);
	return bad;
}

static int cmd_collateral(int argc, char **argv)
{
	struct att_sgxsim_collateral_opts o;
	struct att_diag d;
	const char *dir = NULL, *out = NULL;
	att_sgxsim_collateral_opts_init(&o);
	att_diag_clear(&d);
	if (find_now(&o.now, argc, argv))
		return bad_opt("--now");
	for (int i = 1; i < argc; i++) {
		int k = 0;
		if (!strcmp(argv[i], "--now") && i + 1 < argc) {
			i++; /* applied by find_now */
		} else if (!strcmp(argv[i], "--platform") && i + 1 < argc) {
			o.platform = argv[++i];
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if ((k = coll_opt(&o, argc, argv, &i)) != 0) {
			if (k < 0)
				return bad_opt(argv[i]);
		} else if (argv[i][0] != '-' && !dir) {
			dir = argv[i];
		} else {
			return bad_opt(argv[i]);
		}
	}
	if (!dir)
		return usage();
	if (!out)
		return att_sgxsim_collateral_write(dir, &o, &d)
			   ? fail("collateral", &d)
			   : 0;
	struct att_buf b;
	att_buf_init(&b, ATT_SGXSIM_MAX_OUTPUT);
	int rc = att_sgxsim_collateral_bundle(dir, &o, &b, &d)
		     ? fail("collateral", &d)
		     : write_out(out, b.data, b.len);
	att_buf_release(&b);
	return rc;
}

/* quote_flag handles the options without a value. */
static int quote_flag(struct att_sgxsim_quote_opts *o, const char *a)
{
	if (!strcmp(a, "--debug"))
		o->debug = true;
	else if (!strcmp(a, "--revoked"))
		o->revoked = true;
	else
		return 0;
	return 1;
}

/* quote_value handles "--opt VALUE"; 1 done, 0 not one, -1 bad value. */
static int quote_value(struct att_sgxsim_quote_opts *o, const char *a,
		       const char *v)
{
	unsigned long n = 0;
	if (!strcmp(a, "--platform")) {
		o->platform = v;
		return 1;
	}
	if (!strcmp(a, "--tcb")) {
		o->tcb = v;
		return 1;
	}
	if (!strcmp(a, "--mrenclave"))
		return parse_hex(o->mrenclave, 32, v, 0) ? -1 : 1;
	if (!strcmp(a, "--mrsigner"))
		return parse_hex(o->mrsigner, 32, v, 0) ? -1 : 1;
	if (!strcmp(a, "--report-data"))
		return parse_hex(o->report_data, 64, v, 1) ? -1 : 1;
	if (!strcmp(a, "--config-id")) {
		o->has_config = true;
		return parse_hex(o->config_id, 64, v, 1) ? -1 : 1;
	}
	uint16_t *dst = !strcmp(a, "--isvprodid")    ? &o->isvprodid
			: !strcmp(a, "--isvsvn")     ? &o->isvsvn
			: !strcmp(a, "--config-svn") ? &o->config_svn
						     : NULL;
	if (!dst && strcmp(a, "--qe-isvsvn"))
		return 0;
	if (parse_uint(&n, v, 0xffff))
		return -1;
	if (dst)
		*dst = (uint16_t)n;
	else
		o->qe_isvsvn = (int)n;
	if (dst == &o->config_svn)
		o->has_config = true;
	return 1;
}

static int emit_quote(const char *out, const char *fmt, const struct att_buf *q)
{
	if (!strcmp(fmt, "binary"))
		return write_out(out, q->data, q->len);
	char *s = !strcmp(fmt, "hex") ? att_hex_encode_alloc(q->data, q->len)
		  : !strcmp(fmt, "base64") ? att_b64_encode(q->data, q->len)
					   : NULL;
	if (!s) {
		fprintf(stderr, "attest sim sgx quote: bad --format '%s'\n",
			fmt);
		return 2;
	}
	size_t n = strlen(s);
	char *line = malloc(n + 2);
	int rc = 1;
	if (line) {
		memcpy(line, s, n);
		line[n] = '\n';
		line[n + 1] = '\0';
		rc = write_out(out, line, n + 1);
	}
	free(line);
	free(s);
	return rc;
}

static int cmd_quote(int argc, char **argv)
{
	struct att_sgxsim_quote_opts o;
	struct att_diag d;
	const char *dir = NULL, *out = NULL, *fmt = "binary";
	att_sgxsim_quote_opts_init(&o);
	att_diag_clear(&d);
	for (int i = 1; i < argc; i++) {
		int k = 0;
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--format") && i + 1 < argc)
			fmt = argv[++i];
		else if (quote_flag(&o, argv[i]))
			continue;
		else if (i + 1 < argc &&
			 (k = quote_value(&o, argv[i], argv[i + 1])) != 0) {
			if (k < 0)
				return bad_opt(argv[i]);
			i++;
		} else if (argv[i][0] != '-' && !dir)
			dir = argv[i];
		else
			return bad_opt(argv[i]);
	}
	if (!dir || !out)
		return usage();
	struct att_buf q;
	att_buf_init(&q, ATT_SGXSIM_MAX_OUTPUT);
	int rc = att_sgxsim_quote(dir, &o, &q, &d) ? fail("quote", &d)
						   : emit_quote(out, fmt, &q);
	att_buf_release(&q);
	return rc;
}

int att_cmd_sim_sgx(int argc, char **argv)
{
	if (!att_sgxsim_built_in()) {
		fprintf(stderr, "attest: the SGX simulator is not built in "
			"(configured with -DATT_SIM=OFF)\n");
		return 2;
	}
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "init"))
		return cmd_init(argc - 1, argv + 1);
	if (!strcmp(argv[1], "quote"))
		return cmd_quote(argc - 1, argv + 1);
	if (!strcmp(argv[1], "collateral"))
		return cmd_collateral(argc - 1, argv + 1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage();
		return 0;
	}
	return usage();
}
