/* SPDX-License-Identifier: ISC */
/*
 * unpack.c - telling a report file by its content (gzip magic, zip
 * magic, XML) and unpacking it: gzip through zlib (RFC 1952), zip
 * through libarchive, both with a cap on what comes out
 * (RCV_MAX_UNPACKED, against a small file that expands to gigabytes) and
 * for zip on the number of entries. Receivers name their files
 * sender!domain!begin!end!id.xml.gz or .zip (RFC 7489 7.2.1.1) but the
 * content decides here: names lie, content types too.
 * Not here: mail messages (mime.c), files and folders (source.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include "buf.h"
#include "err.h"
#include "mime.h"
#include "unpack.h"

enum rcv_kind
rcv_kind(const void *v, size_t len)
{
	const unsigned char *p, *end;

	if (len == 0)
		return RCV_OTHER;
	p = v;
	end = p + len;
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return RCV_GZIP;
	if (len >= 4 && memcmp(p, "PK\x03\x04", 4) == 0)
		return RCV_ZIP;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;		/* a UTF-8 byte order mark */
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n'))
		p++;
	if ((size_t)(end - p) >= 5 && memcmp(p, "<?xml", 5) == 0)
		return RCV_XML;
	if ((size_t)(end - p) >= 9 && memcmp(p, "<feedback", 9) == 0)
		return RCV_XML;
	return RCV_OTHER;
}

/* Gunzip into out: NULL, or the reason it cannot be done. */
static const char *
gunzip(const void *p, size_t len, struct buf *out)
{
	z_stream z;
	unsigned char chunk[65536];
	const char *why = NULL;
	int rc;

	memset(&z, 0, sizeof(z));
	/* 15 + 16: gzip only (RFC 1952) */
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return "zlib: cannot start";
	z.next_in = (unsigned char *)(uintptr_t)p;
	z.avail_in = len > 0xffffffffu ? 0xffffffffu : (uInt)len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END) {
			why = rc == Z_BUF_ERROR ? "truncated gzip" :
			    "damaged gzip";
			break;
		}
		buf_add(out, chunk, sizeof(chunk) - z.avail_out);
		if (out->len > RCV_MAX_UNPACKED) {
			why = "gzip expands past the cap of 32 MiB "
			    "(a decompression bomb?)";
			break;
		}
		if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
			why = "truncated gzip";
			break;
		}
	} while (rc != Z_STREAM_END);
	inflateEnd(&z);
	if (why == NULL && buf_failed(out))
		why = "out of memory";
	return why;
}

/* One zip entry's data into out: NULL, or the reason. */
static const char *
zip_entry(struct archive *a, struct buf *out, size_t *total)
{
	char chunk[65536];
	la_ssize_t n;

	while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0) {
		*total += (size_t)n;
		if (*total > RCV_MAX_UNPACKED)
			return "zip expands past the cap of 32 MiB "
			    "(a decompression bomb?)";
		buf_add(out, chunk, (size_t)n);
		if (buf_failed(out))
			return "out of memory";
	}
	if (n < 0)
		return "damaged zip entry";
	return NULL;
}

static int
unzip(const struct rcv_sink *s, const char *label, const void *p, size_t len,
    struct err *e)
{
	struct archive *a;
	struct archive_entry *ent;
	struct buf data = BUF_INIT;
	char sub[1200];
	const char *why = NULL, *name;
	size_t entries = 0, total = 0, found = 0;
	int rc = 0, r;

	if ((a = archive_read_new()) == NULL)
		return err_set(e, "out of memory");
	archive_read_support_format_zip(a);
	if (archive_read_open_memory(a, p, len) != ARCHIVE_OK) {
		archive_read_free(a);
		return s->refused(s->arg, label, "not a readable zip", e);
	}
	while ((r = archive_read_next_header(a, &ent)) == ARCHIVE_OK ||
	    r == ARCHIVE_WARN) {
		if (archive_entry_filetype(ent) != AE_IFREG)
			continue;
		if (++entries > RCV_MAX_ZIP_ENTRIES) {
			why = "zip with more than 16 entries";
			break;
		}
		name = archive_entry_pathname(ent);
		snprintf(sub, sizeof(sub), "%s!%.200s", label,
		    name != NULL ? name : "?");
		buf_reset(&data);
		if ((why = zip_entry(a, &data, &total)) != NULL)
			break;
		found++;
		if (rcv_kind(data.data, data.len) == RCV_XML)
			rc = s->xml(s->arg, sub, data.data, data.len, e);
		else
			rc = s->refused(s->arg, sub, "zip entry is not XML", e);
		if (rc == -1)
			break;
	}
	if (rc == 0 && why == NULL && r != ARCHIVE_EOF && r != ARCHIVE_OK &&
	    r != ARCHIVE_WARN)
		why = "damaged zip";
	if (rc == 0 && why == NULL && found == 0)
		why = "empty zip";
	if (rc == 0 && why != NULL)
		rc = s->refused(s->arg, label, why, e);
	archive_read_free(a);
	buf_free(&data);
	return rc;
}

int
rcv_unpack(const struct rcv_sink *s, const char *label, const void *p,
    size_t len, bool message, struct err *e)
{
	struct buf out = BUF_INIT;
	const char *why;
	int rc;

	if (len == 0)
		p = "";		/* an empty buffer may have no storage */
	switch (rcv_kind(p, len)) {
	case RCV_GZIP:
		if ((why = gunzip(p, len, &out)) != NULL)
			rc = s->refused(s->arg, label, why, e);
		else if (rcv_kind(out.data, out.len) != RCV_XML)
			rc = s->refused(s->arg, label, "gzip of something "
			    "other than XML", e);
		else
			rc = s->xml(s->arg, label, out.data, out.len, e);
		buf_free(&out);
		return rc;
	case RCV_ZIP:
		return unzip(s, label, p, len, e);
	case RCV_XML:
		return s->xml(s->arg, label, p, len, e);
	case RCV_OTHER:
		break;
	}
	if (message)
		return rcv_mime(s, label, p, len, e);
	return s->refused(s->arg, label, "neither gzip, zip nor XML", e);
}
