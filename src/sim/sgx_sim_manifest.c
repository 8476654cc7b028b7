/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DIR/manifest.json and DIR/README of the SGX simulator: what every file
 * is, the simulated platforms (FMSPC, CA, PCK certificate per TCB level),
 * the TCB levels with their SVNs and advisories, and the simulated QE.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/timeutil.h"
#include "codec/hex.h"
#include "sim/sgx_sim_int.h"

#define WARNING                                                                \
	"SIMULATED SGX PKI FOR DEVELOPMENT AND TESTS. Every private key is "   \
	"in this directory: never trust root.pem in a production "             \
	"configuration."

static const char *const top_files[][2] = {
    {SIM_F_ROOT_PEM, "root CA certificate (trust anchor for tests)"},
    {SIM_F_ROOT_DER, "root CA certificate, DER"},
    {SIM_F_ROOT_KEY, "root CA private key (0600)"},
    {"processor_ca.pem", "PCK Processor CA certificate"},
    {"processor_ca.key", "PCK Processor CA private key (0600)"},
    {"platform_ca.pem", "PCK Platform CA certificate"},
    {"platform_ca.key", "PCK Platform CA private key (0600)"},
    {SIM_F_TCB_PEM, "TCB Signing certificate (signs TCB Info, QE Identity)"},
    {SIM_F_TCB_KEY, "TCB Signing private key (0600)"},
    {SIM_F_TCB_CHAIN, "TCB Signing certificate + root (issuer chain)"},
    {"root_ca_crl.der", "root CA CRL, DER (also .pem)"},
    {"pck_processor_crl.der", "PCK Processor CA CRL, DER (also .pem)"},
    {"pck_platform_crl.der", "PCK Platform CA CRL, DER (also .pem)"},
    {SIM_F_QE_ID, "QE Identity v2, PCS response format"},
    {SIM_F_QE_KEY, "QE attestation private key (0600)"},
    {SIM_F_BUNDLE, "collateral bundle of platform \"processor\""},
};

static int add_str(json_t *o, const char *k, const char *v)
{
	return json_object_set_new(o, k, json_string(v)) ? ATT_ERR_NOMEM : 0;
}

static json_t *files_json(void)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < sizeof(top_files) / sizeof(top_files[0]);
	     i++) {
		json_t *f = json_object();
		if (!f || add_str(f, "path", top_files[i][0]) ||
		    add_str(f, "what", top_files[i][1]) ||
		    json_array_append_new(a, f)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *platform_json(const struct att_sim_platform *pl)
{
	char fm[13], path[256];
	att_hex_encode(fm, sizeof(fm), pl->fmspc, 6, true);
	json_t *o = json_object(), *certs = json_object();
	int r = o && certs ? 0 : ATT_ERR_NOMEM;
	for (size_t i = 0; !r && i < ATT_SGXSIM_N_LEVELS; i++) {
		snprintf(path, sizeof(path), "%s/pck_%s.pem", pl->name,
			 att_sim_levels[i].name);
		r = add_str(certs, att_sim_levels[i].name, path);
	}
	if (!r)
		r = json_object_set(o, "pck_certs", certs) ? ATT_ERR_NOMEM : 0;
	snprintf(path, sizeof(path), "%s/pck_crl_listed.pem", pl->name);
	r = r ? r : add_str(o, "crl_listed_pck_cert", path);
	snprintf(path, sizeof(path), "%s/pck.key", pl->name);
	r = r ? r : add_str(o, "pck_key", path);
	snprintf(path, sizeof(path), "%s/tcb_info.json", pl->name);
	r = r ? r : add_str(o, "tcb_info", path);
	snprintf(path, sizeof(path), "%s/collateral.json", pl->name);
	r = r ? r : add_str(o, "collateral", path);
	snprintf(path, sizeof(path), "%s.pem", pl->ca);
	r = r ? r : add_str(o, "ca", path);
	r = r ? r : add_str(o, "fmspc", fm);
	r = r ? r
	      : add_str(o, "sgx_type", pl->sgx_type ? "Scalable" : "Standard");
	json_decref(certs);
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *level_json(const struct att_sim_level *l)
{
	json_t *o = json_object(), *c = json_array(), *a = json_array();
	int r = o && c && a ? 0 : ATT_ERR_NOMEM;
	for (size_t i = 0; !r && i < 16; i++)
		r = json_array_append_new(c, json_integer(l->comp[i]));
	for (size_t i = 0; !r && l->adv[i]; i++)
		r = json_array_append_new(a, json_string(l->adv[i]));
	r = r ? r : add_str(o, "name", l->name);
	r = r ? r : json_object_set(o, "sgxtcbcomponents", c);
	r = r ? r : json_object_set_new(o, "pcesvn", json_integer(l->pcesvn));
	r = r ? r : json_object_set(o, "advisoryIDs", a);
	if (!r && l->tcb_date)
		r = add_str(o, "tcbDate", l->tcb_date);
	json_decref(c);
	json_decref(a);
	if (r) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *qe_json(void)
{
	char ms[65];
	att_hex_encode(ms, sizeof(ms), att_sgxsim_qe_mrsigner, 32, true);
	return json_pack("{s:s, s:s, s:i, s:i}", "attestation_key",
			 SIM_F_QE_KEY, "mrsigner", ms, "isvprodid",
			 ATT_SGXSIM_QE_ISVPRODID, "isvsvn",
			 ATT_SGXSIM_QE_ISVSVN);
}

static json_t *manifest_json(int64_t now)
{
	char ts[32];
	att_time_format(ts, sizeof(ts), now);
	json_t *pl = json_array(), *lv = json_array();
	for (size_t i = 0; pl && i < ATT_SGXSIM_N_PLATFORMS; i++) {
		if (json_array_append_new(
			pl, platform_json(&att_sim_platforms[i]))) {
			json_decref(pl);
			pl = NULL;
		}
	}
	for (size_t i = 0; lv && i < ATT_SGXSIM_N_LEVELS; i++) {
		if (json_array_append_new(lv, level_json(&att_sim_levels[i]))) {
			json_decref(lv);
			lv = NULL;
		}
	}
	json_t *m = json_pack(
	    "{s:s, s:s, s:s, s:s, s:o?, s:o?, s:o?, s:o?}", "warning", WARNING,
	    "simulator", "attestd SGX platform simulator", "created", ts,
	    "root_ca", SIM_F_ROOT_PEM, "files", files_json(), "platforms", pl,
	    "tcb_levels", lv, "qe", qe_json());
	return m;
}

static const char readme[] =
    "attestd SGX platform simulator directory\n"
    "=========================================\n\n"
    "!!! " WARNING " !!!\n\n"
    "Created by `attest sim sgx init`. Quotes: `attest sim sgx quote DIR "
    "-o FILE`.\n"
    "Verify: attest quote verify --collateral DIR/collateral.json "
    "--root-ca DIR/root.pem QUOTE\n\n"
    "manifest.json lists every file, the simulated platforms "
    "(processor: FMSPC 00906ED50000,\n"
    "Processor CA; platform: FMSPC 00606A000000, Platform CA), the TCB "
    "levels and the QE.\n"
    "See docs/simulator.md in the attestd source tree.\n";

int att_sim_write_manifest(const char *dir, int64_t now, struct att_diag *d)
{
	json_t *m = manifest_json(now);
	char *s =
	    m ? json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(m);
	if (!s)
		return att_diag_set(d, ATT_ERR_NOMEM,
				    "sgxsim: cannot build manifest");
	int r = att_sim_write(dir, NULL, SIM_F_MANIFEST, s, strlen(s), 0644, d);
	free(s);
	if (!r)
		r = att_sim_write(dir, NULL, SIM_F_README, readme,
				  sizeof(readme) - 1, 0644, d);
	return r;
}
