/*
 * wordcount: a toolhost example plugin in C.
 *
 * One MCP tool, "wordcount", that counts the lines, words, characters and
 * bytes of a text argument. It implements the hyper-mcp V2 plugin ABI
 * (exports list_tools and call_tool, JSON in and out) directly against the
 * Extism kernel imports, with no PDK and no JSON library: the small parser
 * below is bounded (input size, nesting depth) and turns every malformed
 * input into an isError tool result instead of a trap.
 *
 * Build (see README.md and build.sh):
 *   clang --target=wasm32-wasi -O2 -mexec-model=reactor -Wl,--strip-all \
 *         -o wordcount.wasm wordcount.c
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- Extism kernel imports (module "extism:host/env") ---------------- */

#define EXTISM_IMPORT(name) __attribute__((import_module("extism:host/env"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

EXTISM_IMPORT("input_length") extern uint64_t extism_input_length(void);
EXTISM_IMPORT("input_load_u64") extern uint64_t extism_input_load_u64(uint64_t offset);
EXTISM_IMPORT("input_load_u8") extern uint32_t extism_input_load_u8(uint64_t offset);
EXTISM_IMPORT("alloc") extern uint64_t extism_alloc(uint64_t length);
EXTISM_IMPORT("store_u64") extern void extism_store_u64(uint64_t offset, uint64_t value);
EXTISM_IMPORT("store_u8") extern void extism_store_u8(uint64_t offset, uint32_t value);
EXTISM_IMPORT("output_set") extern void extism_output_set(uint64_t offset, uint64_t length);
EXTISM_IMPORT("error_set") extern void extism_error_set(uint64_t offset);

/* Limits that keep a hostile or broken input from costing much. */
#define MAX_INPUT (4u << 20) /* bytes of call_tool input we accept */
#define MAX_DEPTH 32         /* JSON nesting depth */

/* ---- growable byte buffer ------------------------------------------- */

typedef struct {
	char *p;
	size_t len, cap;
	int oom; /* set once an allocation failed; later writes are dropped */
} buf;

static void buf_reserve(buf *b, size_t extra) {
	if (b->oom || b->len + extra <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->oom = 1;
		return;
	}
	b->p = p;
	b->cap = cap;
}

static void buf_putn(buf *b, const char *s, size_t n) {
	buf_reserve(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void buf_puts(buf *b, const char *s) { buf_putn(b, s, strlen(s)); }
static void buf_putc(buf *b, char c) { buf_putn(b, &c, 1); }

static void buf_putu(buf *b, uint64_t v) {
	char tmp[24];
	int i = sizeof tmp;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_putn(b, tmp + i, sizeof tmp - i);
}

/* buf_putjs appends s as a JSON string literal, quotes included. */
static void buf_putjs(buf *b, const char *s, size_t n) {
	static const char hex[] = "0123456789abcdef";
	buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default:
			if (c < 0x20) {
				char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
				buf_putn(b, e, 6);
			} else {
				buf_putc(b, (char)c);
			}
		}
	}
	buf_putc(b, '"');
}

/* ---- talking to the kernel ------------------------------------------ */

/* kernel_block copies n bytes into a fresh kernel memory block, 8 at a time
 * (the single-byte imports are much slower through go-sdk). */
static uint64_t kernel_block(const char *p, size_t n) {
	uint64_t off = extism_alloc(n);
	if (off == 0)
		return 0;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v;
		memcpy(&v, p + i, 8);
		extism_store_u64(off + i, v);
	}
	for (; i < n; i++)
		extism_store_u8(off + i, (unsigned char)p[i]);
	return off;
}

/* fail reports a plugin failure (not a tool error): rc 1 plus a message. */
static int32_t fail(const char *msg) {
	uint64_t off = kernel_block(msg, strlen(msg));
	if (off)
		extism_error_set(off);
	return 1;
}

/* emit sets b as the call's output, or fails when building it ran out of memory. */
static int32_t emit(buf *b) {
	if (b->oom) {
		free(b->p);
		return fail("wordcount: out of memory while building the result");
	}
	uint64_t off = kernel_block(b->p, b->len);
	free(b->p);
	if (off == 0 && b->len > 0)
		return fail("wordcount: the host could not allocate the output block");
	extism_output_set(off, b->len);
	return 0;
}

/* tool_error returns an MCP tool result with isError set and one text item. */
static int32_t tool_error(const char *msg, const char *detail, size_t detail_len) {
	buf out = {0};
	buf text = {0};
	buf_puts(&text, msg);
	if (detail) {
		buf_putn(&text, detail, detail_len);
	}
	if (text.oom) {
		free(text.p);
		return fail("wordcount: out of memory while reporting an error");
	}
	buf_puts(&out, "{\"content\":[{\"type\":\"text\",\"text\":");
	buf_putjs(&out, text.p, text.len);
	buf_puts(&out, "}],\"isError\":true}");
	free(text.p);
	return emit(&out);
}

/* ---- a small, strict JSON reader ------------------------------------ */

typedef struct {
	const char *s, *p, *end;
	const char *err; /* first error, with the byte offset in errpos */
	size_t errpos;
	int depth;
} reader;

static int bad(reader *r, const char *msg) {
	if (!r->err) {
		r->err = msg;
		r->errpos = (size_t)(r->p - r->s);
	}
	return 0;
}

static void ws(reader *r) {
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static int lit(reader *r, const char *word) {
	size_t n = strlen(word);
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return bad(r, "invalid literal");
	r->p += n;
	return 1;
}

static int hex4(reader *r, uint32_t *v) {
	if (r->end - r->p < 4)
		return bad(r, "truncated \\u escape");
	uint32_t x = 0;
	for (int i = 0; i < 4; i++) {
		char c = r->p[i];
		x <<= 4;
		if (c >= '0' && c <= '9') x |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f') x |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') x |= (uint32_t)(c - 'A' + 10);
		else return bad(r, "invalid \\u escape");
	}
	r->p += 4;
	*v = x;
	return 1;
}

static void put_utf8(buf *b, uint32_t c) {
	char u[4];
	if (c < 0x80) {
		u[0] = (char)c;
		buf_putn(b, u, 1);
	} else if (c < 0x800) {
		u[0] = (char)(0xC0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3F));
		buf_putn(b, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xE0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		buf_putn(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | c >> 18);
		u[1] = (char)(0x80 | (c >> 12 & 0x3F));
		u[2] = (char)(0x80 | (c >> 6 & 0x3F));
		u[3] = (char)(0x80 | (c & 0x3F));
		buf_putn(b, u, 4);
	}
}

/* str reads a JSON string; it decodes it into out unless out is NULL. Lone
 * surrogate escapes become U+FFFD, as Go's encoding/json does. */
static int str(reader *r, buf *out) {
	if (r->p >= r->end || *r->p != '"')
		return bad(r, "expected a string");
	r->p++;
	for (;;) {
		if (r->p >= r->end)
			return bad(r, "unterminated string");
		unsigned char c = (unsigned char)*r->p;
		if (c == '"') {
			r->p++;
			return 1;
		}
		if (c < 0x20)
			return bad(r, "control character in string");
		if (c != '\\') {
			const char *run = r->p;
			while (r->p < r->end && *r->p != '"' && *r->p != '\\' && (unsigned char)*r->p >= 0x20)
				r->p++;
			if (out)
				buf_putn(out, run, (size_t)(r->p - run));
			continue;
		}
		r->p++;
		if (r->p >= r->end)
			return bad(r, "unterminated escape");
		char e = *r->p++;
		uint32_t cp;
		switch (e) {
		case '"': cp = '"'; break;
		case '\\': cp = '\\'; break;
		case '/': cp = '/'; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u':
			if (!hex4(r, &cp))
				return 0;
			if (cp >= 0xD800 && cp < 0xDC00 && r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u') {
				const char *save = r->p;
				uint32_t lo;
				r->p += 2;
				if (!hex4(r, &lo))
					return 0;
				if (lo >= 0xDC00 && lo < 0xE000)
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				else
					r->p = save, cp = 0xFFFD; /* reread the second escape on its own */
			} else if (cp >= 0xD800 && cp < 0xE000) {
				cp = 0xFFFD;
			}
			break;
		default:
			return bad(r, "invalid escape");
		}
		if (out)
			put_utf8(out, cp);
	}
}

static int num(reader *r) {
	const char *p = r->p;
	if (p < r->end && *p == '-')
		p++;
	if (p >= r->end)
		return bad(r, "invalid number");
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (p < r->end && *p >= '0' && *p <= '9') p++;
	} else {
		return bad(r, "invalid number");
	}
	if (p < r->end && *p == '.') {
		p++;
		if (p >= r->end || *p < '0' || *p > '9')
			return bad(r, "invalid number");
		while (p < r->end && *p >= '0' && *p <= '9') p++;
	}
	if (p < r->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < r->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= r->end || *p < '0' || *p > '9')
			return bad(r, "invalid number");
		while (p < r->end && *p >= '0' && *p <= '9') p++;
	}
	r->p = p;
	return 1;
}

/* member is called for each member of an object with its decoded key; it
 * must consume the value. */
typedef int (*member_fn)(reader *r, const char *key, size_t keylen, void *ctx);

static int value(reader *r, member_fn fn, void *ctx);

static int skip_member(reader *r, const char *key, size_t keylen, void *ctx) {
	(void)key, (void)keylen, (void)ctx;
	return value(r, NULL, NULL);
}

static int object(reader *r, member_fn fn, void *ctx) {
	if (++r->depth > MAX_DEPTH)
		return bad(r, "nested too deeply");
	r->p++; /* '{' */
	ws(r);
	if (r->p < r->end && *r->p == '}') {
		r->p++;
		r->depth--;
		return 1;
	}
	buf key = {0};
	for (;;) {
		ws(r);
		key.len = 0;
		if (!str(r, &key))
			break;
		if (key.oom) {
			bad(r, "out of memory");
			break;
		}
		ws(r);
		if (r->p >= r->end || *r->p != ':') {
			bad(r, "expected ':'");
			break;
		}
		r->p++;
		ws(r);
		if (!(fn ? fn : skip_member)(r, key.p ? key.p : "", key.len, ctx))
			break;
		ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == '}') {
			r->p++;
			free(key.p);
			r->depth--;
			return 1;
		}
		bad(r, "expected ',' or '}'");
		break;
	}
	free(key.p);
	return 0;
}

static int array(reader *r) {
	if (++r->depth > MAX_DEPTH)
		return bad(r, "nested too deeply");
	r->p++; /* '[' */
	ws(r);
	if (r->p < r->end && *r->p == ']') {
		r->p++;
		r->depth--;
		return 1;
	}
	for (;;) {
		ws(r);
		if (!value(r, NULL, NULL))
			return 0;
		ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == ']') {
			r->p++;
			r->depth--;
			return 1;
		}
		return bad(r, "expected ',' or ']'");
	}
}

/* value reads any JSON value; objects go member by member through fn. */
static int value(reader *r, member_fn fn, void *ctx) {
	if (r->p >= r->end)
		return bad(r, "unexpected end of input");
	switch (*r->p) {
	case '{': return object(r, fn, ctx);
	case '[': return array(r);
	case '"': return str(r, NULL);
	case 't': return lit(r, "true");
	case 'f': return lit(r, "false");
	case 'n': return lit(r, "null");
	default:
		if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
			return num(r);
		return bad(r, "unexpected character");
	}
}

/* ---- the call_tool input -------------------------------------------- */

typedef struct {
	int has_request, has_name, has_args;
	buf name;
	int text_kind; /* 0 absent, 1 string, 2 another JSON type */
	buf text;
} call;

static int is_key(const char *key, size_t n, const char *want) {
	return n == strlen(want) && memcmp(key, want, n) == 0;
}

static int args_member(reader *r, const char *key, size_t n, void *ctx) {
	call *c = ctx;
	if (!is_key(key, n, "text"))
		return value(r, NULL, NULL);
	c->text.len = 0;
	if (r->p < r->end && *r->p == '"') {
		c->text_kind = 1;
		return str(r, &c->text);
	}
	c->text_kind = 2;
	return value(r, NULL, NULL);
}

static int request_member(reader *r, const char *key, size_t n, void *ctx) {
	call *c = ctx;
	if (is_key(key, n, "name")) {
		c->name.len = 0;
		c->has_name = r->p < r->end && *r->p == '"';
		return c->has_name ? str(r, &c->name) : value(r, NULL, NULL);
	}
	if (is_key(key, n, "arguments")) {
		c->has_args = r->p < r->end && *r->p == '{';
		return value(r, c->has_args ? args_member : NULL, c);
	}
	return value(r, NULL, NULL);
}

static int top_member(reader *r, const char *key, size_t n, void *ctx) {
	call *c = ctx;
	if (is_key(key, n, "request")) {
		c->has_request = r->p < r->end && *r->p == '{';
		return value(r, c->has_request ? request_member : NULL, c);
	}
	return value(r, NULL, NULL);
}

/* ---- the tool -------------------------------------------------------- */

static const char tools_json[] =
	"{\"tools\":[{"
	"\"name\":\"wordcount\","
	"\"title\":\"Word count\","
	"\"description\":\"Counts the lines, words, characters and bytes of a text, like wc. "
	"A line is a run ending in a newline, or the text after the last newline; a word is a run of "
	"characters other than ASCII whitespace; characters are Unicode code points; bytes are UTF-8 bytes.\","
	"\"inputSchema\":{\"type\":\"object\","
	"\"properties\":{\"text\":{\"type\":\"string\",\"description\":\"The text to count.\"}},"
	"\"required\":[\"text\"],\"additionalProperties\":false},"
	"\"outputSchema\":{\"type\":\"object\","
	"\"properties\":{\"lines\":{\"type\":\"integer\"},\"words\":{\"type\":\"integer\"},"
	"\"characters\":{\"type\":\"integer\"},\"bytes\":{\"type\":\"integer\"}},"
	"\"required\":[\"lines\",\"words\",\"characters\",\"bytes\"]},"
	"\"annotations\":{\"readOnlyHint\":true,\"idempotentHint\":true,\"openWorldHint\":false}"
	"}]}";

EXPORT("list_tools") int32_t list_tools(void) {
	uint64_t off = kernel_block(tools_json, sizeof tools_json - 1);
	if (off == 0)
		return fail("wordcount: the host could not allocate the output block");
	extism_output_set(off, sizeof tools_json - 1);
	return 0;
}

static int is_space(unsigned char c) {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static void count_field(buf *b, uint64_t n, const char *one, const char *many, int last) {
	buf_putu(b, n);
	buf_putc(b, ' ');
	buf_puts(b, n == 1 ? one : many);
	if (!last)
		buf_puts(b, ", ");
}

static int32_t wordcount(const char *s, size_t n) {
	uint64_t lines = 0, words = 0, chars = 0;
	int in_word = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xC0) != 0x80)
			chars++; /* every byte but a UTF-8 continuation byte starts a character */
		if (c == '\n')
			lines++;
		if (is_space(c)) {
			in_word = 0;
		} else if (!in_word) {
			in_word = 1;
			words++;
		}
	}
	if (n > 0 && s[n - 1] != '\n')
		lines++;

	buf text = {0};
	count_field(&text, lines, "line", "lines", 0);
	count_field(&text, words, "word", "words", 0);
	count_field(&text, chars, "character", "characters", 0);
	count_field(&text, n, "byte", "bytes", 1);
	buf out = {0};
	buf_puts(&out, "{\"content\":[{\"type\":\"text\",\"text\":");
	buf_putjs(&out, text.p ? text.p : "", text.len);
	free(text.p);
	buf_puts(&out, "}],\"structuredContent\":{\"lines\":");
	buf_putu(&out, lines);
	buf_puts(&out, ",\"words\":");
	buf_putu(&out, words);
	buf_puts(&out, ",\"characters\":");
	buf_putu(&out, chars);
	buf_puts(&out, ",\"bytes\":");
	buf_putu(&out, n);
	buf_puts(&out, "},\"isError\":false}");
	if (text.oom)
		out.oom = 1;
	return emit(&out);
}

EXPORT("call_tool") int32_t call_tool(void) {
	uint64_t len = extism_input_length();
	if (len > MAX_INPUT)
		return tool_error("wordcount: the call is larger than the 4 MiB this tool accepts", NULL, 0);
	char *in = malloc(len ? (size_t)len : 1);
	if (!in)
		return fail("wordcount: out of memory reading the input");
	size_t n = (size_t)len, i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v = extism_input_load_u64(i);
		memcpy(in + i, &v, 8);
	}
	for (; i < n; i++)
		in[i] = (char)extism_input_load_u8(i);

	reader r = {.s = in, .p = in, .end = in + n};
	call c = {0};
	ws(&r);
	if (r.p < r.end && *r.p != '{')
		bad(&r, "expected a JSON object");
	else if (value(&r, top_member, &c)) {
		ws(&r);
		if (r.p != r.end)
			bad(&r, "trailing data after the JSON object");
	}
	if (c.name.oom || c.text.oom)
		bad(&r, "out of memory");

	int32_t rc;
	if (r.err) {
		buf msg = {0};
		buf_puts(&msg, "wordcount: malformed call_tool input: ");
		buf_puts(&msg, r.err);
		buf_puts(&msg, " at byte ");
		buf_putu(&msg, r.errpos);
		rc = msg.oom ? fail("wordcount: out of memory") : tool_error("", msg.p, msg.len);
		free(msg.p);
	} else if (!c.has_request || !c.has_name) {
		rc = tool_error("wordcount: call_tool input lacks request.name", NULL, 0);
	} else if (!is_key(c.name.p ? c.name.p : "", c.name.len, "wordcount")) {
		buf msg = {0};
		buf_puts(&msg, "wordcount: unknown tool \"");
		size_t cut = c.name.len;
		if (cut > 64) { /* quote at most 64 bytes, cut at a character boundary */
			cut = 64;
			while (cut > 0 && ((unsigned char)c.name.p[cut] & 0xC0) == 0x80)
				cut--;
		}
		buf_putn(&msg, c.name.p, cut);
		buf_puts(&msg, "\"; this plugin has only \"wordcount\"");
		rc = msg.oom ? fail("wordcount: out of memory") : tool_error("", msg.p, msg.len);
		free(msg.p);
	} else if (c.text_kind != 1) {
		rc = tool_error(c.text_kind == 0 ? "wordcount: the argument \"text\" is required"
		                                 : "wordcount: the argument \"text\" must be a string",
		                NULL, 0);
	} else {
		rc = wordcount(c.text.p ? c.text.p : "", c.text.len);
	}
	free(c.name.p);
	free(c.text.p);
	free(in);
	return rc;
}
