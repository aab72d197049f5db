#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Remakes the seed corpus of the trace fuzzer (tests/fuzz/corpus), small files:
#   real-strict-raw.fdw    the first 80 records and the trailer of a real
#                          --strict recording (tests/trace/test_record.sh) with
#                          the FUSE test file system; kept in git, remade only
#                          when a recording is given: make-corpus.sh REC.fdw
#   real-strict-zlib.fdw   the same, zlib blocks
#   synth-*.fdw            synthetic (build/fdw-mktrace): two inodes with a
#                          LOST event (raw), --strict (zlib), no trailer
#   inv-*.fdw              INV-2 and INV-5 (build/fdw-mkinv25): LIVE_MAPPING
#                          events and a reclaim writer racing a fault
#   bad-*.fdw              hand-made damage: cut inside a block, cut after the
#                          header, CRC mismatch, future format version, bytes
#                          after the trailer, an unknown record type
set -eu
cd "$(dirname "$0")/../.."
MK=${MKTRACE:-./build/fdw-mktrace}
TF="python3 tests/trace/tracefile.py"
C=tests/fuzz/corpus
mkdir -p "$C"
if [ $# -ge 1 ]; then
	$MK --from "$1" --events 80 --raw "$C/real-strict-raw.fdw" >/dev/null
fi
$MK --from "$C/real-strict-raw.fdw" --events 80 "$C/real-strict-zlib.fdw" >/dev/null
$MK --events 40 --inodes 2 --lost --raw --seed 7 "$C/synth-lost-raw.fdw" >/dev/null
$MK --events 120 --strict "$C/synth-strict.fdw" >/dev/null
$MK --events 600 --no-trailer "$C/synth-notrailer.fdw" >/dev/null
${MKINV25:-./build/fdw-mkinv25} inv2-510 "$C/inv-inv2-510.fdw"
${MKINV25:-./build/fdw-mkinv25} inv5-reclaim "$C/inv-inv5-reclaim.fdw"
z=$C/real-strict-zlib.fdw
hlen=$($TF layout "$z" | awk '/^header/ { print $2 }')
first=$($TF layout "$z" | awk '/^block/ { print $2; exit }')
$TF cut "$z" $((hlen + 300)) "$C/bad-cut-block.fdw"
$TF cut "$z" "$hlen" "$C/bad-header-only.fdw"
$TF flip "$z" $((first + 60)) "$C/bad-crc.fdw"
$TF set "$z" 8 "<I" 2 "$C/bad-future-version.fdw"
$TF append "$z" 464457420100 "$C/bad-after-trailer.fdw"
s=$C/synth-lost-raw.fdw
first=$($TF layout "$s" | awk '/^block/ { print $2; exit }')
$TF set "$s" $((first + 40)) "<I" 9 "$C/bad-record-type.fdw" crc
ls -l "$C" | awk 'NR > 1 { n++; s += $5 } END { print n " seeds, " s " bytes" }'
