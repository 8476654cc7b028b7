/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JMESPath lexer: turns the expression text into tokens one at a time.
 * Identifiers ("quoted" ones decoded with every JSON escape, surrogate
 * pairs included), raw string literals ('...' where only \' is an
 * escape), JSON literals (`...` where \` is a backtick; the content must
 * be valid JSON), numbers and the operators. Errors are syntax errors
 * that name the column where the offending token starts.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "policy/jmespath/ast.h"

void att_jp_token_clear(struct jp_token *t)
{
	json_decref(t->value);
	memset(t, 0, sizeof(*t));
}

static int lex_err(struct jp_lexer *lx, size_t pos, const char *what)
{
	return att_jp_syntax_error(lx->diag, lx->src, pos, "%s", what);
}

static bool is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int make_string(struct jp_lexer *lx, struct jp_token *t, const char *s,
		       size_t n)
{
	t->value = json_stringn(s, n);
	if (!t->value)
		return att_jp_syntax_error(lx->diag, lx->src, t->pos,
					   "invalid UTF-8 in string");
	return 0;
}

static int lex_ident(struct jp_lexer *lx, struct jp_token *t)
{
	size_t end = lx->pos;
	while (end < lx->len && is_ident_char((unsigned char)lx->src[end]))
		end++;
	t->type = JT_IDENT;
	t->len = end - lx->pos;
	lx->pos = end;
	return make_string(lx, t, lx->src + t->pos, t->len);
}

static int lex_number(struct jp_lexer *lx, struct jp_token *t)
{
	size_t end = lx->pos + (lx->src[lx->pos] == '-');
	if (end >= lx->len || !is_digit((unsigned char)lx->src[end]))
		return lex_err(lx, lx->pos, "'-' must be followed by digits");
	while (end < lx->len && is_digit((unsigned char)lx->src[end]))
		end++;
	char tmp[32];
	size_t n = end - lx->pos;
	if (n >= sizeof(tmp))
		return lex_err(lx, lx->pos, "number out of range");
	memcpy(tmp, lx->src + lx->pos, n);
	tmp[n] = 0;
	errno = 0;
	t->num = strtoll(tmp, NULL, 10);
	if (errno == ERANGE)
		return lex_err(lx, lx->pos, "number out of range");
	t->type = JT_NUMBER;
	t->len = n;
	lx->pos = end;
	return 0;
}

static int hex4(const char *s, size_t avail, uint32_t *out)
{
	uint32_t v = 0;
	if (avail < 4)
		return ATT_ERR_JMESPATH_SYNTAX;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d = is_digit((unsigned char)c) ? c - '0'
			: (c >= 'a' && c <= 'f')   ? c - 'a' + 10
			: (c >= 'A' && c <= 'F')   ? c - 'A' + 10
						   : -1;
		if (d < 0)
			return ATT_ERR_JMESPATH_SYNTAX;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

static int put_utf8(struct att_buf *b, uint32_t cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	return att_buf_add(b, u, n);
}

/* lex_unicode decodes \uXXXX (at s, after the backslash) and a following
 * low surrogate when the first is a high one; *used gets the bytes read
 * after the backslash. */
static int lex_unicode(const char *s, size_t avail, uint32_t *cp, size_t *used)
{
	uint32_t hi, lo;
	if (hex4(s + 1, avail - 1, &hi))
		return ATT_ERR_JMESPATH_SYNTAX;
	*used = 5;
	if (hi >= 0xDC00 && hi <= 0xDFFF)
		return ATT_ERR_JMESPATH_SYNTAX;
	if (hi < 0xD800 || hi > 0xDBFF) {
		*cp = hi;
		return 0;
	}
	if (avail < 11 || s[5] != '\\' || s[6] != 'u' ||
	    hex4(s + 7, avail - 7, &lo) || lo < 0xDC00 || lo > 0xDFFF)
		return ATT_ERR_JMESPATH_SYNTAX;
	*cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
	*used = 11;
	return 0;
}

/* lex_escape handles one escape at src[*i] == '\\'; advances *i. */
static int lex_escape(struct jp_lexer *lx, size_t *i, struct att_buf *b)
{
	const char *s = lx->src + *i;
	size_t avail = lx->len - *i - 1;
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	if (avail == 0)
		return lex_err(lx, *i, "unterminated quoted identifier");
	const char *k = s[1] ? strchr(from, s[1]) : NULL;
	if (k) {
		*i += 2;
		return att_buf_add(b, &to[k - from], 1);
	}
	uint32_t cp;
	size_t used;
	if (s[1] != 'u' || lex_unicode(s + 1, avail, &cp, &used))
		return lex_err(lx, *i, "invalid escape in quoted identifier");
	*i += 1 + used;
	return put_utf8(b, cp);
}

static int lex_quoted(struct jp_lexer *lx, struct jp_token *t)
{
	struct att_buf b;
	int r = 0;
	size_t i = lx->pos + 1;
	att_buf_init(&b, ATT_MAX_JMESPATH_LEN * 4);
	while (r == 0) {
		if (i >= lx->len) {
			r = lex_err(lx, t->pos,
				    "unterminated quoted identifier");
			break;
		}
		unsigned char c = (unsigned char)lx->src[i];
		if (c == '"')
			break;
		if (c == '\\')
			r = lex_escape(lx, &i, &b);
		else if (c < 0x20)
			r = lex_err(lx, i,
				    "control character in quoted "
				    "identifier");
		else
			r = att_buf_add(&b, &lx->src[i++], 1);
	}
	if (r == 0) {
		t->type = JT_QIDENT;
		t->len = i + 1 - t->pos;
		lx->pos = i + 1;
		r = make_string(lx, t, (const char *)b.data, b.len);
	}
	att_buf_release(&b);
	return r < 0 && r != ATT_ERR_JMESPATH_SYNTAX
		   ? att_jp_syntax_error(lx->diag, lx->src, t->pos,
					 "quoted identifier too long")
		   : r;
}

/* lex_delimited copies the text up to the closing delim into b: a
 * backslash keeps the next character, and "\<delim>" becomes delim. */
static int lex_delimited(struct jp_lexer *lx, char delim, struct att_buf *b,
			 size_t *end)
{
	size_t i = lx->pos + 1;
	int r = 0;
	for (; r == 0; i++) {
		if (i >= lx->len)
			return lex_err(lx, lx->pos,
				       delim == '`'
					   ? "unterminated JSON literal"
					   : "unterminated raw string");
		if (lx->src[i] == delim)
			break;
		if (lx->src[i] == '\\' && i + 1 < lx->len) {
			if (lx->src[i + 1] != delim)
				r = att_buf_add(b, "\\", 1);
			i++;
		}
		if (r == 0)
			r = att_buf_add(b, &lx->src[i], 1);
	}
	*end = i + 1;
	return r;
}

static int lex_rawstr(struct jp_lexer *lx, struct jp_token *t)
{
	struct att_buf b;
	size_t end = 0;
	att_buf_init(&b, ATT_MAX_JMESPATH_LEN);
	int r = lex_delimited(lx, '\'', &b, &end);
	if (r == 0) {
		t->type = JT_RAWSTR;
		t->len = end - t->pos;
		lx->pos = end;
		r = make_string(lx, t, b.data ? (const char *)b.data : "",
				b.len);
	}
	att_buf_release(&b);
	return r;
}

static int lex_literal(struct jp_lexer *lx, struct jp_token *t)
{
	struct att_buf b;
	size_t end = 0;
	json_error_t je;
	att_buf_init(&b, ATT_MAX_JMESPATH_LEN);
	int r = lex_delimited(lx, '`', &b, &end);
	if (r == 0) {
		t->type = JT_LITERAL;
		t->len = end - t->pos;
		lx->pos = end;
		t->value = json_loadb(b.data ? (const char *)b.data : "", b.len,
				      JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
		if (t->value && att_jp_too_deep(t->value, 0))
			r = att_diag_set(lx->diag, ATT_ERR_LIMIT,
					 "limit: JSON literal at column %zu "
					 "nested deeper than %d levels",
					 att_jp_column(lx->src, t->pos),
					 ATT_JMESPATH_MAX_VALUE_DEPTH);
		else if (!t->value)
			r = att_jp_syntax_error(lx->diag, lx->src, t->pos,
						"invalid JSON literal: %s",
						je.text);
	}
	att_buf_release(&b);
	return r;
}

struct op2 {
	char c1, c2;
	enum jp_tok two, one;
};

/* Operators that may be one or two characters; one == JT_EOF means the
 * single character is not a token by itself. */
static const struct op2 ops2[] = {
    {'[', '?', JT_FILTER, JT_LBRACKET}, {'[', ']', JT_FLATTEN, JT_LBRACKET},
    {'|', '|', JT_OR, JT_PIPE},		{'&', '&', JT_AND, JT_EXPREF},
    {'!', '=', JT_NE, JT_NOT},		{'<', '=', JT_LE, JT_LT},
    {'>', '=', JT_GE, JT_GT},		{'=', '=', JT_EQ, JT_EOF},
};

static const char ops1[] = ".*],:@(){}";
static const enum jp_tok ops1_tok[] = {
    JT_DOT,	JT_STAR,   JT_RBRACKET, JT_COMMA,  JT_COLON,
    JT_CURRENT, JT_LPAREN, JT_RPAREN,	JT_LBRACE, JT_RBRACE,
};

/* lex_op recognises operators; returns 1 when none matched. */
static int lex_op(struct jp_lexer *lx, struct jp_token *t)
{
	char c = lx->src[lx->pos];
	char n = lx->pos + 1 < lx->len ? lx->src[lx->pos + 1] : 0;
	const char *k = c ? strchr(ops1, c) : NULL;
	if (k) {
		t->type = ops1_tok[k - ops1];
		t->len = 1;
		lx->pos++;
		return 0;
	}
	const size_t nops = sizeof(ops2) / sizeof(ops2[0]);
	for (size_t i = 0; i < nops; i++) {
		if (ops2[i].c1 == c && ops2[i].c2 == n) {
			t->type = ops2[i].two;
			t->len = 2;
			lx->pos += 2;
			return 0;
		}
	}
	for (size_t i = 0; i < nops; i++) {
		if (ops2[i].c1 == c && ops2[i].one != JT_EOF) {
			t->type = ops2[i].one;
			t->len = 1;
			lx->pos++;
			return 0;
		}
	}
	return 1;
}

static void skip_space(struct jp_lexer *lx)
{
	while (lx->pos < lx->len &&
	       (lx->src[lx->pos] == ' ' || lx->src[lx->pos] == '\t' ||
		lx->src[lx->pos] == '\n' || lx->src[lx->pos] == '\r'))
		lx->pos++;
}

int att_jp_lex_next(struct jp_lexer *lx, struct jp_token *t)
{
	memset(t, 0, sizeof(*t));
	skip_space(lx);
	t->pos = lx->pos;
	if (lx->pos >= lx->len) {
		t->type = JT_EOF;
		return 0;
	}
	unsigned char c = (unsigned char)lx->src[lx->pos];
	if (is_ident_start(c))
		return lex_ident(lx, t);
	if (is_digit(c) || c == '-')
		return lex_number(lx, t);
	if (c == '"')
		return lex_quoted(lx, t);
	if (c == '\'')
		return lex_rawstr(lx, t);
	if (c == '`')
		return lex_literal(lx, t);
	if (lex_op(lx, t) == 0)
		return 0;
	if (c == '=')
		return lex_err(lx, lx->pos,
			       "unexpected '=' (did you mean '==')");
	if (c >= 0x20 && c < 0x7F)
		return att_jp_syntax_error(lx->diag, lx->src, lx->pos,
					   "unexpected character '%c'", c);
	return lex_err(lx, lx->pos, "unexpected character");
}
