# SPDX-License-Identifier: GPL-2.0
#
# ohos_eventfd: the one build and test entry. `make help` lists the targets.

KDIR ?= /lib/modules/$(shell uname -r)/build
KERNEL ?= 6.12
PREFIX ?= /usr/local
DESTDIR ?=

SCRIPTS := $(CURDIR)/scripts

.PHONY: all module userspace clean install install-module install-userspace \
	check kunit selftests demo bench bench-host soak vm-run vm-shell help

all: module userspace

module:
	@test -d $(KDIR) || { echo "error: no kernel build tree at KDIR=$(KDIR)" \
		"(install linux-headers-$$(uname -r), pass KDIR=..., or use 'make demo'/'make check', which build in a VM)"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module modules

userspace:
	$(MAKE) -C userspace

clean:
	@if [ -d $(KDIR) ]; then $(MAKE) -C $(KDIR) M=$(CURDIR)/module clean; \
	else rm -rf module/*.o module/*.ko module/*.mod* module/.*.cmd module/Module.symvers module/modules.order module/.tmp_versions; fi
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	$(MAKE) -C bench clean

install: install-module install-userspace

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR)/module modules_install
	depmod -a $(shell basename $$(dirname $(KDIR)) 2>/dev/null)
	install -D -m 0644 udev/60-ohos_eventfd.rules $(DESTDIR)/etc/udev/rules.d/60-ohos_eventfd.rules
	@if [ -n "$(MODULES_LOAD)" ]; then \
		install -D -m 0644 /dev/null $(DESTDIR)/etc/modules-load.d/ohos_eventfd.conf; \
		echo ohos_eventfd > $(DESTDIR)/etc/modules-load.d/ohos_eventfd.conf; fi

install-userspace:
	$(MAKE) -C userspace install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

check:
	@$(SCRIPTS)/check.sh

kunit:
	@$(SCRIPTS)/kunit.sh

selftests:
	@$(SCRIPTS)/selftests.sh $(KERNEL)

demo:
	@$(SCRIPTS)/demo.sh $(KERNEL)

bench:
	@$(SCRIPTS)/bench.sh

bench-host:
	@$(SCRIPTS)/bench.sh --host

soak:
	@$(SCRIPTS)/soak.sh

vm-run:
	@test -n "$$CMD" || { echo "usage: make vm-run CMD='command' [EXTRA=dir] [KERNEL=6.1|6.12]"; exit 2; }
	@$(SCRIPTS)/vm.sh run --kernel $(KERNEL) $(if $(EXTRA),--extra $(EXTRA)) -- sh -c "$$CMD"

vm-shell:
	@$(SCRIPTS)/vm.sh shell --kernel $(KERNEL)

help:
	@echo "Targets (KERNEL=6.1|6.12 picks the VM kernel, default 6.12):"
	@echo "  make                 build module/ohos_eventfd.ko (against KDIR) and userspace/"
	@echo "  make module          build the module against KDIR=$(KDIR)"
	@echo "  make userspace       build libohos_eventfd, the LD_PRELOAD shim and the CLI"
	@echo "  make install         install module (modules_install + depmod + udev rule) and userspace;"
	@echo "                       MODULES_LOAD=1 also loads it at boot (modules-load.d)"
	@echo "  make clean           remove build products"
	@echo "  make check           every test: builds, checkpatch/sparse/W=1, userspace, KUnit, VM selftests"
	@echo "  make demo            the module in a VM running the example program"
	@echo "  make kunit           KUnit suite under UML (kunit.py, lockdep + KASAN)"
	@echo "  make selftests       differential selftests in the VM for KERNEL"
	@echo "  make bench           benchmarks against native eventfd in the VM (both kernels)"
	@echo "  make bench-host      the same benchmarks on this machine with the module loaded"
	@echo "  make soak            long reliability runs in the VM"
	@echo "  make vm-run CMD='...' [EXTRA=dir]   run CMD in the VM with the module loaded"
	@echo "  make vm-shell        interactive shell in the VM with the module loaded"
