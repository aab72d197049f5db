# SPDX-License-Identifier: GPL-2.0
# INV-2 (live mappings) and INV-5 (DAX-range reclaim). Included by the
# Makefile after BUILD, CC, CPPFLAGS, CFLAGS and WARN are set.
#
#   build/test_inv25   cmocka tests of bpf/live_bits.h and of the detector's
#                      INV-2/INV-5 verdicts (plain C)

$(BUILD)/test_inv25: tests/unit/test_inv25.c src/detector.c src/detector.h $(BPF_HDRS) | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ tests/unit/test_inv25.c src/detector.c -lcmocka

check: $(BUILD)/test_inv25 $(BUILD)/fdw-mktrace
