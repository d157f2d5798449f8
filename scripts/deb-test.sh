#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages end to end in a VM: install, use, remove, purge, and
# nothing left behind. See usage().
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: scripts/deb-test.sh [--debs DIR] 6.1|6.12

DIR holds the four packages of `make deb` (scripts/deb.sh --out DIR); without
--debs they are built first, into <cache>/deb/test/. Then in a VM booting the
series' Debian kernel without the module, as root on the VM's private
overlay of this machine's root filesystem (where dkms and the kernel's
headers are installed):
  - the names of every file in the directories the packages and their
    maintainer scripts touch are listed;
  - `dpkg -i` the four packages: DKMS builds the module for the running
    kernel against its installed headers and installs it;
  - dkms status, modinfo and the module's place, no modules-load.d entry
    (debconf's default), `modprobe ohos_eventfd`, the version everywhere;
  - README's example built with `pkg-config` runs against the device
    through the installed shared library; a plain libc program under
    LD_PRELOAD=<the packaged shim> gets a counter of the device;
  - with debconf's load-at-boot answer "true", the package's postinst
    (configure, DKMS's part switched off by /etc/dkms/no-autoinstall)
    writes the modules-load.d entry;
  - `modprobe -r`, `dpkg -r` of the four: DKMS no longer has the module,
    it is gone from /lib/modules, so is the entry; `dpkg --purge`: the
    debconf answers are gone and the file lists equal the first ones.
DKMS's own signing key (/var/lib/dkms/mok.key, mok.pub), made at its first
build and kept by design (README: enroll it with mokutil), is not counted
as left behind.

stdout: TAP. Exit status: 0 when every test passed, else 1.
EOF
}

readonly OEFD_DEB_PACKAGES="ohos-eventfd-dkms libohos-eventfd2 libohos-eventfd-dev ohos-eventfd-utils"
readonly OEFD_DEB_KEPT_BY_DKMS="/var/lib/dkms/mok.key /var/lib/dkms/mok.pub"

oefd_version() {
	sed -n 's/^#define OHOS_EVENTFD_VERSION[[:space:]]*"\(.*\)"/\1/p' \
		"$OEFD_TOP/include/uapi/linux/ohos_eventfd.h"
}

# --- TAP ---------------------------------------------------------------------

tap_no=0
tap_failed=0
# In the VM: the kernel's release, the version, scratch space, test output.
abi=
version=
tmp=
log=

# A result line, then how long the step took when that was noticeable
# (under emulation DKMS's build, depmod and dpkg's database take minutes).
tap() {
	local desc=$1 start=$SECONDS

	shift
	tap_no=$((tap_no + 1))
	if "$@" >>"$log" 2>&1; then
		printf 'ok %d - %s\n' "$tap_no" "$desc"
	else
		tap_failed=$((tap_failed + 1))
		printf 'not ok %d - %s\n' "$tap_no" "$desc"
		tail -n 20 "$log" | sed 's/^/# /'
	fi
	[ $((SECONDS - start)) -lt 3 ] || printf '#   (%d s)\n' "$((SECONDS - start))"
	: >"$log"
}

same() { [ "$1" = "$2" ] || { echo "got '$1', expected '$2'"; return 1; }; }

# --- in the VM ---------------------------------------------------------------

# Every file name in the directories the packages' files are in (one level)
# and, whole, in those their maintainer scripts and DKMS write to; without
# the ones DKMS keeps on purpose.
file_list() {
	local dir

	{
		sed 's|/[^/]*$||' "$tmp/contents" | sort -u | while read -r dir; do
			[ ! -d "${dir:-/}" ] || find "${dir:-/}" -maxdepth 1
		done
		find /etc /var/lib/dkms /var/lib/dpkg/info
		find "/lib/modules/$abi" -path "/lib/modules/$abi/kernel" -prune -o -print
	} | grep -vxF -f <(tr ' ' '\n' <<<"$OEFD_DEB_KEPT_BY_DKMS") | LC_ALL=C sort -u
}

dpkg_install() {
	DEBIAN_FRONTEND=noninteractive dpkg -i "${debs[@]}" || return 1
}

dkms_has() {
	local status

	status=$(dkms status -m ohos_eventfd -v "$version" -k "$abi") || return 1
	echo "$status"
	[[ $status == *": installed"* ]]
}
dkms_has_not() { [ -z "$(dkms status -m ohos_eventfd)" ] && [ ! -e /var/lib/dkms/ohos_eventfd ]; }

module_path() {
	local path

	path=$(modinfo -n ohos_eventfd) || return 1
	echo "$path"
	case $path in
	"/lib/modules/$abi/updates/dkms/ohos_eventfd.ko"*) ;;
	*) return 1 ;;
	esac
}

no_module_file() {
	local files

	files=$(find "/lib/modules/$abi" -name 'ohos_eventfd.ko*') || return 1
	[ -z "$files" ] || { echo "$files"; return 1; }
	! modinfo ohos_eventfd
}

hello_runs() {
	local out

	# shellcheck disable=SC2046 # pkg-config's flags are words
	cc -o "$tmp/hello" "$OEFD_TOP/userspace/examples/hello.c" \
		$(pkg-config --cflags --libs ohos_eventfd) || return 1
	readelf -d "$tmp/hello" | grep -F '[libohos_eventfd.so.2]' || return 1
	out=$("$tmp/hello") || return 1
	echo "$out"
	[ "$out" = "read 3 from /dev/ohos_eventfd" ]
}

# A plain libc program: what its eventfd() returned, and a write/read.
build_probe() {
	cat >"$tmp/probe.c" <<'EOF'
#include <stdio.h>
#include <unistd.h>
#include <sys/eventfd.h>

int main(void)
{
	char path[64], link[64];
	eventfd_t value = 0;
	ssize_t n;
	int fd = eventfd(0, EFD_CLOEXEC);

	if (fd < 0 || eventfd_write(fd, 2) || eventfd_read(fd, &value))
		return 1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return 1;
	link[n] = '\0';
	printf("%s %llu\n", link, (unsigned long long)value);
	return 0;
}
EOF
	cc -Wall -Werror -o "$tmp/probe" "$tmp/probe.c"
}

shim_routes() {
	local shim=$1 out

	build_probe || return 1
	out=$("$tmp/probe") || return 1
	same "$out" "anon_inode:[eventfd] 2" || return 1
	out=$(LD_PRELOAD=$shim "$tmp/probe") || return 1
	same "$out" "anon_inode:[ohos_eventfd] 2"
}

# The package's postinst with debconf's answer "true", as dpkg-reconfigure
# runs it. Not dpkg-reconfigure itself: it also runs the prerm (upgrade),
# whose DKMS part removes the module, and DKMS's part of the postinst then
# rebuilds it (minutes under emulation; dpkg -i tested that part already).
# /etc/dkms/no-autoinstall, DKMS's own switch, leaves only our part to run.
load_at_boot() {
	local status=0

	touch /etc/dkms/no-autoinstall || return 1
	echo "ohos-eventfd-dkms ohos-eventfd-dkms/load-at-boot boolean true" | debconf-set-selections &&
		DEBIAN_FRONTEND=noninteractive /var/lib/dpkg/info/ohos-eventfd-dkms.postinst configure "$version" &&
		grep -x ohos_eventfd /etc/modules-load.d/ohos_eventfd.conf &&
		dkms_has || status=1
	rm -f /etc/dkms/no-autoinstall
	return "$status"
}

no_debconf_answers() {
	local answers

	answers=$(debconf-show ohos-eventfd-dkms 2>&1)
	echo "$answers"
	[ -z "$answers" ]
}

# (Into a file, not a pipeline into grep: under pipefail diff's status
# would hide grep's.)
same_files() {
	file_list >"$tmp/after" || return 1
	LC_ALL=C comm -13 "$tmp/before" "$tmp/after" | sed 's/^/left behind: /' >"$tmp/changed" &&
		LC_ALL=C comm -23 "$tmp/before" "$tmp/after" | sed 's/^/gone: /' >>"$tmp/changed" ||
		return 1
	if [ -s "$tmp/changed" ]; then
		cat "$tmp/changed"
		return 1
	fi
	wc -l <"$tmp/after"
}

in_vm() {
	local dir=$1 deb shim pkgs start

	read -ra pkgs <<<"$OEFD_DEB_PACKAGES"
	abi=$(uname -r)
	version=$(oefd_version)
	tmp=$(mktemp -d)
	log=$tmp/log
	debs=()
	for deb in $OEFD_DEB_PACKAGES; do
		debs+=("$(find "$dir" -maxdepth 1 -name "${deb}_${version}_*.deb")")
	done
	for deb in "${debs[@]}"; do dpkg-deb -c "$deb"; done |
		awk '{ sub(/^\./, "", $6); print $6 }' | sed 's|/$||' | grep . >"$tmp/contents"
	# man-db's trigger would re-index every manual page of the machine over
	# 9p under emulation (minutes); the overlay is thrown away anyway.
	rm -f /var/lib/man-db/auto-update
	start=$SECONDS
	file_list >"$tmp/before"
	echo "# $((SECONDS - start)) s to list $(wc -l <"$tmp/before") files before the install"

	tap "dpkg -i the four packages ($abi: DKMS builds the module)" dpkg_install
	tap "dkms status: ohos_eventfd/$version installed for $abi" dkms_has
	tap "the module is DKMS's, where modprobe looks (updates/dkms)" module_path
	tap "no modules-load.d entry unless asked (debconf default)" \
		test ! -e /etc/modules-load.d/ohos_eventfd.conf
	tap "modprobe ohos_eventfd" modprobe ohos_eventfd
	tap "the loaded module is version $version" \
		same "$(cat /sys/module/ohos_eventfd/version 2>&1)" "$version"
	tap "/dev/ohos_eventfd is a character device of mode 0666" \
		same "$(stat -c '%F %a' /dev/ohos_eventfd 2>&1)" "character special file 666"
	tap "ohos-eventfd --version says $version" \
		same "$(ohos-eventfd --version 2>&1)" "ohos-eventfd $version"
	tap "ohos-eventfd info: loaded, version $version" \
		sh -c "ohos-eventfd info | grep -F 'loaded, version $version,'"
	tap "pkg-config --modversion ohos_eventfd says $version" \
		same "$(pkg-config --modversion ohos_eventfd 2>&1)" "$version"
	tap "README's example builds with pkg-config and runs against the module" hello_runs
	shim=$(grep -m 1 '/libohos_eventfd_preload\.so$' "$tmp/contents" || true)
	tap "the packaged shim ($shim) moves a libc program's eventfd() to the device" \
		shim_routes "$shim"
	tap "debconf load-at-boot=true: the postinst writes the modules-load.d entry" \
		load_at_boot
	tap "modprobe -r ohos_eventfd" modprobe -r ohos_eventfd
	tap "dpkg -r the four packages" dpkg -r "${pkgs[@]}"
	tap "DKMS no longer has ohos_eventfd" dkms_has_not
	tap "no ohos_eventfd.ko* left in /lib/modules/$abi, modinfo finds none" no_module_file
	tap "the modules-load.d entry is gone" test ! -e /etc/modules-load.d/ohos_eventfd.conf
	tap "dpkg --purge the four packages" dpkg --purge "${pkgs[@]}"
	tap "debconf holds no answer of ohos-eventfd-dkms" no_debconf_answers
	tap "no file left behind (the file lists before and after are the same)" same_files
	echo "# not counted as left behind, DKMS's own: $OEFD_DEB_KEPT_BY_DKMS"
	echo "1..$tap_no"
	[ "$tap_failed" -eq 0 ]
}

# --- on this machine ---------------------------------------------------------

main() {
	local debs_dir='' series version pkg

	while [ $# -gt 0 ]; do
		case $1 in
		-h | --help) usage; exit 0 ;;
		--in-vm) shift; in_vm "$@"; return ;;
		--debs) debs_dir=${2:?--debs needs a directory}; shift ;;
		*) break ;;
		esac
		shift
	done
	series=${1:-}
	case $series in
	6.1 | 6.12) ;;
	*) usage >&2; oefd_die "give the kernel series: 6.1 or 6.12" ;;
	esac
	oefd_need_pkgs make gcc libc6-dev dkms kmod pkg-config debconf binutils
	oefd_kernel_ensure "$series" >/dev/null
	version=$(oefd_version)
	if [ -z "$debs_dir" ]; then
		debs_dir=$(oefd_cache)/deb/test
		oefd_say "deb-test: building the packages into $debs_dir"
		"$OEFD_TOP/scripts/deb.sh" --no-lint --out "$debs_dir" >/dev/null
	fi
	debs_dir=$(cd "$debs_dir" && pwd)
	for pkg in $OEFD_DEB_PACKAGES; do
		find "$debs_dir" -maxdepth 1 -name "${pkg}_${version}_*.deb" | grep -q . ||
			oefd_die "no ${pkg}_${version}_*.deb in $debs_dir (make deb DEBDIR=$debs_dir)"
	done

	echo "TAP version 13"
	oefd_say "deb-test: dpkg -i, modprobe, dpkg -r and --purge in the $series VM (DKMS's build and depmod there take minutes)"
	"$OEFD_TOP/scripts/vm.sh" run --kernel "$series" --no-module --timeout 900 -- \
		"$OEFD_TOP/scripts/deb-test.sh" --in-vm "$debs_dir"
}

main "$@"
