/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The facts of a Windows boot log (wbcl.h): SIPA events of PCRs 12-14
 * (sipa.c), the Secure Boot variables of PCR 7 and the VM id Hyper-V's
 * firmware measures into PCR 6, each taken only from an attested PCR and
 * a digest-verified event (docs/eventlog.md "Windows boot logs").
 */
#include "evidence/tcg/wbcl.h"

#include <string.h>

#include "attest/err.h"
#include "evidence/tcg/uefi.h"

/* EFI_GLOBAL_VARIABLE and EFI_IMAGE_SECURITY_DATABASE_GUID (UEFI spec
 * §3.3, §32.6), in their byte order in UEFI_VARIABLE_DATA. */
static const uint8_t global_guid[16] = {0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93,
					0xd2, 0x11, 0xaa, 0x0d, 0x00, 0xe0,
					0x98, 0x03, 0x2b, 0x8c};
static const uint8_t imagesec_guid[16] = {0xcb, 0xb2, 0x19, 0xd7, 0x3a, 0x3d,
					  0x96, 0x45, 0xa3, 0xbc, 0xda, 0xd0,
					  0x0e, 0x67, 0x65, 0x6f};

enum sb_var { SB_PK, SB_KEK, SB_DB, SB_DBX, SB_NUM };

struct sb_seen {
	bool ok[SB_NUM];
	bool bad[SB_NUM];
};

static bool name_is(const struct att_uefi_variable *v, const char *ascii)
{
	size_t n = strlen(ascii);
	if (v->name_chars != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (v->name[2 * i] != (uint8_t)ascii[i] || v->name[2 * i + 1])
			return false;
	return true;
}

/* sb_var_of returns which Secure Boot key variable data describes, or
 * SB_NUM for another variable or data that is not UEFI_VARIABLE_DATA. */
static enum sb_var sb_var_of(const struct att_tcg_event *ev)
{
	struct att_uefi_variable v;
	if (att_uefi_variable_parse(&v, ev->data, ev->data_len) != 0)
		return SB_NUM;
	if (!memcmp(v.guid, global_guid, 16))
		return name_is(&v, "PK")    ? SB_PK
		       : name_is(&v, "KEK") ? SB_KEK
					    : SB_NUM;
	if (!memcmp(v.guid, imagesec_guid, 16))
		return name_is(&v, "db")    ? SB_DB
		       : name_is(&v, "dbx") ? SB_DBX
					    : SB_NUM;
	return SB_NUM;
}

static bool verified_event(const struct att_tcg_check_result *res, size_t i)
{
	return res[i].status == ATT_TCG_CHECK_VERIFIED;
}

static void sb_event(struct sb_seen *s, const struct att_tcg_event *ev,
		     bool ok)
{
	enum sb_var k;
	if (ev->type != ATT_EV_EFI_VARIABLE_DRIVER_CONFIG)
		return;
	if ((k = sb_var_of(ev)) == SB_NUM)
		return;
	if (ok)
		s->ok[k] = true;
	else
		s->bad[k] = true;
}

static bool hex_or_dash(uint8_t c, size_t i)
{
	if (i == 8 || i == 13 || i == 18 || i == 23)
		return c == '-';
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* vm_uuid takes "UUID: 8-4-4-4-12" (optionally NUL-terminated), the
 * EV_COMPACT_HASH Hyper-V's UEFI firmware measures into PCR 6. */
static void vm_uuid(struct att_wbcl_facts *f, const struct att_tcg_event *ev)
{
	static const char prefix[] = "UUID: ";
	const size_t pl = sizeof(prefix) - 1;
	size_t n = ev->data_len;
	if (n == pl + ATT_WBCL_VMID_LEN + 1 && ev->data[n - 1] == 0)
		n--;
	if (n != pl + ATT_WBCL_VMID_LEN || memcmp(ev->data, prefix, pl))
		return;
	for (size_t i = 0; i < ATT_WBCL_VMID_LEN; i++)
		if (!hex_or_dash(ev->data[pl + i], i))
			return;
	for (size_t i = 0; i < ATT_WBCL_VMID_LEN; i++) {
		uint8_t c = ev->data[pl + i];
		f->vmid[i] = (char)(c >= 'a' && c <= 'f' ? c - 'a' + 'A' : c);
	}
	f->vmid[ATT_WBCL_VMID_LEN] = 0;
	f->has_vmid = true;
}

static int sipa_event(struct att_wbcl_facts *f, const struct att_tcg_event *ev,
		      bool ok, struct att_diag *diag)
{
	const char *tn = att_tcg_event_type_name(ev->type);
	int r;
	if (!ok)
		return att_diag_set(diag, ATT_ERR_MISMATCH, "wbcl: event %u "
				    "(PCR %u, %s): the SIPA data does not hash "
				    "to the event's digest", ev->seq, ev->pcr,
				    tn ? tn : "EV_EVENT_TAG");
	r = att_sipa_decode(f, ev->data, ev->data_len, ev->pcr, diag);
	if (r)
		return att_diag_set(diag, r, "wbcl: event %u (PCR %u): "
				    "malformed SIPA data", ev->seq, ev->pcr);
	return 0;
}

int att_wbcl_facts_from_log(struct att_wbcl_facts *f,
			    const struct att_tcg_log *log,
			    const struct att_tcg_check_result *res,
			    uint32_t verified, struct att_diag *diag)
{
	struct sb_seen sb;
	int r;
	memset(f, 0, sizeof(*f));
	memset(&sb, 0, sizeof(sb));
	if (!log || !res)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG, "wbcl: no log "
				    "or no digest check results");
	for (size_t i = 0; i < log->num_events; i++) {
		const struct att_tcg_event *ev = &log->events[i];
		bool ok = verified_event(res, i);
		if (ev->pcr >= ATT_TCG_NUM_PCRS || !(verified & (1u << ev->pcr)))
			continue;
		if (ev->pcr == 7)
			sb_event(&sb, ev, ok);
		else if (ev->pcr == 6 && ev->type == ATT_EV_COMPACT_HASH && ok &&
			 !f->has_vmid)
			vm_uuid(f, ev);
		else if ((ATT_WBCL_SIPA_PCRS & (1u << ev->pcr)) &&
			 ev->type == ATT_EV_EVENT_TAG &&
			 (r = sipa_event(f, ev, ok, diag)) != 0)
			return r;
	}
	f->pk_validated = sb.ok[SB_PK] && !sb.bad[SB_PK];
	f->kek_validated = sb.ok[SB_KEK] && !sb.bad[SB_KEK];
	f->db_validated = sb.ok[SB_DB] && !sb.bad[SB_DB];
	f->dbx_validated = sb.ok[SB_DBX] && !sb.bad[SB_DBX];
	return 0;
}
