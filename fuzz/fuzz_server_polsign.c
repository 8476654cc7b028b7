/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the JWS envelope of policy management uploads
 * (server/polsign.h): att_polsign_check under both rule sets, the policy
 * payload {"AttestationPolicy": b64url} (att_polsign_policy_text) and the
 * x-ms-policy-signer of a stored policy (att_polsign_stored_signer).
 * Input: one flag byte (bit 0: require a registered signer; bit 1: offer
 * an empty list of registered certificates; bit 2: strict binding; bit
 * 3: a reset; bits 4-5: the attestation type of the request), then the
 * upload text, which
 * is expanded first (fuzz_server_util.h) so that an input can be a JWS
 * really signed by a registered key: e.g.
 *   [[<<{"alg":"ES256","x5c":["@X5C@"]}>>.<<{"AttestationPolicy":
 *   "<<version=1.0;authorizationrules{=>permit();};>>"}>>]]
 * Registered: @X5C@ (P-256) and @X5CR@ (RSA); @X5CS@ (P-384) is not.
 * Checked: an accepted upload is unsigned only when no registered signer
 * is required, a signed one has a signer, thumbprint and JWK, and the
 * stored-signer view of an accepted text is the same JWK. The binding
 * claims of an accepted upload (att_polsign_check_binding, at a fixed
 * time) either fail with a message or hold: strict has every required
 * claim, dates are in range and within the skew; and the rollback rule
 * accepts exactly a later iat (or the same one for a no-op).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "fuzz_server_util.h"
#include "server/polsign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fz_keys keys;
static struct att_store_polcert trusted[2];
static struct fz_subst subst[3];
static bool ready;

static void teardown(void)
{
	fz_keys_release(&keys);
}

static int setup(void)
{
	static int done;
	if (done)
		return ready ? 0 : -1;
	done = 1;
	if (fz_keys_init(&keys) != 0)
		return -1;
	trusted[0] = fz_polcert(&keys.ec, "fuzz");
	trusted[1] = fz_polcert(&keys.rsa, "fuzz");
	subst[0] = (struct fz_subst){"@X5C@", keys.ec.x5c};
	subst[1] = (struct fz_subst){"@X5CR@", keys.rsa.x5c};
	subst[2] = (struct fz_subst){"@X5CS@", keys.stranger.x5c};
	atexit(teardown);
	ready = true;
	return 0;
}

static void check_accepted(const struct att_polsign *ps, const char *text,
			   size_t len, bool require)
{
	struct att_diag d = {0};
	json_t *stored = NULL;
	if (!ps->jws.header || !ps->jws.signing_input)
		abort();
	if (ps->is_signed != !att_jws_is_unsigned(&ps->jws))
		abort();
	if (!ps->is_signed) {
		if (require || ps->signer || ps->signer_jwk || ps->thumbprint[0])
			abort();
	} else if (!ps->signer || !ps->signer_jwk ||
		   strlen(ps->thumbprint) != 40) {
		abort();
	}
	/* What attestation tokens will report for this upload later. */
	if (att_polsign_stored_signer(&stored, text, len, &d) != 0)
		abort();
	if (!json_equal(stored, ps->signer_jwk) &&
	    !(stored == NULL && ps->signer_jwk == NULL))
		abort();
	json_decref(stored);
}

#define FZ_NOW 1800000000LL

static bool date_ok(bool has, int64_t v)
{
	return !has || (v >= ATT_NUMERICDATE_MIN && v <= ATT_NUMERICDATE_MAX);
}

/* check_rollback: the rule around iat against a few current values. */
static void check_rollback(int64_t iat)
{
	struct att_diag d = {0};
	if (att_polsign_check_rollback(iat, 0, false, "Tpm", &d) != 0 ||
	    (iat > 1 &&
	     att_polsign_check_rollback(iat, iat - 1, false, "Tpm", &d) != 0) ||
	    att_polsign_check_rollback(iat, iat, true, "Tpm", &d) != 0)
		abort();
	if (iat > 0 &&
	    att_polsign_check_rollback(iat, iat, false, "Tpm", &d) !=
		    ATT_ERR_REPLAY)
		abort();
	memset(&d, 0, sizeof(d));
	if (iat < ATT_NUMERICDATE_MAX &&
	    (att_polsign_check_rollback(iat, iat + 1, true, "Tpm", &d) !=
		     ATT_ERR_REPLAY ||
	     !d.msg[0]))
		abort();
}

/* check_binding runs the binding check of an accepted upload. */
static void check_binding(const struct att_polsign *ps, uint8_t flags)
{
	static const char *const types[] = {"SgxEnclave", "OpenEnclave",
					    "Tpm", "TdxVm"};
	struct att_polsign_expect e = {.type = types[(flags >> 4) & 3],
				       .issuer = "https://fuzz.example/p",
				       .now = FZ_NOW,
				       .strict = flags & 4,
				       .reset = flags & 8};
	struct att_polsign_binding b;
	struct att_diag d = {0};
	const int64_t skew = ATT_MAX_CLOCK_SKEW_SECONDS;
	int r = att_polsign_check_binding(&b, &ps->jws, &e, &d);
	if (getenv("ATT_FUZZ_DEBUG"))
		fprintf(stderr, "  binding %d type %d iat %d: %s\n", r,
			b.has_type, b.has_iat, r ? att_diag_msg(&d) : "ok");
	if (r > 0 || (r < 0 && !d.msg[0]))
		abort(); /* failures are negative and say why */
	if (r)
		return;
	if (e.strict && (!b.has_type || !b.has_iat || !(b.has_iss || b.has_aud)))
		abort();
	if (!date_ok(b.has_iat, b.iat) || !date_ok(b.has_nbf, b.nbf) ||
	    !date_ok(b.has_exp, b.exp))
		abort();
	if ((b.has_exp && b.exp <= FZ_NOW - skew) ||
	    (b.has_nbf && b.nbf > FZ_NOW + skew) ||
	    (b.has_iat && b.iat > FZ_NOW + skew))
		abort();
	if (b.has_iat)
		check_rollback(b.iat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_polsign ps;
	struct att_diag d = {0};
	size_t len = 0, plen = 0;
	char *pol = NULL;
	if (setup() != 0) {
		fprintf(stderr, "fuzz: cannot make the signing keys\n");
		abort();
	}
	if (size < 1)
		return 0;
	bool require = data[0] & 1;
	size_t n_trusted = (data[0] & 2) ? 0 : 2;
	char *text = fz_expand_all(&keys, subst, 3, (const char *)data + 1,
				   size - 1, &len);
	if (!text)
		return 0;
	int r = att_polsign_check(&ps, text, len, require, trusted, n_trusted,
				  &d);
	if (getenv("ATT_FUZZ_DEBUG"))
		fprintf(stderr, "polsign %d signed %d: %s\n", r, ps.is_signed,
			r ? att_diag_msg(&d) : ps.thumbprint);
	if (r == 0) {
		check_accepted(&ps, text, len, require);
		check_binding(&ps, data[0]);
		if (att_polsign_policy_text(&pol, &plen, &ps.jws, &d) == 0 &&
		    (!pol || pol[plen] != 0))
			abort();
		free(pol);
	} else if (r > 0 || !att_diag_msg(&d)[0]) {
		abort(); /* failures are negative and say why */
	} else {
		/* Whatever failed, the stored-signer view must not crash. */
		json_t *s = NULL;
		struct att_diag d2 = {0};
		att_polsign_stored_signer(&s, text, len, &d2);
		json_decref(s);
	}
	att_polsign_release(&ps);
	free(text);
	return 0;
}
