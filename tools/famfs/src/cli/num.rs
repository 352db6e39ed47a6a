// SPDX-License-Identifier: GPL-2.0

//! Numbers as the original tools read them: C `strtol`/`strtoul` with base
//! auto-detection (`0x` hex, a leading `0` octal), trailing junk ignored and garbage
//! read as 0; sizes with one `k`/`m`/`g` suffix; modes in octal.

/// `strtoull(s, &end, base)` without the errno: the value (wrapped as C does for a
/// leading `-`) and the unparsed rest. Overflow saturates at `u64::MAX`.
pub fn strtoull(s: &str, base: u32) -> (u64, &str) {
    let t = s.trim_start();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let hex_prefix = |x: &str| {
        (x.starts_with("0x") || x.starts_with("0X"))
            && x[2..].chars().next().is_some_and(|c| c.is_ascii_hexdigit())
    };
    let (radix, digits) = match base {
        0 if hex_prefix(t) => (16, &t[2..]),
        0 if t.starts_with('0') => (8, t),
        0 => (10, t),
        16 if hex_prefix(t) => (16, &t[2..]),
        b => (b, t),
    };
    let end = digits
        .char_indices()
        .find(|(_, c)| !c.is_digit(radix))
        .map_or(digits.len(), |(i, _)| i);
    if end == 0 {
        return (0, s);
    }
    let mut v: u64 = 0;
    let mut overflow = false;
    for c in digits[..end].chars() {
        let d = c.to_digit(radix).expect("checked above") as u64;
        match v.checked_mul(radix as u64).and_then(|x| x.checked_add(d)) {
            Some(x) => v = x,
            None => overflow = true,
        }
    }
    if overflow {
        v = u64::MAX;
    }
    (if neg { v.wrapping_neg() } else { v }, &digits[end..])
}

/// `strtol(s, NULL, 0)`: signed, saturating at the `i64` range.
pub fn strtol(s: &str) -> i64 {
    let t = s.trim_start();
    let neg = t.starts_with('-');
    let body = if neg || t.starts_with('+') {
        &t[1..]
    } else {
        t
    };
    if body.starts_with(['-', '+']) {
        return 0;
    }
    let (mag, _) = strtoull(body, 0);
    if neg {
        if mag > i64::MAX as u64 {
            i64::MIN
        } else {
            -(mag as i64)
        }
    } else {
        mag.min(i64::MAX as u64) as i64
    }
}

/// `strtoul(s, NULL, 0)`: negative values wrap (`-1` is `u64::MAX`).
pub fn strtoul(s: &str) -> u64 {
    strtoull(s, 0).0
}

/// A size with an optional one-letter suffix: `k`, `m`, `g` (either case) multiply
/// by 1024, 1024², 1024³; any other single trailing character multiplies by 1; if
/// anything follows the unit (`8MB`) the multiplier is dropped, as in the original.
pub fn size(s: &str) -> u64 {
    let (v, rest) = strtoull(s, 0);
    let mut it = rest.chars();
    let mul = match (it.next(), it.next()) {
        (Some(c), None) => match c.to_ascii_lowercase() {
            'k' => 1 << 10,
            'm' => 1 << 20,
            'g' => 1 << 30,
            _ => 1,
        },
        _ => 1,
    };
    v.wrapping_mul(mul)
}

/// A mode in octal (`644` and `0644` are the same); parsing stops at the first
/// non-octal digit.
pub fn mode(s: &str) -> u32 {
    strtoull(s, 8).0 as u32
}
