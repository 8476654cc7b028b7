/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the policy module shared by its files (not for other
 * modules): the arena that owns a compiled policy, the lexer's tokens,
 * the AST, run-time values, the builtin function table and the JmesPath
 * bridge. Source positions ride on every node so that compile errors and
 * explain traces can point at the text.
 */
#ifndef ATT_POLICY_INTERNAL_H
#define ATT_POLICY_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "policy/policy.h"

/* ---- arena ---------------------------------------------------------- */

struct att_pol_chunk;

/* A bump allocator. It may start on a caller's buffer (the evaluator
 * uses a stack buffer, so that small evaluations allocate nothing for
 * scratch); further chunks come from the heap. */
struct att_pol_arena {
	struct att_pol_chunk *chunk; /* newest heap chunk, or NULL */
	unsigned char *base;	     /* current region */
	size_t cap;
	size_t used;
	unsigned char *init; /* caller's buffer (may be NULL) */
	size_t init_cap;
};

/* A position in an arena, to free everything allocated after it. */
struct att_pol_mark {
	struct att_pol_chunk *chunk;
	size_t used;
};

void att_pol_arena_init(struct att_pol_arena *a, void *buf, size_t buf_len);
/* att_pol_alloc returns n zeroed bytes aligned for any type, or NULL. */
void *att_pol_alloc(struct att_pol_arena *a, size_t n);
char *att_pol_strndup(struct att_pol_arena *a, const char *s, size_t n);
void att_pol_arena_mark(const struct att_pol_arena *a, struct att_pol_mark *m);
void att_pol_arena_reset(struct att_pol_arena *a, const struct att_pol_mark *m);
void att_pol_arena_release(struct att_pol_arena *a);

/* ---- positions, sections, tokens ------------------------------------ */

struct att_pol_pos {
	unsigned line;
	unsigned col;
};

enum att_pol_section {
	ATT_POL_CONFIG,
	ATT_POL_AUTHZ,
	ATT_POL_ISSUANCE,
	ATT_POL_NSECTIONS,
};

/* "configurationrules", "authorizationrules", "issuancerules". */
const char *att_pol_section_name(enum att_pol_section s);

enum att_pol_tok {
	ATT_POL_T_EOF,
	ATT_POL_T_ERROR, /* the lexer's message is in the lexer */
	ATT_POL_T_WORD,
	ATT_POL_T_STRING,
	ATT_POL_T_INT,
	ATT_POL_T_NUMBER, /* digits '.' digits: only the version uses it */
	ATT_POL_T_SEMI,
	ATT_POL_T_LBRACE,
	ATT_POL_T_RBRACE,
	ATT_POL_T_LBRACK,
	ATT_POL_T_RBRACK,
	ATT_POL_T_LPAREN,
	ATT_POL_T_RPAREN,
	ATT_POL_T_COMMA,
	ATT_POL_T_COLON,
	ATT_POL_T_DOT,
	ATT_POL_T_ASSIGN, /* = */
	ATT_POL_T_EQ,
	ATT_POL_T_NE,
	ATT_POL_T_LT,
	ATT_POL_T_LE,
	ATT_POL_T_GT,
	ATT_POL_T_GE,
	ATT_POL_T_ARROW, /* => */
	ATT_POL_T_AND,	 /* && */
	ATT_POL_T_NOT,	 /* ! */
};

struct att_pol_token {
	enum att_pol_tok kind;
	const char *p; /* the token's text in the policy */
	size_t len;
	struct att_pol_pos pos;
};

struct att_pol_lexer {
	const char *p;
	const char *end;
	unsigned line;
	unsigned col;
	char err[160]; /* why the last ATT_POL_T_ERROR token failed */
};

void att_pol_lex_init(struct att_pol_lexer *lx, const char *text, size_t len);
/* att_pol_lex_next scans the next token (ATT_POL_T_ERROR with lx->err on
 * bad input; the error token's position is where the problem is). */
void att_pol_lex_next(struct att_pol_lexer *lx, struct att_pol_token *tok);
/* att_pol_tok_describe writes how an error message names tok: "';'",
 * "'issuancerules'", "'\"x-ms-sgx-...\"'", "end of input". */
void att_pol_tok_describe(const struct att_pol_token *tok, char *out,
			  size_t out_len);
/* att_pol_word_is compares a word token with a keyword, ignoring case. */
bool att_pol_word_is(const struct att_pol_token *tok, const char *kw);

/* ---- values --------------------------------------------------------- */

/* One run-time value. j is borrowed (from a claim, a constant or the
 * evaluator's temporaries); for strings s/slen may be set instead of j
 * (claim types and issuers are C strings). as_json is the string parsed
 * as JSON text when as_json_known (string constants have it computed at
 * compile time, so that evaluation never writes to the policy). */
struct att_pol_item {
	enum att_claim_vtype vt;
	json_t *j;
	const char *s;
	size_t slen;
	json_t *as_json;
	bool as_json_known;
};

/* A value is a set of items: one for a scalar, several for c.value when c
 * bound several claims or for JsonToClaimValue of an array, none for the
 * empty value (JsonToClaimValue(null)). */
struct att_pol_val {
	struct att_pol_item *v;
	size_t n;
};

/* ---- AST ------------------------------------------------------------ */

enum att_pol_prop {
	ATT_POL_P_TYPE,
	ATT_POL_P_VALUE,
	ATT_POL_P_ISSUER,
	ATT_POL_P_VALUETYPE,
};
const char *att_pol_prop_name(enum att_pol_prop p);

enum att_pol_op {
	ATT_POL_OP_EQ,
	ATT_POL_OP_NE,
	ATT_POL_OP_LT,
	ATT_POL_OP_LE,
	ATT_POL_OP_GT,
	ATT_POL_OP_GE,
};
const char *att_pol_op_text(enum att_pol_op op);

/* Static types for compile-time checks. JSON is a JmesPath result (a
 * String to the language); ANY is a claim value or a JsonToClaimValue
 * result, only known at run time. */
enum att_pol_stype {
	ATT_POL_ST_STRING,
	ATT_POL_ST_INTEGER,
	ATT_POL_ST_BOOLEAN,
	ATT_POL_ST_JSON,
	ATT_POL_ST_ANY,
};
const char *att_pol_stype_name(enum att_pol_stype t);

enum att_pol_expr_kind {
	ATT_POL_E_CONST,
	ATT_POL_E_PROP, /* identifier.property */
	ATT_POL_E_CALL,
};

struct att_pol_func;
struct att_jmespath;

struct att_pol_expr {
	enum att_pol_expr_kind kind;
	enum att_pol_stype stype;
	struct att_pol_pos pos;
	/* ATT_POL_E_CONST: the policy owns item.j and item.as_json. */
	struct att_pol_item item;
	/* ATT_POL_E_PROP */
	const char *ident;
	unsigned slot;
	enum att_pol_prop prop;
	/* ATT_POL_E_CALL; jp is the compiled query of a JmesPath call whose
	 * query is a string literal. */
	const struct att_pol_func *fn;
	struct att_pol_expr **args;
	unsigned nargs;
	struct att_jmespath *jp;
};

/* One "prop op expr" inside [...]. */
struct att_pol_pcond {
	enum att_pol_prop prop;
	enum att_pol_op op;
	struct att_pol_expr *rhs;
	struct att_pol_pos pos;
};

struct att_pol_cond {
	const char *ident; /* NULL when the condition has none */
	unsigned slot;	   /* meaningful when ident != NULL */
	bool negated;
	struct att_pol_pcond *props;
	unsigned nprops;
	struct att_pol_pos pos;
};

enum att_pol_act {
	ATT_POL_A_PERMIT,
	ATT_POL_A_DENY,
	ATT_POL_A_ADD,
	ATT_POL_A_ISSUE,
	ATT_POL_A_ISSUEPROPERTY,
};
const char *att_pol_act_name(enum att_pol_act a);

struct att_pol_action {
	enum att_pol_act kind;
	struct att_pol_pos pos;
	struct att_pol_expr *type;  /* NULL with claim= */
	struct att_pol_expr *value; /* NULL with claim= */
	int claim_slot;		    /* -1 unless claim=IDENT */
	const char *claim_ident;
};

struct att_pol_rule {
	struct att_pol_cond *conds;
	unsigned nconds;
	struct att_pol_action act;
	struct att_pol_pos pos;
	unsigned nslots;
};

struct att_pol_sect {
	bool present;
	struct att_pol_pos pos;
	struct att_pol_rule *rules;
	size_t n;
};

/* What a policy holds outside its arena: JSON references and compiled
 * queries, listed as they are made so that a half-built policy is freed
 * as easily as a whole one. */
struct att_pol_owned {
	struct att_pol_owned *next;
	json_t *j;
	struct att_jmespath *jp;
};

struct att_policy {
	int minor; /* 0, 1, 2 */
	struct att_pol_sect sec[ATT_POL_NSECTIONS];
	unsigned max_slots; /* largest nslots of any rule */
	struct att_pol_arena arena;
	struct att_pol_owned *owned;
	/* Counted while compiling (att_policy_compile_limited). */
	size_t nrules;
	size_t njmespath;
	/* While compiling only: the caller's limits (NULL: none) and where
	 * the first rule / JmesPath call beyond them is (the parse stops
	 * there; the rest of the text is only scanned, to count). */
	const struct att_policy_limits *lim;
	struct att_pol_pos rules_over;
	struct att_pol_pos jmespath_over;
};

/* att_pol_over_jmespath tells whether the JmesPath calls counted so far
 * exceed the compile limits. */
bool att_pol_over_jmespath(const struct att_policy *pol);

/* att_pol_own records that pol holds j and/or jp (either may be NULL);
 * on failure (ATT_ERR_NOMEM) it frees them itself. */
int att_pol_own(struct att_policy *pol, json_t *j, struct att_jmespath *jp);

/* att_pol_parse fills pol (whose arena is initialised) from text. */
int att_pol_parse(struct att_policy *pol, const char *text, size_t len,
		  struct att_policy_error *err);

/* Compile-time errors and checks (check.c). att_pol_errorf records the
 * first error only and returns code. */
int att_pol_errorf(struct att_policy_error *err, int code,
		   struct att_pol_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* att_pol_limitf records (if first) an error of the caller's compile
 * limits (err->limit = limit) and returns ATT_ERR_LIMIT. */
int att_pol_limitf(struct att_policy_error *err, enum att_policy_limit limit,
		   struct att_pol_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int att_pol_check_pcond(struct att_policy *pol, struct att_pol_pcond *pc,
			struct att_policy_error *err);
int att_pol_check_call(struct att_policy *pol, struct att_pol_expr *call,
		       struct att_policy_error *err);
int att_pol_check_action(struct att_policy *pol, enum att_pol_section sec,
			 struct att_pol_action *a,
			 struct att_policy_error *err);

/* ---- rendering (explain, deny summaries) ----------------------------- */

struct att_buf;
/* att_pol_render_expr / _cond append the source-like text of a node:
 * strings in single quotes, long ones shortened. */
int att_pol_render_expr(struct att_buf *b, const struct att_pol_expr *e);
int att_pol_render_props(struct att_buf *b, const struct att_pol_cond *c);
int att_pol_render_cond(struct att_buf *b, const struct att_pol_cond *c);

/* att_pol_claim_json returns a new {"type","value","valueType","issuer"}
 * object, or NULL (explain.c). */
json_t *att_pol_claim_json(const struct att_claim *c);

/* ---- builtins and evaluation ----------------------------------------- */

struct att_pol_ev; /* evaluation context (eval.c) */

/* A builtin function. arg_types lists the accepted static types of each
 * argument as a bit mask of 1 << enum att_pol_stype. */
struct att_pol_func {
	const char *name;
	unsigned nargs;
	unsigned arg_types[2];
	enum att_pol_stype result;
	int (*fn)(struct att_pol_ev *e, const struct att_pol_expr *call,
		  const struct att_pol_val *args, struct att_pol_val *out);
};

/* att_pol_func_lookup finds a builtin by name, ignoring case. */
const struct att_pol_func *att_pol_func_lookup(const char *name, size_t len);

/* Services of the evaluator for builtins (eval.c). */
/* att_pol_ev_items returns n items of scratch memory, or NULL. */
struct att_pol_item *att_pol_ev_items(struct att_pol_ev *e, size_t n);
/* att_pol_ev_keep hands a new reference to the evaluator, which drops it
 * after the current rule; returns j, or NULL (after dropping it) when out
 * of memory or when j is NULL. */
json_t *att_pol_ev_keep(struct att_pol_ev *e, json_t *j);
/* att_pol_ev_parse returns the JSON value of a string item's text
 * (borrowed; parsed once per evaluation and string), or NULL when the
 * text is not JSON or memory ran out. */
json_t *att_pol_ev_parse(struct att_pol_ev *e, const struct att_pol_item *it);
/* att_pol_ev_fail records an evaluation error naming the current rule and
 * the call; returns err. */
int att_pol_ev_fail(struct att_pol_ev *e, const struct att_pol_expr *at,
		    int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Item helpers (value.c). */
/* att_pol_item_str gives the text of a STRING item (NULL otherwise). */
const char *att_pol_item_str(const struct att_pol_item *it, size_t *len);
/* att_pol_item_json returns a borrowed JSON form of the item, creating
 * it through the evaluator when the item is a C string; NULL on NOMEM. */
json_t *att_pol_item_json(struct att_pol_ev *e, const struct att_pol_item *it);
/* att_pol_item_text gives the text the language sees: a STRING's
 * characters, a JSON item's compact JSON text. NULL for integers,
 * booleans, and when out of memory (*err says which). */
const char *att_pol_item_text(struct att_pol_ev *e,
			      const struct att_pol_item *it, size_t *len,
			      int *err);
/* att_pol_item_from_json sets an item from a JSON value (borrowed). */
void att_pol_item_from_json(struct att_pol_item *it, json_t *j,
			    enum att_claim_vtype vt);
/* att_pol_item_cmp tells whether "a op b" holds (see docs/policy.md:
 * values of different types are unequal, ordering needs integers). */
bool att_pol_item_cmp(const struct att_pol_item *a, enum att_pol_op op,
		      const struct att_pol_item *b);
/* att_pol_val_cmp: "a op S" for a set S: == and the orderings hold when
 * some element satisfies them, != when no element is equal. */
bool att_pol_val_cmp(const struct att_pol_item *a, enum att_pol_op op,
		     const struct att_pol_val *s);
/* att_pol_vtype_parse maps "String"/"Integer"/"Boolean" (any case). */
int att_pol_vtype_parse(const char *s, size_t len, enum att_claim_vtype *out);
/* att_pol_json_parse parses JSON text (any value); NULL when invalid. */
json_t *att_pol_json_parse(const char *s, size_t len);

/* The JmesPath bridge (jp.c): the only file calling src/policy/jmespath. */
int att_pol_jp_compile(struct att_jmespath **out, const char *q, size_t len,
		       struct att_diag *diag);
struct att_pol_meter;
int att_pol_jp_eval(const struct att_jmespath *jp, json_t *data,
		    struct att_pol_meter *m, json_t **out,
		    struct att_diag *diag);
void att_pol_jp_free(struct att_jmespath *jp);
unsigned att_pol_jp_height(const struct att_jmespath *jp);

#endif
