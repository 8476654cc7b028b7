/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: libattest's whole verifier, att_verify_attest
 * (include/attest/verify.h), on an untrusted MAA request body. The first
 * input byte picks the type (SgxEnclave, OpenEnclave, TdxVm, or an
 * unknown one) and whether a token is signed; the rest is the body. The
 * context is built once: an in-memory store holding the collateral of
 * the Intel DCAP QVL sample quote (tests/vectors, when found), verified
 * at that collateral's time, so seeds with the real quote run the whole
 * pipeline to the token. Checked on every input: JSON exactly on success,
 * an MAA code exactly on failure, and the code's status from the table
 * is one attestd can answer with.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/token.h"
#include "attest/verify.h"
#include "base/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_AT 1751328000 /* 2025-07-01T00:00:00Z */

static struct att_verify_ctx *ctx;
static struct att_token_key *key;

static const char policy[] =
	"version=1.0;\n"
	"authorizationrules { c:[type==\"x-ms-sgx-is-debuggable\"] => "
	"permit(); };\n"
	"issuancerules { c:[type==\"x-ms-sgx-mrsigner\"] => "
	"issue(type=\"signer\", value=c.value); };\n";

static void release(void)
{
	att_verify_ctx_free(ctx);
	att_token_key_free(key);
}

static int setup(void)
{
	static int done;
	struct att_verify_ctx_opts o = {.verify_time = FUZZ_AT};
	char path[2048];
	const char *td = getenv("ATT_TESTDATA_DEFAULT");
	if (done)
		return ctx && key ? 0 : -1;
	done = 1;
	att_log_set_level(ATT_LOG_ERROR);
	if (att_verify_ctx_new(&ctx, &o, NULL, 0) != 0 ||
	    att_token_key_generate(&key, "ES256", NULL, 0) != 0)
		abort();
	atexit(release);
	snprintf(path, sizeof(path),
		 "%s/sgx/collateral/dcapqvl/sgx_quote_collateral.json",
		 td ? td : "tests/vectors");
	att_verify_ctx_import(ctx, path, FUZZ_AT, NULL, 0); /* best effort */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {"SgxEnclave", "OpenEnclave",
					    "TdxVm", "SevSnp"};
	if (size < 1 || setup() != 0)
		return 0;
	struct att_verify_attest_opts o = {
		.policy = (data[0] & 4) ? policy : NULL,
		.policy_len = sizeof(policy) - 1,
		.now = FUZZ_AT,
		.explain = (data[0] & 8) != 0,
		.allow_draft = (data[0] & 16) != 0,
		.sign_key = (data[0] & 32) ? key : NULL,
		.issuer = "https://fuzz.example",
	};
	char *out = NULL;
	const char *code = NULL, *c2 = NULL;
	int rc = att_verify_attest(ctx, types[data[0] & 3], data + 1, size - 1,
				   &o, &out, &code, NULL, 0);
	if ((rc == 0) != (out != NULL) || (rc == 0) == (code != NULL))
		abort();
	if (rc) {
		int st = att_verify_http_status(rc, code, &c2);
		if ((st != 400 && st != 500 && st != 503) || strcmp(c2, code))
			abort();
	}
	att_verify_free_text(out);
	return 0;
}
