// SPDX-License-Identifier: GPL-2.0

//! A verb's options as a table: one row per option, with its short and long name,
//! whether it takes an argument, and what it sets. [`parse`] turns the table into the
//! option string and long options of [`getopt`](super::getopt::getopt), parses the
//! command line with the original's rules, and applies each option's row in
//! command-line order. A verb writes
//!
//! ```text
//! const OPTIONS: &[Spec<Opts>] = &[
//!     flag("p", "parents", |o| o.parents = true),
//!     arg("m", "mode", |o, a| o.mode = num::mode(a)),
//!     flag("v", "", |o| o.verbose += 1), // short form only
//!     help(),
//! ];
//! ```
//!
//! and its `parse` calls `options::parse("mkdir", OPTIONS, USAGE, args, &mut opts)?`
//! to get the operands. As in the original, `-?`, a [`help`] row, an unknown option
//! and a missing argument print the usage on stdout and end the parse with exit
//! status 0 (getopt has printed its complaint on stderr first). A row made with
//! [`try_arg`] or [`try_flag`] may refuse its option: it prints why and returns the
//! exit status.

use super::getopt::{self, HasArg, Opt};
use super::Parse;

/// What an option does to the verb's options `O`.
pub enum Set<O> {
    /// Prints the usage; the verb exits 0.
    Usage,
    /// An option without argument.
    Flag(fn(&mut O)),
    /// An option with an argument (attached or the next word).
    Arg(fn(&mut O, &str)),
    /// An option without argument that may be refused (`Err(exit status)`).
    TryFlag(fn(&mut O) -> Parse<()>),
    /// An option with an argument that may be refused (`Err(exit status)`).
    TryArg(fn(&mut O, &str) -> Parse<()>),
}

/// One row of a verb's option table.
pub struct Spec<O> {
    /// The short name (`-x`), if any.
    pub short: Option<char>,
    /// The long name without `--`, if any.
    pub long: Option<&'static str>,
    /// What it sets.
    pub set: Set<O>,
}

impl<O> Spec<O> {
    const fn new(short: &'static str, long: &'static str, set: Set<O>) -> Self {
        let short = match short.as_bytes() {
            [] => None,
            [c] if c.is_ascii_alphanumeric() => Some(*c as char),
            _ => panic!("a short option name is one letter or digit (or \"\" for none)"),
        };
        let long = if long.is_empty() { None } else { Some(long) };
        assert!(short.is_some() || long.is_some(), "an option needs a name");
        Spec { short, long, set }
    }

    fn has_arg(&self) -> HasArg {
        match self.set {
            Set::Arg(_) | Set::TryArg(_) => HasArg::Required,
            Set::Usage | Set::Flag(_) | Set::TryFlag(_) => HasArg::No,
        }
    }

    /// The character getopt reports this row as: its short name, else one no
    /// command line can give as a short option (the row's place in the table, in
    /// Unicode's private use area).
    fn key(&self, index: usize) -> char {
        self.short
            .unwrap_or_else(|| char::from_u32(0xE000 + index as u32).expect("a small table"))
    }
}

/// An option without argument: `flag("r", "recursive", |o| o.recursive = true)`. A
/// name may be `""` for an option with only the other form.
pub const fn flag<O>(short: &'static str, long: &'static str, set: fn(&mut O)) -> Spec<O> {
    Spec::new(short, long, Set::Flag(set))
}

/// An option with an argument: `arg("m", "mode", |o, a| o.mode = num::mode(a))`.
pub const fn arg<O>(short: &'static str, long: &'static str, set: fn(&mut O, &str)) -> Spec<O> {
    Spec::new(short, long, Set::Arg(set))
}

/// An option without argument that may be refused: the setter prints why and returns
/// `Err(exit status)`.
pub const fn try_flag<O>(
    short: &'static str,
    long: &'static str,
    set: fn(&mut O) -> Parse<()>,
) -> Spec<O> {
    Spec::new(short, long, Set::TryFlag(set))
}

/// An option with an argument that may be refused: the setter prints why and returns
/// `Err(exit status)`.
pub const fn try_arg<O>(
    short: &'static str,
    long: &'static str,
    set: fn(&mut O, &str) -> Parse<()>,
) -> Spec<O> {
    Spec::new(short, long, Set::TryArg(set))
}

/// `-h`, `--help`: print the usage, exit 0 (`-?` needs no row: every verb has it).
pub const fn help<O>() -> Spec<O> {
    Spec::new("h", "help", Set::Usage)
}

/// Whether no two rows share a short or a long name.
fn names_unique<O>(table: &[Spec<O>]) -> bool {
    table.iter().enumerate().all(|(i, s)| {
        table[..i].iter().all(|t| {
            (s.short.is_none() || t.short != s.short) && (s.long.is_none() || t.long != s.long)
        })
    })
}

/// Parses `args` (after the verb) by `table` into `o` and returns the operands; or
/// `Err(exit status)`: 0 after printing `usage` (help, an unknown option, a missing
/// argument), or the status a refused option returned. `prog` prefixes getopt's
/// complaints.
pub fn parse<O>(
    prog: &str,
    table: &[Spec<O>],
    usage: &str,
    args: &[String],
    o: &mut O,
) -> Parse<Vec<String>> {
    let mut shorts = String::from("+");
    let mut longs = Vec::new();
    for (i, s) in table.iter().enumerate() {
        if let Some(c) = s.short {
            shorts.push(c);
            if s.has_arg() == HasArg::Required {
                shorts.push(':');
            }
        }
        if let Some(name) = s.long {
            longs.push(getopt::long(name, s.has_arg(), s.key(i)));
        }
    }
    shorts.push('?');
    debug_assert!(names_unique(table), "{prog}: an option name appears twice");
    let p = getopt::getopt(prog, args, &shorts, &longs);
    for opt in p.opts {
        let (row, a) = match &opt {
            Opt::Known(c, a) => (
                table.iter().enumerate().find(|(i, s)| s.key(*i) == *c),
                a.as_deref().unwrap_or_default(),
            ),
            Opt::Bad => (None, ""),
        };
        match row.map(|(_, s)| &s.set) {
            Some(Set::Flag(set)) => set(o),
            Some(Set::Arg(set)) => set(o, a),
            Some(Set::TryFlag(set)) => set(o)?,
            Some(Set::TryArg(set)) => set(o, a)?,
            Some(Set::Usage) | None => {
                print!("{usage}");
                return Err(0);
            }
        }
    }
    Ok(p.operands)
}
