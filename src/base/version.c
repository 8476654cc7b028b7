/* SPDX-License-Identifier: Apache-2.0 */
/* The build's identity (version.h), from the header CMake generates. */
#include "base/version.h"

#include "att_build_info.h"

const char *att_version(void)
{
	return ATT_BUILD_VERSION;
}

const char *att_version_commit(void)
{
	return ATT_BUILD_COMMIT;
}

const char *att_version_sim(void)
{
	return ATT_BUILD_SIM;
}

const char *att_version_sanitize(void)
{
	return ATT_BUILD_SANITIZE;
}

const char *att_version_user_agent(void)
{
	return "attestd/" ATT_BUILD_VERSION;
}

int att_version_print(FILE *f, const char *prog)
{
	fprintf(f, "%s %s\ncommit %s\nsimulator %s\nsanitizers %s\n", prog,
		ATT_BUILD_VERSION, ATT_BUILD_COMMIT, ATT_BUILD_SIM,
		ATT_BUILD_SANITIZE);
	return 0;
}
