/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The request handlers, one file per API area (api_*.c); routes.c binds
 * them to methods and paths. A handler fills resp: 200 with a JSON body,
 * or an MAA error via att_resp_err (its ATT_ERR_* code mapped to status
 * and MAA code by the one table, att_verify_http_status; att_resp_error
 * only for the HTTP-level answers that table's file lists).
 */
#ifndef ATT_SERVER_HANDLERS_H
#define ATT_SERVER_HANDLERS_H

struct att_req;
struct att_resp;

/* api_meta.c */
void att_api_certs(struct att_req *req, struct att_resp *resp);
void att_api_openid(struct att_req *req, struct att_resp *resp);
/* api_policy_get.c */
void att_api_policy_get(struct att_req *req, struct att_resp *resp);
/* api_policy_mgmt.c */
void att_api_policy_put(struct att_req *req, struct att_resp *resp);
void att_api_policy_reset(struct att_req *req, struct att_resp *resp);
/* api_certificates.c */
void att_api_polcerts_get(struct att_req *req, struct att_resp *resp);
void att_api_polcerts_add(struct att_req *req, struct att_resp *resp);
void att_api_polcerts_remove(struct att_req *req, struct att_resp *resp);
/* api_attest.c: POST /attest/SgxEnclave, /attest/OpenEnclave, /attest/TdxVm */
void att_api_attest_sgx(struct att_req *req, struct att_resp *resp);
void att_api_attest_oe(struct att_req *req, struct att_resp *resp);
void att_api_attest_tdx(struct att_req *req, struct att_resp *resp);
void att_api_attest_snp(struct att_req *req, struct att_resp *resp);
/* api_attest_azg.c: POST /attest/AzureGuest */
void att_api_attest_azureguest(struct att_req *req, struct att_resp *resp);
/* api_tcbbaselines.c: GET /tcbbaselines/{type} */
void att_api_tcbbaselines_get(struct att_req *req, struct att_resp *resp);
/* api_health.c */
void att_api_healthz(struct att_req *req, struct att_resp *resp);
void att_api_readyz(struct att_req *req, struct att_resp *resp);
void att_api_metrics(struct att_req *req, struct att_resp *resp);

/* att_attestation_type_canonical maps a path's attestation type, in any
 * case, to MAA's spelling ("sgxenclave" -> "SgxEnclave"); NULL when it is
 * not an MAA type. */
const char *att_attestation_type_canonical(const char *type);

#endif
