/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: the RFC 7512 PKCS #11 URI parser (src/hsm/uri.c). Any
 * input parses or is refused with a message; a parse never leaves both
 * PIN sources set, a relative module-path or an id without its length,
 * and re-parsing the same bytes gives the same result (the parser keeps
 * no state between calls). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hsm/uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_p11_uri u, v;
	struct att_diag d, e;
	att_diag_clear(&d);
	att_diag_clear(&e);
	int r = att_p11_uri_parse(&u, (const char *)data, size, &d);
	int r2 = att_p11_uri_parse(&v, (const char *)data, size, &e);
	if (r != r2)
		abort();
	if (r != 0 && !d.msg[0])
		abort();
	if (r == 0) {
		if (u.pin_value && u.pin_source)
			abort();
		if (u.module_path && u.module_path[0] != '/')
			abort();
		if ((u.id == NULL) != (v.id == NULL) || u.id_len != v.id_len ||
		    (u.id && memcmp(u.id, v.id, u.id_len) != 0))
			abort();
		if (u.object && (!v.object || strcmp(u.object, v.object)))
			abort();
	}
	att_p11_uri_release(&u);
	att_p11_uri_release(&v);
	return 0;
}
