#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the module (the top-level Kbuild, module/, include/) against one
# Debian kernel series, outside the repo, and print the path of the .ko.
# See usage() or --help.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<EOF
usage: scripts/build-module.sh 6.1|6.12 [--checks] [--consumer]

Builds the module (the top-level Kbuild, module/ and include/, with
make -C <kdir> M=<dir>) against /usr/src/linux-headers-<abi> of the newest
installed Debian kernel of the series, with W=1, in <cache>/build/<abi>/:
only files that changed are copied there, so rebuilds are incremental.
Prints the path of (a copy of) ohos_eventfd.ko on stdout; progress and
compiler warnings go to stderr.

  --checks  also build from scratch with W=1 and sparse (C=2) and run
            checkpatch.pl --strict over our C sources and headers; any
            warning or error in our files, or any checkpatch ERROR, WARNING
            or CHECK, fails (exit 1)
  --consumer  also build the test-only in-kernel consumer
            (selftests/kconsumer) against the same kernel and the
            module's Module.symvers, and print its path instead
  -h, --help  this text

The cache is $(oefd_cache) (set OHOS_EFD_CACHE to move it).
EOF
}

readonly OEFD_KO_KEPT=20

# Files that make up the module's sources, as opposed to build products.
is_source() {
	case ${1##*/} in
	*.mod.c) return 1 ;;
	Kbuild | Makefile | *.c | *.h | *.S) return 0 ;;
	*) return 1 ;;
	esac
}

# Mirror the sources of $1 into $2: copy only files whose content differs
# (a fresh mtime makes Kbuild rebuild exactly what changed) and delete
# sources that no longer exist in $1. Sets sources_changed if it did either.
sources_changed=
sync_sources() {
	local src=$1 dst=$2 file rel

	mkdir -p "$dst"
	while IFS= read -r -d '' file; do
		is_source "$file" || continue
		rel=${file#"$src"/}
		if ! cmp -s "$file" "$dst/$rel"; then
			mkdir -p "$(dirname "$dst/$rel")"
			cp "$file" "$dst/$rel"
			sources_changed=1
		fi
	done < <(find "$src" -type f -print0)
	while IFS= read -r -d '' file; do
		is_source "$file" || continue
		rel=${file#"$dst"/}
		[ -e "$src/$rel" ] && continue
		rm -f "$file"
		sources_changed=1
	done < <(find "$dst" -type f -print0)
}

# Copy file $1 to $2 if their contents differ; sets sources_changed if so.
sync_file() {
	cmp -s "$1" "$2" && return 0
	cp "$1" "$2"
	sources_changed=1
}

# What make -C <kdir> M=$1 builds: the top-level Kbuild, module/, include/.
sync_module_sources() {
	mkdir -p "$1"
	sync_file "$OEFD_TOP/Kbuild" "$1/Kbuild"
	sync_sources "$OEFD_TOP/module" "$1/module"
	sync_sources "$OEFD_TOP/include" "$1/include"
}

# Lines of a build log that report a warning or error in one of our files
# (copied under $2), including modpost's about our module.
our_diagnostics() {
	local log=$1 dir=$2

	grep -iE '(warning|error)' "$log" |
		grep -E "(^|[[:space:]])($dir/|module/|include/(uapi/)?linux/ohos_eventfd\.h)" ||
		true
}

# make M=$2 against the headers of ABI $1 with extra arguments; output in $3.
kbuild() {
	local abi=$1 dir=$2 log=$3

	shift 3
	make -C "/usr/src/linux-headers-$abi" M="$dir" W=1 -j2 "$@" \
		modules >"$log" 2>&1
}

# Kbuild takes about 3 s even with nothing to do, once per VM run: skip it
# when no source changed since the last successful build.
build_module() {
	local abi=$1 dir=$2 log=$2/build.log built=$2/.built

	sync_module_sources "$dir"
	if [ -z "$sources_changed" ] && [ -f "$built" ]; then
		oefd_say "module for $abi is up to date"
		return 0
	fi
	oefd_say "building module for $abi"
	rm -f "$built"
	if ! kbuild "$abi" "$dir" "$log"; then
		cat "$log" >&2
		oefd_die "module build for $abi failed (log: $log)"
	fi
	grep -iE '(warning|error):' "$log" >&2 || true
	touch "$built"
}

# W=1 + sparse from scratch: W=1 only warns about what it compiles.
check_warnings() {
	local abi=$1 dir=$2 log=$2/build.log diags

	oefd_need_pkgs sparse
	rm -rf "$dir"
	sync_module_sources "$dir"
	oefd_say "W=1 + sparse (C=2) build for $abi"
	if ! kbuild "$abi" "$dir" "$log" C=2; then
		cat "$log" >&2
		oefd_say "W=1 + sparse build for $abi failed (log: $log)"
		return 1
	fi
	diags=$(our_diagnostics "$log" "$dir")
	[ -z "$diags" ] && return 0
	printf '%s\n' "$diags" >&2
	oefd_say "W=1/sparse reported the problems above (log: $log)"
	return 1
}

# The checkpatch rules off for one file, because its layout is the one
# the rule cannot fit: compat.h exists to compare kernel versions, and the
# trace header lays out TRACE_EVENT() as include/trace/events/ does.
checkpatch_ignores() {
	case $1 in
	module/compat.h) echo LINUX_VERSION_CODE,CONSTANT_COMPARISON ;;
	module/ohos_eventfd_trace.h) echo OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT ;;
	esac
}

# checkpatch.pl --strict with the tree's spelling and const_structs lists.
check_style() {
	local log=$1/checkpatch.log tree file status=0 files=() special=()

	oefd_need_pkgs perl
	tree=$(oefd_linux_src)
	for file in module/*.c module/*.h include/linux/ohos_eventfd.h \
		    include/uapi/linux/ohos_eventfd.h kunit/*.c kunit/*.h \
		    selftests/kconsumer/*.c selftests/kconsumer/*.h; do
		[ -f "$OEFD_TOP/$file" ] || continue
		if [ -n "$(checkpatch_ignores "$file")" ]; then
			special+=("$file")
		else
			files+=("$file")
		fi
	done
	oefd_say "checkpatch.pl --strict over ${#files[@]} files and ${special[*]}"
	(
		cd "$OEFD_TOP"
		"$tree/scripts/checkpatch.pl" --strict --no-tree --show-types --quiet \
			-f "${files[@]}" || status=1
		for file in "${special[@]}"; do
			"$tree/scripts/checkpatch.pl" --strict --no-tree --show-types --quiet \
				--ignore "$(checkpatch_ignores "$file")" -f "$file" || status=1
		done
		exit "$status"
	) >"$log" 2>&1 && return 0
	cat "$log" >&2
	oefd_say "checkpatch reported the problems above (log: $log)"
	return 1
}

# The test-only consumer, against ABI $1 and the module built in $2.
build_consumer() {
	local abi=$1 dir=$2 log=$2/consumer.log

	sync_sources "$OEFD_TOP/selftests/kconsumer" "$dir/selftests/kconsumer"
	# kbuild reruns modpost when the consumer's objects change, not when
	# the module's Module.symvers does: without its own Module.symvers it
	# must, and the symbol versions it records follow the module's.
	rm -f "$dir/selftests/kconsumer/Module.symvers"
	oefd_say "building the test consumer module for $abi"
	if ! make -C "/usr/src/linux-headers-$abi" M="$dir/selftests/kconsumer" W=1 -j2 \
		KBUILD_EXTRA_SYMBOLS="$dir/Module.symvers" modules >"$log" 2>&1; then
		cat "$log" >&2
		oefd_die "consumer module build for $abi failed (log: $log)"
	fi
	grep -iE '(warning|error):' "$log" >&2 || true
}

# The build directory is rebuilt in place by the next run: hand out an
# immutable copy of $2 (a .ko), named by its content, so that a VM booting
# while someone rebuilds still loads exactly the module it was given.
snapshot_module() {
	local dir=$1 ko=$2 snap sum name

	[ -f "$ko" ] || oefd_die "the build produced no $ko (logs: $dir/*.log)"
	name=$(basename "$ko" .ko)
	sum=$(sha256sum "$ko" | cut -c1-16)
	snap=$dir/ko/$name-$sum.ko
	if [ ! -f "$snap" ]; then
		mkdir -p "$dir/ko"
		cp "$ko" "$snap.tmp"
		mv "$snap.tmp" "$snap"
		find "$dir/ko" -name '*.ko' -printf '%T@ %p\n' | sort -rn |
			tail -n +"$((OEFD_KO_KEPT + 1))" | cut -d' ' -f2- | xargs -r rm -f
	fi
	printf '%s\n' "$snap"
}

main() {
	local series='' checks='' consumer='' abi dir ko status

	while [ $# -gt 0 ]; do
		case $1 in
		-h | --help) usage; exit 0 ;;
		--checks) checks=1 ;;
		--consumer) consumer=1 ;;
		6.1 | 6.12) series=$1 ;;
		*) usage >&2; oefd_die "unknown argument '$1'" ;;
		esac
		shift
	done
	[ -n "$series" ] || { usage >&2; oefd_die "no kernel series given (6.1 or 6.12)"; }
	if [ ! -f "$OEFD_TOP/Kbuild" ] || [ ! -f "$OEFD_TOP/module/Kbuild" ]; then
		oefd_die "no Kbuild or module/Kbuild in $OEFD_TOP"
	fi

	oefd_need_pkgs make gcc
	abi=$(oefd_kernel_ensure "$series")
	dir=$(oefd_cache)/build/$abi
	mkdir -p "$dir"
	exec 9>"$dir.lock"
	flock 9
	build_module "$abi" "$dir"
	ko=$(snapshot_module "$dir" "$dir/module/ohos_eventfd.ko")
	if [ -n "$consumer" ]; then
		build_consumer "$abi" "$dir"
		ko=$(snapshot_module "$dir" "$dir/selftests/kconsumer/ohos_eventfd_consumer.ko")
	fi
	if [ -n "$checks" ]; then
		status=0
		check_warnings "$abi" "$dir-checks" || status=1
		check_style "$dir-checks" || status=1
		[ "$status" -eq 0 ] || oefd_die "checks failed for $abi"
		oefd_say "checks passed for $abi: W=1, sparse, checkpatch --strict"
	fi
	printf '%s\n' "$ko"
}

main "$@"
