# SPDX-License-Identifier: GPL-2.0
# fsdaxwatch build. `make` builds the CLI and the test helpers, `make check`
# runs every test, `make demo` runs the main job, `make static` builds the
# static binaries the guest matrix puts into its initramfs.

VERSION := $(shell cat VERSION)
BUILD ?= build
CLANG ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL ?= bpftool
CC ?= gcc
ARCH := x86

CFLAGS ?= -g -O2
WARN := -Wall -Wextra -Wno-unused-parameter -Wmissing-prototypes -Wno-format-truncation -Werror
CPPFLAGS += -Ibpf -Isrc -I$(BUILD) -DFDW_VERSION=\"$(VERSION)\" -D_GNU_SOURCE
LDLIBS_CLI := -lbpf -ldw -lelf -lz -ldeflate -ljson-c -lm -pthread
FUSE_CFLAGS := $(shell pkg-config --cflags fuse3 2>/dev/null)
FUSE_LIBS := $(shell pkg-config --libs fuse3 2>/dev/null)
FUSE_LIBS_STATIC := $(shell pkg-config --static --libs fuse3 2>/dev/null)

# The BPF side is built against bpf/kernel_types.h (see README: no vmlinux.h)
# plus the uapi headers of linux-libc-dev, found through clang's own paths.
CLANG_BPF_SYS_INCLUDES ?= $(shell $(CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -DFDW_BPF_SIDE -Ibpf \
	$(CLANG_BPF_SYS_INCLUDES) -Wall -Werror

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_HDRS := $(wildcard bpf/*.h)
DETECTOR_SRCS := src/detector.c
CLI_SRCS := $(filter-out $(DETECTOR_SRCS),$(wildcard src/*.c))
CLI_OBJS := $(patsubst src/%.c,$(BUILD)/%.o,$(CLI_SRCS) $(DETECTOR_SRCS))
SRC_HDRS := $(wildcard src/*.h)

TEST_HELPERS := $(BUILD)/fdw-testfs $(BUILD)/fdw-workload

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all static check unit-check cli-check live-check vm-check demo bench \
	clean format install-deps

all: $(BUILD)/fsdaxwatch $(TEST_HELPERS)

$(BUILD):
	@mkdir -p $@ $@/static

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(BPFTOOL) gen object $@ $@.tmp
	@rm -f $@.tmp

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@

$(BUILD)/%.o: src/%.c $(SRC_HDRS) $(BPF_HDRS) $(BUILD)/fsdaxwatch.skel.h | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -c $< -o $@

$(BUILD)/fsdaxwatch: $(CLI_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS_CLI)

$(BUILD)/fdw-testfs: tests/fuse/testfs.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(FUSE_CFLAGS) -o $@ $< $(FUSE_LIBS)

$(BUILD)/fdw-workload: tests/fuse/workload.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fno-omit-frame-pointer $(WARN) -pthread -o $@ $<

# Static binaries for the guest initramfs (no shared libraries there).
static: $(BUILD)/static/fsdaxwatch $(BUILD)/static/fdw-testfs $(BUILD)/static/fdw-workload \
	$(BUILD)/static/fdw-inv2map

# libdw.a (Debian libdw-dev) also needs liblzma and libbz2; its debuginfod client's
# dlopen() warns at static link time and is never used (no DEBUGINFOD_URLS in the guest).
LDLIBS_STATIC := $(LDLIBS_CLI) -llzma -lbz2
$(BUILD)/static/fsdaxwatch: $(CLI_OBJS)
	$(CC) $(CFLAGS) -static -o $@ $^ $(LDLIBS_STATIC) 2>&1 | grep -v 'dlopen' >&2 || true
	@test -x $@

$(BUILD)/static/fdw-testfs: tests/fuse/testfs.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(FUSE_CFLAGS) -static -o $@ $< \
		$(FUSE_LIBS_STATIC) 2>&1 | grep -v 'dlopen' >&2 || true
	@test -x $@

$(BUILD)/static/fdw-workload: tests/fuse/workload.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fno-omit-frame-pointer $(WARN) -pthread -static -o $@ $<

# Unit tests of the detector (plain C, no libbpf).
$(BUILD)/test_detector: tests/unit/test_detector.c src/detector.c src/detector.h $(BPF_HDRS) | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ tests/unit/test_detector.c src/detector.c -lcmocka

# Unit tests of the symbolizers, the stack table and the rate limiter (no libbpf).
STACKS_TEST_SRCS := tests/unit/test_stacks.c src/symbolize_kernel.c src/symbolize_user.c \
	src/stack_table.c src/trace_stacks.c src/violation_dedup.c
$(BUILD)/test_stacks: $(STACKS_TEST_SRCS) $(SRC_HDRS) $(BPF_HDRS) | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $(STACKS_TEST_SRCS) -ldw -lelf -lcmocka

unit-check: $(BUILD)/test_stacks $(BUILD)/test_detector
	tests/run-tests.sh unit

cli-check: all
	tests/run-tests.sh cli

live-check: all
	tests/run-tests.sh live

vm-check: static
	scripts/vm/run-matrix.sh $(KERNELS)

check: all $(BUILD)/test_detector $(BUILD)/test_stacks $(BUILD)/test_histogram $(BUILD)/om-driver static
	tests/run-tests.sh all

demo:
	scripts/install-deps.sh
	$(MAKE) all
	scripts/demo.sh

install-deps:
	scripts/install-deps.sh

format:
	clang-format -i bpf/*.c bpf/*.h src/*.c src/*.h tests/*/*.c

clean:
	rm -rf $(BUILD)

include mk/locktime.mk
include mk/install.mk
include mk/trace.mk
include mk/bench.mk
include mk/inv.mk
include mk/vmm.mk
