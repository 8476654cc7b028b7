/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The x-ms-azurevm-* claims of a boot log (wbcl.h), with the names and
 * JSON types of MAA's azurevm tokens (tests/vectors/maa/real-outputs/
 * azurevm-*.json): attested-pcrs an array of integers, the -enabled,
 * -validated and -disabled members booleans, hvci-policy and the OS
 * version integers, the OS strings and vmid strings. docs/eventlog.md
 * "Windows boot logs" says where each value comes from.
 */
#include "evidence/tcg/wbcl.h"

#include "attest/err.h"

#define P "x-ms-azurevm-"

static int put(json_t *o, const char *k, json_t *v)
{
	return json_object_set_new(o, k, v) ? ATT_ERR_NOMEM : 0;
}

static int put_pcrs(json_t *o, uint32_t attested)
{
	json_t *a = json_array();
	if (!a)
		return ATT_ERR_NOMEM;
	for (uint32_t i = 0; i < ATT_TCG_NUM_PCRS; i++) {
		if (!(attested & (1u << i)))
			continue;
		if (json_array_append_new(a, json_integer(i))) {
			json_decref(a);
			return ATT_ERR_NOMEM;
		}
	}
	return put(o, P "attested-pcrs", a);
}

static int put_os(json_t *o, const struct att_wbcl_os *os)
{
	int r = 0;
	if (!os)
		return 0;
	if (os->build && (r = put(o, P "osbuild", json_string(os->build))))
		return r;
	if (os->distro && (r = put(o, P "osdistro", json_string(os->distro))))
		return r;
	if (os->type && (r = put(o, P "ostype", json_string(os->type))))
		return r;
	if (os->has_version &&
	    ((r = put(o, P "osversion-major",
		      json_integer(os->version_major))) ||
	     (r = put(o, P "osversion-minor",
		      json_integer(os->version_minor)))))
		return r;
	return 0;
}

/* put_windows adds the claims only a Windows boot log gives. */
static int put_windows(json_t *o, const struct att_wbcl_facts *f,
		       struct att_diag *diag)
{
	bool debuggers = f->boot_debugging || f->kernel_debug ||
			 f->hypervisor_debug;
	int r;
	if (f->hvci_policy > (uint64_t)INT64_MAX)
		return att_diag_set(diag, ATT_ERR_FORMAT, "wbcl: HVCI policy "
				    "0x%llx does not fit a JSON integer",
				    (unsigned long long)f->hvci_policy);
	if ((r = put(o, P "bootdebug-enabled",
		     json_boolean(f->boot_debugging))) ||
	    (r = put(o, P "debuggersdisabled", json_boolean(!debuggers))) ||
	    (r = put(o, P "elam-enabled", json_boolean(f->elam_drivers > 0))) ||
	    (r = put(o, P "flightsigning-enabled",
		     json_boolean(f->flight_signing))) ||
	    (r = put(o, P "hvci-policy",
		     json_integer((json_int_t)f->hvci_policy))) ||
	    (r = put(o, P "hypervisordebug-enabled",
		     json_boolean(f->hypervisor_debug))) ||
	    (r = put(o, P "kerneldebug-enabled",
		     json_boolean(f->kernel_debug))) ||
	    (r = put(o, P "signingdisabled",
		     json_boolean(f->code_integrity == ATT_WBCL_TRUE))) ||
	    (r = put(o, P "testsigning-enabled",
		     json_boolean(f->test_signing))))
		return att_diag_set(diag, r, "wbcl: out of memory");
	return 0;
}

int att_wbcl_claims(json_t **out, const struct att_wbcl_facts *f,
		    const struct att_wbcl_os *os, uint32_t attested,
		    enum att_wbcl_tri secureboot, struct att_diag *diag)
{
	json_t *o = json_object();
	bool keys = f->pk_validated && f->kek_validated && f->db_validated &&
		    f->dbx_validated;
	int r;
	*out = NULL;
	if (!o)
		return att_diag_set(diag, ATT_ERR_NOMEM, "wbcl: out of memory");
	if ((r = put_pcrs(o, attested)) ||
	    (r = put(o, P "dbvalidated", json_boolean(f->db_validated))) ||
	    (r = put(o, P "dbxvalidated", json_boolean(f->dbx_validated))) ||
	    (r = put(o, P "default-securebootkeysvalidated",
		     json_boolean(keys))) ||
	    (r = put(o, P "is-windows", json_boolean(f->is_windows))) ||
	    (r = put_os(o, os)) ||
	    (f->has_vmid && (r = put(o, P "vmid", json_string(f->vmid)))) ||
	    (secureboot != ATT_WBCL_UNKNOWN &&
	     (r = put(o, "secureboot",
		      json_boolean(secureboot == ATT_WBCL_TRUE))))) {
		r = att_diag_set(diag, r, "wbcl: out of memory");
		goto out;
	}
	if (f->is_windows && (r = put_windows(o, f, diag)) != 0)
		goto out;
	*out = o;
	o = NULL;
out:
	json_decref(o);
	return r;
}
