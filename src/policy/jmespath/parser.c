/* SPDX-License-Identifier: Apache-2.0 */
/*
 * JMESPath parser: a Pratt (top-down operator precedence) parser over
 * the token stream of lexer.c, with the binding powers of the
 * specification's reference implementation. It builds the immutable AST
 * of ast.h: chains of the associative operators (a.b.c, a|b|c, a||b||c,
 * a&&b&&c) become one n-ary node, so that long chains cost no nesting.
 * Function names are resolved and their arity checked here, so unknown
 * functions and wrong argument counts fail at compile time. Limits:
 * ATT_MAX_JMESPATH_LEN bytes of text, ATT_MAX_JMESPATH_DEPTH levels of
 * parser recursion and of AST height.
 */
#include <stdlib.h>
#include <string.h>

#include "attest/err.h"
#include "policy/jmespath/ast.h"

struct parser {
	const char *src;
	size_t len;
	unsigned flags;
	struct att_diag *diag;
	struct jp_token *toks;
	size_t ntok, i;
	unsigned depth;
	int err;
};

/* Binding powers; tokens below PROJECTION_STOP end a projection. */
#define PROJECTION_STOP 10

static int bp(enum jp_tok t)
{
	switch (t) {
	case JT_PIPE:
		return 1;
	case JT_OR:
		return 2;
	case JT_AND:
		return 3;
	case JT_EQ:
	case JT_NE:
	case JT_LT:
	case JT_LE:
	case JT_GT:
	case JT_GE:
		return 5;
	case JT_FLATTEN:
		return 9;
	case JT_STAR:
		return 20;
	case JT_FILTER:
		return 21;
	case JT_DOT:
		return 40;
	case JT_NOT:
		return 45;
	case JT_LBRACE:
		return 50;
	case JT_LBRACKET:
		return 55;
	case JT_LPAREN:
		return 60;
	default:
		return 0;
	}
}

static struct jp_token *tok(struct parser *p) { return &p->toks[p->i]; }

static enum jp_tok cur(struct parser *p) { return p->toks[p->i].type; }

static enum jp_tok peek(struct parser *p, size_t k)
{
	size_t j = p->i + k;
	return p->toks[j < p->ntok ? j : p->ntok - 1].type;
}

static void advance(struct parser *p)
{
	if (p->i + 1 < p->ntok)
		p->i++;
}

static struct jp_node *fail(struct parser *p, int err)
{
	if (!p->err)
		p->err = err;
	return NULL;
}

static struct jp_node *unexpected(struct parser *p, const char *expected)
{
	const struct jp_token *t = tok(p);
	char what[64];
	if (t->type == JT_EOF)
		snprintf(what, sizeof(what), "end of expression");
	else
		snprintf(what, sizeof(what), "token '%.*s'%s",
			 (int)(t->len > 32 ? 32 : t->len), p->src + t->pos,
			 t->len > 32 ? "..." : "");
	return fail(p, att_jp_syntax_error(
			   p->diag, p->src, t->pos, "unexpected %s%s%s%s", what,
			   expected ? " (expected " : "",
			   expected ? expected : "", expected ? ")" : ""));
}

static bool match(struct parser *p, enum jp_tok t, const char *expected)
{
	if (cur(p) != t) {
		unexpected(p, expected);
		return false;
	}
	advance(p);
	return true;
}

static struct jp_node *nomem(struct parser *p)
{
	return fail(p, att_diag_set(p->diag, ATT_ERR_NOMEM,
				    "jmespath: out of memory while parsing"));
}

static struct jp_node *node_new(struct parser *p, enum jp_kind kind, size_t pos)
{
	struct jp_node *n = calloc(1, sizeof(*n));
	if (!n)
		return nomem(p);
	n->kind = kind;
	n->pos = pos;
	n->depth = 1;
	return n;
}

void att_jp_node_free(struct jp_node *n)
{
	if (!n)
		return;
	att_jp_node_free(n->lhs);
	att_jp_node_free(n->rhs);
	att_jp_node_free(n->cond);
	for (size_t i = 0; i < n->nkids; i++)
		att_jp_node_free(n->kids[i]);
	free(n->kids);
	json_decref(n->value);
	free(n);
}

static struct jp_node *too_deep(struct parser *p, size_t pos)
{
	return fail(p, att_diag_set(p->diag, ATT_ERR_LIMIT,
				    "limit: expression nested deeper than %d "
				    "levels at column %zu",
				    ATT_MAX_JMESPATH_DEPTH,
				    att_jp_column(p->src, pos)));
}

static unsigned height(const struct jp_node *n) { return n ? n->depth : 0; }

/* seal sets n's height from its children and checks the depth limit;
 * on failure n is freed. */
static struct jp_node *seal(struct parser *p, struct jp_node *n)
{
	unsigned h = height(n->lhs);
	if (height(n->rhs) > h)
		h = height(n->rhs);
	if (height(n->cond) > h)
		h = height(n->cond);
	for (size_t i = 0; i < n->nkids; i++)
		if (n->kids[i]->depth > h)
			h = n->kids[i]->depth;
	n->depth = h + 1;
	if (n->depth > ATT_MAX_JMESPATH_DEPTH) {
		size_t pos = n->pos;
		att_jp_node_free(n);
		return too_deep(p, pos);
	}
	return n;
}

/* node2 builds kind(lhs, rhs), owning both even when it fails. */
static struct jp_node *node2(struct parser *p, enum jp_kind kind, size_t pos,
			     struct jp_node *lhs, struct jp_node *rhs)
{
	if (!lhs || !rhs) {
		att_jp_node_free(lhs);
		att_jp_node_free(rhs);
		return NULL;
	}
	struct jp_node *n = node_new(p, kind, pos);
	if (!n) {
		att_jp_node_free(lhs);
		att_jp_node_free(rhs);
		return NULL;
	}
	n->lhs = lhs;
	n->rhs = rhs;
	return seal(p, n);
}

/* push appends kid (owned, freed on failure) to n's kids. */
static bool push(struct parser *p, struct jp_node *n, struct jp_node *kid)
{
	if (!kid)
		return false;
	if ((n->nkids & (n->nkids - 1)) == 0) {
		size_t cap = n->nkids ? n->nkids * 2 : 2;
		struct jp_node **k = realloc(n->kids, cap * sizeof(*k));
		if (!k) {
			att_jp_node_free(kid);
			nomem(p);
			return false;
		}
		n->kids = k;
	}
	n->kids[n->nkids++] = kid;
	return true;
}

/* adopt appends kid to n and raises n's height to cover it, without
 * rescanning the other kids (chains can be long). */
static bool adopt(struct parser *p, struct jp_node *n, struct jp_node *kid)
{
	unsigned h = kid ? kid->depth + 1 : 0;
	if (!push(p, n, kid))
		return false;
	if (h > n->depth)
		n->depth = h;
	return true;
}

/* nary joins left and right into one kind node, splicing the kids of
 * operands that already are kind nodes (the operators are associative). */
static struct jp_node *nary(struct parser *p, enum jp_kind kind, size_t pos,
			    struct jp_node *left, struct jp_node *right)
{
	struct jp_node *n = left;
	if (!left || !right)
		goto fail;
	if (left->kind != kind) {
		if (!(n = node_new(p, kind, pos)))
			goto fail;
		if (!adopt(p, n, left)) { /* transferred */
			left = NULL;
			goto fail;
		}
	}
	left = NULL;
	if (right->kind != kind) {
		struct jp_node *k = right;
		right = NULL;
		if (!adopt(p, n, k)) /* transferred */
			goto fail;
	} else {
		for (size_t i = 0; i < right->nkids; i++) {
			struct jp_node *k = right->kids[i];
			right->kids[i] = NULL;
			if (!adopt(p, n, k)) /* transferred */
				goto fail;
		}
		att_jp_node_free(right);
		right = NULL;
	}
	if (n->depth > ATT_MAX_JMESPATH_DEPTH) {
		att_jp_node_free(n);
		return too_deep(p, pos);
	}
	return n;
fail:
	if (n != left)
		att_jp_node_free(n);
	att_jp_node_free(left);
	att_jp_node_free(right);
	return NULL;
}

static struct jp_node *expr(struct parser *p, int rbp);
static struct jp_node *dot_rhs(struct parser *p, int rbp);

static struct jp_node *identity(struct parser *p)
{
	return node_new(p, JN_IDENTITY, tok(p)->pos);
}

static struct jp_node *projection_rhs(struct parser *p, int rbp)
{
	enum jp_tok t = cur(p);
	if (bp(t) < PROJECTION_STOP)
		return identity(p);
	if (t == JT_LBRACKET || t == JT_FILTER)
		return expr(p, rbp);
	if (t == JT_DOT) {
		advance(p);
		return dot_rhs(p, rbp);
	}
	return unexpected(p, "'.', '[' or the end of the projection");
}

static struct jp_node *multi_list(struct parser *p, size_t pos)
{
	struct jp_node *n = node_new(p, JN_MLIST, pos);
	while (n) {
		if (!push(p, n, expr(p, 0)))
			break;
		if (cur(p) == JT_RBRACKET) {
			advance(p);
			return seal(p, n);
		}
		if (!match(p, JT_COMMA, "',' or ']'"))
			break;
	}
	att_jp_node_free(n);
	return NULL;
}

static bool hash_entry(struct parser *p, struct jp_node *n)
{
	struct jp_token *t = tok(p);
	if (t->type != JT_IDENT && t->type != JT_QIDENT) {
		unexpected(p, "a key");
		return false;
	}
	if (json_array_append(n->value, t->value)) {
		nomem(p);
		return false;
	}
	advance(p);
	if (!match(p, JT_COLON, "':'"))
		return false;
	return push(p, n, expr(p, 0));
}

static struct jp_node *multi_hash(struct parser *p, size_t pos)
{
	struct jp_node *n = node_new(p, JN_MHASH, pos);
	if (n && !(n->value = json_array()))
		n = (att_jp_node_free(n), nomem(p));
	while (n && hash_entry(p, n)) {
		if (cur(p) == JT_RBRACE) {
			advance(p);
			return seal(p, n);
		}
		if (!match(p, JT_COMMA, "',' or '}'"))
			break;
	}
	att_jp_node_free(n);
	return NULL;
}

static struct jp_node *dot_rhs(struct parser *p, int rbp)
{
	size_t pos = tok(p)->pos;
	switch (cur(p)) {
	case JT_IDENT:
	case JT_QIDENT:
	case JT_STAR:
		return expr(p, rbp);
	case JT_LBRACKET:
		advance(p);
		return multi_list(p, pos);
	case JT_LBRACE:
		advance(p);
		return multi_hash(p, pos);
	default:
		return unexpected(p,
				  "an identifier, '*', '[' or '{' after '.'");
	}
}

static bool slice_part(struct parser *p, struct jp_node *n, int *part)
{
	if (cur(p) == JT_COLON) {
		if (++*part == 3) {
			unexpected(p, "']'");
			return false;
		}
	} else if (cur(p) == JT_NUMBER && !n->has[*part]) {
		n->has[*part] = true;
		n->idx[*part] = tok(p)->num;
	} else {
		unexpected(p, "a number, ':' or ']'");
		return false;
	}
	advance(p);
	return true;
}

static struct jp_node *slice(struct parser *p, size_t pos)
{
	struct jp_node *n = node_new(p, JN_SLICE, pos);
	int part = 0;
	while (n && cur(p) != JT_RBRACKET) {
		if (!slice_part(p, n, &part))
			goto fail;
	}
	if (!n || !match(p, JT_RBRACKET, "']'"))
		goto fail;
	if (n->has[2] && n->idx[2] == 0) {
		fail(p, att_diag_set(p->diag, ATT_ERR_JMESPATH_VALUE,
				     "invalid-value: slice step cannot be 0 "
				     "(column %zu)",
				     att_jp_column(p->src, pos)));
		goto fail;
	}
	return n;
fail:
	att_jp_node_free(n);
	return NULL;
}

/* index_or_slice parses after '[' when the next token is a number or
 * ':'; pos is the '['. */
static struct jp_node *index_or_slice(struct parser *p, size_t pos)
{
	if (cur(p) == JT_COLON || peek(p, 1) == JT_COLON)
		return slice(p, pos);
	struct jp_node *n = node_new(p, JN_INDEX, pos);
	if (!n)
		return NULL;
	n->idx[0] = tok(p)->num;
	advance(p);
	if (!match(p, JT_RBRACKET, "']'")) {
		att_jp_node_free(n);
		return NULL;
	}
	return n;
}

static struct jp_node *project(struct parser *p, size_t pos,
			       struct jp_node *left, int rbp)
{
	if (!left)
		return NULL;
	return node2(p, JN_PROJECT, pos, left, projection_rhs(p, rbp));
}

static struct jp_node *nud_lbracket(struct parser *p, size_t pos)
{
	if (cur(p) == JT_NUMBER || cur(p) == JT_COLON) {
		struct jp_node *n = index_or_slice(p, pos);
		if (n && n->kind == JN_SLICE)
			return project(p, pos, n, bp(JT_STAR));
		return n;
	}
	if (cur(p) == JT_STAR && peek(p, 1) == JT_RBRACKET) {
		advance(p);
		advance(p);
		return project(p, pos, identity(p), bp(JT_STAR));
	}
	return multi_list(p, pos);
}

static struct jp_node *led_filter(struct parser *p, size_t pos,
				  struct jp_node *left)
{
	struct jp_node *cond = expr(p, 0);
	struct jp_node *rhs = NULL;
	if (cond && match(p, JT_RBRACKET, "']'"))
		rhs = cur(p) == JT_FLATTEN ? identity(p)
					   : projection_rhs(p, bp(JT_FILTER));
	struct jp_node *n = node2(p, JN_FPROJECT, pos, left, rhs);
	if (!n || !cond) {
		att_jp_node_free(cond);
		att_jp_node_free(n);
		return NULL;
	}
	n->cond = cond;
	return seal(p, n);
}

static struct jp_node *literal(struct parser *p, struct jp_token *t)
{
	struct jp_node *n = node_new(p, JN_LITERAL, t->pos);
	if (n) {
		n->value = t->value; /* transferred */
		t->value = NULL;
	}
	return n;
}

static struct jp_node *unary(struct parser *p, enum jp_kind kind, size_t pos,
			     struct jp_node *lhs)
{
	if (!lhs)
		return NULL;
	struct jp_node *n = node_new(p, kind, pos);
	if (!n) {
		att_jp_node_free(lhs);
		return NULL;
	}
	n->lhs = lhs;
	return seal(p, n);
}

static struct jp_node *nud(struct parser *p, struct jp_token *t)
{
	struct jp_node *n;
	switch (t->type) {
	case JT_LITERAL:
	case JT_RAWSTR:
		return literal(p, t);
	case JT_QIDENT:
		if (cur(p) == JT_LPAREN)
			return fail(
			    p, att_jp_syntax_error(p->diag, p->src, t->pos,
						   "a quoted identifier "
						   "cannot name a function"));
		/* fall through */
	case JT_IDENT:
		n = literal(p, t);
		if (n)
			n->kind = JN_FIELD;
		return n;
	case JT_STAR:
		return node2(p, JN_VPROJECT, t->pos, identity(p),
			     cur(p) == JT_RBRACKET
				 ? identity(p)
				 : projection_rhs(p, bp(JT_STAR)));
	case JT_FILTER:
		return led_filter(p, t->pos, identity(p));
	case JT_LBRACE:
		return multi_hash(p, t->pos);
	case JT_LBRACKET:
		return nud_lbracket(p, t->pos);
	case JT_FLATTEN:
		return project(p, t->pos,
			       unary(p, JN_FLATTEN, t->pos, identity(p)),
			       bp(JT_FLATTEN));
	case JT_NOT:
		return unary(p, JN_NOT, t->pos, expr(p, bp(JT_NOT)));
	case JT_EXPREF:
		return unary(p, JN_EXPREF, t->pos, expr(p, 0));
	case JT_CURRENT:
		return node_new(p, JN_CURRENT, t->pos);
	case JT_LPAREN:
		n = expr(p, 0);
		if (n && !match(p, JT_RPAREN, "')'")) {
			att_jp_node_free(n);
			return NULL;
		}
		return n;
	default:
		p->i--; /* report the token itself */
		return unexpected(p, "an expression");
	}
}

static bool call_args(struct parser *p, struct jp_node *n)
{
	if (cur(p) == JT_RPAREN) {
		advance(p);
		return true;
	}
	for (;;) {
		if (!push(p, n, expr(p, 0)))
			return false;
		if (cur(p) == JT_RPAREN) {
			advance(p);
			return true;
		}
		if (!match(p, JT_COMMA, "',' or ')'"))
			return false;
	}
}

static struct jp_node *led_call(struct parser *p, struct jp_node *left)
{
	/* Only an unquoted identifier right before '(' names a function. */
	if (left->kind != JN_FIELD || p->i < 2 ||
	    p->toks[p->i - 2].type != JT_IDENT) {
		p->i--;
		unexpected(p, NULL);
		att_jp_node_free(left);
		return NULL;
	}
	left->kind = JN_FUNC; /* the name stays in value */
	left->op = -1;	      /* resolved once the whole text parsed */
	if (!call_args(p, left)) {
		att_jp_node_free(left);
		return NULL;
	}
	return seal(p, left);
}

/* resolve_call looks a function up and checks its argument count. */
static int resolve_call(struct parser *p, struct jp_node *n)
{
	const char *name = json_string_value(n->value), *takes = NULL;
	size_t nlen = json_string_length(n->value);
	n->op = att_jp_func_lookup(name, nlen, p->flags);
	if (n->op < 0)
		return att_diag_set(p->diag, ATT_ERR_JMESPATH_FUNCTION,
				    "unknown-function: %.*s() is not a known "
				    "function (column %zu)",
				    (int)(nlen > 64 ? 64 : nlen), name,
				    att_jp_column(p->src, n->pos));
	if (!att_jp_func_arity_ok(n->op, n->nkids, &takes))
		return att_diag_set(p->diag, ATT_ERR_JMESPATH_ARITY,
				    "invalid-arity: function %s() takes %s, "
				    "got %zu (column %zu)",
				    att_jp_func_name(n->op), takes, n->nkids,
				    att_jp_column(p->src, n->pos));
	return 0;
}

/* resolve_all resolves every call in source order, after parsing, so
 * that a syntax error anywhere wins over a function error. */
static int resolve_all(struct parser *p, struct jp_node *n)
{
	int r = 0;
	if (!n)
		return 0;
	if (n->kind == JN_FUNC && (r = resolve_call(p, n)))
		return r;
	if ((r = resolve_all(p, n->lhs)) || (r = resolve_all(p, n->cond)) ||
	    (r = resolve_all(p, n->rhs)))
		return r;
	for (size_t i = 0; i < n->nkids; i++)
		if ((r = resolve_all(p, n->kids[i])))
			return r;
	return 0;
}

static struct jp_node *led_lbracket(struct parser *p, size_t pos,
				    struct jp_node *left)
{
	if (cur(p) == JT_NUMBER || cur(p) == JT_COLON) {
		struct jp_node *r = index_or_slice(p, pos);
		if (r && r->kind == JN_SLICE)
			return project(p, pos,
				       nary(p, JN_SUBEXPR, pos, left, r),
				       bp(JT_STAR));
		return nary(p, JN_SUBEXPR, pos, left, r);
	}
	if (!match(p, JT_STAR, "a number, ':' or '*'") ||
	    !match(p, JT_RBRACKET, "']'")) {
		att_jp_node_free(left);
		return NULL;
	}
	return project(p, pos, left, bp(JT_STAR));
}

static struct jp_node *led_dot(struct parser *p, size_t pos,
			       struct jp_node *left)
{
	if (cur(p) == JT_STAR) {
		advance(p);
		return node2(p, JN_VPROJECT, pos, left,
			     projection_rhs(p, bp(JT_DOT)));
	}
	return nary(p, JN_SUBEXPR, pos, left, dot_rhs(p, bp(JT_DOT)));
}

static struct jp_node *compare(struct parser *p, struct jp_token *t,
			       struct jp_node *left)
{
	struct jp_node *n =
	    node2(p, JN_CMP, t->pos, left, expr(p, bp(t->type)));
	if (n)
		n->op = t->type;
	return n;
}

static struct jp_node *led(struct parser *p, struct jp_token *t,
			   struct jp_node *left)
{
	switch (t->type) {
	case JT_DOT:
		return led_dot(p, t->pos, left);
	case JT_PIPE:
		return nary(p, JN_PIPE, t->pos, left, expr(p, bp(JT_PIPE)));
	case JT_OR:
		return nary(p, JN_OR, t->pos, left, expr(p, bp(JT_OR)));
	case JT_AND:
		return nary(p, JN_AND, t->pos, left, expr(p, bp(JT_AND)));
	case JT_LPAREN:
		return led_call(p, left);
	case JT_FILTER:
		return led_filter(p, t->pos, left);
	case JT_FLATTEN:
		return project(p, t->pos, unary(p, JN_FLATTEN, t->pos, left),
			       bp(JT_FLATTEN));
	case JT_LBRACKET:
		return led_lbracket(p, t->pos, left);
	case JT_EQ:
	case JT_NE:
	case JT_LT:
	case JT_LE:
	case JT_GT:
	case JT_GE:
		return compare(p, t, left);
	default:
		p->i--;
		att_jp_node_free(left);
		return unexpected(p, NULL);
	}
}

static struct jp_node *expr(struct parser *p, int rbp)
{
	if (p->err)
		return NULL;
	if (++p->depth > ATT_MAX_JMESPATH_DEPTH)
		return too_deep(p, tok(p)->pos);
	struct jp_token *t = tok(p);
	if (t->type == JT_EOF)
		return unexpected(p, "an expression");
	advance(p);
	struct jp_node *left = nud(p, t);
	while (left && rbp < bp(cur(p))) {
		t = tok(p);
		advance(p);
		left = led(p, t, left);
	}
	p->depth--;
	return left;
}

static int tokenize(struct parser *p)
{
	struct jp_lexer lx = {.src = p->src, .len = p->len, .diag = p->diag};
	size_t cap = 0;
	for (;;) {
		if (p->ntok == cap) {
			cap = cap ? 2 * cap : 16;
			struct jp_token *nt =
			    realloc(p->toks, cap * sizeof(*nt));
			if (!nt) {
				nomem(p);
				return p->err;
			}
			p->toks = nt;
		}
		int r = att_jp_lex_next(&lx, &p->toks[p->ntok]);
		if (r) {
			att_jp_token_clear(&p->toks[p->ntok]);
			fail(p, r);
			return r;
		}
		if (p->toks[p->ntok++].type == JT_EOF)
			return 0;
	}
}

static struct jp_node *parse_all(struct parser *p)
{
	if (tokenize(p))
		return NULL;
	struct jp_node *root = expr(p, 0);
	if (root && cur(p) != JT_EOF) {
		att_jp_node_free(root);
		return unexpected(p, NULL);
	}
	int r = root ? resolve_all(p, root) : 0;
	if (r) {
		att_jp_node_free(root);
		return fail(p, r);
	}
	return root;
}

static int check_text(const char *expr, size_t len, struct att_diag *diag)
{
	size_t bad = 0;
	if (!expr)
		return att_diag_set(diag, ATT_ERR_INVALID_ARG,
				    "jmespath: no expression");
	if (len > ATT_MAX_JMESPATH_LEN)
		return att_diag_set(diag, ATT_ERR_LIMIT,
				    "limit: expression of %zu bytes is longer "
				    "than %d",
				    len, ATT_MAX_JMESPATH_LEN);
	if (!att_jp_utf8_valid(expr, len, &bad))
		return att_jp_syntax_error(diag, expr, bad, "invalid UTF-8");
	return 0;
}

int att_jmespath_compile(struct att_jmespath **out, const char *expr,
			 size_t expr_len, unsigned flags, struct att_diag *diag)
{
	struct parser p = {
	    .src = expr, .len = expr_len, .flags = flags, .diag = diag};
	struct att_jmespath *jp = NULL;
	*out = NULL;
	int r = check_text(expr, expr_len, diag);
	if (r)
		return r;
	if (!(jp = calloc(1, sizeof(*jp))) ||
	    !(jp->text = malloc(expr_len + 1))) {
		r = att_diag_set(diag, ATT_ERR_NOMEM,
				 "jmespath: out of memory");
		goto out;
	}
	memcpy(jp->text, expr, expr_len);
	jp->text[expr_len] = 0;
	jp->len = expr_len;
	jp->flags = flags;
	p.src = jp->text;
	jp->root = parse_all(&p);
	if (!jp->root) {
		r = p.err ? p.err : ATT_ERR_INTERNAL;
		goto out;
	}
	*out = jp;
	jp = NULL; /* transferred */
out:
	for (size_t i = 0; i < p.ntok; i++)
		att_jp_token_clear(&p.toks[i]);
	free(p.toks);
	att_jmespath_free(jp);
	return r;
}

void att_jmespath_free(struct att_jmespath *jp)
{
	if (!jp)
		return;
	att_jp_node_free(jp->root);
	free(jp->text);
	free(jp);
}
