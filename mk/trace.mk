# SPDX-License-Identifier: GPL-2.0
# Trace files (issue 5): `fsdaxwatch record` / `report`. Included by the
# Makefile after BUILD, CC, CPPFLAGS, CFLAGS, WARN, CLI_OBJS, SRC_HDRS and
# BPF_HDRS are set. The CLI itself picks up src/trace_*.c, src/record.c,
# src/report.c and src/perfetto.c through its src/*.c wildcard.
#
#   build/fdw-mktrace       makes trace files without a kernel (synthetic, or
#                           cropped from a recording): tests, corpus, bench
#   build/asan/fsdaxwatch   the CLI with ASan and UBSan (report needs no BPF)
#   build/fuzz_trace        libFuzzer target over the reader and the replay
#                           (clang, -fsanitize=fuzzer,address,undefined)
#
#   make trace-check        tests/trace/test_corrupt.sh (no root), then
#                           tests/trace/test_record.sh (root, /dev/fuse)
#   make trace-asan-check   test_corrupt.sh against build/asan/fsdaxwatch
#   make fuzz               the fuzzer for FUZZ_SECONDS (60) on tests/fuzz/corpus
#   make fuzz-corpus        remakes the hand-made seeds of tests/fuzz/corpus

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
FUZZ_SRCS := tests/fuzz/fuzz_trace.c src/trace_reader.c src/trace_replay.c src/trace_readahead.c \
	src/detector.c \
	src/trace_stacks.c src/stack_table.c \
	src/perfetto.c src/names.c
MKTRACE_SRCS := tests/trace/mktrace.c src/trace_writer.c src/trace_reader.c src/names.c \
	src/trace_stacks.c src/stack_table.c
ASAN_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	-fno-sanitize-recover=undefined
ASAN_OBJS := $(patsubst $(BUILD)/%,$(BUILD)/asan/%,$(CLI_OBJS))

.PHONY: trace-tools trace-check trace-asan-check fuzz fuzz-corpus

trace-tools: $(BUILD)/fdw-mktrace

$(BUILD)/fdw-mktrace: $(MKTRACE_SRCS) $(SRC_HDRS) $(BPF_HDRS) | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $(MKTRACE_SRCS) -lz -ldeflate

$(BUILD)/asan/%.o: src/%.c $(SRC_HDRS) $(BPF_HDRS) $(BUILD)/fsdaxwatch.skel.h | $(BUILD)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ASAN_FLAGS) $(WARN) -c $< -o $@

$(BUILD)/asan/fsdaxwatch: $(ASAN_OBJS)
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS_CLI)

$(BUILD)/fuzz_trace: $(FUZZ_SRCS) $(SRC_HDRS) $(BPF_HDRS) | $(BUILD)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) $(WARN) -Wno-unknown-warning-option -o $@ \
		$(FUZZ_SRCS) -lz -ldeflate -ljson-c

trace-check: all $(BUILD)/fdw-mktrace
	tests/trace/test_corrupt.sh
	tests/trace/test_record.sh

trace-asan-check: $(BUILD)/asan/fsdaxwatch $(BUILD)/fdw-mktrace
	FDW=$(BUILD)/asan/fsdaxwatch tests/trace/test_corrupt.sh

fuzz: $(BUILD)/fuzz_trace
	tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS)

fuzz-corpus: $(BUILD)/fdw-mktrace
	tests/fuzz/make-corpus.sh
