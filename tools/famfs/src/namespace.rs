// SPDX-License-Identifier: GPL-2.0

//! The namespace a log describes once its deletes are applied, and the memory of deleted
//! files that is not reusable yet.
//!
//! Log entries are applied in order. A `FILE` or `MKDIR` entry makes an object live at its
//! path; a `DELETE` entry names the entry of a live object (and its path, which must
//! match) and ends it: a directory only when nothing live is under it. A delete that
//! breaks these rules is an error of the log, reported and otherwise ignored.
//!
//! The memory of a deleted file stays allocated ([`Deleted`]) until every live host has
//! applied the delete (`crate::hosts`); a file logged later on any of its units proves
//! that the master found them reusable then, and takes them over.

use crate::alloc::Devices;
use crate::format::{DeleteEntry, DirEntry, Extent, FileEntry, FileLayout, LogEntry, ALLOC_UNIT};
use std::collections::BTreeMap;

/// A live object of the namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Object {
    /// A file.
    File(FileEntry),
    /// A directory.
    Dir(DirEntry),
}

impl Object {
    /// Its path relative to the mount point.
    pub fn relpath(&self) -> &str {
        match self {
            Object::File(f) => &f.relpath,
            Object::Dir(d) => &d.relpath,
        }
    }
}

/// Why a delete entry was not applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadDelete {
    /// It names no live object (never logged, a device entry, or deleted already).
    NotLive,
    /// Its path is not the object's.
    WrongPath,
    /// It deletes a directory with live objects under it.
    NotEmpty,
}

/// The live namespace of a log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Namespace {
    /// Live objects by the index of the entry that made them.
    live: BTreeMap<u64, Object>,
    /// The live object at each path, by entry index.
    by_path: BTreeMap<String, u64>,
    /// The deletes applied: (delete entry, target entry, the object it ended).
    pub deleted: Vec<(u64, u64, Object)>,
    /// Deletes not applied.
    pub bad: Vec<(u64, BadDelete)>,
}

impl Namespace {
    /// Applies entry `index`. Returns the object a delete ended.
    pub fn apply(&mut self, index: u64, e: &LogEntry) -> Option<&Object> {
        match e {
            LogEntry::File(f) => self.make_live(index, Object::File(f.clone())),
            LogEntry::Mkdir(d) => self.make_live(index, Object::Dir(d.clone())),
            LogEntry::Delete(d) => match self.check_delete(d) {
                Ok(()) => {
                    let obj = self.live.remove(&d.target).expect("checked live");
                    self.by_path.remove(obj.relpath());
                    self.deleted.push((index, d.target, obj));
                    return self.deleted.last().map(|(_, _, o)| o);
                }
                Err(why) => self.bad.push((index, why)),
            },
            LogEntry::AddDaxdev(_) | LogEntry::Other(_) => {}
        }
        None
    }

    fn make_live(&mut self, index: u64, o: Object) {
        // A second object at a live path (a log written against the rules) replaces the
        // first in the path index; both stay live.
        self.by_path.insert(o.relpath().to_string(), index);
        self.live.insert(index, o);
    }

    fn check_delete(&self, d: &DeleteEntry) -> Result<(), BadDelete> {
        let obj = self.live.get(&d.target).ok_or(BadDelete::NotLive)?;
        if obj.relpath() != d.relpath {
            return Err(BadDelete::WrongPath);
        }
        if let Object::Dir(_) = obj {
            let prefix = format!("{}/", d.relpath);
            if self
                .by_path
                .range(prefix.clone()..)
                .next()
                .is_some_and(|(p, _)| p.starts_with(&prefix))
            {
                return Err(BadDelete::NotEmpty);
            }
        }
        Ok(())
    }

    /// The live object at `relpath`, with the index of its entry.
    pub fn find(&self, relpath: &str) -> Option<(u64, &Object)> {
        let i = *self.by_path.get(relpath)?;
        self.live.get(&i).map(|o| (i, o))
    }

    /// The live objects under directory `relpath` (not itself), deepest first, so that
    /// deleting them in this order empties every directory before its own delete.
    pub fn under(&self, relpath: &str) -> Vec<(u64, &Object)> {
        let prefix = format!("{relpath}/");
        let mut v: Vec<(u64, &Object)> = self
            .by_path
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter_map(|(_, i)| self.live.get(i).map(|o| (*i, o)))
            .collect();
        v.sort_by_key(|(_, o)| std::cmp::Reverse(o.relpath().matches('/').count()));
        v
    }

    /// Whether entry `index` made an object that is live.
    pub fn is_live(&self, index: u64) -> bool {
        self.live.contains_key(&index)
    }
}

/// Units of deleted files not reusable yet: (device, unit) → index of the delete entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deleted {
    units: BTreeMap<(u64, u64), u64>,
}

fn units(e: &Extent) -> impl Iterator<Item = (u64, u64)> + '_ {
    (e.offset / ALLOC_UNIT..(e.offset + e.len).div_ceil(ALLOC_UNIT)).map(move |u| (e.dev, u))
}

impl Deleted {
    /// Records the memory of `layout`, deleted by entry `index`.
    pub fn on_delete(&mut self, index: u64, layout: &FileLayout) {
        for e in layout.extents() {
            for k in units(e) {
                self.units.insert(k, index);
            }
        }
    }

    /// A file logged on units that are recorded here took them over: they are freed in
    /// `devs` (for the file to mark them) and forgotten.
    pub fn take_over(&mut self, layout: &FileLayout, devs: &mut Devices) {
        if self.units.is_empty() {
            return;
        }
        for e in layout.extents() {
            for k in units(e) {
                if self.units.remove(&k).is_some() {
                    if let Some(b) = devs.bitmaps.get_mut(k.0 as usize) {
                        b.unmark_unit(k.1);
                    }
                }
            }
        }
    }

    /// Frees in `devs` the units whose delete has an index below `below` (every live host
    /// applied it); returns how many.
    pub fn release(&mut self, devs: &mut Devices, below: u64) -> u64 {
        let free: Vec<(u64, u64)> = self
            .units
            .iter()
            .filter(|(_, d)| **d < below)
            .map(|(k, _)| *k)
            .collect();
        for (dev, unit) in &free {
            self.units.remove(&(*dev, *unit));
            if let Some(b) = devs.bitmaps.get_mut(*dev as usize) {
                b.unmark_unit(*unit);
            }
        }
        free.len() as u64
    }

    /// Whether nothing is held back.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Bytes held back.
    pub fn bytes(&self) -> u64 {
        self.units.len() as u64 * ALLOC_UNIT
    }

    /// The lowest delete index still holding memory back, if any.
    pub fn oldest(&self) -> Option<u64> {
        self.units.values().min().copied()
    }
}
