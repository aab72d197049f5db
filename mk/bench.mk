# SPDX-License-Identifier: GPL-2.0
# Benchmarks and sanitizers (issue 7). Included by the Makefile after BUILD,
# CC, CPPFLAGS, CFLAGS and WARN are set (and after mk/locktime.mk, whose
# test_histogram the sanitizer run builds again).
#
#   make bench      tests/bench/run-bench.sh: fault-path overhead against no
#                   tracing and against bpftrace, loss at the highest event
#                   rate, start-up time, report speed, peak memory; each
#                   figure with its target (root, /dev/fuse; a few minutes)
#   make sanitize   the CLI and the unit tests built with AddressSanitizer,
#                   UndefinedBehaviorSanitizer and LeakSanitizer into
#                   $(BUILD)/asan (a make of its own with BUILD=$(BUILD)/asan),
#                   then tests/hardening/sanitize.sh: the unit tests, doctor,
#                   a short live run and a record/report run under them

SAN_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
SAN_BUILD := $(BUILD)/asan

.PHONY: bench sanitize sanitize-build

$(BUILD)/faultbench: tests/bench/faultbench.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $<

# report speed needs fdw-mktrace (mk/trace.mk); without it that figure is skipped
BENCH_DEPS := $(BUILD)/faultbench $(if $(wildcard mk/trace.mk),$(BUILD)/fdw-mktrace)

bench: all $(BENCH_DEPS)
	BUILD=$(BUILD) tests/bench/run-bench.sh
	BUILD=$(BUILD) tests/bench/lockcost.sh || [ $$? -eq 77 ]

# The sub-make's objects are those of mk/trace.mk's $(BUILD)/asan rules
# (same flags), so the two can share the directory.
sanitize-build: all
	$(MAKE) BUILD=$(SAN_BUILD) CFLAGS="$(SAN_FLAGS)" \
		$(SAN_BUILD)/fsdaxwatch $(SAN_BUILD)/test_detector $(SAN_BUILD)/test_histogram

sanitize: sanitize-build
	BUILD=$(BUILD) SAN_BUILD=$(SAN_BUILD) tests/hardening/sanitize.sh
