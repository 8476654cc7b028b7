/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SIPA walker and decoder (sipa.h). A payload is read as a sequence of
 * {type u32le, size u32le, data}; an aggregation's data is walked the same
 * way on a sub-cursor bounded by its size, so a member can never reach past
 * its container. Depth and count are bounded (ATT_MAX_SIPA_DEPTH,
 * ATT_MAX_SIPA_EVENTS). Payload encodings (one-byte booleans, u64 DEP and
 * boot counter) are those of the Windows Driver Kit's wbcl.h as
 * go-attestation (attest/win_events.go) reads them.
 */
#include "evidence/tcg/sipa.h"

#include <string.h>

#include "attest/err.h"
#include "base/cur.h"

struct tag_name {
	uint32_t tag;
	const char *name;
};

static const struct tag_name tag_names[] = {
	{ATT_SIPA_TRUSTBOUNDARY, "TRUSTBOUNDARY"},
	{ATT_SIPA_ELAM_AGGREGATION, "ELAM_AGGREGATION"},
	{ATT_SIPA_LOADEDMODULE_AGGREGATION, "LOADEDMODULE_AGGREGATION"},
	{ATT_SIPA_TRUSTPOINT_AGGREGATION, "TRUSTPOINT_AGGREGATION"},
	{ATT_SIPA_KSR_AGGREGATION, "KSR_AGGREGATION"},
	{ATT_SIPA_KSR_SIGNED_MEASUREMENT_AGGREGATION,
	 "KSR_SIGNED_MEASUREMENT_AGGREGATION"},
	{ATT_SIPA_BOOTCOUNTER, "BOOTCOUNTER"},
	{ATT_SIPA_TRANSFER_CONTROL, "TRANSFER_CONTROL"},
	{ATT_SIPA_BITLOCKER_UNLOCK, "BITLOCKER_UNLOCK"},
	{ATT_SIPA_BOOTDEBUGGING, "BOOTDEBUGGING"},
	{ATT_SIPA_BOOT_REVOCATION_LIST, "BOOT_REVOCATION_LIST"},
	{ATT_SIPA_OSKERNELDEBUG, "OSKERNELDEBUG"},
	{ATT_SIPA_CODEINTEGRITY, "CODEINTEGRITY"},
	{ATT_SIPA_TESTSIGNING, "TESTSIGNING"},
	{ATT_SIPA_DATAEXECUTIONPREVENTION, "DATAEXECUTIONPREVENTION"},
	{ATT_SIPA_SAFEMODE, "SAFEMODE"},
	{ATT_SIPA_WINPE, "WINPE"},
	{ATT_SIPA_HYPERVISOR_LAUNCH_TYPE, "HYPERVISOR_LAUNCH_TYPE"},
	{ATT_SIPA_HYPERVISOR_DEBUG, "HYPERVISOR_DEBUG"},
	{ATT_SIPA_FLIGHTSIGNING, "FLIGHTSIGNING"},
	{ATT_SIPA_ELAM_KEYNAME, "ELAM_KEYNAME"},
	{ATT_SIPA_ELAM_CONFIGURATION, "ELAM_CONFIGURATION"},
	{ATT_SIPA_ELAM_POLICY, "ELAM_POLICY"},
	{ATT_SIPA_ELAM_MEASURED, "ELAM_MEASURED"},
	{ATT_SIPA_VBS_HVCI_POLICY, "VBS_HVCI_POLICY"},
};

const char *att_sipa_tag_name(uint32_t tag)
{
	for (size_t i = 0; i < sizeof(tag_names) / sizeof(tag_names[0]); i++)
		if (tag_names[i].tag == tag)
			return tag_names[i].name;
	return NULL;
}

struct walk {
	const uint8_t *base;
	att_sipa_visit_fn visit;
	void *arg;
	uint32_t count;
};

static int walk_seq(struct walk *w, struct att_cur *c, uint32_t depth,
		    uint32_t parent, struct att_diag *diag);

/* walk_one reads one event header and its data from c. */
static int walk_one(struct walk *w, struct att_cur *c, uint32_t depth,
		    uint32_t parent, struct att_diag *diag)
{
	struct att_sipa_event ev;
	struct att_cur d;
	int r;
	memset(&ev, 0, sizeof(ev));
	ev.offset = (size_t)(c->p - w->base);
	ev.depth = depth;
	ev.parent = parent;
	ev.index = w->count;
	if (depth >= ATT_MAX_SIPA_DEPTH)
		return att_diag_set(diag, ATT_ERR_LIMIT, "sipa: event %u at "
				    "offset %zu (in tag 0x%08x): aggregations "
				    "nested deeper than ATT_MAX_SIPA_DEPTH (%d)",
				    ev.index, ev.offset, parent,
				    ATT_MAX_SIPA_DEPTH);
	if (w->count >= ATT_MAX_SIPA_EVENTS)
		return att_diag_set(diag, ATT_ERR_LIMIT, "sipa: more than %d "
				    "events in one payload (ATT_MAX_SIPA_EVENTS)",
				    ATT_MAX_SIPA_EVENTS);
	if ((r = att_cur_get_u32le(c, &ev.tag)) != 0 ||
	    (r = att_cur_get_u32le(c, &ev.len)) != 0)
		return att_diag_set(diag, r, "sipa: event %u at offset %zu: "
				    "truncated header (%zu bytes left)",
				    ev.index, ev.offset, c->len);
	if ((r = att_cur_get_bytes(c, &d, ev.len)) != 0)
		return att_diag_set(diag, r, "sipa: event %u at offset %zu "
				    "(tag 0x%08x): %u bytes of data run past "
				    "its container", ev.index, ev.offset,
				    ev.tag, ev.len);
	ev.data = d.p;
	w->count++;
	if (w->visit && (r = w->visit(w->arg, &ev, diag)) != 0)
		return r;
	if (!(ev.tag & ATT_SIPA_AGGREGATION))
		return 0;
	return walk_seq(w, &d, depth + 1, ev.tag, diag);
}

static int walk_seq(struct walk *w, struct att_cur *c, uint32_t depth,
		    uint32_t parent, struct att_diag *diag)
{
	while (c->len > 0) {
		int r = walk_one(w, c, depth, parent, diag);
		if (r)
			return r;
	}
	return 0;
}

int att_sipa_walk(const uint8_t *p, size_t len, att_sipa_visit_fn visit,
		  void *arg, struct att_diag *diag)
{
	struct walk w = {p, visit, arg, 0};
	struct att_cur c;
	if (!p || len == 0)
		return att_diag_set(diag, ATT_ERR_FORMAT,
				    "sipa: the EV_EVENT_TAG payload is empty");
	att_cur_init(&c, p, len);
	return walk_seq(&w, &c, 0, 0, diag);
}

/* Decoding into struct att_wbcl_facts. */

struct decode {
	struct att_wbcl_facts *f;
	uint32_t pcr;
};

static int bad_size(const struct att_sipa_event *ev, const char *want,
		    struct att_diag *diag)
{
	return att_diag_set(diag, ATT_ERR_FORMAT, "sipa: event %u at offset "
			    "%zu (%s): %u bytes, want %s", ev->index,
			    ev->offset, att_sipa_tag_name(ev->tag), ev->len,
			    want);
}

static int get_bool(const struct att_sipa_event *ev, bool *v,
		    struct att_diag *diag)
{
	if (ev->len != 1)
		return bad_size(ev, "1", diag);
	*v = ev->data[0] != 0;
	return 0;
}

/* get_uint reads a little-endian integer of 1, 2, 4 or 8 bytes (want: the
 * one allowed width, or 0 for any of them). */
static int get_uint(const struct att_sipa_event *ev, uint32_t want,
		    uint64_t *v, struct att_diag *diag)
{
	struct att_cur c;
	uint64_t x = 0;
	uint32_t n = ev->len;
	if (want ? n != want : (n != 1 && n != 2 && n != 4 && n != 8))
		return bad_size(ev, want == 8   ? "8"
				    : want == 4 ? "4"
						: "1, 2, 4 or 8",
				diag);
	att_cur_init(&c, ev->data, n);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t b;
		if (att_cur_get_u8(&c, &b) != 0)
			return bad_size(ev, "more", diag);
		x |= (uint64_t)b << (8 * i);
	}
	*v = x;
	return 0;
}

static void latch_off(enum att_wbcl_tri *t, bool v)
{
	if (!v)
		*t = ATT_WBCL_FALSE;
	else if (*t == ATT_WBCL_UNKNOWN)
		*t = ATT_WBCL_TRUE;
}

static int decode_bool(struct att_wbcl_facts *f,
		       const struct att_sipa_event *ev, struct att_diag *diag)
{
	bool v = false;
	int r = get_bool(ev, &v, diag);
	if (r)
		return r;
	switch (ev->tag) {
	case ATT_SIPA_BOOTDEBUGGING:
		f->boot_debugging |= v;
		break;
	case ATT_SIPA_OSKERNELDEBUG:
		f->kernel_debug |= v;
		break;
	case ATT_SIPA_TESTSIGNING:
		f->test_signing |= v;
		break;
	case ATT_SIPA_FLIGHTSIGNING:
		f->flight_signing |= v;
		break;
	case ATT_SIPA_HYPERVISOR_DEBUG:
		f->hypervisor_debug |= v;
		break;
	case ATT_SIPA_SAFEMODE:
		f->safe_mode |= v;
		break;
	case ATT_SIPA_WINPE:
		f->winpe |= v;
		break;
	case ATT_SIPA_CODEINTEGRITY:
		latch_off(&f->code_integrity, v);
		break;
	default:
		break;
	}
	return 0;
}

/* elam_member checks the members of an ELAM aggregation: a key name
 * (UTF-16LE, even length, not empty) makes it a loaded driver. */
static int elam_member(struct att_wbcl_facts *f,
		       const struct att_sipa_event *ev, struct att_diag *diag)
{
	if (ev->tag != ATT_SIPA_ELAM_KEYNAME)
		return 0;
	if (ev->len < 2 || ev->len % 2)
		return bad_size(ev, "an even number above 0 (UTF-16LE)", diag);
	f->elam_drivers++;
	return 0;
}

static int visit(void *arg, const struct att_sipa_event *ev,
		 struct att_diag *diag)
{
	struct decode *d = arg;
	struct att_wbcl_facts *f = d->f;
	uint64_t v;
	int r = 0;
	f->sipa_events++;
	if (ev->depth == 0 && ev->tag == ATT_SIPA_TRUSTBOUNDARY &&
	    (d->pcr == 12 || d->pcr == 13))
		f->is_windows = true;
	if (ev->parent == ATT_SIPA_ELAM_AGGREGATION)
		return elam_member(f, ev, diag);
	switch (ev->tag) {
	case ATT_SIPA_BOOTDEBUGGING:
	case ATT_SIPA_OSKERNELDEBUG:
	case ATT_SIPA_TESTSIGNING:
	case ATT_SIPA_FLIGHTSIGNING:
	case ATT_SIPA_HYPERVISOR_DEBUG:
	case ATT_SIPA_SAFEMODE:
	case ATT_SIPA_WINPE:
	case ATT_SIPA_CODEINTEGRITY:
		return decode_bool(f, ev, diag);
	case ATT_SIPA_DATAEXECUTIONPREVENTION:
		if ((r = get_uint(ev, 8, &v, diag)) == 0)
			latch_off(&f->dep, v != 0);
		return r;
	case ATT_SIPA_BOOTCOUNTER:
		if ((r = get_uint(ev, 8, &v, diag)) == 0) {
			f->has_boot_count = true;
			f->boot_count = v;
		}
		return r;
	case ATT_SIPA_VBS_HVCI_POLICY:
		if ((r = get_uint(ev, 0, &v, diag)) == 0) {
			f->has_hvci_policy = true;
			f->hvci_policy = v;
		}
		return r;
	case ATT_SIPA_LOADEDMODULE_AGGREGATION:
		f->loaded_modules++;
		return 0;
	default:
		return 0;
	}
}

int att_sipa_decode(struct att_wbcl_facts *f, const uint8_t *p, size_t len,
		    uint32_t pcr, struct att_diag *diag)
{
	struct decode d = {f, pcr};
	int r = att_sipa_walk(p, len, visit, &d, diag);
	if (r == 0 && pcr < 32)
		f->sipa_pcrs |= 1u << pcr;
	return r;
}
