/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The compiled-policy cache of the attestation routes
 * (src/server/policy_cache.c) over a real SQLite store: the default when
 * nothing is stored, a stored policy used by the very next lookup, one
 * compile per stored version, references that outlive a replacement,
 * x-ms-policy-hash of the stored AttestationPolicy string, the signer of
 * a signed policy, reset to the default, a stored policy that does not
 * compile, and Tpm's missing default.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attest/err.h"
#include "codec/b64.h"
#include "crypto/cert.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"
#include "harness/tap.h"
#include "policy/defaults.h"
#include "verify/policy_cache.h"
#include "store/store.h"
#include "token/jws.h"

static char *b64url_sha256(const char *s)
{
	uint8_t h[32];
	att_sha256(h, s, strlen(s));
	return att_b64url_encode(h, sizeof(h));
}

/* put stores text as an unsigned policy JWS (or signed with key/cert). */
static void put(struct att_store *st, const char *type, const char *text,
		struct att_pkey *key, struct att_cert *cert)
{
	char *b64 = att_b64url_encode((const uint8_t *)text, strlen(text));
	json_t *pl = json_pack("{s:s}", "AttestationPolicy", b64);
	char *ps = json_dumps(pl, JSON_COMPACT), *jws = NULL, *x5c = NULL;
	int r;
	if (key) {
		att_cert_x5c_b64(&x5c, cert);
		json_t *hdr = json_pack("{s:[s]}", "x5c", x5c);
		r = att_jws_sign(&jws, hdr, ps, strlen(ps), key, ATT_JWS_RS256);
		json_decref(hdr);
	} else {
		r = att_jws_unsigned(&jws, NULL, ps, strlen(ps));
	}
	ATT_CHECK_EQ_INT(r, 0);
	char *hash = b64url_sha256(jws);
	struct att_store_policy p = {.provider = "p1", .type = (char *)type,
				     .jws = jws, .hash = hash, .updated = 1};
	struct att_diag d = {0};
	ATT_CHECK(att_store_policy_put(st, &p, NULL, &d) == 0, "put: %s",
		  att_diag_msg(&d));
	free(hash);
	free(jws);
	free(x5c);
	free(ps);
	json_decref(pl);
	free(b64);
}

static struct att_cached_policy *get(struct att_policy_cache *c,
				     struct att_store *st, const char *type,
				     enum att_policy_fail *fail)
{
	struct att_cached_policy *p = NULL;
	struct att_policy_error pe;
	struct att_diag d = {0};
	enum att_policy_fail f;
	att_policy_cache_get(c, st, "p1", type, &p, fail ? fail : &f, &pe, &d);
	return p;
}

static const char text1[] = "version=1.0; authorizationrules{=> permit();};"
			    " issuancerules{};";
static const char text2[] = "version=1.0; authorizationrules{=> deny();};"
			    " issuancerules{};";

int main(void)
{
	char path[] = "/tmp/att-polcache-XXXXXX";
	int fd = mkstemp(path);
	struct att_store *st = NULL;
	struct att_policy_cache *c = NULL;
	struct att_policy_cache_stats s;
	struct att_diag d = {0};
	ATT_CHECK(fd >= 0, "mkstemp");
	close(fd);
	ATT_CHECK_EQ_INT(att_store_open_sqlite(&st, path, &d), 0);
	struct att_store_provider pr = {.name = "p1", .base_url = "https://x",
					.mode = "aad", .key_type = "rsa"};
	ATT_CHECK_EQ_INT(att_store_provider_add(st, &pr, &d), 0);
	ATT_CHECK_EQ_INT(att_policy_cache_new(&c, 0), 0);

	/* nothing stored: the default, compiled once */
	struct att_cached_policy *a = get(c, st, "SgxEnclave", NULL);
	char want[ATT_POLICY_HASH_LEN];
	const char *def = att_policy_default_text("SgxEnclave");
	att_policy_hash(want, def, strlen(def));
	ATT_CHECK(a && a->is_default && !a->signer, "default");
	ATT_CHECK_EQ_STR(a ? a->hash : NULL, want);
	struct att_cached_policy *b = get(c, st, "SgxEnclave", NULL);
	att_policy_cache_stats(c, &s);
	ATT_CHECK(a == b && s.compiles == 1 && s.hits == 1,
		  "cached: compiles %llu hits %llu", s.compiles, s.hits);
	att_cached_policy_unref(b);

	/* a stored policy is used by the very next lookup */
	put(st, "SgxEnclave", text1, NULL, NULL);
	b = get(c, st, "SgxEnclave", NULL);
	att_policy_hash(want, text1, strlen(text1));
	ATT_CHECK(b && b != a && !b->is_default, "stored policy used");
	ATT_CHECK_EQ_STR(b ? b->hash : NULL, want);
	/* the old reference is still usable after its replacement */
	struct att_policy_result res;
	ATT_CHECK(att_policy_eval(a->policy, NULL, &res, false, &d) == 0,
		  "old policy still evaluates");
	att_policy_result_release(&res);
	att_cached_policy_unref(a);
	a = get(c, st, "SgxEnclave", NULL);
	att_policy_cache_stats(c, &s);
	ATT_CHECK(a == b && s.compiles == 2, "one compile per version");
	att_cached_policy_unref(a);
	att_cached_policy_unref(b);

	/* OpenEnclave is a separate entry (still the default) */
	a = get(c, st, "OpenEnclave", NULL);
	ATT_CHECK(a && a->is_default, "OpenEnclave default");
	att_cached_policy_unref(a);

	/* a new version replaces the old one */
	put(st, "SgxEnclave", text2, NULL, NULL);
	a = get(c, st, "SgxEnclave", NULL);
	ATT_CHECK(a && att_policy_eval(a->policy, NULL, &res, false, &d) == 0 &&
			  !res.authorized,
		  "second version (deny) in force");
	att_policy_result_release(&res);
	att_cached_policy_unref(a);

	/* a signed policy names its signer */
	struct att_pkey *key = NULL;
	struct att_cert *cert = NULL;
	ATT_CHECK_EQ_INT(att_pkey_generate(&key, ATT_KEY_RSA2048), 0);
	ATT_CHECK_EQ_INT(att_cert_self_signed(&cert, key, "signer", 0,
					      4000000000LL),
			 0);
	put(st, "SgxEnclave", text1, key, cert);
	a = get(c, st, "SgxEnclave", NULL);
	ATT_CHECK(a && a->signer &&
			  !strcmp(json_string_value(json_object_get(a->signer,
								    "kty")),
				  "RSA") &&
			  json_array_size(json_object_get(a->signer, "x5c")) ==
				  1,
		  "x-ms-policy-signer");
	att_cached_policy_unref(a);

	/* reset: the default again */
	ATT_CHECK_EQ_INT(att_store_policy_delete(st, "p1", "SgxEnclave", NULL,
						 &d),
			 0);
	a = get(c, st, "SgxEnclave", NULL);
	ATT_CHECK(a && a->is_default, "default after reset");
	att_cached_policy_unref(a);

	/* a stored policy that does not compile; Tpm has no default */
	enum att_policy_fail f = ATT_POLICY_FAIL_NONE;
	put(st, "SgxEnclave", "version=1.0; authorizationrules{", NULL, NULL);
	a = get(c, st, "SgxEnclave", &f);
	ATT_CHECK(!a && f == ATT_POLICY_FAIL_STORED, "broken stored policy");
	a = get(c, st, "Tpm", &f);
	ATT_CHECK(!a && f == ATT_POLICY_FAIL_NO_POLICY, "Tpm: no default");

	/* a draft */
	struct att_policy_error pe;
	ATT_CHECK(att_cached_policy_compile(&a, "version=1.0; x", 14, &pe,
					    &d) != 0 &&
			  pe.line == 1 && pe.column > 1,
		  "draft compile error with position");
	att_pkey_free(key);
	att_cert_free(cert);
	att_policy_cache_free(c);
	att_store_close(st);
	unlink(path);
	char aux[64];
	snprintf(aux, sizeof(aux), "%s-wal", path);
	unlink(aux);
	snprintf(aux, sizeof(aux), "%s-shm", path);
	unlink(aux);
	return att_test_done();
}
