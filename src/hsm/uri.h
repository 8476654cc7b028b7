/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PKCS #11 URIs (RFC 7512) naming a provider's token signing key:
 *   pkcs11:token=attestd;object=provider-x;type=private
 *     ?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/p
 * Path attributes (each at most once, RFC 7512 section 2.3): token,
 * manufacturer, model, serial, object, id, type, slot-id,
 * slot-description, slot-manufacturer, library-manufacturer,
 * library-description, library-version. Query attributes: module-path,
 * module-name, pin-value, pin-source (not both pin-value and pin-source).
 * Values are percent-decoded (%XX); string values may not hold a NUL
 * byte, id may hold any bytes. An attribute this parser does not know is
 * refused (ATT_ERR_UNSUPPORTED) rather than ignored, so that a URI never
 * silently names a wider set of objects than its author meant.
 * The parse reads the text through the bounded cursor (base/cur.h) and
 * checks form only; which token and object match is src/hsm/p11.c's job.
 */
#ifndef ATT_HSM_URI_H
#define ATT_HSM_URI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"

enum att_p11_type {
	ATT_P11_TYPE_ANY = 0,
	ATT_P11_TYPE_PRIVATE,
	ATT_P11_TYPE_PUBLIC,
	ATT_P11_TYPE_CERT,
	ATT_P11_TYPE_SECRET,
	ATT_P11_TYPE_DATA,
};

struct att_p11_uri {
	/* token */
	char *token, *manufacturer, *model, *serial;
	/* slot */
	char *slot_description, *slot_manufacturer;
	bool has_slot_id;
	unsigned long slot_id;
	/* library */
	char *library_manufacturer, *library_description;
	bool has_library_version;
	unsigned library_major, library_minor;
	/* object */
	char *object;         /* CKA_LABEL */
	uint8_t *id;          /* CKA_ID, any bytes; NULL when absent */
	size_t id_len;
	enum att_p11_type type;
	/* query */
	char *module_path, *module_name, *pin_value, *pin_source;
};

/* att_p11_uri_parse parses len bytes of s into *u (zeroed first; release
 * with att_p11_uri_release, also after a failure). Errors: ATT_ERR_FORMAT
 * (bad scheme, syntax, percent-encoding, value), ATT_ERR_LIMIT (longer
 * than ATT_P11_URI_MAX, a value over ATT_P11_URI_VALUE_MAX),
 * ATT_ERR_UNSUPPORTED (an unknown attribute), each named in diag. */
int att_p11_uri_parse(struct att_p11_uri *u, const char *s, size_t len,
		      struct att_diag *diag);

void att_p11_uri_release(struct att_p11_uri *u);

/* att_p11_type_name returns "private", "public", ... ("" for ANY). */
const char *att_p11_type_name(enum att_p11_type t);

#endif
