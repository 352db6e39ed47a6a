// SPDX-License-Identifier: GPL-2.0
//! What the tool's test files share: a fresh primary superblock.

use famfs::format::{
    Superblock,
    ALLOC_UNIT,
    LOG_LEN_DEFAULT,
    LOG_OFFSET, //
};
use uuid::Uuid;

/// The superblock `mkfs` writes on `/dev/dax0.0` of `dev_size` bytes (default log, new
/// uuids).
pub fn new_superblock(dev_size: u64) -> Superblock {
    Superblock {
        log_offset: LOG_OFFSET,
        log_len: LOG_LEN_DEFAULT,
        alloc_unit: ALLOC_UNIT,
        uuid: Uuid::new_v4(),
        dev_uuid: Uuid::new_v4(),
        system_uuid: Uuid::new_v4(),
        dev_size,
        dev_path: "/dev/dax0.0".into(),
        deletes: false,
    }
}
