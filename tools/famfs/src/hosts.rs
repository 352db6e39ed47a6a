// SPDX-License-Identifier: GPL-2.0

//! The host table: how far each host that mounts the file system has replayed the log,
//! kept in shared memory so that the master knows when deleted memory may be reused.
//!
//! The table lives in the superblock's 2 MiB area, past the 200-byte superblock, at
//! [`TABLE_OFFSET`]: memory famfs reserves and never reads, so a file system without
//! deletes stays byte-compatible with famfs's tools. It is [`SLOTS`] slots of
//! [`SLOT_SIZE`] bytes (two cache lines); each host writes only its own slot, and a slot
//! is valid only with its magic, this file system's uuid and its CRC, so memory left
//! from an earlier file system (or never written) reads as free.
//!
//! A host's slot says how many log entries it has applied (`replayed`): every entry
//! below that index, deletes included, is in effect on that host, so no process there
//! can reach the memory of a file deleted by one of them. A deleted file's memory is
//! reusable once every live host has replayed past its delete ([`Table::reusable_below`]).
//! A host is live until an operator declares it dead (`famfs hosts --dead`), never
//! because of a timeout: a host that is only slow must hold reuse back.
//!
//! Registration is Fischer's mutual-exclusion protocol over plain loads and stores: a
//! host takes a free slot by writing its identity, waits longer than any host needs
//! between reading a slot free and writing it ([`CLAIM_WAIT_MS`]), and reads it back; if
//! another host wrote the slot meanwhile, it tries the next one. A host registers
//! (and records `replayed` = 0 if new) before it reads the log, so a master that does
//! not yet see its slot appended its delete before the host read the log, and the host
//! never creates the deleted file.

use crate::format::crc32;
use crate::kabi::bytes::{u32_at, u64_at};
use uuid::Uuid;

/// Where the table starts in the superblock area.
pub const TABLE_OFFSET: usize = 1 << 20;
/// Bytes per slot.
pub const SLOT_SIZE: usize = 128;
/// Slots in the table.
pub const SLOTS: usize = 1024;
/// Bytes of the table.
pub const TABLE_SIZE: usize = SLOT_SIZE * SLOTS;
/// Magic of a written slot.
pub const SLOT_MAGIC: u64 = 0x6661_6d66_7368_6f73; // "famfshos"
/// How long a host waits between claiming a slot and reading it back (Fischer's delay):
/// far longer than the few microseconds between reading a slot free and writing it.
pub const CLAIM_WAIT_MS: u64 = 20;
/// Longest host name kept (the rest is cut).
pub const NAME_LEN: usize = 55;

/// Whether a host counts for reuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostState {
    /// Mounted (or was, and not declared dead): holds reuse back until it replays.
    Live = 1,
    /// Declared dead by an operator: does not count; its tools refuse to go on using
    /// the mount until it is mounted again.
    Dead = 2,
}

/// One host's slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    /// The host (`/etc/famfs/system_uuid`).
    pub host: Uuid,
    /// Log entries applied on that host.
    pub replayed: u64,
    /// Live or dead.
    pub state: HostState,
    /// When the slot was last written (seconds since the epoch, the writer's clock;
    /// shown to operators, never used to decide anything).
    pub updated: u64,
    /// The host's name, for operators.
    pub name: String,
}

impl Slot {
    /// The slot's bytes for file system `fs`, CRC included.
    pub fn encode(&self, fs: Uuid) -> [u8; SLOT_SIZE] {
        let mut b = [0u8; SLOT_SIZE];
        b[0..8].copy_from_slice(&SLOT_MAGIC.to_ne_bytes());
        b[8..24].copy_from_slice(fs.as_bytes());
        b[24..40].copy_from_slice(self.host.as_bytes());
        b[40..48].copy_from_slice(&self.replayed.to_ne_bytes());
        b[48..52].copy_from_slice(&(self.state as u32).to_ne_bytes());
        b[56..64].copy_from_slice(&self.updated.to_ne_bytes());
        let name = self.name.as_bytes();
        let n = name.len().min(NAME_LEN);
        b[64..64 + n].copy_from_slice(&name[..n]);
        let crc = crc32(&b[..SLOT_SIZE - 4]);
        b[SLOT_SIZE - 4..].copy_from_slice(&crc.to_ne_bytes());
        b
    }

    /// The slot in `b` if it is a valid slot of file system `fs`.
    pub fn decode(b: &[u8], fs: Uuid) -> Option<Self> {
        let b = b.get(..SLOT_SIZE)?;
        let crc = u32_at(b, SLOT_SIZE - 4);
        if u64_at(b, 0) != SLOT_MAGIC
            || b[8..24] != fs.as_bytes()[..]
            || crc != crc32(&b[..SLOT_SIZE - 4])
        {
            return None;
        }
        let state = match u32_at(b, 48) {
            1 => HostState::Live,
            2 => HostState::Dead,
            _ => return None,
        };
        let name = &b[64..64 + NAME_LEN];
        let end = name.iter().position(|c| *c == 0).unwrap_or(NAME_LEN);
        Some(Self {
            host: Uuid::from_bytes(b[24..40].try_into().expect("16 bytes")),
            replayed: u64_at(b, 40),
            state,
            updated: u64_at(b, 56),
            name: String::from_utf8_lossy(&name[..end]).into_owned(),
        })
    }
}

/// The table as read: slot index and slot, for the valid slots.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// The valid slots, by index.
    pub slots: Vec<(usize, Slot)>,
}

impl Table {
    /// Reads the table from its bytes (`TABLE_SIZE` of them, or fewer: the rest free).
    pub fn decode(b: &[u8], fs: Uuid) -> Self {
        let slots = b
            .chunks(SLOT_SIZE)
            .take(SLOTS)
            .enumerate()
            .filter_map(|(i, s)| Slot::decode(s, fs).map(|s| (i, s)))
            .collect();
        Self { slots }
    }

    /// `host`'s slot.
    pub fn find(&self, host: Uuid) -> Option<&(usize, Slot)> {
        self.slots.iter().find(|(_, s)| s.host == host)
    }

    /// The slots to try, in order, for a host not yet in the table: from a place that
    /// depends on the host (so that hosts registering at once seldom try the same slot
    /// first) round the table, skipping slots in use.
    pub fn free_slots(&self, host: Uuid) -> impl Iterator<Item = usize> + '_ {
        let (hi, lo) = host.as_u64_pair();
        let start = ((hi ^ lo) % SLOTS as u64) as usize;
        (0..SLOTS)
            .map(move |i| (start + i) % SLOTS)
            .filter(|i| !self.slots.iter().any(|(j, _)| j == i))
    }

    /// Deletes logged at an index below this one may have their memory reused: every live
    /// host has applied them. `None` when no host is live (then nothing is held back
    /// beyond what the caller itself has applied).
    pub fn reusable_below(&self) -> Option<u64> {
        self.slots
            .iter()
            .filter(|(_, s)| s.state == HostState::Live)
            .map(|(_, s)| s.replayed)
            .min()
    }

    /// The live hosts that have not applied log entry `index`, with their slots.
    pub fn holding(&self, index: u64) -> impl Iterator<Item = &Slot> + '_ {
        self.slots
            .iter()
            .map(|(_, s)| s)
            .filter(move |s| s.state == HostState::Live && s.replayed <= index)
    }
}
