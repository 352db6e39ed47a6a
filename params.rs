// SPDX-License-Identifier: GPL-2.0

//! famfs's mount parameters and what it accepts of them.

use crate::{
    kfs::{
        self,
        fs_param::Value, //
    },
    FsContext,
};
use kernel::prelude::*;

kfs::fs_param::fs_params! {
    /// The mount parameters of famfs.
    pub(crate) enum FamfsParam {
        /// `mode=`: the root directory's permissions, octal.
        Mode = U32Oct(c"mode"),
        /// `dax=`: famfs is always DAX, so `dax=always` is the only value it accepts.
        Dax = String(c"dax"),
    }
}

/// Records `param` in the request's options: of `mode=` only the permission bits count,
/// as in the reference module; `dax=` other than `always` is refused with a message.
pub(crate) fn parse(fc: &mut FsContext, param: FamfsParam, value: Value<'_>) -> Result {
    match (param, value) {
        // The permission bits only (`S_IALLUGO`).
        (FamfsParam::Mode, Value::U32(mode)) => {
            fc.options_mut().mode = Some(mode & kfs::inode::S_IALLUGO);
            Ok(())
        }
        (FamfsParam::Dax, Value::Str(s)) if s.to_bytes() == b"always" => Ok(()),
        (FamfsParam::Dax, Value::Str(s)) => Err(fc.error(
            EINVAL,
            fmt!(
                "dax={} is not supported (only dax=always)",
                s.to_str().unwrap_or("?")
            ),
        )),
        _ => Err(EINVAL),
    }
}
