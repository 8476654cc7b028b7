/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the SEV-SNP simulator shared by its files: the state kept
 * in DIR/manifest.json, file names of the private keys, and loading keys
 * and certificates back. Not for use outside src/sim.
 */
#ifndef ATT_SIM_SNP_SIM_INT_H
#define ATT_SIM_SNP_SIM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/cert.h"
#include "crypto/pkey.h"
#include "sim/snp_sim.h"

#define SNPSIM_DAY 86400
#define SNPSIM_YEAR (365 * SNPSIM_DAY)
#define SNPSIM_F_ARK_KEY "ark.key"
#define SNPSIM_F_ASK_KEY "ask.key"
#define SNPSIM_F_ASVK_KEY "asvk.key"
#define SNPSIM_F_VCEK_KEY "vcek.key"
#define SNPSIM_F_VLEK_KEY "vlek.key"
#define SNPSIM_F_README "README"
#define SNPSIM_DEFAULT_CSP "CN=sim-csp.attestd.invalid"

/* What DIR/manifest.json records (and the report builder needs). */
struct snpsim_state {
	enum att_snp_product product;
	uint8_t chip_id[64]; /* Turin: 8 significant bytes, the rest zero */
	size_t hwid_len;     /* 64, Turin 8 */
	struct att_snp_tcb tcb;
	int64_t now;	     /* creation time */
	int64_t vcek_nb, vcek_na, vlek_nb, vlek_na;
	char csp_id[128];
};

/* snpsim_hwid_len: 8 on Turin, 64 elsewhere. */
size_t snpsim_hwid_len(enum att_snp_product p);

int snpsim_state_write(const char *dir, const struct snpsim_state *s,
		       struct att_diag *d);
int snpsim_state_read(const char *dir, struct snpsim_state *s,
		      struct att_diag *d);

/* Keys (PEM, private) and certificates (PEM or DER) of DIR. */
int snpsim_load_key(const char *dir, const char *name, struct att_pkey **out,
		    struct att_diag *d);
int snpsim_load_cert(const char *dir, const char *name, struct att_cert **out,
		     struct att_diag *d);

#endif
