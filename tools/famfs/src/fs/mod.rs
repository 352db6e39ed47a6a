// SPDX-License-Identifier: GPL-2.0

//! famfs operations on a mounted file system (or a device, through a temporary mount):
//! mkfs, mount + mkmeta, logplay, creat, cp, mkdir, fsck, check. One module per job;
//! everything is used through this module's names.

mod check;
mod data;
mod delete;
mod devices;
mod dirs;
mod error;
mod famfs;
mod files;
mod hosts;
mod identity;
mod kmod;
mod log_lock;
mod logplay;
mod meta;
mod mkfs;
mod mount;
mod mounts;
mod sysfs;

pub use check::check_tree;
pub use data::{copy_data, fill_file, verify_file};
pub use delete::RmStats;
pub use devices::{devadd, list_daxdevs, mkfs_secondaries, register_daxdev, DaxdevInfo};
pub use error::{Context, Error, Result};
pub use famfs::{Famfs, FAMFS_MAGIC};
pub use hosts::Join;
pub use identity::{system_uuid, Role, SYSTEM_UUID_PATH};
pub use kmod::{ensure_module, module_loaded};
pub use logplay::{logplay_device, LogplayOptions, LogplayStats};
pub(crate) use meta::meta_dir;
pub use meta::{log_file, mkmeta, read_superblock, read_superblock_bytes, superblock_file};
pub use mkfs::{mkfs, MkfsOptions, MkfsOutcome, DEFAULT_LOG_LEN};
pub use mount::{mount, MountError, MountOptions};
pub use mounts::{mount_point_of, TempMount};
pub use sysfs::{check_or_set_daxmode, dax_name, device_size};
