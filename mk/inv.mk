# SPDX-License-Identifier: GPL-2.0
# INV-2 (live mappings) and INV-5 (DAX-range reclaim). Included by the
# Makefile after BUILD, CC, CPPFLAGS, CFLAGS and WARN are set.
#
#   build/test_inv25   cmocka tests of bpf/live_bits.h and of the detector's
#                      INV-2/INV-5 verdicts (plain C)

$(BUILD)/test_inv25: tests/unit/test_inv25.c src/detector.c src/detector.h $(BPF_HDRS) | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ tests/unit/test_inv25.c src/detector.c -lcmocka

check: $(BUILD)/test_inv25

# build/fdw-mkinv25: synthetic traces of the 5.10 INV-2 behaviour and of
# reclaim racing a fault (INV-5), with clean counterparts
MKINV25_SRCS := tests/trace/mkinv25.c src/trace_writer.c src/names.c

$(BUILD)/fdw-mkinv25: $(MKINV25_SRCS) $(SRC_HDRS) $(BPF_HDRS) | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $(MKINV25_SRCS) -lz

check: $(BUILD)/fdw-mkinv25

# fdw-inv2map: the INV-2 workload (a mapping kept across a truncate), for the
# guest matrix (scripts/vm/scen/inv2.sh)
all: $(BUILD)/fdw-inv2map

$(BUILD)/fdw-inv2map: tests/fuse/inv2map.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $<

$(BUILD)/static/fdw-inv2map: tests/fuse/inv2map.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -static -o $@ $<
