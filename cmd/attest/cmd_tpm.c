/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest tpm enroll | tpm attest: the TPM client (src/client/tpm_flow.h).
 * enroll runs flow A (EK certificate + AIK credential activation) and
 * keeps the AIK blob and certificate in the state directory; attest runs
 * flow B and prints the report (a JWT) on stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attest/err.h"
#include "base/diag.h"
#include "client/tpm_flow.h"
#include "evidence/tpm/tpm_alg.h"

int att_cmd_tpm_enroll(int argc, char **argv);
int att_cmd_tpm_attest(int argc, char **argv);

struct args {
	struct att_tpm_client_opts o;
	json_t *claims;
	char state_buf[1024];
	bool help;
};

static const char *const usage_enroll =
    "usage: attest tpm enroll --url BASE [--tcti T] [--ca FILE] "
    "[--bearer TOKEN] [--state DIR] [--ecc]\n";
static const char *const usage_attest =
    "usage: attest tpm attest --url BASE [--tcti T] [--log FILE | "
    "--no-log] [--rp-data D] [--pcrs 0,1,...] [--bank sha256] "
    "[--claim NAME=VALUE]... [--aik-pub] [--ca FILE] [--bearer TOKEN] "
    "[--state DIR]\n"
    "test options: --wrong-challenge, --hold SECONDS, --save-request FILE, "
    "--finish-url BASE (round 2 to another node)\n";

/* parse_pcrs reads "0,1,7" or "all". */
static int parse_pcrs(const char *s, uint32_t *mask)
{
	*mask = 0;
	if (!strcmp(s, "all")) {
		*mask = ATT_TPM_DEFAULT_PCR_MASK;
		return 0;
	}
	while (*s) {
		char *end;
		long v = strtol(s, &end, 10);
		if (end == s || v < 0 || v > 23 || (*end && *end != ','))
			return -1;
		*mask |= 1u << v;
		s = *end ? end + 1 : end;
	}
	return *mask ? 0 : -1;
}

/* add_claim appends NAME=VALUE (true/false, an integer, else a string). */
static int add_claim(struct args *a, const char *s)
{
	const char *eq = strchr(s, '=');
	if (!eq || eq == s)
		return -1;
	char *name = strndup(s, (size_t)(eq - s)), *end;
	const char *v = eq + 1;
	long long n = strtoll(v, &end, 10);
	json_t *val = !strcmp(v, "true")	  ? json_true()
		      : !strcmp(v, "false")	  ? json_false()
		      : (*v && !*end && end != v) ? json_integer(n)
						  : json_string(v);
	if (!a->claims)
		a->claims = json_array();
	int r = name && val && a->claims &&
			!json_array_append_new(
			    a->claims,
			    json_pack("{s:s, s:O}", "name", name, "value", val))
		    ? 0
		    : -1;
	json_decref(val);
	free(name);
	return r;
}

static const char **str_opt(struct args *a, const char *s)
{
	struct att_tpm_client_opts *o = &a->o;
	static const char *ignored;
	if (!strcmp(s, "--url"))
		return &o->url;
	if (!strcmp(s, "--tcti"))
		return &o->tcti;
	if (!strcmp(s, "--ca"))
		return &o->http.ca_file;
	if (!strcmp(s, "--bearer"))
		return &o->http.bearer;
	if (!strcmp(s, "--state"))
		return &o->state_dir;
	if (!strcmp(s, "--log"))
		return &o->log_file;
	if (!strcmp(s, "--rp-data"))
		return &o->rp_data;
	if (!strcmp(s, "--save-request"))
		return &o->save_request;
	if (!strcmp(s, "--finish-url"))
		return &o->finish_url;
	if (!strcmp(s, "--pcrs") || !strcmp(s, "--claim") ||
	    !strcmp(s, "--hold") || !strcmp(s, "--bank"))
		return &ignored; /* handled by value_opt */
	return NULL;
}

static bool flag_opt(struct args *a, const char *s)
{
	struct att_tpm_client_opts *o = &a->o;
	bool *f = !strcmp(s, "--ecc")	     ? &o->aik_ecc
		  : !strcmp(s, "--no-log")   ? &o->no_log
		  : !strcmp(s, "--aik-pub")  ? &o->send_aik_pub
		  : !strcmp(s, "--insecure") ? &o->http.insecure_skip_verify
		  : !strcmp(s, "--aik-unrestricted") ? &o->aik_unrestricted
		  : !strcmp(s, "--wrong-challenge")  ? &o->wrong_challenge
		  : !strcmp(s, "-h") || !strcmp(s, "--help") ? &a->help
							     : NULL;
	if (f)
		*f = true;
	return f != NULL;
}

static int value_opt(struct args *a, const char *s, const char *v)
{
	if (!strcmp(s, "--pcrs"))
		return parse_pcrs(v, &a->o.pcr_mask);
	if (!strcmp(s, "--claim"))
		return add_claim(a, v);
	if (!strcmp(s, "--hold")) {
		char *end;
		long n = strtol(v, &end, 10);
		a->o.hold_seconds = (unsigned)n;
		return *end || n < 0 || n > 3600 ? -1 : 0;
	}
	if (!strcmp(s, "--bank")) {
		const struct att_tpm_hash_info *h =
		    att_tpm_hash_info_by_name(v);
		a->o.bank = h ? h->alg : 0;
		return h ? 0 : -1;
	}
	return 0;
}

/* default_state: $ATTEST_TPM_STATE, else ~/.local/state/attest/tpm. */
static int default_state(struct args *a)
{
	const char *e = getenv("ATTEST_TPM_STATE"), *home = getenv("HOME");
	if (e && *e) {
		a->o.state_dir = e;
		return 0;
	}
	if (!home)
		return -1;
	const char *parts[] = {"/.local", "/.local/state",
			       "/.local/state/attest"};
	char p[1024];
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", home, parts[i]);
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			return -1;
	}
	snprintf(a->state_buf, sizeof(a->state_buf),
		 "%s/.local/state/attest/tpm", home);
	a->o.state_dir = a->state_buf;
	return 0;
}

static int parse(struct args *a, int argc, char **argv, const char *usage)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char **dst;
		if (flag_opt(a, argv[i]))
			continue;
		if (!(dst = str_opt(a, argv[i])) || i + 1 == argc) {
			fprintf(stderr,
				"attest tpm: unknown or incomplete "
				"option '%s'\n%s",
				argv[i], usage);
			return 2;
		}
		*dst = argv[i + 1];
		if (value_opt(a, argv[i], argv[i + 1]) != 0) {
			fprintf(stderr, "attest tpm: bad value for %s: '%s'\n",
				argv[i], argv[i + 1]);
			return 2;
		}
		i++;
	}
	if (a->help) {
		fputs(usage, stdout);
		return 1;
	}
	if (!a->o.url) {
		fprintf(stderr, "attest tpm: --url is required\n%s", usage);
		return 2;
	}
	if (!a->o.state_dir && default_state(a) != 0) {
		fprintf(stderr, "attest tpm: no --state and no $HOME\n");
		return 2;
	}
	a->o.custom_claims = a->claims;
	return 0;
}

int att_cmd_tpm_enroll(int argc, char **argv)
{
	struct args a;
	struct att_diag d = {0};
	int r = parse(&a, argc, argv, usage_enroll);
	if (r)
		return r == 1 ? 0 : r;
	r = att_tpm_client_enroll(&a.o, &d);
	json_decref(a.claims);
	if (r) {
		fprintf(stderr, "attest tpm enroll: %s\n", att_diag_msg(&d));
		return 1;
	}
	printf("enrolled: AIK certificate in %s/%s\n", a.o.state_dir,
	       ATT_TPM_STATE_AIK_CERT);
	return 0;
}

int att_cmd_tpm_attest(int argc, char **argv)
{
	struct args a;
	struct att_diag d = {0};
	char *token = NULL;
	int r = parse(&a, argc, argv, usage_attest);
	if (r)
		return r == 1 ? 0 : r;
	r = att_tpm_client_attest(&a.o, &token, &d);
	json_decref(a.claims);
	if (r) {
		fprintf(stderr, "attest tpm attest: %s\n", att_diag_msg(&d));
		return 1;
	}
	printf("%s\n", token);
	free(token);
	return 0;
}
