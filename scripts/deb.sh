#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make deb`: the four Debian packages, built from a copy of the tree so that
# the repository is left as it was. See usage().
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: scripts/deb.sh [--out DIR] [--no-lint]      (make deb [DEBDIR=DIR])

Copies the sources (without build products) to a scratch directory in
TMPDIR (removed at the end), runs `dpkg-buildpackage -us -uc -b` there (debian/rules:
userspace build, host tests, install, dh_dkms), moves the four .deb files to
DIR (default: the repository root, where `make clean` removes them), then
runs lintian on the build's .changes file.

Packages: ohos-eventfd-dkms, libohos-eventfd2, libohos-eventfd-dev,
ohos-eventfd-utils. Their version is OHOS_EVENTFD_VERSION of the uapi header;
debian/rules refuses to build when debian/changelog says another.

lintian must report no error and no warning: each tag the packages keep is
overridden in debian/*.lintian-overrides with the reason beside it.
The build's own log and lintian's output are kept in <cache>/deb/.

Exit status: 0 when the packages were built and lintian is clean, else 1.
EOF
}

# What the packages are built from: the top-level build files, the module,
# the headers, the userspace tree, the udev rule, the licenses, debian/.
# scripts/lib.sh: the userspace tests that the package build runs take
# kselftest.h and bats through it.
readonly OEFD_DEB_SOURCES="Makefile Kbuild dkms.conf README.md LICENSES include module udev userspace debian scripts/lib.sh"
readonly OEFD_DEB_PACKAGES="ohos-eventfd-dkms libohos-eventfd2 libohos-eventfd-dev ohos-eventfd-utils"

oefd_version() {
	sed -n 's/^#define OHOS_EVENTFD_VERSION[[:space:]]*"\(.*\)"/\1/p' \
		"$OEFD_TOP/include/uapi/linux/ohos_eventfd.h"
}

# The copy dpkg-buildpackage works in: the sources without build products.
copy_sources() {
	local dest=$1

	mkdir -p "$dest"
	# shellcheck disable=SC2086 # a list of paths
	(cd "$OEFD_TOP" && cp -r --parents $OEFD_DEB_SOURCES "$dest/")
	rm -rf "$dest/userspace/build"
	find "$dest/module" -type f ! -name '*.[ch]' ! -name Kbuild -delete
}

# lintian on the .changes: any E: or W: line fails (overridden tags are
# listed with --show-overrides as O:, and pass).
lint() {
	local changes=$1 out=$2

	oefd_say "deb: lintian ${changes##*/}"
	lintian --show-overrides --tag-display-limit 0 "$changes" >"$out" 2>&1 || true
	sed 's/^/# lintian: /' "$out" >&2
	if grep -qE '^[EW]: ' "$out"; then
		oefd_say "deb: lintian reports errors or warnings (above; $out)"
		return 1
	fi
	oefd_say "deb: lintian: no error, no warning ($(grep -c '^O: ' "$out" || true) overridden, see debian/*.lintian-overrides)"
}

main() {
	local out=$OEFD_TOP do_lint=1 version cache work changes pkg deb status=0

	while [ $# -gt 0 ]; do
		case $1 in
		--out) out=${2:?--out needs a directory}; shift ;;
		--no-lint) do_lint= ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
		esac
		shift
	done
	oefd_need_pkgs make gcc libc6-dev pkgconf dpkg-dev debhelper dh-dkms po-debconf
	[ -z "$do_lint" ] || oefd_need_pkgs lintian
	version=$(oefd_version)
	[ -n "$version" ] || oefd_die "no OHOS_EVENTFD_VERSION in include/uapi/linux/ohos_eventfd.h"
	mkdir -p "$out"
	out=$(cd "$out" && pwd)

	cache=$(oefd_cache)/deb
	mkdir -p "$cache"
	# Not in the cache: the host tests run programs of the build tree as
	# an unprivileged user, and the cache may be in root's home (0700).
	work=$(mktemp -d "${TMPDIR:-/tmp}/ohos-eventfd-deb.XXXXXX")
	chmod 0755 "$work"
	# shellcheck disable=SC2064 # the directory is known now
	trap "rm -rf '$work'" EXIT
	copy_sources "$work/ohos-eventfd-$version"
	# A failed build leaves no packages of an earlier one in DIR.
	for pkg in $OEFD_DEB_PACKAGES; do
		rm -f "$out/${pkg}_"*.deb
	done

	oefd_say "deb: dpkg-buildpackage -us -uc -b in $work (log: $cache/build.log)"
	(cd "$work/ohos-eventfd-$version" && dpkg-buildpackage -us -uc -b) >"$cache/build.log" 2>&1 ||
		{ tail -n 25 "$cache/build.log" >&2; oefd_die "dpkg-buildpackage failed (log: $cache/build.log)"; }

	changes=$(find "$work" -maxdepth 1 -name "ohos-eventfd_${version}_*.changes")
	[ -f "$changes" ] || oefd_die "dpkg-buildpackage left no .changes file in $work"
	[ -z "$do_lint" ] || lint "$changes" "$cache/lintian.log" || status=1

	for pkg in $OEFD_DEB_PACKAGES; do
		deb=$(find "$work" -maxdepth 1 -name "${pkg}_${version}_*.deb")
		[ -f "$deb" ] || oefd_die "dpkg-buildpackage built no $pkg package"
		mv "$deb" "$out/"
		printf '%s\n' "$out/${deb##*/}"
	done
	[ "$status" -eq 0 ] && oefd_say "deb: install them with: sudo apt install $out/*ohos-eventfd*_${version}_*.deb"
	return "$status"
}

main "$@"
