/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TPM 2.0 structures through tpm2-tss's unmarshalling (libtss2-mu). The
 * MU functions bound every read, but they neither check TPMS_ATTEST's
 * magic (3.2.1) nor require the buffer to be consumed: a quote whose type
 * was altered parses as another attestation body, and trailing bytes go
 * unnoticed (libtss2-mu 3.2; docs/tpm.md "Parsing"). So every parse here
 * requires offset
 * == length, checks the fields it copies, and keeps TSS types inside this
 * file.
 */
#include "evidence/tpm/tpm.h"

#include <string.h>

#include <tss2/tss2_mu.h>

#include "attest/err.h"
#include "base/cur.h"
#include "base/limits.h"

/* mu_err maps a libtss2-mu return code to ATT_ERR_*. */
static int mu_err(TSS2_RC rc)
{
	if ((rc & 0xFFFF) == TSS2_BASE_RC_INSUFFICIENT_BUFFER)
		return ATT_ERR_TRUNCATED;
	return ATT_ERR_FORMAT;
}

static int check_len(const char *what, const uint8_t *buf, size_t len,
		     struct att_diag *diag)
{
	if (!buf || len == 0)
		return att_diag_set(diag, ATT_ERR_TRUNCATED, "tpm: %s: empty",
				    what);
	if (len > ATT_MAX_TPM_STRUCT_LEN)
		return att_diag_set(diag, ATT_ERR_LIMIT, "tpm: %s: %zu bytes "
				    "exceed ATT_MAX_TPM_STRUCT_LEN", what, len);
	return 0;
}

/* finish turns an unmarshal result into ATT_ERR_* and rejects leftovers. */
static int finish(const char *what, TSS2_RC rc, size_t off, size_t len,
		  struct att_diag *diag)
{
	if (rc != TSS2_RC_SUCCESS)
		return att_diag_set(diag, mu_err(rc), "tpm: %s: tss2-mu rejects "
				    "it (0x%08x)", what, (unsigned)rc);
	if (off != len)
		return att_diag_set(diag, ATT_ERR_TRAILING, "tpm: %s: %zu bytes "
				    "after the structure", what, len - off);
	return 0;
}

static int copy_selection(struct att_tpm_pcr_selection *out,
			  const TPML_PCR_SELECTION *in, struct att_diag *diag)
{
	if (in->count > ATT_TPM_MAX_SELECTIONS)
		return att_diag_set(diag, ATT_ERR_FORMAT, "tpm: PCR selection "
				    "of %u banks", in->count);
	out->count = in->count;
	for (uint32_t i = 0; i < in->count; i++) {
		const TPMS_PCR_SELECTION *s = &in->pcrSelections[i];
		if (s->sizeofSelect > sizeof(out->sel[i].select))
			return att_diag_set(diag, ATT_ERR_FORMAT, "tpm: PCR "
					    "selection of %u bytes",
					    s->sizeofSelect);
		out->sel[i].hash = s->hash;
		out->sel[i].size = s->sizeofSelect;
		memcpy(out->sel[i].select, s->pcrSelect, s->sizeofSelect);
	}
	return 0;
}

static int copy_attest(struct att_tpm_attest *out, const TPMS_ATTEST *a,
		       struct att_diag *diag)
{
	const TPMS_QUOTE_INFO *q = &a->attested.quote;
	if (a->qualifiedSigner.size > sizeof(out->signer) ||
	    a->extraData.size > sizeof(out->extra) ||
	    q->pcrDigest.size > sizeof(out->pcr_digest))
		return att_diag_set(diag, ATT_ERR_FORMAT, "tpm: TPMS_ATTEST: "
				    "oversized field");
	out->magic = a->magic;
	out->type = a->type;
	out->signer_len = a->qualifiedSigner.size;
	memcpy(out->signer, a->qualifiedSigner.name, out->signer_len);
	out->extra_len = a->extraData.size;
	memcpy(out->extra, a->extraData.buffer, out->extra_len);
	out->clock = a->clockInfo.clock;
	out->reset_count = a->clockInfo.resetCount;
	out->restart_count = a->clockInfo.restartCount;
	out->safe = a->clockInfo.safe;
	out->firmware_version = a->firmwareVersion;
	out->pcr_digest_len = q->pcrDigest.size;
	memcpy(out->pcr_digest, q->pcrDigest.buffer, out->pcr_digest_len);
	return copy_selection(&out->pcr_select, &q->pcrSelect, diag);
}

int att_tpm_attest_parse(struct att_tpm_attest *out, const uint8_t *buf,
			 size_t len, struct att_diag *diag)
{
	TPMS_ATTEST a;
	size_t off = 0;
	TSS2_RC rc;
	int r;
	memset(out, 0, sizeof(*out));
	if ((r = check_len("TPMS_ATTEST", buf, len, diag)) != 0)
		return r;
	memset(&a, 0, sizeof(a));
	rc = Tss2_MU_TPMS_ATTEST_Unmarshal(buf, len, &off, &a);
	r = finish("TPMS_ATTEST", rc, off, len, diag);
	if (r)
		return r;
	if (a.type != TPM2_ST_ATTEST_QUOTE)
		return att_diag_set(diag, ATT_ERR_UNSUPPORTED, "tpm: TPMS_ATTEST "
				    "of type 0x%04x is not a quote (0x8018)",
				    a.type);
	if ((r = copy_attest(out, &a, diag)) != 0)
		memset(out, 0, sizeof(*out));
	return r;
}

int att_tpm_pcr_selection_parse(struct att_tpm_pcr_selection *out,
				const uint8_t *buf, size_t len,
				struct att_diag *diag)
{
	TPML_PCR_SELECTION s;
	size_t off = 0;
	TSS2_RC rc;
	int r;
	memset(out, 0, sizeof(*out));
	if ((r = check_len("TPML_PCR_SELECTION", buf, len, diag)) != 0)
		return r;
	memset(&s, 0, sizeof(s));
	rc = Tss2_MU_TPML_PCR_SELECTION_Unmarshal(buf, len, &off, &s);
	r = finish("TPML_PCR_SELECTION", rc, off, len, diag);
	if (!r && (r = copy_selection(out, &s, diag)) != 0)
		memset(out, 0, sizeof(*out));
	return r;
}

static int copy_sig(struct att_tpm_signature *out, const TPMT_SIGNATURE *s,
		    struct att_diag *diag)
{
	const TPMS_SIGNATURE_RSA *rsa = &s->signature.rsassa;
	const TPMS_SIGNATURE_ECC *ecc = &s->signature.ecdsa;
	out->sig_alg = s->sigAlg;
	switch (s->sigAlg) {
	case TPM2_ALG_RSASSA:
	case TPM2_ALG_RSAPSS: /* same layout: hash, TPM2B_PUBLIC_KEY_RSA */
		if (rsa->sig.size == 0 || rsa->sig.size > sizeof(out->sig))
			break;
		out->hash = rsa->hash;
		out->sig_len = rsa->sig.size;
		memcpy(out->sig, rsa->sig.buffer, out->sig_len);
		return 0;
	case TPM2_ALG_ECDSA:
		if (ecc->signatureR.size == 0 || ecc->signatureS.size == 0 ||
		    ecc->signatureR.size > sizeof(out->r) ||
		    ecc->signatureS.size > sizeof(out->s))
			break;
		out->hash = ecc->hash;
		out->r_len = ecc->signatureR.size;
		out->s_len = ecc->signatureS.size;
		memcpy(out->r, ecc->signatureR.buffer, out->r_len);
		memcpy(out->s, ecc->signatureS.buffer, out->s_len);
		return 0;
	default:
		return att_diag_set(diag, ATT_ERR_UNSUPPORTED, "tpm: signature "
				    "scheme %s (0x%04x) is not RSASSA, RSAPSS "
				    "or ECDSA", att_tpm_alg_name(s->sigAlg),
				    s->sigAlg);
	}
	return att_diag_set(diag, ATT_ERR_FORMAT, "tpm: TPMT_SIGNATURE: "
			    "empty or oversized signature value");
}

int att_tpm_signature_parse(struct att_tpm_signature *out, const uint8_t *buf,
			    size_t len, struct att_diag *diag)
{
	TPMT_SIGNATURE s;
	size_t off = 0;
	TSS2_RC rc;
	int r;
	memset(out, 0, sizeof(*out));
	if ((r = check_len("TPMT_SIGNATURE", buf, len, diag)) != 0)
		return r;
	memset(&s, 0, sizeof(s));
	rc = Tss2_MU_TPMT_SIGNATURE_Unmarshal(buf, len, &off, &s);
	r = finish("TPMT_SIGNATURE", rc, off, len, diag);
	if (!r && (r = copy_sig(out, &s, diag)) != 0)
		memset(out, 0, sizeof(*out));
	return r;
}

static void copy_sym(struct att_tpm_public *out, const TPMT_SYM_DEF_OBJECT *s)
{
	out->sym_alg = s->algorithm;
	if (s->algorithm != TPM2_ALG_NULL) {
		out->sym_bits = s->keyBits.sym;
		out->sym_mode = s->mode.sym;
	}
}

static int copy_rsa(struct att_tpm_public *out, const TPMT_PUBLIC *p)
{
	const TPMS_RSA_PARMS *r = &p->parameters.rsaDetail;
	copy_sym(out, &r->symmetric);
	out->scheme = r->scheme.scheme;
	if (r->scheme.scheme != TPM2_ALG_NULL &&
	    r->scheme.scheme != TPM2_ALG_RSAES)
		out->scheme_hash = r->scheme.details.anySig.hashAlg;
	out->rsa_bits = r->keyBits;
	out->rsa_exponent = r->exponent;
	if (p->unique.rsa.size > sizeof(out->rsa_n))
		return ATT_ERR_FORMAT;
	out->rsa_n_len = p->unique.rsa.size;
	memcpy(out->rsa_n, p->unique.rsa.buffer, out->rsa_n_len);
	return 0;
}

static int copy_ecc(struct att_tpm_public *out, const TPMT_PUBLIC *p)
{
	const TPMS_ECC_PARMS *e = &p->parameters.eccDetail;
	const TPMS_ECC_POINT *q = &p->unique.ecc;
	copy_sym(out, &e->symmetric);
	out->scheme = e->scheme.scheme;
	if (e->scheme.scheme != TPM2_ALG_NULL)
		out->scheme_hash = e->scheme.details.anySig.hashAlg;
	out->curve = e->curveID;
	out->kdf = e->kdf.scheme;
	if (e->kdf.scheme != TPM2_ALG_NULL)
		out->kdf_hash = e->kdf.details.mgf1.hashAlg;
	if (q->x.size > sizeof(out->x) || q->y.size > sizeof(out->y))
		return ATT_ERR_FORMAT;
	out->x_len = q->x.size;
	out->y_len = q->y.size;
	memcpy(out->x, q->x.buffer, out->x_len);
	memcpy(out->y, q->y.buffer, out->y_len);
	return 0;
}

static int copy_public(struct att_tpm_public *out, const TPMT_PUBLIC *p,
		       struct att_diag *diag)
{
	int r;
	out->type = p->type;
	out->name_alg = p->nameAlg;
	out->attributes = p->objectAttributes;
	if (p->authPolicy.size > sizeof(out->auth_policy))
		return att_diag_set(diag, ATT_ERR_FORMAT, "tpm: TPMT_PUBLIC: "
				    "authPolicy of %u bytes",
				    p->authPolicy.size);
	out->auth_policy_len = p->authPolicy.size;
	memcpy(out->auth_policy, p->authPolicy.buffer, out->auth_policy_len);
	if (p->type == TPM2_ALG_RSA)
		r = copy_rsa(out, p);
	else if (p->type == TPM2_ALG_ECC)
		r = copy_ecc(out, p);
	else
		return att_diag_set(diag, ATT_ERR_UNSUPPORTED, "tpm: key type "
				    "%s (0x%04x) is not RSA or ECC",
				    att_tpm_alg_name(p->type), p->type);
	if (r)
		return att_diag_set(diag, r, "tpm: TPMT_PUBLIC: oversized key");
	return 0;
}

int att_tpm_public_parse_tpmt(struct att_tpm_public *out, const uint8_t *buf,
			      size_t len, struct att_diag *diag)
{
	TPMT_PUBLIC p;
	size_t off = 0;
	TSS2_RC rc;
	int r;
	memset(out, 0, sizeof(*out));
	if ((r = check_len("TPMT_PUBLIC", buf, len, diag)) != 0)
		return r;
	if (len > sizeof(out->tpmt))
		return att_diag_set(diag, ATT_ERR_LIMIT, "tpm: TPMT_PUBLIC of "
				    "%zu bytes", len);
	memset(&p, 0, sizeof(p));
	rc = Tss2_MU_TPMT_PUBLIC_Unmarshal(buf, len, &off, &p);
	r = finish("TPMT_PUBLIC", rc, off, len, diag);
	if (!r)
		r = copy_public(out, &p, diag);
	if (r) {
		memset(out, 0, sizeof(*out));
		return r;
	}
	/* consumed exactly, so these bytes are the canonical marshalling
	 * the Name is computed over */
	memcpy(out->tpmt, buf, len);
	out->tpmt_len = len;
	return 0;
}

int att_tpm_public_parse(struct att_tpm_public *out, const uint8_t *buf,
			 size_t len, struct att_diag *diag)
{
	struct att_cur c, inner;
	int r;
	memset(out, 0, sizeof(*out));
	if ((r = check_len("TPM2B_PUBLIC", buf, len, diag)) != 0)
		return r;
	att_cur_init(&c, buf, len);
	if ((r = att_cur_get_u16be_prefixed(&c, &inner)) != 0)
		return att_diag_set(diag, r, "tpm: TPM2B_PUBLIC: truncated");
	if (att_cur_expect_end(&c) != 0)
		return att_diag_set(diag, ATT_ERR_TRAILING, "tpm: TPM2B_PUBLIC: "
				    "%zu bytes after the structure", c.len);
	/* the inner TPMT_PUBLIC must fill its declared size exactly: a
	 * TPMT_PUBLIC running past it is malformed, not truncated */
	struct att_diag inner_diag;
	att_diag_clear(&inner_diag);
	r = att_tpm_public_parse_tpmt(out, inner.p, inner.len, &inner_diag);
	if (r == ATT_ERR_TRUNCATED)
		r = ATT_ERR_FORMAT;
	if (r)
		return att_diag_set(diag, r, "%s (inside TPM2B_PUBLIC)",
				    att_diag_msg(&inner_diag));
	return 0;
}
