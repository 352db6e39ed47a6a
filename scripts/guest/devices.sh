# SPDX-License-Identifier: GPL-2.0
# Guest-side device helpers (sourced by /init and by tests).

# daxmode DEV DRIVER: bind dax device DEV (e.g. dax0.0) to fsdev_dax or
# device_dax through sysfs, the way libdaxctl does (ndctl 81 has no famfs mode).
daxmode() {
	local dev=$1 want=$2 S=/sys/bus/dax cur
	cur=$(basename "$(readlink "$S/devices/$dev/driver" 2>/dev/null)" 2>/dev/null)
	[ "$cur" = "$want" ] && return 0
	if [ -n "$cur" ]; then
		echo "$dev" >"$S/drivers/$cur/remove_id" 2>/dev/null
		echo "$dev" >"$S/drivers/$cur/unbind" || return 1
	fi
	echo "$dev" >"$S/drivers/$want/new_id" 2>/dev/null
	cur=$(basename "$(readlink "$S/devices/$dev/driver" 2>/dev/null)" 2>/dev/null)
	[ "$cur" = "$want" ] || echo "$dev" >"$S/drivers/$want/bind" 2>/dev/null
	cur=$(basename "$(readlink "$S/devices/$dev/driver" 2>/dev/null)" 2>/dev/null)
	[ "$cur" = "$want" ]
}

# Wait up to $2 seconds for path $1 to appear.
wait_for() {
	local i=0
	while [ ! -e "$1" ] && [ $i -lt $(($2 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$1" ]
}

# The NVDIMM regions (ACPI NFIT), in device order. Their numbers depend on what
# else registered an nvdimm bus first (with --cxl, the CXL pmem bridge does).
nfit_regions() {
	local r bus
	for r in /sys/bus/nd/devices/region*; do
		[ -e "$r" ] || continue
		bus=$(basename "$(dirname "$(readlink -f "$r")")")
		[ "$(cat "/sys/bus/nd/devices/$bus/provider" 2>/dev/null)" = ACPI.NFIT ] && basename "$r"
	done | sort
}

# pfn_claims NAMESPACE: a pfn (fsdax) device has claimed NAMESPACE.
pfn_claims() {
	local p
	for p in /sys/bus/nd/devices/pfn*; do
		[ "$(cat "$p/namespace" 2>/dev/null)" = "$1" ] && return 0
	done
	return 1
}

setup_devices() {
	set -x
	local regions r0 r1 id
	regions=$(nfit_regions)
	r0=$(echo "$regions" | sed -n 1p)
	r1=$(echo "$regions" | sed -n 2p)
	[ -n "$r0" ] || return 1
	# A kernel without device dax (VM_DEVDAX=0: scripts/vm leaves NVDIMM 0 out) has
	# only the pmem block device, on the first region.
	if [ "${VM_DEVDAX:-1}" = 0 ]; then r1=$r0; else
	# NVDIMM 0 -> devdax (the famfs device). A shared backing file may
	# already carry a dax info block written by another guest: then the
	# kernel has created the dax device by itself and we leave the media alone.
	id=${r0#region}
	if [ ! -e /sys/bus/dax/devices/dax$id.0 ]; then
		ndctl create-namespace -f -e namespace$id.0 -m devdax -a 2M -M mem || return 1
	fi
	wait_for /sys/bus/dax/devices/dax$id.0 10 || return 1
	daxmode dax$id.0 fsdev_dax || return 1
	FAMFS_DAXDEV=/dev/dax$id.0
	wait_for $FAMFS_DAXDEV 10 || return 1
	fi

	# NVDIMM 1 -> fsdax block device for ext4/xfs -o dax and pmem mounts.
	if [ "$VM_PMEM" = 1 ]; then
		[ -n "$r1" ] || return 1
		id=${r1#region}
		# A label-less NFIT namespace comes up "raw" (no DAX) until converted,
		# unless its media already carry a pfn info block (scripts/vm caches one):
		# then a pfn device claims it at boot. ("mode" cannot tell: the kernel
		# calls both raw-with-pages and fsdax "memory".)
		if ! pfn_claims namespace$id.0; then
			ndctl create-namespace -f -e namespace$id.0 -m fsdax -M mem || return 1
		fi
		FAMFS_PMEMDEV=/dev/$(basename /sys/bus/nd/devices/namespace$id.0/block/pmem* 2>/dev/null)
		[ -b "$FAMFS_PMEMDEV" ] || FAMFS_PMEMDEV=/dev/pmem$id
		wait_for $FAMFS_PMEMDEV 10 || return 1
	fi

	# CXL type-3 volatile memory -> region -> dax device (device_dax).
	if [ "$VM_CXL" = 1 ]; then
		local before after
		before=$(ls /sys/bus/dax/devices)
		cxl create-region -t ram -d decoder0.0 -m mem0 -w 1 || return 1
		i=0
		while [ $i -lt 50 ]; do
			after=$(ls /sys/bus/dax/devices)
			FAMFS_CXLDAX=$(for d in $after; do echo "$before" | grep -qx "$d" || echo "$d"; done | head -1)
			[ -n "$FAMFS_CXLDAX" ] && break
			sleep 0.1; i=$((i + 1))
		done
		[ -n "$FAMFS_CXLDAX" ] || return 1
		FAMFS_CXLDAX=/dev/$FAMFS_CXLDAX
	fi
	set +x
}
