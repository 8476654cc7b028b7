/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attestd's one error space. Every int-returning function returns 0 on
 * success or a negative ATT_ERR_* code. Numbers are never reused; each one
 * is listed in docs/internals/ERRORS.md (a meta-test checks this).
 * Detail (which field, which signature) travels separately in struct att_diag.
 */
#ifndef ATT_ATTEST_ERR_H
#define ATT_ATTEST_ERR_H

#include <stddef.h>

#include "attest/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ATT_ERR_LIST(X)                                                        \
	X(ATT_OK, 0, "success")                                                \
	X(ATT_ERR_TRUNCATED, -1, "input truncated")                            \
	X(ATT_ERR_FORMAT, -2, "malformed input")                               \
	X(ATT_ERR_TRAILING, -3, "trailing data")                               \
	X(ATT_ERR_LIMIT, -4, "a hard limit was exceeded")                      \
	X(ATT_ERR_UNSUPPORTED, -5, "unsupported")                              \
	X(ATT_ERR_SIG_INVALID, -6, "signature invalid")                        \
	X(ATT_ERR_CHAIN_INVALID, -7, "certificate chain invalid")              \
	X(ATT_ERR_REVOKED, -8, "certificate revoked")                          \
	X(ATT_ERR_EXPIRED, -9, "expired")                                      \
	X(ATT_ERR_NOT_YET_VALID, -10, "not yet valid")                         \
	X(ATT_ERR_TCB_NOT_FOUND, -11, "no matching TCB level")                 \
	X(ATT_ERR_TCB_OUT_OF_DATE, -12, "TCB out of date")                     \
	X(ATT_ERR_MISMATCH, -13, "value mismatch")                             \
	X(ATT_ERR_POLICY_DENY, -14, "policy denied")                           \
	X(ATT_ERR_POLICY_SYNTAX, -15, "policy syntax error")                   \
	X(ATT_ERR_POLICY_TYPE, -16, "policy type error")                       \
	X(ATT_ERR_POLICY_EVAL, -17, "policy evaluation error")                 \
	X(ATT_ERR_NOMEM, -18, "out of memory")                                 \
	X(ATT_ERR_IO, -19, "I/O error")                                        \
	X(ATT_ERR_STORE, -20, "store error")                                   \
	X(ATT_ERR_INTERNAL, -21, "internal error")                             \
	X(ATT_ERR_INVALID_ARG, -22, "invalid argument")                        \
	X(ATT_ERR_NOT_FOUND, -23, "not found")                                 \
	X(ATT_ERR_EXISTS, -24, "already exists")                               \
	X(ATT_ERR_CRYPTO, -25, "cryptographic library error")                  \
	X(ATT_ERR_ALG, -26, "algorithm not allowed")                           \
	X(ATT_ERR_AUTH, -27, "authentication failed")                          \
	X(ATT_ERR_FORBIDDEN, -28, "forbidden")                                 \
	X(ATT_ERR_NETWORK, -29, "network error")                               \
	X(ATT_ERR_TIMEOUT, -30, "timed out")                                   \
	X(ATT_ERR_JMESPATH_SYNTAX, -31, "JMESPath syntax error")               \
	X(ATT_ERR_JMESPATH_TYPE, -32, "JMESPath invalid-type")                 \
	X(ATT_ERR_JMESPATH_ARITY, -33, "JMESPath invalid-arity")               \
	X(ATT_ERR_JMESPATH_FUNCTION, -34, "JMESPath unknown-function")         \
	X(ATT_ERR_JMESPATH_VALUE, -35, "JMESPath invalid-value")               \
	X(ATT_ERR_REPLAY, -36, "replay detected")                              \
	X(ATT_ERR_INVALID_OPERATION, -37, "invalid operation")

enum att_err {
#define ATT_ERR_ENUM(name, num, text) name = num,
	ATT_ERR_LIST(ATT_ERR_ENUM)
#undef ATT_ERR_ENUM
};

/* att_strerror returns a static text for an ATT_ERR_* code; never NULL. */
ATT_EXPORT const char *att_strerror(int err);

/* att_errname returns the symbolic name ("ATT_ERR_FORMAT") of a code. */
ATT_EXPORT const char *att_errname(int err);

#ifdef __cplusplus
}
#endif
#endif
