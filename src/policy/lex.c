/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy lexer. It only splits text into tokens with their positions
 * (line and column, columns counted in characters); keywords are words
 * that the parser compares without regard to case, and string escapes are
 * decoded by the parser. Every byte outside strings and comments must be
 * ASCII: typographic quotes (seen in MAA's rendered docs) are reported by
 * name rather than accepted (docs/policy.md).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy/internal.h"

void att_pol_lex_init(struct att_pol_lexer *lx, const char *text, size_t len)
{
	lx->p = text;
	lx->end = text + len;
	lx->line = 1;
	lx->col = 1;
	lx->err[0] = 0;
	/* A UTF-8 byte order mark at the start is not part of the policy. */
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		lx->p += 3;
}

/* advance moves over n bytes of one line, counting characters. */
static void advance(struct att_pol_lexer *lx, size_t n)
{
	for (size_t i = 0; i < n; i++, lx->p++)
		if (((unsigned char)*lx->p & 0xC0) != 0x80)
			lx->col++;
}

static void newline(struct att_pol_lexer *lx)
{
	lx->p++;
	lx->line++;
	lx->col = 1;
}

static void skip_space(struct att_pol_lexer *lx)
{
	while (lx->p < lx->end) {
		char c = *lx->p;
		if (c == '\n') {
			newline(lx);
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
			   c == '\v') {
			advance(lx, 1);
		} else if (c == '/' && lx->end - lx->p >= 2 && lx->p[1] == '/') {
			while (lx->p < lx->end && *lx->p != '\n')
				advance(lx, 1);
		} else {
			break;
		}
	}
}

static void set_err(struct att_pol_lexer *lx, struct att_pol_token *tok,
		    const char *msg)
{
	tok->kind = ATT_POL_T_ERROR;
	snprintf(lx->err, sizeof(lx->err), "%s", msg);
}

/* utf8_len returns the length of a valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t n;
	uint32_t cp;
	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xE0) == 0xC0) {
		n = 2;
		cp = p[0] & 0x1F;
	} else if ((p[0] & 0xF0) == 0xE0) {
		n = 3;
		cp = p[0] & 0x0F;
	} else if ((p[0] & 0xF8) == 0xF0) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

/* A string runs to the next unescaped '"' on the same line; escapes are
 * kept for the parser. */
static void lex_string(struct att_pol_lexer *lx, struct att_pol_token *tok)
{
	const unsigned char *p = (const unsigned char *)lx->p + 1;
	const unsigned char *end = (const unsigned char *)lx->end;
	while (p < end && *p != '"') {
		if (*p == '\n' || *p == '\r' || *p == 0)
			break;
		if (*p == '\\' && p + 1 < end && (p[1] == '"' || p[1] == '\\')) {
			p += 2;
			continue;
		}
		size_t n = utf8_len(p, end);
		if (n == 0) {
			set_err(lx, tok, "string is not valid UTF-8");
			return;
		}
		p += n;
	}
	if (p >= end || *p != '"') {
		set_err(lx, tok, "unterminated string");
		return;
	}
	tok->kind = ATT_POL_T_STRING;
	tok->len = (size_t)(p + 1 - (const unsigned char *)lx->p);
	advance(lx, tok->len);
}

static void lex_number(struct att_pol_lexer *lx, struct att_pol_token *tok)
{
	const char *p = lx->p;
	tok->kind = ATT_POL_T_INT;
	if (*p == '-')
		p++;
	if (lx->end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    isxdigit((unsigned char)p[2])) {
		p += 2;
		while (p < lx->end && isxdigit((unsigned char)*p))
			p++;
	} else {
		while (p < lx->end && isdigit((unsigned char)*p))
			p++;
		if (lx->end - p >= 2 && *p == '.' &&
		    isdigit((unsigned char)p[1])) {
			p++;
			while (p < lx->end && isdigit((unsigned char)*p))
				p++;
			tok->kind = ATT_POL_T_NUMBER;
		}
	}
	if (p < lx->end && (isalnum((unsigned char)*p) || *p == '_')) {
		set_err(lx, tok, "malformed number");
		return;
	}
	tok->len = (size_t)(p - lx->p);
	advance(lx, tok->len);
}

static const struct {
	const char *text;
	enum att_pol_tok kind;
} puncts[] = {
	{"=>", ATT_POL_T_ARROW}, {"==", ATT_POL_T_EQ},	  {"!=", ATT_POL_T_NE},
	{"<=", ATT_POL_T_LE},	 {">=", ATT_POL_T_GE},	  {"&&", ATT_POL_T_AND},
	{";", ATT_POL_T_SEMI},	 {"{", ATT_POL_T_LBRACE}, {"}", ATT_POL_T_RBRACE},
	{"[", ATT_POL_T_LBRACK}, {"]", ATT_POL_T_RBRACK}, {"(", ATT_POL_T_LPAREN},
	{")", ATT_POL_T_RPAREN}, {",", ATT_POL_T_COMMA},  {":", ATT_POL_T_COLON},
	{".", ATT_POL_T_DOT},	 {"=", ATT_POL_T_ASSIGN}, {"<", ATT_POL_T_LT},
	{">", ATT_POL_T_GT},	 {"!", ATT_POL_T_NOT},
};

static void lex_bad_char(struct att_pol_lexer *lx, struct att_pol_token *tok)
{
	const unsigned char *p = (const unsigned char *)lx->p;
	const unsigned char *end = (const unsigned char *)lx->end;
	char msg[96];
	if (end - p >= 3 && p[0] == 0xE2 && p[1] == 0x80 &&
	    (p[2] == 0x9C || p[2] == 0x9D || p[2] == 0x98 || p[2] == 0x99)) {
		/* U+2018, U+2019, U+201C, U+201D */
		snprintf(msg, sizeof(msg),
			 "typographic quote U+%04X; use a straight '\"'",
			 0x2000 + (unsigned)(p[2] - 0x80));
	} else if (*p >= 0x20 && *p < 0x7F) {
		snprintf(msg, sizeof(msg), "unexpected character '%c'", *p);
	} else {
		snprintf(msg, sizeof(msg), "unexpected byte 0x%02X", *p);
	}
	set_err(lx, tok, msg);
}

void att_pol_lex_next(struct att_pol_lexer *lx, struct att_pol_token *tok)
{
	skip_space(lx);
	tok->p = lx->p;
	tok->len = 0;
	tok->pos.line = lx->line;
	tok->pos.col = lx->col;
	if (lx->p >= lx->end) {
		tok->kind = ATT_POL_T_EOF;
		return;
	}
	unsigned char c = (unsigned char)*lx->p;
	if (isalpha(c) || c == '_') {
		const char *p = lx->p;
		while (p < lx->end && (isalnum((unsigned char)*p) || *p == '_'))
			p++;
		tok->kind = ATT_POL_T_WORD;
		tok->len = (size_t)(p - lx->p);
		advance(lx, tok->len);
		return;
	}
	if (isdigit(c) || (c == '-' && lx->end - lx->p >= 2 &&
			   isdigit((unsigned char)lx->p[1]))) {
		lex_number(lx, tok);
		return;
	}
	if (c == '"') {
		lex_string(lx, tok);
		return;
	}
	size_t avail = (size_t)(lx->end - lx->p);
	for (size_t i = 0; i < sizeof(puncts) / sizeof(puncts[0]); i++) {
		size_t n = strlen(puncts[i].text);
		if (n <= avail && !memcmp(lx->p, puncts[i].text, n)) {
			tok->kind = puncts[i].kind;
			tok->len = n;
			advance(lx, n);
			return;
		}
	}
	lex_bad_char(lx, tok);
}

void att_pol_tok_describe(const struct att_pol_token *tok, char *out,
			  size_t out_len)
{
	if (tok->kind == ATT_POL_T_EOF) {
		snprintf(out, out_len, "end of input");
		return;
	}
	/* Long tokens (strings, mostly) are shortened to keep the message on
	 * one readable line. */
	size_t n = tok->len > 40 ? 37 : tok->len;
	while (n < tok->len && n > 0 && ((unsigned char)tok->p[n] & 0xC0) == 0x80)
		n--; /* never cut a UTF-8 sequence */
	snprintf(out, out_len, "'%.*s%s'", (int)n, tok->p,
		 n < tok->len ? "..." : "");
}

bool att_pol_word_is(const struct att_pol_token *tok, const char *kw)
{
	size_t n = strlen(kw);
	return tok->kind == ATT_POL_T_WORD && tok->len == n &&
	       !strncasecmp(tok->p, kw, n);
}
