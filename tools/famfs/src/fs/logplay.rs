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
use crate::sys;
use std::fs::{self, OpenOptions};
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
}

impl LogplayStats {
    /// The exit status: every kind of error counted.
    pub fn errors(&self) -> u64 {
        self.file_errors + self.dir_errors + self.yaml_errors + self.daxdev_errors
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
    for (i, e) in entries.into_iter().enumerate() {
        match e? {
            LogEntry::Mkdir(d) => play_mkdir(&target, i, &d, o, &mut st),
            LogEntry::File(f) => play_file(&target, i, &f, client, o, &mut st),
            LogEntry::AddDaxdev(d) => play_daxdev(root, i, &d, o, &mut st),
            LogEntry::Other(_) => {}
        }
    }
    if o.verbose > 0 {
        println!(
            "Created:  {} files, {} directories\nExisted: {} entries",
            st.files, st.dirs, st.existing
        );
    }
    Ok(st)
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
