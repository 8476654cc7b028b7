/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attestd collateral import: loads offline DCAP collateral (Intel PCS
 * response files, CRLs, PEM chains or sgx_ql_qve_collateral_t bundles, or
 * a directory of them) into the data dir's store, where the collateral
 * service finds it before it would fetch anything. AMD SEV-SNP collateral
 * (VCEK/VLEK certificates in DER or PEM, ASK/ASVK+ARK PEM chains, ARK
 * CRLs) is recognised too and stored where the KDS cache looks
 * (collateral/kds.h). Nothing is stored when any collateral file is
 * malformed.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "attest/err.h"
#include "cmd_common.h"
#include "collateral/service.h"
#include "store/store.h"

int att_cmd_collateral_import(int argc, char **argv);

int att_cmd_collateral_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{"data-dir", required_argument, NULL, 'D'},
		{NULL, 0, NULL, 0}};
	const char *dir = NULL;
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'D')
			goto usage;
		dir = optarg;
	}
	if (optind != argc - 1 || (!dir && !att_cli_store()))
		goto usage;
	struct att_store *st = NULL;
	uint8_t master[ATT_KEYWRAP_KEY_LEN];
	int r = att_cli_open(&st, master, dir, true, "attestd collateral import");
	memset(master, 0, sizeof(master));
	if (r)
		return r;
	struct att_collateral_import_report rep = {0};
	struct att_diag d = {0};
	r = att_collateral_import_path_ex(st, argv[optind], 0, &rep, &d);
	att_store_close(st);
	if (r) {
		fprintf(stderr, "attestd collateral import: %s\n",
			att_diag_msg(&d));
		return 1;
	}
	printf("imported %zu item(s) from %zu file(s); %zu skipped; %zu "
	       "already expired\n",
	       rep.items, rep.files, rep.skipped, rep.expired);
	return 0;
usage:
	fprintf(stderr, "usage: attestd collateral import --data-dir DIR "
			"FILE|DIR\n");
	return 2;
}
