// SPDX-License-Identifier: GPL-2.0

//! This host's identity (its system uuid) and its role in a file system.

use super::error::{Context, Result};
use std::fs::{self, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use uuid::Uuid;

/// Where the host's identity lives (shared with the original tools).
pub const SYSTEM_UUID_PATH: &str = "/opt/famfs/system_uuid";

/// This host's identity, created on first use in the original's format: the 36-character
/// UUID and a NUL (37 bytes), file mode 0444 in a 0755 directory. An unreadable file is
/// replaced, as the original does.
pub fn system_uuid() -> Result<Uuid> {
    if let Ok(s) = fs::read(SYSTEM_UUID_PATH) {
        let text = String::from_utf8_lossy(&s);
        let first = text
            .split(|c: char| c == '\0' || c.is_whitespace())
            .find(|w| !w.is_empty());
        if let Some(u) = first.and_then(|w| Uuid::parse_str(w).ok()) {
            return Ok(u);
        }
        let _ = fs::remove_file(SYSTEM_UUID_PATH);
    }
    let u = Uuid::new_v4();
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create("/opt/famfs")
        .ctx(|| "create /opt/famfs".into())?;
    let mut bytes = u.hyphenated().to_string().into_bytes();
    bytes.push(0);
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o444)
        .open(SYSTEM_UUID_PATH)
        .and_then(|mut f| std::io::Write::write_all(&mut f, &bytes))
        .ctx(|| format!("write {SYSTEM_UUID_PATH}"))?;
    Ok(u)
}

/// Master (may allocate and log) or client (replays the log read-only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The host that made the file system.
    Master,
    /// Any other host.
    Client,
}
