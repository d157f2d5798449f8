#!/bin/bash
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
set -u
. "$(dirname "$0")/tap.sh"

glib_tests=/usr/libexec/installed-tests/glib
tests=(mainloop cancellable contexts)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$glib_tests/mainloop" ]; then
	if oefd_on_device; then
		echo "not ok - glib's installed tests are missing: run userspace/tests/vm-prepare.sh on the host (installs libglib2.0-tests)"
	else
		echo "ok - glib's installed tests under the shim # SKIP libglib2.0-tests is not installed"
	fi
	exit 0
fi
# The log ends each line with what the new fd is, its /proc link.
if oefd_on_device; then want=' anon_inode:\[ohos_eventfd\]$'; else want=' anon_inode:\[eventfd\]$'; fi

for t in "${tests[@]}"; do
	log=$work/$t.log
	(cd "$work" && LD_PRELOAD=$OEFD_PRELOAD OHOS_EVENTFD_PRELOAD_LOG=$log \
		timeout --kill-after=10 300 "$glib_tests/$t" --tap >"$work/$t.out" 2>&1)
	rc=$?
	total=$(grep -c '^ok ' "$work/$t.out")
	echo "# glib $t: exit $rc, $total subtests ok, $(grep -c '^not ok ' "$work/$t.out") not ok"
	grep '^not ok ' "$work/$t.out" | sed 's/^/# /'
	tap_check "glib $t passes under the shim ($total subtests)" [ "$rc" -eq 0 -a "$total" -gt 0 ]
	made=$(grep -c . "$log" 2>/dev/null)
	wrong=$(grep -vc -- "$want" "$log" 2>/dev/null)
	echo "# glib $t: $made eventfd() calls through the shim, $wrong not from the expected place"
	grep -v -- "$want" "$log" 2>/dev/null | head -n 3 | sed 's/^/# /'
	tap_check "glib $t: its eventfd() calls reached the shim and were served as expected" \
		[ "${made:-0}" -gt 0 -a "${wrong:-1}" -eq 0 ]
done
