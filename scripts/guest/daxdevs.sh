# SPDX-License-Identifier: GPL-2.0
# Extra dax devices (scripts/vm --daxdevs N), set up by the command layer scripts/vm
# builds, after /init's own device setup; needs devices.sh's helpers.

# setup_daxdevs SKIP: every NVDIMM region after the first SKIP (the default guest's
# devices) becomes a devdax namespace bound to fsdev_dax. Prints the primary
# ($FAMFS_DAXDEV) and then the new devices, space-separated.
setup_daxdevs() {
	local skip=$1 r id list=$FAMFS_DAXDEV
	for r in $(nfit_regions | sed "1,${skip}d"); do
		id=${r#region}
		# Media from scripts/vm's cache carry a dax info block already.
		if [ ! -e /sys/bus/dax/devices/dax$id.0 ]; then
			ndctl create-namespace -f -e namespace$id.0 -m devdax -a 2M -M mem >&2 || return 1
		fi
		wait_for /sys/bus/dax/devices/dax$id.0 10 || return 1
		daxmode dax$id.0 fsdev_dax || return 1
		wait_for /dev/dax$id.0 10 || return 1
		list="$list /dev/dax$id.0"
	done
	echo "$list"
}
