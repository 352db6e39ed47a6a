// SPDX-License-Identifier: GPL-2.0

//! The random fill of `creat -r -S` against the test vectors of the original tools
//! (famfs-cli.md section 6): files made by either tool verify with the other.

use famfs::random::Fill;

fn stream(seed: u64, n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    Fill::new(seed).fill(&mut b);
    b
}

#[test]
fn seed_42_first_16_bytes() {
    assert_eq!(
        stream(42, 16),
        [
            0x98, 0x5f, 0x52, 0xe2, 0x7a, 0xfb, 0x0c, 0x3d, 0xf8, 0x8c, 0x82, 0x2b, 0x40, 0x22,
            0x49, 0xe5
        ]
    );
}

#[test]
fn seed_42_tail_bytes_take_the_low_bytes_of_one_more_draw() {
    // A 19-byte file: bytes 16..19 are the low three bytes of the fifth draw.
    assert_eq!(&stream(42, 19)[16..], &[0xd5, 0x78, 0x1c]);
    // And they are the start of the full word a longer file has there.
    assert_eq!(&stream(42, 20)[16..19], &[0xd5, 0x78, 0x1c]);
}

#[test]
fn seed_1_first_16_bytes() {
    assert_eq!(
        stream(1, 16),
        [
            0x28, 0x49, 0x91, 0xee, 0x66, 0xb6, 0xfb, 0x34, 0x3a, 0x87, 0xca, 0x18, 0xde, 0x44,
            0x17, 0x78
        ]
    );
}

#[test]
fn seed_is_truncated_to_32_bits() {
    assert_eq!(stream(42 + (1 << 32), 64), stream(42, 64));
    assert_ne!(stream(43, 64), stream(42, 64));
}

#[test]
fn filling_in_pieces_gives_the_same_stream() {
    let whole = stream(7, 4099);
    let mut f = Fill::new(7);
    let mut pieces = vec![0u8; 4099];
    let mut off = 0;
    for n in [1, 2, 5, 3, 4, 1000, 7, 3077] {
        f.fill(&mut pieces[off..off + n]);
        off += n;
    }
    assert_eq!(off, 4099);
    assert_eq!(pieces, whole);
}
