/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The certificate table of an extended SEV-SNP report (SNP_GET_EXT_REPORT
 * in the ABI specification; the GHCB specification's extended guest
 * request): entries of (GUID, offset, length) closed by an all-zero entry,
 * each offset relative to the start of the table. Producers disagree on
 * the GUID byte order and on DER versus PEM bodies, so both are accepted
 * and recorded (docs/snp.md). Every body must lie inside the table, after
 * the entry list, and no two bodies may overlap.
 */
#include <string.h>

#include "attest/err.h"
#include "base/cur.h"
#include "evidence/snp/snp.h"

#define ENTRY_LEN 24u

struct known_guid {
	enum att_snp_cert_kind kind;
	uint8_t be[16]; /* RFC 4122 byte order, as the GUID is written */
};

/* docs/snp.md lists the GUIDs. */
static const struct known_guid known[] = {
	{ATT_SNP_CERT_VCEK, {0x63, 0xda, 0x75, 0x8d, 0xe6, 0x64, 0x45, 0x64,
			     0xad, 0xc5, 0xf4, 0xb9, 0x3b, 0xe8, 0xac, 0xcd}},
	{ATT_SNP_CERT_VLEK, {0xa8, 0x07, 0x4b, 0xc2, 0xa2, 0x5a, 0x48, 0x3e,
			     0xaa, 0xe6, 0x39, 0xc0, 0x45, 0xa0, 0xb8, 0xa1}},
	{ATT_SNP_CERT_ASK, {0x4a, 0xb7, 0xb3, 0x79, 0xbb, 0xac, 0x4f, 0xe4,
			    0xa0, 0x2f, 0x05, 0xae, 0xf3, 0x27, 0xc7, 0x82}},
	{ATT_SNP_CERT_ARK, {0xc0, 0xb4, 0x06, 0xa4, 0xa8, 0x03, 0x49, 0x52,
			    0x97, 0x43, 0x3f, 0xb6, 0x01, 0x4c, 0xd0, 0xae}},
};

const char *att_snp_cert_kind_name(enum att_snp_cert_kind k)
{
	switch (k) {
	case ATT_SNP_CERT_VCEK:
		return "VCEK";
	case ATT_SNP_CERT_VLEK:
		return "VLEK";
	case ATT_SNP_CERT_ASK:
		return "ASK";
	case ATT_SNP_CERT_ARK:
		return "ARK";
	default:
		return "other";
	}
}

/* The mixed-endian (EFI) form swaps the first three fields. */
static void guid_swap(uint8_t out[16], const uint8_t in[16])
{
	static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6,
					  8, 9, 10, 11, 12, 13, 14, 15};
	for (size_t i = 0; i < 16; i++)
		out[i] = in[order[i]];
}

static void classify(struct att_snp_cert_entry *e)
{
	uint8_t le[16];
	e->kind = ATT_SNP_CERT_OTHER;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		guid_swap(le, known[i].be);
		if (memcmp(e->guid, known[i].be, 16) == 0) {
			e->kind = known[i].kind;
			e->guid_big_endian = true;
			return;
		}
		if (memcmp(e->guid, le, 16) == 0) {
			e->kind = known[i].kind;
			return;
		}
	}
}

static bool is_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* A PEM body starts with "-----BEGIN" after optional white space; a DER
 * certificate with a SEQUENCE. Anything else is refused for the known
 * kinds (an unknown GUID's body is not judged). */
static int detect_encoding(struct att_snp_cert_entry *e, struct att_diag *d)
{
	static const char begin[] = "-----BEGIN";
	size_t i = 0;
	while (i < e->body_len && (e->body[i] == ' ' || e->body[i] == '\t' ||
				   e->body[i] == '\r' || e->body[i] == '\n'))
		i++;
	if (e->body_len - i >= sizeof(begin) - 1 &&
	    memcmp(e->body + i, begin, sizeof(begin) - 1) == 0) {
		e->pem = true;
		return 0;
	}
	if (e->body[0] == 0x30 || e->kind == ATT_SNP_CERT_OTHER)
		return 0;
	return att_diag_set(d, ATT_ERR_FORMAT, "snp: certificate table: %s "
			    "body is neither DER nor PEM",
			    att_snp_cert_kind_name(e->kind));
}

/* Bounds of one entry's body: inside the table, past the entry list. */
static int place_body(struct att_snp_cert_entry *e, const uint8_t *buf,
		      size_t len, size_t list_end, uint32_t off, uint32_t n,
		      struct att_diag *d)
{
	const char *k = att_snp_cert_kind_name(e->kind);
	if (n == 0)
		return att_diag_set(d, ATT_ERR_FORMAT, "snp: certificate "
				    "table: %s entry is empty", k);
	if (n > ATT_SNP_MAX_CERT_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT, "snp: certificate table: "
				    "%s entry is %u bytes (limit %u)", k, n,
				    (unsigned)ATT_SNP_MAX_CERT_LEN);
	if (off < list_end || off > len || n > len - off)
		return att_diag_set(d, ATT_ERR_FORMAT, "snp: certificate "
				    "table: %s entry (offset %u, length %u) "
				    "lies outside the table body (%zu..%zu)",
				    k, off, n, list_end, len);
	e->body = buf + off;
	e->body_len = n;
	return 0;
}

static int check_overlap(const struct att_snp_cert_table *t, size_t j,
			 struct att_diag *d)
{
	const struct att_snp_cert_entry *a = &t->e[j];
	for (size_t i = 0; i < j; i++) {
		const struct att_snp_cert_entry *b = &t->e[i];
		if (a->kind == b->kind && a->kind != ATT_SNP_CERT_OTHER)
			return att_diag_set(d, ATT_ERR_FORMAT, "snp: "
					    "certificate table: two %s entries",
					    att_snp_cert_kind_name(a->kind));
		if (a->body < b->body + b->body_len &&
		    b->body < a->body + a->body_len)
			return att_diag_set(d, ATT_ERR_FORMAT, "snp: "
					    "certificate table: the %s and %s "
					    "entries overlap",
					    att_snp_cert_kind_name(b->kind),
					    att_snp_cert_kind_name(a->kind));
	}
	return 0;
}

/* Reads the entry list up to the all-zero terminator into t (bodies not
 * placed yet); offsets and lengths go to off[] and n[]. */
static int read_entries(struct att_snp_cert_table *t, uint32_t *off,
			uint32_t *n, const uint8_t *buf, size_t len,
			struct att_diag *d)
{
	struct att_cur c;
	att_cur_init(&c, buf, len);
	for (;;) {
		uint8_t guid[16];
		uint32_t o, l;
		int rc;
		if ((rc = att_cur_copy(&c, guid, 16)) != 0 ||
		    (rc = att_cur_get_u32le(&c, &o)) != 0 ||
		    (rc = att_cur_get_u32le(&c, &l)) != 0)
			return att_diag_set(d, rc, "snp: certificate table: "
					    "entry %zu is truncated (no "
					    "all-zero terminator)", t->n);
		if (is_zero(guid, 16) && o == 0 && l == 0)
			return 0;
		if (t->n == ATT_SNP_MAX_CERT_ENTRIES)
			return att_diag_set(d, ATT_ERR_LIMIT, "snp: "
					    "certificate table has more than "
					    "%u entries",
					    (unsigned)ATT_SNP_MAX_CERT_ENTRIES);
		memcpy(t->e[t->n].guid, guid, 16);
		off[t->n] = o;
		n[t->n] = l;
		t->n++;
	}
}

int att_snp_certtable_parse(struct att_snp_cert_table *out,
			    const uint8_t *buf, size_t len,
			    struct att_diag *d)
{
	uint32_t off[ATT_SNP_MAX_CERT_ENTRIES], n[ATT_SNP_MAX_CERT_ENTRIES];
	int rc;
	memset(out, 0, sizeof(*out));
	if (buf == NULL && len != 0)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "snp: no "
				    "certificate table");
	if (len > ATT_SNP_MAX_CERT_TABLE_LEN)
		return att_diag_set(d, ATT_ERR_LIMIT, "snp: certificate table "
				    "is %zu bytes (limit %u)", len,
				    (unsigned)ATT_SNP_MAX_CERT_TABLE_LEN);
	if ((rc = read_entries(out, off, n, buf, len, d)) != 0)
		goto out;
	size_t list_end = (out->n + 1) * ENTRY_LEN;
	for (size_t i = 0; i < out->n; i++) {
		struct att_snp_cert_entry *e = &out->e[i];
		classify(e);
		if ((rc = place_body(e, buf, len, list_end, off[i], n[i],
				     d)) != 0 ||
		    (rc = detect_encoding(e, d)) != 0 ||
		    (rc = check_overlap(out, i, d)) != 0)
			goto out;
	}
	return 0;
out:
	memset(out, 0, sizeof(*out));
	return rc;
}
