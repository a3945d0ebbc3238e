/* SPDX-License-Identifier: ISC */
/*
 * fuzz_xml_text.c - libFuzzer target for the XML text writer (xml_text,
 * xml_text_clean), through which every value of an aggregate report goes.
 * Checks the guarantee: whatever the bytes, xml_text's output is valid
 * UTF-8 of XML 1.0 Chars with no '<', '>' or raw CR (so it is well-formed
 * character data), xml_text_clean's is the same without controls, and
 * xml_text writes clean text with nothing replaced. The input is copied
 * to a heap block of its exact size, so a read past the end shows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "xml_text.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Valid UTF-8 of XML Chars; escaped: no '<', '>', CR, TAB or LF either. */
static void
check(const struct buf *b, int escaped)
{
	const unsigned char *p = (const unsigned char *)b->data;
	uint32_t cp;
	size_t i = 0, n;

	if (buf_failed(b))
		return;
	while (i < b->len) {
		if ((n = utf8_decode(p + i, b->len - i, &cp)) == 0 ||
		    !xml_char(cp))
			abort();
		if (escaped && (cp == '<' || cp == '>' || cp == '\r' ||
		    cp == '\n' || cp == '\t'))
			abort();
		if (!escaped && cp < 0x20)
			abort();
		i += n;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf t = BUF_INIT, c = BUF_INIT, tc = BUF_INIT, tc2 = BUF_INIT;
	char *in;

	if ((in = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	xml_text(&t, in, size);
	check(&t, 1);
	(void)xml_text_clean(&c, in, size);
	check(&c, 0);
	/* clean text is only escaped: cleaning it again changes nothing */
	if (!buf_failed(&c) && xml_text_clean(&tc, c.data, c.len) != 0)
		abort();
	if (!buf_failed(&tc) && c.len > 0 && (tc.len != c.len ||
	    memcmp(tc.data, c.data, c.len) != 0))
		abort();
	xml_text(&tc2, c.data, c.len);
	check(&tc2, 1);
	buf_free(&t);
	buf_free(&c);
	buf_free(&tc);
	buf_free(&tc2);
	free(in);
	return 0;
}
