#!/usr/bin/python3
# SPDX-License-Identifier: ISC
# check_png.py FILE MIN_WIDTH MIN_HEIGHT [#RRGGBB...] - a screenshot that
# shows something: a PNG of at least that size, more than 2% of its pixels
# not white, and each colour given present (within a small distance, for
# anti-aliasing) in at least 50 pixels. Decodes the PNG itself (zlib and
# the five filters of the PNG specification, section 9): no PIL needed.
# Prints what it counted; exit 0 when all holds, 1 otherwise.
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("not a PNG")
    pos, idat, w = 8, [], None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                sys.exit("unexpected PNG type %d/%d/%d" % (depth, ctype, interlace))
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + n
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pr) & 255
        elif f != 0:
            sys.exit("bad filter %d" % f)
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main():
    path, minw, minh = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    want = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in sys.argv[4:]]
    w, h, bpp, rows = decode(path)
    nonwhite, found = 0, [0] * len(want)
    for line in rows:
        for i in range(0, len(line), bpp):
            r, g, b = line[i], line[i + 1], line[i + 2]
            if r < 250 or g < 250 or b < 250:
                nonwhite += 1
                for k, (wr, wg, wb) in enumerate(want):
                    if abs(r - wr) + abs(g - wg) + abs(b - wb) < 24:
                        found[k] += 1
    share = nonwhite / float(w * h)
    print("%dx%d, %.1f%% not white, colours %s" % (w, h, 100 * share, found))
    ok = w >= minw and h >= minh and share > 0.02 and all(n >= 50 for n in found)
    sys.exit(0 if ok else 1)


main()
