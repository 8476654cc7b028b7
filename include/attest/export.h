/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ATT_EXPORT marks the functions of libattest's public API. libattest.so is
 * built with -fvisibility=hidden, so a function without ATT_EXPORT stays
 * inside the library; only the declarations of include/attest/ carry it
 * (tests/integration/install.sh checks `nm -D` against these headers).
 */
#ifndef ATT_ATTEST_EXPORT_H
#define ATT_ATTEST_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define ATT_EXPORT __attribute__((visibility("default")))
#else
#define ATT_EXPORT
#endif

#endif
