"""Writes a real PNG (96x64, a gradient) to the path given, with Python's zlib: the upload path checks
content, not names. Used by the browser suites.

Usage: make-png.py FILE
"""
import struct
import sys
import zlib

w, h = 96, 64
rows = b"".join(b"\x00" + bytes(v for x in range(w) for v in (x * 2 % 256, y * 4 % 256, 140)) for y in range(h))


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)


png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
