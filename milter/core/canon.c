/* SPDX-License-Identifier: ISC */
/*
 * canon.c - DKIM canonicalization (RFC 6376 section 3.4).
 * Turns header fields and body chunks into the bytes that get hashed.
 * No I/O, no globals; the caller owns every buffer passed in.
 *
 * The body machine never looks back at earlier chunks. It defers what only
 * later bytes can decide: line ends (trailing empty lines are dropped,
 * 3.4.3 and 3.4.4), a run of white space (dropped at the end of a line,
 * reduced to one SP elsewhere, relaxed only) and a CR (a line end only if
 * LF follows). A bare LF counts as a line end too: messages read from files
 * or handed over by some MTAs use LF, and on the wire it would be CRLF.
 * Most of a body is text that canonicalizes to itself; a fast path finds
 * such spans 16 bytes at a time (SSE2) and hashes them straight from the
 * caller's buffer, leaving the byte-wise machine only the places where it
 * has something to decide (tests/bench: a 10 MB body was hashed at a
 * fifth of SHA-256's speed, byte by byte).
 * Not here: choosing which fields to sign (dkim_sign.c).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#define CANON_BLOCK	16	/* bytes the fast path judges at once */
#endif

#include "abnf.h"
#include "canon.h"

const char *
canon_name(enum canon_alg a)
{
	return a == CANON_RELAXED ? "relaxed" : "simple";
}

int
canon_parse(const char *s, size_t len, enum canon_alg *out)
{
	if (len == 6 && strncasecmp(s, "simple", 6) == 0)
		*out = CANON_SIMPLE;
	else if (len == 7 && strncasecmp(s, "relaxed", 7) == 0)
		*out = CANON_RELAXED;
	else
		return -1;
	return 0;
}

/*
 * Relaxed header canonicalization, RFC 6376 section 3.4.2: lower-case the
 * name, unfold, reduce WSP runs to one SP, drop WSP at the end of the value
 * and around the colon.
 */
static void
canon_header_relaxed(const char *raw, size_t len, struct buf *out)
{
	const char *colon = memchr(raw, ':', len);
	const char *p, *end = raw + len;
	size_t nlen, i;
	bool pending_sp = false, started = false;

	if (colon == NULL)
		colon = end;
	nlen = (size_t)(colon - raw);
	while (nlen > 0 && abnf_wsp((unsigned char)raw[nlen - 1]))
		nlen--;
	if (buf_reserve(out, len + 3) == -1)
		return;
	for (i = 0; i < nlen; i++) {
		char c = raw[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		out->data[out->len++] = c;
	}
	out->data[out->len++] = ':';
	for (p = colon < end ? colon + 1 : end; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		/* unfolding: CRLF disappears; the WSP after it is a run */
		if (c == '\r' || c == '\n' || abnf_wsp(c)) {
			if (started)
				pending_sp = true;
			continue;
		}
		if (pending_sp)
			out->data[out->len++] = ' ';
		pending_sp = false;
		started = true;
		out->data[out->len++] = (char)c;
	}
	out->data[out->len] = '\0';
}

void
canon_header(enum canon_alg a, const char *raw, size_t len, bool with_crlf,
    struct buf *out)
{
	if (a == CANON_RELAXED)
		canon_header_relaxed(raw, len, out);
	else
		buf_add(out, raw, len);
	if (with_crlf)
		buf_add(out, "\r\n", 2);
}

int
canon_header_hash(void *ctx, enum canon_alg a, const char *raw, size_t len,
    bool with_crlf, struct buf *scratch)
{
	buf_reset(scratch);
	canon_header(a, raw, len, with_crlf, scratch);
	if (buf_failed(scratch) ||
	    EVP_DigestUpdate(ctx, scratch->data, scratch->len) != 1)
		return -1;
	return 0;
}

/* Canonical bytes are staged here and handed to emit in blocks. */
#define CANON_STAGE	8192

struct canon_body {
	enum canon_alg	 alg;
	canon_emit_fn	 emit;
	void		*arg;
	unsigned long long pending_crlf; /* line ends not yet emitted */
	bool		 pending_wsp;	/* relaxed: a WSP run not yet emitted */
	bool		 saw_cr;	/* last byte was a CR, LF may follow */
	bool		 in_line;	/* current line has content */
	bool		 any_content;	/* some content was emitted */
	bool		 failed;
	size_t		 nstage;
	unsigned char	 stage[CANON_STAGE];
};

struct canon_body *
canon_body_new(enum canon_alg a, canon_emit_fn emit, void *arg)
{
	struct canon_body *cb;

	if ((cb = calloc(1, sizeof(*cb))) == NULL)
		return NULL;
	cb->alg = a;
	cb->emit = emit;
	cb->arg = arg;
	return cb;
}

void
canon_body_free(struct canon_body *cb)
{
	free(cb);
}

static void
stage_flush(struct canon_body *cb)
{
	if (cb->nstage > 0 && !cb->failed &&
	    cb->emit(cb->arg, cb->stage, cb->nstage) == -1)
		cb->failed = true;
	cb->nstage = 0;
}

static void
stage_put(struct canon_body *cb, unsigned char c)
{
	if (cb->nstage == sizeof(cb->stage))
		stage_flush(cb);
	cb->stage[cb->nstage++] = c;
}

/* A content byte: first emit what it proves was not trailing. */
static void
content(struct canon_body *cb, unsigned char c)
{
	for (; cb->pending_crlf > 0; cb->pending_crlf--) {
		stage_put(cb, '\r');
		stage_put(cb, '\n');
	}
	if (cb->pending_wsp) {
		stage_put(cb, ' ');
		cb->pending_wsp = false;
	}
	stage_put(cb, c);
	cb->in_line = true;
	cb->any_content = true;
}

static void
line_end(struct canon_body *cb)
{
	cb->pending_crlf++;
	cb->pending_wsp = false;	/* WSP at the end of a line goes */
	cb->in_line = false;
}

/* One byte through the machine. */
static void
body_byte(struct canon_body *cb, unsigned char c)
{
	if (cb->saw_cr) {
		cb->saw_cr = false;
		if (c == '\n') {
			line_end(cb);
			return;
		}
		content(cb, '\r');	/* a bare CR is content */
	}
	if (c == '\r')
		cb->saw_cr = true;
	else if (c == '\n')
		line_end(cb);
	else if (cb->alg == CANON_RELAXED && abnf_wsp(c))
		cb->pending_wsp = true;
	else
		content(cb, c);
}

#ifdef CANON_BLOCK
/*
 * Which bytes of the block at p (p[-1] and p[CANON_BLOCK] readable) the
 * fast path may not pass through as they are: a CR without LF after it
 * or starting an empty line (trailing empty lines are dropped), an LF
 * without CR before it, a CR as the last byte (its LF is in the next
 * block), and for relaxed a TAB or a SP followed by white space or a line
 * end (runs shrink to one SP, trailing white space goes). A CRLF after
 * content passes: it stays whatever follows.
 */
static unsigned int
block_special(const unsigned char *p, bool relaxed)
{
	const __m128i *at = (const __m128i *)(const void *)p;
	__m128i b = _mm_loadu_si128(at);
	__m128i prev = _mm_loadu_si128((const __m128i *)(const void *)(p - 1));
	__m128i next = _mm_loadu_si128((const __m128i *)(const void *)(p + 1));
	__m128i cr = _mm_cmpeq_epi8(b, _mm_set1_epi8('\r'));
	__m128i next_lf = _mm_cmpeq_epi8(next, _mm_set1_epi8('\n'));
	__m128i bad;

	bad = _mm_andnot_si128(next_lf, cr);
	bad = _mm_or_si128(bad, _mm_and_si128(cr,
	    _mm_cmpeq_epi8(prev, _mm_set1_epi8('\n'))));
	bad = _mm_or_si128(bad, _mm_andnot_si128(
	    _mm_cmpeq_epi8(prev, _mm_set1_epi8('\r')),
	    _mm_cmpeq_epi8(b, _mm_set1_epi8('\n'))));
	if (relaxed) {
		__m128i next_ws = _mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(next, _mm_set1_epi8(' ')),
		    _mm_cmpeq_epi8(next, _mm_set1_epi8('\t'))),
		    _mm_or_si128(_mm_cmpeq_epi8(next, _mm_set1_epi8('\r')),
		    next_lf));

		bad = _mm_or_si128(bad, _mm_cmpeq_epi8(b, _mm_set1_epi8('\t')));
		bad = _mm_or_si128(bad, _mm_and_si128(
		    _mm_cmpeq_epi8(b, _mm_set1_epi8(' ')), next_ws));
	}
	return (unsigned int)_mm_movemask_epi8(bad) |
	    ((unsigned int)_mm_movemask_epi8(cr) & (1u << (CANON_BLOCK - 1)));
}

/*
 * Bytes that are their own canonical form, found with nothing deferred:
 * out they go. A CRLF at the end is held back as a pending line end, so
 * that what was emitted never ends in a line end (the final CRLF and the
 * dropping of trailing empty lines rely on that).
 */
static void
pass_run(struct canon_body *cb, const unsigned char *p, size_t n)
{
	if (n >= 2 && p[n - 1] == '\n') {
		n -= 2;
		cb->pending_crlf = 1;
	}
	if (n == 0)
		return;
	if (n <= sizeof(cb->stage) - cb->nstage && n < 512) {
		memcpy(cb->stage + cb->nstage, p, n);
		cb->nstage += n;
	} else {
		stage_flush(cb);
		if (!cb->failed && cb->emit(cb->arg, p, n) == -1)
			cb->failed = true;
	}
	cb->any_content = true;
	cb->in_line = cb->pending_crlf == 0;
}
#endif

int
canon_body_update(struct canon_body *cb, const unsigned char *p, size_t n)
{
	const unsigned char *start = p, *end = p + n;

	while (p < end && !cb->failed) {
#ifdef CANON_BLOCK
		/* the fast path: nothing deferred, a byte either side */
		if (p > start && end - p > CANON_BLOCK &&
		    cb->pending_crlf == 0 && !cb->pending_wsp && !cb->saw_cr) {
			const unsigned char *run = p;
			unsigned int special = 0;

			while (end - p > CANON_BLOCK && (special =
			    block_special(p, cb->alg == CANON_RELAXED)) == 0)
				p += CANON_BLOCK;
			/* the bytes before the first special one pass too */
			if (special != 0)
				p += __builtin_ctz(special);
			if (p > run) {
				pass_run(cb, run, (size_t)(p - run));
				continue;
			}
		}
#endif
		body_byte(cb, *p++);
	}
	return cb->failed ? -1 : 0;
}

int
canon_body_final(struct canon_body *cb)
{
	if (cb->saw_cr) {
		cb->saw_cr = false;
		content(cb, '\r');
	}
	/*
	 * 3.4.3: simple turns an empty body into one CRLF and ends every body
	 * with CRLF. 3.4.4 (with erratum 1384): relaxed leaves an empty body
	 * empty and otherwise ends it with one CRLF; a body of only empty
	 * lines is empty.
	 */
	if (cb->any_content || cb->alg == CANON_SIMPLE) {
		stage_put(cb, '\r');
		stage_put(cb, '\n');
	}
	cb->pending_crlf = 0;
	stage_flush(cb);
	return cb->failed ? -1 : 0;
}
