// SPDX-License-Identifier: GPL-2.0

//! This host's slot in the host table (`crate::hosts`), read and written through
//! `.meta/.superblock`, whose 2 MiB map covers the table; and the delete mark of the
//! superblock.

use super::error::{refuse, Context, Error, Result};
use super::famfs::Famfs;
use super::identity::system_uuid;
use super::meta::meta_dir;
use crate::format::{crc32, SB_STRUCT_SIZE, SUPERBLOCK_SIZE, SUPER_VERSION_DELETES};
use crate::hosts::{HostState, Slot, Table, CLAIM_WAIT_MS, SLOT_SIZE, TABLE_OFFSET, TABLE_SIZE};
use crate::sys;
use std::fs::OpenOptions;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How a host comes to write its slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Join {
    /// A fresh mount: nothing of the file system is in use here yet, so a host declared
    /// dead may come back (live, having replayed nothing).
    Mount,
    /// A replay on a mount in use: refused if the host was declared dead, since its
    /// processes may hold maps the other hosts no longer count.
    Replay,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

impl Famfs {
    fn superblock_area(&self, write: bool) -> Result<sys::Mapping> {
        let p = meta_dir(&self.mpt).join(".superblock");
        let f = OpenOptions::new()
            .read(true)
            .write(write)
            .open(&p)
            .ctx(|| format!("open {}", p.display()))?;
        sys::Mapping::new(&f, SUPERBLOCK_SIZE as usize, write)
            .ctx(|| "map the superblock area".into())
    }

    fn read_table(m: &sys::Mapping, fs: uuid::Uuid) -> Table {
        let mut b = vec![0u8; TABLE_SIZE];
        m.invalidate(TABLE_OFFSET, TABLE_SIZE);
        m.copy_out(TABLE_OFFSET, &mut b);
        Table::decode(&b, fs)
    }

    fn read_slot(m: &sys::Mapping, i: usize, fs: uuid::Uuid) -> Option<Slot> {
        let mut b = [0u8; SLOT_SIZE];
        let off = TABLE_OFFSET + i * SLOT_SIZE;
        m.invalidate(off, SLOT_SIZE);
        m.copy_out(off, &mut b);
        Slot::decode(&b, fs)
    }

    fn write_slot(m: &mut sys::Mapping, i: usize, s: &Slot, fs: uuid::Uuid) {
        let off = TABLE_OFFSET + i * SLOT_SIZE;
        m.copy_in(off, &s.encode(fs));
        m.flush(off, SLOT_SIZE);
    }

    /// The host table.
    pub fn hosts(&self) -> Result<Table> {
        let m = self.superblock_area(false)?;
        Ok(Self::read_table(&m, self.sb.uuid))
    }

    /// Writes this host's slot as live, having applied `replayed` entries (`None`: keep
    /// what the slot says, 0 for a new slot), registering the host first if it has no
    /// slot. Returns the slot index.
    pub fn register(&self, join: Join, replayed: Option<u64>) -> Result<usize> {
        let me = system_uuid()?;
        let mut m = self.superblock_area(true)?;
        let table = Self::read_table(&m, self.sb.uuid);
        let mine = |replayed: u64| Slot {
            host: me,
            replayed,
            state: HostState::Live,
            updated: now(),
            name: host_name(),
        };
        if let Some((i, s)) = table.find(me) {
            if s.state == HostState::Dead && join == Join::Replay {
                return refuse(format!(
                    "this host was declared dead on {}: unmount it and mount again",
                    self.mpt.display()
                ));
            }
            let r = match (join, s.state, replayed) {
                (_, _, Some(r)) => r,
                (Join::Mount, _, None) | (_, HostState::Dead, None) => 0,
                (_, HostState::Live, None) => s.replayed,
            };
            Self::write_slot(&mut m, *i, &mine(r), self.sb.uuid);
            return Ok(*i);
        }
        let wanted = mine(replayed.unwrap_or(0));
        for i in table.free_slots(me) {
            // Fischer's protocol: read free, write, wait, read back.
            if Self::read_slot(&m, i, self.sb.uuid).is_some() {
                continue;
            }
            Self::write_slot(&mut m, i, &wanted, self.sb.uuid);
            std::thread::sleep(Duration::from_millis(CLAIM_WAIT_MS));
            if Self::read_slot(&m, i, self.sb.uuid).is_some_and(|s| s.host == me) {
                return Ok(i);
            }
        }
        refuse("the host table is full: declare dead hosts (famfs hosts --dead) and free them")
    }

    /// Records that this host has applied `replayed` entries (in slot `slot`, which
    /// [`Famfs::register`] returned).
    pub fn record_replayed(&self, slot: usize, replayed: u64) -> Result<()> {
        let me = system_uuid()?;
        let mut m = self.superblock_area(true)?;
        let Some(mut s) = Self::read_slot(&m, slot, self.sb.uuid).filter(|s| s.host == me) else {
            return refuse("this host's slot in the host table was taken over");
        };
        if s.state == HostState::Dead {
            return refuse(format!(
                "this host was declared dead on {}: unmount it and mount again",
                self.mpt.display()
            ));
        }
        s.replayed = s.replayed.max(replayed);
        s.updated = now();
        Self::write_slot(&mut m, slot, &s, self.sb.uuid);
        Ok(())
    }

    /// Declares the hosts whose name or uuid is `who` dead (an operator's statement that
    /// they no longer have the file system mounted), or with `forget` frees their slots.
    /// Returns the slots changed.
    pub fn declare_dead(&self, who: &str, forget: bool) -> Result<Vec<Slot>> {
        let mut m = self.superblock_area(true)?;
        let table = Self::read_table(&m, self.sb.uuid);
        let mut changed = Vec::new();
        for (i, s) in &table.slots {
            if s.name != who && s.host.hyphenated().to_string() != who {
                continue;
            }
            let off = TABLE_OFFSET + i * SLOT_SIZE;
            if forget {
                m.fill(off, SLOT_SIZE, 0);
                m.flush(off, SLOT_SIZE);
            } else {
                let dead = Slot {
                    state: HostState::Dead,
                    updated: now(),
                    ..s.clone()
                };
                Self::write_slot(&mut m, *i, &dead, self.sb.uuid);
            }
            changed.push(s.clone());
        }
        if changed.is_empty() {
            return Err(Error::Refused(format!("no host {who} in the host table")));
        }
        Ok(changed)
    }

    /// Marks the superblock: the file system has deletes (famfs's tools refuse it from
    /// now on). Idempotent.
    pub(super) fn mark_deletes(&mut self) -> Result<()> {
        if self.sb.deletes {
            return Ok(());
        }
        let mut m = self.superblock_area(true)?;
        let old = {
            let mut b = [0u8; SB_STRUCT_SIZE];
            m.invalidate(0, SB_STRUCT_SIZE);
            m.copy_out(0, &mut b);
            b
        };
        // Only the version and the CRC change; everything else is written as read.
        let mut new = old;
        new[8..16].copy_from_slice(&SUPER_VERSION_DELETES.to_ne_bytes());
        let crc = u64::from(crc32(&new[..96]));
        new[96..104].copy_from_slice(&crc.to_ne_bytes());
        m.copy_in(0, &new);
        m.flush(0, SB_STRUCT_SIZE);
        self.sb.deletes = true;
        Ok(())
    }
}
