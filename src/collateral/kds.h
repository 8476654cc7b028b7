/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AMD Key Distribution Service (KDS) collateral for SEV-SNP (AMD KDS
 * interface specification, publication 57230; docs/collateral.md, "AMD
 * KDS"): the VCEK of a chip at a TCB, the ASK+ARK (or ASVK+ARK) chain and
 * the ARK's CRL of a product, fetched from KDS or a mirror:
 *   GET {base}/vcek/v1/{product}/{hwid hex}?blSPL=..&teeSPL=..&snpSPL=..
 *       &ucodeSPL=..                   (Turin: fmcSPL too, 8-byte hwid)
 *   GET {base}/vcek/v1/{product}/cert_chain   PEM: ASK, then ARK
 *   GET {base}/vcek/v1/{product}/crl          DER
 *   the same chain and CRL under /vlek/v1/ (VLEKs themselves are never
 *   fetched: they come with the evidence or by offline import).
 * Every response is parsed and checked for form (a DER certificate whose
 * AMD extensions name the product, hwID and TCB asked for; a PEM chain of
 * exactly two certificates, the product's ASK/ASVK and ARK; a DER CRL
 * issued by the product's ARK), never verified: signatures, chains and
 * revocation are the SNP verifier's (evidence/snp/snp.h).
 *
 * Items are cached in memory (bounded, LRU) and persisted in the store's
 * collateral table under "kds/..." keys (see att_kds_item_key), so a
 * restart fetches nothing that is still valid; offline imports
 * (attestd collateral import) write the same rows. Concurrent misses of
 * one item wait for one request. A 429 or 503 stops every request to the
 * base URL until its Retry-After (exponential backoff, capped, without
 * one); a failed fetch is remembered for a few seconds; when KDS fails
 * while an item is cached (even past its refresh time, while it is
 * within its validity) that item is served and counted (stale_served).
 * No lock is held during a network transfer. The cache never reads the
 * clock: callers pass `now`.
 */
#ifndef ATT_COLLATERAL_KDS_H
#define ATT_COLLATERAL_KDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/limits.h"
#include "evidence/snp/snp.h"
#include "store/store.h"

#define ATT_KDS_DEFAULT_URL "https://kdsintf.amd.com"

struct att_cert;
struct att_x509_crl;

/* ---- items, keys, response parsing (no network, no state) ---- */

enum att_kds_item_kind {
	ATT_KDS_ITEM_VCEK = 0,    /* per product + hwID + TCB */
	ATT_KDS_ITEM_VLEK,        /* per product + TCB (import only) */
	ATT_KDS_ITEM_VCEK_CHAIN,  /* ASK + ARK */
	ATT_KDS_ITEM_VLEK_CHAIN,  /* ASVK + ARK */
	ATT_KDS_ITEM_VCEK_CRL,    /* the ARK's CRL, /vcek/v1/{product}/crl */
	ATT_KDS_ITEM_VLEK_CRL,    /* the ARK's CRL, /vlek/v1/{product}/crl */
	ATT_KDS_ITEM_KIND_COUNT
};

/* What names one item. hwid/tcb only for VCEK (tcb also for VLEK). */
struct att_kds_spec {
	enum att_kds_item_kind kind;
	enum att_snp_product product;
	uint8_t hwid[64];
	size_t hwid_len;        /* 64, or 8 for Turin */
	struct att_snp_tcb tcb; /* decoded for product; raw set */
};

/* att_kds_spec_vcek fills s for a VCEK: chip_id is the report's 64-byte
 * CHIP_ID (Turin: the first 8 bytes are the hwID), reported_tcb the raw
 * REPORTED_TCB. ATT_ERR_INVALID_ARG for an unknown product. */
int att_kds_spec_vcek(struct att_kds_spec *s, enum att_snp_product p,
		      const uint8_t chip_id[64], uint64_t reported_tcb);
/* A chain or CRL (kind one of the *_CHAIN / *_CRL kinds). */
int att_kds_spec_of(struct att_kds_spec *s, enum att_kds_item_kind kind,
		    enum att_snp_product p);

/* Store (and cache) key: "kds/vcek/Milan/<hwid hex>/<tcb hex>",
 * "kds/vlek/Milan/vlek/<tcb hex>", "kds/vcek/Milan/cert_chain",
 * "kds/vlek/Genoa/crl"; hex lower-case, the TCB as its 8 bytes in report
 * order. out needs ATT_KDS_KEY_LEN bytes. */
void att_kds_item_key(const struct att_kds_spec *s, char *out, size_t len);
/* For messages: "VCEK for Milan chip 3ac3fe21e13fb099... TCB bl 2 tee 0
 * snp 5 ucode 68", "VLEK cert_chain (ASVK+ARK) for Genoa", ... */
void att_kds_item_what(const struct att_kds_spec *s, char *out, size_t len);
/* The KDS URL of an item under base (no trailing slash). ATT_ERR_UNSUPPORTED
 * for a VLEK (never fetched), ATT_ERR_LIMIT when len is too small. */
int att_kds_item_url(char *out, size_t len, const char *base,
		     const struct att_kds_spec *s);

/* The AMD extensions (OIDs 1.3.6.1.4.1.3704.1.*) of a VCEK or VLEK. */
struct att_kds_vek_info {
	bool vlek;               /* subject CN "SEV-VLEK" (else "SEV-VCEK") */
	uint32_t struct_version; /* .1 */
	char product_name[32];   /* .2, e.g. "Milan-B0" */
	enum att_snp_product product;
	struct att_snp_tcb tcb;  /* .3.1 bl, .3.2 tee, .3.3 snp, .3.8 ucode,
				  * .3.9 fmc (Turin) */
	uint8_t hwid[64];        /* .4 (VCEK only) */
	size_t hwid_len;
	char csp_id[128];        /* .5 (VLEK only) */
	int64_t not_before, not_after;
};

/* att_kds_vek_info reads the AMD extensions of c. ATT_ERR_FORMAT when an
 * extension is malformed or a required one (.2, .3.1-.3.3, .3.8, .4 for a
 * VCEK, .3.9 for Turin) is missing, ATT_ERR_UNSUPPORTED when the subject
 * is not SEV-VCEK / SEV-VLEK or the product is unknown. */
int att_kds_vek_info(struct att_kds_vek_info *out, const struct att_cert *c,
		     struct att_diag *d);

/* One parsed item: its bytes (the DER certificate or CRL as received, a
 * PEM certificate converted to its DER; a chain as its two PEM blocks) and
 * what they hold (references owned by the item). */
struct att_kds_item {
	struct att_kds_spec spec;
	uint8_t *body;           /* malloc'd, NUL-terminated (not counted) */
	size_t body_len;
	struct att_cert *cert;     /* VCEK / VLEK */
	struct att_cert *chain[2]; /* ASK or ASVK, ARK */
	struct att_x509_crl *crl;
	int64_t valid_until;     /* notAfter (earliest of a chain) or CRL
				  * nextUpdate */
};

void att_kds_item_release(struct att_kds_item *it);

/* att_kds_parse_cert reads one VCEK/VLEK (DER, or PEM on import) of at most
 * ATT_SNP_MAX_CERT_LEN bytes; the spec comes from its own extensions. */
int att_kds_parse_cert(struct att_kds_item *out, const uint8_t *data,
		       size_t len, struct att_diag *d);
/* att_kds_parse_chain reads a PEM text of exactly two certificates: the
 * product's ASK ("SEV-<Product>") or ASVK ("SEV-VLEK-<Product>") issued by
 * its ARK ("ARK-<Product>", self-issued); the spec (kind, product) comes
 * from the names. */
int att_kds_parse_chain(struct att_kds_item *out, const uint8_t *data,
			size_t len, struct att_diag *d);
/* att_kds_parse_crl reads a CRL (DER; PEM accepted) issued by an ARK; its
 * kind is set to vlek ? VLEK_CRL : VCEK_CRL, the product from the issuer. */
int att_kds_parse_crl(struct att_kds_item *out, const uint8_t *data,
		      size_t len, bool vlek, struct att_diag *d);
/* att_kds_parse_response parses a KDS answer for want and checks that it
 * is that item (ATT_ERR_MISMATCH naming the difference otherwise). */
int att_kds_parse_response(struct att_kds_item *out,
			   const struct att_kds_spec *want,
			   const uint8_t *data, size_t len,
			   struct att_diag *d);
/* att_kds_classify recognises AMD collateral for the offline import and
 * returns how many items it holds: 1 for a VCEK/VLEK (DER or PEM), an
 * ASK/ASVK+ARK PEM chain or an ARK CRL (as VCEK_CRL; DER or PEM), 2 for a
 * PEM VEK followed by its chain (out[0] the VEK, out[1] the chain); 0 when
 * it is not AMD collateral (d untouched); negative when it is AMD
 * collateral but malformed. */
int att_kds_classify(struct att_kds_item out[2], const uint8_t *data,
		     size_t len, struct att_diag *d);

/* Persisting items: one collateral row per item (key att_kds_item_key,
 * body a JSON envelope with the raw bytes). att_kds_item_get returns
 * ATT_ERR_NOT_FOUND when there is no row; a row that does not parse as
 * the item of its key is ATT_ERR_FORMAT. */
int att_kds_item_put(struct att_store *st, const struct att_kds_item *it,
		     int64_t fetched, const char *source, struct att_diag *d);
int att_kds_item_get(struct att_store *st, const struct att_kds_spec *s,
		     struct att_kds_item *out, int64_t *fetched,
		     struct att_diag *d);

/* ---- one request (kds_fetch.c) ---- */

struct att_kds_answer {
	long status;          /* HTTP status */
	int64_t retry_after;  /* Retry-After delta-seconds, -1: none */
	uint8_t *body;        /* malloc'd */
	size_t body_len;
};

/* att_kds_fetch GETs url: 0 when a response came (whatever its status),
 * else the HTTP client's ATT_ERR_NETWORK / ATT_ERR_TIMEOUT / ATT_ERR_LIMIT
 * (body above ATT_SNP_MAX_CRL_LEN). */
int att_kds_fetch(struct att_kds_answer *out, const char *url,
		  const char *ca_file, long timeout_ms, struct att_diag *d);
void att_kds_answer_release(struct att_kds_answer *a);

/* ---- the client and cache ---- */

struct att_kds;

struct att_kds_opts {
	/* Where items persist (borrowed; must outlive the client). NULL: a
	 * private in-memory table. */
	struct att_store *store;
	/* KDS base URL, a mirror or proxy ("https://kds.example/amd"); NULL:
	 * ATT_KDS_DEFAULT_URL. */
	const char *base_url;
	bool offline;           /* never fetch: store and imports only */
	const char *ca_file;    /* PEM CA bundle for TLS; NULL: system's */
	long timeout_ms;        /* per request; 0: ATT_HTTP_TIMEOUT_SECONDS */
	size_t cache_entries;   /* 0: ATT_KDS_CACHE_DEFAULT */
	int64_t negative_seconds;    /* 0: ATT_KDS_NEGATIVE_SECONDS */
	int64_t backoff_max_seconds; /* 0: ATT_KDS_BACKOFF_MAX_SECONDS */
	int64_t refresh_seconds;     /* 0: ATT_KDS_REFRESH_SECONDS */
};

struct att_kds_stats {
	uint64_t hits;           /* served from memory */
	uint64_t misses;         /* loaded from the store or KDS */
	uint64_t coalesced;      /* waited for another caller's load */
	uint64_t fetches;        /* HTTP requests to KDS */
	uint64_t fetch_failures; /* of which failed (any reason) */
	uint64_t rate_limited;   /* answers 429 */
	uint64_t stale_served;   /* served while KDS failed */
	uint64_t errors;         /* gets that returned an error */
	size_t entries;          /* items in memory */
};

int att_kds_new(struct att_kds **out, const struct att_kds_opts *o,
		struct att_diag *d);
/* Accepts NULL. References handed out stay valid (they are counted). */
void att_kds_free(struct att_kds *k);

/* att_kds_get_item returns the item of s at time now (cached, stored or
 * fetched): *cert / chain / *crl receive new references as the kind has
 * them (the caller frees them with att_cert_free / att_x509_crl_free, or
 * uses att_kds_collateral). Errors: ATT_ERR_NOT_FOUND (KDS 404, or offline
 * and not stored), ATT_ERR_NETWORK (unreachable, 429, 503, other status),
 * ATT_ERR_TIMEOUT, ATT_ERR_MISMATCH / ATT_ERR_FORMAT (KDS answered with
 * something else), each with "AMD KDS: <item> not cached and ..." in d. */
int att_kds_get_item(struct att_kds *k, const struct att_kds_spec *s,
		     int64_t now, struct att_cert **cert,
		     struct att_cert *chain[2], struct att_x509_crl **crl,
		     struct att_diag *d);

/* att_kds_get_item_local is att_kds_get_item without any request to KDS
 * (whatever the client's setting): the memory cache, else the store
 * (what was fetched before or imported), an item valid at now.
 * ATT_ERR_NOT_FOUND when neither has it; nothing is remembered of a
 * miss. For collateral KDS cannot have (a CRL for a chain ending in a
 * root that is not AMD's). */
int att_kds_get_item_local(struct att_kds *k, const struct att_kds_spec *s,
			   int64_t now, struct att_cert **cert,
			   struct att_cert *chain[2],
			   struct att_x509_crl **crl, struct att_diag *d);

/* What a report needs (references; release with att_kds_collateral_release). */
struct att_kds_collateral {
	struct att_cert *vek;      /* VCEK; for a VLEK signer the imported
				    * VLEK of product+TCB or NULL */
	struct att_cert *chain[2]; /* ASK/ASVK, ARK (KDS cert_chain order) */
	size_t n_chain;            /* 2 */
	struct att_x509_crl *crl;  /* NULL unless asked for */
};

/* Flags of att_kds_collateral. */
#define ATT_KDS_WANT_CRL 1u    /* fetch the CRL; its failure is ignored */
#define ATT_KDS_REQUIRE_CRL 2u /* fetch the CRL; its failure is an error */

/* att_kds_collateral gathers, for a report of product p signed by signer
 * (ATT_SNP_KEY_VCEK or ATT_SNP_KEY_VLEK) with CHIP_ID chip_id (64 bytes;
 * unused for a VLEK) and REPORTED_TCB reported_tcb (raw), the VEK, the
 * chain and (flags) the CRL at time now. */
int att_kds_collateral(struct att_kds *k, enum att_snp_product p,
		       enum att_snp_signing_key signer,
		       const uint8_t chip_id[64], uint64_t reported_tcb,
		       unsigned flags, int64_t now,
		       struct att_kds_collateral *out, struct att_diag *d);
void att_kds_collateral_release(struct att_kds_collateral *c);

/* Counters for /metrics (attestd_kds_*_total, docs/collateral.md). */
void att_kds_stats(struct att_kds *k, struct att_kds_stats *out);
/* Drops the memory cache and remembered failures (after an import). */
void att_kds_invalidate(struct att_kds *k);

#endif
