/* SPDX-License-Identifier: ISC */
/*
 * xml_text.h - untrusted bytes as XML 1.0 text that is always
 * well-formed and valid UTF-8, whatever the bytes are (the DMARC aggregate
 * reports of RFC 9990 carry domains, selectors and comments that came from
 * SMTP clients and DNS answers).
 * XML 1.0 (Fifth Edition) section 2.2 allows only the Char production:
 * TAB, LF, CR, U+0020..U+D7FF, U+E000..U+FFFD, U+10000..U+10FFFF. Other
 * characters cannot even be written as character references, so they are
 * replaced. No I/O; the caller owns the buffer.
 */
#ifndef INKAN_XML_TEXT_H
#define INKAN_XML_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The replacement for anything that cannot be written: U+FFFD in UTF-8. */
#define XML_TEXT_REPLACEMENT	"\xef\xbf\xbd"

/* Is cp a Char of XML 1.0 section 2.2? */
bool	 xml_char(uint32_t cp);

/*
 * Append len bytes of s (any bytes: NUL, invalid UTF-8; s may be NULL
 * when len is 0) as XML character
 * data, fit for element content and for attribute values alike:
 *   & < > " '        as &amp; &lt; &gt; &quot; &apos; (so "]]>" is safe)
 *   TAB LF CR        as &#9; &#10; &#13; (kept exactly: a parser would
 *                    turn a raw CR into LF, and white space in attributes
 *                    into spaces)
 *   valid UTF-8 of any other Char   unchanged (an IDN U-label survives)
 *   anything else    U+FFFD: each byte that does not start a valid UTF-8
 *                    sequence (overlong forms, encoded surrogates, bytes
 *                    over U+10FFFF, a sequence cut short), NUL and the
 *                    other C0 controls, and U+FFFE and U+FFFF (one U+FFFD
 *                    for the whole sequence)
 */
void	 xml_text(struct buf *out, const char *s, size_t len);

/*
 * Append len bytes of s made into text that xml_text() writes without
 * replacing anything, for storing (report_db.c): TAB, LF, CR, the other
 * C0 controls and DEL become '?' (they separate fields and never belong
 * in these values); every other byte or sequence that xml_text() would
 * replace becomes U+FFFD. Nothing is escaped. Returns the number of
 * replacements made (0: s was clean).
 */
size_t	 xml_text_clean(struct buf *out, const char *s, size_t len);

#endif
