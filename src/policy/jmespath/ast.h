/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal interface of the JMESPath engine: tokens (lexer.c), the AST
 * built by parser.c, the evaluation context shared by eval.c and
 * functions.c, and the value helpers of value.c (truthiness, equality,
 * ordering, compact JSON output). Nothing here is visible outside
 * src/policy/jmespath/. A compiled AST is never written after
 * att_jmespath_compile returns; evaluation state lives in struct jp_ctx.
 */
#ifndef ATT_POLICY_JMESPATH_AST_H
#define ATT_POLICY_JMESPATH_AST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/limits.h"
#include "policy/jmespath/jmespath.h"
#include "policy/meter.h"

/* ATT_JMESPATH_MAX_STRING_LEN and ATT_JMESPATH_MAX_VALUE_DEPTH are in
 * base/limits.h. */

enum jp_tok {
	JT_EOF,
	JT_IDENT,   /* unquoted identifier */
	JT_QIDENT,  /* "quoted identifier" */
	JT_LITERAL, /* `json` */
	JT_RAWSTR,  /* 'raw string' */
	JT_NUMBER,
	JT_DOT,
	JT_STAR,
	JT_LBRACKET,
	JT_RBRACKET,
	JT_FILTER,  /* [? */
	JT_FLATTEN, /* [] */
	JT_LBRACE,
	JT_RBRACE,
	JT_LPAREN,
	JT_RPAREN,
	JT_COMMA,
	JT_COLON,
	JT_PIPE,
	JT_OR,
	JT_AND,
	JT_NOT,
	JT_EXPREF,
	JT_CURRENT,
	JT_EQ,
	JT_NE,
	JT_LT,
	JT_LE,
	JT_GT,
	JT_GE,
};

struct jp_token {
	enum jp_tok type;
	size_t pos;    /* byte offset in the expression */
	size_t len;    /* bytes of source text */
	json_t *value; /* identifiers, raw strings, literals (owned) */
	long long num; /* JT_NUMBER */
};

enum jp_kind {
	JN_IDENTITY, /* the node evaluated by an enclosing construct */
	JN_CURRENT,  /* @ */
	JN_FIELD,    /* value: key string */
	JN_LITERAL,  /* value: the literal */
	JN_INDEX,    /* idx[0] */
	JN_SLICE,    /* idx[0..2] where has[i] */
	JN_SUBEXPR,  /* kids applied in sequence (a.b, a[0]) */
	JN_PIPE,     /* kids applied in sequence, projections stopped */
	JN_OR,	     /* kids, first truthy (or last) */
	JN_AND,	     /* kids, first falsy (or last) */
	JN_NOT,	     /* lhs */
	JN_CMP,	     /* op: JT_EQ..JT_GE; lhs, rhs */
	JN_PROJECT,  /* lhs: array source, rhs: applied to each element */
	JN_VPROJECT, /* lhs: object source, rhs: applied to each value */
	JN_FPROJECT, /* lhs, rhs, cond */
	JN_FLATTEN,  /* lhs */
	JN_MLIST,    /* kids */
	JN_MHASH,    /* kids; value: array of key strings */
	JN_FUNC,     /* value: name; op: function index; kids: arguments */
	JN_EXPREF,   /* lhs */
};

struct jp_node {
	enum jp_kind kind;
	int op;
	size_t pos;
	unsigned depth; /* height of the subtree */
	json_t *value;
	long long idx[3];
	bool has[3];
	struct jp_node *lhs, *rhs, *cond;
	struct jp_node **kids;
	size_t nkids;
};

struct att_jmespath {
	struct jp_node *root;
	unsigned flags;
	char *text; /* NUL-terminated copy of the expression */
	size_t len;
};

/* Evaluation state of one att_jmespath_eval call. The meter is the
 * call's own (ATT_MAX_JMESPATH_STEPS) or the calling policy's. */
struct jp_ctx {
	const struct att_jmespath *jp;
	struct att_diag *diag;
	struct att_pol_meter *m;
	unsigned depth;
};

/* What a new JSON value is charged (bytes; docs/jmespath.md "Limits"):
 * each value, each array slot, each object member. */
#define JP_VALUE_BYTES 64
#define JP_SLOT_BYTES 16
#define JP_MEMBER_BYTES 64

/* lexer.c */
struct jp_lexer {
	const char *src;
	size_t len;
	size_t pos;
	struct att_diag *diag;
};
int att_jp_lex_next(struct jp_lexer *lx, struct jp_token *t);
void att_jp_token_clear(struct jp_token *t);

/* parser.c */
void att_jp_node_free(struct jp_node *n);

/* errors (value.c). pos is a byte offset into src; the message names the
 * 1-based column in code points. */
size_t att_jp_column(const char *src, size_t pos);
int att_jp_syntax_error(struct att_diag *d, const char *src, size_t pos,
			const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int att_jp_error(struct jp_ctx *c, int err, const struct jp_node *at,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int att_jp_nomem(struct jp_ctx *c);

/* value.c */
const char *att_jp_type_name(const json_t *v);
bool att_jp_truthy(const json_t *v);
bool att_jp_is_number(const json_t *v);
double att_jp_number(const json_t *v);
int att_jp_num_cmp(const json_t *a, const json_t *b);
int att_jp_str_cmp(const json_t *a, const json_t *b);
int att_jp_equal(struct jp_ctx *c, const json_t *a, const json_t *b, bool *eq);
/* att_jp_out_of_budget sets the limit message of an empty meter and
 * returns ATT_ERR_LIMIT. */
int att_jp_out_of_budget(struct jp_ctx *c);
/* att_jp_charge pays steps (inline: it runs at every node). */
static inline int att_jp_charge(struct jp_ctx *c, unsigned long long steps)
{
	return att_pol_meter_steps(c->m, steps) ? att_jp_out_of_budget(c) : 0;
}
/* att_jp_charge_bytes pays for scanning or hashing n bytes (steps). */
static inline int att_jp_charge_bytes(struct jp_ctx *c, size_t n)
{
	return att_jp_charge(c, n / 64);
}
/* att_jp_charge_alloc pays for n bytes of memory about to be allocated. */
static inline int att_jp_charge_alloc(struct jp_ctx *c, size_t n)
{
	return att_pol_meter_bytes(c->m, n) ? att_jp_out_of_budget(c) : 0;
}
/* att_jp_charge_new pays for a value just made (v not shared with the
 * input): its own size, not its members' (made and charged before). */
int att_jp_charge_new(struct jp_ctx *c, const json_t *v);
int att_jp_dump(struct jp_ctx *c, const json_t *v, struct att_buf *out);
int att_jp_copy(struct jp_ctx *c, const json_t *v, json_t **out);
size_t att_jp_utf8_count(const char *s, size_t len);
bool att_jp_utf8_valid(const char *s, size_t len, size_t *bad);
json_t *att_jp_number_from_double(double d);
/* att_jp_too_deep tells whether v nests deeper than
 * ATT_JMESPATH_MAX_VALUE_DEPTH (without recursing further than that). */
bool att_jp_too_deep(const json_t *v, unsigned depth);

/* eval.c */
int att_jp_eval(struct jp_ctx *c, const struct jp_node *n, json_t *cur,
		json_t **out);

/* functions.c */
int att_jp_func_lookup(const char *name, size_t len, unsigned flags);
const char *att_jp_func_name(int fn);
/* att_jp_func_arity_ok checks the argument count; the message says what the
 * function takes ("1 argument", "at least 1 argument"). */
bool att_jp_func_arity_ok(int fn, size_t nargs, const char **takes);
int att_jp_func_call(struct jp_ctx *c, const struct jp_node *call, json_t *cur,
		     json_t **out);

#endif
