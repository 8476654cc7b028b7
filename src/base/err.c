/* SPDX-License-Identifier: Apache-2.0 */
/* Texts and names for the ATT_ERR_* table in include/attest/err.h. */
#include "attest/err.h"

const char *att_strerror(int err)
{
	switch (err) {
#define ATT_ERR_CASE(name, num, text) case num: return text;
	ATT_ERR_LIST(ATT_ERR_CASE)
#undef ATT_ERR_CASE
	default: return "unknown error";
	}
}

const char *att_errname(int err)
{
	switch (err) {
#define ATT_ERR_CASE(name, num, text) case num: return #name;
	ATT_ERR_LIST(ATT_ERR_CASE)
#undef ATT_ERR_CASE
	default: return "ATT_ERR_UNKNOWN";
	}
}
