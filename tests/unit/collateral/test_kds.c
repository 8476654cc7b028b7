/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AMD KDS items without network: the AMD extensions of every real VCEK and
 * VLEK of tests/vectors/sevsnp against cases.json (product, hwID, TCB),
 * DER and PEM alike; store keys, KDS URLs (Turin's fmcSPL and 8-byte
 * hwID) and descriptions; the cert_chain form checks on every real chain
 * (exactly two, ASK/ASVK then ARK, names of one product) and their
 * refusals; CRLs issued by an "ARK-" name or not; a KDS answer that is
 * another item (ATT_ERR_MISMATCH); every truncation and single-byte
 * mutations of a VCEK and a chain; recognition for the offline import;
 * the store envelope round trip and a damaged row; and the import of the
 * vector directory read back by an offline client with no network.
 */
#include "kds_test.h"
#include "collateral/service.h"
#include "store/store.h"

static uint8_t *rd(const char *rel, size_t *len)
{
	return att_read_file(td_path(rel), len);
}

static int64_t now_fixed;

/* ---- VCEK / VLEK extensions against cases.json ---- */

static void test_vek_cases(void)
{
	json_t *cases = json_load_file(td_path("sevsnp/cases.json"), 0, NULL);
	size_t i, seen = 0;
	json_t *c;
	ATT_CHECK(json_is_array(cases), "cases.json");
	json_array_foreach(cases, i, c) {
		const char *rel = jstr(c, "vek_cert");
		json_t *f = json_object_get(c, "fields");
		json_t *x = json_object_get(c, "vek_tcb_ext");
		if (!rel || !f || !x)
			continue;
		size_t len = 0;
		uint8_t *raw = rd(rel, &len);
		struct att_kds_item it, two[2];
		struct att_diag d = {0};
		int rc;
		if (raw && raw[0] == '-') {
			/* Azure's vcek.pem: VCEK, ASK, ARK */
			rc = att_kds_classify(two, raw, len, &d);
			ATT_CHECK(rc == 2 && two[1].spec.kind ==
					  ATT_KDS_ITEM_VCEK_CHAIN,
				  "%s: VEK and chain: %d %s", rel, rc, d.msg);
			it = two[0];
			att_kds_item_release(&two[1]);
			rc = rc == 2 ? 0 : ATT_ERR_FORMAT;
		} else {
			rc = att_kds_parse_cert(&it, raw, len, &d);
		}
		ATT_CHECK(rc == 0, "%s: %s", rel, att_diag_msg(&d));
		if (rc) {
			free(raw);
			continue;
		}
		seen++;
		bool vlek = json_integer_value(json_object_get(f, "signing_key"))
			    == 1;
		ATT_CHECK_EQ_INT(it.spec.kind, vlek ? ATT_KDS_ITEM_VLEK
						    : ATT_KDS_ITEM_VCEK);
		ATT_CHECK_EQ_INT(it.spec.product, ATT_SNP_MILAN);
		ATT_CHECK_EQ_INT(it.spec.tcb.bl,
				 json_integer_value(json_object_get(x, "bl")));
		ATT_CHECK_EQ_INT(it.spec.tcb.tee,
				 json_integer_value(json_object_get(x, "tee")));
		ATT_CHECK_EQ_INT(it.spec.tcb.snp,
				 json_integer_value(json_object_get(x, "snp")));
		ATT_CHECK_EQ_INT(it.spec.tcb.ucode,
				 json_integer_value(json_object_get(x, "ucode")));
		bool valid = strcmp(jstr(c, "expected"), "VALID") == 0;
		if (!vlek && valid) {
			uint8_t chip[64];
			ATT_CHECK(kt_chip(chip, jstr(f, "chip_id")) == 0, "chip");
			ATT_CHECK_EQ_INT(it.spec.hwid_len, 64);
			ATT_CHECK(memcmp(it.spec.hwid, chip, 64) == 0,
				  "%s: hwID is the report's CHIP_ID", rel);
			/* the report asks KDS for exactly this item */
			struct att_kds_spec want;
			struct att_kds_item again;
			uint64_t tcb = kt_tcb_from_hex(jstr(f, "reported_tcb"));
			ATT_CHECK(att_kds_spec_vcek(&want, ATT_SNP_MILAN, chip,
						    tcb) == 0, "spec");
			rc = att_kds_parse_response(&again, &want, it.body,
						    it.body_len, &d);
			ATT_CHECK(rc == 0, "%s as the answer: %s", rel,
				  att_diag_msg(&d));
			char k1[ATT_KDS_KEY_LEN], k2[ATT_KDS_KEY_LEN];
			att_kds_item_key(&want, k1, sizeof(k1));
			att_kds_item_key(&it.spec, k2, sizeof(k2));
			ATT_CHECK_EQ_STR(k1, k2);
			att_kds_item_release(&again);
		}
		/* the body kept is the DER as received */
		ATT_CHECK((it.body_len == len &&
			   memcmp(it.body, raw, len) == 0) || raw[0] == '-',
			  "%s: DER body kept", rel);
		att_kds_item_release(&it);
		free(raw);
	}
	ATT_CHECK(seen >= 6, "VEK certificates read: %zu", seen);
	json_decref(cases);
}

static void test_vek_details(void)
{
	size_t len = 0;
	uint8_t *raw = rd("sevsnp/certs/virtee_vcek_turin.der", &len);
	struct att_kds_item it;
	struct att_diag d = {0};
	char key[ATT_KDS_KEY_LEN], url[512], what[160];
	int rc = att_kds_parse_cert(&it, raw, len, &d);
	ATT_CHECK(rc == 0, "Turin VCEK: %s", att_diag_msg(&d));
	ATT_CHECK_EQ_INT(it.spec.product, ATT_SNP_TURIN);
	ATT_CHECK_EQ_INT(it.spec.hwid_len, 8);
	ATT_CHECK_EQ_INT(it.spec.tcb.ucode, 9);
	ATT_CHECK(it.spec.tcb.has_fmc && it.spec.tcb.fmc == 0, "fmc");
	att_kds_item_key(&it.spec, key, sizeof(key));
	ATT_CHECK_EQ_STR(key, "kds/vcek/Turin/1e550a8ee5cf9f4d/0000000000000009");
	ATT_CHECK(att_kds_item_url(url, sizeof(url), "https://kds.test",
				   &it.spec) == 0, "url");
	ATT_CHECK_EQ_STR(url, "https://kds.test/vcek/v1/Turin/1e550a8ee5cf9f4d"
			      "?fmcSPL=0&blSPL=0&teeSPL=0&snpSPL=0&ucodeSPL=9");
	att_kds_item_what(&it.spec, what, sizeof(what));
	ATT_CHECK_EQ_STR(what, "VCEK for Turin chip 1e550a8ee5cf9f4d TCB fmc 0 "
			       "bl 0 tee 0 snp 0 ucode 9");
	/* a Turin report's 64-byte CHIP_ID: only the first 8 bytes count */
	uint8_t chip[64];
	memset(chip, 0xEE, sizeof(chip));
	memcpy(chip, it.spec.hwid, 8);
	struct att_kds_spec s;
	ATT_CHECK(att_kds_spec_vcek(&s, ATT_SNP_TURIN, chip,
				    it.spec.tcb.raw) == 0, "turin spec");
	att_kds_item_key(&s, url, sizeof(url));
	ATT_CHECK_EQ_STR(url, key);
	att_kds_item_release(&it);
	free(raw);

	/* Milan: key, URL, what; reserved TCB bytes never reach the key */
	uint8_t mchip[64];
	ATT_CHECK(kt_chip(mchip, KT_GOSEV_CHIP) == 0, "chip");
	ATT_CHECK(att_kds_spec_vcek(&s, ATT_SNP_MILAN, mchip,
				    KT_GOSEV_TCB | 0x0000AA0000000000ull) == 0,
		  "milan spec");
	att_kds_item_key(&s, key, sizeof(key));
	ATT_CHECK_EQ_STR(key, "kds/vcek/Milan/" KT_GOSEV_CHIP "/0200000000000544");
	ATT_CHECK(att_kds_item_url(url, sizeof(url), "https://kdsintf.amd.com",
				   &s) == 0, "url");
	ATT_CHECK_EQ_STR(url, "https://kdsintf.amd.com/vcek/v1/Milan/"
			      KT_GOSEV_CHIP "?blSPL=2&teeSPL=0&snpSPL=5"
			      "&ucodeSPL=68");
	ATT_CHECK(att_kds_item_url(url, 40, "https://kdsintf.amd.com", &s) ==
			  ATT_ERR_LIMIT, "short URL buffer");
	att_kds_item_what(&s, what, sizeof(what));
	ATT_CHECK_EQ_STR(what, "VCEK for Milan chip 3ac3fe21... TCB bl 2 tee 0 "
			       "snp 5 ucode 68");
	ATT_CHECK(att_kds_spec_vcek(&s, ATT_SNP_PRODUCT_UNKNOWN, mchip, 0) ==
			  ATT_ERR_INVALID_ARG, "unknown product");
	static const struct {
		enum att_kds_item_kind k;
		enum att_snp_product p;
		const char *key, *path;
	} routes[] = {
		{ATT_KDS_ITEM_VCEK_CHAIN, ATT_SNP_MILAN, "kds/vcek/Milan/cert_chain",
		 "/vcek/v1/Milan/cert_chain"},
		{ATT_KDS_ITEM_VLEK_CHAIN, ATT_SNP_GENOA, "kds/vlek/Genoa/cert_chain",
		 "/vlek/v1/Genoa/cert_chain"},
		{ATT_KDS_ITEM_VCEK_CRL, ATT_SNP_TURIN, "kds/vcek/Turin/crl",
		 "/vcek/v1/Turin/crl"},
		{ATT_KDS_ITEM_VLEK_CRL, ATT_SNP_MILAN, "kds/vlek/Milan/crl",
		 "/vlek/v1/Milan/crl"},
	};
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		char want[128];
		ATT_CHECK(att_kds_spec_of(&s, routes[i].k, routes[i].p) == 0,
			  "spec_of");
		att_kds_item_key(&s, key, sizeof(key));
		ATT_CHECK_EQ_STR(key, routes[i].key);
		snprintf(want, sizeof(want), "https://m%s", routes[i].path);
		ATT_CHECK(att_kds_item_url(url, sizeof(url), "https://m", &s) ==
				  0 && strcmp(url, want) == 0, "%s", url);
	}
	ATT_CHECK(att_kds_spec_of(&s, ATT_KDS_ITEM_VCEK, ATT_SNP_MILAN) ==
			  ATT_ERR_INVALID_ARG, "spec_of VCEK refused");

	/* VLEK: CSP ID, no hwID, never fetched */
	raw = rd("sevsnp/certs/trustee_test-vlek.der", &len);
	struct att_kds_vek_info vi;
	struct att_cert *c = NULL;
	ATT_CHECK(att_x509_from_der(&c, raw, len) == 0, "vlek der");
	ATT_CHECK(att_kds_vek_info(&vi, c, &d) == 0, "vlek info: %s",
		  att_diag_msg(&d));
	ATT_CHECK(vi.vlek && vi.hwid_len == 0, "VLEK, no hwID");
	ATT_CHECK(strstr(vi.csp_id, "amazonaws.com") != NULL, "csp %s",
		  vi.csp_id);
	ATT_CHECK_EQ_STR(vi.product_name, "Milan");
	ATT_CHECK(att_kds_parse_cert(&it, raw, len, &d) == 0, "vlek item");
	ATT_CHECK(att_kds_item_url(url, sizeof(url), "https://m", &it.spec) ==
			  ATT_ERR_UNSUPPORTED, "VLEK has no KDS URL");
	att_kds_item_key(&it.spec, key, sizeof(key));
	ATT_CHECK_EQ_STR(key, "kds/vlek/Milan/vlek/04000000000018d9");
	att_kds_item_release(&it);
	att_cert_free(c);
	free(raw);

	/* an ASK is no VEK */
	raw = rd("sevsnp/amd_roots/ask_ark_milan.pem", &len);
	struct att_diag d2 = {0};
	ATT_CHECK(att_x509_from_pem(&c, (char *)raw, len) == 0, "ask");
	ATT_CHECK(att_kds_vek_info(&vi, c, &d2) == ATT_ERR_UNSUPPORTED &&
			  strstr(d2.msg, "SEV-Milan"), "ASK refused: %s", d2.msg);
	att_cert_free(c);
	free(raw);
}

/* The same VCEK as PEM gives the same item with the DER as body. */
static void test_vek_pem(void)
{
	size_t len = 0;
	uint8_t *der = rd("sevsnp/certs/gosevguest_vcek.der", &len);
	struct att_cert *c = NULL;
	char *pem = NULL;
	struct att_kds_item a, b;
	struct att_diag d = {0};
	ATT_CHECK(att_x509_from_der(&c, der, len) == 0 &&
			  att_cert_to_pem(&pem, c) == 0, "to pem");
	ATT_CHECK(att_kds_parse_cert(&a, der, len, &d) == 0, "der");
	ATT_CHECK(att_kds_parse_cert(&b, (uint8_t *)pem, strlen(pem), &d) == 0,
		  "pem: %s", att_diag_msg(&d));
	ATT_CHECK(a.body_len == b.body_len &&
			  memcmp(a.body, b.body, a.body_len) == 0,
		  "same DER body");
	ATT_CHECK_EQ_INT(a.valid_until, b.valid_until);
	ATT_CHECK_EQ_INT(a.valid_until, t_of("2029-09-24T00:55:28Z"));
	att_kds_item_release(&a);
	att_kds_item_release(&b);
	/* two certificates in a "VCEK" PEM: refused */
	size_t n = strlen(pem);
	char *two = malloc(2 * n + 1);
	memcpy(two, pem, n);
	memcpy(two + n, pem, n + 1);
	struct att_diag d2 = {0};
	ATT_CHECK(att_kds_parse_cert(&a, (uint8_t *)two, 2 * n, &d2) ==
			  ATT_ERR_FORMAT, "two PEM certs: %s", d2.msg);
	free(two);
	free(pem);
	att_cert_free(c);
	free(der);
}

/* ---- chains ---- */

static void test_chains(void)
{
	static const struct {
		const char *file;
		enum att_kds_item_kind kind;
		enum att_snp_product p;
	} chains[] = {
		{"ask_ark_milan.pem", ATT_KDS_ITEM_VCEK_CHAIN, ATT_SNP_MILAN},
		{"ask_ark_milan_vlek.pem", ATT_KDS_ITEM_VLEK_CHAIN, ATT_SNP_MILAN},
		{"ask_ark_genoa.pem", ATT_KDS_ITEM_VCEK_CHAIN, ATT_SNP_GENOA},
		{"ask_ark_genoa_vlek.pem", ATT_KDS_ITEM_VLEK_CHAIN, ATT_SNP_GENOA},
		{"ask_ark_turin_vcek.pem", ATT_KDS_ITEM_VCEK_CHAIN, ATT_SNP_TURIN},
		{"ask_ark_turin_vlek.pem", ATT_KDS_ITEM_VLEK_CHAIN, ATT_SNP_TURIN},
		{"virtee_cert_chain_milan.pem", ATT_KDS_ITEM_VCEK_CHAIN,
		 ATT_SNP_MILAN},
		{"virtee_cert_chain_turin.pem", ATT_KDS_ITEM_VCEK_CHAIN,
		 ATT_SNP_TURIN},
	};
	char rel[256];
	for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		size_t len = 0;
		snprintf(rel, sizeof(rel), "sevsnp/amd_roots/%s", chains[i].file);
		uint8_t *raw = rd(rel, &len);
		struct att_kds_item it;
		struct att_kds_spec want;
		struct att_diag d = {0};
		int rc = att_kds_parse_chain(&it, raw, len, &d);
		ATT_CHECK(rc == 0, "%s: %s", rel, att_diag_msg(&d));
		ATT_CHECK(rc == 0 && it.spec.kind == chains[i].kind &&
				  it.spec.product == chains[i].p,
			  "%s: kind %d product %d", rel, it.spec.kind,
			  it.spec.product);
		ATT_CHECK(rc == 0 && it.chain[0] && it.chain[1] &&
				  it.valid_until > t_of("2040-01-01T00:00:00Z"),
			  "%s: two certs valid for years", rel);
		att_kds_item_release(&it);
		/* as the answer for the other kind: mismatch */
		att_kds_spec_of(&want, chains[i].kind == ATT_KDS_ITEM_VCEK_CHAIN
					       ? ATT_KDS_ITEM_VLEK_CHAIN
					       : ATT_KDS_ITEM_VCEK_CHAIN,
				chains[i].p);
		struct att_diag d2 = {0};
		ATT_CHECK(att_kds_parse_response(&it, &want, raw, len, &d2) ==
				  ATT_ERR_MISMATCH && strstr(d2.msg, "asked for"),
			  "%s as the other kind: %s", rel, d2.msg);
		free(raw);
	}

	/* one certificate, three, reversed, mixed products */
	size_t ml = 0, gl = 0;
	char *m = (char *)rd("sevsnp/amd_roots/ask_ark_milan.pem", &ml);
	char *g = (char *)rd("sevsnp/amd_roots/ask_ark_genoa.pem", &gl);
	char *end1 = strstr(m, "-----END CERTIFICATE-----");
	size_t first_len = (size_t)(end1 - m) + 26;
	struct att_kds_item it;
	struct att_diag d = {0};
	ATT_CHECK(att_kds_parse_chain(&it, (uint8_t *)m, first_len, &d) ==
			  ATT_ERR_FORMAT && strstr(d.msg, "1 PEM"),
		  "one cert: %s", d.msg);
	char buf[16384];
	snprintf(buf, sizeof(buf), "%s%s", m, g);
	memset(&d, 0, sizeof(d));
	ATT_CHECK(att_kds_parse_chain(&it, (uint8_t *)buf, strlen(buf), &d) ==
			  ATT_ERR_FORMAT && strstr(d.msg, "more than 2"),
		  "four certs: %s", d.msg);
	snprintf(buf, sizeof(buf), "%s%.*s", m + first_len, (int)first_len, m);
	memset(&d, 0, sizeof(d));
	ATT_CHECK(att_kds_parse_chain(&it, (uint8_t *)buf, strlen(buf), &d) ==
			  ATT_ERR_FORMAT && strstr(d.msg, "ARK"),
		  "reversed: %s", d.msg);
	char *gend = strstr(g, "-----END CERTIFICATE-----");
	size_t gfirst = (size_t)(gend - g) + 26;
	snprintf(buf, sizeof(buf), "%.*s%s", (int)gfirst, g, m + first_len);
	memset(&d, 0, sizeof(d));
	ATT_CHECK(att_kds_parse_chain(&it, (uint8_t *)buf, strlen(buf), &d) ==
			  ATT_ERR_FORMAT && strstr(d.msg, "SEV-Genoa"),
		  "Genoa ASK under Milan ARK: %s", d.msg);
	free(m);
	free(g);
}

/* ---- CRLs ---- */

static void test_crls(void)
{
	uint8_t *der = NULL, *other = NULL;
	size_t len = 0, olen = 0;
	struct att_kds_item it;
	struct att_kds_spec want;
	struct att_diag d = {0};
	ATT_CHECK(kt_make_crl(&der, &len, "ARK-Genoa", now_fixed, 7 * 86400) ==
			  0, "make crl");
	ATT_CHECK(att_kds_parse_crl(&it, der, len, true, &d) == 0, "crl: %s",
		  att_diag_msg(&d));
	ATT_CHECK(it.spec.kind == ATT_KDS_ITEM_VLEK_CRL &&
			  it.spec.product == ATT_SNP_GENOA && it.crl,
		  "VLEK CRL of Genoa");
	ATT_CHECK_EQ_INT(it.valid_until, now_fixed + 7 * 86400);
	att_kds_item_release(&it);
	att_kds_spec_of(&want, ATT_KDS_ITEM_VCEK_CRL, ATT_SNP_MILAN);
	ATT_CHECK(att_kds_parse_response(&it, &want, der, len, &d) ==
			  ATT_ERR_MISMATCH, "Genoa CRL for Milan");
	struct att_kds_item two[2];
	ATT_CHECK_EQ_INT(att_kds_classify(two, der, len, &d), 1);
	ATT_CHECK_EQ_INT(two[0].spec.kind, ATT_KDS_ITEM_VCEK_CRL);
	att_kds_item_release(&two[0]);
	/* PEM accepted */
	char *pem = NULL;
	ATT_CHECK(att_crl_der_to_pem(&pem, der, len) == 0, "pem");
	ATT_CHECK(att_kds_parse_crl(&it, (uint8_t *)pem, strlen(pem), false,
				    &d) == 0 && it.body_len == len &&
			  memcmp(it.body, der, len) == 0,
		  "PEM CRL stored as its DER");
	att_kds_item_release(&it);
	ATT_CHECK_EQ_INT(att_kds_classify(two, (uint8_t *)pem, strlen(pem), &d),
			 1);
	att_kds_item_release(&two[0]);
	free(pem);
	/* not an ARK's */
	ATT_CHECK(kt_make_crl(&other, &olen, "Intel SGX Root CA", now_fixed,
			      86400) == 0, "other crl");
	struct att_diag d2 = {0};
	ATT_CHECK(att_kds_parse_crl(&it, other, olen, false, &d2) ==
			  ATT_ERR_FORMAT && strstr(d2.msg, "not an AMD ARK"),
		  "Intel CRL: %s", d2.msg);
	ATT_CHECK_EQ_INT(att_kds_classify(two, other, olen, &d2), 0);
	/* every prefix of the CRL is refused */
	size_t bad = 0;
	for (size_t n = 0; n < len; n++) {
		struct att_diag dn = {0};
		bad += att_kds_parse_crl(&it, der, n, false, &dn) != 0;
	}
	ATT_CHECK_EQ_INT(bad, len);
	free(der);
	free(other);
}

/* ---- truncation and mutation ---- */

static void test_truncation_mutation(void)
{
	size_t len = 0, clen = 0;
	uint8_t *der = rd("sevsnp/certs/trustee_test-vcek.der", &len);
	uint8_t *ch = rd("sevsnp/amd_roots/ask_ark_milan.pem", &clen);
	struct att_kds_item it;
	size_t refused = 0;
	for (size_t n = 0; n < len; n++) {
		struct att_diag d = {0};
		int rc = att_kds_parse_cert(&it, der, n, &d);
		refused += rc < 0;
		if (rc == 0)
			att_kds_item_release(&it);
	}
	ATT_CHECK_EQ_INT(refused, len);
	/* a chain cut anywhere before its second END line is refused */
	const char *last = NULL;
	for (const char *p = (char *)ch; (p = strstr(p, "-----END CERTIFICATE"));
	     p++)
		last = p;
	size_t need = (size_t)(last - (char *)ch) + 25;
	refused = 0;
	for (size_t n = 0; n < need; n++) {
		struct att_diag d = {0};
		int rc = att_kds_parse_chain(&it, ch, n, &d);
		refused += rc < 0;
		if (rc == 0)
			att_kds_item_release(&it);
	}
	ATT_CHECK_EQ_INT(refused, need);
	/* every single-byte change of the VCEK: refused, or kept exactly */
	size_t kept = 0, bad_kept = 0;
	refused = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t save = der[i];
		der[i] ^= (uint8_t)(1u << (i % 8));
		struct att_diag d = {0};
		int rc = att_kds_parse_cert(&it, der, len, &d);
		if (rc == 0) {
			kept++;
			bad_kept += it.body_len != len ||
				    memcmp(it.body, der, len) != 0;
			att_kds_item_release(&it);
		} else {
			refused++;
		}
		der[i] = save;
	}
	ATT_CHECK(refused > 0 && kept > 0, "mutations: %zu refused, %zu kept",
		  refused, kept);
	ATT_CHECK_EQ_INT(bad_kept, 0);
	/* a changed TCB byte of the extension is a different item */
	struct att_kds_spec want;
	uint8_t chip[64];
	struct att_kds_item orig;
	struct att_diag d = {0};
	ATT_CHECK(att_kds_parse_cert(&orig, der, len, &d) == 0, "orig");
	memcpy(chip, orig.spec.hwid, 64);
	ATT_CHECK(att_kds_spec_vcek(&want, ATT_SNP_MILAN, chip,
				    orig.spec.tcb.raw + (1ull << 48)) == 0,
		  "spec snp+1");
	ATT_CHECK(att_kds_parse_response(&it, &want, der, len, &d) ==
			  ATT_ERR_MISMATCH && strstr(d.msg, "snp 9"),
		  "other TCB: %s", d.msg);
	chip[0] ^= 1;
	att_kds_spec_vcek(&want, ATT_SNP_MILAN, chip, orig.spec.tcb.raw);
	memset(&d, 0, sizeof(d));
	ATT_CHECK(att_kds_parse_response(&it, &want, der, len, &d) ==
			  ATT_ERR_MISMATCH, "other chip: %s", d.msg);
	att_kds_item_release(&orig);
	/* limits */
	uint8_t *big = calloc(1, ATT_SNP_MAX_CERT_LEN + 1);
	memset(&d, 0, sizeof(d));
	ATT_CHECK(att_kds_parse_cert(&it, big, ATT_SNP_MAX_CERT_LEN + 1, &d) ==
			  ATT_ERR_LIMIT, "oversized cert");
	free(big);
	free(der);
	free(ch);
}

/* ---- recognition ---- */

static void test_classify(void)
{
	static const struct {
		const char *rel;
		int want;
		enum att_kds_item_kind kind;
	} files[] = {
		{"sevsnp/certs/gosevguest_vcek.der", 1, ATT_KDS_ITEM_VCEK},
		{"sevsnp/certs/trustee_test-vlek.der", 1, ATT_KDS_ITEM_VLEK},
		{"sevsnp/certs/virtee_vcek_turin.der", 1, ATT_KDS_ITEM_VCEK},
		{"sevsnp/amd_roots/ask_ark_turin_vlek.pem", 1,
		 ATT_KDS_ITEM_VLEK_CHAIN},
		{"sevsnp/reports/gosevguest_attestation.bin", 0, 0},
		{"sevsnp/cases.json", 0, 0},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t len = 0;
		uint8_t *raw = rd(files[i].rel, &len);
		struct att_kds_item it[2];
		struct att_diag d = {0};
		int rc = att_kds_classify(it, raw, len, &d);
		ATT_CHECK(rc == files[i].want, "%s: %d (%s)", files[i].rel, rc,
			  d.msg);
		if (rc == 1)
			ATT_CHECK_EQ_INT(it[0].spec.kind, files[i].kind);
		att_kds_item_release(&it[0]);
		free(raw);
	}
	/* an Intel chain is not AMD collateral; a VCEK with a broken
	 * extension is AMD collateral and malformed */
	struct att_pkey *k = NULL;
	struct att_cert *c = NULL;
	struct att_cert_name_attr cn[] = {{"CN", "SEV-VCEK"}};
	static const uint8_t bad_name[] = {0x02, 0x01, 0x05};
	struct att_cert_raw_ext ext[] = {
		{"1.3.6.1.4.1.3704.1.2", bad_name, sizeof(bad_name), false, true},
	};
	struct att_cert_spec s = {
		.subject = cn, .n_subject = 1, .not_before = now_fixed,
		.not_after = now_fixed + 86400, .raw = ext, .n_raw = 1,
	};
	uint8_t *der = NULL;
	size_t dlen = 0;
	ATT_CHECK(att_pkey_generate(&k, ATT_KEY_EC_P256) == 0, "key");
	s.signing_key = s.subject_key = k;
	ATT_CHECK(att_cert_build(&c, &s) == 0 &&
			  att_cert_to_der(&der, &dlen, c) == 0, "bad vcek");
	struct att_kds_item it[2];
	struct att_diag d = {0};
	ATT_CHECK(att_kds_classify(it, der, dlen, &d) == ATT_ERR_FORMAT &&
			  strstr(d.msg, "productName"),
		  "bad productName: %s", d.msg);
	free(der);
	att_cert_free(c);
	att_pkey_free(k);
}

/* ---- store rows and the offline import ---- */

static void test_store_and_import(const char *dir)
{
	char db[512], rows[600];
	struct att_store *st = NULL;
	struct att_diag d = {0};
	snprintf(db, sizeof(db), "%s/kds.db", dir);
	ATT_CHECK(att_store_open_sqlite(&st, db, &d) == 0, "store: %s",
		  att_diag_msg(&d));
	if (!st)
		return;
	size_t len = 0;
	uint8_t *raw = rd("sevsnp/certs/gosevguest_vcek.der", &len);
	struct att_kds_item it, back;
	int64_t fetched = 0;
	ATT_CHECK(att_kds_parse_cert(&it, raw, len, &d) == 0, "parse");
	ATT_CHECK(att_kds_item_put(st, &it, 1000, "test", &d) == 0, "put");
	ATT_CHECK(att_kds_item_get(st, &it.spec, &back, &fetched, &d) == 0,
		  "get: %s", att_diag_msg(&d));
	ATT_CHECK(back.body_len == len && memcmp(back.body, raw, len) == 0 &&
			  fetched == 1000, "round trip");
	att_kds_item_release(&back);
	struct att_kds_spec other = it.spec;
	other.tcb.snp++;
	other.tcb.raw = att_snp_tcb_encode(&other.tcb, ATT_SNP_MILAN);
	ATT_CHECK(att_kds_item_get(st, &other, &back, NULL, &d) ==
			  ATT_ERR_NOT_FOUND, "other TCB not stored");
	/* a damaged row (another item filed under the key) is refused */
	char key[ATT_KDS_KEY_LEN];
	att_kds_item_key(&other, key, sizeof(key));
	snprintf(rows, sizeof(rows), "{\"v\":1,\"kind\":\"kds_vcek\",\"enc\":"
		 "\"hex\",\"body\":\"3082\"}");
	struct att_store_collateral row = {
		.key = key, .body = (uint8_t *)rows, .body_len = strlen(rows),
	};
	ATT_CHECK(att_store_collateral_put(st, &row, &d) == 0, "put raw");
	struct att_diag d2 = {0};
	ATT_CHECK(att_kds_item_get(st, &other, &back, NULL, &d2) ==
			  ATT_ERR_FORMAT && strstr(d2.msg, "damaged"),
		  "damaged: %s", d2.msg);
	att_kds_item_release(&it);
	free(raw);

	/* import the whole sevsnp vector tree, then an offline client */
	struct att_collateral_import_report rep = {0};
	memset(&d, 0, sizeof(d));
	int rc = att_collateral_import_path_ex(st, td_path("sevsnp"), now_fixed,
					       &rep, &d);
	ATT_CHECK(rc == 0, "import: %s", att_diag_msg(&d));
	/* 6 distinct VEKs (two of them invalid test certs), 6 chains */
	ATT_CHECK(rep.items >= 12, "items %zu", rep.items);
	ATT_CHECK(rep.skipped >= 4, "skipped %zu", rep.skipped);
	struct att_kds *k = NULL;
	struct att_kds_opts o = {.store = st, .offline = true};
	ATT_CHECK(att_kds_new(&k, &o, &d) == 0, "kds");
	uint8_t chip[64];
	kt_chip(chip, KT_GOSEV_CHIP);
	struct att_kds_collateral col;
	memset(&d, 0, sizeof(d));
	rc = att_kds_collateral(k, ATT_SNP_MILAN, ATT_SNP_KEY_VCEK, chip,
				KT_GOSEV_TCB, 0, t_of("2024-01-01T00:00:00Z"),
				&col, &d);
	ATT_CHECK(rc == 0 && col.vek && col.n_chain == 2 && !col.crl,
		  "imported VCEK found offline: %s", att_diag_msg(&d));
	char cn[64] = "";
	if (col.chain[1])
		att_x509_subject_cn(col.chain[1], cn, sizeof(cn));
	ATT_CHECK_EQ_STR(cn, "ARK-Milan");
	att_kds_collateral_release(&col);
	/* VLEK: the imported one of product + TCB, with the ASVK chain */
	memset(&d, 0, sizeof(d));
	rc = att_kds_collateral(k, ATT_SNP_MILAN, ATT_SNP_KEY_VLEK, NULL,
				kt_tcb_from_hex("04000000000018d9"), 0,
				t_of("2025-06-01T00:00:00Z"), &col, &d);
	if (rc == 0 && col.chain[0])
		att_x509_subject_cn(col.chain[0], cn, sizeof(cn));
	ATT_CHECK(rc == 0 && col.vek && strcmp(cn, "SEV-VLEK-Milan") == 0,
		  "imported VLEK: %s (%s)", att_diag_msg(&d), cn);
	att_kds_collateral_release(&col);
	/* a VLEK not imported is no error (it comes with the evidence) */
	rc = att_kds_collateral(k, ATT_SNP_MILAN, ATT_SNP_KEY_VLEK, NULL, 0, 0,
				t_of("2025-06-01T00:00:00Z"), &col, &d);
	ATT_CHECK(rc == 0 && !col.vek && col.n_chain == 2, "VLEK absent: %d",
		  rc);
	att_kds_collateral_release(&col);
	/* offline, not imported: a clear NOT_FOUND; CRL required: none */
	chip[5] ^= 0xFF;
	struct att_diag d3 = {0};
	rc = att_kds_collateral(k, ATT_SNP_MILAN, ATT_SNP_KEY_VCEK, chip,
				KT_GOSEV_TCB, 0, now_fixed, &col, &d3);
	ATT_CHECK(rc == ATT_ERR_NOT_FOUND && strstr(d3.msg, "not cached") &&
			  strstr(d3.msg, "offline"), "offline miss: %s", d3.msg);
	chip[5] ^= 0xFF;
	memset(&d3, 0, sizeof(d3));
	rc = att_kds_collateral(k, ATT_SNP_MILAN, ATT_SNP_KEY_VCEK, chip,
				KT_GOSEV_TCB, ATT_KDS_REQUIRE_CRL, now_fixed,
				&col, &d3);
	ATT_CHECK(rc == ATT_ERR_NOT_FOUND && strstr(d3.msg, "VCEK CRL for Milan"),
		  "required CRL: %s", d3.msg);
	rc = att_kds_collateral(k, ATT_SNP_MILAN, ATT_SNP_KEY_VCEK, chip,
				KT_GOSEV_TCB, ATT_KDS_WANT_CRL, now_fixed, &col,
				&d3);
	ATT_CHECK(rc == 0 && !col.crl, "wanted CRL absent: fine");
	att_kds_collateral_release(&col);
	struct att_kds_stats ks;
	att_kds_stats(k, &ks);
	ATT_CHECK_EQ_INT(ks.fetches, 0);
	ATT_CHECK(ks.hits >= 1 && ks.misses >= 3, "hits %llu misses %llu",
		  (unsigned long long)ks.hits, (unsigned long long)ks.misses);
	att_kds_free(k);

	/* an imported CRL serves both chains of its product */
	uint8_t *crl = NULL;
	size_t crl_len = 0;
	char path[600];
	ATT_CHECK(kt_make_crl(&crl, &crl_len, "ARK-Milan", now_fixed, 86400) ==
			  0 && write_file(dir, "crl/milan.crl", crl, crl_len) == 0,
		  "crl file");
	snprintf(path, sizeof(path), "%s/crl/milan.crl", dir);
	memset(&d, 0, sizeof(d));
	ATT_CHECK(att_collateral_import_path_ex(st, path, now_fixed, &rep,
						&d) == 0 && rep.items == 1,
		  "import crl: %s", att_diag_msg(&d));
	ATT_CHECK(att_kds_new(&k, &o, &d) == 0, "kds");
	rc = att_kds_collateral(k, ATT_SNP_MILAN, ATT_SNP_KEY_VLEK, NULL, 0,
				ATT_KDS_REQUIRE_CRL, now_fixed, &col, &d);
	ATT_CHECK(rc == 0 && col.crl, "VLEK CRL from the import: %s",
		  att_diag_msg(&d));
	att_kds_collateral_release(&col);
	att_kds_free(k);
	free(crl);
	att_store_close(st);
}

int main(void)
{
	ATT_REQUIRE_TESTDATA();
	char *dir = tmp_dir("kds");
	now_fixed = t_of("2024-06-01T00:00:00Z");
	if (!dir) {
		printf("setup failed\n");
		return 1;
	}
	test_vek_cases();
	test_vek_details();
	test_vek_pem();
	test_chains();
	test_crls();
	test_truncation_mutation();
	test_classify();
	test_store_and_import(dir);
	rm_tree(dir);
	return att_test_done();
}
