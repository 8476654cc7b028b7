/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to src/collateral: one DCAP collateral item (TCB Info, QE
 * Identity, PCK CRL, Root CA CRL or an issuer chain), recognised by its
 * content, with the store key it lives under, its validity window and the
 * issuer chain that came with it. Items persist in the store's collateral
 * table as a small JSON envelope holding the raw body exactly as received
 * (text, or hex for DER), so the signed bytes are never re-serialised.
 * Store keys ("dcap/tcbinfo/sgx/00606A000000", "dcap/pckcrl/platform",
 * ...) are listed in docs/collateral.md.
 */
#ifndef ATT_COLLATERAL_ITEMS_H
#define ATT_COLLATERAL_ITEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "evidence/sgx/verify.h"
#include "store/store.h"

/* Longest store key and longest item description. */
#define ATT_COLITEM_KEY_LEN 64
#define ATT_COLITEM_WHAT_LEN 96

enum att_colitem_kind {
	ATT_COLITEM_TCB_INFO = 0,
	ATT_COLITEM_QE_IDENTITY,
	ATT_COLITEM_PCK_CRL,
	ATT_COLITEM_ROOT_CRL,
	ATT_COLITEM_CHAIN,
};

/* Whose issuer chain a CHAIN item is: the TCB Signing certificate's
 * (signs TCB Info and QE Identity) or a PCK CA's (signs a PCK CRL). */
enum att_colchain_role { ATT_COLCHAIN_TCB_SIGNING = 0, ATT_COLCHAIN_PCK_CA };

/* What identifies an item (and its store key). */
struct att_colspec {
	enum att_colitem_kind kind;
	enum att_dcap_tee tee;       /* TCB_INFO, QE_IDENTITY */
	uint8_t fmspc[6];            /* TCB_INFO */
	enum att_dcap_ca ca;         /* PCK_CRL; CHAIN of role PCK_CA */
	enum att_colchain_role role; /* CHAIN */
};

struct att_colitem {
	struct att_colspec spec;
	/* JSON text (TCB Info, QE Identity), DER (CRLs) or PEM (chains);
	 * always followed by a NUL not counted in body_len */
	uint8_t *body;
	size_t body_len;
	char *sig_hex;        /* TCB Info / QE Identity given as the bare
			       * inner object: its signature (hex), else NULL */
	char *chain;          /* issuer chain (PEM) that came with the item */
	size_t chain_len;
	int64_t issue;        /* issueDate / thisUpdate / latest notBefore */
	int64_t next_update;  /* nextUpdate, or the earliest notAfter of
			       * its chain if sooner */
	char *source;         /* "import:PATH", "GET URL", ... (may be NULL) */
};

void att_colitem_release(struct att_colitem *it);
/* att_colitem_move transfers *src into *dst (released first). */
void att_colitem_move(struct att_colitem *dst, struct att_colitem *src);

void att_colspec_key(const struct att_colspec *s, char *out, size_t len);
/* "TCB Info (sgx, FMSPC 00606A000000)", "PCK CRL (platform CA)", ... */
void att_colspec_what(const struct att_colspec *s, char *out, size_t len);
bool att_colspec_same(const struct att_colspec *a,
		      const struct att_colspec *b);

/* att_colitem_classify recognises one item by its content: a PCS TCB
 * Info or QE Identity response body, a CRL (DER, PEM or hex of DER;
 * kind from the issuer CN), or a PEM issuer chain (role from the signer's
 * CN; must end at a self-issued root). Returns ATT_ERR_UNSUPPORTED with
 * the reason in d when the content is not DCAP collateral (private keys,
 * single certificates, PCK certificate chains, other JSON, ...), another
 * negative code when it is collateral but malformed. Bundles are handled
 * by att_colbundle_split. */
int att_colitem_classify(struct att_colitem *out, const uint8_t *data,
			 size_t len, struct att_diag *d);
/* Builders for the individual kinds (text need not be NUL-terminated). */
int att_colitem_from_tcb_info(struct att_colitem *out, const char *text,
			      size_t len, const char *sig_hex,
			      size_t sig_len, struct att_diag *d);
int att_colitem_from_qe_identity(struct att_colitem *out, const char *text,
				 size_t len, const char *sig_hex,
				 size_t sig_len, struct att_diag *d);
int att_colitem_from_crl(struct att_colitem *out, const uint8_t *data,
			 size_t len, struct att_diag *d);
int att_colitem_from_chain(struct att_colitem *out, const char *pem,
			   size_t len, struct att_diag *d);
/* att_colitem_attach_chain keeps pem as the item's issuer chain and lowers
 * next_update to the chain's earliest notAfter. */
int att_colitem_attach_chain(struct att_colitem *it, const char *pem,
			     size_t len, struct att_diag *d);
int att_colitem_set_source(struct att_colitem *it, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* True when the text is a JSON object with the sgx_ql_qve_collateral_t
 * members (a collateral bundle). */
bool att_colbundle_detect(const uint8_t *data, size_t len);
/* att_colbundle_split turns a bundle into its items: TCB Info, QE
 * Identity, PCK CRL, Root CA CRL (each with its issuer chain) and the
 * chains themselves when their role is recognised. *n is set to the
 * count (max ATT_COLBUNDLE_MAX_ITEMS). */
#define ATT_COLBUNDLE_MAX_ITEMS 6
int att_colbundle_split(struct att_colitem *items, size_t *n,
			const uint8_t *data, size_t len, struct att_diag *d);

/* Persisting items: one row per item in the store's collateral table. */
int att_colitem_put(struct att_store *st, const struct att_colitem *it,
		    int64_t fetched, struct att_diag *d);
/* att_colitem_from_row decodes a row read by att_store_collateral_list
 * (its key names the item; only kind, body, signature, chain, dates and
 * source are filled); ATT_ERR_FORMAT, naming the key, when the row is not
 * an item of that kind. */
int att_colitem_from_row(struct att_colitem *out,
			 const struct att_store_collateral *row,
			 enum att_colitem_kind kind, struct att_diag *d);
/* ATT_ERR_NOT_FOUND when there is no row for s. */
int att_colitem_get(struct att_store *st, const struct att_colspec *s,
		    struct att_colitem *out, int64_t *fetched,
		    struct att_diag *d);

#endif
