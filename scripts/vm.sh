#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The one VM runner: boots a Debian kernel in qemu with the host's root
# filesystem shared read-only (private tmpfs overlay on top), loads
# ohos_eventfd.ko and runs a command or a shell in a chroot of it.
# See usage() or --help.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: scripts/vm.sh run   --kernel 6.1|6.12 [OPTIONS] -- CMD [ARG...]
       scripts/vm.sh shell --kernel 6.1|6.12 [OPTIONS]

Boots the newest installed Debian kernel of the series in qemu, loads
module/ohos_eventfd.ko (built for it by scripts/build-module.sh) and runs CMD
as root in a chroot of this machine's root filesystem, shared read-only over
9p with a private tmpfs overlay on top: every host program and library is
there, and nothing the guest writes reaches the host. CMD starts in the
caller's working directory (else /), with stdin /dev/null; its stdout and
stderr stream to vm.sh's stdout. The environment is minimal (PATH, HOME,
TERM, LANG) plus OHOS_EFD_VM=1.

`shell` runs an interactive bash in that chroot on this terminal instead;
leave with `exit` (Ctrl-A X kills qemu).

Options:
  --kernel 6.1|6.12    kernel series to boot (required)
  --extra DIR          make DIR available in the guest at /extra
  --smp N              virtual CPUs (default 2)
  --maxcpus M          possible (hot-pluggable) virtual CPUs, M >= N: qemu
                       -smp N,maxcpus=M (default N; qemu 7.2's TCG takes at
                       most 255). 6.1 sizes its possible CPUs by them or by
                       possible_cpus= (--append); 6.12 under TCG counts only
                       the present ones
  --mem SIZE           guest memory, qemu syntax (default 1G)
  --accel single       single-threaded TCG (default): every pass/fail run
  --accel multi        multi-threaded TCG: real parallelism, for stress and
                       benchmarks only (see "known emulator fault" below)
  --accel icount       deterministic instruction counting: TCG with
                       -icount shift=0,sleep=off and one CPU; guest time
                       advances 1 ns per instruction
  --timeout SECONDS    kill the VM and fail after this long (default 600;
                       0 = none, the default for `shell`)
  --no-module          do not build or load ohos_eventfd.ko
  --append ARGS        extra kernel command line arguments
  --log FILE           kernel console log (default: a new file in
                       <cache>/logs/; the path is printed on stderr)
  -h, --help           this text

qemu always emulates (TCG), also where /dev/kvm exists.

Exit status: CMD's; 1 when the kernel log shows an oops, BUG, WARNING,
lockdep or KASAN/UBSAN report, hung task, soft lockup, RCU stall or panic
(even if CMD succeeded: the lines are printed); 124 when the time limit
killed the VM; 125 when the VM failed to run CMD (details on stderr and in
the log); 2 for a usage error.

Known emulator fault: with --accel multi, qemu 7.2 sometimes makes
Debian's 6.12 kernel die with "Oops: int3" in __schedule, independent of
our module. Exactly that report, with no ohos_eventfd frame in it, is
retried once; any other report fails the run.
EOF
}

readonly OEFD_VM_EXIT_TIMEOUT=124
readonly OEFD_VM_EXIT_VM=125
readonly OEFD_VM_LOGS_KEPT=100

# Roots of the guest modules /init needs for the 9p + overlay root; their
# dependencies come from modules.dep, built-in ones are skipped.
readonly OEFD_GUEST_MODULES="virtio_pci 9pnet_virtio 9p overlay"

# The kernel command line makes WARN, oops, hung tasks and soft lockups
# panic, so the run stops at the first report (OEFD_KERNEL_REPORT_RE).
readonly OEFD_KERNEL_CMDLINE='console=ttyS0 panic=-1 oops=panic panic_on_warn=1 hung_task_panic=1 softlockup_panic=1'

vm_usage_error() {
	printf '[ohos_eventfd] vm.sh: %s (see --help)\n' "$*" >&2
	exit 2
}

# --- kernel image -----------------------------------------------------------

# The kernel's scripts/extract-vmlinux, from the extracted linux-source tree
# or, failing that, from its tarball; nothing when neither is installed.
vm_extract_vmlinux_tool() {
	local cache tree tarball tool

	cache=$(oefd_cache)
	tree=$cache/linux-source-$OEFD_SRC_SERIES
	tarball=/usr/src/linux-source-$OEFD_SRC_SERIES.tar.xz
	tool=$cache/vm/extract-vmlinux
	if [ -f "$tree/.oefd-extracted" ]; then
		printf '%s\n' "$tree/scripts/extract-vmlinux"
	elif [ -f "$tool" ]; then
		printf '%s\n' "$tool"
	elif [ -f "$tarball" ]; then
		oefd_say "vm: taking extract-vmlinux from $tarball (once, about 10 s)"
		if tar -xJf "$tarball" -O --occurrence=1 \
			"linux-source-$OEFD_SRC_SERIES/scripts/extract-vmlinux" \
			>"$tool.tmp"; then
			mv "$tool.tmp" "$tool"
			printf '%s\n' "$tool"
		fi
		rm -f "$tool.tmp"
	fi
}

# qemu boots the uncompressed vmlinux through its PVH entry about 2.5 s
# faster than it decompresses a vmlinuz; fall back to the vmlinuz when the
# extraction is not possible.
vm_kernel_image() {
	local abi=$1 dir=$2 vmlinuz=/boot/vmlinuz-$1 vmlinux=$2/vmlinux tool

	if [ -s "$vmlinux" ] && [ "$vmlinux" -nt "$vmlinuz" ]; then
		printf '%s\n' "$vmlinux"
		return
	fi
	tool=$(vm_extract_vmlinux_tool)
	if [ -n "$tool" ] && sh "$tool" "$vmlinuz" >"$vmlinux.tmp" 2>/dev/null; then
		mv "$vmlinux.tmp" "$vmlinux"
		printf '%s\n' "$vmlinux"
		return
	fi
	rm -f "$vmlinux.tmp"
	oefd_say "vm: booting the compressed $vmlinuz (no extract-vmlinux: install linux-source-$OEFD_SRC_SERIES to boot faster)"
	printf '%s\n' "$vmlinuz"
}

# --- initramfs --------------------------------------------------------------

# The guest's /init. It takes its parameters from the run directory the host
# shares as "oefdrun" and writes the command's exit status back there, so
# it never changes with the command and the initramfs is built once per ABI.
vm_init_script() {
	cat <<'EOF'
#!/bin/busybox sh
# /init of the scripts/vm.sh guest (generated; see scripts/vm.sh).
/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

die() {
	echo "vm.sh guest: $*"
	echo "vm.sh guest: $*" >/dev/ttyS1
	poweroff -f
}

while read -r mod; do
	insmod "/lib/modules/$mod" || die "insmod $mod failed"
done </modules.order

mount -t 9p -o trans=virtio,version=9p2000.L oefdrun /oefd ||
	die "cannot mount the run directory (9p tag oefdrun)"
. /oefd/params

mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose hostroot /lower ||
	die "cannot mount the host root (9p tag hostroot)"
mount -t tmpfs -o mode=0755 upper /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work root /newroot ||
	die "cannot mount the overlay root"

R=/newroot
mount -t proc proc $R/proc
mount -t sysfs sysfs $R/sys
mount -t cgroup2 cgroup2 $R/sys/fs/cgroup 2>/dev/null
mount -t devtmpfs devtmpfs $R/dev
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts $R/dev/pts
mount -t tmpfs -o mode=1777 shm $R/dev/shm
ln -sf /proc/self/fd $R/dev/fd
ln -sf /proc/self/fd/0 $R/dev/stdin
ln -sf /proc/self/fd/1 $R/dev/stdout
ln -sf /proc/self/fd/2 $R/dev/stderr
mount -t tmpfs -o mode=0755 run $R/run
mkdir -p $R/run/oefd
mount -o bind /oefd $R/run/oefd
if [ -n "$OEFD_EXTRA" ]; then
	mkdir -p $R/extra
	mount -o bind "$R$OEFD_EXTRA" $R/extra || die "cannot bind $OEFD_EXTRA to /extra"
fi
ip link set lo up
hostname ohos-eventfd-vm
echo 30 >/proc/sys/kernel/hung_task_timeout_secs

if [ -n "$OEFD_KO" ]; then
	insmod "$R$OEFD_KO" || die "insmod $OEFD_KO failed"
fi

ENV="HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 OHOS_EFD_VM=1"
if [ "$OEFD_MODE" = shell ]; then
	stty -F /dev/ttyS1 sane rows "$OEFD_ROWS" cols "$OEFD_COLS"
	chroot $R /usr/bin/env -i $ENV TERM="$OEFD_TERM" \
		/usr/bin/setsid -c /bin/bash /run/oefd/cmd <>/dev/ttyS1 >&0 2>&0
else
	stty -F /dev/ttyS1 raw -echo
	chroot $R /usr/bin/env -i $ENV TERM=dumb \
		/bin/bash /run/oefd/cmd </dev/null >/dev/ttyS1 2>&1
fi
echo $? >/oefd/status
sync
poweroff -f
EOF
}

# Load order of the guest modules: each module after its dependencies
# (modules.dep lists them last-loaded first), each once.
vm_guest_modules() {
	local abi=$1 dep=/lib/modules/$1/modules.dep root line mod seen=' ' i
	local -a deps order

	for root in $OEFD_GUEST_MODULES; do
		line=$(grep -E "(^|/)$root\\.ko(\\.[a-z]+)?:" "$dep" || true)
		if [ -z "$line" ]; then
			grep -qE "(^|/)$root\\.ko\$" "/lib/modules/$abi/modules.builtin" ||
				oefd_die "guest module $root is neither in $dep nor built into $abi"
			continue
		fi
		read -r -a deps <<<"${line#*:}"
		order=()
		for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
			order+=("${deps[i]}")
		done
		order+=("${line%%:*}")
		for mod in "${order[@]}"; do
			case $seen in *" $mod "*) continue ;; esac
			seen+="$mod "
			printf '%s\n' "$mod"
		done
	done
}

# Copy a module into the initramfs uncompressed: busybox insmod reads
# only plain .ko files, and 6.12 ships .ko.xz.
vm_pack_module() {
	local src=$1 dst=$2

	case $src in
	*.ko.xz) xz -dc "$src" >"$dst" ;;
	*.ko.zst) zstd -qdc "$src" >"$dst" ;;
	*.ko.gz) gzip -dc "$src" >"$dst" ;;
	*.ko) cp "$src" "$dst" ;;
	*) oefd_die "unknown module format: $src" ;;
	esac
}

# The busybox initramfs, rebuilt only when its inputs change: the /init
# script, busybox and the guest modules.
vm_initramfs() {
	local abi=$1 dir=$2 out=$2/initramfs.cpio stamp stage mod name list
	local -a mods

	list=$(vm_guest_modules "$abi")
	mapfile -t mods <<<"$list"
	stamp=$({
		vm_init_script
		ls -lL --time-style=+%s /bin/busybox
		for mod in "${mods[@]}"; do ls -lL --time-style=+%s "/lib/modules/$abi/$mod"; done
	} | sha256sum)
	if [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
		printf '%s\n' "$out"
		return
	fi
	oefd_say "vm: building the initramfs for $abi"
	stage=$(mktemp -d "$dir/initramfs.XXXXXX")
	mkdir -p "$stage"/{bin,dev,proc,sys,lib/modules,oefd,lower,rw,newroot}
	cp /bin/busybox "$stage/bin/busybox"
	vm_init_script >"$stage/init"
	chmod 0755 "$stage/init"
	for mod in "${mods[@]}"; do
		name=${mod##*/}
		name=${name%.ko*}.ko
		vm_pack_module "/lib/modules/$abi/$mod" "$stage/lib/modules/$name"
		printf '%s\n' "$name" >>"$stage/modules.order"
	done
	[ "$(id -u)" -ne 0 ] || mknod -m 0600 "$stage/dev/console" c 5 1
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out.tmp"
	rm -rf "$stage"
	mv "$out.tmp" "$out"
	printf '%s\n' "$stamp" >"$out.stamp"
	printf '%s\n' "$out"
}

# --- running ------------------------------------------------------------------

# TCG only, also where /dev/kvm exists: a /dev/kvm that opens is no proof
# that qemu runs on it (here, nested KVM aborts qemu 7.2 setting an MSR, and
# with that MSR hidden the guest hangs), and pass/fail runs are meant to be
# the same emulation on every machine.
vm_accel_args() {
	case $1 in
	icount) printf '%s\n' -accel tcg -icount shift=0,sleep=off ;;
	single | multi) printf '%s\n' -accel "tcg,thread=$1" ;;
	esac
}

vm_default_log() {
	local logs

	logs=$(oefd_cache)/logs
	mkdir -p "$logs"
	find "$logs" -maxdepth 1 -name '*.log' -printf '%T@ %p\n' | sort -rn |
		tail -n +"$((OEFD_VM_LOGS_KEPT + 1))" | cut -d' ' -f2- | xargs -r rm -f
	printf '%s/%s-%s-%s.log\n' "$logs" "$(date +%Y%m%d-%H%M%S)" "$1" "$$"
}

# Parameters and command for the guest's /init (see vm_init_script).
vm_write_run_dir() {
	local dir=$1 rows=24 cols=80

	shift
	if [ "$mode" = shell ]; then
		read -r rows cols < <(stty size 2>/dev/null || echo 24 80)
	fi
	{
		printf 'OEFD_MODE=%s\n' "$mode"
		printf 'OEFD_KO=%s\n' "$ko"
		printf 'OEFD_EXTRA=%s\n' "$extra"
		printf 'OEFD_ROWS=%s OEFD_COLS=%s OEFD_TERM=%s\n' "$rows" "$cols" "${TERM:-vt100}"
	} >"$dir/params"
	{
		printf 'cd %q 2>/dev/null || cd /\n' "$PWD"
		if [ "$mode" = shell ]; then
			printf 'exec bash -l\n'
		else
			printf 'exec'
			printf ' %q' "$@"
			printf '\n'
		fi
	} >"$dir/cmd"
}

# timeout(1) runs qemu in a process group of its own, out of reach of the
# terminal's Ctrl-C: stop it when vm.sh ends for any reason.
# shellcheck disable=SC2317 # called by the EXIT trap
vm_cleanup() {
	# main's locals are gone when the trap runs after an exit from main.
	[ -z "${qemu_pid:-}" ] || kill "$qemu_pid" 2>/dev/null || true
	[ -z "${rundir:-}" ] || rm -rf "$rundir"
}

# Boot once; sets run_status to the guest command's exit status, or to
# OEFD_VM_EXIT_TIMEOUT / OEFD_VM_EXIT_VM.
vm_boot() {
	local log=$1 status
	local -a qemu

	rundir=$(mktemp -d "$(oefd_cache)/runs/run.XXXXXX")
	vm_write_run_dir "$rundir" "${cmd[@]}"
	# shellcheck disable=SC2054 # the commas are qemu's
	qemu=(qemu-system-x86_64 -nodefaults -display none -no-reboot
	      -m "$mem" -smp "$smp${maxcpus:+,maxcpus=$maxcpus}" "${accel_args[@]}"
	      -kernel "$kernel" -initrd "$initrd"
	      -append "$OEFD_KERNEL_CMDLINE${append:+ $append}"
	      -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
	      -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
	      -fsdev "local,id=oefdrun,path=$rundir,security_model=none"
	      -device virtio-9p-pci,fsdev=oefdrun,mount_tag=oefdrun
	      -chardev "file,id=console,path=$log" -serial chardev:console)
	: >"$log"
	if [ "$mode" = shell ]; then
		# shellcheck disable=SC2054
		qemu+=(-chardev stdio,id=out,mux=on,signal=off -serial chardev:out)
		if [ "$timeout" -gt 0 ]; then
			timeout --foreground -k 5 "$timeout" "${qemu[@]}" || status=$?
		else
			"${qemu[@]}" || status=$?
		fi
	else
		: >"$rundir/out"
		qemu+=(-chardev "file,id=out,path=$rundir/out" -serial chardev:out)
		timeout -k 5 "$timeout" "${qemu[@]}" </dev/null &
		qemu_pid=$!
		tail -n +1 -s 0.1 -f --pid="$qemu_pid" "$rundir/out"
		wait "$qemu_pid" || status=$?
		qemu_pid=''
	fi
	if [ "${status:-0}" -eq 124 ] || [ "${status:-0}" -eq 137 ]; then
		oefd_say "vm: time limit of $timeout s reached: killed the VM"
		run_status=$OEFD_VM_EXIT_TIMEOUT
	elif [[ $(cat "$rundir/status" 2>/dev/null) =~ ^[0-9]+$ ]]; then
		run_status=$(cat "$rundir/status")
	else
		[ "${status:-0}" -eq 0 ] || oefd_say "vm: qemu exited with status $status"
		oefd_say "vm: the command did not finish: the kernel died or the guest could not start it (see $log)"
		run_status=$OEFD_VM_EXIT_VM
	fi
	rm -rf "$rundir"
	rundir=''
}

# The known MTTCG fault (see usage): an int3 oops in __schedule, with no
# frame of our module in the report.
vm_is_mttcg_int3_fault() {
	local log=$1

	grep -q 'int3: ' "$log" && grep -q 'RIP: 0010:__schedule' "$log" &&
		! grep -q '\[ohos_eventfd\]' "$log"
}

# Print the lines of the console log that report a kernel problem, with
# the first report in full; return 1 if there are any.
vm_scan_log() {
	local log=$1 first

	first=$(grep -nE "$OEFD_KERNEL_REPORT_RE" "$log" | head -n 1 | cut -d: -f1)
	[ -z "$first" ] && return 0
	oefd_say "vm: the kernel reported a problem (console log: $log):"
	grep -E "$OEFD_KERNEL_REPORT_RE" "$log" | head -n 20 | sed 's/^/    /' >&2
	oefd_say "vm: first report:"
	tail -n +"$((first > 5 ? first - 5 : 1))" "$log" | head -n 60 | sed 's/^/    /' >&2
	return 1
}

vm_parse_args() {
	mode=${1:-}
	case $mode in
	run | shell) shift ;;
	-h | --help) usage; exit 0 ;;
	'') usage >&2; exit 2 ;;
	*) vm_usage_error "unknown mode '$mode' (run or shell)" ;;
	esac
	while [ $# -gt 0 ]; do
		case $1 in
		-h | --help) usage; exit 0 ;;
		--kernel) series=${2:-}; shift ;;
		--extra) extra=${2:-}; shift ;;
		--smp) smp=${2:-}; shift ;;
		--maxcpus) maxcpus=${2:-}; shift ;;
		--mem) mem=${2:-}; shift ;;
		--accel) accel=${2:-}; shift ;;
		--timeout) timeout=${2:-}; shift ;;
		--append) append=${2:-}; shift ;;
		--log) log=${2:-}; shift ;;
		--no-module) load_module='' ;;
		--) shift; cmd=("$@"); break ;;
		*) vm_usage_error "unknown option '$1'" ;;
		esac
		shift
	done
	case $series in
	6.1 | 6.12) ;;
	'') vm_usage_error "--kernel 6.1 or 6.12 is required" ;;
	*) vm_usage_error "unknown kernel series '$series' (--kernel 6.1 or 6.12)" ;;
	esac
	case $accel in single | multi | icount) ;; *) vm_usage_error "--accel is single, multi or icount" ;; esac
	[[ $smp =~ ^[1-9][0-9]*$ ]] || vm_usage_error "--smp takes a positive number"
	if [ -n "$maxcpus" ] && { ! [[ $maxcpus =~ ^[1-9][0-9]*$ ]] || [ "$maxcpus" -lt "$smp" ]; }; then
		vm_usage_error "--maxcpus takes a number no smaller than --smp"
	fi
	[[ $mem =~ ^[1-9][0-9]*[MG]?$ ]] || vm_usage_error "--mem takes a size such as 1G or 512M"
	[ "$mode" = shell ] && [ -z "$timeout" ] && timeout=0
	timeout=${timeout:-600}
	[[ $timeout =~ ^[0-9]+$ ]] || vm_usage_error "--timeout takes seconds"
	if [ "$mode" = run ]; then
		[ ${#cmd[@]} -gt 0 ] || vm_usage_error "no command after --"
		[ "$timeout" -gt 0 ] || vm_usage_error "run needs a time limit"
	else
		[ ${#cmd[@]} -eq 0 ] || vm_usage_error "shell takes no command"
		[ -t 0 ] || vm_usage_error "shell needs a terminal on stdin"
	fi
	if [ -n "$extra" ]; then
		[ -d "$extra" ] || vm_usage_error "--extra $extra is not a directory"
		extra=$(realpath "$extra")
	fi
	if [ "$accel" = icount ] && [ "$smp" != 1 ]; then
		oefd_say "vm: --accel icount runs one CPU (ignoring --smp $smp)"
		smp=1
	fi
}

main() {
	local mode series='' extra='' smp=2 maxcpus='' mem=1G accel=single timeout='' append=''
	local log='' load_module=1 abi dir kernel initrd ko='' run_status=0 attempt
	local -a cmd=() accel_args
	local qemu_pid='' rundir=''

	vm_parse_args "$@"
	trap vm_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	oefd_need_pkgs qemu-system-x86 busybox-static cpio xz-utils zstd binutils
	abi=$(oefd_kernel_ensure "$series")
	dir=$(oefd_cache)/vm/$abi
	mkdir -p "$dir" "$(oefd_cache)/runs"
	# Run directories of vm.sh processes that were killed outright.
	find "$(oefd_cache)/runs" -mindepth 1 -maxdepth 1 -mmin +1440 -exec rm -rf {} +
	{
		flock 9
		kernel=$(vm_kernel_image "$abi" "$dir")
		initrd=$(vm_initramfs "$abi" "$dir")
	} 9>"$dir.lock"
	if [ -n "$load_module" ]; then
		ko=$("$OEFD_TOP/scripts/build-module.sh" "$series")
	fi
	mapfile -t accel_args < <(vm_accel_args "$accel")
	log=${log:-$(vm_default_log "$series")}

	for attempt in 1 2; do
		oefd_say "vm: booting $abi (${accel_args[*]}, $smp CPUs${maxcpus:+ of $maxcpus}, $mem); console log: $log"
		vm_boot "$log"
		if [ "$accel" != multi ] || [ "$attempt" != 1 ] || ! vm_is_mttcg_int3_fault "$log"; then
			break
		fi
		oefd_say "vm: known qemu MTTCG fault (int3 oops in __schedule, not in our module): retrying once"
		log=${log%.log}.retry.log
	done
	if ! vm_scan_log "$log"; then
		case $run_status in 0 | "$OEFD_VM_EXIT_VM") run_status=1 ;; esac
	fi
	exit "$run_status"
}

main "$@"
