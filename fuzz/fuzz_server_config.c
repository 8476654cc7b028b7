/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the attestd configuration file (server/config.c) and
 * the per-provider auth settings it carries (att_provider_new with the
 * config's "providers".NAME."auth" as override, as registry loading does).
 * The input is the file's content; it is loaded twice over the same
 * config (the second load overwrites every value the first one set) and
 * released. An accepted config must keep its limits within the bounds
 * config.c documents. A jwks_file named by the input is replaced by a
 * harness file (or a missing path) so that the fuzzer never reads
 * arbitrary files such as /dev/zero.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attest/err.h"
#include "server/provider.h"
#include "server/server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char cfg_path[256], jwks_path[256];

static void remove_tmp(void)
{
	if (cfg_path[0])
		unlink(cfg_path);
	if (jwks_path[0])
		unlink(jwks_path);
}

static int tmp_file(char *out, size_t cap, const char *tag, const char *text)
{
	const char *dirs[] = {"/dev/shm", getenv("TMPDIR"), "/tmp"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (!dirs[i])
			continue;
		snprintf(out, cap, "%s/att-fuzz-%s-XXXXXX", dirs[i], tag);
		int fd = mkstemp(out);
		if (fd < 0)
			continue;
		size_t n = strlen(text);
		bool ok = write(fd, text, n) == (ssize_t)n;
		close(fd);
		if (ok)
			return 0;
		unlink(out);
	}
	out[0] = 0;
	return -1;
}

static int setup(void)
{
	static int state;
	if (state == 0) {
		state = tmp_file(cfg_path, sizeof(cfg_path), "config", "") ||
				tmp_file(jwks_path, sizeof(jwks_path), "jwks",
					 "{\"keys\": []}")
			? -1
			: 1;
		atexit(remove_tmp);
	}
	return state > 0 ? 0 : -1;
}

static int write_cfg(const uint8_t *data, size_t size)
{
	int fd = open(cfg_path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	bool ok = write(fd, data, size) == (ssize_t)size;
	close(fd);
	return ok ? 0 : -1;
}

/* Points every issuer's jwks_file at a harness file (or a missing one). */
static void tame_jwks_files(json_t *auth)
{
	size_t i;
	json_t *iss;
	json_array_foreach(json_object_get(auth, "issuers"), i, iss)
	{
		json_t *f = json_object_get(iss, "jwks_file");
		if (!json_is_string(f))
			continue;
		json_object_set_new(iss, "jwks_file",
				    json_string(json_string_length(f) % 2
							? "/nonexistent/jwks"
							: jwks_path));
	}
}

static void providers(json_t *provs)
{
	const char *name;
	json_t *v;
	json_object_foreach(provs, name, v)
	{
		struct att_provider *p = NULL;
		struct att_diag d = {0};
		json_t *auth = json_object_get(v, "auth");
		tame_jwks_files(auth);
		int r = att_provider_new(&p, name, "https://fuzz.example", "aad",
					 "rsa", NULL, auth, &d);
		if (r == 0 && (!p || !p->auth.role_claim ||
			       !p->auth.reader_role ||
			       !p->auth.contributor_role))
			abort();
		for (size_t i = 0; r == 0 && i < p->auth.n_issuers; i++)
			if (!p->auth.issuers[i]->issuer ||
			    !p->auth.issuers[i]->audience)
				abort();
		att_provider_free(p);
	}
}

static void check_limits(const struct att_server_config *c)
{
	if (c->max_body < 1024 || c->max_body > (64u << 20) ||
	    c->max_header < 4096 || c->max_header > (1u << 20) ||
	    c->max_connections < 1 || c->max_connections > 65536 ||
	    c->timeout_seconds < 1 || c->timeout_seconds > 3600 ||
	    c->threads > 256 || c->log_level > ATT_LOG_ERROR)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct att_server_config c;
	struct att_diag d = {0};
	if (setup() != 0 || write_cfg(data, size) != 0) {
		fprintf(stderr, "fuzz: cannot write the config file\n");
		abort();
	}
	att_server_config_init(&c);
	int r = att_server_config_load(&c, cfg_path, &d);
	if (r > 0 || (r && !att_diag_msg(&d)[0]))
		abort();
	if (r == 0) {
		check_limits(&c);
		if (att_server_config_load(&c, cfg_path, &d) != 0)
			abort(); /* the same file loads again */
		check_limits(&c);
		providers(c.providers);
	}
	att_server_config_release(&c);
	return 0;
}
