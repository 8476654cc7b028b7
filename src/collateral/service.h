/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The DCAP collateral service: given an SGX or TDX quote, it returns the
 * parsed collateral (struct att_dcap_collateral, ready for att_dcap_verify)
 * for the quote's FMSPC, PCK CA type and TEE. Sources, in order:
 *   1. an in-memory cache of parsed collateral per FMSPC+CA+TEE (bounded,
 *      LRU), an entry valid until the earliest nextUpdate/notAfter of its
 *      items;
 *   2. the store's collateral table: raw items imported offline
 *      (att_collateral_import_path: PCS response files, CRLs, PEM issuer
 *      chains, collateral bundles, or a directory of them) or fetched
 *      before, each with its fetch time and next_update;
 *   3. a PCCS or Intel PCS (API v4) when a base URL is configured: items
 *      missing or expired are fetched (libcurl, TLS verified), one load
 *      per key at a time (concurrent misses wait for it), and stored.
 * Items are refreshed before their nextUpdate (when less than 10% of
 * their window or one hour remains) by a background thread, while the
 * current collateral keeps being served. When a fetch fails, collateral
 * still within its validity is served (logged, counted as stale_served);
 * expired collateral is an ATT_ERR_EXPIRED error naming the item.
 * The service never reads the clock: callers pass `now`. It is
 * thread-safe; the warm path is a hash lookup under a mutex plus a
 * reference count (no parsing of collateral). See docs/collateral.md.
 */
#ifndef ATT_COLLATERAL_SERVICE_H
#define ATT_COLLATERAL_SERVICE_H

#include "base/limits.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "evidence/sgx/verify.h"
#include "store/store.h"

/* Where the collateral service fetches by default (its limits are in
 * base/limits.h). */
#define ATT_COLLATERAL_INTEL_PCS_URL "https://api.trustedservices.intel.com"
#define ATT_COLLATERAL_INTEL_ROOT_CRL_URL                                      \
	"https://certificates.trustedservices.intel.com/IntelSGXRootCA.der"

struct att_collateral_svc;

struct att_collateral_opts {
	/* Where raw items persist (borrowed; must outlive the service).
	 * NULL: a private in-memory table (lost on free). */
	struct att_store *store;
	/* PCCS or PCS base URL, e.g. "https://api.trustedservices.intel.com"
	 * or "https://pccs.example:8081". NULL: offline (store only). */
	const char *pcs_base_url;
	/* A PCCS serves the Root CA CRL at /sgx/certification/v4/rootcacrl;
	 * Intel's PCS does not (root_crl_url is used instead). */
	bool is_pccs;
	/* Root CA CRL URL when !is_pccs; NULL: ATT_COLLATERAL_INTEL_ROOT_CRL_URL. */
	const char *root_crl_url;
	/* CA bundle (PEM file) to verify the PCS/PCCS TLS certificate; NULL:
	 * the system's. Verification is never turned off. */
	const char *ca_file;
	long timeout_ms;              /* per request; 0: 30 s */
	size_t cache_entries;         /* 0: ATT_COLLATERAL_CACHE_DEFAULT */
	int64_t refresh_margin_seconds; /* 0: 3600 */
	unsigned refresh_percent;     /* of an item's window; 0: 10 */
	int64_t retry_seconds;        /* 0: ATT_COLLATERAL_RETRY_SECONDS */
	/* Serve collateral past its nextUpdate instead of failing (QvE-like
	 * lenient deployments; the verifier then decides). Default false. */
	bool serve_expired;
};

struct att_collateral_stats {
	uint64_t hits;           /* served from the memory cache */
	uint64_t misses;         /* not in memory (store read / fetch) */
	uint64_t coalesced;      /* misses that waited for another's load */
	uint64_t fetches;        /* HTTP requests to the PCS/PCCS */
	uint64_t fetch_failures; /* of which failed */
	uint64_t stale_served;   /* served while its refresh was failing */
	uint64_t refreshes;      /* background refreshes run */
	uint64_t errors;         /* gets that returned an error */
	size_t entries;          /* sets in the memory cache */
};

/* What the service knows about a set it handed out. */
struct att_collateral_info {
	char key[40];            /* "sgx/00606A000000/platform" */
	int64_t valid_until;     /* earliest nextUpdate / notAfter */
	char valid_until_item[96]; /* the item that expires first */
	int64_t refresh_at;      /* when a refresh becomes due */
};

/* att_collateral_svc_new copies what it needs from o (strings too). */
int att_collateral_svc_new(struct att_collateral_svc **out,
			   const struct att_collateral_opts *o,
			   struct att_diag *d);
/* Stops the refresh thread and frees everything; every reference handed
 * out by att_collateral_get must have been released. Accepts NULL. */
void att_collateral_svc_free(struct att_collateral_svc *svc);

/* att_collateral_get returns in *out the collateral for the quote (an
 * SGX or TDX DCAP quote with a PCK certificate chain; quote_flags:
 * ATT_SGX_PARSE_OE_HEADER) at time now. *out is a reference: valid until
 * att_collateral_release, whatever happens to the cache meanwhile.
 * Errors: the quote's (ATT_ERR_FORMAT, ATT_ERR_UNSUPPORTED, ...),
 * ATT_ERR_NOT_FOUND (no such collateral and no PCS, or PCS 404),
 * ATT_ERR_EXPIRED (the item named in d expired and could not be
 * refreshed), ATT_ERR_NETWORK / ATT_ERR_TIMEOUT (fetch failed, nothing
 * stored), ATT_ERR_MISMATCH (PCS answered with other collateral). */
int att_collateral_get(struct att_collateral_svc *svc, const uint8_t *quote,
		       size_t len, unsigned quote_flags, int64_t now,
		       const struct att_dcap_collateral **out,
		       struct att_diag *d);
/* Releases a reference from att_collateral_get; accepts NULL. */
void att_collateral_release(struct att_collateral_svc *svc,
			    const struct att_dcap_collateral *c);
/* Facts about a set handed out (and not yet released). */
int att_collateral_get_info(struct att_collateral_svc *svc,
			    const struct att_dcap_collateral *c,
			    struct att_collateral_info *out);

void att_collateral_stats(struct att_collateral_svc *svc,
			  struct att_collateral_stats *out);
/* Waits until the refreshes queued so far have run (tests, shutdown). */
void att_collateral_svc_flush(struct att_collateral_svc *svc);
/* Drops the memory cache (the next get of each key reads the store). */
void att_collateral_svc_invalidate(struct att_collateral_svc *svc);

/* ---- TCB baselines (GET /tcbbaselines/{type}) ---- */

/* One TCB evaluation data number among the TCB Info items the store
 * holds for a TEE (every FMSPC): the dates over the items carrying it. */
struct att_tcb_baseline {
	uint32_t eval_num;     /* tcbEvaluationDataNumber */
	int64_t issue_date;    /* latest issueDate of those items */
	int64_t next_update;   /* earliest nextUpdate of those items */
	/* The TCB recovery event date of that number: the latest tcbDate
	 * of the items' TCB levels (the date of their UpToDate level; a
	 * TCB Info has no tcbRecoveryEventDate member itself, Intel PCS API
	 * v4 "TCB Info" and "TCB Evaluation Data Numbers"). */
	int64_t recovery_date;
	size_t n_items;        /* TCB Info items (FMSPCs) with this number */
};

/* att_collateral_baselines lists the evaluation data numbers of the TCB
 * Info items (tee: SGX or TDX) in st, highest first, into out[0..max)
 * (at most ATT_TCB_BASELINES_MAX distinct numbers are kept: the highest).
 * A row that does not decode or parse fails, naming its key. */
int att_collateral_baselines(struct att_store *st, enum att_dcap_tee tee,
			     struct att_tcb_baseline *out, size_t max,
			     size_t *n, struct att_diag *d);
/* The same over the service's store (its memory table when it has none). */
int att_collateral_svc_baselines(struct att_collateral_svc *svc,
				 enum att_dcap_tee tee,
				 struct att_tcb_baseline *out, size_t max,
				 size_t *n, struct att_diag *d);

/* ---- offline import ---- */

struct att_collateral_import_report {
	size_t files;    /* files read */
	size_t items;    /* items stored */
	size_t skipped;  /* files that are not collateral (in a directory) */
	size_t expired;  /* items stored although already expired */
};

/* att_collateral_import_path recognises every file by content (TCB Info
 * and QE Identity PCS responses, CRLs in DER/PEM/hex, PEM issuer chains,
 * collateral bundles) and stores the items under their keys (FMSPC and
 * TEE from the TCB Info, CA from the CRL issuer, ...). A directory is
 * walked (ATT_COLLATERAL_IMPORT_MAX_DEPTH levels, names in order,
 * dot-files skipped); its files that are not collateral (private keys,
 * certificates, manifests) are skipped, but collateral that is malformed
 * fails the whole import, and nothing is stored. A single file must be
 * collateral. When an import holds one item twice, the one with the
 * later nextUpdate wins; an imported item replaces the stored one. */
int att_collateral_import_path(struct att_store *st, const char *file_or_dir,
			       struct att_diag *d);
int att_collateral_import_path_ex(struct att_store *st,
				  const char *file_or_dir, int64_t now,
				  struct att_collateral_import_report *rep,
				  struct att_diag *d);
/* Imports into the service's store and drops its memory cache. */
int att_collateral_svc_import(struct att_collateral_svc *svc,
			      const char *file_or_dir, int64_t now,
			      struct att_collateral_import_report *rep,
			      struct att_diag *d);

#endif
