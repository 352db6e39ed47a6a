// SPDX-License-Identifier: GPL-2.0

//! The reverse lookup of failed memory and the poison record (`poison.rs`).

use super::*;

/// Every file page of `f` is found from its device page, and every range found resolves
/// back into the failed range; a larger failed range finds each byte at most once.
fn reverses_like_resolve(f: &Fmap, rng: &mut XorShift) -> Outcome {
    for _ in 0..RANDOM_MAPS / 2 {
        let fo = rng.below(f.file_size) & !(PAGE - 1);
        let m = ok!(resolve(f, fo, PAGE));
        let failed = Extent {
            offset: m.dev_offset,
            len: PAGE.min(m.len),
        };
        let mut found_page = false;
        let mut bad: Option<(u64, u64)> = None;
        for_each_file_range(f, failed, |off, len| {
            found_page |= off <= fo && fo < off + len;
            let back = resolve(f, off, len);
            let inside = matches!(back, Ok(b) if len > 0 && off + len <= f.file_size
                && b.len == len
                && failed.offset <= b.dev_offset
                && b.dev_offset + len <= failed.offset + failed.len);
            if !inside {
                bad = Some((off, len));
            }
        });
        check!(found_page);
        check_eq!(bad, None);

        let big = Extent {
            offset: m.dev_offset.saturating_sub(rng.below(8) * MIB),
            len: 1 + rng.below(16 * MIB),
        };
        let mut total = 0;
        for_each_file_range(f, big, |off, len| {
            let inside = matches!(resolve(f, off, len), Ok(b) if b.len == len
                && big.offset <= b.dev_offset
                && b.dev_offset + len <= big.offset + big.len);
            if !inside {
                bad = Some((off, len));
            }
            total += len;
        });
        check_eq!(bad, None);
        let in_map: u64 = f
            .ranges()
            .filter_map(|r| intersect(r, big))
            .map(|x| x.len)
            .sum();
        check!(total <= in_map);
    }
    Ok(())
}

/// On random simple maps, failed device ranges map back to exactly their file ranges.
pub fn simple_maps_reverse_like_resolve() -> Outcome {
    let mut rng = XorShift(0x00fa_11ed);
    for _ in 0..RANDOM_MAPS {
        let f = ok!(random_simple_map(&mut rng));
        reverses_like_resolve(&f, &mut rng)?;
    }
    Ok(())
}

/// On random interleaved maps, failed device ranges map back to exactly their file ranges.
pub fn interleaved_maps_reverse_like_resolve() -> Outcome {
    let mut rng = XorShift(0xdead_beef_1234);
    for _ in 0..RANDOM_MAPS {
        let f = ok!(random_interleaved_map(&mut rng));
        reverses_like_resolve(&f, &mut rng)?;
    }
    Ok(())
}

/// A failed range outside a map finds none of its file; one inside finds its page.
pub fn unrelated_range_finds_nothing() -> Outcome {
    let f = ok!(Fmap::from_v2_simple(
        &hdr(0, 1, 4 * MIB),
        &[se(0, 64 * MIB, 4 * MIB)],
        DEV
    ));
    let mut n = 0;
    for_each_file_range(
        &f,
        Extent {
            offset: 68 * MIB,
            len: PAGE,
        },
        |_, _| n += 1,
    );
    for_each_file_range(
        &f,
        Extent {
            offset: 64 * MIB - PAGE,
            len: PAGE,
        },
        |_, _| n += 1,
    );
    check_eq!(n, 0);
    let mut got = [(0u64, 0u64); 2];
    for_each_file_range(
        &f,
        Extent {
            offset: 66 * MIB,
            len: PAGE,
        },
        |o, l| {
            if let Some(slot) = got.get_mut(n) {
                *slot = (o, l);
            }
            n += 1;
        },
    );
    check_eq!(n, 1);
    check_eq!(got[0], (2 * MIB, PAGE));
    Ok(())
}

/// I/O is clipped before the first poisoned page, and refused at one.
pub fn clip_stops_before_poison() -> Outcome {
    let p = [
        Extent {
            offset: 10 * PAGE,
            len: PAGE,
        },
        Extent {
            offset: 40 * PAGE,
            len: 2 * PAGE,
        },
    ];
    check_eq!(clip(&[], 0, 100 * PAGE), Some(100 * PAGE));
    check_eq!(clip(&p, 0, 100 * PAGE), Some(10 * PAGE));
    check_eq!(clip(&p, 9 * PAGE, PAGE), Some(PAGE));
    check_eq!(clip(&p, 10 * PAGE, PAGE), None);
    check_eq!(clip(&p, 10 * PAGE + 100, 5), None);
    check_eq!(clip(&p, 11 * PAGE, 100 * PAGE), Some(29 * PAGE));
    check_eq!(clip(&p, 41 * PAGE, PAGE), None);
    check_eq!(clip(&p, 42 * PAGE, PAGE), Some(PAGE));
    // Recorded already: nothing to do.
    check_eq!(
        merge(
            &p,
            Extent {
                offset: 40 * PAGE,
                len: PAGE
            }
        ),
        None
    );
    // Overlapping the second range: merged with it.
    check_eq!(
        merge(
            &p,
            Extent {
                offset: 41 * PAGE,
                len: 2 * PAGE
            }
        ),
        Some((
            1..2,
            Extent {
                offset: 40 * PAGE,
                len: 3 * PAGE
            }
        ))
    );
    // Between the two, touching neither: inserted.
    check_eq!(
        merge(
            &p,
            Extent {
                offset: 20 * PAGE,
                len: PAGE
            }
        ),
        Some((
            1..1,
            Extent {
                offset: 20 * PAGE,
                len: PAGE
            }
        ))
    );
    Ok(())
}

/// Recording poisoned ranges in any order keeps the record sorted, disjoint and without
/// touching neighbours, and `clip` on it answers as a page-by-page model does.
pub fn poison_record_matches_a_page_model() -> Outcome {
    const PAGES: usize = 256;
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for _ in 0..RANDOM_MAPS {
        let mut model = [false; PAGES];
        let mut list = [Extent::default(); PAGES];
        let mut n = 0usize;
        for _ in 0..1 + rng.below(16) {
            // CAST: below PAGES.
            let start = rng.below(PAGES as u64) as usize;
            // CAST: at most 8.
            let len = (1 + rng.below(8) as usize).min(PAGES - start);
            for page in &mut model[start..start + len] {
                *page = true;
            }
            let e = Extent {
                // CAST: below PAGES.
                offset: start as u64 * PAGE,
                len: len as u64 * PAGE,
            };
            if let Some((over, union)) = merge(&list[..n], e) {
                list.copy_within(over.end..n, over.start + 1);
                list[over.start] = union;
                n = n + 1 - over.len();
            }
        }
        for w in list[..n].windows(2) {
            check!(w[0].offset + w[0].len < w[1].offset);
        }
        for page in 0..PAGES {
            let want = if model[page] {
                None
            } else {
                let clean = model[page..].iter().take_while(|p| !**p).count();
                // CAST: at most PAGES.
                Some(clean as u64 * PAGE)
            };
            // CAST: below PAGES.
            let (dev, len) = (page as u64 * PAGE, (PAGES - page) as u64 * PAGE);
            check_eq!(clip(&list[..n], dev, len), want);
        }
    }
    Ok(())
}

/// A failed page of a member is found in, and stops, only the bytes of that member: the
/// same offset on the other devices of a striped file is untouched. A member's metadata
/// is its superblock alone.
pub fn poison_on_a_member_is_its_own() -> Outcome {
    let mut s = [IocSimpleExt::default(); MAX_STRIPS];
    for (dev, strip) in s.iter_mut().take(3).enumerate() {
        // CAST: below 3.
        *strip = se(dev as u64, 64 * MIB, 8 * MIB);
    }
    let f = ok!(Fmap::from_v2_interleaved(
        &hdr(1, 1, 24 * MIB),
        &[iext(3, 2 * MIB, 24 * MIB)],
        &[s],
        DEVS
    ));
    // Device 1's page 64 MiB + 4 KiB: chunk 1 of the file (its second 2 MiB).
    let failed = Extent {
        offset: dev_addr(1, 64 * MIB + PAGE),
        len: PAGE,
    };
    let mut n = 0;
    let mut got = (0, 0);
    for_each_file_range(&f, failed, |o, l| {
        got = (o, l);
        n += 1;
    });
    check_eq!(n, 1);
    check_eq!(got, (2 * MIB + PAGE, PAGE));
    let p = [failed];
    check_eq!(clip(&p, dev_addr(0, 64 * MIB), 8 * PAGE), Some(8 * PAGE));
    check_eq!(clip(&p, dev_addr(2, 64 * MIB), 8 * PAGE), Some(8 * PAGE));
    check_eq!(clip(&p, dev_addr(1, 64 * MIB), 8 * PAGE), Some(PAGE));
    check_eq!(clip(&p, dev_addr(1, 64 * MIB + PAGE), 8 * PAGE), None);
    check_eq!(meta_end(0), META_END);
    check_eq!(meta_end(1), 2 * MIB);
    check_eq!(meta_end(63), 2 * MIB);
    Ok(())
}
