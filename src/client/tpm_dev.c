/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client's TPM through tss2-esys (tpm_dev.h). EK use needs the
 * endorsement hierarchy's authorisation through a policy session
 * (PolicySecret(TPM_RH_ENDORSEMENT), the TCG EK templates' policy): each
 * use gets a fresh session, flushed right after, since a used policy
 * session's digest is reset anyway. Objects: the EK (persistent, or a
 * transient primary flushed on close) and the AIK (flushed on close).
 */
#include "client/tpm_dev.h"

#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_tctildr.h>

#include "attest/err.h"
#include "base/cur.h"

struct att_tpmdev {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	ESYS_TR ek;
	bool ek_transient;
	ESYS_TR aik;
};

static int tpm_err(struct att_diag *d, const char *what, TSS2_RC rc)
{
	return att_diag_set(d, ATT_ERR_IO, "tpm: %s failed (TSS2_RC 0x%x)",
			    what, (unsigned)rc);
}

int att_tpmdev_open(struct att_tpmdev **out, const char *tcti,
		    struct att_diag *d)
{
	struct att_tpmdev *t = calloc(1, sizeof(*t));
	TSS2_RC rc;
	*out = NULL;
	if (!t)
		return ATT_ERR_NOMEM;
	t->ek = ESYS_TR_NONE;
	t->aik = ESYS_TR_NONE;
	if (!tcti)
		tcti = ATT_TPMDEV_DEFAULT_TCTI;
	if ((rc = Tss2_TctiLdr_Initialize(tcti, &t->tcti)) != TSS2_RC_SUCCESS) {
		free(t);
		return att_diag_set(d, ATT_ERR_IO,
				    "tpm: cannot open TCTI \"%s\" (TSS2_RC "
				    "0x%x)",
				    tcti, (unsigned)rc);
	}
	if ((rc = Esys_Initialize(&t->esys, t->tcti, NULL)) !=
	    TSS2_RC_SUCCESS) {
		att_tpmdev_close(t);
		return tpm_err(d, "Esys_Initialize", rc);
	}
	rc = Esys_Startup(t->esys, TPM2_SU_CLEAR);
	if (rc != TSS2_RC_SUCCESS && rc != TPM2_RC_INITIALIZE) {
		att_tpmdev_close(t);
		return tpm_err(d, "TPM2_Startup", rc);
	}
	*out = t;
	return 0;
}

void att_tpmdev_close(struct att_tpmdev *t)
{
	if (!t)
		return;
	if (t->esys) {
		if (t->aik != ESYS_TR_NONE)
			Esys_FlushContext(t->esys, t->aik);
		if (t->ek != ESYS_TR_NONE && t->ek_transient)
			Esys_FlushContext(t->esys, t->ek);
		else if (t->ek != ESYS_TR_NONE)
			Esys_TR_Close(t->esys, &t->ek);
		Esys_Finalize(&t->esys);
	}
	if (t->tcti)
		Tss2_TctiLdr_Finalize(&t->tcti);
	free(t);
}

/* ---- marshalling helpers ------------------------------------------- */

static int take(uint8_t **out, size_t *out_len, const uint8_t *p, size_t n)
{
	*out = malloc(n ? n : 1);
	if (!*out)
		return ATT_ERR_NOMEM;
	memcpy(*out, p, n);
	*out_len = n;
	return 0;
}

static int marshal_public(const TPM2B_PUBLIC *p, uint8_t **out, size_t *len)
{
	uint8_t buf[sizeof(TPM2B_PUBLIC)];
	size_t off = 0;
	if (Tss2_MU_TPM2B_PUBLIC_Marshal(p, buf, sizeof(buf), &off) !=
	    TSS2_RC_SUCCESS)
		return ATT_ERR_FORMAT;
	return take(out, len, buf, off);
}

/* ---- the EK --------------------------------------------------------- */

/* TCG EK Credential Profile, template L-1 (RSA 2048, AES-128-CFB). */
static const uint8_t ek_policy[32] = {
    0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc,
    0x8d, 0x46, 0xa5, 0xd7, 0x24, 0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52,
    0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b, 0x33, 0x14, 0x69, 0xaa};

static void ek_template(TPM2B_PUBLIC *p)
{
	memset(p, 0, sizeof(*p));
	p->publicArea.type = TPM2_ALG_RSA;
	p->publicArea.nameAlg = TPM2_ALG_SHA256;
	p->publicArea.objectAttributes =
	    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
	    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
	    TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
	p->publicArea.authPolicy.size = sizeof(ek_policy);
	memcpy(p->publicArea.authPolicy.buffer, ek_policy, sizeof(ek_policy));
	TPMS_RSA_PARMS *r = &p->publicArea.parameters.rsaDetail;
	r->symmetric.algorithm = TPM2_ALG_AES;
	r->symmetric.keyBits.aes = 128;
	r->symmetric.mode.aes = TPM2_ALG_CFB;
	r->scheme.scheme = TPM2_ALG_NULL;
	r->keyBits = 2048;
	r->exponent = 0;
	p->publicArea.unique.rsa.size = 256;
}

static int ek_load(struct att_tpmdev *t, TPM2B_PUBLIC **pub, struct att_diag *d)
{
	TPM2B_SENSITIVE_CREATE sens = {0};
	TPM2B_DATA outside = {0};
	TPML_PCR_SELECTION pcrs = {0};
	TPM2B_PUBLIC tmpl;
	TSS2_RC rc;
	if (Esys_TR_FromTPMPublic(t->esys, ATT_TPMDEV_EK_HANDLE, ESYS_TR_NONE,
				  ESYS_TR_NONE, ESYS_TR_NONE,
				  &t->ek) == TSS2_RC_SUCCESS) {
		rc = Esys_ReadPublic(t->esys, t->ek, ESYS_TR_NONE, ESYS_TR_NONE,
				     ESYS_TR_NONE, pub, NULL, NULL);
		if (rc == TSS2_RC_SUCCESS &&
		    (*pub)->publicArea.type == TPM2_ALG_RSA)
			return 0;
		Esys_Free(*pub);
		*pub = NULL;
		Esys_TR_Close(t->esys, &t->ek);
		t->ek = ESYS_TR_NONE;
	}
	ek_template(&tmpl);
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_ENDORSEMENT,
				ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
				&sens, &tmpl, &outside, &pcrs, &t->ek, pub,
				NULL, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		t->ek = ESYS_TR_NONE;
		return tpm_err(d, "creating the EK (TPM2_CreatePrimary)", rc);
	}
	t->ek_transient = true;
	return 0;
}

int att_tpmdev_cert_span(const uint8_t *buf, size_t n, size_t *len)
{
	struct att_cur c, cert;
	int r;
	att_cur_init(&c, buf, n);
	r = att_cur_get_der(&c, ATT_TPMDEV_DER_SEQUENCE, &cert);
	*len = r ? 0 : cert.len;
	return r;
}

static int nv_read_all(struct att_tpmdev *t, ESYS_TR nv, uint16_t size,
		       uint8_t *buf, struct att_diag *d)
{
	for (uint16_t off = 0; off < size;) {
		uint16_t n = size - off > ATT_TPMDEV_NV_CHUNK
				 ? ATT_TPMDEV_NV_CHUNK
				 : (uint16_t)(size - off);
		TPM2B_MAX_NV_BUFFER *data = NULL;
		TSS2_RC rc =
		    Esys_NV_Read(t->esys, nv, nv, ESYS_TR_PASSWORD,
				 ESYS_TR_NONE, ESYS_TR_NONE, n, off, &data);
		if (rc != TSS2_RC_SUCCESS)
			return tpm_err(d, "reading the EK certificate (NV)",
				       rc);
		if (data->size != n) {
			Esys_Free(data);
			return att_diag_set(d, ATT_ERR_IO,
					    "tpm: short NV read");
		}
		memcpy(buf + off, data->buffer, n);
		Esys_Free(data);
		off = (uint16_t)(off + n);
	}
	return 0;
}

/* ek_cert reads the EK certificate; *cert stays NULL when there is none. */
static int ek_cert(struct att_tpmdev *t, uint8_t **cert, size_t *cert_len,
		   struct att_diag *d)
{
	ESYS_TR nv = ESYS_TR_NONE;
	TPM2B_NV_PUBLIC *np = NULL;
	uint8_t *buf = NULL;
	int r = 0;
	if (Esys_TR_FromTPMPublic(t->esys, ATT_TPMDEV_EK_CERT_NV, ESYS_TR_NONE,
				  ESYS_TR_NONE, ESYS_TR_NONE,
				  &nv) != TSS2_RC_SUCCESS)
		return 0; /* no certificate in NV */
	TSS2_RC rc = Esys_NV_ReadPublic(t->esys, nv, ESYS_TR_NONE, ESYS_TR_NONE,
					ESYS_TR_NONE, &np, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		r = tpm_err(d, "TPM2_NV_ReadPublic", rc);
		goto out;
	}
	uint16_t size = np->nvPublic.dataSize;
	if (!(buf = malloc(size ? size : 1))) {
		r = ATT_ERR_NOMEM;
		goto out;
	}
	if ((r = nv_read_all(t, nv, size, buf, d)) != 0)
		goto out;
	size_t n;
	if (att_tpmdev_cert_span(buf, size, &n) != 0) {
		r = att_diag_set(d, ATT_ERR_FORMAT,
				 "tpm: NV 0x%08x does not "
				 "hold a DER certificate",
				 ATT_TPMDEV_EK_CERT_NV);
		goto out;
	}
	r = take(cert, cert_len, buf, n);
out:
	free(buf);
	Esys_Free(np);
	Esys_TR_Close(t->esys, &nv);
	return r;
}

int att_tpmdev_ek(struct att_tpmdev *t, uint8_t **pub, size_t *pub_len,
		  uint8_t **cert, size_t *cert_len, struct att_diag *d)
{
	TPM2B_PUBLIC *p = NULL;
	*pub = NULL;
	*cert = NULL;
	*pub_len = *cert_len = 0;
	int r =
	    t->ek == ESYS_TR_NONE
		? ek_load(t, &p, d)
		: (Esys_ReadPublic(t->esys, t->ek, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, &p, NULL, NULL)
		       ? ATT_ERR_IO
		       : 0);
	if (r == 0)
		r = marshal_public(p, pub, pub_len);
	Esys_Free(p);
	if (r == 0 && (r = ek_cert(t, cert, cert_len, d)) != 0) {
		free(*pub);
		*pub = NULL;
	}
	return r;
}

/* ---- sessions and the AIK ------------------------------------------ */

/* ek_session starts a policy session satisfying the EK's policy. */
static int ek_session(struct att_tpmdev *t, ESYS_TR *s, struct att_diag *d)
{
	TPMT_SYM_DEF sym = {.algorithm = TPM2_ALG_NULL};
	TPM2B_NONCE nonce = {0}, ref = {0};
	TPM2B_DIGEST cp = {0};
	TSS2_RC rc = Esys_StartAuthSession(
	    t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
	    ESYS_TR_NONE, NULL, TPM2_SE_POLICY, &sym, TPM2_ALG_SHA256, s);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_err(d, "TPM2_StartAuthSession", rc);
	rc = Esys_PolicySecret(t->esys, ESYS_TR_RH_ENDORSEMENT, *s,
			       ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
			       &nonce, &cp, &ref, 0, NULL, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		Esys_FlushContext(t->esys, *s);
		*s = ESYS_TR_NONE;
		return tpm_err(d, "TPM2_PolicySecret(endorsement)", rc);
	}
	return 0;
}

static void session_end(struct att_tpmdev *t, ESYS_TR s)
{
	/* The TPM may already have closed it (continueSession clear). */
	if (s != ESYS_TR_NONE && Esys_FlushContext(t->esys, s) != 0)
		Esys_TR_Close(t->esys, &s);
}

static void aik_template(TPM2B_PUBLIC *p, const struct att_tpmdev_aik_opts *o)
{
	memset(p, 0, sizeof(*p));
	p->publicArea.nameAlg = TPM2_ALG_SHA256;
	p->publicArea.objectAttributes =
	    TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
	    TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
	    TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_NODA |
	    (o && o->unrestricted ? 0 : TPMA_OBJECT_RESTRICTED);
	if (o && o->ecc) {
		TPMS_ECC_PARMS *e = &p->publicArea.parameters.eccDetail;
		p->publicArea.type = TPM2_ALG_ECC;
		e->symmetric.algorithm = TPM2_ALG_NULL;
		e->scheme.scheme = TPM2_ALG_ECDSA;
		e->scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
		e->curveID = TPM2_ECC_NIST_P256;
		e->kdf.scheme = TPM2_ALG_NULL;
		return;
	}
	TPMS_RSA_PARMS *r = &p->publicArea.parameters.rsaDetail;
	p->publicArea.type = TPM2_ALG_RSA;
	r->symmetric.algorithm = TPM2_ALG_NULL;
	r->scheme.scheme = TPM2_ALG_RSASSA;
	r->scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
	r->keyBits = 2048;
	r->exponent = 0;
}

int att_tpmdev_aik_create(struct att_tpmdev *t,
			  const struct att_tpmdev_aik_opts *o, uint8_t **pub,
			  size_t *pub_len, uint8_t **priv, size_t *priv_len,
			  struct att_diag *d)
{
	TPM2B_SENSITIVE_CREATE sens = {0};
	TPM2B_DATA outside = {0};
	TPML_PCR_SELECTION pcrs = {0};
	TPM2B_PUBLIC tmpl, *op = NULL;
	TPM2B_PRIVATE *opriv = NULL;
	ESYS_TR s = ESYS_TR_NONE;
	uint8_t buf[sizeof(TPM2B_PRIVATE)];
	size_t off = 0;
	*pub = *priv = NULL;
	if (t->ek == ESYS_TR_NONE)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "tpm: no EK");
	aik_template(&tmpl, o);
	int r = ek_session(t, &s, d);
	if (r)
		return r;
	TSS2_RC rc =
	    Esys_Create(t->esys, t->ek, s, ESYS_TR_NONE, ESYS_TR_NONE, &sens,
			&tmpl, &outside, &pcrs, &opriv, &op, NULL, NULL, NULL);
	session_end(t, s);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_err(d, "creating the AIK (TPM2_Create)", rc);
	r = marshal_public(op, pub, pub_len);
	if (r == 0 && Tss2_MU_TPM2B_PRIVATE_Marshal(opriv, buf, sizeof(buf),
						    &off) != TSS2_RC_SUCCESS)
		r = ATT_ERR_FORMAT;
	if (r == 0)
		r = take(priv, priv_len, buf, off);
	Esys_Free(op);
	Esys_Free(opriv);
	return r;
}

int att_tpmdev_aik_load(struct att_tpmdev *t, const uint8_t *pub,
			size_t pub_len, const uint8_t *priv, size_t priv_len,
			struct att_diag *d)
{
	TPM2B_PUBLIC p;
	TPM2B_PRIVATE k;
	size_t o1 = 0, o2 = 0;
	ESYS_TR s = ESYS_TR_NONE;
	memset(&p, 0, sizeof(p));
	memset(&k, 0, sizeof(k));
	if (t->ek == ESYS_TR_NONE)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "tpm: no EK");
	if (Tss2_MU_TPM2B_PUBLIC_Unmarshal(pub, pub_len, &o1, &p) ||
	    o1 != pub_len ||
	    Tss2_MU_TPM2B_PRIVATE_Unmarshal(priv, priv_len, &o2, &k) ||
	    o2 != priv_len)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "tpm: the AIK blob is malformed");
	int r = ek_session(t, &s, d);
	if (r)
		return r;
	if (t->aik != ESYS_TR_NONE) {
		Esys_FlushContext(t->esys, t->aik);
		t->aik = ESYS_TR_NONE;
	}
	TSS2_RC rc = Esys_Load(t->esys, t->ek, s, ESYS_TR_NONE, ESYS_TR_NONE,
			       &k, &p, &t->aik);
	session_end(t, s);
	if (rc != TSS2_RC_SUCCESS) {
		t->aik = ESYS_TR_NONE;
		return tpm_err(d, "loading the AIK (TPM2_Load)", rc);
	}
	return 0;
}

int att_tpmdev_activate(struct att_tpmdev *t, const uint8_t *id_object,
			size_t id_len, const uint8_t *enc_secret,
			size_t enc_len, uint8_t *out, size_t cap,
			size_t *out_len, struct att_diag *d)
{
	TPM2B_ID_OBJECT id;
	TPM2B_ENCRYPTED_SECRET es;
	TPM2B_DIGEST *cert = NULL;
	size_t o1 = 0, o2 = 0;
	ESYS_TR s = ESYS_TR_NONE;
	memset(&id, 0, sizeof(id));
	memset(&es, 0, sizeof(es));
	if (t->aik == ESYS_TR_NONE)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "tpm: no AIK");
	if (Tss2_MU_TPM2B_ID_OBJECT_Unmarshal(id_object, id_len, &o1, &id) ||
	    o1 != id_len ||
	    Tss2_MU_TPM2B_ENCRYPTED_SECRET_Unmarshal(enc_secret, enc_len, &o2,
						     &es) ||
	    o2 != enc_len)
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "tpm: the credential from the service is "
				    "malformed");
	int r = ek_session(t, &s, d);
	if (r)
		return r;
	TSS2_RC rc =
	    Esys_ActivateCredential(t->esys, t->aik, t->ek, ESYS_TR_PASSWORD, s,
				    ESYS_TR_NONE, &id, &es, &cert);
	session_end(t, s);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_err(d, "TPM2_ActivateCredential", rc);
	if (cert->size > cap)
		r = ATT_ERR_LIMIT;
	else {
		memcpy(out, cert->buffer, cert->size);
		*out_len = cert->size;
	}
	Esys_Free(cert);
	return r;
}

/* ---- PCRs and quotes ------------------------------------------------ */

static void selection(TPML_PCR_SELECTION *s, uint32_t mask, uint16_t bank)
{
	memset(s, 0, sizeof(*s));
	s->count = 1;
	s->pcrSelections[0].hash = bank;
	s->pcrSelections[0].sizeofSelect = 3;
	for (int i = 0; i < 3; i++)
		s->pcrSelections[0].pcrSelect[i] = (uint8_t)(mask >> (8 * i));
}

/* pcr_read_once reads what the TPM returns for mask (at most 8 PCRs) and
 * clears the PCRs it returned from *mask. */
static int pcr_read_once(struct att_tpmdev *t, uint32_t *mask, uint16_t bank,
			 struct att_tpm_pcrs *out, struct att_diag *d)
{
	TPML_PCR_SELECTION in, *sel = NULL;
	TPML_DIGEST *vals = NULL;
	UINT32 counter = 0;
	int r = 0;
	selection(&in, *mask, bank);
	TSS2_RC rc = Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, &in, &counter, &sel, &vals);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_err(d, "TPM2_PCR_Read", rc);
	uint32_t got = 0, k = 0;
	if (sel->count == 1)
		for (uint32_t i = 0; i < 24; i++)
			if (sel->pcrSelections[0].pcrSelect[i / 8] &
			    (1u << (i % 8)))
				got |= 1u << i;
	for (uint32_t i = 0; r == 0 && i < 24; i++) {
		if (!(got & (1u << i)))
			continue;
		if (k >= vals->count)
			r = ATT_ERR_FORMAT;
		else
			r = att_tpm_pcrs_set(out, bank, i,
					     vals->digests[k].buffer,
					     vals->digests[k].size);
		k++;
	}
	if (r == 0 && got == 0)
		r = att_diag_set(d, ATT_ERR_UNSUPPORTED,
				 "tpm: PCR bank 0x%04x is not active", bank);
	*mask &= ~got;
	Esys_Free(sel);
	Esys_Free(vals);
	return r;
}

int att_tpmdev_pcr_read(struct att_tpmdev *t, uint32_t mask, uint16_t bank,
			struct att_tpm_pcrs *out, struct att_diag *d)
{
	memset(out, 0, sizeof(*out));
	if (!att_tpm_pcrs_add_bank(out, bank))
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "tpm: unknown PCR bank 0x%04x", bank);
	int r = 0;
	while (r == 0 && mask)
		r = pcr_read_once(t, &mask, bank, out, d);
	return r;
}

int att_tpmdev_quote(struct att_tpmdev *t, const uint8_t *nonce,
		     size_t nonce_len, uint32_t mask, uint16_t bank,
		     uint8_t **attest, size_t *attest_len, uint8_t **sig,
		     size_t *sig_len, struct att_diag *d)
{
	TPM2B_DATA q = {0};
	TPMT_SIG_SCHEME scheme = {.scheme = TPM2_ALG_NULL};
	TPML_PCR_SELECTION sel;
	TPM2B_ATTEST *quoted = NULL;
	TPMT_SIGNATURE *s = NULL;
	uint8_t buf[sizeof(TPMT_SIGNATURE)];
	size_t off = 0;
	*attest = *sig = NULL;
	if (t->aik == ESYS_TR_NONE)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "tpm: no AIK");
	if (nonce_len > sizeof(q.buffer))
		return ATT_ERR_LIMIT;
	q.size = (UINT16)nonce_len;
	memcpy(q.buffer, nonce, nonce_len);
	selection(&sel, mask, bank);
	TSS2_RC rc = Esys_Quote(t->esys, t->aik, ESYS_TR_PASSWORD, ESYS_TR_NONE,
				ESYS_TR_NONE, &q, &scheme, &sel, &quoted, &s);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_err(d, "TPM2_Quote", rc);
	int r = take(attest, attest_len, quoted->attestationData, quoted->size);
	if (r == 0 && Tss2_MU_TPMT_SIGNATURE_Marshal(s, buf, sizeof(buf),
						     &off) != TSS2_RC_SUCCESS)
		r = ATT_ERR_FORMAT;
	if (r == 0)
		r = take(sig, sig_len, buf, off);
	if (r) {
		free(*attest);
		*attest = NULL;
	}
	Esys_Free(quoted);
	Esys_Free(s);
	return r;
}
