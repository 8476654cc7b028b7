/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SEV-SNP report parser and certificate-table parser: every real
 * report of tests/vectors/sevsnp/cases.json gives the fields the case
 * lists; every prefix is refused (ATT_ERR_TRUNCATED, output zeroed), a
 * longer input too (ATT_ERR_TRAILING); versions 1, 2, 3, 5 parse with the
 * optional fields of their version and others are refused; r and s are
 * the reversed low 48 bytes and non-zero high bytes are flagged; a flipped
 * byte anywhere parses to the flipped raw copy (or, in the version field,
 * is refused). Certificate tables: both GUID byte orders, DER and PEM
 * bodies, every strict prefix refused, out-of-range, overflowing,
 * overlapping, duplicate, empty, undecodable and too many entries refused.
 */
#include <stdint.h>
#include <string.h>

#include "attest/err.h"
#include "evidence/snp/snp.h"
#include "harness/tap.h"
#include "snp_vectors.h"

static uint64_t num(json_t *f, const char *k)
{
	json_t *v = json_object_get(f, k);
	if (json_is_integer(v))
		return (uint64_t)json_integer_value(v);
	return json_is_string(v) ? strtoull(json_string_value(v), NULL, 16)
				 : 0xDEADull;
}

static void check_fields(const char *id, const struct att_snp_report *r,
			 json_t *f)
{
	ATT_CHECK(r->version == num(f, "version"), "%s version", id);
	ATT_CHECK(r->guest_svn == num(f, "guest_svn"), "%s guest_svn", id);
	ATT_CHECK(r->policy == num(f, "policy"), "%s policy", id);
	ATT_CHECK(r->vmpl == num(f, "vmpl"), "%s vmpl", id);
	ATT_CHECK(r->sig_algo == num(f, "signature_algo"), "%s algo", id);
	ATT_CHECK(r->platform_info == num(f, "platform_info"), "%s pi", id);
	ATT_CHECK(ATT_SNP_SIGNER_KEY(r->signer_info) ==
		  num(f, "signing_key"), "%s signing_key", id);
	ATT_CHECK(snpv_hex_is(r->family_id, 16, snpv_str(f, "family_id")),
		  "%s family_id", id);
	ATT_CHECK(snpv_hex_is(r->image_id, 16, snpv_str(f, "image_id")),
		  "%s image_id", id);
	ATT_CHECK(snpv_hex_is(r->report_data, 64, snpv_str(f, "report_data")),
		  "%s report_data", id);
	ATT_CHECK(snpv_hex_is(r->measurement, 48, snpv_str(f, "measurement")),
		  "%s measurement", id);
	ATT_CHECK(snpv_hex_is(r->host_data, 32, snpv_str(f, "host_data")),
		  "%s host_data", id);
	ATT_CHECK(snpv_hex_is(r->id_key_digest, 48,
			      snpv_str(f, "id_key_digest")), "%s idk", id);
	ATT_CHECK(snpv_hex_is(r->author_key_digest, 48,
			      snpv_str(f, "author_key_digest")), "%s ak", id);
	ATT_CHECK(snpv_hex_is(r->report_id, 32, snpv_str(f, "report_id")),
		  "%s report_id", id);
	ATT_CHECK(snpv_hex_is(r->chip_id, 64, snpv_str(f, "chip_id")),
		  "%s chip_id", id);
	ATT_CHECK(snpv_tcb_is(r->current_tcb, snpv_str(f, "current_tcb")),
		  "%s current_tcb", id);
	ATT_CHECK(snpv_tcb_is(r->reported_tcb, snpv_str(f, "reported_tcb")),
		  "%s reported_tcb", id);
	ATT_CHECK(snpv_tcb_is(r->committed_tcb, snpv_str(f, "committed_tcb")),
		  "%s committed_tcb", id);
	ATT_CHECK(snpv_tcb_is(r->launch_tcb, snpv_str(f, "launch_tcb")),
		  "%s launch_tcb", id);
	const char *cpuid = snpv_str(f, "cpuid_fam_mod_step");
	ATT_CHECK(r->has_cpuid == (r->version >= 3), "%s has_cpuid", id);
	if (cpuid) {
		uint8_t c[3] = {r->cpuid_fam_id, r->cpuid_mod_id,
				r->cpuid_step};
		ATT_CHECK(snpv_hex_is(c, 3, cpuid), "%s cpuid", id);
	}
	/* r and s: the low 48 bytes of the 72-byte fields, reversed */
	for (size_t i = 0; i < 48; i++) {
		ATT_CHECK(r->sig_r[i] == r->raw[ATT_SNP_OFF_SIG_R + 47 - i],
			  "%s r[%zu]", id, i);
		ATT_CHECK(r->sig_s[i] == r->raw[ATT_SNP_OFF_SIG_S + 47 - i],
			  "%s s[%zu]", id, i);
	}
	ATT_CHECK(!r->sig_hi_nonzero, "%s sig_hi_nonzero", id);
}

static bool is_zeroed(const struct att_snp_report *r)
{
	static const struct att_snp_report zero;
	return memcmp(r, &zero, sizeof(zero)) == 0;
}

static void test_prefixes(const char *id, const uint8_t *rep)
{
	static struct att_snp_report r;
	static uint8_t longer[ATT_SNP_REPORT_LEN + 1];
	int bad = 0;
	for (size_t n = 0; n < ATT_SNP_REPORT_LEN; n++) {
		memset(&r, 0xA5, sizeof(r));
		if (att_snp_report_parse(&r, rep, n, NULL) !=
			    ATT_ERR_TRUNCATED || !is_zeroed(&r))
			bad++;
	}
	ATT_CHECK(bad == 0, "%s: %d prefixes not refused as truncated", id,
		  bad);
	memcpy(longer, rep, ATT_SNP_REPORT_LEN);
	ATT_CHECK_EQ_INT(att_snp_report_parse(&r, longer, sizeof(longer), NULL),
			 ATT_ERR_TRAILING);
	ATT_CHECK(is_zeroed(&r), "%s: output zeroed after TRAILING", id);
}

static void set_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void test_versions(const uint8_t *rep)
{
	static uint8_t b[ATT_SNP_REPORT_LEN];
	static struct att_snp_report r;
	struct att_diag d;
	memcpy(b, rep, sizeof(b));
	b[0x188] = 0x19;
	b[0x189] = 0x11;
	b[0x18A] = 0x01;
	b[0x1F8] = 0x42; /* launch mitigation vector */
	b[0x200] = 0x43; /* current mitigation vector */
	const uint32_t ok[] = {1, 2, 3, 5};
	for (size_t i = 0; i < 4; i++) {
		set_u32(b, ok[i]);
		ATT_CHECK_EQ_INT(att_snp_report_parse(&r, b, sizeof(b), NULL),
				 0);
		ATT_CHECK_EQ_INT(r.version, ok[i]);
		ATT_CHECK(r.has_cpuid == (ok[i] >= 3), "v%u cpuid", ok[i]);
		ATT_CHECK(r.has_mit == (ok[i] >= 5), "v%u mit", ok[i]);
		ATT_CHECK_EQ_INT(r.cpuid_mod_id, ok[i] >= 3 ? 0x11 : 0);
		ATT_CHECK_EQ_INT(r.launch_mit_vector, ok[i] >= 5 ? 0x42 : 0);
		ATT_CHECK_EQ_INT(r.current_mit_vector, ok[i] >= 5 ? 0x43 : 0);
	}
	const uint32_t bad[] = {0, 4, 6, 0xFFFFFFFFu};
	for (size_t i = 0; i < 4; i++) {
		set_u32(b, bad[i]);
		att_diag_clear(&d);
		ATT_CHECK_EQ_INT(att_snp_report_parse(&r, b, sizeof(b), &d),
				 ATT_ERR_UNSUPPORTED);
		ATT_CHECK(strstr(d.msg, "version") != NULL, "%s", d.msg);
		ATT_CHECK(is_zeroed(&r), "zeroed after v%u", bad[i]);
	}
}

static void test_sig_fields(const uint8_t *rep)
{
	static uint8_t b[ATT_SNP_REPORT_LEN];
	static struct att_snp_report r;
	memcpy(b, rep, sizeof(b));
	b[ATT_SNP_OFF_SIG_R + 48] = 1;
	ATT_CHECK_EQ_INT(att_snp_report_parse(&r, b, sizeof(b), NULL), 0);
	ATT_CHECK(r.sig_hi_nonzero, "high byte of r");
	memcpy(b, rep, sizeof(b));
	b[ATT_SNP_OFF_SIG_S + 71] = 0x80;
	ATT_CHECK_EQ_INT(att_snp_report_parse(&r, b, sizeof(b), NULL), 0);
	ATT_CHECK(r.sig_hi_nonzero, "high byte of s");
	memcpy(b, rep, sizeof(b));
	b[ATT_SNP_OFF_SIG_R] ^= 0xFF; /* least significant byte of r */
	ATT_CHECK_EQ_INT(att_snp_report_parse(&r, b, sizeof(b), NULL), 0);
	ATT_CHECK(!r.sig_hi_nonzero && r.sig_r[47] == b[ATT_SNP_OFF_SIG_R],
		  "r's low byte lands last");
}

/* Every single-byte flip parses to the flipped bytes, except in the
 * version field, where it is refused. */
static void test_flips(const uint8_t *rep)
{
	static uint8_t b[ATT_SNP_REPORT_LEN];
	static struct att_snp_report r;
	int bad = 0;
	memcpy(b, rep, sizeof(b));
	for (size_t i = 0; i < ATT_SNP_REPORT_LEN; i++) {
		b[i] ^= 0x01;
		int rc = att_snp_report_parse(&r, b, sizeof(b), NULL);
		if (i < 4 && rc == ATT_ERR_UNSUPPORTED)
			; /* a version this parser does not know */
		else if (rc != 0 || memcmp(r.raw, b, sizeof(b)) != 0)
			bad++;
		b[i] ^= 0x01;
	}
	ATT_CHECK(bad == 0, "%d byte flips parsed wrongly", bad);
}

static void test_cases(void)
{
	json_t *cases = snpv_cases();
	static uint8_t rep[ATT_SNP_REPORT_LEN];
	static struct att_snp_report r;
	size_t i;
	json_t *c;
	ATT_CHECK(json_array_size(cases) >= 6, "cases.json has %zu cases",
		  json_array_size(cases));
	json_array_foreach(cases, i, c) {
		const char *id = snpv_str(c, "id");
		struct att_diag d = {0};
		ATT_CHECK(snpv_load_report(snpv_str(c, "report"), rep) == 0,
			  "%s: report loads", id);
		ATT_CHECK_EQ_INT(att_snp_report_parse(&r, rep, sizeof(rep), &d),
				 0);
		check_fields(id, &r, json_object_get(c, "fields"));
		ATT_CHECK(memcmp(r.raw, rep, sizeof(rep)) == 0, "%s raw", id);
		test_prefixes(id, rep);
		if (i == 0) {
			test_versions(rep);
			test_sig_fields(rep);
			test_flips(rep);
		}
	}
	json_decref(cases);
}

/* ---- certificate tables ---- */

static const uint8_t guid_vcek_be[16] = {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64,
					 0x45, 0x64, 0xad, 0xc5, 0xf4, 0xb9,
					 0x3b, 0xe8, 0xac, 0xcd};
static const uint8_t guid_ask_be[16] = {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac,
					0x4f, 0xe4, 0xa0, 0x2f, 0x05, 0xae,
					0xf3, 0x27, 0xc7, 0x82};
static const uint8_t guid_ark_be[16] = {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03,
					0x49, 0x52, 0x97, 0x43, 0x3f, 0xb6,
					0x01, 0x4c, 0xd0, 0xae};
static const uint8_t guid_vlek_be[16] = {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a,
					 0x48, 0x3e, 0xaa, 0xe6, 0x39, 0xc0,
					 0x45, 0xa0, 0xb8, 0xa1};

struct tbody {
	const uint8_t *guid;
	const uint8_t *p;
	size_t n;
};

static void put_guid(uint8_t *dst, const uint8_t *be, bool le)
{
	static const uint8_t sw[16] = {3, 2, 1, 0, 5, 4, 7, 6,
				       8, 9, 10, 11, 12, 13, 14, 15};
	for (int i = 0; i < 16; i++)
		dst[i] = le ? be[sw[i]] : be[i];
}

/* A table of the bodies, packed right after the entry list. */
static size_t build_table(uint8_t *t, size_t cap, const struct tbody *b,
			  size_t n, bool le)
{
	size_t off = (n + 1) * 24;
	memset(t, 0, cap);
	for (size_t i = 0; i < n; i++) {
		put_guid(t + 24 * i, b[i].guid, le);
		set_u32(t + 24 * i + 16, (uint32_t)off);
		set_u32(t + 24 * i + 20, (uint32_t)b[i].n);
		memcpy(t + off, b[i].p, b[i].n);
		off += b[i].n;
	}
	return off;
}

static uint8_t tbl[ATT_SNP_MAX_CERT_TABLE_LEN + 64];

static void test_table_real(void)
{
	size_t vlen, plen;
	uint8_t *vcek = att_read_file(snpv_path("sevsnp/certs/"
						"gosevguest_vcek.der"), &vlen);
	uint8_t *pem = att_read_file(snpv_path("sevsnp/amd_roots/"
					       "ask_ark_milan.pem"), &plen);
	const char *mid = pem ? strstr((char *)pem, "-----END CERTIFICATE"
				       "-----") : NULL;
	ATT_CHECK(vcek && pem && mid, "certificates load");
	if (!vcek || !pem || !mid)
		goto out;
	size_t ask_len = (size_t)(mid - (char *)pem) + 26;
	struct tbody b[3] = {
		{guid_vcek_be, vcek, vlen},
		{guid_ask_be, pem, ask_len},
		{guid_ark_be, pem + ask_len, plen - ask_len},
	};
	for (int le = 0; le < 2; le++) {
		struct att_snp_cert_table t;
		struct att_diag d = {0};
		size_t n = build_table(tbl, sizeof(tbl), b, 3, le);
		ATT_CHECK_EQ_INT(att_snp_certtable_parse(&t, tbl, n, &d), 0);
		ATT_CHECK_EQ_INT(t.n, 3);
		ATT_CHECK(t.e[0].kind == ATT_SNP_CERT_VCEK && !t.e[0].pem &&
			  t.e[0].guid_big_endian == !le, "VCEK entry le=%d",
			  le);
		ATT_CHECK(t.e[1].kind == ATT_SNP_CERT_ASK && t.e[1].pem,
			  "ASK entry");
		ATT_CHECK(t.e[2].kind == ATT_SNP_CERT_ARK && t.e[2].pem,
			  "ARK entry");
		ATT_CHECK(t.e[0].body_len == vlen &&
			  memcmp(t.e[0].body, vcek, vlen) == 0, "VCEK body");
		ATT_CHECK(t.e[2].body_len == plen - ask_len, "ARK body");
		ATT_CHECK_EQ_STR(att_snp_cert_kind_name(t.e[1].kind), "ASK");
		/* the bodies decode as certificates */
		struct att_cert *x = NULL;
		ATT_CHECK_EQ_INT(att_cert_from_pem(&x, (const char *)
						   t.e[1].body,
						   t.e[1].body_len), 0);
		att_cert_free(x);
		/* every strict prefix is refused */
		int bad = 0;
		for (size_t k = 0; k < n; k++)
			if (att_snp_certtable_parse(&t, tbl, k, NULL) == 0 ||
			    t.n != 0)
				bad++;
		ATT_CHECK(bad == 0, "%d table prefixes accepted", bad);
		/* padding after the bodies is fine */
		ATT_CHECK_EQ_INT(att_snp_certtable_parse(&t, tbl, n + 64,
							 NULL), 0);
	}
out:
	free(vcek);
	free(pem);
}

static const uint8_t der_a[] = {0x30, 0x03, 0x02, 0x01, 0x01};
static const uint8_t der_b[] = {0x30, 0x03, 0x02, 0x01, 0x02};

static int parse_code(size_t len, const char *want_msg)
{
	struct att_snp_cert_table t;
	struct att_diag d = {0};
	int rc = att_snp_certtable_parse(&t, tbl, len, &d);
	if (want_msg)
		ATT_CHECK(strstr(d.msg, want_msg) != NULL, "message \"%s\" "
			  "lacks \"%s\"", d.msg, want_msg);
	ATT_CHECK(rc != 0 || t.n > 0, "empty table on success");
	return rc;
}

static void test_table_bad(void)
{
	struct tbody two[2] = {{guid_vcek_be, der_a, sizeof(der_a)},
			       {guid_ask_be, der_b, sizeof(der_b)}};
	size_t n = build_table(tbl, sizeof(tbl), two, 2, false);
	ATT_CHECK_EQ_INT(parse_code(n, NULL), 0);
	/* offset past the end, length past the end, u32 wrap */
	set_u32(tbl + 16, (uint32_t)n);
	ATT_CHECK_EQ_INT(parse_code(n, "outside"), ATT_ERR_FORMAT);
	build_table(tbl, sizeof(tbl), two, 2, false);
	set_u32(tbl + 20, 100);
	ATT_CHECK_EQ_INT(parse_code(n, "outside"), ATT_ERR_FORMAT);
	build_table(tbl, sizeof(tbl), two, 2, false);
	set_u32(tbl + 16, 0xFFFFFFF0u);
	set_u32(tbl + 20, 0x20u);
	ATT_CHECK_EQ_INT(parse_code(n, "outside"), ATT_ERR_FORMAT);
	/* a body inside the entry list */
	build_table(tbl, sizeof(tbl), two, 2, false);
	set_u32(tbl + 16, 8);
	ATT_CHECK_EQ_INT(parse_code(n, "outside"), ATT_ERR_FORMAT);
	/* overlapping bodies */
	build_table(tbl, sizeof(tbl), two, 2, false);
	set_u32(tbl + 24 + 16, 72);
	ATT_CHECK_EQ_INT(parse_code(n, "overlap"), ATT_ERR_FORMAT);
	/* duplicate kinds (one in each GUID byte order) */
	struct tbody dup[2] = {{guid_ask_be, der_a, sizeof(der_a)},
			       {guid_ask_be, der_b, sizeof(der_b)}};
	n = build_table(tbl, sizeof(tbl), dup, 2, false);
	put_guid(tbl + 24, guid_ask_be, true);
	ATT_CHECK_EQ_INT(parse_code(n, "two ASK"), ATT_ERR_FORMAT);
	/* empty entry, body neither DER nor PEM */
	n = build_table(tbl, sizeof(tbl), two, 2, false);
	set_u32(tbl + 20, 0);
	ATT_CHECK_EQ_INT(parse_code(n, "empty"), ATT_ERR_FORMAT);
	n = build_table(tbl, sizeof(tbl), two, 2, false);
	tbl[72] = 'x';
	ATT_CHECK_EQ_INT(parse_code(n, "neither DER nor PEM"), ATT_ERR_FORMAT);
	/* no terminator */
	n = build_table(tbl, sizeof(tbl), two, 2, false);
	ATT_CHECK_EQ_INT(parse_code(48, "terminator"), ATT_ERR_TRUNCATED);
	/* an unknown GUID is kept as "other", its body not judged */
	static const uint8_t other_guid[16] = {1, 2, 3};
	static const uint8_t text[] = "not a certificate";
	struct tbody oth[2] = {{other_guid, text, sizeof(text)},
			       {guid_vlek_be, der_a, sizeof(der_a)}};
	n = build_table(tbl, sizeof(tbl), oth, 2, true);
	struct att_snp_cert_table t;
	ATT_CHECK_EQ_INT(att_snp_certtable_parse(&t, tbl, n, NULL), 0);
	ATT_CHECK(t.n == 2 && t.e[0].kind == ATT_SNP_CERT_OTHER &&
		  t.e[1].kind == ATT_SNP_CERT_VLEK && !t.e[1].guid_big_endian,
		  "other + VLEK");
	/* too many entries, too long a table */
	struct tbody many[ATT_SNP_MAX_CERT_ENTRIES + 1];
	for (size_t i = 0; i <= ATT_SNP_MAX_CERT_ENTRIES; i++)
		many[i] = (struct tbody){other_guid, der_a, sizeof(der_a)};
	n = build_table(tbl, sizeof(tbl), many, ATT_SNP_MAX_CERT_ENTRIES,
			false);
	ATT_CHECK_EQ_INT(parse_code(n, NULL), 0);
	n = build_table(tbl, sizeof(tbl), many, ATT_SNP_MAX_CERT_ENTRIES + 1,
			false);
	ATT_CHECK_EQ_INT(parse_code(n, "more than"), ATT_ERR_LIMIT);
	ATT_CHECK_EQ_INT(parse_code(ATT_SNP_MAX_CERT_TABLE_LEN + 1, "limit"),
			 ATT_ERR_LIMIT);
	ATT_CHECK_EQ_INT(att_snp_certtable_parse(&t, NULL, 0, NULL),
			 ATT_ERR_TRUNCATED);
	/* only the terminator: valid, no entries */
	memset(tbl, 0, 24);
	t.n = 5;
	ATT_CHECK_EQ_INT(att_snp_certtable_parse(&t, tbl, 24, NULL), 0);
	ATT_CHECK_EQ_INT(t.n, 0);
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	test_cases();
	test_table_real();
	test_table_bad();
	return att_test_done();
}
