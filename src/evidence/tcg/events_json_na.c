/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ProcessedData of EV_NO_ACTION events, chosen by their 16-byte signature:
 * the Spec ID header (the log's banks), StartupLocality (PCR 0's start
 * value), and the SP800-155 platform identity events that point to the
 * firmware's reference manifest. Other signatures keep their raw bytes.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/cur.h"
#include "codec/b64.h"
#include "evidence/tcg/eventlog.h"
#include "evidence/tcg/uefi.h"
#include "evidence/tpm/tpm_alg.h"

int att_tcg_json_no_action(json_t *pd, const struct att_tcg_log *log,
			   const struct att_tcg_event *ev);

static int put(json_t *o, const char *k, json_t *v)
{
	return json_object_set_new(o, k, v) ? ATT_ERR_NOMEM : 0;
}

static json_t *jtext(const uint8_t *p, size_t len)
{
	struct att_buf b;
	json_t *s = NULL;
	att_buf_init(&b, ATT_UEFI_MAX_TEXT * 4);
	if (att_tcg_string_text(&b, p, len) == 0)
		s = json_stringn(att_buf_cstr(&b), b.len);
	att_buf_release(&b);
	return s;
}

static json_t *jb64(const uint8_t *p, size_t len)
{
	char *s = att_b64url_encode(p, len);
	json_t *j = s ? json_string(s) : NULL;
	free(s);
	return j;
}

static json_t *jguid(const uint8_t *g)
{
	char t[37];
	att_uefi_guid_text(t, g, true);
	return json_string(t);
}

static json_t *jalg(uint16_t alg)
{
	const struct att_tpm_hash_info *hi = att_tpm_hash_info(alg);
	char t[8];
	if (hi)
		return json_string(hi->name);
	snprintf(t, sizeof(t), "0x%04x", alg);
	return json_string(t);
}

static int specid(json_t *pd, const struct att_tcg_log *log)
{
	const struct att_tcg_specid *s = &log->specid;
	json_t *a;
	if (put(pd, "Signature", json_string("Spec ID Event03")) ||
	    put(pd, "PlatformClass", json_integer(s->platform_class)) ||
	    put(pd, "SpecVersionMinor", json_integer(s->version_minor)) ||
	    put(pd, "SpecVersionMajor", json_integer(s->version_major)) ||
	    put(pd, "SpecErrata", json_integer(s->errata)) ||
	    put(pd, "UintnSize", json_integer(s->uintn_size)) ||
	    put(pd, "NumberOfAlgorithms", json_integer(log->num_banks)) ||
	    put(pd, "Algorithms", a = json_array()) ||
	    put(pd, "VendorInfo", jb64(s->vendor_info, s->vendor_info_len)))
		return ATT_ERR_NOMEM;
	for (uint32_t i = 0; i < log->num_banks; i++) {
		json_t *o = json_object();
		if (!o || put(o, "AlgorithmId", jalg(log->banks[i].alg)) ||
		    put(o, "DigestSize", json_integer(log->banks[i].size)) ||
		    json_array_append_new(a, o))
			return ATT_ERR_NOMEM;
	}
	return 0;
}

static int startup_locality(json_t *pd, const struct att_tcg_event *ev)
{
	uint8_t loc;
	if (att_tcg_startup_locality_parse(&loc, ev->data, ev->data_len) != 0)
		return ATT_ERR_FORMAT;
	if (put(pd, "Signature", json_string("StartupLocality")) ||
	    put(pd, "StartupLocality", json_integer(loc)))
		return ATT_ERR_NOMEM;
	return 0;
}

/* locator: 1 = URI text, 3 = UEFI variable (GUID + NUL-terminated UCS-2
 * name), others raw. */
static json_t *locator(uint32_t type, const uint8_t *p, uint32_t len)
{
	struct att_cur c, g;
	att_cur_init(&c, p, len);
	if (type == 1)
		return jtext(p, len);
	if (type == 3 && att_cur_get_bytes(&c, &g, 16) == 0) {
		struct att_buf b;
		json_t *o = json_object();
		att_buf_init(&b, ATT_UEFI_MAX_TEXT * 4);
		if (!o || put(o, "VariableGuid", jguid(g.p)) ||
		    att_uefi_utf16_text(&b, c.p, c.len / 2, true) ||
		    put(o, "UnicodeName", json_stringn(att_buf_cstr(&b), b.len))) {
			att_buf_release(&b);
			return json_decref(o), NULL;
		}
		att_buf_release(&b);
		return o;
	}
	return jb64(p, len);
}

static int sp800_155_v3(json_t *pd, const struct att_tcg_sp800_155 *s)
{
	if (put(pd, "RimLocatorType", json_integer(s->rim_locator_type)) ||
	    put(pd, "RimLocator", locator(s->rim_locator_type, s->rim_locator,
					  s->rim_locator_len)) ||
	    put(pd, "PlatformCertLocatorType",
		json_integer(s->cert_locator_type)) ||
	    put(pd, "PlatformCertLocator",
		locator(s->cert_locator_type, s->cert_locator,
			s->cert_locator_len)))
		return ATT_ERR_NOMEM;
	return 0;
}

static int sp800_155(json_t *pd, const struct att_tcg_event *ev)
{
	struct att_tcg_sp800_155 s;
	struct att_cur c, sig;
	att_cur_init(&c, ev->data, ev->data_len);
	if (att_tcg_sp800_155_parse(&s, ev->data, ev->data_len) != 0 ||
	    att_cur_get_bytes(&c, &sig, 16) != 0)
		return ATT_ERR_FORMAT;
	if (put(pd, "Signature", jtext(sig.p, sig.len)) ||
	    put(pd, "VendorId", json_integer(s.vendor_id)) ||
	    put(pd, "ReferenceManifestGuid", jguid(s.rim_guid)) ||
	    put(pd, "PlatformManufacturerStr",
		jtext(s.platform_manufacturer.p, s.platform_manufacturer.len)) ||
	    put(pd, "PlatformModel", jtext(s.platform_model.p,
					   s.platform_model.len)) ||
	    put(pd, "PlatformVersion", jtext(s.platform_version.p,
					     s.platform_version.len)) ||
	    put(pd, "FirmwareManufacturerStr",
		jtext(s.firmware_manufacturer.p, s.firmware_manufacturer.len)) ||
	    put(pd, "FirmwareManufacturerId",
		json_integer(s.firmware_manufacturer_id)) ||
	    put(pd, "FirmwareVersion", jtext(s.firmware_version.p,
					     s.firmware_version.len)))
		return ATT_ERR_NOMEM;
	if (s.version == 3 && sp800_155_v3(pd, &s))
		return ATT_ERR_NOMEM;
	if (s.trailing && put(pd, "TrailingBytes", json_integer((json_int_t)s.trailing)))
		return ATT_ERR_NOMEM;
	return 0;
}

int att_tcg_json_no_action(json_t *pd, const struct att_tcg_log *log,
			   const struct att_tcg_event *ev)
{
	bool header = log->format == ATT_TCG_FORMAT_CRYPTO_AGILE &&
		      ev == &log->events[0];
	switch (att_tcg_no_action_kind(ev->data, ev->data_len)) {
	case ATT_TCG_NA_SPECID:
		if (header)
			return specid(pd, log);
		break;
	case ATT_TCG_NA_STARTUP_LOCALITY:
		return startup_locality(pd, ev);
	case ATT_TCG_NA_SP800_155:
		return sp800_155(pd, ev);
	default:
		break;
	}
	struct att_cur c, sig;
	att_cur_init(&c, ev->data, ev->data_len);
	if (att_cur_get_bytes(&c, &sig, 16) == 0 &&
	    put(pd, "Signature", jtext(sig.p, sig.len)))
		return ATT_ERR_NOMEM;
	return put(pd, "Data", jb64(ev->data, ev->data_len));
}
