// SPDX-License-Identifier: GPL-2.0
//! Shadow documents (`logplay --shadow`): round trips, device indices included.

use famfs::format::{Extent, FileEntry, FileLayout, FM_ALL_HOSTS_RW};
use famfs::shadow::{file_yaml, parse_file_yaml};

fn entry(layout: FileLayout) -> FileEntry {
    FileEntry {
        size: 24 << 20,
        flags: FM_ALL_HOSTS_RW,
        uid: 1000,
        gid: 100,
        mode: 0o640,
        relpath: "d/f".into(),
        layout,
    }
}

#[test]
fn single_device_documents_have_no_devindex() {
    let f = entry(FileLayout::Simple(vec![Extent {
        dev: 0,
        offset: 64 << 20,
        len: 24 << 20,
    }]));
    let y = file_yaml(&f);
    assert!(!y.contains("devindex"), "{y}");
    assert_eq!(parse_file_yaml(&y), Some(f));
}

#[test]
fn extents_on_members_keep_their_device() {
    let strips = (0..3)
        .map(|i| Extent {
            dev: 2 - i,
            offset: (2 + 8 * i) << 20,
            len: 8 << 20,
        })
        .collect();
    let f = entry(FileLayout::Interleaved {
        chunk_size: 2 << 20,
        strips,
    });
    let y = file_yaml(&f);
    assert_eq!(y.matches("devindex").count(), 2, "{y}");
    assert_eq!(parse_file_yaml(&y), Some(f));
    let g = entry(FileLayout::Simple(vec![Extent {
        dev: 1,
        offset: 4 << 20,
        len: 24 << 20,
    }]));
    assert_eq!(parse_file_yaml(&file_yaml(&g)), Some(g));
}
