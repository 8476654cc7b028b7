/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fixture of the src/net tests: a temporary directory with two
 * self-signed certificates made by the openssl CLI (the server's, for
 * 127.0.0.1 and localhost, and an unrelated one), the server key's pin
 * (base64 SHA-256 of its SubjectPublicKeyInfo), and the HTTPS test server
 * tests/unit/net/net_server.py on a free 127.0.0.1 port, stopped (and the
 * directory removed) by net_fixture_stop.
 */
#ifndef ATT_TESTS_NET_FIXTURE_H
#define ATT_TESTS_NET_FIXTURE_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct net_fixture {
	char dir[256];
	char ca[320], other_ca[320], key[320];
	char pin[128];
	char base[64]; /* https://127.0.0.1:PORT */
	int port;
	pid_t pid;
};

static int nf_sh(const char *fmt, const char *dir)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), fmt, dir, dir, dir, dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int nf_certs(struct net_fixture *f)
{
	static const char *mk =
	    "cd %s && openssl req -x509 -newkey ec -pkeyopt "
	    "ec_paramgen_curve:P-256 -nodes -keyout key.pem -out cert.pem "
	    "-days 2 -subj /CN=localhost -addext "
	    "subjectAltName=IP:127.0.0.1,DNS:localhost >/dev/null 2>&1 && "
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -keyout other.key -out other.pem -days 2 "
	    "-subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 "
	    ">/dev/null 2>&1 && openssl pkey -in key.pem -pubout -outform DER "
	    "2>/dev/null | openssl dgst -sha256 -binary | openssl base64 -A "
	    ">pin.txt";
	if (nf_sh(mk, f->dir))
		return -1;
	snprintf(f->ca, sizeof(f->ca), "%s/cert.pem", f->dir);
	snprintf(f->other_ca, sizeof(f->other_ca), "%s/other.pem", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/key.pem", f->dir);
	char path[320];
	snprintf(path, sizeof(path), "%s/pin.txt", f->dir);
	FILE *p = fopen(path, "r");
	if (!p)
		return -1;
	int ok = fgets(f->pin, sizeof(f->pin), p) != NULL;
	fclose(p);
	return ok && strlen(f->pin) == 44 ? 0 : -1;
}

static int nf_wait_port(const char *pf)
{
	for (int i = 0; i < 100; i++) { /* at most 10 s */
		FILE *p = fopen(pf, "r");
		int port = 0;
		if (p) {
			int n = fscanf(p, "%d", &port);
			fclose(p);
			if (n == 1 && port > 0)
				return port;
		}
		struct timespec ts = {0, 100 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* net_fixture_start: 0, or -1 with the reason printed. */
static int net_fixture_start(struct net_fixture *f)
{
	char script[512], pf[320];
	const char *src = getenv("ATT_SRC_DIR");
	memset(f, 0, sizeof(*f));
	f->pid = -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/att_net_XXXXXX");
	if (!mkdtemp(f->dir)) {
		printf("# mkdtemp failed\n");
		return -1;
	}
	if (nf_certs(f)) {
		printf("# the openssl CLI could not make the test certificates\n");
		return -1;
	}
	snprintf(script, sizeof(script), "%s/tests/unit/net/net_server.py",
		 src ? src : ".");
	snprintf(pf, sizeof(pf), "%s/port", f->dir);
	f->pid = fork();
	if (f->pid == 0) {
		execlp("python3", "python3", script, "--cert", f->ca, "--key",
		       f->key, "--port-file", pf, "--max-seconds", "60",
		       (char *)NULL);
		_exit(127);
	}
	f->port = f->pid > 0 ? nf_wait_port(pf) : -1;
	if (f->port <= 0) {
		printf("# the test server (python3 %s) did not start\n", script);
		return -1;
	}
	snprintf(f->base, sizeof(f->base), "https://127.0.0.1:%d", f->port);
	return 0;
}

static void net_fixture_stop(struct net_fixture *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
		f->pid = -1;
	}
	if (f->dir[0])
		nf_sh("rm -rf '%s'", f->dir);
}

#endif
