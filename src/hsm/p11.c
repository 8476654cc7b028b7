/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PKCS #11 token keys (see p11.h). One struct att_p11 per opened URI:
 * the module (dlopen'd, C_Initialize'd once per process and module path,
 * shared by reference), the token's slot, ATT_P11_SESSIONS sessions each
 * behind its own mutex (a PKCS #11 session runs one operation at a time,
 * section 5.6 of the base specification), logged in once (a login holds
 * for every session of the application). Key object handles of token
 * objects are valid in every session of the application.
 */
#include "hsm/p11.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <p11-kit/pkcs11.h>

#include "attest/err.h"
#include "base/buf.h"
#include "base/limits.h"
#include "crypto/digest.h"
#include "hsm/uri.h"

/* ---- modules: one C_Initialize per path per process ------------------ */

struct module {
	struct module *next;
	char *path;
	void *dl;
	CK_FUNCTION_LIST *f;
	int refs;
};

static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
static struct module *modules;

static const char *ckr_name(CK_RV rv)
{
	switch (rv) {
	case CKR_OK: return "CKR_OK";
	case CKR_PIN_INCORRECT: return "CKR_PIN_INCORRECT";
	case CKR_PIN_LOCKED: return "CKR_PIN_LOCKED";
	case CKR_PIN_LEN_RANGE: return "CKR_PIN_LEN_RANGE";
	case CKR_PIN_EXPIRED: return "CKR_PIN_EXPIRED";
	case CKR_USER_PIN_NOT_INITIALIZED: return "CKR_USER_PIN_NOT_INITIALIZED";
	case CKR_TOKEN_NOT_PRESENT: return "CKR_TOKEN_NOT_PRESENT";
	case CKR_TOKEN_NOT_RECOGNIZED: return "CKR_TOKEN_NOT_RECOGNIZED";
	case CKR_DEVICE_ERROR: return "CKR_DEVICE_ERROR";
	case CKR_DEVICE_REMOVED: return "CKR_DEVICE_REMOVED";
	case CKR_SESSION_HANDLE_INVALID: return "CKR_SESSION_HANDLE_INVALID";
	case CKR_KEY_HANDLE_INVALID: return "CKR_KEY_HANDLE_INVALID";
	case CKR_MECHANISM_INVALID: return "CKR_MECHANISM_INVALID";
	case CKR_ATTRIBUTE_TYPE_INVALID: return "CKR_ATTRIBUTE_TYPE_INVALID";
	case CKR_TEMPLATE_INCONSISTENT: return "CKR_TEMPLATE_INCONSISTENT";
	case CKR_BUFFER_TOO_SMALL: return "CKR_BUFFER_TOO_SMALL";
	case CKR_GENERAL_ERROR: return "CKR_GENERAL_ERROR";
	case CKR_FUNCTION_FAILED: return "CKR_FUNCTION_FAILED";
	case CKR_ARGUMENTS_BAD: return "CKR_ARGUMENTS_BAD";
	case CKR_USER_NOT_LOGGED_IN: return "CKR_USER_NOT_LOGGED_IN";
	case CKR_CRYPTOKI_NOT_INITIALIZED: return "CKR_CRYPTOKI_NOT_INITIALIZED";
	default: return "CKR_(other)";
	}
}

static int ckr_err(CK_RV rv)
{
	switch (rv) {
	case CKR_PIN_INCORRECT:
	case CKR_PIN_LOCKED:
	case CKR_PIN_LEN_RANGE:
	case CKR_PIN_EXPIRED:
	case CKR_USER_PIN_NOT_INITIALIZED:
		return ATT_ERR_AUTH;
	case CKR_TOKEN_NOT_PRESENT:
	case CKR_DEVICE_REMOVED:
		return ATT_ERR_NOT_FOUND;
	case CKR_HOST_MEMORY:
		return ATT_ERR_NOMEM;
	default:
		return ATT_ERR_CRYPTO;
	}
}

#define P11_FAIL(d, rv, step)                                                \
	att_diag_set((d), ckr_err(rv), "pkcs11: %s: %s (0x%lx)", (step),    \
		     ckr_name(rv), (unsigned long)(rv))

static int module_get(struct module **out, const char *path,
		      struct att_diag *d)
{
	struct module *m;
	CK_C_GetFunctionList gfl;
	CK_C_INITIALIZE_ARGS ia;
	CK_RV rv;
	int r = 0;
	*out = NULL;
	pthread_mutex_lock(&modules_lock);
	for (m = modules; m; m = m->next)
		if (!strcmp(m->path, path)) {
			m->refs++;
			*out = m;
			goto out;
		}
	if (!(m = calloc(1, sizeof(*m))) || !(m->path = strdup(path))) {
		r = ATT_ERR_NOMEM;
		goto fail;
	}
	if (!(m->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL))) {
		r = att_diag_set(d, ATT_ERR_IO,
				 "pkcs11: loading module %s: %s", path,
				 dlerror());
		goto fail;
	}
	*(void **)&gfl = dlsym(m->dl, "C_GetFunctionList");
	if (!gfl || gfl(&m->f) != CKR_OK || !m->f) {
		r = att_diag_set(d, ATT_ERR_IO,
			"pkcs11: module %s has no usable C_GetFunctionList",
			path);
		goto fail;
	}
	memset(&ia, 0, sizeof(ia));
	ia.flags = CKF_OS_LOCKING_OK; /* attestd signs from several threads */
	rv = m->f->C_Initialize(&ia);
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		r = P11_FAIL(d, rv, "C_Initialize");
		goto fail;
	}
	m->refs = 1;
	m->next = modules;
	modules = m;
	*out = m;
	goto out;
fail:
	if (m) {
		if (m->dl)
			dlclose(m->dl);
		free(m->path);
		free(m);
	}
out:
	pthread_mutex_unlock(&modules_lock);
	return r;
}

static void module_put(struct module *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&modules_lock);
	if (--m->refs == 0) {
		struct module **pp = &modules;
		while (*pp && *pp != m)
			pp = &(*pp)->next;
		if (*pp)
			*pp = m->next;
		m->f->C_Finalize(NULL);
		dlclose(m->dl);
		free(m->path);
		free(m);
	}
	pthread_mutex_unlock(&modules_lock);
}

/* ---- tokens ------------------------------------------------------------ */

struct session {
	pthread_mutex_t lock;
	CK_SESSION_HANDLE h;
	bool open;
};

struct att_p11 {
	atomic_int refs;
	struct module *m;
	CK_FUNCTION_LIST *f;
	CK_SLOT_ID slot;
	struct att_p11_uri uri;
	char label[33];
	struct session s[ATT_P11_SESSIONS];
	atomic_uint next;
	bool logged_in;
};

/* blank_padded_eq: a CK_TOKEN_INFO field (blank padded, not NUL
 * terminated) equals want. */
static bool blank_padded_eq(const unsigned char *f, size_t n,
			    const char *want)
{
	size_t w = strlen(want);
	if (w > n || memcmp(f, want, w) != 0)
		return false;
	for (size_t i = w; i < n; i++)
		if (f[i] != ' ')
			return false;
	return true;
}

static void blank_padded_copy(char *dst, const unsigned char *f, size_t n)
{
	while (n > 0 && f[n - 1] == ' ')
		n--;
	memcpy(dst, f, n);
	dst[n] = 0;
}

/* read_pin: the PIN from a file (first line, trailing CR/LF cut). */
static int read_pin(struct att_buf *pin, const char *path,
		    struct att_diag *d)
{
	char tmp[ATT_P11_PIN_MAX + 2];
	size_t n = 0;
	int r = 0;
	if (!strncmp(path, "file:", 5))
		path += 5;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return att_diag_set(d, ATT_ERR_IO, "pkcs11: PIN file %s: %s",
				    path, strerror(errno));
	while (n < sizeof(tmp)) {
		ssize_t k = read(fd, tmp + n, sizeof(tmp) - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = att_diag_set(d, ATT_ERR_IO,
					 "pkcs11: PIN file %s: %s", path,
					 strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	char *nl = memchr(tmp, '\n', n);
	if (nl)
		n = (size_t)(nl - tmp);
	if (n > 0 && tmp[n - 1] == '\r')
		n--;
	if (n > ATT_P11_PIN_MAX) {
		r = att_diag_set(d, ATT_ERR_LIMIT,
				 "pkcs11: PIN in %s longer than %d bytes",
				 path, ATT_P11_PIN_MAX);
		goto out;
	}
	r = att_buf_add(pin, tmp, n);
out:
	memset(tmp, 0, sizeof(tmp));
	close(fd);
	return r;
}

static int find_token(struct att_p11 *p, struct att_diag *d)
{
	CK_SLOT_ID slots[ATT_P11_MAX_SLOTS];
	CK_ULONG n = ATT_P11_MAX_SLOTS;
	CK_RV rv = p->f->C_GetSlotList(CK_TRUE, slots, &n);
	size_t found = 0;
	if (rv != CKR_OK)
		return P11_FAIL(d, rv, "C_GetSlotList");
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;
		const struct att_p11_uri *u = &p->uri;
		if (u->has_slot_id && slots[i] != u->slot_id)
			continue;
		if (p->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		if ((u->token && !blank_padded_eq(ti.label, sizeof(ti.label),
						  u->token)) ||
		    (u->manufacturer &&
		     !blank_padded_eq(ti.manufacturerID,
				      sizeof(ti.manufacturerID),
				      u->manufacturer)) ||
		    (u->model && !blank_padded_eq(ti.model, sizeof(ti.model),
						  u->model)) ||
		    (u->serial &&
		     !blank_padded_eq(ti.serialNumber,
				      sizeof(ti.serialNumber), u->serial)))
			continue;
		if (found++ == 0) {
			p->slot = slots[i];
			blank_padded_copy(p->label, ti.label,
					  sizeof(ti.label));
		}
	}
	if (found == 0)
		return att_diag_set(d, ATT_ERR_NOT_FOUND,
			"pkcs11: no token matching token=%s in module %s (%lu slot(s) with a token)",
			p->uri.token ? p->uri.token : "(any)",
			p->uri.module_path, (unsigned long)n);
	if (found > 1)
		return att_diag_set(d, ATT_ERR_FORMAT,
			"pkcs11: %zu tokens match the URI; name one (token=, serial=)",
			found);
	return 0;
}

int att_p11_open(struct att_p11 **out, const char *uri, const char *pin_file,
		 struct att_diag *d)
{
	struct att_buf pin;
	struct att_p11 *p = calloc(1, sizeof(*p));
	CK_RV rv;
	int r;
	*out = NULL;
	att_buf_init(&pin, ATT_P11_PIN_MAX + 1);
	pin.secret = true;
	if (!p)
		return ATT_ERR_NOMEM;
	atomic_init(&p->refs, 1);
	for (size_t i = 0; i < ATT_P11_SESSIONS; i++)
		pthread_mutex_init(&p->s[i].lock, NULL);
	if ((r = att_p11_uri_parse(&p->uri, uri ? uri : "",
				   uri ? strlen(uri) : 0, d)) != 0)
		goto out;
	if (!p->uri.module_path) {
		r = att_diag_set(d, ATT_ERR_FORMAT,
			"pkcs11: the URI names no module-path (the PKCS #11 module to load)");
		goto out;
	}
	if (pin_file)
		r = read_pin(&pin, pin_file, d);
	else if (p->uri.pin_source)
		r = read_pin(&pin, p->uri.pin_source, d);
	else if (p->uri.pin_value)
		r = att_buf_adds(&pin, p->uri.pin_value);
	if (r)
		goto out;
	if ((r = module_get(&p->m, p->uri.module_path, d)) != 0)
		goto out;
	p->f = p->m->f;
	if ((r = find_token(p, d)) != 0)
		goto out;
	for (size_t i = 0; i < ATT_P11_SESSIONS; i++) {
		rv = p->f->C_OpenSession(p->slot,
					 CKF_SERIAL_SESSION | CKF_RW_SESSION,
					 NULL, NULL, &p->s[i].h);
		if (rv != CKR_OK) {
			r = P11_FAIL(d, rv, "C_OpenSession");
			goto out;
		}
		p->s[i].open = true;
	}
	if (pin.len > 0 || pin_file || p->uri.pin_source || p->uri.pin_value) {
		rv = p->f->C_Login(p->s[0].h, CKU_USER, pin.data,
				   (CK_ULONG)pin.len);
		if (rv == CKR_PIN_INCORRECT)
			r = att_diag_set(d, ATT_ERR_AUTH,
				"pkcs11: C_Login on token %s: wrong PIN (CKR_PIN_INCORRECT)",
				p->label);
		else if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
			r = P11_FAIL(d, rv, "C_Login");
		if (r)
			goto out;
		p->logged_in = rv == CKR_OK;
	}
	*out = p;
	p = NULL;
out:
	att_buf_release(&pin);
	att_p11_close(p);
	return r;
}

void att_p11_close(struct att_p11 *p)
{
	if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	if (p->f && p->logged_in)
		p->f->C_Logout(p->s[0].h);
	for (size_t i = 0; i < ATT_P11_SESSIONS; i++) {
		if (p->s[i].open)
			p->f->C_CloseSession(p->s[i].h);
		pthread_mutex_destroy(&p->s[i].lock);
	}
	module_put(p->m);
	att_p11_uri_release(&p->uri);
	free(p);
}

const char *att_p11_token_label(const struct att_p11 *p)
{
	return p ? p->label : "";
}

static struct session *session_take(struct att_p11 *p)
{
	unsigned i = atomic_fetch_add(&p->next, 1) % ATT_P11_SESSIONS;
	pthread_mutex_lock(&p->s[i].lock);
	return &p->s[i];
}

static void session_give(struct session *s)
{
	pthread_mutex_unlock(&s->lock);
}

/* ---- keys -------------------------------------------------------------- */

struct p11_key {
	struct att_p11 *p; /* a reference */
	CK_OBJECT_HANDLE priv;
	bool rsa;
	size_t sig_len; /* RSA modulus bytes; 2 * coordinate for EC */
};

static void p11_key_free(void *ctx)
{
	struct p11_key *k = ctx;
	if (!k)
		return;
	att_p11_close(k->p);
	free(k);
}

/* p11_sign: the external signer (crypto/pkey.h) of a token key. */
static int p11_sign(void *ctx, enum att_sig_alg alg, const void *data,
		    size_t len, struct att_buf *out_sig)
{
	struct p11_key *k = ctx;
	CK_MECHANISM mech = {0, NULL, 0};
	uint8_t digest[32];
	uint8_t sig[ATT_PKEY_RSA_MAX_BYTES];
	CK_ULONG sig_len = sizeof(sig);
	const void *in = data;
	size_t in_len = len;
	CK_RV rv;
	int r;
	if (alg == ATT_SIG_RS256 && k->rsa) {
		mech.mechanism = CKM_SHA256_RSA_PKCS;
	} else if (alg == ATT_SIG_ES256 && !k->rsa && k->sig_len == 64) {
		/* CKM_ECDSA signs a digest the caller made (section 2.3.6
		 * of the current mechanisms specification) */
		mech.mechanism = CKM_ECDSA;
		if ((r = att_digest(ATT_MD_SHA256, digest, data, len)) != 0)
			return r;
		in = digest;
		in_len = sizeof(digest);
	} else {
		return ATT_ERR_ALG;
	}
	struct session *s = session_take(k->p);
	rv = k->p->f->C_SignInit(s->h, &mech, k->priv);
	if (rv == CKR_OK)
		rv = k->p->f->C_Sign(s->h, (CK_BYTE_PTR)in, (CK_ULONG)in_len,
				     sig, &sig_len);
	session_give(s);
	if (rv != CKR_OK)
		return ckr_err(rv);
	if (sig_len != k->sig_len)
		return ATT_ERR_CRYPTO;
	return att_buf_add(out_sig, sig, sig_len);
}

/* find: up to max handles of objects matching tmpl. */
static int find(struct att_p11 *p, CK_ATTRIBUTE *tmpl, CK_ULONG n,
		CK_OBJECT_HANDLE *h, CK_ULONG max, CK_ULONG *got,
		struct att_diag *d)
{
	struct session *s = session_take(p);
	CK_RV rv = p->f->C_FindObjectsInit(s->h, tmpl, n);
	*got = 0;
	if (rv == CKR_OK) {
		rv = p->f->C_FindObjects(s->h, h, max, got);
		CK_RV rv2 = p->f->C_FindObjectsFinal(s->h);
		if (rv == CKR_OK)
			rv = rv2;
	}
	session_give(s);
	return rv == CKR_OK ? 0 : P11_FAIL(d, rv, "C_FindObjects");
}

/* get_attr: one attribute value of at most ATT_P11_MAX_ATTR bytes. */
static int get_attr(struct att_p11 *p, CK_OBJECT_HANDLE o,
		    CK_ATTRIBUTE_TYPE t, uint8_t *buf, size_t *len,
		    struct att_diag *d)
{
	CK_ATTRIBUTE a = {t, buf, (CK_ULONG)*len};
	struct session *s = session_take(p);
	CK_RV rv = p->f->C_GetAttributeValue(s->h, o, &a, 1);
	session_give(s);
	if (rv != CKR_OK)
		return P11_FAIL(d, rv, "C_GetAttributeValue");
	if (a.ulValueLen == (CK_ULONG)-1 || a.ulValueLen > *len) /* not an error: CK_UNAVAILABLE_INFORMATION */
		return att_diag_set(d, ATT_ERR_FORMAT,
				    "pkcs11: key attribute 0x%lx unavailable",
				    (unsigned long)t);
	*len = a.ulValueLen;
	return 0;
}

/* DER OIDs of the named curves (RFC 5480 section 2.1.1.1), as CKA_EC_PARAMS
 * holds them. */
static const uint8_t oid_p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
				   0x3d, 0x03, 0x01, 0x07};
static const uint8_t oid_p384[] = {0x06, 0x05, 0x2b, 0x81,
				   0x04, 0x00, 0x22};

/* public_of: the att_pkey of a public key object. */
static int public_of(struct att_pkey **out, struct att_p11 *p,
		     CK_OBJECT_HANDLE o, CK_KEY_TYPE kt, struct att_diag *d)
{
	uint8_t a[ATT_P11_MAX_ATTR], b[ATT_P11_MAX_ATTR];
	size_t al = sizeof(a), bl = sizeof(b);
	int r;
	if (kt == CKK_RSA) {
		uint32_t e = 0;
		if ((r = get_attr(p, o, CKA_MODULUS, a, &al, d)) != 0 ||
		    (r = get_attr(p, o, CKA_PUBLIC_EXPONENT, b, &bl, d)) != 0)
			return r;
		size_t i = 0;
		while (i < bl && b[i] == 0)
			i++;
		if (bl - i > 4)
			return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				"pkcs11: RSA public exponent too large");
		for (; i < bl; i++)
			e = e << 8 | b[i];
		if ((r = att_pkey_from_rsa_public(out, a, al, e)) != 0)
			return att_diag_set(d, r,
				"pkcs11: the token's RSA public key is unusable");
		if (att_pkey_bits(*out) < 2048) {
			att_pkey_free(*out);
			*out = NULL;
			return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				"pkcs11: RSA key shorter than 2048 bits");
		}
		return 0;
	}
	if (kt != CKK_EC)
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
			"pkcs11: key type 0x%lx is neither RSA nor EC",
			(unsigned long)kt);
	enum att_key_kind curve;
	size_t coord;
	if ((r = get_attr(p, o, CKA_EC_PARAMS, a, &al, d)) != 0 ||
	    (r = get_attr(p, o, CKA_EC_POINT, b, &bl, d)) != 0)
		return r;
	if (al == sizeof(oid_p256) && !memcmp(a, oid_p256, al)) {
		curve = ATT_KEY_EC_P256;
		coord = 32;
	} else if (al == sizeof(oid_p384) && !memcmp(a, oid_p384, al)) {
		curve = ATT_KEY_EC_P384;
		coord = 48;
	} else {
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
			"pkcs11: EC key on a curve other than P-256/P-384");
	}
	/* CKA_EC_POINT: DER OCTET STRING holding 04 || x || y (some modules
	 * give the bare point) */
	const uint8_t *pt = b;
	size_t pl = bl;
	if (pl == 2 * coord + 3 && pt[0] == 0x04 && pt[1] == 2 * coord + 1) {
		pt += 2;
		pl -= 2;
	}
	if (pl != 2 * coord + 1 || pt[0] != 0x04)
		return att_diag_set(d, ATT_ERR_FORMAT,
			"pkcs11: CKA_EC_POINT is not an uncompressed point");
	if ((r = att_pkey_from_ec_public(out, curve, pt + 1, coord,
					 pt + 1 + coord, coord)) != 0)
		return att_diag_set(d, r, "pkcs11: the token's EC point is unusable");
	return 0;
}

static int wrap_key(struct att_pkey **out, struct att_p11 *p,
		    CK_OBJECT_HANDLE priv, const struct att_pkey *pub)
{
	struct p11_key *k = calloc(1, sizeof(*k));
	if (!k)
		return ATT_ERR_NOMEM;
	atomic_fetch_add(&p->refs, 1);
	k->p = p;
	k->priv = priv;
	k->rsa = att_pkey_is_rsa(pub);
	k->sig_len = k->rsa ? (size_t)(att_pkey_bits(pub) + 7) / 8
			    : 2 * (size_t)((att_pkey_bits(pub) + 7) / 8);
	return att_pkey_with_signer(out, pub, p11_sign, k, p11_key_free);
}

int att_p11_key_load(struct att_pkey **out, struct att_p11 *p,
		     const char *label, struct att_diag *d)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[3] = {{CKA_CLASS, &cls, sizeof(cls)}};
	CK_ULONG nt = 1, got = 0;
	CK_OBJECT_HANDLE h[2], pubh[2];
	CK_KEY_TYPE kt = 0;
	uint8_t id[ATT_P11_URI_VALUE_MAX];
	size_t id_len = sizeof(id), ktl = sizeof(kt);
	struct att_pkey *pub = NULL;
	const char *what = label ? label : p->uri.object;
	int r;
	*out = NULL;
	if (!label && (p->uri.type != ATT_P11_TYPE_ANY &&
		       p->uri.type != ATT_P11_TYPE_PRIVATE))
		return att_diag_set(d, ATT_ERR_FORMAT,
			"pkcs11: the URI names type=%s, not a private key",
			att_p11_type_name(p->uri.type));
	if (what) {
		t[nt].type = CKA_LABEL;
		t[nt].pValue = (void *)what;
		t[nt++].ulValueLen = (CK_ULONG)strlen(what);
	}
	if (!label && p->uri.id) {
		t[nt].type = CKA_ID;
		t[nt].pValue = p->uri.id;
		t[nt++].ulValueLen = (CK_ULONG)p->uri.id_len;
	}
	if (nt == 1)
		return att_diag_set(d, ATT_ERR_FORMAT,
			"pkcs11: the URI names no object= or id= for the key");
	if ((r = find(p, t, nt, h, 2, &got, d)) != 0)
		return r;
	if (got == 0)
		return att_diag_set(d, ATT_ERR_NOT_FOUND,
			"pkcs11: no private key object=%s in token %s",
			what ? what : "(by id)", p->label);
	if (got > 1)
		return att_diag_set(d, ATT_ERR_FORMAT,
			"pkcs11: more than one private key object=%s in token %s",
			what ? what : "(by id)", p->label);
	if ((r = get_attr(p, h[0], CKA_KEY_TYPE, (uint8_t *)&kt, &ktl, d)) != 0 ||
	    (r = get_attr(p, h[0], CKA_ID, id, &id_len, d)) != 0)
		return r;
	/* its public key: same CKA_ID (and label when given) */
	cls = CKO_PUBLIC_KEY;
	nt = what ? 2 : 1;
	t[nt].type = CKA_ID;
	t[nt].pValue = id;
	t[nt++].ulValueLen = (CK_ULONG)id_len;
	if ((r = find(p, t, nt, pubh, 2, &got, d)) != 0)
		return r;
	if (got != 1)
		return att_diag_set(d, ATT_ERR_NOT_FOUND,
			"pkcs11: %s public key for object=%s in token %s",
			got ? "more than one" : "no", what ? what : "(by id)",
			p->label);
	if ((r = public_of(&pub, p, pubh[0], kt, d)) != 0)
		return r;
	r = wrap_key(out, p, h[0], pub);
	att_pkey_free(pub);
	return r;
}

int att_p11_key_generate(struct att_pkey **out, struct att_p11 *p,
			 enum att_key_kind kind, const char *label,
			 struct att_diag *d)
{
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG bits = 0;
	uint8_t e[] = {0x01, 0x00, 0x01}, id[16];
	CK_MECHANISM mech = {CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0};
	CK_OBJECT_HANDLE pubh = 0, privh = 0;
	CK_KEY_TYPE kt = CKK_RSA;
	struct att_pkey *pub = NULL;
	const uint8_t *oid = NULL;
	size_t oid_len = 0;
	int r;
	*out = NULL;
	switch (kind) {
	case ATT_KEY_RSA2048: bits = 2048; break;
	case ATT_KEY_RSA3072: bits = 3072; break;
	case ATT_KEY_RSA4096: bits = 4096; break;
	case ATT_KEY_EC_P256: oid = oid_p256; oid_len = sizeof(oid_p256); break;
	case ATT_KEY_EC_P384: oid = oid_p384; oid_len = sizeof(oid_p384); break;
	default:
		return att_diag_set(d, ATT_ERR_UNSUPPORTED,
				    "pkcs11: cannot make a %s key",
				    att_pkey_kind_name(kind));
	}
	if (!label || !*label)
		return ATT_ERR_INVALID_ARG;
	if ((r = att_rand_bytes(id, sizeof(id))) != 0)
		return r;
	CK_ULONG ll = (CK_ULONG)strlen(label);
	CK_ATTRIBUTE pubt[6] = {
		{CKA_TOKEN, &yes, sizeof(yes)},
		{CKA_VERIFY, &yes, sizeof(yes)},
		{CKA_LABEL, (void *)label, ll},
		{CKA_ID, id, sizeof(id)},
	};
	CK_ULONG npub = 4;
	if (oid) {
		mech.mechanism = CKM_EC_KEY_PAIR_GEN;
		kt = CKK_EC;
		pubt[npub].type = CKA_EC_PARAMS;
		pubt[npub].pValue = (void *)oid;
		pubt[npub++].ulValueLen = (CK_ULONG)oid_len;
	} else {
		pubt[npub].type = CKA_MODULUS_BITS;
		pubt[npub].pValue = &bits;
		pubt[npub++].ulValueLen = sizeof(bits);
		pubt[npub].type = CKA_PUBLIC_EXPONENT;
		pubt[npub].pValue = e;
		pubt[npub++].ulValueLen = sizeof(e);
	}
	CK_ATTRIBUTE privt[] = {
		{CKA_TOKEN, &yes, sizeof(yes)},
		{CKA_PRIVATE, &yes, sizeof(yes)},
		{CKA_SENSITIVE, &yes, sizeof(yes)},
		{CKA_EXTRACTABLE, &no, sizeof(no)},
		{CKA_SIGN, &yes, sizeof(yes)},
		{CKA_LABEL, (void *)label, ll},
		{CKA_ID, id, sizeof(id)},
	};
	struct session *s = session_take(p);
	CK_RV rv = p->f->C_GenerateKeyPair(
		s->h, &mech, pubt, npub, privt,
		sizeof(privt) / sizeof(privt[0]), &pubh, &privh);
	session_give(s);
	if (rv != CKR_OK)
		return P11_FAIL(d, rv, "C_GenerateKeyPair");
	if ((r = public_of(&pub, p, pubh, kt, d)) != 0)
		return r;
	r = wrap_key(out, p, privh, pub);
	att_pkey_free(pub);
	return r;
}

int att_p11_key_count(struct att_p11 *p, const char *prefix,
		      bool protected_only, size_t *n, struct att_diag *d)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)},
			    {CKA_SENSITIVE, &yes, sizeof(yes)},
			    {CKA_EXTRACTABLE, &no, sizeof(no)},
			    {CKA_TOKEN, &yes, sizeof(yes)}};
	CK_OBJECT_HANDLE h[64];
	CK_ULONG got = 0;
	size_t pl = prefix ? strlen(prefix) : 0;
	int r;
	*n = 0;
	if ((r = find(p, t, protected_only ? 4 : 1, h, 64, &got, d)) != 0)
		return r;
	for (CK_ULONG i = 0; i < got; i++) {
		uint8_t lab[ATT_P11_MAX_ATTR];
		size_t ll = sizeof(lab);
		if (get_attr(p, h[i], CKA_LABEL, lab, &ll, NULL) != 0)
			continue;
		if (ll >= pl && (pl == 0 || !memcmp(lab, prefix, pl)))
			(*n)++;
	}
	return 0;
}
