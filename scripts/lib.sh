# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared helpers for the project's scripts: sourced, never run.
#
#   oefd_cache                  the cache directory (created), outside the repo
#   oefd_need_pkgs PKG...       apt-get install the packages that are missing
#   oefd_kernel_abi 6.1|6.12    the newest installed Debian ABI of that series
#   oefd_kernel_ensure 6.1|6.12 install image + headers when missing, print ABI
#   oefd_linux_src              extracted linux-source-6.12 tree (kselftest,
#                               kunit.py, checkpatch.pl), print its path
#   oefd_say MSG                a progress line on stderr
#   oefd_tap_result ok|"not ok" NAME   one TAP result line, numbered
#   oefd_tap_plan               the plan, last; fails when a result failed

# shellcheck disable=SC2034 # read by the scripts that source this file
OEFD_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OEFD_SRC_SERIES=6.12

# Kernel log lines that fail a run, the one pattern of every check of a
# kernel log (vm.sh on the console log, kunit.sh on KUnit's, run-vm-tests.sh
# on dmesg in the VM): an oops, BUG, WARN, lockdep (its reports open with
# WARNING: or BUG:, and end with "INFO: lockdep is turned off"), KASAN,
# KCSAN ("BUG: KCSAN:"), UBSAN or SLUB report, a hung task (its report, or
# hung_task_panic's "hung_task: blocked tasks"), soft or hard lockup, RCU
# stall, any call trace, a panic. Never a bare "lockdep" or "hung_task":
# "RCU lockdep checking is enabled." is a boot line of every lockdep
# kernel, and vm.sh's command line holds hung_task_panic=1.
# shellcheck disable=SC2034 # read by the scripts that source this file
readonly OEFD_KERNEL_REPORT_RE='Oops|BUG:|BUG |WARNING:|general protection|possible recursive locking|circular locking|inconsistent lock state|lockdep is turned off|DEBUG_LOCKS_WARN_ON|KASAN|KCSAN:|UBSAN|INFO: task .* blocked|blocked for more than|hung_task: blocked tasks|soft lockup|hard LOCKUP|rcu: INFO: .*(detected stalls|self-detected stall)|Call Trace:|Kernel panic'

oefd_say() { printf '[ohos_eventfd] %s\n' "$*" >&2; }
oefd_die() { printf '[ohos_eventfd] error: %s\n' "$*" >&2; exit 1; }

oefd_cache() {
	local dir=${OHOS_EFD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ohos_eventfd}

	mkdir -p "$dir" || oefd_die "cannot create cache directory $dir"
	printf '%s\n' "$dir"
}

oefd_apt_updated=
oefd_need_pkgs() {
	local missing=() pkg installed n

	# dpkg-query fails for a package it has never seen: that is an answer.
	installed=$({ dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null || true; } |
		    awk '/ install ok installed$/ { print $1 }')
	for pkg in "$@"; do
		grep -qxF "$pkg" <<<"$installed" || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || oefd_die "missing packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})"
	if [ -z "$oefd_apt_updated" ]; then
		oefd_say "apt-get update"
		apt-get update -q >/dev/null 2>&1 || oefd_die "apt-get update failed"
		oefd_apt_updated=1
	fi
	oefd_say "installing ${missing[*]} (this can take a few minutes)"
	n=0
	for pkg in "${missing[@]}"; do
		n=$((n + 1))
		oefd_say "apt-get install $pkg ($n of ${#missing[@]})"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends "$pkg" >/dev/null 2>&1 ||
			oefd_die "apt-get install $pkg failed: is package '$pkg' in your apt sources?"
	done
}

# Debian names its ABIs 6.1.0-<n>-amd64 and 6.12.<n>+deb12-amd64; the
# numbers move with every security update, so they are found, never written.
oefd_abi_glob() {
	case $1 in
	6.1) printf '6.1.0-*-amd64' ;;
	6.12) printf '6.12.*-amd64' ;;
	*) oefd_die "unknown kernel series '$1' (use 6.1 or 6.12)" ;;
	esac
}

oefd_kernel_abi() {
	local glob abi

	glob=$(oefd_abi_glob "$1")
	abi=$(for dir in /usr/src/linux-headers-$glob; do
		a=${dir#/usr/src/linux-headers-}
		[ -d "$dir" ] && [ -f "/boot/vmlinuz-$a" ] && printf '%s\n' "$a"
	      done | sort -V | tail -n 1)
	[ -n "$abi" ] && printf '%s\n' "$abi"
}

oefd_kernel_ensure() {
	local abi

	abi=$(oefd_kernel_abi "$1")
	if [ -z "$abi" ]; then
		case $1 in
		6.1) oefd_need_pkgs linux-image-amd64 linux-headers-amd64 ;;
		6.12) oefd_need_pkgs linux-image-6.12-amd64 linux-headers-6.12-amd64 ;;
		esac
		abi=$(oefd_kernel_abi "$1")
	fi
	[ -n "$abi" ] || oefd_die "no Debian $1 kernel image + headers found after install"
	printf '%s\n' "$abi"
}

oefd_linux_src() {
	local cache tree tarball tmp

	cache=$(oefd_cache)
	tree=$cache/linux-source-$OEFD_SRC_SERIES
	tarball=/usr/src/linux-source-$OEFD_SRC_SERIES.tar.xz
	oefd_need_pkgs "linux-source-$OEFD_SRC_SERIES"
	# Several scripts may ask at once: one extracts, into a scratch
	# directory renamed into place, while the others wait on the lock.
	(
		flock 9
		if [ ! -f "$tree/.oefd-extracted" ] || [ "$tarball" -nt "$tree/.oefd-extracted" ]; then
			oefd_say "extracting $tarball into $cache (about 20 s)"
			tmp=$(mktemp -d "$cache/.extract.XXXXXX")
			tar -C "$tmp" -xf "$tarball" || oefd_die "cannot extract $tarball"
			touch "$tmp/linux-source-$OEFD_SRC_SERIES/.oefd-extracted"
			rm -rf "$tree"
			mv "$tmp/linux-source-$OEFD_SRC_SERIES" "$tree"
			rm -rf "$tmp"
		fi
	) 9>"$cache/.linux-source.lock" || exit 1
	printf '%s\n' "$tree"
}

# The one TAP producer of the scripts whose results are not bats tests
# (soak.sh and run-short.sh: runs of programs, each bounded and in a VM
# boot of its own; install-test.sh: the steps of one install, on this
# machine and then in a VM): "ok N - NAME" lines, then the plan.
# Set OEFD_TAP_N to go on with a stream begun elsewhere.
OEFD_TAP_N=0
oefd_tap_failed=0

oefd_tap_result() {
	OEFD_TAP_N=$((OEFD_TAP_N + 1))
	printf '%s %d - %s\n' "$1" "$OEFD_TAP_N" "$2"
	[ "$1" = ok ] || oefd_tap_failed=$((oefd_tap_failed + 1))
}

oefd_tap_plan() {
	printf '1..%d\n' "$OEFD_TAP_N"
	[ "$oefd_tap_failed" -eq 0 ]
}
