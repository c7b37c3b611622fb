# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build of the aoe module.
#
#   make                      build aoe.ko for KVER (default: running kernel)
#   make KVER=6.1.0-57-amd64  build for another installed header set
#   make kernels              build for every installed header set, each in
#                             build/<kver>/ (the VM tests use these)
#   make static               W=1 and sparse (C=2) on every header set, and
#                             checkpatch: fails on any warning
#   make unit                 userspace unit tests of the protocol code
#   make check                the whole test suite (what .ci/run runs)
#   make install / uninstall  module + depmod, udev rules, modprobe.d
#   make clean

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PWD := $(shell pwd)

SRCS := Kbuild aoe.h aoeproto.h aoecompat.h aoetrace.h \
	aoemain.c aoenet.c aoecmd.c aoedev.c aoeblk.c aoechr.c aoeproto.c \
	aoedebug.c

# Every installed header set (the build symlink of each module tree).
KVERS ?= $(sort $(notdir $(patsubst %/build,%,$(wildcard /lib/modules/*/build))))

DESTDIR ?=
MODDIR ?= /lib/modules/$(KVER)/updates/dkms
UDEVDIR ?= /etc/udev/rules.d
MODPROBEDIR ?= /etc/modprobe.d

.PHONY: modules kernels static unit check vmtest install uninstall clean

modules:
	@test -d $(KDIR) || { echo "no kernel headers at $(KDIR);" \
		"installed: $(KVERS) (use KVER=...)" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(PWD) modules

# Each kernel gets its own copy of the sources: Kbuild writes its objects
# next to them, so two kernels cannot share one directory.
kernels:
	@set -e; for v in $(KVERS); do \
		mkdir -p build/$$v; \
		cp -u $(SRCS) build/$$v/; \
		echo "== building for $$v"; \
		$(MAKE) -C /lib/modules/$$v/build M=$(PWD)/build/$$v W=1 modules; \
	done

static:
	tests/static-check.sh $(KVERS)

unit:
	$(MAKE) -C tests/unit run

check:
	tests/run-all.sh

vmtest: kernels
	tests/vm/run.sh

install: modules
	install -d $(DESTDIR)$(MODDIR) $(DESTDIR)$(UDEVDIR) $(DESTDIR)$(MODPROBEDIR)
	install -m 0644 aoe.ko $(DESTDIR)$(MODDIR)/aoe.ko
	install -m 0644 udev/60-aoe.rules $(DESTDIR)$(UDEVDIR)/60-aoe.rules
	install -m 0644 conf/aoe.conf $(DESTDIR)$(MODPROBEDIR)/aoe.conf
	test -n "$(DESTDIR)" || depmod -a $(KVER)

uninstall:
	rm -f $(DESTDIR)$(MODDIR)/aoe.ko $(DESTDIR)$(UDEVDIR)/60-aoe.rules \
		$(DESTDIR)$(MODPROBEDIR)/aoe.conf
	test -n "$(DESTDIR)" || depmod -a $(KVER)

clean:
	-test -d $(KDIR) && $(MAKE) -C $(KDIR) M=$(PWD) clean
	rm -rf build
	-$(MAKE) -C tests/unit clean
