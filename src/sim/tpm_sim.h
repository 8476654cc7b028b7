/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TPM simulator's directory (`attest sim tpm start DIR`,
 * cmd/attest/cmd_sim_tpm.c): a swtpm whose EK certificates are issued by
 * a dev TPM manufacturer CA made in DIR (swtpm_localca's files). Dev mode
 * (attestd serve --dev) trusts the CA of DATA_DIR/tpmsim
 * (src/server/trust_tpm.c). Names relative to DIR.
 */
#ifndef ATT_SIM_TPM_SIM_H
#define ATT_SIM_TPM_SIM_H

#define ATT_TPMSIM_F_ROOT "ca/swtpm-localca-rootca-cert.pem" /* root CA */
#define ATT_TPMSIM_F_ISSUER "ca/issuercert.pem" /* issues EK certificates */
#define ATT_TPMSIM_F_STATE "state"              /* swtpm's NV state */
#define ATT_TPMSIM_F_PID "swtpm.pid"
#define ATT_TPMSIM_F_PORT "swtpm.port"
#define ATT_TPMSIM_F_LOG "swtpm.log"
#define ATT_TPMSIM_DEFAULT_PORT 2321

#endif
