/* SPDX-License-Identifier: Apache-2.0 */
/*
 * UEFI device paths as text (UEFI spec "Device Path Protocol", the forms
 * EDK2's DevicePathToText prints): a table maps each known node type to a
 * formatter; nodes the table does not know, or whose data is shorter than
 * its formatter needs, print in the generic form Path(type,subtype,hex).
 * A node's Length must be at least its 4-byte header and fit in what is
 * left; otherwise the whole path is ATT_ERR_FORMAT.
 */
#include "evidence/tcg/uefi.h"

#include <inttypes.h>
#include <string.h>

#include "attest/err.h"
#include "base/cur.h"

typedef int (*node_fmt)(struct att_buf *b, struct att_cur *d);

static uint64_t rd(struct att_cur *d, int bytes)
{
	uint8_t u8 = 0;
	uint16_t u16 = 0;
	uint32_t u32 = 0;
	uint64_t u64 = 0;
	switch (bytes) {
	case 1: att_cur_get_u8(d, &u8); return u8;
	case 2: att_cur_get_u16le(d, &u16); return u16;
	case 4: att_cur_get_u32le(d, &u32); return u32;
	default: att_cur_get_u64le(d, &u64); return u64;
	}
}

static int guid(struct att_buf *b, struct att_cur *d)
{
	char g[37];
	att_uefi_guid_text(g, d->p, false);
	att_cur_skip(d, 16);
	return att_buf_adds(b, g);
}

static int hex(struct att_buf *b, const uint8_t *p, size_t n)
{
	int r = 0;
	for (size_t i = 0; i < n && !r; i++)
		r = att_buf_addf(b, "%02x", p[i]);
	return r;
}

static int pci(struct att_buf *b, struct att_cur *d)
{
	uint64_t fn = rd(d, 1), dev = rd(d, 1);
	return att_buf_addf(b, "Pci(0x%" PRIx64 ",0x%" PRIx64 ")", dev, fn);
}

static int memmap(struct att_buf *b, struct att_cur *d)
{
	uint64_t t = rd(d, 4), s = rd(d, 8), e = rd(d, 8);
	return att_buf_addf(b, "MemoryMapped(0x%" PRIx64 ",0x%" PRIx64
			    ",0x%" PRIx64 ")", t, s, e);
}

/* vendor prints Ven*(GUID[,hex data]). */
static int vendor(struct att_buf *b, struct att_cur *d, const char *kind)
{
	int r = att_buf_addf(b, "%s(", kind);
	if (!r)
		r = guid(b, d);
	if (!r && d->len)
		r = att_buf_adds(b, ",");
	if (!r)
		r = hex(b, d->p, d->len);
	return r ? r : att_buf_adds(b, ")");
}

static int venhw(struct att_buf *b, struct att_cur *d)
{
	return vendor(b, d, "VenHw");
}

static int venmsg(struct att_buf *b, struct att_cur *d)
{
	return vendor(b, d, "VenMsg");
}

static int venmedia(struct att_buf *b, struct att_cur *d)
{
	return vendor(b, d, "VenMedia");
}

static int acpi(struct att_buf *b, struct att_cur *d)
{
	uint64_t hid = rd(d, 4), uid = rd(d, 4);
	if (hid == 0x0A0341D0)
		return att_buf_addf(b, "PciRoot(0x%" PRIx64 ")", uid);
	if (hid == 0x0A0841D0)
		return att_buf_addf(b, "PcieRoot(0x%" PRIx64 ")", uid);
	if ((hid & 0xFFFF) == 0x41D0) /* EISA "PNP" compressed ID */
		return att_buf_addf(b, "Acpi(PNP%04" PRIX64 ",0x%" PRIx64 ")",
				    hid >> 16, uid);
	return att_buf_addf(b, "Acpi(0x%08" PRIx64 ",0x%" PRIx64 ")", hid,
			    uid);
}

static int scsi(struct att_buf *b, struct att_cur *d)
{
	uint64_t pun = rd(d, 2), lun = rd(d, 2);
	return att_buf_addf(b, "Scsi(0x%" PRIx64 ",0x%" PRIx64 ")", pun, lun);
}

static int usb(struct att_buf *b, struct att_cur *d)
{
	uint64_t port = rd(d, 1), intf = rd(d, 1);
	return att_buf_addf(b, "USB(0x%" PRIx64 ",0x%" PRIx64 ")", port, intf);
}

static int mac(struct att_buf *b, struct att_cur *d)
{
	int r = att_buf_adds(b, "MAC(");
	if (!r)
		r = hex(b, d->p, 6);
	att_cur_skip(d, 32);
	if (!r)
		r = att_buf_addf(b, ",0x%" PRIx64 ")", rd(d, 1));
	return r;
}

static int ipv4(struct att_buf *b, struct att_cur *d)
{
	const uint8_t *l = d->p, *rm = d->p + 4;
	return att_buf_addf(b, "IPv4(%u.%u.%u.%u,%u.%u.%u.%u)", rm[0], rm[1],
			    rm[2], rm[3], l[0], l[1], l[2], l[3]);
}

static int ipv6(struct att_buf *b, struct att_cur *d)
{
	int r = att_buf_adds(b, "IPv6(");
	for (int i = 0; i < 16 && !r; i += 2) /* remote address */
		r = att_buf_addf(b, "%s%x", i ? ":" : "",
				 (unsigned)(d->p[16 + i] << 8 | d->p[17 + i]));
	return r ? r : att_buf_adds(b, ")");
}

static int sata(struct att_buf *b, struct att_cur *d)
{
	uint64_t hba = rd(d, 2), pm = rd(d, 2), lun = rd(d, 2);
	return att_buf_addf(b, "Sata(0x%" PRIx64 ",0x%" PRIx64 ",0x%" PRIx64
			    ")", hba, pm, lun);
}

static int nvme(struct att_buf *b, struct att_cur *d)
{
	uint64_t ns = rd(d, 4);
	int r = att_buf_addf(b, "NVMe(0x%" PRIx64 ",", ns);
	/* EUI-64 printed most significant byte first, as EDK2 does */
	for (int i = 7; i >= 0 && !r; i--)
		r = att_buf_addf(b, "%02x%s", d->p[i], i ? "-" : "");
	return r ? r : att_buf_adds(b, ")");
}

static int uri(struct att_buf *b, struct att_cur *d)
{
	int r = att_buf_adds(b, "Uri(");
	if (!r)
		r = att_tcg_string_text(b, d->p, d->len);
	return r ? r : att_buf_adds(b, ")");
}

static int hd(struct att_buf *b, struct att_cur *d)
{
	uint64_t part = rd(d, 4), start = rd(d, 8), size = rd(d, 8);
	const uint8_t *sig = d->p;
	uint8_t fmt = d->p[16], sigtype = d->p[17];
	int r = att_buf_addf(b, "HD(%" PRIu64 ",%s,", part,
			     fmt == 1 ? "MBR" : fmt == 2 ? "GPT" : "?");
	if (!r && sigtype == 2) {
		char g[37];
		att_uefi_guid_text(g, sig, false);
		r = att_buf_adds(b, g);
	} else if (!r && sigtype == 1) {
		uint32_t mbr = (uint32_t)sig[0] | (uint32_t)sig[1] << 8 |
			       (uint32_t)sig[2] << 16 | (uint32_t)sig[3] << 24;
		r = att_buf_addf(b, "0x%08" PRIx32, mbr);
	} else if (!r) {
		r = att_buf_adds(b, "0");
	}
	if (!r)
		r = att_buf_addf(b, ",0x%" PRIx64 ",0x%" PRIx64 ")", start, size);
	return r;
}

static int cdrom(struct att_buf *b, struct att_cur *d)
{
	uint64_t entry = rd(d, 4), start = rd(d, 8), size = rd(d, 8);
	return att_buf_addf(b, "CDROM(0x%" PRIx64 ",0x%" PRIx64 ",0x%" PRIx64
			    ")", entry, start, size);
}

static int filepath(struct att_buf *b, struct att_cur *d)
{
	return att_uefi_utf16_text(b, d->p, d->len / 2, true);
}

static int media(struct att_buf *b, struct att_cur *d)
{
	int r = att_buf_adds(b, "Media(");
	if (!r)
		r = guid(b, d);
	return r ? r : att_buf_adds(b, ")");
}

static int fvfile(struct att_buf *b, struct att_cur *d)
{
	int r = att_buf_adds(b, "FvFile(");
	if (!r)
		r = guid(b, d);
	return r ? r : att_buf_adds(b, ")");
}

static int fv(struct att_buf *b, struct att_cur *d)
{
	int r = att_buf_adds(b, "Fv(");
	if (!r)
		r = guid(b, d);
	return r ? r : att_buf_adds(b, ")");
}

static int offset(struct att_buf *b, struct att_cur *d)
{
	rd(d, 4); /* reserved */
	uint64_t s = rd(d, 8), e = rd(d, 8);
	return att_buf_addf(b, "Offset(0x%" PRIx64 ",0x%" PRIx64 ")", s, e);
}

/* BBS(type,description,flags): legacy BIOS boot devices. */
static int bbs(struct att_buf *b, struct att_cur *d)
{
	uint64_t type = rd(d, 2), flags = rd(d, 2);
	size_t n = 0;
	int r;
	while (n < d->len && d->p[n])
		n++;
	r = att_buf_addf(b, "BBS(0x%" PRIx64 ",", type);
	if (!r)
		r = att_tcg_string_text(b, d->p, n);
	return r ? r : att_buf_addf(b, ",0x%" PRIx64 ")", flags);
}

struct node_kind {
	uint8_t type, sub;
	size_t min_data; /* bytes of node data the formatter reads */
	node_fmt fmt;
};

static const struct node_kind kinds[] = {
	{0x01, 0x01, 2, pci},      {0x01, 0x03, 20, memmap},
	{0x01, 0x04, 16, venhw},   {0x02, 0x01, 8, acpi},
	{0x03, 0x02, 4, scsi},     {0x03, 0x05, 2, usb},
	{0x03, 0x0A, 16, venmsg},  {0x03, 0x0B, 33, mac},
	{0x03, 0x0C, 8, ipv4},     {0x03, 0x0D, 32, ipv6},
	{0x03, 0x12, 6, sata},     {0x03, 0x17, 12, nvme},
	{0x03, 0x18, 0, uri},      {0x04, 0x01, 38, hd},
	{0x04, 0x02, 20, cdrom},   {0x04, 0x03, 16, venmedia},
	{0x04, 0x04, 0, filepath}, {0x04, 0x05, 16, media},
	{0x04, 0x06, 16, fvfile},  {0x04, 0x07, 16, fv},
	{0x04, 0x08, 20, offset},  {0x05, 0x01, 4, bbs},
};

static int node_text(struct att_buf *b, uint8_t type, uint8_t sub,
		     struct att_cur *d)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].type == type && kinds[i].sub == sub &&
		    d->len >= kinds[i].min_data)
			return kinds[i].fmt(b, d);
	int r = att_buf_addf(b, "Path(%u,%u,", type, sub);
	if (!r)
		r = hex(b, d->p, d->len);
	return r ? r : att_buf_adds(b, ")");
}

int att_uefi_devpath_text(struct att_buf *out, const uint8_t *p, size_t len)
{
	struct att_cur c;
	bool first = true;
	int r = 0;
	att_cur_init(&c, p, len);
	while (c.len > 0 && !r) {
		uint8_t type, sub;
		uint16_t nlen;
		struct att_cur d;
		if (att_cur_get_u8(&c, &type) != 0 ||
		    att_cur_get_u8(&c, &sub) != 0 ||
		    att_cur_get_u16le(&c, &nlen) != 0 || nlen < 4 ||
		    att_cur_get_bytes(&c, &d, (size_t)nlen - 4) != 0)
			return ATT_ERR_FORMAT;
		if (type == 0x7F && sub == 0xFF)
			break; /* end of the entire path */
		if (type == 0x7F) { /* end of one instance */
			r = att_buf_adds(out, ",");
			first = true;
			continue;
		}
		if (!first)
			r = att_buf_adds(out, "/");
		if (!r)
			r = node_text(out, type, sub, &d);
		first = false;
	}
	return r;
}
