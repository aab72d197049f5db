#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Looks into and damages fsdaxwatch trace files (format: src/trace_format.h).

  tracefile.py layout FILE             header length and each block's offset,
                                       kind, stored length (one line each)
  tracefile.py cut FILE N OUT          the first N bytes
  tracefile.py flip FILE OFF OUT       byte OFF inverted (no CRC fixed)
  tracefile.py set FILE OFF FMT VAL OUT [crc]
                                       struct FMT ('<I', '<H', ...) at OFF set
                                       to VAL; with "crc" the CRC of the header
                                       or block holding OFF is made right again
  tracefile.py append FILE HEX OUT     bytes appended
"""
import struct
import sys
import zlib

BLOCK_HDR = 40


def layout(data):
    hlen = struct.unpack_from("<I", data, 12)[0]
    blocks, off = [], hlen
    while off + BLOCK_HDR <= len(data):
        kind, = struct.unpack_from("<H", data, off + 4)
        stored, = struct.unpack_from("<I", data, off + 8)
        end = off + BLOCK_HDR + stored + 4
        if end > len(data):
            break
        blocks.append((off, kind, stored, end))
        off = end
    return hlen, blocks


def fix_crc(data, at, lay):
    hlen, blocks = lay
    if at < hlen:
        struct.pack_into("<I", data, hlen - 4, zlib.crc32(bytes(data[:hlen - 4])))
        return
    for off, _, _, end in blocks:
        if off <= at < end:
            struct.pack_into("<I", data, end - 4, zlib.crc32(bytes(data[off:end - 4])))
            return
    sys.exit("offset %d is in no block" % at)


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    data = bytearray(open(path, "rb").read())
    if cmd == "layout":
        hlen, blocks = layout(bytes(data))
        print("header %d" % hlen)
        for off, kind, stored, end in blocks:
            print("block %d %d %d %d" % (off, kind, stored, end))
        return
    if cmd == "cut":
        data = data[:int(sys.argv[3])]
    elif cmd == "flip":
        data[int(sys.argv[3])] ^= 0xff
    elif cmd == "set":
        off, fmt, val = int(sys.argv[3]), sys.argv[4], int(sys.argv[5], 0)
        lay = layout(bytes(data))  # before the change, which may break it
        struct.pack_into(fmt, data, off, val)
        if len(sys.argv) > 7 and sys.argv[7] == "crc":
            fix_crc(data, off, lay)
    elif cmd == "append":
        data += bytes.fromhex(sys.argv[3])
    else:
        sys.exit(__doc__)
    open(sys.argv[6] if cmd == "set" else sys.argv[-1], "wb").write(data)


if __name__ == "__main__":
    main()
