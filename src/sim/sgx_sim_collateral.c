/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signed collateral of the SGX simulator, as Intel's PCS serves it: Root CA
 * CRL and PCK CRLs (DER and PEM files), TCB Info v3 and QE Identity v2
 * ({"tcbInfo"|"enclaveIdentity": body, "signature": hex r||s over the
 * exact body text}, signed by the TCB Signing key), and the collateral
 * bundle with exactly the fields of Intel's sgx_ql_qve_collateral_t as
 * dcap-qvl writes it (PEM issuer chains, CRLs as hex of the DER, bare
 * bodies with separate hex signatures, 2-space indented).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "codec/hex.h"
#include "crypto/digest.h"
#include "sim/sgx_sim_int.h"

#define N_DECOYS 2

struct coll {
	const char *dir;
	const struct att_sgxsim_collateral_opts *o;
	struct att_sim_dates dt;
	struct att_diag *d;
	struct att_pkey *root_key, *tcb_key;
	struct att_pkey *ca_key[ATT_SGXSIM_N_PLATFORMS];
	struct att_cert *root, *tcb;
	struct att_cert *ca[ATT_SGXSIM_N_PLATFORMS];
	/* shared by every platform */
	struct att_buf root_crl, qe_body, tcb_chain;
	char qe_sig[2 * ATT_SGXSIM_RS_LEN + 1];
};

/* The parts of one platform's collateral. */
struct plat_coll {
	struct att_buf pck_crl, tcb_body, ca_chain;
	char tcb_sig[2 * ATT_SGXSIM_RS_LEN + 1];
};

void att_sgxsim_collateral_opts_init(struct att_sgxsim_collateral_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->qe_isvprodid = -1;
}

static void coll_free(struct coll *c)
{
	att_pkey_free(c->root_key);
	att_pkey_free(c->tcb_key);
	att_cert_free(c->root);
	att_cert_free(c->tcb);
	for (size_t i = 0; i < ATT_SGXSIM_N_PLATFORMS; i++) {
		att_pkey_free(c->ca_key[i]);
		att_cert_free(c->ca[i]);
	}
	att_buf_release(&c->root_crl);
	att_buf_release(&c->qe_body);
	att_buf_release(&c->tcb_chain);
}

static void plat_init(struct plat_coll *p)
{
	att_buf_init(&p->pck_crl, ATT_SGXSIM_MAX_OBJ);
	att_buf_init(&p->tcb_body, ATT_SGXSIM_MAX_OBJ);
	att_buf_init(&p->ca_chain, ATT_SGXSIM_MAX_OBJ);
}

static void plat_free(struct plat_coll *p)
{
	att_buf_release(&p->pck_crl);
	att_buf_release(&p->tcb_body);
	att_buf_release(&p->ca_chain);
}

static int load(struct coll *c)
{
	int r =
	    att_sim_load_key(c->dir, NULL, SIM_F_ROOT_KEY, &c->root_key, c->d);
	if (!r)
		r = att_sim_load_cert(c->dir, NULL, SIM_F_ROOT_PEM, &c->root,
				      c->d);
	if (!r)
		r = att_sim_load_key(c->dir, NULL, SIM_F_TCB_KEY, &c->tcb_key,
				     c->d);
	if (!r)
		r = att_sim_load_cert(c->dir, NULL, SIM_F_TCB_PEM, &c->tcb,
				      c->d);
	for (size_t i = 0; !r && i < ATT_SGXSIM_N_PLATFORMS; i++) {
		char n[64];
		snprintf(n, sizeof(n), "%s.key", att_sim_platforms[i].ca);
		r = att_sim_load_key(c->dir, NULL, n, &c->ca_key[i], c->d);
		snprintf(n, sizeof(n), "%s.pem", att_sim_platforms[i].ca);
		if (!r)
			r = att_sim_load_cert(c->dir, NULL, n, &c->ca[i], c->d);
	}
	return r;
}

static int root_crl(struct coll *c)
{
	struct att_sgxsim_serial rev[1 + ATT_SGXSIM_N_PLATFORMS];
	size_t n = 0;
	int r = 0;
	if (c->o->revoke_tcb_signing)
		r = att_sgxsim_cert_serial(c->tcb, &rev[n++]);
	for (size_t i = 0;
	     !r && c->o->revoke_pck_ca && i < ATT_SGXSIM_N_PLATFORMS; i++)
		r = att_sgxsim_cert_serial(c->ca[i], &rev[n++]);
	struct att_sgxsim_crl_spec s = {.issuer = c->root,
					.issuer_key = c->root_key,
					.this_update = c->dt.root_crl_issue,
					.next_update = c->dt.root_crl_next,
					.number = 1,
					.revoked = rev,
					.n_revoked = n,
					.revocation_date =
					    c->dt.root_crl_issue};
	if (!r)
		r = att_sgxsim_crl_create(&s, &c->root_crl);
	return r ? att_diag_set(c->d, r, "sgxsim: cannot sign root CA CRL") : 0;
}

static int pck_crl(struct coll *c, size_t i, struct att_buf *der)
{
	const struct att_sim_platform *pl = &att_sim_platforms[i];
	struct att_sgxsim_serial rev[1 + N_DECOYS];
	struct att_cert *revoked = NULL;
	char file[128];
	att_sim_pck_cert_name(file, sizeof(file), SIM_F_REVOKED);
	int r = att_sim_load_cert(c->dir, pl->name, file, &revoked, c->d);
	if (r)
		return r;
	r = att_sgxsim_cert_serial(revoked, &rev[0]);
	att_cert_free(revoked);
	for (size_t k = 1; !r && k <= N_DECOYS; k++) {
		rev[k].len = ATT_SGXSIM_SERIAL_LEN;
		r = att_rand_bytes(rev[k].b, rev[k].len);
		rev[k].b[0] |= 0x10;
	}
	struct att_sgxsim_crl_spec s = {.issuer = c->ca[i],
					.issuer_key = c->ca_key[i],
					.this_update = c->dt.pck_crl_issue,
					.next_update = c->dt.pck_crl_next,
					.number = 1,
					.revoked = rev,
					.n_revoked = 1 + N_DECOYS,
					.revocation_date = c->dt.pck_crl_issue};
	if (!r)
		r = att_sgxsim_crl_create(&s, der);
	return r ? att_diag_set(c->d, r, "sgxsim: cannot sign %s", pl->crl) : 0;
}

static int sign_hex(struct coll *c, const struct att_buf *body,
		    char hex[2 * ATT_SGXSIM_RS_LEN + 1])
{
	uint8_t rs[ATT_SGXSIM_RS_LEN];
	int r = att_sgxsim_sign(c->tcb_key, body->data, body->len, rs);
	if (r)
		return att_diag_set(c->d, r, "sgxsim: TCB signing failed");
	att_hex_encode(hex, 2 * ATT_SGXSIM_RS_LEN + 1, rs, sizeof(rs), false);
	return 0;
}

static int shared_parts(struct coll *c)
{
	const uint8_t *mrs =
	    c->o->has_qe_mrsigner ? c->o->qe_mrsigner : att_sgxsim_qe_mrsigner;
	unsigned prodid = c->o->qe_isvprodid >= 0 ? (unsigned)c->o->qe_isvprodid
						  : ATT_SGXSIM_QE_ISVPRODID;
	uint32_t eval = c->o->tcb_eval_num ? c->o->tcb_eval_num : 17;
	int r = root_crl(c);
	if (!r)
		r = att_sim_qe_identity_body(&c->qe_body, mrs, prodid,
					     c->dt.qe_issue, c->dt.qe_next,
					     eval);
	if (!r)
		r = sign_hex(c, &c->qe_body, c->qe_sig);
	if (!r && (att_sgxsim_cert_pem(c->tcb, &c->tcb_chain) ||
		   att_sgxsim_cert_pem(c->root, &c->tcb_chain)))
		r = att_diag_set(c->d, ATT_ERR_CRYPTO, "sgxsim: TCB chain");
	return r;
}

static int plat_parts(struct coll *c, size_t i, struct plat_coll *p)
{
	const uint8_t *fmspc =
	    c->o->has_fmspc ? c->o->fmspc : att_sim_platforms[i].fmspc;
	uint32_t eval = c->o->tcb_eval_num ? c->o->tcb_eval_num : 17;
	int r = pck_crl(c, i, &p->pck_crl);
	if (!r)
		r = att_sim_tcb_info_body(&p->tcb_body, fmspc, c->dt.tcb_issue,
					  c->dt.tcb_next, eval);
	if (!r)
		r = sign_hex(c, &p->tcb_body, p->tcb_sig);
	if (!r && (att_sgxsim_cert_pem(c->ca[i], &p->ca_chain) ||
		   att_sgxsim_cert_pem(c->root, &p->ca_chain)))
		r = att_diag_set(c->d, ATT_ERR_CRYPTO, "sgxsim: PCK CA chain");
	return r;
}

static int set_str(json_t *o, const char *k, const char *v, size_t n)
{
	return json_object_set_new(o, k, json_stringn(v, n)) ? ATT_ERR_NOMEM
							     : 0;
}

static int set_hex(json_t *o, const char *k, const struct att_buf *b)
{
	char *h = att_hex_encode_alloc(b->data, b->len);
	int r = h ? set_str(o, k, h, strlen(h)) : ATT_ERR_NOMEM;
	free(h);
	return r;
}

static int bundle(struct coll *c, const struct plat_coll *p,
		  struct att_buf *out)
{
	json_t *o = json_object();
	int r = o ? 0 : ATT_ERR_NOMEM;
	const struct att_buf *tc = &c->tcb_chain;
	if (!r)
		r = set_str(o, "pck_crl_issuer_chain",
			    (const char *)p->ca_chain.data, p->ca_chain.len);
	if (!r)
		r = set_hex(o, "root_ca_crl", &c->root_crl);
	if (!r)
		r = set_hex(o, "pck_crl", &p->pck_crl);
	if (!r)
		r = set_str(o, "tcb_info_issuer_chain", (const char *)tc->data,
			    tc->len);
	if (!r)
		r = set_str(o, "tcb_info", (const char *)p->tcb_body.data,
			    p->tcb_body.len);
	if (!r)
		r = set_str(o, "tcb_info_signature", p->tcb_sig,
			    strlen(p->tcb_sig));
	if (!r)
		r = set_str(o, "qe_identity_issuer_chain",
			    (const char *)tc->data, tc->len);
	if (!r)
		r = set_str(o, "qe_identity", (const char *)c->qe_body.data,
			    c->qe_body.len);
	if (!r)
		r = set_str(o, "qe_identity_signature", c->qe_sig,
			    strlen(c->qe_sig));
	char *s =
	    r ? NULL : json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!r)
		r = s ? att_buf_adds(out, s) : ATT_ERR_NOMEM;
	free(s);
	json_decref(o);
	return r ? att_diag_set(c->d, r, "sgxsim: cannot build bundle") : 0;
}

static int coll_open(struct coll *c, const char *dir,
		     const struct att_sgxsim_collateral_opts *o,
		     struct att_diag *d)
{
	memset(c, 0, sizeof(*c));
	c->dir = dir;
	c->o = o;
	c->d = d;
	att_buf_init(&c->root_crl, ATT_SGXSIM_MAX_OBJ);
	att_buf_init(&c->qe_body, ATT_SGXSIM_MAX_OBJ);
	att_buf_init(&c->tcb_chain, ATT_SGXSIM_MAX_OBJ);
	att_sim_dates_resolve(&c->dt, o);
	int r = load(c);
	return r ? r : shared_parts(c);
}

int att_sgxsim_collateral_bundle(const char *dir,
				 const struct att_sgxsim_collateral_opts *o,
				 struct att_buf *out, struct att_diag *d)
{
	struct att_sgxsim_collateral_opts def;
	if (!o) {
		att_sgxsim_collateral_opts_init(&def);
		o = &def;
	}
	const struct att_sim_platform *pl = att_sim_platform_find(o->platform);
	if (!pl)
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "sgxsim: unknown platform \"%s\"",
				    o->platform);
	struct coll c;
	struct plat_coll p;
	plat_init(&p);
	int r = coll_open(&c, dir, o, d);
	if (!r)
		r = plat_parts(&c, (size_t)(pl - att_sim_platforms), &p);
	if (!r)
		r = bundle(&c, &p, out);
	plat_free(&p);
	coll_free(&c);
	return r;
}

static int write_crl(struct coll *c, const char *stem,
		     const struct att_buf *der)
{
	char n[128];
	struct att_buf pem;
	att_buf_init(&pem, ATT_SGXSIM_MAX_OBJ);
	snprintf(n, sizeof(n), "%s.der", stem);
	int r = att_sim_write(c->dir, NULL, n, der->data, der->len, 0644, c->d);
	if (!r && att_sgxsim_crl_pem(der->data, der->len, &pem))
		r = att_diag_set(c->d, ATT_ERR_CRYPTO, "sgxsim: CRL PEM");
	snprintf(n, sizeof(n), "%s.pem", stem);
	if (!r)
		r = att_sim_write(c->dir, NULL, n, pem.data, pem.len, 0644,
				  c->d);
	att_buf_release(&pem);
	return r;
}

/* write_pcs writes {"<member>":body,"signature":"hex"} (PCS response). */
static int write_pcs(struct coll *c, const char *sub, const char *name,
		     const char *member, const struct att_buf *body,
		     const char *sig)
{
	struct att_buf b;
	att_buf_init(&b, ATT_SGXSIM_MAX_OBJ);
	int r = att_buf_addf(&b, "{\"%s\":", member);
	if (!r)
		r = att_buf_add(&b, body->data, body->len);
	if (!r)
		r = att_buf_addf(&b, ",\"signature\":\"%s\"}", sig);
	if (!r)
		r = att_sim_write(c->dir, sub, name, b.data, b.len, 0644, c->d);
	else
		r = att_diag_set(c->d, r, "sgxsim: %s too large", name);
	att_buf_release(&b);
	return r;
}

static int write_platform(struct coll *c, size_t i)
{
	const struct att_sim_platform *pl = &att_sim_platforms[i];
	struct plat_coll p;
	struct att_buf b;
	plat_init(&p);
	att_buf_init(&b, ATT_SGXSIM_MAX_OUTPUT);
	int r = plat_parts(c, i, &p);
	if (!r)
		r = write_crl(c, pl->crl, &p.pck_crl);
	if (!r)
		r = write_pcs(c, pl->name, SIM_F_TCB_INFO, "tcbInfo",
			      &p.tcb_body, p.tcb_sig);
	if (!r)
		r = bundle(c, &p, &b);
	if (!r)
		r = att_sim_write(c->dir, pl->name, SIM_F_BUNDLE, b.data, b.len,
				  0644, c->d);
	if (!r && i == 0)
		r = att_sim_write(c->dir, NULL, SIM_F_BUNDLE, b.data, b.len,
				  0644, c->d);
	att_buf_release(&b);
	plat_free(&p);
	return r;
}

int att_sgxsim_collateral_write(const char *dir,
				const struct att_sgxsim_collateral_opts *o,
				struct att_diag *d)
{
	struct att_sgxsim_collateral_opts def;
	if (!o) {
		att_sgxsim_collateral_opts_init(&def);
		o = &def;
	}
	struct coll c;
	int r = coll_open(&c, dir, o, d);
	if (!r)
		r = write_crl(&c, SIM_F_ROOT_CRL, &c.root_crl);
	if (!r)
		r = write_pcs(&c, NULL, SIM_F_QE_ID, "enclaveIdentity",
			      &c.qe_body, c.qe_sig);
	for (size_t i = 0; !r && i < ATT_SGXSIM_N_PLATFORMS; i++)
		r = write_platform(&c, i);
	coll_free(&c);
	return r;
}
