/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attestd serve: run the HTTPS service until SIGINT or SIGTERM; SIGHUP
 * reloads providers, their settings and keys. The signals are blocked in
 * every thread (MHD's threads inherit the mask) and taken with sigwait in
 * the main thread, so no handler runs in the middle of a request.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "base/log.h"
#include "server/datadir.h"
#include "server/provider.h"
#include "server/server.h"
#include "store/store.h"

static int parse_level(const char *s, enum att_log_level *out)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			*out = (enum att_log_level)i;
			return 0;
		}
	return -1;
}

static int parse_args(int argc, char **argv, struct att_server_config *c,
		      struct att_diag *d)
{
	static const struct option opts[] = {
		{"dev", no_argument, NULL, 'd'},
		{"listen", required_argument, NULL, 'l'},
		{"data-dir", required_argument, NULL, 'D'},
		{"config", required_argument, NULL, 'c'},
		{"log-level", required_argument, NULL, 'v'},
		{"store", required_argument, NULL, 's'},
		{"store-password-file", required_argument, NULL, 'P'},
		{"store-timeout-ms", required_argument, NULL, 'T'},
		{NULL, 0, NULL, 0}};
	const char *listen = NULL, *dir = NULL, *level = NULL;
	const char *store = NULL, *pwfile = NULL, *timeout = NULL;
	bool dev = false;
	int o, r = 0;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'd')
			dev = true;
		else if (o == 'l')
			listen = optarg;
		else if (o == 'D')
			dir = optarg;
		else if (o == 'v')
			level = optarg;
		else if (o == 's')
			store = optarg;
		else if (o == 'P')
			pwfile = optarg;
		else if (o == 'T')
			timeout = optarg;
		else if (o == 'c')
			r = att_server_config_load(c, optarg, d);
		else
			return att_diag_set(d, ATT_ERR_INVALID_ARG, "usage");
		if (r)
			return r;
	}
	/* Command-line values win over the config file. */
	if (dev)
		c->dev = true;
	if (listen && (free(c->listen), !(c->listen = strdup(listen))))
		return ATT_ERR_NOMEM;
	if (dir && (free(c->data_dir), !(c->data_dir = strdup(dir))))
		return ATT_ERR_NOMEM;
	/* Other users see a process's arguments: no password there. */
	if (store && att_store_url_has_password(store))
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "--store: the URL carries a password; "
				    "give it in a file (--store-password-file "
				    "FILE, PGPASSFILE or ~/.pgpass) or in the "
				    "config file, never on the command line");
	if (store && (free(c->store), !(c->store = strdup(store))))
		return ATT_ERR_NOMEM;
	if (pwfile && (free(c->store_password_file),
		       !(c->store_password_file = strdup(pwfile))))
		return ATT_ERR_NOMEM;
	if (timeout) {
		char *end = NULL;
		unsigned long ms = strtoul(timeout, &end, 10);
		if (!end || *end || ms < 100 || ms > 600000)
			return att_diag_set(d, ATT_ERR_INVALID_ARG,
					    "--store-timeout-ms: 100 to 600000");
		c->store_timeout_ms = (unsigned)ms;
	}
	if (level && parse_level(level, &c->log_level))
		return att_diag_set(d, ATT_ERR_INVALID_ARG,
				    "--log-level: debug, info, warn or error");
	if (c->dev && !c->listen && !(c->listen = strdup("127.0.0.1:8443")))
		return ATT_ERR_NOMEM;
	return 0;
}

static void banner(struct att_server *srv)
{
	struct att_server_config *c = srv->cfg;
	struct att_registry *reg = srv->reg;
	printf("attestd %s on https://%s\n", c->dev ? "DEV MODE" : "serving",
	       c->listen);
	for (size_t i = 0; i < reg->n; i++)
		printf("  provider %-12s %s%s\n", reg->v[i]->name,
		       reg->v[i]->base_url,
		       reg->v[i] == reg->def ? "  (default)" : "");
	if (!c->dev) {
		fflush(stdout);
		return;
	}
	const char *base = reg->def->base_url, *dir = c->data_dir;
	printf("\nTLS certificate: %s\nDev token issuer: %s (audience %s)\n",
	       c->tls_cert, srv->dev_issuer->issuer,
	       srv->dev_issuer->audience);
	printf("\nTry it:\n"
	       "  curl --cacert %s/tls.crt %s/.well-known/openid-configuration\n"
	       "  attest metadata --ca %s/tls.crt %s\n"
	       "  attest certs --ca %s/tls.crt %s\n"
	       "  TOKEN=$(attest dev-token --data-dir %s --role reader)\n"
	       "  curl --cacert %s/tls.crt -H \"Authorization: Bearer $TOKEN\" "
	       "'%s/policies/SgxEnclave?api-version=2020-10-01'\n"
	       "  attest policy get --url %s --type SgxEnclave --ca %s/tls.crt "
	       "--dev-token-dir %s\n\n",
	       dir, base, dir, base, dir, base, dir, dir, base, base, dir, dir);
	fflush(stdout);
}

static int serve_loop(struct att_server *srv, const sigset_t *set)
{
	for (;;) {
		int sig = 0;
		if (sigwait(set, &sig) != 0)
			return 1;
		if (sig == SIGHUP) {
			struct att_diag d = {0};
			if (att_server_reload(srv, &d) == 0)
				att_logf(ATT_LOG_INFO, "reloaded providers and "
						       "keys (SIGHUP)");
			else
				att_logf(ATT_LOG_ERROR, "reload failed, keeping "
							"the old state: %s",
					 att_diag_msg(&d));
			continue;
		}
		att_logf(ATT_LOG_INFO, "%s received, shutting down",
			 sig == SIGINT ? "SIGINT" : "SIGTERM");
		return 0;
	}
}

int att_cmd_serve(int argc, char **argv)
{
	struct att_server_config cfg;
	struct att_server srv;
	struct att_diag d = {0};
	sigset_t set;
	int rc = 1;
	att_server_config_init(&cfg);
	memset(&srv, 0, sizeof(srv));
	if (parse_args(argc, argv, &cfg, &d) != 0) {
		fprintf(stderr, "attestd serve: %s\nusage: attestd serve [--dev] "
				"--listen HOST:PORT --data-dir DIR [--config "
				"FILE] [--log-level L] [--store URL "
				"[--store-password-file FILE]]\n",
			att_diag_msg(&d));
		att_server_config_release(&cfg);
		return 2;
	}
	att_log_set_level(cfg.log_level);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (att_server_init(&srv, &cfg, &d) != 0 ||
	    att_server_start(&srv, &d) != 0) {
		att_logf(ATT_LOG_ERROR, "attestd: %s", att_diag_msg(&d));
		goto out;
	}
	banner(&srv);
	rc = serve_loop(&srv, &set);
out:
	att_server_release(&srv);
	att_server_config_release(&cfg);
	if (rc == 0)
		att_logf(ATT_LOG_INFO, "stopped");
	return rc;
}
