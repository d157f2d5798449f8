#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The LD_PRELOAD shim under a plain libc program (shim_probe) and under
# Python's os.eventfd(), which calls libc's eventfd(), eventfd_read() and
# eventfd_write(): the dynamic linker binds those names to the shim
# (LD_DEBUG=bindings), the shim's log says where each counter came from
# (the device, or libc's eventfd when the device is absent), and the
# programs see eventfd's behaviour.
set -u
. "$(dirname "$0")/tap.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if oefd_on_device; then
	want_backend='anon_inode:[ohos_eventfd]'
else
	want_backend='anon_inode:[eventfd]'
fi

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

	grep -qF -- " $want_backend" "$work/$name.log" &&
		! grep -v ' = -1 ' "$work/$name.log" | grep -vqF -- " $want_backend"
}

under_shim probe "$OEFD_TESTS/shim_probe"
rc=$?
sed -nE 's/^(not )?ok [0-9]+ /\1ok - under the shim: /p' "$work/probe.out"
sed -n 's/^# /# under the shim: /p' "$work/probe.out"
tap_check "shim_probe passes under the shim" [ "$rc" -eq 0 ]
for symbol in eventfd eventfd_read eventfd_write; do
	tap_check "shim_probe's $symbol() binds to the shim" bound_to_shim probe "$symbol"
done
tap_check "shim_probe's counter is $want_backend" grep -qxF "# backend: $want_backend" "$work/probe.out"
tap_check "the shim's log: every counter from the expected place" log_says probe
sed 's/^/# log: /' "$work/probe.log" | head -n 5

"$OEFD_TESTS/shim_probe" >"$work/plain.out" 2>&1
tap_check "without the shim, shim_probe's counter is native" \
	grep -qxF '# backend: anon_inode:[eventfd]' "$work/plain.out"

# The shim ignores the library's fallback switch: libc is already its fallback.
OHOS_EVENTFD_FALLBACK=1 under_shim probe_env "$OEFD_TESTS/shim_probe"
tap_check "shim_probe passes under the shim with OHOS_EVENTFD_FALLBACK=1" [ $? -eq 0 ]

python_probe='import os
fd = os.eventfd(2, os.EFD_CLOEXEC)
os.eventfd_write(fd, 3)
print(os.eventfd_read(fd), os.readlink(f"/proc/self/fd/{fd}"))'
if command -v python3 >/dev/null; then
	under_shim python python3 -c "$python_probe"
	rc=$?
	sed 's/^/# python: /' "$work/python.out"
	tap_check "python3 os.eventfd() under the shim reads 5 from $want_backend" \
		[ "$rc" -eq 0 -a "$(cat "$work/python.out")" = "5 $want_backend" ]
	for symbol in eventfd eventfd_read eventfd_write; do
		tap_check "python3's $symbol() binds to the shim" bound_to_shim python "$symbol"
	done
	tap_check "the shim's log for python3: every counter from the expected place" log_says python
else
	echo "ok - python3 under the shim # SKIP python3 is not installed"
fi
