/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SEV-SNP products and TCB_VERSION layouts: names both ways, CPUID
 * family/model mapping (the CPUID bytes seen on real reports), and the
 * per-product byte positions of each SPL, checked on the REPORTED_TCB
 * values of real reports (tests/vectors/sevsnp/cases.json: Milan
 * 0x0200000000000544 little-endian is bl 2 snp 5 ucode 68) and by a
 * round trip over every component value.
 */
#include <stdint.h>
#include <string.h>

#include "evidence/snp/snp.h"
#include "harness/tap.h"

static void names(void)
{
	ATT_CHECK_EQ_STR(att_snp_product_name(ATT_SNP_MILAN), "Milan");
	ATT_CHECK_EQ_STR(att_snp_product_name(ATT_SNP_GENOA), "Genoa");
	ATT_CHECK_EQ_STR(att_snp_product_name(ATT_SNP_TURIN), "Turin");
	ATT_CHECK_EQ_STR(att_snp_product_name(ATT_SNP_PRODUCT_COUNT), "unknown");
	ATT_CHECK_EQ_INT(att_snp_product_from_name("milan"), ATT_SNP_MILAN);
	ATT_CHECK_EQ_INT(att_snp_product_from_name("Genoa-B0"), ATT_SNP_GENOA);
	ATT_CHECK_EQ_INT(att_snp_product_from_name("TURIN"), ATT_SNP_TURIN);
	ATT_CHECK_EQ_INT(att_snp_product_from_name("Milano"),
			 ATT_SNP_PRODUCT_UNKNOWN);
	ATT_CHECK_EQ_INT(att_snp_product_from_name("Mil"),
			 ATT_SNP_PRODUCT_UNKNOWN);
	ATT_CHECK_EQ_INT(att_snp_product_from_name(""), ATT_SNP_PRODUCT_UNKNOWN);
	ATT_CHECK_EQ_INT(att_snp_product_from_name(NULL),
			 ATT_SNP_PRODUCT_UNKNOWN);
}

static void cpuid(void)
{
	ATT_CHECK_EQ_INT(att_snp_product_from_cpuid(0x19, 0x01), ATT_SNP_MILAN);
	ATT_CHECK_EQ_INT(att_snp_product_from_cpuid(0x19, 0x11), ATT_SNP_GENOA);
	ATT_CHECK_EQ_INT(att_snp_product_from_cpuid(0x1A, 0x02), ATT_SNP_TURIN);
	ATT_CHECK_EQ_INT(att_snp_product_from_cpuid(0x17, 0x31),
			 ATT_SNP_PRODUCT_UNKNOWN);
	ATT_CHECK_EQ_INT(att_snp_product_from_cpuid(0x19, 0x21),
			 ATT_SNP_PRODUCT_UNKNOWN);
	ATT_CHECK_EQ_INT(att_snp_product_from_cpuid(0, 0),
			 ATT_SNP_PRODUCT_UNKNOWN);
}

/* raw is the TCB_VERSION as a little-endian u64 of the report bytes. */
static uint64_t le64(const uint8_t b[8])
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static void real_values(void)
{
	/* snp_gosevguest_milan: reported_tcb bytes 02 00 00 00 00 00 05 44 */
	const uint8_t milan[8] = {0x02, 0, 0, 0, 0, 0, 0x05, 0x44};
	struct att_snp_tcb t;
	att_snp_tcb_decode(&t, le64(milan), ATT_SNP_MILAN);
	ATT_CHECK_EQ_INT(t.bl, 2);
	ATT_CHECK_EQ_INT(t.tee, 0);
	ATT_CHECK_EQ_INT(t.snp, 5);
	ATT_CHECK_EQ_INT(t.ucode, 68);
	ATT_CHECK(!t.has_fmc, "Milan has no FMC");
	ATT_CHECK(att_snp_tcb_encode(&t, ATT_SNP_MILAN) == le64(milan),
		  "Milan round trip");

	/* Turin layout: 0 FMC, 1 bootloader, 2 TEE, 3 SNP, 7 microcode. */
	const uint8_t turin[8] = {0x01, 0x03, 0x00, 0x02, 0, 0, 0, 0x49};
	att_snp_tcb_decode(&t, le64(turin), ATT_SNP_TURIN);
	ATT_CHECK(t.has_fmc, "Turin has an FMC");
	ATT_CHECK_EQ_INT(t.fmc, 1);
	ATT_CHECK_EQ_INT(t.bl, 3);
	ATT_CHECK_EQ_INT(t.tee, 0);
	ATT_CHECK_EQ_INT(t.snp, 2);
	ATT_CHECK_EQ_INT(t.ucode, 0x49);
	ATT_CHECK(att_snp_tcb_encode(&t, ATT_SNP_TURIN) == le64(turin),
		  "Turin round trip");

	/* The same bytes read as Milan give other components. */
	att_snp_tcb_decode(&t, le64(turin), ATT_SNP_MILAN);
	ATT_CHECK_EQ_INT(t.bl, 1);
	ATT_CHECK_EQ_INT(t.tee, 3);
	ATT_CHECK_EQ_INT(t.snp, 0);
}

static void round_trip(void)
{
	int bad = 0;
	for (unsigned p = ATT_SNP_MILAN; p < ATT_SNP_PRODUCT_COUNT; p++) {
		for (unsigned v = 0; v < 256; v += 5) {
			struct att_snp_tcb in = {
				.fmc = (uint8_t)(p == ATT_SNP_TURIN ? v ^ 0x5A : 0),
				.bl = (uint8_t)v,
				.tee = (uint8_t)(255 - v),
				.snp = (uint8_t)(v * 3),
				.ucode = (uint8_t)(v ^ 0xA5),
			};
			struct att_snp_tcb out;
			uint64_t raw = att_snp_tcb_encode(&in, p);
			att_snp_tcb_decode(&out, raw, p);
			if (out.fmc != in.fmc || out.bl != in.bl ||
			    out.tee != in.tee || out.snp != in.snp ||
			    out.ucode != in.ucode || out.raw != raw)
				bad++;
		}
	}
	ATT_CHECK_EQ_INT(bad, 0);
}

int main(void)
{
	names();
	cpuid();
	real_values();
	round_trip();
	return att_test_done();
}
