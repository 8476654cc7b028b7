/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SEV-SNP products and TCB_VERSION layouts (AMD SEV-SNP ABI specification,
 * "TCB_VERSION Structure"; docs/snp.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <strings.h>

#include "evidence/snp/snp.h"

static const char *const product_names[ATT_SNP_PRODUCT_COUNT] = {
	[ATT_SNP_PRODUCT_UNKNOWN] = "unknown",
	[ATT_SNP_MILAN] = "Milan",
	[ATT_SNP_GENOA] = "Genoa",
	[ATT_SNP_TURIN] = "Turin",
};

const char *att_snp_product_name(enum att_snp_product p)
{
	if ((unsigned)p >= ATT_SNP_PRODUCT_COUNT)
		return product_names[ATT_SNP_PRODUCT_UNKNOWN];
	return product_names[p];
}

enum att_snp_product att_snp_product_from_name(const char *name)
{
	if (name == NULL)
		return ATT_SNP_PRODUCT_UNKNOWN;
	for (unsigned i = ATT_SNP_MILAN; i < ATT_SNP_PRODUCT_COUNT; i++) {
		size_t n = 5; /* every product name has five letters */
		if (strncasecmp(name, product_names[i], n) == 0 &&
		    (name[n] == '\0' || name[n] == '-'))
			return (enum att_snp_product)i;
	}
	return ATT_SNP_PRODUCT_UNKNOWN;
}

enum att_snp_product att_snp_product_from_cpuid(uint8_t family, uint8_t model)
{
	if (family == 0x19 && model <= 0x0F)
		return ATT_SNP_MILAN;
	if (family == 0x19 && model >= 0x10 && model <= 0x1F)
		return ATT_SNP_GENOA;
	if (family == 0x1A && model <= 0x1F)
		return ATT_SNP_TURIN;
	return ATT_SNP_PRODUCT_UNKNOWN;
}

static uint8_t tcb_byte(uint64_t raw, unsigned i)
{
	return (uint8_t)((raw >> (8u * i)) & 0xFFu);
}

void att_snp_tcb_decode(struct att_snp_tcb *out, uint64_t raw,
			enum att_snp_product p)
{
	*out = (struct att_snp_tcb){.raw = raw};
	if (p == ATT_SNP_TURIN) {
		out->has_fmc = true;
		out->fmc = tcb_byte(raw, 0);
		out->bl = tcb_byte(raw, 1);
		out->tee = tcb_byte(raw, 2);
		out->snp = tcb_byte(raw, 3);
	} else {
		out->bl = tcb_byte(raw, 0);
		out->tee = tcb_byte(raw, 1);
		out->snp = tcb_byte(raw, 6);
	}
	out->ucode = tcb_byte(raw, 7);
}

uint64_t att_snp_tcb_encode(const struct att_snp_tcb *t,
			    enum att_snp_product p)
{
	uint64_t raw = (uint64_t)t->ucode << 56;
	if (p == ATT_SNP_TURIN)
		return raw | (uint64_t)t->fmc | (uint64_t)t->bl << 8 |
		       (uint64_t)t->tee << 16 | (uint64_t)t->snp << 24;
	return raw | (uint64_t)t->bl | (uint64_t)t->tee << 8 |
	       (uint64_t)t->snp << 48;
}
