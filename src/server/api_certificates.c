/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy management certificates (MAA REST API "Policy Certificates";
 * docs/policy-management.md):
 * GET /certificates answers {"x-ms-policy-certificates": {"keys": [JWK
 * {"alg","kty","use","x5c"}...]}} (empty for a provider without any, as
 * aad instances are). POST /certificates:add and :remove take a JWS as a
 * JSON string literal (what the SDKs send) or as {"policyCertificateToAdd"
 * | "policyCertificateToRemove": JWS} (the 2025-06-01 spec's shape); the
 * JWS must be signed by one of the provider's registered certificates and
 * its payload is {"policyCertificate": {"kty", "x5c": [cert]}} (legacy
 * names maa-/aas-/x-ms-policyCertificate accepted). The answer is
 * {"x-ms-certificate-thumbprint": upper-case hex SHA-1 of the DER,
 * "x-ms-policycertificates-result": "IsPresent" | "IsAbsent"}. Adding a
 * present certificate or removing an absent one changes nothing; the last
 * certificate cannot be removed (InvalidOperation). Each change is one
 * transaction with its audit record.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"
#include "server/api_policy_mgmt.h"
#include "server/handlers.h"
#include "server/polsign.h"
#include "server/provider.h"
#include "server/server.h"
#include "store/store.h"
#include "token/jws.h"

/* cert_jwk is the JWKS entry of a registered certificate. */
static json_t *cert_jwk(const struct att_store_polcert *pc)
{
	struct att_cert *c = NULL;
	struct att_pkey *k = NULL;
	char *b64 = NULL;
	json_t *jwk = NULL;
	if (att_cert_from_der(&c, pc->der, pc->der_len) == 0 &&
	    att_cert_get1_pubkey(&k, c) == 0 && att_cert_x5c_b64(&b64, c) == 0)
		jwk = json_pack("{s:s, s:s, s:s, s:[s]}", "alg",
				att_jws_alg_name(att_jws_alg_for_key(k)), "kty",
				att_pkey_is_rsa(k) ? "RSA" : "EC", "use", "sig",
				"x5c", b64);
	free(b64);
	att_pkey_free(k);
	att_cert_free(c);
	return jwk;
}

void att_api_polcerts_get(struct att_req *req, struct att_resp *resp)
{
	struct att_store_polcert *certs = NULL;
	struct att_diag d = {0};
	size_t n = 0;
	json_t *keys = json_array(), *claims = NULL;
	int r = keys ? att_store_polcert_list(req->srv->store, req->prov->name,
					      &certs, &n, &d)
		     : ATT_ERR_NOMEM;
	for (size_t i = 0; !r && i < n; i++) {
		json_t *jwk = cert_jwk(&certs[i]);
		if (!jwk || json_array_append_new(keys, jwk))
			r = att_diag_set(&d, ATT_ERR_INTERNAL,
					 "policy management certificate %s "
					 "cannot be encoded",
					 certs[i].thumbprint);
	}
	if (!r && !(claims = json_pack("{s:{s:O}}", "x-ms-policy-certificates",
				       "keys", keys)))
		r = ATT_ERR_NOMEM;
	if (r)
		att_resp_err(resp, r, "InternalError",
			     "cannot list the policy management "
			     "certificates: %s",
			     att_diag_msg(&d));
	else
		att_polmgmt_reply(req, resp, claims);
	json_decref(claims);
	json_decref(keys);
	att_store_polcert_list_free(certs, n);
}

/* ---- add / remove ---- */

struct cert_change {
	bool add;
	struct att_polsign ps;
	char *owned;           /* the JWS when unquoted from JSON */
	struct att_cert *cert; /* the certificate to add or remove */
	char thumbprint[41];
	struct att_store_polcert *certs; /* registered, under the lock */
	size_t n_certs;
};

/* body_jws finds the JWS: a JSON string, an object with the operation's
 * member, or (tolerated) the bare JWS. */
static int body_jws(struct att_req *req, struct att_resp *resp,
		    struct cert_change *c, const char **jws, size_t *len)
{
	const char *member = c->add ? "policyCertificateToAdd"
				    : "policyCertificateToRemove";
	json_t *j = req->body_len ? json_loadb((const char *)req->body,
					       req->body_len, JSON_DECODE_ANY,
					       NULL)
				  : NULL;
	json_t *s = json_is_object(j) ? json_object_get(j, member) : j;
	bool is_json = j != NULL, is_str = json_is_string(s);
	if (is_str)
		c->owned = strdup(json_string_value(s));
	json_decref(j);
	if (is_str && !c->owned) {
		att_resp_err(resp, ATT_ERR_NOMEM, NULL, "out of memory");
		return ATT_ERR_NOMEM;
	}
	if (c->owned) {
		*jws = c->owned;
		*len = strlen(c->owned);
		return 0;
	}
	if (is_json) {
		att_resp_err(resp, ATT_ERR_FORMAT, "InvalidOperation",
			     "the request body must be a JSON string holding "
			     "a JWS, or {\"%s\": JWS}",
			     member);
		return ATT_ERR_FORMAT;
	}
	return att_polmgmt_body_jws(req, resp, jws, len, &c->owned);
}

static const char *const cert_claims[] = {
	"policyCertificate", "maa-policyCertificate", "aas-policyCertificate",
	"x-ms-policyCertificate",
};

/* payload_cert reads the certificate named by the JWS payload. */
static int payload_cert(struct att_resp *resp, struct cert_change *c)
{
	json_t *pl = c->ps.jws.payload_len
			     ? json_loadb((const char *)c->ps.jws.payload,
					  c->ps.jws.payload_len,
					  JSON_REJECT_DUPLICATES, NULL)
			     : NULL;
	json_t *jwk = NULL;
	for (size_t i = 0; !jwk && i < sizeof(cert_claims) / sizeof(*cert_claims);
	     i++)
		jwk = json_object_get(pl, cert_claims[i]);
	const char *b64 = json_string_value(
		json_array_get(json_object_get(jwk, "x5c"), 0));
	struct att_pkey *k = NULL;
	int r = ATT_ERR_FORMAT;
	if (!b64)
		att_resp_err(resp, r, "InvalidOperation",
			     "the JWS payload has no policyCertificate "
			     "{\"kty\", \"x5c\": [certificate]}");
	else if ((r = att_cert_from_x5c_b64(&c->cert, b64)) != 0)
		att_resp_err(resp, r, "InvalidParameter",
			     "policyCertificate.x5c[0] is not a DER "
			     "certificate in base64");
	else if ((r = att_cert_get1_pubkey(&k, c->cert)) != 0)
		att_resp_err(resp, r, "InvalidParameter",
			     "the certificate's public key is not supported "
			     "(RSA >= 2048 bits, EC P-256 or P-384): %s",
			     att_strerror(r));
	else
		r = att_cert_thumbprint_sha1(c->thumbprint, c->cert);
	att_pkey_free(k);
	json_decref(pl);
	return r;
}

/* check_change lists the registered certificates and checks the upload;
 * called with the change lock held. */
static int check_change(struct att_req *req, struct att_resp *resp,
			struct cert_change *c)
{
	struct att_diag d = {0};
	const char *jws = NULL;
	size_t len = 0;
	int r = body_jws(req, resp, c, &jws, &len);
	if (r)
		return r;
	if ((r = att_store_polcert_list(req->srv->store, req->prov->name,
					&c->certs, &c->n_certs, &d)) != 0) {
		att_resp_err(resp, r, "InternalError",
			     "cannot read the policy management "
			     "certificates: %s",
			     att_diag_msg(&d));
		return r;
	}
	if (c->n_certs == 0) {
		att_resp_err(resp, ATT_ERR_INVALID_OPERATION, "InvalidOperation",
			     "provider %s has no policy management "
			     "certificates, so none can be added or removed "
			     "(policy management certificates belong to "
			     "isolated providers)",
			     req->prov->name);
		return ATT_ERR_INVALID_OPERATION;
	}
	r = att_polsign_check(&c->ps, jws, len, true, c->certs, c->n_certs, &d);
	if (r) {
		att_polmgmt_check_error(resp, r, &d);
		return r;
	}
	return payload_cert(resp, c);
}

static bool is_registered(const struct cert_change *c)
{
	for (size_t i = 0; i < c->n_certs; i++)
		if (!strcmp(c->certs[i].thumbprint, c->thumbprint))
			return true;
	return false;
}

/* apply makes the change with its audit record; nothing to do when the
 * certificate is already in the wanted state. */
static int apply(struct att_req *req, struct att_resp *resp,
		 struct cert_change *c)
{
	struct att_diag d = {0};
	char actor[ATT_AUDIT_ACTOR_LEN];
	uint8_t *der = NULL;
	size_t der_len = 0;
	int r = 0;
	if (is_registered(c) == c->add)
		return 0;
	if (!c->add && c->n_certs <= 1) {
		att_resp_err(resp, ATT_ERR_INVALID_OPERATION, "InvalidOperation",
			     "certificate %s is the provider's last policy "
			     "management certificate and cannot be removed",
			     c->thumbprint);
		return ATT_ERR_INVALID_OPERATION;
	}
	att_polmgmt_actor(actor, req->auth_claims, c->ps.thumbprint);
	struct att_store_audit a = {
		.provider = req->prov->name, .time = req->now, .actor = actor,
		.action = c->add ? "add-policy-certificate"
				 : "remove-policy-certificate",
		.old_hash = c->add ? NULL : c->thumbprint,
		.new_hash = c->add ? c->thumbprint : NULL};
	if (c->add && !(r = att_cert_to_der(&der, &der_len, c->cert))) {
		struct att_store_polcert pc = {
			.provider = req->prov->name, .thumbprint = c->thumbprint,
			.der = der, .der_len = der_len, .added = req->now};
		r = att_store_polcert_add(req->srv->store, &pc, &a, &d);
	} else if (!c->add) {
		r = att_store_polcert_remove(req->srv->store, req->prov->name,
					     c->thumbprint, &a, &d);
	}
	/* Another node (or process) may have made the same change since
	 * check_change's list: the certificate is then already in the state
	 * asked for, which is answered as when it was so before (200, no
	 * audit record: the store wrote none, its transaction failed). */
	if ((c->add && r == ATT_ERR_EXISTS) || (!c->add && r == ATT_ERR_NOT_FOUND))
		r = 0;
	/* The store checks the last-certificate rule inside the removing
	 * transaction: a removal through another node (or process) since
	 * check_change's list may have left this one the last. */
	if (r == ATT_ERR_INVALID_OPERATION)
		att_resp_err(resp, r, "InvalidOperation",
			     "certificate %s is the provider's last policy "
			     "management certificate and cannot be removed",
			     c->thumbprint);
	else if (r)
		att_resp_err(resp, r, "InternalError",
			     "cannot change the policy management "
			     "certificates: %s",
			     att_diag_msg(&d));
	free(der);
	return r;
}

static void change(struct att_req *req, struct att_resp *resp, bool add)
{
	struct cert_change c = {.add = add};
	att_polsign_init(&c.ps);
	att_polmgmt_lock();
	att_polmgmt_stamp(req);
	bool ok = check_change(req, resp, &c) == 0 && apply(req, resp, &c) == 0;
	att_polmgmt_unlock();
	json_t *claims = ok ? json_pack("{s:s, s:s}",
					"x-ms-certificate-thumbprint",
					c.thumbprint,
					"x-ms-policycertificates-result",
					add ? "IsPresent" : "IsAbsent")
			    : NULL;
	if (claims)
		att_polmgmt_reply(req, resp, claims);
	else if (ok)
		att_resp_err(resp, ATT_ERR_NOMEM, NULL, "out of memory");
	json_decref(claims);
	att_store_polcert_list_free(c.certs, c.n_certs);
	att_cert_free(c.cert);
	att_polsign_release(&c.ps);
	free(c.owned);
}

void att_api_polcerts_add(struct att_req *req, struct att_resp *resp)
{
	change(req, resp, true);
}

void att_api_polcerts_remove(struct att_req *req, struct att_resp *resp)
{
	change(req, resp, false);
}
