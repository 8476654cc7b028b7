/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SGX simulator's entry points in a build without it (-DATT_SIM=OFF):
 * CMake builds this directory as att_sim instead of src/sim, so attestd
 * and attest link unchanged and every call says clearly that the
 * simulator is not built in.
 */
#include <string.h>

#include "attest/err.h"
#include "sim/sgx_sim.h"

#define NOT_BUILT                                                              \
	"the SGX simulator is not built in (configured with -DATT_SIM=OFF)"

bool att_sgxsim_built_in(void)
{
	return false;
}

void att_sgxsim_collateral_opts_init(struct att_sgxsim_collateral_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->qe_isvprodid = -1;
}

void att_sgxsim_init_opts_init(struct att_sgxsim_init_opts *o)
{
	memset(o, 0, sizeof(*o));
	att_sgxsim_collateral_opts_init(&o->collateral);
}

void att_sgxsim_quote_opts_init(struct att_sgxsim_quote_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->qe_isvsvn = -1;
}

int att_sgxsim_init(const char *dir, const struct att_sgxsim_init_opts *o,
		    struct att_diag *d)
{
	(void)dir;
	(void)o;
	return att_diag_set(d, ATT_ERR_UNSUPPORTED, NOT_BUILT);
}

int att_sgxsim_collateral_bundle(const char *dir,
				 const struct att_sgxsim_collateral_opts *o,
				 struct att_buf *out, struct att_diag *d)
{
	(void)dir;
	(void)o;
	(void)out;
	return att_diag_set(d, ATT_ERR_UNSUPPORTED, NOT_BUILT);
}

int att_sgxsim_collateral_write(const char *dir,
				const struct att_sgxsim_collateral_opts *o,
				struct att_diag *d)
{
	(void)dir;
	(void)o;
	return att_diag_set(d, ATT_ERR_UNSUPPORTED, NOT_BUILT);
}

int att_sgxsim_quote(const char *dir, const struct att_sgxsim_quote_opts *o,
		     struct att_buf *out, struct att_diag *d)
{
	(void)dir;
	(void)o;
	(void)out;
	return att_diag_set(d, ATT_ERR_UNSUPPORTED, NOT_BUILT);
}

int att_sgxsim_tamper_pck_sig(uint8_t *quote, size_t len)
{
	(void)quote;
	(void)len;
	return ATT_ERR_UNSUPPORTED;
}

int att_sgxsim_graft_pck(const char *dst_dir, const char *src_dir,
			 const char *platform, struct att_diag *d)
{
	(void)dst_dir;
	(void)src_dir;
	(void)platform;
	return att_diag_set(d, ATT_ERR_UNSUPPORTED, NOT_BUILT);
}
