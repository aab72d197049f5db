# SPDX-License-Identifier: GPL-2.0
# Lock timing (issue 4): unit tests of the histograms and the OpenMetrics
# test driver. Included by the Makefile after BUILD, CPPFLAGS, CFLAGS and
# WARN are set. The CLI itself picks up src/histogram*.c and
# src/openmetrics.c through its src/*.c wildcard.
#
#   build/test_histogram   cmocka tests of src/histogram.c (plain C)
#   build/om-driver        writes metrics files and JSON from synthetic
#                          histograms, and checks atomic replacement
#                          (tests/locktime/test_openmetrics.sh)

HIST_SRCS := src/histogram.c
OM_SRCS := src/openmetrics.c src/histogram.c src/histogram_json.c

.PHONY: unit-check-hist locktime-check

$(BUILD)/test_histogram: tests/unit/test_histogram.c $(HIST_SRCS) src/histogram.h \
		bpf/fsdaxwatch.h | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ tests/unit/test_histogram.c $(HIST_SRCS) \
		-lcmocka -lm

$(BUILD)/om-driver: tests/locktime/om_driver.c $(OM_SRCS) src/histogram.h src/openmetrics.h \
		src/histogram_json.h bpf/fsdaxwatch.h | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ tests/locktime/om_driver.c $(OM_SRCS) \
		-ljson-c -lm

unit-check-hist: $(BUILD)/test_histogram
	$(BUILD)/test_histogram

locktime-check: $(BUILD)/om-driver
	BUILD=$(BUILD) tests/locktime/test_openmetrics.sh
