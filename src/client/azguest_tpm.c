/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The vTPM operations of the AzureGuest client (azguest_tpm.h) over
 * tss2-esys. A TPM without a resource manager (swtpm) has few object
 * slots: every transient object and session is flushed when done; the
 * EncKey lives until att_azgtpm_close.
 */
#include "client/azguest_tpm.h"

#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tctildr.h>

#include "attest/err.h"
#include "client/azguest.h"
#include "evidence/tcg/eventlog.h"
#include "evidence/tpm/tpm_alg.h"

struct att_azgtpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	ESYS_TR enc; /* the EncKey, or ESYS_TR_NONE */
	TPML_PCR_SELECTION enc_sel;
};

#define EV_NO_ACTION 3u

static int tpm_err(struct att_diag *d, const char *what, TSS2_RC rc)
{
	return att_diag_set(d, ATT_ERR_IO, "tpm: %s failed (TSS2_RC 0x%x)",
			    what, (unsigned)rc);
}

int att_azgtpm_open(struct att_azgtpm **out, const char *tcti,
		    struct att_diag *d)
{
	struct att_azgtpm *t = calloc(1, sizeof(*t));
	TSS2_RC rc;
	*out = NULL;
	if (!t)
		return ATT_ERR_NOMEM;
	t->enc = ESYS_TR_NONE;
	if (!tcti)
		tcti = "device:/dev/tpmrm0";
	if ((rc = Tss2_TctiLdr_Initialize(tcti, &t->tcti)) != TSS2_RC_SUCCESS) {
		free(t);
		return att_diag_set(d, ATT_ERR_IO,
				    "tpm: cannot open TCTI \"%s\" (TSS2_RC "
				    "0x%x)",
				    tcti, (unsigned)rc);
	}
	if ((rc = Esys_Initialize(&t->esys, t->tcti, NULL))) {
		att_azgtpm_close(t);
		return tpm_err(d, "Esys_Initialize", rc);
	}
	rc = Esys_Startup(t->esys, TPM2_SU_CLEAR);
	if (rc != TSS2_RC_SUCCESS && rc != TPM2_RC_INITIALIZE) {
		att_azgtpm_close(t);
		return tpm_err(d, "TPM2_Startup", rc);
	}
	*out = t;
	return 0;
}

void att_azgtpm_close(struct att_azgtpm *t)
{
	if (!t)
		return;
	if (t->esys) {
		if (t->enc != ESYS_TR_NONE)
			Esys_FlushContext(t->esys, t->enc);
		Esys_Finalize(&t->esys);
	}
	if (t->tcti)
		Tss2_TctiLdr_Finalize(&t->tcti);
	free(t);
}

static int take(uint8_t **out, size_t *out_len, const void *p, size_t n)
{
	if (!(*out = malloc(n ? n : 1)))
		return ATT_ERR_NOMEM;
	memcpy(*out, p, n);
	*out_len = n;
	return 0;
}

static int marshal_public(const TPM2B_PUBLIC *p, uint8_t **out, size_t *len)
{
	uint8_t buf[sizeof(TPM2B_PUBLIC)];
	size_t off = 0;
	if (Tss2_MU_TPM2B_PUBLIC_Marshal(p, buf, sizeof(buf), &off))
		return ATT_ERR_FORMAT;
	return take(out, len, buf, off);
}

/* raw_sig: the signature bytes of an RSA signature. */
static int raw_sig(const TPMT_SIGNATURE *s, uint8_t **out, size_t *len,
		   struct att_diag *d)
{
	if (s->sigAlg != TPM2_ALG_RSASSA && s->sigAlg != TPM2_ALG_RSAPSS)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "tpm: signature algorithm 0x%04x is not "
				    "RSA",
				    s->sigAlg);
	return take(out, len, s->signature.rsassa.sig.buffer,
		    s->signature.rsassa.sig.size);
}

static void session_end(struct att_azgtpm *t, ESYS_TR s)
{
	/* The TPM may already have closed it (continueSession clear). */
	if (s != ESYS_TR_NONE && Esys_FlushContext(t->esys, s) != 0)
		Esys_TR_Close(t->esys, &s);
}

static void selection(TPML_PCR_SELECTION *s, uint32_t mask)
{
	memset(s, 0, sizeof(*s));
	s->count = 1;
	s->pcrSelections[0].hash = TPM2_ALG_SHA256;
	s->pcrSelections[0].sizeofSelect = 3;
	for (int i = 0; i < 3; i++)
		s->pcrSelections[0].pcrSelect[i] = (uint8_t)(mask >> (8 * i));
}

/* ---- NV ------------------------------------------------------------- */

int att_azgtpm_nv_read(struct att_azgtpm *t, uint32_t index, size_t max,
		       uint8_t **out, size_t *len, struct att_diag *d)
{
	ESYS_TR nv = ESYS_TR_NONE;
	TPM2B_NV_PUBLIC *np = NULL;
	uint8_t *buf = NULL;
	int r = 0;
	*out = NULL;
	*len = 0;
	if (Esys_TR_FromTPMPublic(t->esys, index, ESYS_TR_NONE, ESYS_TR_NONE,
				  ESYS_TR_NONE, &nv) != TSS2_RC_SUCCESS)
		return att_diag_set(d, ATT_ERR_NOT_FOUND,
				    "tpm: NV index 0x%08x is not defined",
				    (unsigned)index);
	TSS2_RC rc = Esys_NV_ReadPublic(t->esys, nv, ESYS_TR_NONE, ESYS_TR_NONE,
					ESYS_TR_NONE, &np, NULL);
	if (rc) {
		r = tpm_err(d, "TPM2_NV_ReadPublic", rc);
		goto out;
	}
	uint16_t size = np->nvPublic.dataSize;
	if (size > max) {
		r = att_diag_set(d, ATT_ERR_LIMIT,
				 "tpm: NV index 0x%08x holds %u bytes (limit "
				 "%zu)",
				 (unsigned)index, size, max);
		goto out;
	}
	if (!(buf = malloc(size ? size : 1))) {
		r = ATT_ERR_NOMEM;
		goto out;
	}
	for (uint16_t off = 0; r == 0 && off < size;) {
		uint16_t n = (uint16_t)(size - off > ATT_AZGTPM_NV_CHUNK
					    ? ATT_AZGTPM_NV_CHUNK
					    : size - off);
		TPM2B_MAX_NV_BUFFER *data = NULL;
		rc = Esys_NV_Read(t->esys, ESYS_TR_RH_OWNER, nv,
				  ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
				  n, off, &data);
		if (rc)
			r = tpm_err(d, "TPM2_NV_Read", rc);
		else if (data->size != n)
			r = att_diag_set(d, ATT_ERR_IO, "tpm: short NV read");
		else
			memcpy(buf + off, data->buffer, n);
		Esys_Free(data);
		off = (uint16_t)(off + n);
	}
	if (r == 0) {
		*out = buf;
		*len = size;
		buf = NULL; /* transferred */
	}
out:
	free(buf);
	Esys_Free(np);
	Esys_TR_Close(t->esys, &nv);
	return r;
}

int att_azgtpm_nv_write(struct att_azgtpm *t, uint32_t index,
			const uint8_t *data, size_t n, struct att_diag *d)
{
	TPM2B_AUTH auth = {0};
	TPM2B_NV_PUBLIC pub;
	ESYS_TR nv = ESYS_TR_NONE;
	TSS2_RC rc;
	if (n == 0 || n > UINT16_MAX)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "tpm: NV data of %zu bytes", n);
	if (Esys_TR_FromTPMPublic(t->esys, index, ESYS_TR_NONE, ESYS_TR_NONE,
				  ESYS_TR_NONE, &nv) == TSS2_RC_SUCCESS) {
		rc = Esys_NV_UndefineSpace(t->esys, ESYS_TR_RH_OWNER, nv,
					   ESYS_TR_PASSWORD, ESYS_TR_NONE,
					   ESYS_TR_NONE);
		if (rc)
			return tpm_err(d, "TPM2_NV_UndefineSpace", rc);
		nv = ESYS_TR_NONE;
	}
	memset(&pub, 0, sizeof(pub));
	pub.nvPublic.nvIndex = index;
	pub.nvPublic.nameAlg = TPM2_ALG_SHA256;
	pub.nvPublic.attributes = TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD |
				  TPMA_NV_AUTHWRITE | TPMA_NV_AUTHREAD |
				  TPMA_NV_NO_DA;
	pub.nvPublic.dataSize = (uint16_t)n;
	rc = Esys_NV_DefineSpace(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
				 ESYS_TR_NONE, ESYS_TR_NONE, &auth, &pub, &nv);
	if (rc)
		return tpm_err(d, "TPM2_NV_DefineSpace", rc);
	int r = 0;
	for (size_t off = 0; r == 0 && off < n;) {
		TPM2B_MAX_NV_BUFFER b;
		size_t k = n - off > ATT_AZGTPM_NV_CHUNK ? ATT_AZGTPM_NV_CHUNK
							 : n - off;
		b.size = (uint16_t)k;
		memcpy(b.buffer, data + off, k);
		rc = Esys_NV_Write(t->esys, ESYS_TR_RH_OWNER, nv,
				   ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
				   &b, (uint16_t)off);
		if (rc)
			r = tpm_err(d, "TPM2_NV_Write", rc);
		off += k;
	}
	Esys_TR_Close(t->esys, &nv);
	return r;
}

/* ---- the AIK -------------------------------------------------------- */

static ESYS_TR aik_handle(struct att_azgtpm *t)
{
	ESYS_TR h = ESYS_TR_NONE;
	if (Esys_TR_FromTPMPublic(t->esys, ATT_AZG_AIK_HANDLE, ESYS_TR_NONE,
				  ESYS_TR_NONE, ESYS_TR_NONE, &h))
		return ESYS_TR_NONE;
	return h;
}

int att_azgtpm_aik_create(struct att_azgtpm *t, struct att_diag *d)
{
	TPM2B_SENSITIVE_CREATE sens = {0};
	TPM2B_DATA outside = {0};
	TPML_PCR_SELECTION none = {0};
	TPM2B_PUBLIC tmpl;
	ESYS_TR obj = ESYS_TR_NONE, pers = ESYS_TR_NONE, old = aik_handle(t);
	TSS2_RC rc;
	if (old != ESYS_TR_NONE) {
		rc = Esys_EvictControl(t->esys, ESYS_TR_RH_OWNER, old,
				       ESYS_TR_PASSWORD, ESYS_TR_NONE,
				       ESYS_TR_NONE, ATT_AZG_AIK_HANDLE, &pers);
		if (rc)
			return tpm_err(d, "evicting the old AIK", rc);
	}
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.publicArea.type = TPM2_ALG_RSA;
	tmpl.publicArea.nameAlg = TPM2_ALG_SHA256;
	tmpl.publicArea.objectAttributes =
	    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
	    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
	    TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED |
	    TPMA_OBJECT_SIGN_ENCRYPT;
	TPMS_RSA_PARMS *p = &tmpl.publicArea.parameters.rsaDetail;
	p->symmetric.algorithm = TPM2_ALG_NULL;
	p->scheme.scheme = TPM2_ALG_RSASSA;
	p->scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
	p->keyBits = 2048;
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_ENDORSEMENT,
				ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
				&sens, &tmpl, &outside, &none, &obj, NULL,
				NULL, NULL, NULL);
	if (rc)
		return tpm_err(d, "creating the AIK (TPM2_CreatePrimary)", rc);
	pers = ESYS_TR_NONE;
	rc = Esys_EvictControl(t->esys, ESYS_TR_RH_OWNER, obj, ESYS_TR_PASSWORD,
			       ESYS_TR_NONE, ESYS_TR_NONE, ATT_AZG_AIK_HANDLE,
			       &pers);
	Esys_FlushContext(t->esys, obj);
	if (rc)
		return tpm_err(d, "persisting the AIK (TPM2_EvictControl)", rc);
	Esys_TR_Close(t->esys, &pers);
	return 0;
}

int att_azgtpm_aik_public(struct att_azgtpm *t, uint8_t **pub, size_t *len,
			  struct att_diag *d)
{
	TPM2B_PUBLIC *p = NULL;
	ESYS_TR h = aik_handle(t);
	*pub = NULL;
	*len = 0;
	if (h == ESYS_TR_NONE)
		return att_diag_set(d, ATT_ERR_NOT_FOUND,
				    "tpm: no AIK at 0x%08x", ATT_AZG_AIK_HANDLE);
	TSS2_RC rc = Esys_ReadPublic(t->esys, h, ESYS_TR_NONE, ESYS_TR_NONE,
				     ESYS_TR_NONE, &p, NULL, NULL);
	Esys_TR_Close(t->esys, &h);
	if (rc)
		return tpm_err(d, "TPM2_ReadPublic(AIK)", rc);
	int r = marshal_public(p, pub, len);
	Esys_Free(p);
	return r;
}

/* ---- PCRs, quote ---------------------------------------------------- */

int att_azgtpm_pcr_read(struct att_azgtpm *t, uint32_t mask,
			struct att_tpm_pcrs *out, struct att_diag *d)
{
	int r = 0;
	memset(out, 0, sizeof(*out));
	if (!att_tpm_pcrs_add_bank(out, ATT_TPM_ALG_SHA256))
		return ATT_ERR_INTERNAL;
	while (r == 0 && mask) {
		TPML_PCR_SELECTION in, *sel = NULL;
		TPML_DIGEST *vals = NULL;
		UINT32 counter = 0, got = 0, k = 0;
		selection(&in, mask);
		TSS2_RC rc = Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
					   ESYS_TR_NONE, &in, &counter, &sel,
					   &vals);
		if (rc)
			return tpm_err(d, "TPM2_PCR_Read", rc);
		if (sel->count == 1)
			for (uint32_t i = 0; i < 24; i++)
				if (sel->pcrSelections[0].pcrSelect[i / 8] &
				    (1u << (i % 8)))
					got |= 1u << i;
		for (uint32_t i = 0; r == 0 && i < 24; i++) {
			if (!(got & (1u << i)))
				continue;
			r = k < vals->count
				? att_tpm_pcrs_set(out, ATT_TPM_ALG_SHA256, i,
						   vals->digests[k].buffer,
						   vals->digests[k].size)
				: ATT_ERR_FORMAT;
			k++;
		}
		if (r == 0 && got == 0)
			r = att_diag_set(d, ATT_ERR_UNSUPPORTED,
					 "tpm: the SHA-256 PCR bank is not "
					 "active");
		mask &= ~got;
		Esys_Free(sel);
		Esys_Free(vals);
	}
	return r;
}

int att_azgtpm_quote(struct att_azgtpm *t, uint32_t mask, uint8_t **attest,
		     size_t *attest_len, uint8_t **sig, size_t *sig_len,
		     struct att_diag *d)
{
	TPM2B_DATA q = {0};
	TPMT_SIG_SCHEME scheme = {.scheme = TPM2_ALG_NULL};
	TPML_PCR_SELECTION sel;
	TPM2B_ATTEST *quoted = NULL;
	TPMT_SIGNATURE *s = NULL;
	ESYS_TR aik = aik_handle(t);
	*attest = *sig = NULL;
	if (aik == ESYS_TR_NONE)
		return att_diag_set(d, ATT_ERR_NOT_FOUND,
				    "tpm: no AIK at 0x%08x", ATT_AZG_AIK_HANDLE);
	selection(&sel, mask);
	TSS2_RC rc = Esys_Quote(t->esys, aik, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				ESYS_TR_NONE, &q, &scheme, &sel, &quoted, &s);
	Esys_TR_Close(t->esys, &aik);
	if (rc)
		return tpm_err(d, "TPM2_Quote", rc);
	int r = take(attest, attest_len, quoted->attestationData, quoted->size);
	if (r == 0 && (r = raw_sig(s, sig, sig_len, d))) {
		free(*attest);
		*attest = NULL;
	}
	Esys_Free(quoted);
	Esys_Free(s);
	return r;
}

/* ---- the EncKey ----------------------------------------------------- */

/* pcr_session starts a session of type (trial or policy) with PolicyPCR
 * over the current values of sel (an empty pcrDigest: the TPM's own). */
static int pcr_session(struct att_azgtpm *t, TPM2_SE type,
		       const TPML_PCR_SELECTION *sel, ESYS_TR *s,
		       struct att_diag *d)
{
	TPMT_SYM_DEF sym = {.algorithm = TPM2_ALG_NULL};
	TPM2B_DIGEST none = {0};
	TSS2_RC rc = Esys_StartAuthSession(
	    t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, NULL, type, &sym, TPM2_ALG_SHA256, s);
	if (rc)
		return tpm_err(d, "TPM2_StartAuthSession", rc);
	rc = Esys_PolicyPCR(t->esys, *s, ESYS_TR_NONE, ESYS_TR_NONE,
			    ESYS_TR_NONE, &none, sel);
	if (rc) {
		session_end(t, *s);
		*s = ESYS_TR_NONE;
		return tpm_err(d, "TPM2_PolicyPCR", rc);
	}
	return 0;
}

static int enckey_template(struct att_azgtpm *t, const TPML_PCR_SELECTION *sel,
			   TPM2B_PUBLIC *tmpl, struct att_diag *d)
{
	TPM2B_DIGEST *policy = NULL;
	ESYS_TR s = ESYS_TR_NONE;
	int r = pcr_session(t, TPM2_SE_TRIAL, sel, &s, d);
	if (r)
		return r;
	TSS2_RC rc = Esys_PolicyGetDigest(t->esys, s, ESYS_TR_NONE,
					  ESYS_TR_NONE, ESYS_TR_NONE, &policy);
	session_end(t, s);
	if (rc)
		return tpm_err(d, "TPM2_PolicyGetDigest", rc);
	memset(tmpl, 0, sizeof(*tmpl));
	tmpl->publicArea.type = TPM2_ALG_RSA;
	tmpl->publicArea.nameAlg = TPM2_ALG_SHA256;
	tmpl->publicArea.objectAttributes =
	    TPMA_OBJECT_DECRYPT | TPMA_OBJECT_FIXEDTPM |
	    TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
	    TPMA_OBJECT_NODA;
	tmpl->publicArea.authPolicy = *policy;
	TPMS_RSA_PARMS *p = &tmpl->publicArea.parameters.rsaDetail;
	p->symmetric.algorithm = TPM2_ALG_NULL;
	p->scheme.scheme = TPM2_ALG_NULL;
	p->keyBits = 2048;
	Esys_Free(policy);
	return 0;
}

int att_azgtpm_enckey(struct att_azgtpm *t, uint32_t mask, uint8_t **pub,
		      size_t *pub_len, uint8_t **certify, size_t *certify_len,
		      uint8_t **sig, size_t *sig_len, struct att_diag *d)
{
	TPM2B_SENSITIVE_CREATE sens = {0};
	TPM2B_DATA outside = {0}, q = {0};
	TPMT_SIG_SCHEME scheme = {.scheme = TPM2_ALG_NULL};
	TPM2B_PUBLIC tmpl, *op = NULL;
	TPM2B_ATTEST *info = NULL;
	TPMT_SIGNATURE *s = NULL;
	ESYS_TR aik = ESYS_TR_NONE;
	TSS2_RC rc;
	int r;
	*pub = *certify = *sig = NULL;
	if (t->enc != ESYS_TR_NONE) {
		Esys_FlushContext(t->esys, t->enc);
		t->enc = ESYS_TR_NONE;
	}
	selection(&t->enc_sel, mask);
	if ((r = enckey_template(t, &t->enc_sel, &tmpl, d)))
		return r;
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
				ESYS_TR_NONE, ESYS_TR_NONE, &sens, &tmpl,
				&outside, &t->enc_sel, &t->enc, &op, NULL,
				NULL, NULL);
	if (rc) {
		t->enc = ESYS_TR_NONE;
		return tpm_err(d, "creating the EncKey (TPM2_CreatePrimary)",
			       rc);
	}
	if ((aik = aik_handle(t)) == ESYS_TR_NONE) {
		r = att_diag_set(d, ATT_ERR_NOT_FOUND, "tpm: no AIK at 0x%08x",
				 ATT_AZG_AIK_HANDLE);
		goto out;
	}
	rc = Esys_Certify(t->esys, t->enc, aik, ESYS_TR_PASSWORD,
			  ESYS_TR_PASSWORD, ESYS_TR_NONE, &q, &scheme, &info,
			  &s);
	if (rc) {
		r = tpm_err(d, "certifying the EncKey (TPM2_Certify)", rc);
		goto out;
	}
	if ((r = marshal_public(op, pub, pub_len)) ||
	    (r = take(certify, certify_len, info->attestationData,
		      info->size)) ||
	    (r = raw_sig(s, sig, sig_len, d)))
		goto out;
out:
	if (r) {
		free(*pub);
		free(*certify);
		*pub = *certify = NULL;
	}
	if (aik != ESYS_TR_NONE)
		Esys_TR_Close(t->esys, &aik);
	Esys_Free(op);
	Esys_Free(info);
	Esys_Free(s);
	return r;
}

int att_azgtpm_decrypt(void *ctx, const uint8_t *in, size_t in_len,
		       uint8_t *out, size_t cap, size_t *out_len,
		       struct att_diag *d)
{
	struct att_azgtpm *t = ctx;
	TPM2B_PUBLIC_KEY_RSA ct;
	TPMT_RSA_DECRYPT scheme = {.scheme = TPM2_ALG_RSAES};
	TPM2B_DATA label = {0};
	TPM2B_PUBLIC_KEY_RSA *msg = NULL;
	ESYS_TR s = ESYS_TR_NONE;
	*out_len = 0;
	if (t->enc == ESYS_TR_NONE)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "tpm: no EncKey");
	if (in_len > sizeof(ct.buffer))
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "tpm: wrapped key of %zu bytes", in_len);
	ct.size = (uint16_t)in_len;
	memcpy(ct.buffer, in, in_len);
	int r = pcr_session(t, TPM2_SE_POLICY, &t->enc_sel, &s, d);
	if (r)
		return r;
	TSS2_RC rc = Esys_RSA_Decrypt(t->esys, t->enc, s, ESYS_TR_NONE,
				      ESYS_TR_NONE, &ct, &scheme, &label, &msg);
	session_end(t, s);
	if (rc)
		return tpm_err(d,
			       "unwrapping the inner key (TPM2_RSA_Decrypt "
			       "with the EncKey; did the PCRs change?)",
			       rc);
	if (msg->size > cap)
		r = ATT_ERR_LIMIT;
	else {
		memcpy(out, msg->buffer, msg->size);
		*out_len = msg->size;
	}
	memset(msg->buffer, 0, sizeof(msg->buffer));
	Esys_Free(msg);
	return r;
}

/* ---- boot log ------------------------------------------------------- */

static int extend_event(struct att_azgtpm *t, const struct att_tcg_event *ev,
			struct att_diag *d)
{
	TPML_DIGEST_VALUES v;
	memset(&v, 0, sizeof(v));
	for (uint32_t i = 0; i < ev->num_digests; i++) {
		const struct att_tcg_digest *g = &ev->digests[i];
		if (g->alg != TPM2_ALG_SHA1 && g->alg != TPM2_ALG_SHA256 &&
		    g->alg != TPM2_ALG_SHA384)
			continue;
		if (v.count >= TPM2_NUM_PCR_BANKS || g->len > sizeof(TPMU_HA))
			return ATT_ERR_LIMIT;
		v.digests[v.count].hashAlg = g->alg;
		memcpy(&v.digests[v.count].digest, g->p, g->len);
		v.count++;
	}
	if (!v.count)
		return 0;
	TSS2_RC rc = Esys_PCR_Extend(t->esys, ESYS_TR_PCR0 + ev->pcr,
				     ESYS_TR_PASSWORD, ESYS_TR_NONE,
				     ESYS_TR_NONE, &v);
	return rc ? att_diag_set(d, ATT_ERR_IO,
				 "tpm: TPM2_PCR_Extend of event %u (PCR %u) "
				 "failed (TSS2_RC 0x%x)",
				 ev->seq, ev->pcr, (unsigned)rc)
		  : 0;
}

int att_azgtpm_extend_log(struct att_azgtpm *t, const uint8_t *log,
			  size_t len, struct att_diag *d)
{
	struct att_tcg_log l;
	memset(&l, 0, sizeof(l));
	int r = att_tcg_log_parse(&l, log, len, d);
	for (size_t i = 0; r == 0 && i < l.num_events; i++) {
		const struct att_tcg_event *ev = &l.events[i];
		if (ev->type == EV_NO_ACTION || ev->pcr > 23)
			continue;
		r = extend_event(t, ev, d);
	}
	att_tcg_log_release(&l);
	return r;
}
