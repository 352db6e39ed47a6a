// SPDX-License-Identifier: GPL-2.0

//! Playing the log: creating the files and directories it records that are missing, or
//! writing shadow YAML files for them.

use super::devices::register_daxdev;
use super::error::{Context, Result};
use super::meta::meta_of_mount;
use super::mounts::TempMount;
use crate::format::{
    check_relpath, read_log, DaxdevEntry, DirEntry, FileEntry, FormatError, LogEntry,
};
use crate::namespace::{Namespace, Object};
use crate::sys;
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Creates the file `full` of log entry `f` with `mode`, its owner and its map;
/// removes it again if that fails.
pub(super) fn instantiate(full: &Path, f: &FileEntry, mode: u32) -> Result<()> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(full)
        .ctx(|| format!("create {}", full.display()))?;
    let r = (|| {
        if f.uid != 0 && f.gid != 0 {
            sys::fchown(&file, f.uid, f.gid).ctx(|| "chown".into())?;
        }
        sys::map_create_v2(&file, f.size, &f.layout).ctx(|| format!("map {}", full.display()))
    })();
    if r.is_err() {
        let _ = fs::remove_file(full);
    }
    r
}

/// Options of `logplay`.
#[derive(Clone, Debug, Default)]
pub struct LogplayOptions {
    /// Count and check, create nothing.
    pub dry_run: bool,
    /// Play as a client (files without write permission).
    pub client: bool,
    /// Verbosity.
    pub verbose: u32,
    /// Write YAML shadow files under this `…/root` directory instead.
    pub shadow: Option<PathBuf>,
    /// Re-read every shadow file and compare it.
    pub shadow_test: bool,
    /// Played by `famfs mount` on a fresh mount (see [`Join::Mount`]).
    pub fresh_mount: bool,
}

/// What `logplay` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogplayStats {
    /// Entries in the log.
    pub entries: u64,
    /// Files created.
    pub files: u64,
    /// Directories created.
    pub dirs: u64,
    /// Entries already present.
    pub existing: u64,
    /// File entries that could not be played.
    pub file_errors: u64,
    /// Directory entries that could not be played.
    pub dir_errors: u64,
    /// Shadow files re-read (`--shadowtest`).
    pub yaml_checked: u64,
    /// Shadow files that did not read back the same.
    pub yaml_errors: u64,
    /// Devices registered (`ADD_DAXDEV` entries).
    pub daxdevs: u64,
    /// `ADD_DAXDEV` entries whose device could not be registered.
    pub daxdev_errors: u64,
    /// Files and directories removed (deleted in the log).
    pub deleted: u64,
    /// Deletes that could not be applied here (or are not valid).
    pub delete_errors: u64,
    /// Entries in effect here: every entry below this index, deletes included (the
    /// index of the first delete not applied, else the log's length).
    pub applied: u64,
}

impl LogplayStats {
    /// The exit status: every kind of error counted.
    pub fn errors(&self) -> u64 {
        self.file_errors
            + self.dir_errors
            + self.yaml_errors
            + self.daxdev_errors
            + self.delete_errors
    }
}

/// Plays decoded entries into `root` (a mount point, or a shadow `…/root`). A corrupt
/// entry stops playback, as in the original.
pub(super) fn play(
    root: &Path,
    n: u64,
    entries: Vec<std::result::Result<LogEntry, FormatError>>,
    client: bool,
    o: &LogplayOptions,
) -> Result<LogplayStats> {
    let mut st = LogplayStats {
        entries: n,
        ..Default::default()
    };
    if o.verbose > 0 {
        println!("__famfs_logplay: log contains {n} entries");
    }
    let target = o.shadow.clone().unwrap_or_else(|| root.to_path_buf());
    // A corrupt entry ends the log here.
    let mut log = Vec::new();
    let mut corrupt = None;
    for e in entries {
        match e {
            Ok(e) => log.push(e),
            Err(e) => {
                corrupt = Some(e);
                break;
            }
        }
    }
    let mut ns = Namespace::default();
    for (i, e) in log.iter().enumerate() {
        ns.apply(i as u64, e);
    }
    st.applied = log.len() as u64;
    // Deleted objects go first, so that a path deleted and logged again gets its new
    // object.
    remove_deleted(&target, &ns, o, &mut st);
    for (i, e) in log.iter().enumerate() {
        match e {
            LogEntry::Mkdir(d) if ns.is_live(i as u64) => play_mkdir(&target, i, d, o, &mut st),
            LogEntry::File(f) if ns.is_live(i as u64) => {
                play_file(&target, i, f, client, o, &mut st)
            }
            LogEntry::AddDaxdev(d) => play_daxdev(root, i, d, o, &mut st),
            _ => {}
        }
    }
    if let Some(e) = corrupt {
        return Err(e.into());
    }
    if o.verbose > 0 {
        println!(
            "Created:  {} files, {} directories\nExisted: {} entries\nDeleted: {} entries",
            st.files, st.dirs, st.existing, st.deleted
        );
    }
    Ok(st)
}

/// Removes what the log deleted and this host still has: a file only if it is the one
/// the deleted entry made (its map starts where that entry's does), after revoking its
/// map, so that no process here reaches its memory again; then directories, deepest
/// first, unless the path is live again. Sets `st.applied` below the first file delete
/// that could not be applied.
fn remove_deleted(target: &Path, ns: &Namespace, o: &LogplayOptions, st: &mut LogplayStats) {
    for (i, _) in &ns.bad {
        eprintln!("famfs logplay: entry {i}: a delete of no live file or empty directory");
        st.delete_errors += 1;
    }
    let mut dirs = Vec::new();
    for (d, _, obj) in &ns.deleted {
        let full = target.join(obj.relpath());
        let done = match obj {
            Object::Dir(_) => {
                if ns.find(obj.relpath()).is_none() {
                    dirs.push((*d, full));
                }
                continue;
            }
            Object::File(_) if o.shadow.is_some() => {
                if !full.is_file() {
                    Removal::Absent
                } else if o.dry_run || fs::remove_file(&full).is_ok() {
                    Removal::Removed
                } else {
                    Removal::Failed
                }
            }
            Object::File(f) => remove_file(&full, f, o),
        };
        match done {
            Removal::Removed => st.deleted += u64::from(!o.dry_run),
            Removal::Absent => {}
            Removal::Failed => {
                st.delete_errors += 1;
                st.applied = st.applied.min(*d);
            }
        }
    }
    dirs.sort_by_key(|(_, p)| std::cmp::Reverse(p.components().count()));
    // A directory holds no device memory: one that cannot be removed (files made here
    // outside the log are in it) is an error, but does not hold reuse back.
    for (_, full) in dirs {
        if o.dry_run || !full.is_dir() {
            continue;
        }
        match fs::remove_dir(&full) {
            Ok(()) => st.deleted += 1,
            Err(e) => {
                eprintln!("famfs logplay: rmdir {}: {e}", full.display());
                st.delete_errors += 1;
            }
        }
    }
}

/// What became of a deleted file here.
enum Removal {
    /// It was here and is gone now (or would be, in a dry run).
    Removed,
    /// It was not here (never played, removed before, or another file at its path).
    Absent,
    /// It is still here.
    Failed,
}

/// Removes `full` if it is the file of entry `f`: revokes its map, then unlinks it.
fn remove_file(full: &Path, f: &FileEntry, o: &LogplayOptions) -> Removal {
    let Ok(file) = File::open(full) else {
        return if full.exists() {
            Removal::Failed
        } else {
            Removal::Absent
        };
    };
    let first = f.layout.extents().first().map(|e| (e.dev, e.offset));
    if sys::map_first_extent(&file).ok().map(|e| (e.dev, e.offset)) != first {
        // Another file at that path (logged later), or one without a map.
        return Removal::Absent;
    }
    if o.dry_run {
        return Removal::Removed;
    }
    if o.verbose > 0 {
        println!("famfs logplay: removing deleted file {}", f.relpath);
    }
    if let Err(e) = sys::revoke(&file) {
        eprintln!(
            "famfs logplay: {}: cannot revoke its map ({e}); left in place",
            full.display()
        );
        return Removal::Failed;
    }
    match fs::remove_file(full) {
        Ok(()) => Removal::Removed,
        Err(e) => {
            eprintln!("famfs logplay: unlink {}: {e}", full.display());
            Removal::Failed
        }
    }
}

/// Plays entry `i`, a directory, into `target`.
fn play_mkdir(target: &Path, i: usize, d: &DirEntry, o: &LogplayOptions, st: &mut LogplayStats) {
    if o.verbose > 0 {
        println!(
            "__famfs_logplay: {i} mkdir: {:o} {}:{}: {}",
            d.mode, d.uid, d.gid, d.relpath
        );
    }
    let full = target.join(&d.relpath);
    if check_relpath(&d.relpath).is_err() {
        st.dir_errors += 1;
        return;
    }
    match fs::symlink_metadata(&full) {
        Ok(md) if md.is_dir() => {
            st.existing += 1;
            return;
        }
        Ok(_) => {
            eprintln!(
                "famfs logplay: {}: a file is where a directory should be",
                full.display()
            );
            st.dir_errors += 1;
            return;
        }
        Err(_) => {}
    }
    if o.dry_run {
        return;
    }
    if o.verbose > 0 {
        println!("famfs logplay: creating directory {}", d.relpath);
    }
    match fs::DirBuilder::new().mode(d.mode).create(&full) {
        Ok(()) => {
            if d.uid != 0 && d.gid != 0 && o.shadow.is_none() {
                let _ = sys::chown(&full, d.uid, d.gid);
            }
            st.dirs += 1;
        }
        Err(err) => {
            st.dir_errors += 1;
            eprintln!("famfs logplay: mkdir {}: {err}", full.display());
        }
    }
}

/// Plays entry `i`, a file, into `target`: the file and its map, or with a shadow
/// directory its YAML file.
fn play_file(
    target: &Path,
    i: usize,
    f: &FileEntry,
    client: bool,
    o: &LogplayOptions,
    st: &mut LogplayStats,
) {
    if o.verbose > 0 {
        println!("__famfs_logplay: {i} file={} size={}", f.relpath, f.size);
    }
    let full = target.join(&f.relpath);
    if check_relpath(&f.relpath).is_err() || f.layout.extents().iter().any(|e| e.offset == 0) {
        st.file_errors += 1;
        return;
    }
    if o.shadow.is_some() {
        play_shadow_file(&full, f, o, st);
        return;
    }
    match fs::symlink_metadata(&full) {
        Ok(md) if md.is_file() => {
            st.existing += 1;
            return;
        }
        Ok(_) => {
            eprintln!(
                "famfs logplay: {}: a directory is where a file should be",
                full.display()
            );
            st.file_errors += 1;
            return;
        }
        Err(_) => {}
    }
    if o.dry_run {
        return;
    }
    let mode = if client { f.mode & !0o222 } else { f.mode };
    if o.verbose > 0 {
        println!("famfs logplay: creating file {} mode {:o}", f.relpath, mode);
    }
    match instantiate(&full, f, mode) {
        Ok(()) => st.files += 1,
        Err(e) => {
            st.file_errors += 1;
            eprintln!("famfs logplay: {e}");
        }
    }
}

/// Writes the YAML shadow file of `f` at `full` (and with `--shadowtest` reads it back).
fn play_shadow_file(full: &Path, f: &FileEntry, o: &LogplayOptions, st: &mut LogplayStats) {
    let yaml = crate::shadow::file_yaml(f);
    if o.dry_run {
        if o.verbose > 0 {
            print!("{yaml}");
        }
        return;
    }
    // Files in directories the log does not create (.meta).
    if let Some(parent) = full.parent() {
        let _ = fs::create_dir_all(parent);
    }
    match fs::write(full, &yaml) {
        Ok(()) => st.files += 1,
        Err(e) => {
            eprintln!("famfs logplay: {}: {e}", full.display());
            st.file_errors += 1;
            return;
        }
    }
    if o.shadow_test {
        st.yaml_checked += 1;
        match fs::read_to_string(full)
            .ok()
            .and_then(|t| crate::shadow::parse_file_yaml(&t))
        {
            Some(back) if back == *f => {}
            _ => st.yaml_errors += 1,
        }
    }
}

/// Plays entry `i`, a device, by registering it with the mount at `root`.
fn play_daxdev(root: &Path, i: usize, d: &DaxdevEntry, o: &LogplayOptions, st: &mut LogplayStats) {
    if o.verbose > 0 {
        println!(
            "__famfs_logplay: {i} add_daxdev: index {} uuid {} size {}",
            d.index, d.uuid, d.size
        );
    }
    // A shadow (FUSE) play has no kernel to register with.
    if o.shadow.is_some() || o.dry_run {
        return;
    }
    match register_daxdev(root, d) {
        Ok(true) => st.daxdevs += 1,
        Ok(false) => st.existing += 1,
        Err(e) => {
            st.daxdev_errors += 1;
            eprintln!("famfs logplay: device {}: {e}", d.index);
        }
    }
}

/// Plays the log of an unmounted device into a shadow directory (`logplay --daxdev`),
/// through a temporary mount.
pub fn logplay_device(dev: &Path, o: &LogplayOptions) -> Result<LogplayStats> {
    let tmp = TempMount::of_unmounted(dev, "play it by mount point instead")?;
    let (sb, image) = meta_of_mount(&tmp.dir)?;
    let (hdr, entries) = read_log(&image)?;
    let _ = sb;
    play(&tmp.dir, hdr.next_index, entries, false, o)
}
