/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `attest sim snp init`: a fresh simulated PKI shaped like AMD's SEV-SNP
 * PKI (AMD's VCEK/VLEK certificate and KDS interface specification,
 * publication 57230). ARK (self-signed
 * RSA-4096) -> ASK -> VCEK and ARK -> ASVK -> VLEK, every certificate and
 * CRL signed RSASSA-PSS SHA-384 (MGF1 SHA-384, salt 48) as AMD signs
 * them; VCEK and VLEK keys are P-384 and carry AMD's extensions under
 * 1.3.6.1.4.1.3704.1 in the order AMD's certificates list them. Every
 * private key is a 0600 file: the directory must never be trusted in
 * production. One deliberate difference from AMD: VEK serial numbers are
 * random (AMD's are 0), so that a CRL can name one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "crypto/digest.h"
#include "crypto/keywrap.h"
#include "sim/sgx_sim_int.h"
#include "sim/snp_sim_int.h"

#define OID_AMD "1.3.6.1.4.1.3704.1"
#define KDS_SIM "https://kds-sim.attestd.invalid"
#define SIM_O "attestd SEV-SNP Simulator"
#define CRL_REASON_KEY_COMPROMISE 1 /* RFC 5280 §5.3.1 */

struct pki {
	const char *dir;
	struct att_diag *d;
	struct snpsim_state st;
	bool rsa2048;
	struct att_pkey *ark_key, *ask_key, *asvk_key, *vcek_key, *vlek_key;
	struct att_cert *ark, *ask, *asvk, *vcek, *vlek;
};

static void pki_free(struct pki *p)
{
	att_pkey_free(p->ark_key);
	att_pkey_free(p->ask_key);
	att_pkey_free(p->asvk_key);
	att_pkey_free(p->vcek_key);
	att_pkey_free(p->vlek_key);
	att_cert_free(p->ark);
	att_cert_free(p->ask);
	att_cert_free(p->asvk);
	att_cert_free(p->vcek);
	att_cert_free(p->vlek);
}

void att_snpsim_default_tcb(struct att_snp_tcb *t, enum att_snp_product p)
{
	*t = (struct att_snp_tcb){.bl = 3, .tee = 0, .snp = 8, .ucode = 115};
	if (p == ATT_SNP_TURIN) {
		t->has_fmc = true;
		t->fmc = 1;
	}
	t->raw = att_snp_tcb_encode(t, p);
}

size_t snpsim_hwid_len(enum att_snp_product p)
{
	return p == ATT_SNP_TURIN ? 8 : 64;
}

/* ---- names ---- */

struct names {
	char cn[64];
	struct att_cert_name_attr a[6];
};

/* AMD's DN order: OU, C, L, ST, O, CN. */
static void name_init(struct names *n, const char *fmt, const char *prod)
{
	snprintf(n->cn, sizeof(n->cn), fmt, prod);
	n->a[0] = (struct att_cert_name_attr){"OU", "Engineering"};
	n->a[1] = (struct att_cert_name_attr){"C", "US"};
	n->a[2] = (struct att_cert_name_attr){"L", "Santa Clara"};
	n->a[3] = (struct att_cert_name_attr){"ST", "CA"};
	n->a[4] = (struct att_cert_name_attr){"O", SIM_O};
	n->a[5] = (struct att_cert_name_attr){"CN", n->cn};
}

/* ---- keys and files ---- */

static int save_key(const struct pki *p, const char *name, struct att_pkey *k)
{
	char *pem = NULL;
	int r = att_pkey_to_pem(&pem, k, true);
	if (r)
		r = att_diag_set(p->d, r, "snpsim: cannot encode %s", name);
	else
		r = att_sim_write(p->dir, NULL, name, pem, strlen(pem), 0600,
				  p->d);
	if (pem)
		att_keywrap_wipe(pem, strlen(pem)); /* secret */
	free(pem);
	return r;
}

/* save_cert writes c as PEM (pem true) or DER; chain appends its PEM. */
static int save_cert(const struct pki *p, const char *name,
		     const struct att_cert *c, bool pem)
{
	uint8_t *der = NULL;
	char *txt = NULL;
	size_t n = 0;
	int r = pem ? att_cert_to_pem(&txt, c) : att_cert_to_der(&der, &n, c);
	if (r)
		r = att_diag_set(p->d, r, "snpsim: cannot encode %s", name);
	else if (pem)
		r = att_sim_write(p->dir, NULL, name, txt, strlen(txt), 0644,
				  p->d);
	else
		r = att_sim_write(p->dir, NULL, name, der, n, 0644, p->d);
	free(der);
	free(txt);
	return r;
}

static int save_chain(const struct pki *p, const char *name,
		      const struct att_cert *mid)
{
	char *a = NULL, *b = NULL;
	int r = att_cert_to_pem(&a, mid);
	if (!r)
		r = att_cert_to_pem(&b, p->ark);
	struct att_buf buf;
	att_buf_init(&buf, ATT_SNP_MAX_CERT_TABLE_LEN);
	if (!r && (att_buf_adds(&buf, a) || att_buf_adds(&buf, b)))
		r = ATT_ERR_LIMIT;
	if (r)
		r = att_diag_set(p->d, r, "snpsim: cannot encode %s", name);
	else
		r = att_sim_write(p->dir, NULL, name, buf.data, buf.len, 0644,
				  p->d);
	att_buf_release(&buf);
	free(a);
	free(b);
	return r;
}

int snpsim_load_key(const char *dir, const char *name, struct att_pkey **out,
		    struct att_diag *d)
{
	struct att_buf b;
	*out = NULL;
	int r = att_sim_read(dir, NULL, name, &b, true, d);
	if (r)
		return r;
	r = att_pkey_from_pem(out, (const char *)b.data, b.len);
	att_buf_release(&b);
	if (!r && !att_pkey_has_private(*out)) {
		att_pkey_free(*out);
		*out = NULL;
		r = ATT_ERR_FORMAT;
	}
	if (r)
		return att_diag_set(d, r, "snpsim: %s/%s is not a private key",
				    dir, name);
	return 0;
}

int snpsim_load_cert(const char *dir, const char *name, struct att_cert **out,
		     struct att_diag *d)
{
	struct att_buf b;
	*out = NULL;
	int r = att_sim_read(dir, NULL, name, &b, false, d);
	if (r)
		return r;
	bool pem = b.len > 10 && !memcmp(b.data, "-----BEGIN", 10);
	r = pem ? att_cert_from_pem(out, (const char *)b.data, b.len)
		: att_cert_from_der(out, b.data, b.len);
	att_buf_release(&b);
	if (r)
		return att_diag_set(d, r, "snpsim: %s/%s is not a certificate",
				    dir, name);
	return 0;
}

/* ---- certificates ---- */

static int gen_rsa(const struct pki *p, struct att_pkey **k)
{
	int r = att_pkey_generate(k, p->rsa2048 ? ATT_KEY_RSA2048
						: ATT_KEY_RSA4096);
	return r ? att_diag_set(p->d, r, "snpsim: RSA key generation failed")
		 : 0;
}

static int make_ark(struct pki *p)
{
	struct names n;
	const char *prod = att_snp_product_name(p->st.product);
	char crl[160];
	name_init(&n, "ARK-%s", prod);
	snprintf(crl, sizeof(crl), KDS_SIM "/vcek/v1/%s/crl", prod);
	int r = gen_rsa(p, &p->ark_key);
	struct att_cert_spec s = {
	    .subject = n.a,
	    .n_subject = 6,
	    .subject_key = p->ark_key,
	    .not_before = p->st.now - SNPSIM_DAY,
	    .not_after = p->st.now + 25 * SNPSIM_YEAR,
	    .basic_constraints = true,
	    .ca = true,
	    .pathlen = -1,
	    .key_usage = ATT_KU_KEY_CERT_SIGN | ATT_KU_CRL_SIGN,
	    .ski = ATT_SKI_KEY_SHA1,
	    .crl_url = crl,
	    .order = {ATT_EXT_KEY_USAGE, ATT_EXT_SKI, ATT_EXT_BASIC_CONSTRAINTS,
		      ATT_EXT_CRL_DP},
	    .sig = ATT_CERT_SIG_RSA_PSS_SHA384};
	if (!r && (r = att_cert_build(&p->ark, &s)) != 0)
		r = att_diag_set(p->d, r, "snpsim: cannot issue the ARK");
	return r;
}

/* make_sub issues the ASK (vlek false) or the ASVK under the ARK. */
static int make_sub(struct pki *p, bool vlek)
{
	struct names n;
	const char *prod = att_snp_product_name(p->st.product);
	char crl[160];
	name_init(&n, vlek ? "SEV-VLEK-%s" : "SEV-%s", prod);
	snprintf(crl, sizeof(crl), KDS_SIM "/%s/v1/%s/crl",
		 vlek ? "vlek" : "vcek", prod);
	struct att_pkey **k = vlek ? &p->asvk_key : &p->ask_key;
	int r = gen_rsa(p, k);
	struct att_cert_spec s = {
	    .subject = n.a,
	    .n_subject = 6,
	    .issuer = p->ark,
	    .signing_key = p->ark_key,
	    .subject_key = *k,
	    .not_before = p->st.now - SNPSIM_DAY,
	    .not_after = p->st.now + 25 * SNPSIM_YEAR,
	    .basic_constraints = true,
	    .ca = true,
	    .pathlen = 0,
	    .key_usage = ATT_KU_KEY_CERT_SIGN,
	    .ski = ATT_SKI_KEY_SHA1,
	    .aki = true,
	    .crl_url = crl,
	    .order = {ATT_EXT_SKI, ATT_EXT_AKI, ATT_EXT_BASIC_CONSTRAINTS,
		      ATT_EXT_KEY_USAGE, ATT_EXT_CRL_DP},
	    .sig = ATT_CERT_SIG_RSA_PSS_SHA384};
	if (!r && (r = att_cert_build(vlek ? &p->asvk : &p->ask, &s)) != 0)
		r = att_diag_set(p->d, r, "snpsim: cannot issue the %s",
				 vlek ? "ASVK" : "ASK");
	return r;
}

/* DER bits of AMD's extension values. */
static size_t der_int(uint8_t *o, unsigned v)
{
	o[0] = 0x02;
	if (v < 0x80) {
		o[1] = 1;
		o[2] = (uint8_t)v;
		return 3;
	}
	o[1] = 2; /* 0x80..0xFF: DER needs a leading zero (X.690 §8.3) */
	o[2] = 0;
	o[3] = (uint8_t)v;
	return 4;
}

static size_t der_ia5(uint8_t *o, size_t cap, const char *s)
{
	size_t n = strlen(s);
	if (n > 127 || n + 2 > cap)
		return 0;
	o[0] = 0x16;
	o[1] = (uint8_t)n;
	memcpy(o + 2, s, n);
	return n + 2;
}

/* The VEK's extensions, in the order of AMD's certificates: .1, .2,
 * (.3.9 Turin), .3.1, .3.2, (.3.3 Turin), .3.4 .. .3.7 (Turin without
 * .3.4), (.3.3 Milan/Genoa), .3.8, then .4 hwID (VCEK) or .5 CSP ID. */
struct vek_ext {
	struct att_cert_raw_ext e[16];
	size_t n;
	uint8_t val[16][140];
};

static void ext_add(struct vek_ext *x, const char *oid, const uint8_t *v,
		    size_t len)
{
	if (x->n < 16 && len)
		x->e[x->n++] = (struct att_cert_raw_ext){oid, v, len, false,
							 false};
}

static void ext_int(struct vek_ext *x, const char *oid, unsigned v)
{
	if (x->n < 16)
		ext_add(x, oid, x->val[x->n], der_int(x->val[x->n], v));
}

static void vek_ext_build(struct vek_ext *x, const struct snpsim_state *st,
			  const struct att_snp_tcb *t, bool vlek,
			  const uint8_t *hwid)
{
	bool turin = st->product == ATT_SNP_TURIN;
	const char *prod = att_snp_product_name(st->product);
	char pname[32];
	/* AMD's VCEKs say "Milan-B0", "Genoa-B0"; Turin VCEKs and VLEKs
	 * carry the bare product name. */
	snprintf(pname, sizeof(pname), "%s%s", prod,
		 vlek || turin ? "" : "-B0");
	x->n = 0;
	ext_int(x, OID_AMD ".1", turin && !vlek ? 1 : 0);
	ext_add(x, OID_AMD ".2", x->val[x->n],
		der_ia5(x->val[x->n], sizeof(x->val[0]), pname));
	if (turin)
		ext_int(x, OID_AMD ".3.9", t->fmc);
	ext_int(x, OID_AMD ".3.1", t->bl);
	ext_int(x, OID_AMD ".3.2", t->tee);
	if (turin)
		ext_int(x, OID_AMD ".3.3", t->snp);
	else
		ext_int(x, OID_AMD ".3.4", 0);
	ext_int(x, OID_AMD ".3.5", 0);
	ext_int(x, OID_AMD ".3.6", 0);
	ext_int(x, OID_AMD ".3.7", 0);
	if (!turin)
		ext_int(x, OID_AMD ".3.3", t->snp);
	ext_int(x, OID_AMD ".3.8", t->ucode);
	if (vlek)
		ext_add(x, OID_AMD ".5", x->val[x->n],
			der_ia5(x->val[x->n], sizeof(x->val[0]), st->csp_id));
	else if (hwid)
		ext_add(x, OID_AMD ".4", hwid, st->hwid_len);
}

struct vek_args {
	bool vlek;
	const struct att_snp_tcb *tcb;
	int64_t nb, na;
	const uint8_t *hwid; /* VCEK; NULL: no hwID extension */
	struct att_pkey *key;
	const struct att_cert *issuer;
	struct att_pkey *issuer_key;
};

static int make_vek(const struct snpsim_state *st, const struct vek_args *a,
		    struct att_cert **out, struct att_diag *d)
{
	struct names n;
	struct vek_ext x;
	name_init(&n, a->vlek ? "SEV-VLEK" : "SEV-VCEK", "");
	vek_ext_build(&x, st, a->tcb, a->vlek, a->hwid);
	struct att_cert_spec s = {.subject = n.a,
				  .n_subject = 6,
				  .issuer = a->issuer,
				  .signing_key = a->issuer_key,
				  .subject_key = a->key,
				  .not_before = a->nb,
				  .not_after = a->na,
				  .raw = x.e,
				  .n_raw = x.n,
				  .order = {ATT_EXT_RAW},
				  .sig = ATT_CERT_SIG_RSA_PSS_SHA384};
	int r = att_cert_build(out, &s);
	if (r)
		return att_diag_set(d, r, "snpsim: cannot issue the %s",
				    a->vlek ? "VLEK" : "VCEK");
	return 0;
}

static int make_veks(struct pki *p)
{
	int r = att_pkey_generate(&p->vcek_key, ATT_KEY_EC_P384);
	if (!r)
		r = att_pkey_generate(&p->vlek_key, ATT_KEY_EC_P384);
	if (r)
		return att_diag_set(p->d, r, "snpsim: P-384 key generation "
				    "failed");
	struct vek_args c = {false,	     &p->st.tcb,   p->st.vcek_nb,
			     p->st.vcek_na,  p->st.chip_id, p->vcek_key,
			     p->ask,	     p->ask_key};
	struct vek_args l = {true,	    &p->st.tcb,	 p->st.vlek_nb,
			     p->st.vlek_na, NULL,	 p->vlek_key,
			     p->asvk,	    p->asvk_key};
	r = make_vek(&p->st, &c, &p->vcek, p->d);
	if (!r)
		r = make_vek(&p->st, &l, &p->vlek, p->d);
	return r;
}

/* ---- CRLs ---- */

static int add_serial(struct att_crl_revoked *rv, uint8_t sb[][24],
		      size_t i, const struct att_cert *c)
{
	size_t n = 0;
	int r = att_cert_serial(c, sb[i], 24, &n);
	rv[i] = (struct att_crl_revoked){sb[i], n};
	return r;
}

static int make_crl(struct pki *p, const char *name, bool revoked)
{
	struct att_crl_revoked rv[4];
	uint8_t sb[4][24];
	const struct att_cert *listed[4] = {p->ask, p->asvk, p->vcek, p->vlek};
	int r = 0;
	for (size_t i = 0; revoked && !r && i < 4; i++)
		r = add_serial(rv, sb, i, listed[i]);
	struct att_crl_spec s = {.issuer = p->ark,
				 .issuer_key = p->ark_key,
				 .this_update = p->st.now - SNPSIM_DAY,
				 .next_update = p->st.now + 30 * SNPSIM_DAY,
				 .number = revoked ? 2 : 1,
				 .revoked = revoked ? rv : NULL,
				 .n_revoked = revoked ? 4 : 0,
				 .revocation_date = p->st.now - SNPSIM_DAY,
				 .reason = CRL_REASON_KEY_COMPROMISE,
				 .sig = ATT_CERT_SIG_RSA_PSS_SHA384};
	uint8_t *der = NULL;
	size_t n = 0;
	if (!r)
		r = att_crl_build(&der, &n, &s);
	if (r)
		r = att_diag_set(p->d, r, "snpsim: cannot sign %s", name);
	else
		r = att_sim_write(p->dir, NULL, name, der, n, 0644, p->d);
	free(der);
	return r;
}

/* ---- init ---- */

static int save_all(struct pki *p)
{
	int r = save_key(p, SNPSIM_F_ARK_KEY, p->ark_key);
	r = r ? r : save_key(p, SNPSIM_F_ASK_KEY, p->ask_key);
	r = r ? r : save_key(p, SNPSIM_F_ASVK_KEY, p->asvk_key);
	r = r ? r : save_key(p, SNPSIM_F_VCEK_KEY, p->vcek_key);
	r = r ? r : save_key(p, SNPSIM_F_VLEK_KEY, p->vlek_key);
	r = r ? r : save_cert(p, ATT_SNPSIM_F_ARK_PEM, p->ark, true);
	r = r ? r : save_cert(p, ATT_SNPSIM_F_ASK_PEM, p->ask, true);
	r = r ? r : save_cert(p, ATT_SNPSIM_F_ASVK_PEM, p->asvk, true);
	r = r ? r : save_cert(p, ATT_SNPSIM_F_VCEK, p->vcek, false);
	r = r ? r : save_cert(p, ATT_SNPSIM_F_VLEK, p->vlek, false);
	r = r ? r : save_chain(p, ATT_SNPSIM_F_CHAIN, p->ask);
	r = r ? r : save_chain(p, ATT_SNPSIM_F_VLEK_CHAIN, p->asvk);
	r = r ? r : make_crl(p, ATT_SNPSIM_F_CRL, false);
	r = r ? r : make_crl(p, ATT_SNPSIM_F_CRL_REVOKED, true);
	return r;
}

void att_snpsim_init_opts_init(struct att_snpsim_init_opts *o)
{
	memset(o, 0, sizeof(*o));
}

static int check_dir(const char *dir, bool force, struct att_diag *d)
{
	char path[4096];
	struct stat st;
	if (!dir || !*dir)
		return att_diag_set(d, ATT_ERR_INVALID_ARG, "snpsim: no DIR");
	if (att_sim_path(path, sizeof(path), dir, NULL,
			 ATT_SNPSIM_F_MANIFEST))
		return att_diag_set(d, ATT_ERR_LIMIT, "snpsim: path too long");
	if (!force && stat(path, &st) == 0)
		return att_diag_set(d, ATT_ERR_EXISTS,
				    "snpsim: %s already holds a simulator "
				    "(use --force to replace it)",
				    dir);
	return att_sim_mkdir(dir, NULL, d);
}

static int state_init(struct snpsim_state *st, enum att_snp_product p,
		      const struct att_snpsim_init_opts *o, struct att_diag *d)
{
	memset(st, 0, sizeof(*st));
	if (p != ATT_SNP_MILAN && p != ATT_SNP_GENOA && p != ATT_SNP_TURIN)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "snpsim: unknown product %d", (int)p);
	st->product = p;
	st->now = o->now ? o->now : att_time_now();
	st->hwid_len = snpsim_hwid_len(p);
	if (att_rand_bytes(st->chip_id, st->hwid_len))
		return att_diag_set(d, ATT_ERR_CRYPTO, "snpsim: no randomness");
	if (o->has_tcb) {
		st->tcb = o->tcb;
		st->tcb.has_fmc = p == ATT_SNP_TURIN;
		if (!st->tcb.has_fmc)
			st->tcb.fmc = 0;
		st->tcb.raw = att_snp_tcb_encode(&st->tcb, p);
	} else {
		att_snpsim_default_tcb(&st->tcb, p);
	}
	st->vcek_nb = st->vlek_nb = st->now - SNPSIM_DAY;
	st->vcek_na = st->now + 7 * SNPSIM_YEAR;
	st->vlek_na = st->now + SNPSIM_YEAR;
	const char *csp = o->csp_id ? o->csp_id : SNPSIM_DEFAULT_CSP;
	if (strlen(csp) >= sizeof(st->csp_id) || !*csp)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "snpsim: CSP ID empty or longer than %zu",
				    sizeof(st->csp_id) - 1);
	snprintf(st->csp_id, sizeof(st->csp_id), "%s", csp);
	return 0;
}

int att_snpsim_init(const char *dir, enum att_snp_product p,
		    const struct att_snpsim_init_opts *o, struct att_diag *d)
{
	struct att_snpsim_init_opts def;
	if (!o) {
		att_snpsim_init_opts_init(&def);
		o = &def;
	}
	struct pki k = {.dir = dir, .d = d, .rsa2048 = o->rsa2048};
	int r = state_init(&k.st, p, o, d);
	r = r ? r : check_dir(dir, o->force, d);
	r = r ? r : make_ark(&k);
	r = r ? r : make_sub(&k, false);
	r = r ? r : make_sub(&k, true);
	r = r ? r : make_veks(&k);
	r = r ? r : save_all(&k);
	r = r ? r : snpsim_state_write(dir, &k.st, d);
	pki_free(&k);
	return r;
}

/* ---- another VEK for the same key ---- */

static bool plain_name(const char *f)
{
	return f && *f && !strchr(f, '/') && strcmp(f, ".") &&
	       strcmp(f, "..");
}

int att_snpsim_issue_vek(const char *dir, const struct att_snpsim_vek_opts *o,
			 struct att_diag *d)
{
	struct snpsim_state st;
	struct att_pkey *key = NULL, *ik = NULL;
	struct att_cert *issuer = NULL, *c = NULL;
	uint8_t hwid[64];
	if (!o || !plain_name(o->file))
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "snpsim: issue: a plain file name needed");
	int r = snpsim_state_read(dir, &st, d);
	if (r)
		return r;
	memcpy(hwid, st.chip_id, sizeof(hwid));
	if (o->wrong_hwid && att_rand_bytes(hwid, st.hwid_len))
		return att_diag_set(d, ATT_ERR_CRYPTO, "snpsim: no randomness");
	struct att_snp_tcb t = o->has_tcb ? o->tcb : st.tcb;
	t.has_fmc = st.product == ATT_SNP_TURIN;
	r = snpsim_load_key(dir, o->vlek ? SNPSIM_F_VLEK_KEY : SNPSIM_F_VCEK_KEY,
			    &key, d);
	r = r ? r
	      : snpsim_load_key(dir, o->vlek ? SNPSIM_F_ASVK_KEY
					     : SNPSIM_F_ASK_KEY,
				&ik, d);
	r = r ? r
	      : snpsim_load_cert(dir, o->vlek ? ATT_SNPSIM_F_ASVK_PEM
					      : ATT_SNPSIM_F_ASK_PEM,
				 &issuer, d);
	struct vek_args a = {
	    .vlek = o->vlek,
	    .tcb = &t,
	    .nb = o->not_before ? o->not_before
				: (o->vlek ? st.vlek_nb : st.vcek_nb),
	    .na = o->not_after ? o->not_after
			       : (o->vlek ? st.vlek_na : st.vcek_na),
	    .hwid = o->no_hwid ? NULL : hwid,
	    .key = key,
	    .issuer = issuer,
	    .issuer_key = ik};
	r = r ? r : make_vek(&st, &a, &c, d);
	if (!r) {
		struct pki p = {.dir = dir, .d = d};
		r = save_cert(&p, o->file, c, false);
	}
	att_cert_free(c);
	att_cert_free(issuer);
	att_pkey_free(key);
	att_pkey_free(ik);
	return r;
}

int att_snpsim_issue_vcek(const char *dir, const char *file,
			  const struct att_snp_tcb *t, struct att_diag *d)
{
	struct att_snpsim_vek_opts o = {.file = file};
	if (t) {
		o.has_tcb = true;
		o.tcb = *t;
	}
	return att_snpsim_issue_vek(dir, &o, d);
}
