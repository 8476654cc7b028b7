/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy parser: a recursive-descent reading of the grammar in
 * docs/policy.md (MAA docs "Claim rule grammar", with the tolerances we
 * chose), building
 * the AST in the policy's arena. Identifiers are resolved while parsing
 * (an identifier must be bound by an earlier condition of the same rule)
 * and check.c is called on each finished node, so that every error,
 * syntax or type, is reported at its position with the first one winning.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attest/err.h"
#include "base/limits.h"
#include "policy/internal.h"

struct parser {
	struct att_policy *pol;
	struct att_pol_lexer lx;
	struct att_pol_token tok;
	struct att_pol_lexer peek_lx; /* lexer state after the peeked token */
	struct att_pol_token peek;
	bool has_peek;
	struct att_policy_error *err;
	enum att_pol_section sec;
	unsigned depth;
	/* A count went past the caller's limits: the parse unwinds and the
	 * rest of the text is only scanned, to count (finish_counts). */
	bool over;
	bool before_arrow; /* the current rule's '=>' is still ahead */
	/* identifiers bound so far in the current rule */
	struct ident {
		const char *name;
		struct att_pol_pos pos;
	} *idents;
	size_t nidents;
	size_t ident_cap;
};

static void next(struct parser *ps)
{
	if (ps->has_peek) {
		ps->tok = ps->peek;
		ps->lx = ps->peek_lx;
		ps->has_peek = false;
		return;
	}
	att_pol_lex_next(&ps->lx, &ps->tok);
}

static const struct att_pol_token *peek(struct parser *ps)
{
	if (!ps->has_peek) {
		ps->peek_lx = ps->lx;
		att_pol_lex_next(&ps->peek_lx, &ps->peek);
		ps->has_peek = true;
	}
	return &ps->peek;
}

/* expected reports "expected WHAT but found TOKEN" at the current token,
 * or the lexer's own message when the token is malformed. */
static int expected(struct parser *ps, const char *what)
{
	if (ps->tok.kind == ATT_POL_T_ERROR)
		return att_pol_errorf(ps->err, ATT_ERR_POLICY_SYNTAX,
				      ps->tok.pos, "%s", ps->lx.err);
	char found[64];
	att_pol_tok_describe(&ps->tok, found, sizeof(found));
	return att_pol_errorf(ps->err, ATT_ERR_POLICY_SYNTAX, ps->tok.pos,
			      "expected %s but found %s", what, found);
}

static int nomem(struct parser *ps)
{
	return att_pol_errorf(ps->err, ATT_ERR_NOMEM, ps->tok.pos,
			      "out of memory");
}

static int expect(struct parser *ps, enum att_pol_tok kind, const char *what)
{
	if (ps->tok.kind != kind)
		return expected(ps, what);
	next(ps);
	return 0;
}

/* grow_array doubles an arena array when it is full (the old copy stays
 * in the arena: at most twice the final size). */
static int grow_array(struct parser *ps, void **arr, size_t n, size_t *cap,
		      size_t elsize)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 4;
	if (ncap > SIZE_MAX / elsize)
		return nomem(ps);
	void *p = att_pol_alloc(&ps->pol->arena, ncap * elsize);
	if (!p)
		return nomem(ps);
	if (n)
		memcpy(p, *arr, n * elsize);
	*arr = p;
	*cap = ncap;
	return 0;
}

/* ---- literals -------------------------------------------------------- */

/* decode_string removes the quotes and decodes \" and \\; any other
 * backslash is kept with the character after it, since JmesPath queries
 * and JSON texts inside strings carry their own escapes. */
static int decode_string(struct parser *ps, const struct att_pol_token *t,
			 char **out, size_t *out_len)
{
	char *s = att_pol_alloc(&ps->pol->arena, t->len);
	if (!s)
		return nomem(ps);
	size_t n = 0;
	for (size_t i = 1; i + 1 < t->len; i++) {
		if (t->p[i] == '\\' && i + 2 < t->len &&
		    (t->p[i + 1] == '"' || t->p[i + 1] == '\\'))
			i++;
		s[n++] = t->p[i];
	}
	s[n] = 0;
	*out = s;
	*out_len = n;
	return 0;
}

static int parse_int(struct parser *ps, const struct att_pol_token *t,
		     long long *out)
{
	char buf[80];
	if (t->len >= sizeof(buf))
		return att_pol_errorf(ps->err, ATT_ERR_POLICY_SYNTAX, t->pos,
				      "integer out of range");
	memcpy(buf, t->p, t->len);
	buf[t->len] = 0;
	const char *digits = buf[0] == '-' ? buf + 1 : buf;
	bool hex = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');
	errno = 0;
	char *end;
	long long v = strtoll(buf, &end, hex ? 16 : 10);
	if (errno == ERANGE || *end)
		return att_pol_errorf(ps->err, ATT_ERR_POLICY_SYNTAX, t->pos,
				      "integer out of range: %s", buf);
	*out = v;
	return 0;
}

static struct att_pol_expr *new_expr(struct parser *ps,
				     enum att_pol_expr_kind kind)
{
	struct att_pol_expr *e = att_pol_alloc(&ps->pol->arena, sizeof(*e));
	if (e) {
		e->kind = kind;
		e->pos = ps->tok.pos;
	}
	return e;
}

/* const_expr makes a constant from json (a new reference, consumed). */
static int const_expr(struct parser *ps, json_t *j, enum att_claim_vtype vt,
		      struct att_pol_expr **out)
{
	struct att_pol_expr *e = new_expr(ps, ATT_POL_E_CONST);
	if (!e || !j) {
		json_decref(j);
		return nomem(ps);
	}
	if (att_pol_own(ps->pol, j, NULL) != 0)
		return nomem(ps);
	att_pol_item_from_json(&e->item, j, vt);
	static const enum att_pol_stype st[] = {
		ATT_POL_ST_STRING, ATT_POL_ST_INTEGER, ATT_POL_ST_BOOLEAN,
		ATT_POL_ST_JSON};
	e->stype = st[vt];
	if (vt == ATT_CLAIM_STRING) {
		/* Parsed once here, so that comparing with a JSON claim at run
		 * time never parses (nor writes to the policy). */
		e->item.as_json = att_pol_json_parse(e->item.s, e->item.slen);
		e->item.as_json_known = true;
		if (e->item.as_json &&
		    att_pol_own(ps->pol, e->item.as_json, NULL) != 0)
			return nomem(ps);
	}
	*out = e;
	return 0;
}

static int parse_literal(struct parser *ps, struct att_pol_expr **out)
{
	struct att_pol_token t = ps->tok;
	int r;
	if (t.kind == ATT_POL_T_STRING) {
		char *s = NULL;
		size_t n = 0;
		if ((r = decode_string(ps, &t, &s, &n)) != 0)
			return r;
		r = const_expr(ps, json_stringn(s, n), ATT_CLAIM_STRING, out);
	} else if (t.kind == ATT_POL_T_INT) {
		long long v = 0;
		if ((r = parse_int(ps, &t, &v)) != 0)
			return r;
		r = const_expr(ps, json_integer(v), ATT_CLAIM_INTEGER, out);
	} else {
		bool b = att_pol_word_is(&t, "true");
		r = const_expr(ps, json_boolean(b), ATT_CLAIM_BOOLEAN, out);
	}
	if (r == 0)
		next(ps);
	return r;
}

/* ---- expressions ----------------------------------------------------- */

static int parse_expr(struct parser *ps, struct att_pol_expr **out);

static int find_ident(const struct parser *ps, const struct att_pol_token *t)
{
	for (size_t i = 0; i < ps->nidents; i++)
		if (strlen(ps->idents[i].name) == t->len &&
		    !memcmp(ps->idents[i].name, t->p, t->len))
			return (int)i;
	return -1; /* not an error: not found */
}

static int unknown_ident(struct parser *ps, const struct att_pol_token *t)
{
	return att_pol_errorf(ps->err, ATT_ERR_POLICY_TYPE, t->pos,
			      "unknown identifier '%.*s'", (int)t->len, t->p);
}

static int parse_prop_name(struct parser *ps, enum att_pol_prop *out)
{
	static const char *names[] = {"type", "value", "issuer", "valueType"};
	for (unsigned i = 0; i < 4; i++)
		if (att_pol_word_is(&ps->tok, names[i])) {
			*out = (enum att_pol_prop)i;
			next(ps);
			return 0;
		}
	return ATT_ERR_POLICY_SYNTAX;
}

/* IDENT '.' PROP */
static int parse_prop_access(struct parser *ps, struct att_pol_expr **out)
{
	struct att_pol_token id = ps->tok;
	int slot = find_ident(ps, &id);
	if (slot < 0)
		return unknown_ident(ps, &id);
	struct att_pol_expr *e = new_expr(ps, ATT_POL_E_PROP);
	if (!e)
		return nomem(ps);
	e->ident = ps->idents[slot].name;
	e->slot = (unsigned)slot;
	next(ps); /* identifier */
	next(ps); /* '.' */
	if (parse_prop_name(ps, &e->prop) != 0)
		return expected(ps, "'value', 'type', 'issuer' or 'valueType'");
	e->stype = e->prop == ATT_POL_P_VALUE ? ATT_POL_ST_ANY
					      : ATT_POL_ST_STRING;
	*out = e;
	return 0;
}

static int parse_args(struct parser *ps, struct att_pol_expr *e)
{
	size_t cap = 0, n = 0;
	next(ps); /* '(' */
	if (ps->tok.kind == ATT_POL_T_RPAREN) {
		next(ps);
		return 0;
	}
	for (;;) {
		int r = grow_array(ps, (void **)&e->args, n, &cap,
				   sizeof(*e->args));
		if (r == 0)
			r = parse_expr(ps, &e->args[n]);
		if (r)
			return r;
		e->nargs = (unsigned)++n;
		if (ps->tok.kind == ATT_POL_T_RPAREN) {
			next(ps);
			return 0;
		}
		if (ps->tok.kind != ATT_POL_T_COMMA)
			return expected(ps, "',' or ')'");
		next(ps);
	}
}

/* note_call counts a JmesPath call at pos, noting where the first one
 * beyond the limit is. */
static void note_call(struct att_policy *pol, struct att_pol_pos pos)
{
	pol->njmespath++;
	if (att_pol_over_jmespath(pol) && !pol->jmespath_over.line)
		pol->jmespath_over = pos;
}

/* count_jmespath counts a call; the first one beyond the limit stops the
 * parse (what is left is counted by finish_counts). */
static int count_jmespath(struct parser *ps, struct att_pol_pos pos)
{
	note_call(ps->pol, pos);
	if (!att_pol_over_jmespath(ps->pol))
		return 0;
	ps->over = true;
	return ATT_ERR_LIMIT;
}

/* FUNC '(' [expr {',' expr}] ')' */
static int parse_call(struct parser *ps, struct att_pol_expr **out)
{
	struct att_pol_token name = ps->tok;
	const struct att_pol_func *fn = att_pol_func_lookup(name.p, name.len);
	if (!fn)
		return att_pol_errorf(ps->err, ATT_ERR_POLICY_TYPE, name.pos,
				      "unknown function '%.*s'", (int)name.len,
				      name.p);
	if (ps->pol->minor < 2)
		return att_pol_errorf(ps->err, ATT_ERR_POLICY_SYNTAX, name.pos,
				      "function %s requires version 1.2",
				      fn->name);
	if (!strcmp(fn->name, "JmesPath") && count_jmespath(ps, name.pos))
		return ATT_ERR_LIMIT;
	struct att_pol_expr *e = new_expr(ps, ATT_POL_E_CALL);
	if (!e)
		return nomem(ps);
	e->fn = fn;
	e->stype = fn->result;
	next(ps); /* name */
	int r = parse_args(ps, e);
	if (r == 0)
		r = att_pol_check_call(ps->pol, e, ps->err);
	if (r == 0)
		*out = e;
	return r;
}

static int parse_word_expr(struct parser *ps, struct att_pol_expr **out)
{
	if (att_pol_word_is(&ps->tok, "true") ||
	    att_pol_word_is(&ps->tok, "false"))
		return parse_literal(ps, out);
	enum att_pol_tok after = peek(ps)->kind;
	if (after == ATT_POL_T_LPAREN)
		return parse_call(ps, out);
	if (after == ATT_POL_T_DOT)
		return parse_prop_access(ps, out);
	if (find_ident(ps, &ps->tok) < 0)
		return unknown_ident(ps, &ps->tok);
	char what[96];
	snprintf(what, sizeof(what), "'.' after '%.*s'", (int)ps->tok.len,
		 ps->tok.p);
	next(ps);
	return expected(ps, what);
}

static int parse_expr(struct parser *ps, struct att_pol_expr **out)
{
	if (ps->depth >= ATT_MAX_POLICY_DEPTH)
		return att_pol_errorf(ps->err, ATT_ERR_LIMIT, ps->tok.pos,
				      "expression nested deeper than %d levels",
				      ATT_MAX_POLICY_DEPTH);
	const struct att_policy_limits *lim = ps->pol->lim;
	if (lim && ps->depth >= lim->max_nesting)
		return att_pol_limitf(ps->err, ATT_POLICY_LIMIT_NESTING,
				      ps->tok.pos,
				      "expression nested deeper than the "
				      "limit of %u levels",
				      (unsigned)lim->max_nesting);
	ps->depth++;
	int r;
	switch (ps->tok.kind) {
	case ATT_POL_T_STRING:
	case ATT_POL_T_INT:
		r = parse_literal(ps, out);
		break;
	case ATT_POL_T_WORD:
		r = parse_word_expr(ps, out);
		break;
	case ATT_POL_T_NUMBER:
		r = att_pol_errorf(ps->err, ATT_ERR_POLICY_SYNTAX, ps->tok.pos,
				   "fractional numbers are not supported");
		break;
	default:
		r = expected(ps, "a value");
	}
	ps->depth--;
	return r;
}

/* ---- conditions ------------------------------------------------------ */

static int parse_op(struct parser *ps, enum att_pol_op *op)
{
	static const struct {
		enum att_pol_tok t;
		enum att_pol_op op;
	} ops[] = {
		{ATT_POL_T_EQ, ATT_POL_OP_EQ},	   {ATT_POL_T_NE, ATT_POL_OP_NE},
		{ATT_POL_T_LT, ATT_POL_OP_LT},	   {ATT_POL_T_LE, ATT_POL_OP_LE},
		{ATT_POL_T_GT, ATT_POL_OP_GT},	   {ATT_POL_T_GE, ATT_POL_OP_GE},
		{ATT_POL_T_ASSIGN, ATT_POL_OP_EQ}, /* tolerated: type="x" */
	};
	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (ps->tok.kind == ops[i].t) {
			*op = ops[i].op;
			next(ps);
			return 0;
		}
	return expected(ps, "a comparison operator");
}

static int parse_pcond(struct parser *ps, struct att_pol_pcond *pc)
{
	pc->pos = ps->tok.pos;
	if (parse_prop_name(ps, &pc->prop) != 0)
		return expected(ps, "a claim property (type, value, issuer, "
				    "valueType)");
	int r = parse_op(ps, &pc->op);
	if (r == 0)
		r = parse_expr(ps, &pc->rhs);
	if (r == 0)
		r = att_pol_check_pcond(ps->pol, pc, ps->err);
	return r;
}

static int parse_pconds(struct parser *ps, struct att_pol_cond *c)
{
	size_t cap = 0, n = 0;
	int r = expect(ps, ATT_POL_T_LBRACK, "'['");
	while (r == 0) {
		r = grow_array(ps, (void **)&c->props, n, &cap,
			       sizeof(*c->props));
		if (r == 0)
			r = parse_pcond(ps, &c->props[n]);
		if (r)
			break;
		c->nprops = (unsigned)++n;
		if (ps->tok.kind == ATT_POL_T_RBRACK) {
			next(ps);
			break;
		}
		if (ps->tok.kind != ATT_POL_T_COMMA)
			return expected(ps, "',' or ']'");
		next(ps);
	}
	return r;
}

static int bind_ident(struct parser *ps, const struct att_pol_token *t,
		      struct att_pol_cond *c)
{
	int prev = find_ident(ps, t);
	if (prev >= 0)
		return att_pol_errorf(
			ps->err, ATT_ERR_POLICY_TYPE, t->pos,
			"identifier '%.*s' is already bound at line %u, "
			"column %u",
			(int)t->len, t->p, ps->idents[prev].pos.line,
			ps->idents[prev].pos.col);
	if (att_pol_word_is(t, "true") || att_pol_word_is(t, "false"))
		return att_pol_errorf(ps->err, ATT_ERR_POLICY_SYNTAX, t->pos,
				      "'%.*s' cannot be an identifier",
				      (int)t->len, t->p);
	int r = grow_array(ps, (void **)&ps->idents, ps->nidents,
			   &ps->ident_cap, sizeof(*ps->idents));
	if (r)
		return r;
	char *name = att_pol_strndup(&ps->pol->arena, t->p, t->len);
	if (!name)
		return nomem(ps);
	c->ident = name;
	c->slot = (unsigned)ps->nidents;
	ps->idents[ps->nidents].name = name;
	ps->idents[ps->nidents++].pos = t->pos;
	return 0;
}

/* [IDENT ':'] '[' ... ']'  |  '!' '[' ... ']' */
static int parse_cond(struct parser *ps, struct att_pol_cond *c)
{
	c->pos = ps->tok.pos;
	if (ps->tok.kind == ATT_POL_T_NOT) {
		if (ps->pol->minor < 2)
			return att_pol_errorf(ps->err, ATT_ERR_POLICY_SYNTAX,
					      ps->tok.pos,
					      "'!' conditions require version "
					      "1.2");
		c->negated = true;
		next(ps);
		return parse_pconds(ps, c);
	}
	if (ps->tok.kind == ATT_POL_T_WORD) {
		/* "permit();" at the start of a rule lacks its "=>". */
		if (peek(ps)->kind == ATT_POL_T_LPAREN)
			return expected(ps, "a condition or '=>'");
		struct att_pol_token id = ps->tok;
		next(ps);
		if (ps->tok.kind != ATT_POL_T_COLON)
			return expected(ps, "':'");
		next(ps);
		/* The identifier is bound after its own condition, so that the
		 * condition cannot refer to itself. */
		int r = parse_pconds(ps, c);
		return r ? r : bind_ident(ps, &id, c);
	}
	return parse_pconds(ps, c);
}

static int parse_conds(struct parser *ps, struct att_pol_rule *rule)
{
	size_t cap = 0, n = 0;
	for (;;) {
		int r = grow_array(ps, (void **)&rule->conds, n, &cap,
				   sizeof(*rule->conds));
		if (r == 0)
			r = parse_cond(ps, &rule->conds[n]);
		if (r)
			return r;
		rule->nconds = (unsigned)++n;
		if (ps->tok.kind != ATT_POL_T_AND)
			return 0;
		next(ps);
	}
}

/* ---- actions --------------------------------------------------------- */

static int parse_claim_ref(struct parser *ps, struct att_pol_action *a)
{
	next(ps); /* claim */
	int r = expect(ps, ATT_POL_T_ASSIGN, "'='");
	if (r)
		return r;
	if (ps->tok.kind != ATT_POL_T_WORD)
		return expected(ps, "an identifier");
	int slot = find_ident(ps, &ps->tok);
	if (slot < 0)
		return unknown_ident(ps, &ps->tok);
	a->claim_slot = slot;
	a->claim_ident = ps->idents[slot].name;
	next(ps);
	return 0;
}

/* type=expr, value=expr (in either order) */
static int parse_named_args(struct parser *ps, struct att_pol_action *a)
{
	for (;;) {
		struct att_pol_token name = ps->tok;
		struct att_pol_expr **slot = NULL;
		if (att_pol_word_is(&name, "type"))
			slot = &a->type;
		else if (att_pol_word_is(&name, "value"))
			slot = &a->value;
		else
			return expected(ps, a->type || a->value
						    ? "'type' or 'value'"
						    : "'type', 'value' or "
						      "'claim'");
		if (*slot)
			return att_pol_errorf(ps->err, ATT_ERR_POLICY_SYNTAX,
					      name.pos,
					      "duplicate argument '%.*s'",
					      (int)name.len, name.p);
		next(ps);
		int r = expect(ps, ATT_POL_T_ASSIGN, "'='");
		if (r == 0)
			r = parse_expr(ps, slot);
		if (r || ps->tok.kind != ATT_POL_T_COMMA)
			return r;
		next(ps);
	}
}

static int parse_action_args(struct parser *ps, struct att_pol_action *a)
{
	if (a->kind == ATT_POL_A_PERMIT || a->kind == ATT_POL_A_DENY) {
		if (ps->tok.kind != ATT_POL_T_RPAREN)
			return att_pol_errorf(ps->err, ATT_ERR_POLICY_SYNTAX,
					      ps->tok.pos,
					      "%s() takes no arguments",
					      att_pol_act_name(a->kind));
		return 0;
	}
	if (att_pol_word_is(&ps->tok, "claim") &&
	    peek(ps)->kind == ATT_POL_T_ASSIGN)
		return parse_claim_ref(ps, a);
	int r = parse_named_args(ps, a);
	if (r == 0 && ps->tok.kind != ATT_POL_T_RPAREN)
		return expected(ps, "',' or ')'");
	if (r == 0 && (!a->type || !a->value))
		r = att_pol_errorf(ps->err, ATT_ERR_POLICY_SYNTAX, ps->tok.pos,
				   "%s() needs both type= and value=",
				   att_pol_act_name(a->kind));
	return r;
}

static int parse_action(struct parser *ps, struct att_pol_action *a)
{
	static const enum att_pol_act acts[] = {
		ATT_POL_A_PERMIT, ATT_POL_A_DENY, ATT_POL_A_ADD,
		ATT_POL_A_ISSUE, ATT_POL_A_ISSUEPROPERTY};
	a->pos = ps->tok.pos;
	a->claim_slot = -1;
	unsigned i;
	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (att_pol_word_is(&ps->tok, att_pol_act_name(acts[i])))
			break;
	if (i == sizeof(acts) / sizeof(acts[0]))
		return expected(ps, "an action (permit, deny, add, issue, "
				    "issueproperty)");
	a->kind = acts[i];
	next(ps);
	int r = expect(ps, ATT_POL_T_LPAREN, "'('");
	if (r == 0)
		r = parse_action_args(ps, a);
	if (r == 0)
		r = expect(ps, ATT_POL_T_RPAREN, "')'");
	if (r == 0)
		r = att_pol_check_action(ps->pol, ps->sec, a, ps->err);
	return r;
}

/* ---- rules and sections ---------------------------------------------- */

static int parse_rule(struct parser *ps, struct att_pol_rule *rule)
{
	struct att_policy *pol = ps->pol;
	rule->pos = ps->tok.pos;
	ps->nidents = 0;
	ps->before_arrow = ps->tok.kind != ATT_POL_T_ARROW;
	pol->nrules++;
	if (pol->lim && pol->nrules > pol->lim->max_rules) {
		pol->rules_over = rule->pos;
		ps->over = true; /* counted on by finish_counts */
		return ATT_ERR_LIMIT;
	}
	int r = 0;
	if (ps->tok.kind != ATT_POL_T_ARROW) {
		r = parse_conds(ps, rule);
		if (r == 0 && ps->tok.kind != ATT_POL_T_ARROW)
			return expected(ps, "'&&' or '=>'");
	}
	if (r == 0) {
		next(ps); /* => */
		ps->before_arrow = false;
		r = parse_action(ps, &rule->act);
	}
	if (r == 0)
		r = expect(ps, ATT_POL_T_SEMI, "';'");
	rule->nslots = (unsigned)ps->nidents;
	if (rule->nslots > ps->pol->max_slots)
		ps->pol->max_slots = rule->nslots;
	return r;
}

static bool rule_start(const struct att_pol_token *t)
{
	return t->kind == ATT_POL_T_ARROW || t->kind == ATT_POL_T_LBRACK ||
	       t->kind == ATT_POL_T_NOT || t->kind == ATT_POL_T_WORD;
}

static int parse_section_body(struct parser *ps, struct att_pol_sect *s)
{
	size_t cap = 0, n = 0;
	int r = expect(ps, ATT_POL_T_LBRACE, "'{'");
	while (r == 0 && ps->tok.kind != ATT_POL_T_RBRACE) {
		if (!rule_start(&ps->tok))
			return expected(ps, "a rule or '}'");
		r = grow_array(ps, (void **)&s->rules, n, &cap,
			       sizeof(*s->rules));
		if (r == 0)
			r = parse_rule(ps, &s->rules[n]);
		if (r == 0)
			s->n = ++n;
	}
	if (r == 0)
		r = expect(ps, ATT_POL_T_RBRACE, "'}'");
	if (r == 0)
		r = expect(ps, ATT_POL_T_SEMI, "';'");
	return r;
}

static int parse_version(struct parser *ps)
{
	if (!att_pol_word_is(&ps->tok, "version"))
		return expected(ps, "'version'");
	next(ps);
	int r = expect(ps, ATT_POL_T_ASSIGN, "'='");
	if (r)
		return r;
	static const char *versions[] = {"1.0", "1.1", "1.2"};
	struct att_pol_token v = ps->tok;
	if (v.kind != ATT_POL_T_NUMBER)
		return expected(ps, "a version number (1.0, 1.1 or 1.2)");
	for (int i = 0; i < 3; i++)
		if (v.len == 3 && !memcmp(v.p, versions[i], 3))
			ps->pol->minor = i;
	if (ps->pol->minor < 0)
		return att_pol_errorf(ps->err, ATT_ERR_POLICY_SYNTAX, v.pos,
				      "unsupported version '%.*s' (supported: "
				      "1.0, 1.1, 1.2)",
				      (int)(v.len > 16 ? 16 : v.len), v.p);
	next(ps);
	return expect(ps, ATT_POL_T_SEMI, "';'");
}

static int section_of(const struct att_pol_token *t)
{
	for (int s = 0; s < ATT_POL_NSECTIONS; s++)
		if (att_pol_word_is(t, att_pol_section_name(s)))
			return s;
	return -1; /* not an error: not a section */
}

/* next_section_expected names what may come after section `done`. */
static const char *after(const struct parser *ps, int done)
{
	if (done < ATT_POL_CONFIG && ps->pol->minor >= 1)
		return "'configurationrules' or 'authorizationrules'";
	if (done < ATT_POL_AUTHZ)
		return "'authorizationrules'";
	if (done < ATT_POL_ISSUANCE)
		return "'issuancerules' or end of input";
	return "end of input";
}

static int parse_sections(struct parser *ps)
{
	int done = -1;
	for (;;) {
		int s = section_of(&ps->tok);
		if (s == ATT_POL_CONFIG && done < 0 && ps->pol->minor < 1)
			return att_pol_errorf(ps->err, ATT_ERR_POLICY_SYNTAX,
					      ps->tok.pos,
					      "configurationrules requires "
					      "version 1.1 or later");
		bool ok = s > done && (s != ATT_POL_ISSUANCE || done >= 1);
		if (ps->tok.kind == ATT_POL_T_EOF && done >= ATT_POL_AUTHZ)
			return 0;
		if (s < 0 || !ok)
			return expected(ps, after(ps, done));
		struct att_pol_sect *sect = &ps->pol->sec[s];
		sect->present = true;
		sect->pos = ps->tok.pos;
		ps->sec = (enum att_pol_section)s;
		next(ps);
		int r = parse_section_body(ps, sect);
		if (r)
			return r;
		done = s;
	}
}

/* check_counts reports the counted limits. */
static int check_counts(struct att_policy *pol, struct att_policy_error *err)
{
	const struct att_policy_limits *lim = pol->lim;
	if (!lim)
		return 0;
	if (pol->njmespath > lim->max_jmespath)
		return att_pol_limitf(err, ATT_POLICY_LIMIT_JMESPATH,
				      pol->jmespath_over,
				      "the policy has %zu JmesPath calls; at "
				      "most %u are allowed",
				      pol->njmespath,
				      (unsigned)lim->max_jmespath);
	if (pol->nrules > lim->max_rules)
		return att_pol_limitf(err, ATT_POLICY_LIMIT_RULES,
				      pol->rules_over,
				      "the policy has %zu rules; at most %u are "
				      "allowed",
				      pol->nrules, (unsigned)lim->max_rules);
	return 0;
}

/* scan_rest counts the JmesPath calls and rules ('=>') after the current
 * token with the lexer alone; a malformed token is a syntax error. */
static int scan_rest(struct parser *ps)
{
	struct att_pol_lexer lx = ps->lx;
	struct att_pol_token t, prev = {0};
	for (;;) {
		att_pol_lex_next(&lx, &t);
		if (t.kind == ATT_POL_T_EOF)
			return 0;
		if (t.kind == ATT_POL_T_ERROR)
			return att_pol_errorf(ps->err, ATT_ERR_POLICY_SYNTAX,
					      t.pos, "%s", lx.err);
		if (t.kind == ATT_POL_T_ARROW)
			ps->pol->nrules++;
		else if (t.kind == ATT_POL_T_LPAREN &&
			 att_pol_word_is(&prev, "JmesPath"))
			note_call(ps->pol, prev.pos);
		prev = t;
	}
}

/* finish_counts reports the limit the parse stopped at, with the counts
 * of the whole text. */
static int finish_counts(struct parser *ps)
{
	memset(ps->err, 0, sizeof(*ps->err));
	int r = scan_rest(ps);
	if (r)
		return r;
	/* The current rule was counted when it started: its '=>', when still
	 * ahead, was counted again by the scan. */
	if (ps->before_arrow)
		ps->pol->nrules--;
	return check_counts(ps->pol, ps->err);
}

int att_pol_parse(struct att_policy *pol, const char *text, size_t len,
		  struct att_policy_error *err)
{
	struct parser ps;
	memset(&ps, 0, sizeof(ps));
	ps.pol = pol;
	ps.err = err;
	pol->minor = -1;
	att_pol_lex_init(&ps.lx, text, len);
	next(&ps);
	int r = parse_version(&ps);
	if (r == 0)
		r = parse_sections(&ps);
	if (ps.over)
		r = finish_counts(&ps);
	return r;
}
