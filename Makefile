# SPDX-License-Identifier: GPL-2.0
#
# ohos_eventfd: the one build and test entry. `make help` lists the targets.

KDIR ?= /lib/modules/$(shell uname -r)/build
KERNEL ?= 6.12
PREFIX ?= /usr/local
DESTDIR ?=
# Where `make deb` puts the .deb files; `make clean` removes them there.
DEBDIR ?= $(CURDIR)

SCRIPTS := $(CURDIR)/scripts

.PHONY: all module userspace clean install install-module install-userspace \
	check kunit selftests demo bench bench-host soak vm-run vm-shell help deb

all: module userspace

module:
	@test -d $(KDIR) || { echo "error: no kernel build tree at KDIR=$(KDIR)" \
		"(install linux-headers-$$(uname -r), pass KDIR=..., or use 'make demo'/'make check', which build in a VM)"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C userspace

clean:
	@if [ -d $(KDIR) ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; \
	else rm -rf module/*.o module/*.ko module/*.mod* module/.*.cmd module/modules.order \
		module/Module.symvers Module.symvers modules.order .*.cmd .module-common.o .tmp_versions; fi
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean
	$(MAKE) -C bench clean
	$(MAKE) -C reliability clean
	rm -f $(addprefix $(DEBDIR)/,ohos-eventfd-dkms_*.deb libohos-eventfd2_*.deb \
		libohos-eventfd-dev_*.deb ohos-eventfd-utils_*.deb)

install: install-module install-userspace

# depmod's release comes from the module's vermagic, as modules_install's
# does: KDIR need not be /lib/modules/<release>/build. A staged install
# (DESTDIR) leaves depmod to the target, as kbuild does. Without a signing
# key in KDIR (distribution headers) kbuild's attempt to sign would only
# print an SSL error, so it is skipped; DKMS signs with its MOK key.
install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		$(if $(wildcard $(KDIR)/certs/signing_key.pem),,CONFIG_MODULE_SIG_ALL=) modules_install
	@release=$$(modinfo -F vermagic module/ohos_eventfd.ko | cut -d' ' -f1); \
	if [ -z "$$release" ]; then echo "error: no release in module/ohos_eventfd.ko's vermagic" >&2; exit 1; \
	elif [ -z "$(DESTDIR)" ]; then echo "depmod $$release"; depmod "$$release"; \
	else echo "DESTDIR set: run 'depmod $$release' on the target system"; fi
	install -D -m 0644 udev/60-ohos_eventfd.rules $(DESTDIR)/etc/udev/rules.d/60-ohos_eventfd.rules
	@if [ -z "$(DESTDIR)" ] && [ -S /run/udev/control ]; then udevadm control --reload-rules; fi
	@if [ -n "$(MODULES_LOAD)" ]; then \
		mkdir -p $(DESTDIR)/etc/modules-load.d && \
		echo ohos_eventfd > $(DESTDIR)/etc/modules-load.d/ohos_eventfd.conf; fi

install-userspace:
	$(MAKE) -C userspace install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

check:
	@$(SCRIPTS)/check.sh

deb:
	@$(SCRIPTS)/deb.sh --out $(DEBDIR)

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

# The list is README.md's "Make targets" table, so the two never differ.
help:
	@echo "Targets (KERNEL=6.1|6.12 picks the VM kernel, default 6.12):"
	@sed -n '/^## Make targets/,/^## /p' $(CURDIR)/README.md | \
		awk -F' [|] ' '/^[|] `/ { gsub(/`/, ""); sub(/^[|] /, "", $$1); sub(/ [|]$$/, "", $$2); \
			printf "  %s\n      %s\n", $$1, $$2; n++ } \
			END { if (!n) { print "no Make targets table in README.md" > "/dev/stderr"; exit 1 } }'
