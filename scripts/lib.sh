# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the famfs-rs build and test scripts. Source, do not run.
#
# Everything built here lives in a cache outside the repository, keyed by what
# it depends on, so that a fresh clone rebuilds nothing that is already there:
#   $FAMFS_CACHE/root-<hash>        debootstrapped Debian trixie build root
#   $FAMFS_CACHE/linux-<ver>        pristine kernel source (from linux-source-7.3)
#   $FAMFS_CACHE/kbuild-<flavour>-<hash>   O= kernel build per config flavour
#   $FAMFS_CACHE/cargo-target           cargo builds (host tests, the famfs tool)

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FAMFS_CACHE=${FAMFS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/famfs}
mkdir -p "$FAMFS_CACHE"

log() { printf '[famfs] %s\n' "$*" >&2; }
die() { printf '[famfs] error: %s\n' "$*" >&2; exit 1; }

# Short content hash of files and strings (the cache keys).
hash_of() {
	local f
	{ for f in "$@"; do if [ -f "$f" ]; then cat "$f"; else printf '%s\n' "$f"; fi; done; } |
		sha256sum | cut -c1-12
}

ROOT_PKGS="$REPO/scripts/buildroot.packages"
root_dir() { echo "$FAMFS_CACHE/root-$(hash_of "$ROOT_PKGS" "$REPO/scripts/buildroot")"; }

# Run a command inside the build root, with the repository and the cache
# visible at the same paths as on the host. A private mount namespace means
# no bind mount outlives the command.
in_root() {
	local root; root=$(root_dir)
	[ -f "$root/.complete" ] || die "build root missing: run scripts/buildroot"
	unshare --mount --propagation private -- /bin/bash -c '
		set -e
		root=$1; shift
		for d in proc sys dev dev/pts dev/shm; do mkdir -p "$root/$d"; done
		mount -t proc proc "$root/proc"
		mount --rbind /sys "$root/sys"
		mount --rbind /dev "$root/dev"
		for d in "$REPO" "$FAMFS_CACHE" ${FAMFS_EXTRA_BINDS:-}; do
			[ -d "$d" ] || continue
			mkdir -p "$root$d"; mount --bind "$d" "$root$d"
		done
		cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
		exec chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			LANG=C.UTF-8 "$@"
	' in_root "$root" "$@"
}
# The Rust artifacts an out-of-tree module build reads from a 7.3 build tree, besides
# include/generated/rustc_cfg and (x86) scripts/target.json: the crates' metadata
# (rust/lib<crate>.rmeta) and the proc-macro libraries (rust/lib<crate>.so).
RUST_RMETA="core compiler_builtins ffi build_error pin_init zerocopy bindings uapi kernel"
RUST_PROCMACRO="macros pin_init_internal zerocopy_derive"

# Pristine kernel source from a linux-source tarball, extracted once into the cache
# (O= builds need a clean tree; every kernel flavour, scripts/librust and the guest
# programs' selftest headers share it). Prints the directory.
pristine_source() { # pristine_source TARBALL
	local tarball=$1 srcver src
	srcver=$(basename "$tarball" | sed 's/\.tar\..*//')-$(stat -c %s "$tarball")
	src="$FAMFS_CACHE/src-$srcver"
	if [ ! -f "$src/.complete" ]; then
		log "extracting $tarball"
		rm -rf "$src.tmp"; mkdir -p "$src.tmp"
		tar -C "$src.tmp" --strip-components=1 -xf "$tarball"
		touch "$src.tmp/.complete"; mv "$src.tmp" "$src"
	fi
	echo "$src"
}
# The build root's linux-source-7.3 tarball.
root_source_tarball() {
	local t; t=$(ls "$(root_dir)"/usr/src/linux-source-7.3.tar.* 2>/dev/null | head -1)
	[ -n "$t" ] || die "linux-source-7.3 tarball not found in the build root"
	echo "$t"
}
# Debian's kernels (scripts/debian-kernels). debian_kernel [ID] sets DEB_ID (the
# release, uname -r), DEB_ABI, DEB_FLAVOUR, DEB_VERSION (the packages' version),
# DEB_SERIES (major.minor: linux-source-<series>) and DEB_SUITE (full or pmem) for the
# kernel ID, default the table's first; debian_kernel_ids lists every ID.
debian_kernel_ids() { awk '!/^#/ && NF >= 4 { print $1 "-" $3 }' "$REPO/scripts/debian-kernels"; }
debian_kernel() {
	local id=${1:-} line
	[ -n "$id" ] || id=$(debian_kernel_ids | head -1)
	line=$(awk -v id="$id" '!/^#/ && NF >= 4 && $1 "-" $3 == id' "$REPO/scripts/debian-kernels")
	[ -n "$line" ] || die "no Debian kernel $id in scripts/debian-kernels (there: $(debian_kernel_ids | tr '\n' ' '))"
	read -r DEB_ABI DEB_VERSION DEB_FLAVOUR DEB_SUITE <<<"$line"
	DEB_ID=$DEB_ABI-$DEB_FLAVOUR
	DEB_SERIES=$(echo "$DEB_ABI" | cut -d. -f1,2)
}
# virtiofsd (the host side of virtio-fs, for a guest kernel without 9p): Debian's
# package, fetched with apt inside the build root and unpacked into the cache (the build
# root has its libraries). Prints the binary's path.
virtiofsd_bin() {
	local out ver
	out="$FAMFS_CACHE/virtiofsd-$(basename "$(root_dir)")"
	if [ ! -x "$out/root/usr/libexec/virtiofsd" ]; then
		rm -rf "$out"; mkdir -p "$out/debs"
		in_root /bin/sh -c "cd '$out/debs' && { apt-get download -q virtiofsd 2>/dev/null ||
			{ apt-get update -qq && apt-get download -q virtiofsd; }; }" >&2 ||
			die "cannot fetch Debian's virtiofsd package"
		in_root dpkg-deb -x "$out"/debs/virtiofsd_*.deb "$out/root"
		rm -rf "$out/debs"
	fi
	echo "$out/root/usr/libexec/virtiofsd"
}
# Cargo builds (host tests, the famfs tool) live in the cache too, so that a fresh
# clone does not rebuild them.
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$FAMFS_CACHE/cargo-target}
export REPO FAMFS_CACHE CARGO_TARGET_DIR
