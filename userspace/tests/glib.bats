#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# Real programs not written by us, using eventfd through libc: glib's own
# installed tests (Debian package libglib2.0-tests). Every GMainContext and
# every GCancellable fd is a GWakeup, which is eventfd(0, EFD_CLOEXEC |
# EFD_NONBLOCK) with 8-byte writes and 16-byte reads. Each test runs under
# the shim and must pass, and the shim's log must show that its eventfd()
# calls were served from the expected place (the device in device mode).
#
# GWakeup falls back to a pipe when eventfd() fails, so passing alone would
# prove nothing: the log is the proof.

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"

# Each of glib's tests is bounded at 300 s by timeout(1).
BATS_TEST_TIMEOUT=330

glib_tests=/usr/libexec/installed-tests/glib

setup() {
	if [ ! -x "$glib_tests/mainloop" ]; then
		oefd_on_device || skip "libglib2.0-tests is not installed"
		fail_missing=1
	fi
	# The log ends each line with what the new fd is, its /proc link.
	if oefd_on_device; then want=' anon_inode:\[ohos_eventfd\]$'; else want=' anon_inode:\[eventfd\]$'; fi
}

# passes_under_shim TEST: glib's TEST under the shim, its own TAP nested here.
passes_under_shim() {
	local t=$1 rc=0 total

	if [ -n "${fail_missing:-}" ]; then
		echo "glib's installed tests are missing: run userspace/tests/vm-prepare.sh on the host (installs libglib2.0-tests)"
		return 1
	fi
	(cd "$work" && LD_PRELOAD=$OEFD_PRELOAD OHOS_EVENTFD_PRELOAD_LOG=$work/$t.log \
		timeout --kill-after=10 300 "$glib_tests/$t" --tap >"$work/$t.out" 2>&1) || rc=$?
	total=$(grep -c '^ok ' "$work/$t.out")
	echo "glib $t: exit $rc, $total subtests ok, $(grep -c '^not ok ' "$work/$t.out") not ok"
	grep '^not ok ' "$work/$t.out" || true
	[ "$rc" -eq 0 ] && [ "$total" -gt 0 ]
}

served_as_expected() {
	local log=$work/$1.log made wrong

	[ -z "${fail_missing:-}" ] || return 1
	made=$(grep -c . "$log" 2>/dev/null) || true
	wrong=$(grep -vc -- "$want" "$log" 2>/dev/null) || true
	echo "glib $1: $made eventfd() calls through the shim, $wrong not from the expected place"
	grep -v -- "$want" "$log" 2>/dev/null | head -n 3
	[ "${made:-0}" -gt 0 ] && [ "${wrong:-1}" -eq 0 ]
}

@test "glib mainloop passes under the shim" { passes_under_shim mainloop; }
@test "glib mainloop: its eventfd() calls reached the shim and were served as expected" {
	served_as_expected mainloop
}
@test "glib cancellable passes under the shim" { passes_under_shim cancellable; }
@test "glib cancellable: its eventfd() calls reached the shim and were served as expected" {
	served_as_expected cancellable
}
@test "glib contexts passes under the shim" { passes_under_shim contexts; }
@test "glib contexts: its eventfd() calls reached the shim and were served as expected" {
	served_as_expected contexts
}
