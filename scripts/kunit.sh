#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the KUnit suites of kunit/ under UML with kunit.py, with lockdep,
# DEBUG_ATOMIC_SLEEP and KASAN (kunit/.kunitconfig).
#
# stdout: the KTAP of the run as kunit.py extracts it from the kernel log,
# failure messages and any kernel report printed during the run included.
# Each test case is one line at exactly four spaces of indent: count
# /^    ok / (with a "# SKIP" directive: skipped) and /^    not ok /; the
# unindented ok/not ok lines are the suites, one per suite.
# stderr: progress lines; the full kernel log is kept in the cache.
#
# Exit status: 0 when every case passed or was skipped, the kernel log holds
# no lockdep, KASAN, WARNING, BUG, Oops or panic report, and the suite
# builds as a module out of tree without warnings; 1 otherwise.

set -eo pipefail

. "$(dirname "$0")/lib.sh"

usage() {
	cat <<EOF
Usage: $0 [--help] [GLOB]

Build a UML kernel from linux-source-$OEFD_SRC_SERIES with this repository linked in
as drivers/misc/ohos_eventfd and run its KUnit suites (kunit/), KTAP on stdout.
GLOB limits the run to matching suites[.cases] (default: ohos_eventfd*).

The build directory lives in the cache ($(oefd_cache)/kunit), so
reruns are incremental: the first build costs about 12 CPU-minutes (6 to 13
minutes on 2 cores, depending on load), a rebuild after editing the module
or the suite under a minute.
EOF
}

case ${1-} in
-h | --help) usage; exit 0 ;;
-*) usage >&2; exit 2 ;;
esac
filter_glob=${1:-ohos_eventfd*}

# What a UML build with kunit.py executes (traced with strace -e execve over
# a full build): gcc, cc1, as, ld, make, flex, bison, bc, python3 for
# kunit.py, and essential tools (coreutils, sed, grep, awk, find, cmp,
# flock). libc6-dev (host headers and crt files) is only a Recommends of gcc.
# No perl, libelf or openssl: UML has no objtool and no module signing.
oefd_need_pkgs gcc libc6-dev binutils make flex bison bc python3

cache=$(oefd_cache)
work=$cache/kunit
build=$work/build-um
log=$work/kernel.log
mkdir -p "$work"

# One run at a time: the kernel tree's link and the build directory are shared.
exec 9>"$work/lock"
if ! flock -n 9; then
	oefd_say "kunit: waiting for another run to finish (lock $work/lock)"
	flock 9
fi

tree=$(oefd_linux_src)
kunit_py=$tree/tools/testing/kunit/kunit.py

[ -f "$OEFD_TOP/module/Kbuild" ] ||
	oefd_die "kunit: $OEFD_TOP/module/Kbuild is missing: the suite needs the module's sources"

# Bring the repository into the tree: one symlink, one Kconfig line, one
# Makefile line, all idempotent and harmless to the tree's other users
# (checkpatch.pl, kselftest headers), which never build the kernel.
link_into_tree() {
	local misc=$tree/drivers/misc
	local kconfig_line='source "drivers/misc/ohos_eventfd/kunit/Kconfig"'
	local make_line='obj-y				+= ohos_eventfd/module/ ohos_eventfd/kunit/'

	ln -sfn "$OEFD_TOP" "$misc/ohos_eventfd"
	if ! grep -qxF "$kconfig_line" "$misc/Kconfig"; then
		# inside the "Misc devices" menu, before its closing endmenu
		sed -i "\$s|^endmenu\$|$kconfig_line\nendmenu|" "$misc/Kconfig"
		grep -qxF "$kconfig_line" "$misc/Kconfig" ||
			oefd_die "kunit: cannot add the source line to $misc/Kconfig"
	fi
	grep -qxF "$make_line" "$misc/Makefile" ||
		printf '%s\n' "$make_line" >>"$misc/Makefile"
}

# Make decides on timestamps, and two kinds of sources can be older than
# objects built before them: a re-extracted tree (tar keeps the package's
# file times), so start over; another checkout behind the same symlink, so
# drop the objects built from ours.
forget_stale_objects() {
	if [ -f "$build/.oefd-tree" ] && [ "$tree/.oefd-extracted" -nt "$build/.oefd-tree" ]; then
		oefd_say "kunit: the kernel tree was extracted again: rebuilding from scratch"
		rm -rf "$build"
	fi
	mkdir -p "$build"
	[ -f "$build/.oefd-tree" ] || touch "$build/.oefd-tree"
	if [ "$(cat "$build/.oefd-repo" 2>/dev/null)" != "$OEFD_TOP" ]; then
		rm -rf "$build/drivers/misc/ohos_eventfd"
		printf '%s\n' "$OEFD_TOP" >"$build/.oefd-repo"
	fi
}

kunit_py() {
	local cmd=$1

	shift
	python3 "$kunit_py" "$cmd" --arch=um --build_dir="$build" \
		--kunitconfig="$OEFD_TOP/kunit/.kunitconfig" "$@"
}

link_into_tree
forget_stale_objects

cd "$tree"
oefd_say "kunit: configuring the UML kernel in $build"
start=$SECONDS
kunit_py config >"$work/config.log" 2>&1 ||
	{ tail -n 30 "$work/config.log" >&2; oefd_die "kunit: kunit.py config failed (log: $work/config.log)"; }
oefd_say "kunit: configured in $((SECONDS - start)) s"

oefd_say "kunit: building (the first build takes 6 to 13 minutes on 2 cores, later ones under a minute)"
start=$SECONDS
kunit_py build --jobs=2 >"$work/build.log" 2>&1 ||
	{ tail -n 40 "$work/build.log" >&2; oefd_die "kunit: kunit.py build failed (log: $work/build.log)"; }
oefd_say "kunit: built in $((SECONDS - start)) s"

oefd_say "kunit: running suites '$filter_glob' (kernel log: $log)"
start=$SECONDS
kunit_py exec --raw_output=all --timeout=300 "$filter_glob" >"$log" 2>&1 ||
	{ tail -n 40 "$log" >&2; oefd_die "kunit: kunit.py exec failed (log: $log)"; }
oefd_say "kunit: ran in $((SECONDS - start)) s"

# The KTAP kunit.py extracts: from "KTAP version 1" to the end of the run,
# with the failure messages and any kernel report printed in between.
python3 "$kunit_py" parse --raw_output=kunit "$log"

status=0
python3 "$kunit_py" parse "$log" >"$work/summary.log" 2>&1 || status=1
grep -E 'Testing complete|Ran |FAILED|CRASHED' "$work/summary.log" | sed 's/^/[ohos_eventfd] kunit: /' >&2 || true
[ $status -eq 0 ] || oefd_say "kunit: failing cases or a crash (details: $work/summary.log)"

# KASAN fails the case it hits; lockdep, WARN and "sleeping in atomic" do not.
report_re='WARNING:|BUG:|BUG |Oops|Kernel panic|KASAN|UBSAN|possible recursive locking|INFO: task .* blocked|rcu.* stall'
if grep -E "$report_re" "$log" >"$work/reports.log"; then
	oefd_say "kunit: the kernel log holds reports:"
	head -n 20 "$work/reports.log" >&2
	status=1
fi

# The same suite as a separate module, ohos_eventfd_kunit.ko, built out of
# tree (M=) against this kernel, as for any kernel with CONFIG_KUNIT
# (Debian's have none). ohos_eventfd is built into this kernel, so the
# test module's imports resolve against vmlinux; elsewhere they come from
# ohos_eventfd.ko's Module.symvers (KBUILD_EXTRA_SYMBOLS, see kunit/Kbuild).
build_out_of_tree() {
	local oot=$work/out-of-tree

	rm -rf "$oot"
	mkdir -p "$oot/module" "$oot/kunit"
	cp -r "$OEFD_TOP/include" "$oot/"
	cp "$OEFD_TOP"/module/*.h "$oot/module/"
	cp "$OEFD_TOP"/kunit/Kbuild "$OEFD_TOP"/kunit/*.[ch] "$oot/kunit/"
	make -C "$build" ARCH=um M="$oot/kunit" W=1 -j2 modules &&
		[ -f "$oot/kunit/ohos_eventfd_kunit.ko" ]
}

oefd_say "kunit: building ohos_eventfd_kunit.ko out of tree against the same kernel"
start=$SECONDS
if ! build_out_of_tree >"$work/out-of-tree.log" 2>&1; then
	tail -n 20 "$work/out-of-tree.log" >&2
	oefd_say "kunit: the out-of-tree build failed (log: $work/out-of-tree.log)"
	status=1
elif grep -E 'warning:' "$work/out-of-tree.log" >&2; then
	oefd_say "kunit: the out-of-tree build (W=1) warns (log: $work/out-of-tree.log)"
	status=1
else
	oefd_say "kunit: built out of tree in $((SECONDS - start)) s"
fi

[ $status -eq 0 ] && oefd_say "kunit: all suites passed, kernel log clean"
exit $status
