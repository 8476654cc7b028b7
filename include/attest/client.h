/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libattest, client half: connection options shared by the HTTPS client
 * calls (attestation, policy management, metadata and JWKS fetches) and
 * by the relying-party API (attest/rp.h). TLS peer verification is always
 * on unless insecure_skip_verify is set, which only developer tooling
 * should ever do.
 */
#ifndef ATT_ATTEST_CLIENT_H
#define ATT_ATTEST_CLIENT_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

struct att_http_opts {
	/* PEM file of trust anchors (e.g. the server's self-signed TLS
	 * certificate); NULL: the system store. */
	const char *ca_file;
	/* Optional pin of the server's public key: the std base64 SHA-256
	 * of its SubjectPublicKeyInfo, with or without the "sha256//"
	 * prefix (curl's CURLOPT_PINNEDPUBLICKEY). */
	const char *pinned_cert_sha256_b64;
	/* Optional bearer token sent as "Authorization: Bearer ..."; only
	 * ever sent over https. */
	const char *bearer;
	/* Whole-transfer timeout; 0: ATT_HTTP_TIMEOUT_SECONDS. */
	long timeout_ms;
	/* Skip TLS peer and host name verification (dev tooling only). */
	bool insecure_skip_verify;
};

#ifdef __cplusplus
}
#endif
#endif
