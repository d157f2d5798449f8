#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Reliability runs in the VM (reliability/, docs/reliability.md): the long
# soak (make soak) or, with --short, the runs make check needs. Boots one VM
# per part and kernel through scripts/vm.sh; see usage() or --help.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
	cat <<'EOF'
usage: scripts/soak.sh [--short] [--kernel 6.1|6.12]... [--part PART]...

Builds reliability/ and the module, then runs reliability/run-short.sh in
the VM, one boot per part and kernel, and prints one TAP stream on stdout
("ok N - [KERNEL PART] test", the plan last); progress lines go to stderr.

  --short          the make check sizes: about 4 minutes per kernel
                   (default: the soak sizes, about 30 minutes per kernel)
  --kernel K       6.1 or 6.12; repeat for both (default: both)
  --part P         main, hotplug or modcycle; repeat (default: all three)
  -h, --help       this text

Parts and their boots:
  main      module loaded, single-threaded TCG, 2 CPUs, 1G: conservation
            stress, lifecycle, fuzzing, bad input, scale (--short); in the
            soak the stress runs in its own MTTCG boot with 4 CPUs
  hotplug   module loaded, MTTCG, 4 CPUs: stress while CPUs go offline
  modcycle  module not loaded: rmmod refused in use, load/unload cycles
Exit status: 0 if every test passed and every VM log was clean.
EOF
}

# The vm.sh options of a part. Under multi-threaded TCG four vCPUs share
# the host's cores with everything else on it; a stop_machine() (CPU
# hotplug) that waits for a descheduled vCPU can then starve RCU's kthread
# past the default 21 s stall timeout without any kernel fault, so those
# boots allow 60 s (soft lockups are still reported after 20 s). The
# module-cycle boot keeps every slab cache its own (slab_nomerge), so that
# an object of ours left at rmmod makes kmem_cache_destroy() complain.
soak_vm_args() {
	case $1 in
	main | checks) printf '%s\n' --accel single ;;
	stress | hotplug)
		printf '%s\n' --accel multi --smp 4 --append rcupdate.rcu_cpu_stall_timeout=60 ;;
	modcycle) printf '%s\n' --accel single --no-module --append slab_nomerge ;;
	esac
}

# Time limit of a part's VM run in seconds: short (make check) or long (soak).
soak_time_limit() {
	case $1:$2 in
	main:short) echo 900 ;;
	hotplug:short | modcycle:short) echo 300 ;;
	stress:long) echo 1500 ;;
	checks:long) echo 3600 ;;
	hotplug:long) echo 900 ;;
	modcycle:long) echo 1200 ;;
	esac
}

# Boot one part; renumber its TAP lines into ours as they come; the VM's
# own verdict (kernel log clean, finished in time) is one more test.
soak_part() {
	local series=$1 part=$2 size=$3 ko=$4 status=0 line plan='' start kernel_report=''
	local -a vm_args run_args=(--part "$part")

	mapfile -t vm_args < <(soak_vm_args "$part")
	[ "$part" = modcycle ] && run_args+=(--ko "$ko")
	[ "$size" = long ] && run_args+=(--long)
	start=$(date +%s)
	oefd_say "soak: $series $part ($size): booting"
	while IFS= read -r line; do
		case $line in
		"ok "*) oefd_tap_result ok "[$series $part] ${line#ok * - }" ;;
		"not ok "*) oefd_tap_result "not ok" "[$series $part] ${line#not ok * - }" ;;
		1..*) plan=1 ;;
		"# --- "*) oefd_say "soak: $series $part: ${line#\# --- }" ;;
		"vm.sh exit "*) status=${line#vm.sh exit } ;;
		*"vm: the kernel reported a problem"*) kernel_report=1; printf '%s\n' "$line" ;;
		*) printf '%s\n' "$line" ;;
		esac
	done < <("$OEFD_TOP/scripts/vm.sh" run --kernel "$series" "${vm_args[@]}" \
			--timeout "$(soak_time_limit "$part" "$size")" -- \
			"$OEFD_TOP/reliability/run-short.sh" "${run_args[@]}" 2>&1
		 echo "vm.sh exit $?")
	# The tests' own failures are counted above: this line is the VM's verdict.
	if [ -n "$kernel_report" ]; then
		oefd_tap_result "not ok" "[$series $part] VM run: the kernel reported a problem (above)"
	elif [ -z "$plan" ]; then
		oefd_tap_result "not ok" "[$series $part] VM run: vm.sh exit $status, run-short.sh did not finish"
	else
		oefd_tap_result ok "[$series $part] VM run finished, kernel log clean # $(($(date +%s) - start)) s"
	fi
}

main() {
	local size=long series part ko
	local -a kernels=() parts=()

	while [ $# -gt 0 ]; do
		case $1 in
		--short) size=short ;;
		--kernel) kernels+=("${2:-}"); shift ;;
		--part) parts+=("${2:-}"); shift ;;
		-h | --help) usage; exit 0 ;;
		*) usage >&2; oefd_die "unknown argument '$1'" ;;
		esac
		shift
	done
	[ ${#kernels[@]} -gt 0 ] || kernels=(6.1 6.12)
	[ ${#parts[@]} -gt 0 ] || parts=(main hotplug modcycle)
	for series in "${kernels[@]}"; do
		case $series in 6.1 | 6.12) ;; *) oefd_die "--kernel takes 6.1 or 6.12, not '$series'" ;; esac
	done
	for part in "${parts[@]}"; do
		case $part in main | hotplug | modcycle) ;; *) oefd_die "unknown part '$part'" ;; esac
	done

	oefd_need_pkgs make gcc gcc-multilib libc6-dev
	oefd_say "soak: building reliability/"
	make -s -C "$OEFD_TOP/reliability" -j2 >&2 || oefd_die "make -C reliability failed"
	for series in "${kernels[@]}"; do
		ko=$("$OEFD_TOP/scripts/build-module.sh" "$series")
		for part in "${parts[@]}"; do
			if [ "$part" = main ] && [ "$size" = long ]; then
				soak_part "$series" stress "$size" "$ko"
				soak_part "$series" checks "$size" "$ko"
			else
				soak_part "$series" "$part" "$size" "$ko"
			fi
		done
	done
	oefd_say "soak: $OEFD_TAP_N tests, $oefd_tap_failed failed"
	oefd_tap_plan
}

main "$@"
