/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client side of POST /attest/Tpm (docs/tpm-protocol.md): flow A
 * (att_tpm_client_enroll: EK and a new AIK, MakeCredential answered with
 * TPM2_ActivateCredential, the AIK certificate kept) and flow B
 * (att_tpm_client_attest: challenge, PCRs, quote over SHA-256(challenge
 * || rp_data || JWK thumbprint of a fresh request key), the request JWS
 * signed by that key, the report). State between runs lives in a state
 * directory: ek.pub, ek.crt, aik.pub, aik.priv (the AIK key blob, usable
 * only by this TPM) and aik.crt.
 *
 * A few options exist only so that tests can produce the failures the
 * service must detect (a wrong challenge, a held context, a saved request
 * to replay, an unrestricted AIK, a bare aik_pub); they are marked.
 */
#ifndef ATT_CLIENT_TPM_FLOW_H
#define ATT_CLIENT_TPM_FLOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "attest/client.h"
#include "base/diag.h"

#define ATT_TPM_STATE_EK_PUB "ek.pub"
#define ATT_TPM_STATE_EK_CERT "ek.crt"
#define ATT_TPM_STATE_AIK_PUB "aik.pub"
#define ATT_TPM_STATE_AIK_PRIV "aik.priv"
#define ATT_TPM_STATE_AIK_CERT "aik.crt"
#define ATT_TPM_API_VERSION "2022-08-01"
#define ATT_TPM_DEFAULT_PCR_MASK 0xFFFFFFu
/* The kernel's copy of the firmware event log. */
#define ATT_TPM_KERNEL_LOG "/sys/kernel/security/tpm0/binary_bios_measurements"

struct att_tpm_client_opts {
	const char *url;       /* provider base URL */
	const char *tcti;      /* NULL: device:/dev/tpmrm0 */
	const char *state_dir; /* required */
	struct att_http_opts http;
	/* enroll */
	bool aik_ecc;
	/* attest */
	const char *log_file; /* NULL: the kernel's log for a device TCTI */
	bool no_log;
	const char *rp_data;   /* text, sent base64url-encoded */
	uint32_t pcr_mask;     /* 0: ATT_TPM_DEFAULT_PCR_MASK */
	uint16_t bank;	       /* 0: SHA-256 */
	json_t *custom_claims; /* array of {name, value} or NULL (borrowed) */
	bool send_aik_pub;     /* aik_pub instead of aik_cert */
	/* test knobs */
	bool aik_unrestricted;	  /* enroll: an AIK without `restricted` */
	bool wrong_challenge;	  /* attest: quote a random challenge */
	unsigned hold_seconds;	  /* attest: wait between the rounds */
	const char *save_request; /* attest: write the round-2 body here */
	const char *finish_url;	  /* attest: send round 2 to this base URL
				   * (another node of the same service) */
};

/* att_tpm_client_enroll runs flow A and stores the state; the AIK blob
 * is written before the service is asked, so a refused enrolment leaves
 * an AIK that was never enrolled. */
int att_tpm_client_enroll(const struct att_tpm_client_opts *o,
			  struct att_diag *d);

/* att_tpm_client_attest runs flow B and returns the report (a JWT,
 * malloc'd). */
int att_tpm_client_attest(const struct att_tpm_client_opts *o, char **token,
			  struct att_diag *d);

#endif
