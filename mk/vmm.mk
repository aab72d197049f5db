# SPDX-License-Identifier: GPL-2.0
# Guest programs of the virtio-fs DAX window scenarios (issue 9), built static
# for the guest matrix's initramfs (scripts/vm/mkinitramfs.sh). Included by
# the Makefile after BUILD, CC, CPPFLAGS, CFLAGS and WARN are set.
#
#   build/static/fdw-inv2   keeps a mapping of pages beyond the new size while
#                           truncating (INV-2 on Debian's 5.10)

static: $(BUILD)/static/fdw-inv2

$(BUILD)/static/fdw-inv2: tests/vmm/guest/inv2.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -pthread -static -o $@ $<
