/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SEV-SNP simulator's entry points in a build without it
 * (-DATT_SIM=OFF): every call says clearly that the simulator is not
 * built in (ATT_ERR_UNSUPPORTED); the option initialisers still work so
 * that callers link and run unchanged.
 */
#include <string.h>

#include "attest/err.h"
#include "sim/snp_sim.h"

#define NOT_BUILT                                                              \
	"the SEV-SNP simulator is not built in (configured with "             \
	"-DATT_SIM=OFF)"

bool att_snpsim_built_in(void)
{
	return false;
}

void att_snpsim_default_tcb(struct att_snp_tcb *t, enum att_snp_product p)
{
	(void)p;
	memset(t, 0, sizeof(*t));
}

void att_snpsim_init_opts_init(struct att_snpsim_init_opts *o)
{
	memset(o, 0, sizeof(*o));
}

void att_snpsim_report_opts_init(struct att_snpsim_report_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->version = 5;
}

int att_snpsim_init(const char *dir, enum att_snp_product p,
		    const struct att_snpsim_init_opts *o, struct att_diag *d)
{
	(void)dir;
	(void)p;
	(void)o;
	return att_diag_set(d, ATT_ERR_UNSUPPORTED, NOT_BUILT);
}

int att_snpsim_issue_vek(const char *dir, const struct att_snpsim_vek_opts *o,
			 struct att_diag *d)
{
	(void)dir;
	(void)o;
	return att_diag_set(d, ATT_ERR_UNSUPPORTED, NOT_BUILT);
}

int att_snpsim_issue_vcek(const char *dir, const char *file,
			  const struct att_snp_tcb *t, struct att_diag *d)
{
	(void)dir;
	(void)file;
	(void)t;
	return att_diag_set(d, ATT_ERR_UNSUPPORTED, NOT_BUILT);
}

int att_snpsim_report(const char *dir, const struct att_snpsim_report_opts *o,
		      uint8_t out[ATT_SNP_REPORT_LEN], struct att_diag *d)
{
	(void)dir;
	(void)o;
	memset(out, 0, ATT_SNP_REPORT_LEN);
	return att_diag_set(d, ATT_ERR_UNSUPPORTED, NOT_BUILT);
}

int att_snpsim_certtable(const char *dir, bool vlek, bool guid_big_endian,
			 const char *vek_file, struct att_buf *out,
			 struct att_diag *d)
{
	(void)dir;
	(void)vlek;
	(void)guid_big_endian;
	(void)vek_file;
	(void)out;
	return att_diag_set(d, ATT_ERR_UNSUPPORTED, NOT_BUILT);
}

int att_snpsim_product(const char *dir, enum att_snp_product *p,
		       uint8_t chip_id[64], struct att_diag *d)
{
	(void)dir;
	(void)chip_id;
	*p = ATT_SNP_PRODUCT_UNKNOWN;
	return att_diag_set(d, ATT_ERR_UNSUPPORTED, NOT_BUILT);
}
