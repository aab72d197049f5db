#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""merge_btf.py BASE OUT [SPLIT]: write one standalone raw BTF file from a
kernel's vmlinux BTF (BASE, raw .BTF section) and optionally one module's
split BTF (SPLIT, raw .BTF section of e.g. fuse.ko built against BASE).

Split BTF numbers its types after the base's and its string offsets after the
base's string section, so appending its type and string sections to the
base's keeps every reference valid. Used to give `bpftrace -d` (which takes a
single BPFTRACE_BTF file) the fuse types of a kernel where fuse is a module."""
import struct
import sys

HDR = "<HBBIIIII"


def sections(blob):
    magic, ver, flags, hlen, toff, tlen, soff, slen = struct.unpack_from(HDR, blob, 0)
    if magic != 0xEB9F:
        sys.exit("merge_btf: not BTF")
    return ver, flags, blob[hlen + toff:hlen + toff + tlen], blob[hlen + soff:hlen + soff + slen]


ver, flags, types, strs = sections(open(sys.argv[1], "rb").read())
if len(sys.argv) > 3:
    _, _, t, s = sections(open(sys.argv[3], "rb").read())
    types += t
    strs += s
hdr = struct.pack(HDR, 0xEB9F, ver, flags, 24, 0, len(types), len(types), len(strs))
open(sys.argv[2], "wb").write(hdr + types + strs)
