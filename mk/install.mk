# SPDX-License-Identifier: GPL-2.0
# `make install` and `make uninstall`. Included at the end of the Makefile
# (after BUILD is set). PREFIX defaults to /usr/local; DESTDIR stages the
# tree elsewhere (packaging: make install DESTDIR=debian/fsdaxwatch PREFIX=/usr).
#
#   $(PREFIX)/sbin/fsdaxwatch                                   the binary
#   $(PREFIX)/share/man/man8/fsdaxwatch.8                       the man page
#   $(PREFIX)/share/bash-completion/completions/fsdaxwatch     bash completion
#   $(PREFIX)/share/fsdaxwatch/bpftrace/*.bt                    bpftrace scripts
#   $(PREFIX)/share/fsdaxwatch/*                                example dashboards
#
# The bpftrace scripts and dashboards are whatever scripts/bpftrace/*.bt and
# the regular files in scripts/dashboards/ hold when make runs (none: none).

PREFIX ?= /usr/local
DESTDIR ?=
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
PKGDATADIR ?= $(DATADIR)/fsdaxwatch
INSTALL ?= install

INSTALL_BPFTRACE = $(sort $(wildcard scripts/bpftrace/*.bt))
INSTALL_DASHBOARDS = $(sort $(shell find scripts/dashboards -mindepth 1 -maxdepth 1 \
	-type f 2>/dev/null))

# $(call install_data,FILES,DIR): mode 0755 for a script (#! first), else 0644.
install_data = for f in $(1); do \
		if [ "$$(head -c 2 "$$f")" = '\#!' ]; then m=0755; else m=0644; fi; \
		$(INSTALL) -m $$m "$$f" $(2)/ || exit 1; \
	done

.PHONY: install uninstall

install: $(BUILD)/fsdaxwatch
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR)
	$(INSTALL) -m 0755 $(BUILD)/fsdaxwatch $(DESTDIR)$(SBINDIR)/fsdaxwatch
	$(INSTALL) -m 0644 doc/fsdaxwatch.8 $(DESTDIR)$(MANDIR)/man8/fsdaxwatch.8
	$(INSTALL) -m 0644 scripts/completion/fsdaxwatch.bash $(DESTDIR)$(BASHCOMPDIR)/fsdaxwatch
ifneq ($(strip $(INSTALL_BPFTRACE)),)
	$(INSTALL) -d $(DESTDIR)$(PKGDATADIR)/bpftrace
	$(call install_data,$(INSTALL_BPFTRACE),$(DESTDIR)$(PKGDATADIR)/bpftrace)
endif
ifneq ($(strip $(INSTALL_DASHBOARDS)),)
	$(INSTALL) -d $(DESTDIR)$(PKGDATADIR)
	$(call install_data,$(INSTALL_DASHBOARDS),$(DESTDIR)$(PKGDATADIR))
endif

# Removes exactly what install puts in place; $(PKGDATADIR) belongs to
# fsdaxwatch alone, so it goes whole (scripts removed from the tree since the
# install go with it).
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/fsdaxwatch
	rm -f $(DESTDIR)$(MANDIR)/man8/fsdaxwatch.8
	rm -f $(DESTDIR)$(BASHCOMPDIR)/fsdaxwatch
	rm -rf $(DESTDIR)$(PKGDATADIR)

# `make deb`: the Debian package, built out of tree from what git lists
# (tracked files, and untracked ones that are not ignored) so that the build
# writes nothing into the work tree; the .deb ends up in $(DEB_OUT).
DEB_OUT ?= $(BUILD)/deb
DEB_SRC = $(DEB_OUT)/fsdaxwatch-$(VERSION)

.PHONY: deb
deb:
	@git rev-parse --is-inside-work-tree >/dev/null 2>&1 || \
		{ echo "make deb: needs a git checkout (it packs what git ls-files lists)" >&2; exit 2; }
	rm -rf $(DEB_OUT)
	mkdir -p $(DEB_SRC)
	git ls-files -z -c -o --exclude-standard | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		tar --null -T - -cf - | tar -C $(DEB_SRC) -xf -
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b
	rm -rf $(DEB_SRC)
	@ls -1 $(DEB_OUT)/*.deb
