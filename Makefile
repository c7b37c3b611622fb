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
#   make dkms-install         register, build and install with DKMS for
#                             every installed kernel (dkms-remove undoes it)
#   make demo                 the administrator's story, end to end, in a VM
#   make check-debug          the VM suite on a KASAN/lockdep/kmemleak kernel
#   make bench                fio: stock aoe.ko, this one, NBD, loop (table)
#   make crash                52 power cuts on a volatile write cache (CRASH_ARGS)
#   make systest              real Debian 12 systems in VMs: boot, shutdown,
#                             root on AoE, moving a disk... (SYS_ARGS)
#   make clean

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PWD := $(shell pwd)

SRCS := Kbuild aoe.h aoeproto.h aoecompat.h aoetrace.h \
	aoemain.c aoenet.c aoecmd.c aoedisc.c aoedev.c aoeblk.c aoechr.c \
	aoeproto.c aoedebug.c aoersv.c

# Every installed header set (the build symlink of each module tree).
KVERS ?= $(sort $(notdir $(patsubst %/build,%,$(wildcard /lib/modules/*/build))))

DESTDIR ?=
MODDIR ?= /lib/modules/$(KVER)/updates
UDEVDIR ?= /etc/udev/rules.d
# Not 60-aoe.rules: a file of that name in /etc would hide aoetools' own
# /lib/udev/rules.d/60-aoe.rules, whose last line starts aoe-discover.service.
UDEVNAME := 61-aoe-modes.rules
MODPROBEDIR ?= /etc/modprobe.d
# ifupdown's networking.service stops through conf/aoe-ifdown-all, which
# keeps up the interfaces that carry a mounted AoE filesystem (root on AoE).
LIBEXECDIR ?= /usr/libexec/aoe
UNITDROPDIR ?= /etc/systemd/system/networking.service.d
SBINDIR ?= /usr/local/sbin

.PHONY: modules kernels static unit check vmtest install uninstall clean \
	dkms-install dkms-remove demo check-debug bench profile hostbench crash soak systest \
	install-shutdown install-tools print-srcs

modules:
	@test -d $(KDIR) || { echo "no kernel headers at $(KDIR);" \
		"installed: $(or $(KVERS),none) (use KVER=..., or" \
		"apt-get install linux-headers-$(KVER))" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(PWD) modules

# Each kernel gets its own copy of the sources: Kbuild writes its objects
# next to them, so two kernels cannot share one directory.
kernels:
	@test -n "$(KVERS)" || { echo "make kernels: no kernel header sets in" \
		"/lib/modules/*/build (tests/vm/deps.sh installs them)" >&2; \
		exit 1; }
	@set -e; for v in $(KVERS); do \
		mkdir -p build/$$v; \
		cp -u $(SRCS) build/$$v/; \
		echo "== building for $$v"; \
		$(MAKE) -C /lib/modules/$$v/build M=$(PWD)/build/$$v W=1 modules; \
	done

static:
	tests/static-check.sh $(KVERS)

# For tests/static-check.sh: the one list of the module's sources.
print-srcs:
	@echo $(SRCS)

unit:
	$(MAKE) -C tests/unit run

check:
	tests/run-all.sh

vmtest: kernels
	tests/vm/run.sh

install: modules
	install -d $(DESTDIR)$(MODDIR) $(DESTDIR)$(UDEVDIR) $(DESTDIR)$(MODPROBEDIR)
	install -m 0644 aoe.ko $(DESTDIR)$(MODDIR)/aoe.ko
	install -m 0644 udev/60-aoe.rules $(DESTDIR)$(UDEVDIR)/$(UDEVNAME)
	install -m 0644 conf/aoe.conf $(DESTDIR)$(MODPROBEDIR)/aoe.conf
	$(MAKE) install-shutdown install-tools
	test -n "$(DESTDIR)" || depmod -a $(KVER)

DKMS_VER := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC := /usr/src/aoe-$(DKMS_VER)

dkms-install:
	tests/apt-need.sh dkms
	test -n "$(KVERS)" || \
		{ echo "dkms-install: no kernel headers installed" >&2; exit 1; }
	! dkms status -m aoe -v $(DKMS_VER) | grep -q . || \
		dkms remove -m aoe -v $(DKMS_VER) --all
	rm -rf $(DKMS_SRC) && mkdir -p $(DKMS_SRC)
	cp $(SRCS) Makefile dkms.conf $(DKMS_SRC)/
	dkms add -m aoe -v $(DKMS_VER)
	for v in $(KVERS); do \
		dkms build -m aoe -v $(DKMS_VER) -k $$v && \
		dkms install -m aoe -v $(DKMS_VER) -k $$v || exit 1; \
	done
	$(MAKE) install-shutdown install-tools

dkms-remove:
	dkms remove -m aoe -v $(DKMS_VER) --all
	rm -rf $(DKMS_SRC) $(LIBEXECDIR) $(UNITDROPDIR)/aoe.conf \
		$(SBINDIR)/aoe-reserve

# These targets install packages first (kernel headers among them), so
# anything derived from what is installed (KVERS) is computed again by the
# sub-make and the scripts, after the install, never when make read this
# file. DEMO_KVER picks the demo's kernel (default: the newest installed).
demo:
	tests/vm/deps.sh
	$(MAKE) kernels
	tests/vm/demo.sh $(DEMO_KVER)

check-debug:
	tests/vm/deps.sh
	tests/debug/run.sh

# Stock aoe.ko vs this one vs NBD vs loop, in one VM; a table, no verdict.
bench:
	tests/vm/deps.sh
	$(MAKE) kernels
	tests/bench/run.sh $(BENCH_ARGS)

# perf inside the guest on the bench's aoefast 1 MiB write point at depth
# 1, this driver then the stock one; PROFILE_ARGS="--rounds N --driver D".
profile:
	tests/vm/deps.sh
	$(MAKE) kernels
	tests/bench/profile.sh $(PROFILE_ARGS)

# The bench's points with aoefast on this host, on a tap device that is the
# guest's NIC (root); HOSTBENCH_ARGS="--rounds N --driver D --perf".
hostbench:
	tests/vm/deps.sh
	$(MAKE) kernels
	tests/bench/hostbench.sh $(HOSTBENCH_ARGS)

# The long crash-consistency run; CRASH_ARGS="--driver stock" for the
# kernel's own aoe.ko, "--rounds N" for N per filesystem.
crash:
	tests/vm/deps.sh
	$(MAKE) kernels
	tests/vm/crash.sh $(CRASH_ARGS)

# The two-hour soak on two paths with links, target, MTU and netem
# changing under fio verify; SOAK_ARGS="--minutes N" for another length.
soak:
	tests/vm/deps.sh
	$(MAKE) kernels
	tests/vm/soak.sh $(SOAK_ARGS)

# Every scenario of tests/sys on both kernels of its Debian image;
# SYS_ARGS="--only 30- --kernel KVER" for one.
systest:
	tests/vm/deps.sh
	tests/sys/run.sh $(SYS_ARGS)

# The shutdown side of root on AoE (README "Root filesystem on AoE").
install-shutdown:
	install -D -m 0755 conf/aoe-ifdown-all $(DESTDIR)$(LIBEXECDIR)/ifdown-all
	install -D -m 0644 conf/aoe-networking.conf $(DESTDIR)$(UNITDROPDIR)/aoe.conf
	test -n "$(DESTDIR)" || ! test -d /run/systemd/system || \
		systemctl daemon-reload

# aoe-reserve: reservations through the pr ioctls (aoe-reserve --help).
tools/aoe-reserve: tools/aoe-reserve.c
	$(CC) -O2 -Wall -Wextra -o $@ $<

install-tools: tools/aoe-reserve
	install -D -m 0755 tools/aoe-reserve $(DESTDIR)$(SBINDIR)/aoe-reserve

uninstall:
	rm -f $(DESTDIR)$(MODDIR)/aoe.ko $(DESTDIR)$(UDEVDIR)/$(UDEVNAME) \
		$(DESTDIR)$(MODPROBEDIR)/aoe.conf \
		$(DESTDIR)$(LIBEXECDIR)/ifdown-all $(DESTDIR)$(UNITDROPDIR)/aoe.conf \
		$(DESTDIR)$(SBINDIR)/aoe-reserve
	test -n "$(DESTDIR)" || depmod -a $(KVER)

clean:
	-test -d $(KDIR) && $(MAKE) -C $(KDIR) M=$(PWD) clean
	rm -rf build tools/aoe-reserve
	-$(MAKE) -C tests/unit clean
