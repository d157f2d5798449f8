#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The install paths of README.md, end to end, for one kernel series: DKMS and
# `make install`, each module then loaded in a VM. See usage().
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: scripts/install-test.sh 6.1|6.12

On this machine, in a copy of the sources under <cache>/install/<abi>/:
  - `dkms install <copy>` for the series' Debian kernel (add, build and
    install, as README's `sudo dkms install .`), with DKMS's tree, source
    tree and install tree private to the copy and no depmod, so nothing
    under /var/lib/dkms, /usr/src or /lib/modules changes;
  - `make module userspace` (KDIR=/lib/modules/<abi>/build, the default
    on that kernel);
  - a staged `make install-module DESTDIR=... MODULES_LOAD=1`: the module,
    the udev rule and the modules-load.d entry land under DESTDIR, and
    depmod is left to the target.
Then in a VM booting that kernel without the module loaded, as root on the
VM's private overlay of this machine's root filesystem:
  - `make install` with no variables, as a user types it: the module
    lands where modprobe finds it (depmod), the udev rule is installed, no
    modules-load.d entry; modprobe makes /dev/ohos_eventfd mode 0666; the
    version of modinfo, the CLI and pkg-config is the uapi header's; the
    README's example builds with pkg-config and runs; modprobe -r works;
  - the module DKMS built: insmod, its version, the example, rmmod.

stdout: TAP. Exit status: 0 when every test passed, else 1.
EOF
}

readonly OEFD_INSTALL_SOURCES="Makefile Kbuild dkms.conf include module udev userspace"

# The version every installed piece must show: the one in the uapi header.
oefd_version() {
	sed -n 's/^#define OHOS_EVENTFD_VERSION[[:space:]]*"\(.*\)"/\1/p' \
		"$1/include/uapi/linux/ohos_eventfd.h"
}

# --- TAP, on this machine and in the VM (lib.sh's) -------------------------

# tap DESC CMD...: one result for CMD; its output shown when it fails.
tap() {
	local desc=$1

	shift
	if "$@" >>"$log" 2>&1; then
		oefd_tap_result ok "$desc"
	else
		oefd_tap_result "not ok" "$desc"
		tail -n 15 "$log" | sed 's/^/# /'
	fi
	: >"$log"
}

same() { [ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }; }

# --- in the VM ---------------------------------------------------------------

device_mode() { stat -c '%F %a' /dev/ohos_eventfd; }
not_loaded() { ! grep -q '^ohos_eventfd ' /proc/modules; }

hello_runs() {
	local tmp out

	tmp=$(mktemp -d)
	# shellcheck disable=SC2046 # pkg-config's flags are words
	cc -o "$tmp/hello" "$src/userspace/examples/hello.c" \
		$(pkg-config --cflags --libs ohos_eventfd) || return 1
	out=$("$tmp/hello") || return 1
	echo "$out"
	[ "$out" = "read 3 from /dev/ohos_eventfd" ]
}

# The module DKMS built: it loads, says its version and serves the example.
dkms_module_tests() {
	local ko=$1 version=$2

	tap "insmod DKMS's module (${ko##*/})" insmod "$ko"
	tap "DKMS's module is version $version" \
		same "$(cat /sys/module/ohos_eventfd/version)" "$version"
	tap "README's example runs against DKMS's module" hello_runs
	tap "rmmod DKMS's module" rmmod ohos_eventfd
}

in_vm() {
	local version

	src=$1 OEFD_TAP_N=$3 log=$(mktemp)
	version=$(oefd_version "$src")
	cd "$src"

	tap "make install (no variables)" make install
	tap "the module is where modprobe looks (modinfo ohos_eventfd)" \
		modinfo -n ohos_eventfd
	tap "modinfo's version is the header's ($version)" \
		same "$(modinfo -F version ohos_eventfd)" "$version"
	tap "the udev rule is installed" test -f /etc/udev/rules.d/60-ohos_eventfd.rules
	tap "no modules-load.d entry unless asked" test ! -e /etc/modules-load.d/ohos_eventfd.conf
	tap "modprobe ohos_eventfd" modprobe ohos_eventfd
	tap "/dev/ohos_eventfd is a character device of mode 0666" \
		same "$(device_mode)" "character special file 666"
	tap "ohos-eventfd --version says $version" \
		same "$(ohos-eventfd --version)" "ohos-eventfd $version"
	tap "ohos-eventfd info: loaded, version $version" \
		sh -c "ohos-eventfd info | grep -F 'loaded, version $version,'"
	tap "pkg-config --modversion ohos_eventfd says $version" \
		same "$(pkg-config --modversion ohos_eventfd)" "$version"
	tap "README's example builds with pkg-config and runs against the module" hello_runs
	tap "modprobe -r ohos_eventfd" modprobe -r ohos_eventfd
	tap "the module is unloaded" not_loaded

	dkms_module_tests "$2" "$version"
	oefd_tap_plan
}

# --- on this machine ---------------------------------------------------------

# A copy of the sources without build products, so that the repository
# stays as it is and every run starts clean.
copy_sources() {
	local dest=$1 item

	rm -rf "$dest"
	mkdir -p "$dest"
	for item in $OEFD_INSTALL_SOURCES; do
		cp -r "$OEFD_TOP/$item" "$dest/"
	done
	rm -rf "$dest/userspace/build"
	find "$dest/module" -type f ! -name '*.[ch]' ! -name Kbuild -delete
}

# A staged install (DESTDIR, as a package build does).
staged_tests() {
	local src=$1 abi=$2 dest=$1/../staged

	rm -rf "$dest"
	tap "make install-module DESTDIR=... MODULES_LOAD=1" \
		make -C "$src" install-module DESTDIR="$dest" MODULES_LOAD=1 KDIR="/lib/modules/$abi/build"
	tap "staged: the module under lib/modules/$abi" \
		sh -c "find '$dest/lib/modules/$abi' -name 'ohos_eventfd.ko*' | grep -q ."
	tap "staged: the udev rule" test -f "$dest/etc/udev/rules.d/60-ohos_eventfd.rules"
	tap "staged: MODULES_LOAD=1 adds the modules-load.d entry" \
		same "$(cat "$dest/etc/modules-load.d/ohos_eventfd.conf")" ohos_eventfd
	tap "staged: depmod is left to the target (no modules.dep)" \
		test ! -e "$dest/lib/modules/$abi/modules.dep"
}

# README's `dkms install .`, with every DKMS tree private (see usage()).
dkms_install() {
	local work=$1 abi=$2

	mkdir -p "$work/dkms/source" "$work/dkms/tree" "$work/dkms/installed/$abi"
	mok_signing_key=$work/dkms/mok.key mok_certificate=$work/dkms/mok.pub \
		dkms install --no-depmod --sourcetree "$work/dkms/source" \
		--dkmstree "$work/dkms/tree" --installtree "$work/dkms/installed" \
		"$work/src" -k "$abi" >&2
}

main() {
	local series=${1:-} abi work ko log

	case $series in
	-h | --help) usage; exit 0 ;;
	--in-vm) shift; in_vm "$@"; return ;;
	6.1 | 6.12) ;;
	*) usage >&2; oefd_die "give the kernel series: 6.1 or 6.12" ;;
	esac
	oefd_need_pkgs make gcc libc6-dev dkms kmod pkg-config
	abi=$(oefd_kernel_ensure "$series")
	work=$(oefd_cache)/install/$abi

	oefd_say "install: copying the sources to $work/src"
	copy_sources "$work/src"
	oefd_say "install: dkms install for $abi (private DKMS trees)"
	rm -rf "$work/dkms"
	dkms_install "$work" "$abi" || oefd_die "dkms install failed"
	# DKMS compresses the module as the kernel's own are (.ko.xz on 6.12).
	ko=$(find "$work/dkms/installed/$abi/updates/dkms" -name 'ohos_eventfd.ko*')
	[ -f "$ko" ] || oefd_die "dkms install left no ohos_eventfd.ko* in $work/dkms/installed/$abi/updates/dkms"

	oefd_say "install: make module userspace against /lib/modules/$abi/build"
	make -s -C "$work/src" module userspace KDIR="/lib/modules/$abi/build" >&2 ||
		oefd_die "make module userspace failed in $work/src"

	log=$(mktemp)
	echo "TAP version 13"
	staged_tests "$work/src" "$abi"
	rm -f "$log"

	oefd_say "install: make install and modprobe in the $series VM (depmod there takes a minute or two)"
	"$OEFD_TOP/scripts/vm.sh" run --kernel "$series" --no-module --timeout 600 -- \
		"$OEFD_TOP/scripts/install-test.sh" --in-vm "$work/src" "$ko" "$OEFD_TAP_N"
	[ "$oefd_tap_failed" -eq 0 ]
}

main "$@"
