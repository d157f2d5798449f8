#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
#
# The LD_PRELOAD shim under a plain libc program (shim_probe) and under
# Python's os.eventfd(), which calls libc's eventfd(), eventfd_read() and
# eventfd_write(): the dynamic linker binds those names to the shim
# (LD_DEBUG=bindings), the shim's log says where each counter came from
# (the device, or libc's eventfd when the device is absent), and the
# programs see eventfd's behaviour.

# shellcheck source=lib.bash
. "$BATS_TEST_DIRNAME/lib.bash"

setup_file() {
	if oefd_on_device; then
		export want_backend='anon_inode:[ohos_eventfd]'
	else
		export want_backend='anon_inode:[eventfd]'
	fi
	# The program under the shim once; the checks below read what it left.
	local rc=0

	under_shim probe "$OEFD_TESTS/shim_probe" || rc=$?
	echo "$rc" >"$work/probe.rc"
	if command -v python3 >/dev/null; then
		rc=0
		under_shim python python3 -c 'import os
fd = os.eventfd(2, os.EFD_CLOEXEC)
os.eventfd_write(fd, 3)
print(os.eventfd_read(fd), os.readlink(f"/proc/self/fd/{fd}"))' || rc=$?
		echo "$rc" >"$work/python.rc"
	fi
}

# under_shim NAME CMD...: run CMD with the shim, its log and the binding trace in $work/NAME.*
under_shim() {
	local name=$1

	shift
	LD_PRELOAD=$OEFD_PRELOAD OHOS_EVENTFD_PRELOAD_LOG=$work/$name.log \
		LD_DEBUG=bindings LD_DEBUG_OUTPUT=$work/$name.ld "$@" >"$work/$name.out" 2>&1
}

bound_to_shim() {
	local name=$1 symbol=$2

	cat "$work/$name".ld.* 2>/dev/null |
		grep -q "to $OEFD_PRELOAD \[0\]: normal symbol \`$symbol'"
}

# Every counter the program got is what it should be, and at least one was made.
# (The log ends each line with the counter's /proc link; "= -1" lines are refused flags.)
log_says() {
	local name=$1

	cat "$work/$name.log"
	grep -qF -- " $want_backend" "$work/$name.log" &&
		! grep -v ' = -1 ' "$work/$name.log" | grep -vqF -- " $want_backend"
}

needs_python() {
	command -v python3 >/dev/null || skip "python3 is not installed"
}

@test "shim_probe passes under the shim" {
	# its own checks, nested here
	sed 's/^/# /' "$work/probe.out" >&3
	[ "$(cat "$work/probe.rc")" -eq 0 ]
}

@test "shim_probe's eventfd() binds to the shim" {
	bound_to_shim probe eventfd
}

@test "shim_probe's eventfd_read() binds to the shim" {
	bound_to_shim probe eventfd_read
}

@test "shim_probe's eventfd_write() binds to the shim" {
	bound_to_shim probe eventfd_write
}

@test "shim_probe's counter is $want_backend" {
	grep -qxF "# backend: $want_backend" "$work/probe.out"
}

@test "the shim's log: every counter from the expected place" {
	log_says probe
}

@test "without the shim, shim_probe's counter is native" {
	"$OEFD_TESTS/shim_probe" >"$work/plain.out" 2>&1
	grep -qxF '# backend: anon_inode:[eventfd]' "$work/plain.out"
}

# The shim ignores the library's fallback switch: libc is already its fallback.
@test "shim_probe passes under the shim with OHOS_EVENTFD_FALLBACK=1" {
	OHOS_EVENTFD_FALLBACK=1 under_shim probe_env "$OEFD_TESTS/shim_probe"
}

@test "python3 os.eventfd() under the shim reads 5 from $want_backend" {
	needs_python
	cat "$work/python.out"
	[ "$(cat "$work/python.rc")" -eq 0 ]
	[ "$(cat "$work/python.out")" = "5 $want_backend" ]
}

@test "python3's eventfd() binds to the shim" {
	needs_python
	bound_to_shim python eventfd
}

@test "python3's eventfd_read() binds to the shim" {
	needs_python
	bound_to_shim python eventfd_read
}

@test "python3's eventfd_write() binds to the shim" {
	needs_python
	bound_to_shim python eventfd_write
}

@test "the shim's log for python3: every counter from the expected place" {
	needs_python
	log_says python
}
