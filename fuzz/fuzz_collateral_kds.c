/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the parsing of AMD KDS answers and imported AMD
 * collateral (collateral/kds.h). The input goes through every reader: a
 * VCEK/VLEK (DER or PEM), a cert_chain (PEM, exactly ASK/ASVK + ARK), a
 * CRL (DER or PEM, issued by an ARK) and the import's recognition. Every
 * item accepted must be accepted again as the answer for its own spec,
 * survive a store round trip (memory store) byte for byte, and have a
 * key and a description that fit their buffers. Nothing here needs a
 * network or the clock.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/log.h"
#include "collateral/kds.h"
#include "collateral/svc_int.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct att_store *mem;

static void check_item(const struct att_kds_item *it)
{
	struct att_kds_item again, back;
	struct att_diag d = {0};
	char key[ATT_KDS_KEY_LEN], what[160], url[512];
	att_kds_item_key(&it->spec, key, sizeof(key));
	att_kds_item_what(&it->spec, what, sizeof(what));
	if (strncmp(key, "kds/", 4) != 0 || strlen(key) >= sizeof(key) - 1 ||
	    !what[0])
		abort();
	int u = att_kds_item_url(url, sizeof(url), ATT_KDS_DEFAULT_URL,
				 &it->spec);
	if (u != 0 && !(u == ATT_ERR_UNSUPPORTED &&
			it->spec.kind == ATT_KDS_ITEM_VLEK))
		abort();
	if (!it->body || it->body_len == 0)
		abort();
	if (att_kds_parse_response(&again, &it->spec, it->body, it->body_len,
				   &d) != 0)
		abort();
	if (again.body_len != it->body_len ||
	    memcmp(again.body, it->body, it->body_len) != 0 ||
	    again.valid_until != it->valid_until)
		abort();
	att_kds_item_release(&again);
	if (att_kds_item_put(mem, it, 1, "fuzz", &d) == 0) {
		if (att_kds_item_get(mem, &it->spec, &back, NULL, &d) != 0 ||
		    back.body_len != it->body_len ||
		    memcmp(back.body, it->body, it->body_len) != 0)
			abort();
		att_kds_item_release(&back);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_kds_item it, two[2];
	struct att_diag d = {0};
	if (!mem) {
		att_log_set_level(ATT_LOG_ERROR);
		if (att_colmem_store_new(&mem) != 0)
			abort();
	}
	if (att_kds_parse_cert(&it, data, size, &d) == 0) {
		if (it.spec.kind != ATT_KDS_ITEM_VCEK &&
		    it.spec.kind != ATT_KDS_ITEM_VLEK)
			abort();
		check_item(&it);
		att_kds_item_release(&it);
	}
	if (att_kds_parse_chain(&it, data, size, &d) == 0) {
		if (!it.chain[0] || !it.chain[1])
			abort();
		check_item(&it);
		att_kds_item_release(&it);
	}
	for (int vlek = 0; vlek < 2; vlek++) {
		if (att_kds_parse_crl(&it, data, size, vlek, &d) == 0) {
			if (!it.crl)
				abort();
			check_item(&it);
			att_kds_item_release(&it);
		}
	}
	int n = att_kds_classify(two, data, size, &d);
	if (n > 2)
		abort();
	for (int i = 0; i < n; i++) {
		check_item(&two[i]);
		att_kds_item_release(&two[i]);
	}
	return 0;
}
