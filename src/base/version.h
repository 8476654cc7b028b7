/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The build's identity, fixed when CMake configured the tree: the version
 * of project() in CMakeLists.txt, the git commit (`git describe --always
 * --dirty`, or "unknown" outside a checkout), whether the simulators are
 * built in, and the sanitizers. Shown by `attestd --version`, `attest
 * --version`, the attestd_build_info gauge of /metrics and the User-Agent
 * of outgoing requests ("attestd/VERSION").
 */
#ifndef ATT_BASE_VERSION_H
#define ATT_BASE_VERSION_H

#include <stdio.h>

/* "0.1.0" */
const char *att_version(void);
/* "v0.1.0-3-gabcdef0-dirty", "abcdef0" or "unknown" */
const char *att_version_commit(void);
/* "on" or "off" */
const char *att_version_sim(void);
/* "none" or the sanitizer list, e.g. "address,undefined" */
const char *att_version_sanitize(void);
/* "attestd/0.1.0" */
const char *att_version_user_agent(void);
/* att_version_print writes "PROG VERSION\ncommit ...\nsimulator ...\n
 * sanitizers ...\n" to f; 0. */
int att_version_print(FILE *f, const char *prog);

#endif
