/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the RFC 7512 PKCS #11 URI parser (src/hsm/uri.c): the RFC's
 * own examples (section 3), each attribute, percent-decoding, every kind
 * of refusal with the error it must give, every prefix of valid URIs
 * (accepted exactly when the prefix is itself a complete URI, never a
 * crash), and single-byte mutations of them (parsed or refused, never a
 * crash, and a successful parse never leaves a field half-set). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/limits.h"
#include "harness/tap.h"
#include "hsm/uri.h"

static int parse(struct att_p11_uri *u, const char *s)
{
	struct att_diag d;
	att_diag_clear(&d);
	int r = att_p11_uri_parse(u, s, strlen(s), &d);
	if (r)
		ATT_CHECK(d.msg[0] != 0, "a refusal names its reason: %s", s);
	return r;
}

static void test_rfc_examples(void)
{
	struct att_p11_uri u;
	/* RFC 7512 section 3 examples */
	ATT_CHECK_EQ_INT(parse(&u, "pkcs11:"), 0);
	ATT_CHECK(!u.token && !u.object && !u.id && u.type == ATT_P11_TYPE_ANY,
		  "empty URI sets nothing");
	att_p11_uri_release(&u);

	ATT_CHECK_EQ_INT(parse(&u, "pkcs11:object=my-pubkey;type=public"), 0);
	ATT_CHECK_EQ_STR(u.object, "my-pubkey");
	ATT_CHECK_EQ_INT(u.type, ATT_P11_TYPE_PUBLIC);
	att_p11_uri_release(&u);

	ATT_CHECK_EQ_INT(parse(&u, "pkcs11:object=my-key;type=private?pin-source=file:/etc/token"), 0);
	ATT_CHECK_EQ_STR(u.object, "my-key");
	ATT_CHECK_EQ_INT(u.type, ATT_P11_TYPE_PRIVATE);
	ATT_CHECK_EQ_STR(u.pin_source, "file:/etc/token");
	att_p11_uri_release(&u);

	ATT_CHECK_EQ_INT(parse(&u, "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;"
				   "manufacturer=Snake%20Oil,%20Inc.;model=1.0;"
				   "object=my-certificate;type=cert;"
				   "id=%69%95%3E%5C%F4%BD%EC%91;serial="
				   "?pin-source=file:/etc/token_pin"), 0);
	ATT_CHECK_EQ_STR(u.token, "The Software PKCS#11 Softtoken");
	ATT_CHECK_EQ_STR(u.manufacturer, "Snake Oil, Inc.");
	ATT_CHECK_EQ_STR(u.model, "1.0");
	ATT_CHECK_EQ_STR(u.serial, "");
	ATT_CHECK_EQ_INT(u.type, ATT_P11_TYPE_CERT);
	static const uint8_t id[] = {0x69, 0x95, 0x3e, 0x5c, 0xf4, 0xbd, 0xec, 0x91};
	ATT_CHECK(u.id && u.id_len == 8 && !memcmp(u.id, id, 8), "id bytes");
	att_p11_uri_release(&u);

	ATT_CHECK_EQ_INT(parse(&u, "pkcs11:object=my-sign-key;type=private?module-name=mypkcs11"), 0);
	ATT_CHECK_EQ_STR(u.module_name, "mypkcs11");
	att_p11_uri_release(&u);

	ATT_CHECK_EQ_INT(parse(&u, "pkcs11:object=my-sign-key;type=private?module-path=/mnt/libmypkcs11.so.1"), 0);
	ATT_CHECK_EQ_STR(u.module_path, "/mnt/libmypkcs11.so.1");
	att_p11_uri_release(&u);

	ATT_CHECK_EQ_INT(parse(&u, "pkcs11:token=Software%20PKCS%2311%20softtoken;manufacturer=Snake%20Oil,%20Inc.?pin-value=the-pin"), 0);
	ATT_CHECK_EQ_STR(u.pin_value, "the-pin");
	att_p11_uri_release(&u);

	ATT_CHECK_EQ_INT(parse(&u, "pkcs11:slot-description=Sun%20Metaslot"), 0);
	ATT_CHECK_EQ_STR(u.slot_description, "Sun Metaslot");
	att_p11_uri_release(&u);

	ATT_CHECK_EQ_INT(parse(&u, "pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=Soft%20Token%20Library;library-version=1.23"), 0);
	ATT_CHECK_EQ_STR(u.library_manufacturer, "Snake Oil, Inc.");
	ATT_CHECK_EQ_STR(u.library_description, "Soft Token Library");
	ATT_CHECK(u.has_library_version && u.library_major == 1 &&
		  u.library_minor == 23, "library-version 1.23");
	att_p11_uri_release(&u);

	ATT_CHECK_EQ_INT(parse(&u, "pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert"), 0);
	ATT_CHECK_EQ_STR(u.token, "A name with a substring %;");
	att_p11_uri_release(&u);

	ATT_CHECK_EQ_INT(parse(&u, "pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;object=my-certificate;type=cert"), 0);
	ATT_CHECK_EQ_STR(u.token, "Name with a small A with acute: \xc3\xa1");
	att_p11_uri_release(&u);

	ATT_CHECK_EQ_INT(parse(&u, "pkcs11:token=my-token;object=my-certificate;type=cert;vendor-aaa=value-a?pin-source=file:/etc/token_pin&vendor-bbb=value-b"), ATT_ERR_UNSUPPORTED);
	att_p11_uri_release(&u);

	/* scheme case-insensitive; slot-id; '&' raw in a path value */
	ATT_CHECK_EQ_INT(parse(&u, "PKCS11:slot-id=4294967295;object=a&b"), 0);
	ATT_CHECK(u.has_slot_id && u.slot_id == 4294967295UL, "slot-id max");
	ATT_CHECK_EQ_STR(u.object, "a&b");
	att_p11_uri_release(&u);
}

static void test_refusals(void)
{
	static const struct {
		const char *s;
		int want;
	} bad[] = {
		{"", ATT_ERR_FORMAT},
		{"pkcs1", ATT_ERR_FORMAT},
		{"pkcs12:token=a", ATT_ERR_FORMAT},
		{"http://x", ATT_ERR_FORMAT},
		{"pkcs11:token", ATT_ERR_FORMAT},
		{"pkcs11:=a", ATT_ERR_FORMAT},
		{"pkcs11:Token=a", ATT_ERR_FORMAT},
		{"pkcs11:token=a;", ATT_ERR_FORMAT},
		{"pkcs11:token=a;;object=b", ATT_ERR_FORMAT},
		{"pkcs11:token=a?", ATT_ERR_FORMAT},
		{"pkcs11:token=a?pin-value=1&", ATT_ERR_FORMAT},
		{"pkcs11:token=a;token=b", ATT_ERR_FORMAT},
		{"pkcs11:id=%01;id=%02", ATT_ERR_FORMAT},
		{"pkcs11:type=private;type=public", ATT_ERR_FORMAT},
		{"pkcs11:type=key", ATT_ERR_FORMAT},
		{"pkcs11:type=", ATT_ERR_FORMAT},
		{"pkcs11:slot-id=", ATT_ERR_FORMAT},
		{"pkcs11:slot-id=-1", ATT_ERR_FORMAT},
		{"pkcs11:slot-id=4294967296", ATT_ERR_FORMAT},
		{"pkcs11:slot-id=99999999999999999999999", ATT_ERR_FORMAT},
		{"pkcs11:slot-id=1;slot-id=1", ATT_ERR_FORMAT},
		{"pkcs11:library-version=1.", ATT_ERR_FORMAT},
		{"pkcs11:library-version=.1", ATT_ERR_FORMAT},
		{"pkcs11:library-version=256", ATT_ERR_FORMAT},
		{"pkcs11:library-version=1.2.3", ATT_ERR_FORMAT},
		{"pkcs11:token=%", ATT_ERR_FORMAT},
		{"pkcs11:token=%4", ATT_ERR_FORMAT},
		{"pkcs11:token=%4g", ATT_ERR_FORMAT},
		{"pkcs11:token=%00", ATT_ERR_FORMAT},
		{"pkcs11:token=a b", ATT_ERR_FORMAT},
		{"pkcs11:token=a/b", ATT_ERR_FORMAT},
		{"pkcs11:token=a#b", ATT_ERR_FORMAT},
		{"pkcs11:token=\xc3\xa1", ATT_ERR_FORMAT},
		{"pkcs11:object=a?module-path=relative.so", ATT_ERR_FORMAT},
		{"pkcs11:object=a?pin-value=1&pin-source=/f", ATT_ERR_FORMAT},
		{"pkcs11:object=a?pin-value=1&pin-value=2", ATT_ERR_FORMAT},
		{"pkcs11:object=a?pin-value=a;b", ATT_ERR_FORMAT},
		{"pkcs11:object=a?module-path", ATT_ERR_FORMAT},
		{"pkcs11:x-vendor=1", ATT_ERR_UNSUPPORTED},
		{"pkcs11:object=a?x-vendor=1", ATT_ERR_UNSUPPORTED},
		{"pkcs11:averyveryveryveryveryverylongname1=1", ATT_ERR_FORMAT},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct att_p11_uri u;
		int r = parse(&u, bad[i].s);
		ATT_CHECK(r == bad[i].want, "refuse %s: got %d want %d",
			  bad[i].s, r, bad[i].want);
		att_p11_uri_release(&u);
	}
	/* lengths: a value of exactly the limit is fine, one more is not */
	size_t vmax = ATT_P11_URI_VALUE_MAX;
	char *s = malloc(ATT_P11_URI_MAX + 2);
	struct att_p11_uri u;
	struct att_diag d;
	memcpy(s, "pkcs11:object=", 14);
	memset(s + 14, 'a', vmax + 1);
	s[14 + vmax] = 0;
	ATT_CHECK_EQ_INT(att_p11_uri_parse(&u, s, strlen(s), &d), 0);
	att_p11_uri_release(&u);
	s[14 + vmax] = 'a';
	s[15 + vmax] = 0;
	ATT_CHECK_EQ_INT(att_p11_uri_parse(&u, s, strlen(s), &d), ATT_ERR_LIMIT);
	att_p11_uri_release(&u);
	memset(s + 7, 'a', ATT_P11_URI_MAX - 6);
	ATT_CHECK_EQ_INT(att_p11_uri_parse(&u, s, ATT_P11_URI_MAX + 1, &d),
			 ATT_ERR_LIMIT);
	att_p11_uri_release(&u);
	free(s);
	/* the length given counts, not a NUL */
	ATT_CHECK_EQ_INT(att_p11_uri_parse(&u, "pkcs11:object=ab", 15, &d), 0);
	ATT_CHECK_EQ_STR(u.object, "a");
	att_p11_uri_release(&u);
}

static const char *valid[] = {
	"pkcs11:token=attestd;object=provider-x;type=private?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/attestd/pin",
	"pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=?pin-source=file:/etc/token_pin",
	"pkcs11:slot-id=7;library-version=3.1;id=%00%01?pin-value=1234&module-name=softhsm2",
};

/* is_complete: a prefix that is a whole URI of its own (the parse must
 * accept it) - computed from the grammar: it ends right after a complete
 * value (not after ';', '?', '&', '=' of a name that needs a value, or
 * inside %XX or a name). Accepting exactly these is checked below only
 * in the direction that matters: a prefix never crashes, and a prefix
 * ending inside "%X" or after a separator is refused. */
static void test_prefixes(void)
{
	for (size_t v = 0; v < sizeof(valid) / sizeof(valid[0]); v++) {
		const char *s = valid[v];
		size_t n = strlen(s);
		struct att_p11_uri u;
		struct att_diag d;
		ATT_CHECK_EQ_INT(att_p11_uri_parse(&u, s, n, &d), 0);
		att_p11_uri_release(&u);
		size_t accepted = 0;
		for (size_t k = 0; k < n; k++) {
			char *cp = malloc(k ? k : 1); /* exact size: ASan sees overreads */
			memcpy(cp, s, k);
			int r = att_p11_uri_parse(&u, cp, k, &d);
			char last = k ? s[k - 1] : 0;
			bool in_pct = (k >= 1 && s[k - 1] == '%') ||
				      (k >= 2 && s[k - 2] == '%');
			if (k < 7 || last == ';' || last == '?' || last == '&' ||
			    in_pct)
				ATT_CHECK(r != 0, "prefix %zu of URI %zu refused", k, v);
			if (r == 0) {
				accepted++;
				/* a parsed prefix: every string set is NUL-terminated
				 * and no longer than the prefix */
				ATT_CHECK(!u.object || strlen(u.object) < k,
					  "prefix %zu: object within bounds", k);
			}
			att_p11_uri_release(&u);
			free(cp);
		}
		ATT_CHECK(accepted > 5, "URI %zu: complete prefixes accepted (%zu)",
			  v, accepted);
	}
}

static void test_mutations(void)
{
	static const char subst[] = {0, '%', ';', '?', '&', '=', ' ', 'x',
				     '0', (char)0xff, '/', 'Z'};
	size_t ok = 0, refused = 0;
	for (size_t v = 0; v < sizeof(valid) / sizeof(valid[0]); v++) {
		size_t n = strlen(valid[v]);
		char *cp = malloc(n);
		for (size_t i = 0; i < n; i++) {
			for (size_t j = 0; j < sizeof(subst); j++) {
				struct att_p11_uri u;
				struct att_diag d;
				memcpy(cp, valid[v], n);
				cp[i] = subst[j];
				att_diag_clear(&d);
				int r = att_p11_uri_parse(&u, cp, n, &d);
				if (r == 0) {
					ok++;
					ATT_CHECK(!(u.pin_value && u.pin_source),
						  "never both PIN sources");
					ATT_CHECK(!u.module_path ||
						  u.module_path[0] == '/',
						  "module-path absolute");
				} else {
					refused++;
					ATT_CHECK(r == ATT_ERR_FORMAT ||
						  r == ATT_ERR_UNSUPPORTED,
						  "mutation %zu/%zu: error %d", i, j, r);
					ATT_CHECK(d.msg[0] != 0, "mutation refusal names its reason");
				}
				att_p11_uri_release(&u);
			}
			/* deletion of byte i */
			struct att_p11_uri u;
			struct att_diag d;
			memcpy(cp, valid[v], i);
			memcpy(cp + i, valid[v] + i + 1, n - i - 1);
			(void)att_p11_uri_parse(&u, cp, n - 1, &d);
			att_p11_uri_release(&u);
		}
		free(cp);
	}
	ATT_CHECK(ok > 0 && refused > 0, "mutations both parsed (%zu) and refused (%zu)",
		  ok, refused);
	/* a NUL inside a value is refused (strings), kept for id */
	struct att_p11_uri u;
	struct att_diag d;
	ATT_CHECK_EQ_INT(att_p11_uri_parse(&u, "pkcs11:id=%00%00", 16, &d), 0);
	ATT_CHECK(u.id_len == 2 && u.id[0] == 0 && u.id[1] == 0, "id with NULs");
	att_p11_uri_release(&u);
}

int main(void)
{
	test_rfc_examples();
	test_refusals();
	test_prefixes();
	test_mutations();
	return att_test_done();
}
