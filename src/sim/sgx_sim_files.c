/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Directory I/O of the SGX simulator: path building, whole-file reads with
 * a cap, writes that replace a file with the requested mode (0600 for
 * private keys, enforced with fchmod whatever the umask; public files
 * 0644 narrowed by the umask, so attestd's umask 077 makes them 0600),
 * and loading the simulator's keys and certificates back from DIR.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attest/err.h"
#include "sim/sgx_sim_int.h"

int att_sim_path(char *out, size_t cap, const char *dir, const char *sub,
		 const char *name)
{
	int n;
	if (sub && name)
		n = snprintf(out, cap, "%s/%s/%s", dir, sub, name);
	else if (sub || name)
		n = snprintf(out, cap, "%s/%s", dir, sub ? sub : name);
	else
		n = snprintf(out, cap, "%s", dir);
	return n < 0 || (size_t)n >= cap ? ATT_ERR_LIMIT : 0;
}

int att_sim_mkdir(const char *dir, const char *sub, struct att_diag *d)
{
	char p[4096];
	if (att_sim_path(p, sizeof(p), dir, sub, NULL))
		return att_diag_set(d, ATT_ERR_LIMIT, "sgxsim: path too long");
	if (mkdir(p, 0700) != 0 && errno != EEXIST)
		return att_diag_set(d, ATT_ERR_IO, "sgxsim: mkdir %s: %s", p,
				    strerror(errno));
	return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return ATT_ERR_IO;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int att_sim_write(const char *dir, const char *sub, const char *name,
		  const void *p, size_t n, unsigned mode, struct att_diag *d)
{
	char path[4096];
	if (att_sim_path(path, sizeof(path), dir, sub, name))
		return att_diag_set(d, ATT_ERR_LIMIT, "sgxsim: path too long");
	int fd =
	    open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, (mode_t)mode);
	if (fd < 0)
		return att_diag_set(d, ATT_ERR_IO, "sgxsim: open %s: %s", path,
				    strerror(errno));
	/* the requested mode, narrowed by what the umask let open() create
	 * (attestd runs with umask 077): a replaced file never widens */
	struct stat st;
	int r = fstat(fd, &st) == 0 &&
			fchmod(fd, (mode_t)mode & st.st_mode & 0777) == 0
		? 0
		: ATT_ERR_IO;
	if (!r)
		r = write_all(fd, p, n);
	if (close(fd) != 0 && !r)
		r = ATT_ERR_IO;
	if (r)
		return att_diag_set(d, r, "sgxsim: write %s: %s", path,
				    strerror(errno));
	return 0;
}

int att_sim_read(const char *dir, const char *sub, const char *name,
		 struct att_buf *out, bool secret, struct att_diag *d)
{
	char path[4096];
	uint8_t chunk[4096];
	if (att_sim_path(path, sizeof(path), dir, sub, name))
		return att_diag_set(d, ATT_ERR_LIMIT, "sgxsim: path too long");
	FILE *f = fopen(path, "rb");
	if (!f)
		return att_diag_set(
		    d, errno == ENOENT ? ATT_ERR_NOT_FOUND : ATT_ERR_IO,
		    "sgxsim: cannot read %s: %s", path, strerror(errno));
	att_buf_init(out, ATT_SGXSIM_MAX_FILE);
	out->secret = secret;
	int r = 0;
	size_t k;
	while (!r && (k = fread(chunk, 1, sizeof(chunk), f)) > 0)
		r = att_buf_add(out, chunk, k);
	if (!r && ferror(f))
		r = ATT_ERR_IO;
	fclose(f);
	if (r) {
		att_buf_release(out);
		return att_diag_set(d, r, "sgxsim: reading %s failed", path);
	}
	return 0;
}

int att_sim_load_key(const char *dir, const char *sub, const char *name,
		     struct att_pkey **out, struct att_diag *d)
{
	struct att_buf b;
	*out = NULL;
	int r = att_sim_read(dir, sub, name, &b, true, d);
	if (r)
		return r;
	r = att_sgxsim_key_load_pem(out, (const char *)b.data, b.len);
	att_buf_release(&b);
	if (r)
		return att_diag_set(d, r, "sgxsim: %s%s%s is not a P-256 key",
				    sub ? sub : "", sub ? "/" : "", name);
	return 0;
}

int att_sim_load_cert(const char *dir, const char *sub, const char *name,
		      struct att_cert **out, struct att_diag *d)
{
	struct att_buf b;
	*out = NULL;
	int r = att_sim_read(dir, sub, name, &b, false, d);
	if (r)
		return r;
	r = att_sgxsim_cert_load_pem(out, (const char *)b.data, b.len);
	att_buf_release(&b);
	if (r)
		return att_diag_set(d, r,
				    "sgxsim: %s%s%s is not a PEM certificate",
				    sub ? sub : "", sub ? "/" : "", name);
	return 0;
}
