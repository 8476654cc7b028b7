/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `attest sim tpm ...`: a TPM 2.0 for development (docs/tpm.md "Trying it
 * out"), a swtpm whose EK certificates are issued by a dev TPM
 * manufacturer CA made in DIR (sim/tpm_sim.h).
 *   start DIR [--port P]  on first use: the CA (swtpm_localca's files in
 *                         DIR/ca, keys 0600) and a TPM manufactured by
 *                         swtpm_setup with RSA and ECC EK certificates in
 *                         NV; then swtpm in the background on 127.0.0.1
 *                         port P (default 2321, control P+1); prints the
 *                         TCTI string
 *   stop DIR              TPM2_Shutdown, then ends that swtpm
 * attestd serve --dev trusts the CA of DATA_DIR/tpmsim. Needs swtpm,
 * swtpm_setup and swtpm_localca (Debian: swtpm, swtpm-tools). Never trust
 * a simulator CA in production.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attest/err.h"
#include "sim/tpm_sim.h"

int att_cmd_sim_tpm(int argc, char **argv);

#define PATH_CAP 4096

static int usage(void)
{
	fprintf(stderr,
		"usage: attest sim tpm start DIR [--port P]\n"
		"       attest sim tpm stop DIR\n"
		"start: on first use makes a dev TPM manufacturer CA in DIR "
		"and a swtpm with EK\n"
		"  certificates it issued; runs swtpm on 127.0.0.1:P "
		"(default %d, control P+1).\n"
		"attestd serve --dev trusts DATA_DIR/tpmsim's CA. "
		"SIMULATED: never trust it in production.\n",
		ATT_TPMSIM_DEFAULT_PORT);
	return 2;
}

static int path(char out[PATH_CAP], const char *dir, const char *rel)
{
	int n = snprintf(out, PATH_CAP, "%s/%s", dir, rel);
	if (n < 0 || n >= PATH_CAP) {
		fprintf(stderr, "attest sim tpm: path too long: %s\n", dir);
		return ATT_ERR_LIMIT;
	}
	return 0;
}

static bool exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0;
}

static int mkdir_0700(const char *p)
{
	if (mkdir(p, 0700) == 0 || errno == EEXIST)
		return 0;
	fprintf(stderr, "attest sim tpm: mkdir %s: %s\n", p, strerror(errno));
	return ATT_ERR_IO;
}

/* run execs argv with stdout and stderr appended to log; 0 when it exits
 * with status 0. */
static int run(char *const argv[], const char *log)
{
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "attest sim tpm: fork: %s\n", strerror(errno));
		return ATT_ERR_IO;
	}
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "attest sim tpm: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	fprintf(stderr, "attest sim tpm: %s failed (exit %d; see %s)%s\n",
		argv[0], WIFEXITED(st) ? WEXITSTATUS(st) : -1, log,
		WIFEXITED(st) && WEXITSTATUS(st) == 127
			? ": is it installed? (Debian: swtpm swtpm-tools)"
			: "");
	return ATT_ERR_IO;
}

static int write_text(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "attest sim tpm: cannot write %s\n", p);
		if (f)
			fclose(f);
		return ATT_ERR_IO;
	}
	return 0;
}

/* which finds prog on PATH (swtpm_setup wants the tool's full path). */
static int which(char out[PATH_CAP], const char *prog)
{
	const char *pv = getenv("PATH");
	char buf[PATH_CAP];
	snprintf(buf, sizeof(buf), "%s", pv ? pv : "/usr/bin:/bin");
	char *save = NULL;
	for (char *d = strtok_r(buf, ":", &save); d;
	     d = strtok_r(NULL, ":", &save)) {
		int n = snprintf(out, PATH_CAP, "%s/%s", d, prog);
		if (n > 0 && n < PATH_CAP && access(out, X_OK) == 0)
			return 0;
	}
	fprintf(stderr,
		"attest sim tpm: %s not found on PATH (Debian: apt-get install "
		"swtpm swtpm-tools)\n",
		prog);
	return ATT_ERR_NOT_FOUND;
}

/* manufacture makes the CA and the TPM state on first use. */
static int manufacture(const char *dir)
{
	char ca[PATH_CAP], state[PATH_CAP], root[PATH_CAP], log[PATH_CAP];
	char lconf[PATH_CAP], lopts[PATH_CAP], sconf[PATH_CAP];
	char localca[PATH_CAP], text[4 * PATH_CAP + 256];
	int r;
	if ((r = path(ca, dir, "ca")) || (r = path(state, dir,
						    ATT_TPMSIM_F_STATE)) ||
	    (r = path(root, dir, ATT_TPMSIM_F_ROOT)) ||
	    (r = path(log, dir, "setup.log")) ||
	    (r = path(lconf, dir, "swtpm-localca.conf")) ||
	    (r = path(lopts, dir, "swtpm-localca.options")) ||
	    (r = path(sconf, dir, "swtpm_setup.conf")))
		return r;
	if (exists(root) && exists(state))
		return 0;
	if ((r = which(localca, "swtpm_localca")) || (r = mkdir_0700(ca)) ||
	    (r = mkdir_0700(state)))
		return r;
	snprintf(text, sizeof(text),
		 "statedir = %s\nsigningkey = %s/signkey.pem\n"
		 "issuercert = %s/issuercert.pem\ncertserial = %s/certserial\n",
		 ca, ca, ca, ca);
	if ((r = write_text(lconf, text)) ||
	    (r = write_text(lopts, "--platform-manufacturer attestd-dev\n"
				   "--platform-version 2.1\n"
				   "--platform-model swtpm\n")))
		return r;
	snprintf(text, sizeof(text),
		 "create_certs_tool = %s\ncreate_certs_tool_config = %s\n"
		 "create_certs_tool_options = %s\nactive_pcr_banks = sha256\n",
		 localca, lconf, lopts);
	if ((r = write_text(sconf, text)))
		return r;
	char *argv[] = {"swtpm_setup",	    "--tpm2",
			"--tpmstate",	    state,
			"--create-ek-cert", "--create-platform-cert",
			"--lock-nvram",	    "--overwrite",
			"--config",	    sconf,
			NULL};
	if ((r = run(argv, log)))
		return r;
	/* swtpm_localca's keys: owner only. */
	static const char *const keys[] = {
		"ca/signkey.pem", "ca/swtpm-localca-rootca-privkey.pem"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char k[PATH_CAP];
		if ((r = path(k, dir, keys[i])))
			return r;
		if (exists(k) && chmod(k, 0600) != 0) {
			fprintf(stderr, "attest sim tpm: chmod %s: %s\n", k,
				strerror(errno));
			return ATT_ERR_IO;
		}
	}
	if (!exists(root)) {
		fprintf(stderr, "attest sim tpm: swtpm_setup made no CA %s\n",
			root);
		return ATT_ERR_IO;
	}
	printf("created a dev TPM manufacturer CA %s and a TPM with EK "
	       "certificates it issued\n",
	       root);
	return 0;
}

static int read_num(const char *dir, const char *rel, long *out)
{
	char p[PATH_CAP], buf[32];
	if (path(p, dir, rel))
		return ATT_ERR_LIMIT;
	FILE *f = fopen(p, "r");
	if (!f)
		return ATT_ERR_NOT_FOUND;
	char *ok = fgets(buf, sizeof(buf), f);
	fclose(f);
	char *end = NULL;
	long v = ok ? strtol(buf, &end, 10) : 0;
	if (!ok || end == buf || v <= 0)
		return ATT_ERR_FORMAT;
	*out = v;
	return 0;
}

/* tcp_connect connects to 127.0.0.1:port; the socket or -1 (errno). */
static int tcp_connect(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* alive: pid runs and is a swtpm (a stale pid file may name a pid the
 * system gave to another program since). */
static bool alive(long pid)
{
	char p[64], comm[32] = {0};
	if (pid <= 0 || kill((pid_t)pid, 0) != 0)
		return false;
	snprintf(p, sizeof(p), "/proc/%ld/comm", pid);
	FILE *f = fopen(p, "r");
	if (!f)
		return true; /* no /proc: trust the pid file */
	char *ok = fgets(comm, sizeof(comm), f);
	fclose(f);
	return ok && !strncmp(comm, "swtpm", 5);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int start(const char *dir, int port)
{
	char state[PATH_CAP], pidf[PATH_CAP], log[PATH_CAP], portf[PATH_CAP];
	char srv[96], ctrl[96], tpmstate[PATH_CAP + 8], pidopt[PATH_CAP + 8],
		logopt[PATH_CAP + 8];
	long pid = 0, oldport = 0;
	int r;
	if ((r = mkdir_0700(dir)) || (r = manufacture(dir)))
		return r;
	if ((r = path(state, dir, ATT_TPMSIM_F_STATE)) ||
	    (r = path(pidf, dir, ATT_TPMSIM_F_PID)) ||
	    (r = path(log, dir, ATT_TPMSIM_F_LOG)) ||
	    (r = path(portf, dir, ATT_TPMSIM_F_PORT)))
		return r;
	if (read_num(dir, ATT_TPMSIM_F_PID, &pid) == 0 && alive(pid)) {
		read_num(dir, ATT_TPMSIM_F_PORT, &oldport);
		printf("swtpm of %s runs already (pid %ld)\nTCTI: "
		       "swtpm:port=%ld\n",
		       dir, pid, oldport);
		return 0;
	}
	unlink(pidf);
	snprintf(srv, sizeof(srv), "type=tcp,port=%d,bindaddr=127.0.0.1",
		 port);
	snprintf(ctrl, sizeof(ctrl), "type=tcp,port=%d,bindaddr=127.0.0.1",
		 port + 1);
	snprintf(tpmstate, sizeof(tpmstate), "dir=%s", state);
	snprintf(pidopt, sizeof(pidopt), "file=%s", pidf);
	snprintf(logopt, sizeof(logopt), "file=%s", log);
	char *argv[] = {"swtpm",    "socket",
			"--tpm2",   "--server",
			srv,	    "--ctrl",
			ctrl,	    "--flags",
			"not-need-init,startup-clear",
			"--tpmstate",
			tpmstate,   "--pid",
			pidopt,	    "--log",
			logopt,	    "--daemon",
			NULL};
	if ((r = run(argv, log)))
		return r;
	for (int i = 0; i < 100; i++) { /* up to 5 s */
		int fd = tcp_connect(port);
		if (fd >= 0) {
			close(fd);
			char num[16];
			snprintf(num, sizeof(num), "%d\n", port);
			if ((r = write_text(portf, num)))
				return r;
			read_num(dir, ATT_TPMSIM_F_PID, &pid);
			printf("swtpm started (pid %ld), EK certificates from "
			       "%s/%s\nTCTI: swtpm:port=%d\n",
			       pid, dir, ATT_TPMSIM_F_ROOT, port);
			return 0;
		}
		sleep_ms(50);
	}
	fprintf(stderr, "attest sim tpm: swtpm does not answer on port %d "
			"(see %s)\n",
		port, log);
	return ATT_ERR_IO;
}

/* tpm_shutdown sends TPM2_Shutdown(TPM_SU_CLEAR): an orderly power-off
 * (an unclean one counts against the dictionary-attack protection). */
static void tpm_shutdown(int port)
{
	static const uint8_t cmd[12] = {0x80, 0x01, 0, 0, 0, 12,
					0,    0,    0x01, 0x45, 0, 0};
	uint8_t rsp[64];
	int fd = tcp_connect(port);
	if (fd < 0)
		return;
	struct timeval tv = {.tv_sec = 2};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (write(fd, cmd, sizeof(cmd)) == (ssize_t)sizeof(cmd))
		(void)!read(fd, rsp, sizeof(rsp));
	close(fd);
}

static int stop(const char *dir)
{
	char pidf[PATH_CAP];
	long pid = 0, port = 0;
	if (path(pidf, dir, ATT_TPMSIM_F_PID))
		return ATT_ERR_LIMIT;
	if (read_num(dir, ATT_TPMSIM_F_PID, &pid) != 0 || !alive(pid)) {
		printf("no swtpm of %s is running\n", dir);
		unlink(pidf);
		return 0;
	}
	if (read_num(dir, ATT_TPMSIM_F_PORT, &port) == 0 && port < 65535)
		tpm_shutdown((int)port);
	kill((pid_t)pid, SIGTERM);
	for (int i = 0; i < 100 && alive(pid); i++)
		sleep_ms(50);
	if (alive(pid)) {
		fprintf(stderr, "attest sim tpm: swtpm (pid %ld) did not end\n",
			pid);
		return ATT_ERR_IO;
	}
	unlink(pidf);
	printf("swtpm of %s stopped (pid %ld)\n", dir, pid);
	return 0;
}

int att_cmd_sim_tpm(int argc, char **argv)
{
	const char *verb = NULL, *dir = NULL;
	long port = ATT_TPMSIM_DEFAULT_PORT;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--port") && i + 1 < argc) {
			char *end = NULL;
			port = strtol(argv[++i], &end, 10);
			if (!*argv[i] || *end || port < 1 || port > 65534)
				return usage();
		} else if (argv[i][0] == '-')
			return usage();
		else if (!verb)
			verb = argv[i];
		else if (!dir)
			dir = argv[i];
		else
			return usage();
	}
	if (!verb || !dir)
		return usage();
	int r;
	char abs[PATH_CAP];
	if (!strcmp(verb, "start")) {
		/* Owner-only files (docs/security.md; `attestd config check`
		 * flags others in a data dir): the CA key, the TPM state and
		 * what swtpm_setup and swtpm write, which inherit the mask. */
		umask(077);
		/* swtpm --daemon changes to /: hand it absolute paths. */
		if ((r = mkdir_0700(dir)) != 0)
			return 1;
		if (!realpath(dir, abs)) {
			fprintf(stderr, "attest sim tpm: %s: %s\n", dir,
				strerror(errno));
			return 1;
		}
		r = start(abs, (int)port);
	} else if (!strcmp(verb, "stop"))
		r = stop(dir);
	else
		return usage();
	return r ? 1 : 0;
}
