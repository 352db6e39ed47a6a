// SPDX-License-Identifier: GPL-2.0

//! Option parsing with the rules of glibc `getopt_long` and a leading `+` in the
//! option string, which the original famfs tools use for every command: parsing
//! stops at the first operand, short options bundle (`-rv`), their arguments may be
//! attached or separate (`-t4`, `-t 4`), long options take `--x=v` or `--x v` and
//! may be abbreviated to any unambiguous prefix. Scripts written for the original
//! depend on every one of these, so the parser reproduces them instead of using a
//! parser with its own conventions.

/// Whether an option takes an argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HasArg {
    /// Never.
    No,
    /// Always (attached or in the next word).
    Required,
    /// Only attached (`-xVAL`, `--x=VAL`).
    Optional,
}

/// One long option: its name, argument kind, and the character it reports as.
#[derive(Clone, Copy, Debug)]
pub struct LongOpt {
    /// Name without the leading `--`.
    pub name: &'static str,
    /// Argument kind.
    pub has_arg: HasArg,
    /// Reported as this option character (need not be in the short string).
    pub val: char,
}

/// Shorthand for a table entry.
pub const fn long(name: &'static str, has_arg: HasArg, val: char) -> LongOpt {
    LongOpt { name, has_arg, val }
}

/// One parsed option, in command-line order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Opt {
    /// A known option and its argument.
    Known(char, Option<String>),
    /// An unknown option, an ambiguous prefix or a missing argument (getopt's `?`);
    /// the complaint has already been printed on stderr.
    Bad,
}

/// The options, then the operands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Options in order.
    pub opts: Vec<Opt>,
    /// Everything from the first operand on (or after `--`).
    pub operands: Vec<String>,
}

fn short_kind(shorts: &str, c: char) -> Option<HasArg> {
    if c == ':' || c == '+' {
        return None;
    }
    let s: Vec<char> = shorts.trim_start_matches('+').chars().collect();
    let i = s.iter().position(|&x| x == c)?;
    Some(match (s.get(i + 1), s.get(i + 2)) {
        (Some(':'), Some(':')) => HasArg::Optional,
        (Some(':'), _) => HasArg::Required,
        _ => HasArg::No,
    })
}

/// Parses `args` (without the program or command name). `prog` prefixes the
/// complaints printed on stderr, as getopt does with `argv[0]`.
pub fn getopt(prog: &str, args: &[String], shorts: &str, longs: &[LongOpt]) -> Parsed {
    let mut p = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            i += 1;
            break;
        }
        if let Some(body) = a.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let exact = longs.iter().find(|l| l.name == name);
            let cands: Vec<&LongOpt> = longs.iter().filter(|l| l.name.starts_with(name)).collect();
            let chosen = match exact {
                Some(l) => Some(l),
                None if cands.is_empty() => {
                    eprintln!("{prog}: unrecognized option '--{name}'");
                    None
                }
                None if cands
                    .iter()
                    .all(|c| c.has_arg == cands[0].has_arg && c.val == cands[0].val) =>
                {
                    Some(cands[0])
                }
                None => {
                    eprintln!("{prog}: option '--{name}' is ambiguous");
                    None
                }
            };
            i += 1;
            let Some(l) = chosen else {
                p.opts.push(Opt::Bad);
                continue;
            };
            match (l.has_arg, inline) {
                (HasArg::No, Some(_)) => {
                    eprintln!("{prog}: option '--{}' doesn't allow an argument", l.name);
                    p.opts.push(Opt::Bad);
                }
                (HasArg::No, None) => p.opts.push(Opt::Known(l.val, None)),
                (HasArg::Optional, v) => p.opts.push(Opt::Known(l.val, v)),
                (HasArg::Required, Some(v)) => p.opts.push(Opt::Known(l.val, Some(v))),
                (HasArg::Required, None) => {
                    if let Some(v) = args.get(i) {
                        p.opts.push(Opt::Known(l.val, Some(v.clone())));
                        i += 1;
                    } else {
                        eprintln!("{prog}: option '--{}' requires an argument", l.name);
                        p.opts.push(Opt::Bad);
                    }
                }
            }
            continue;
        }
        if a.len() < 2 || !a.starts_with('-') {
            break;
        }
        // A bundle of short options.
        i += 1;
        let chars: Vec<char> = a.chars().skip(1).collect();
        let mut k = 0;
        while k < chars.len() {
            let c = chars[k];
            k += 1;
            match short_kind(shorts, c) {
                None => {
                    eprintln!("{prog}: invalid option -- '{c}'");
                    p.opts.push(Opt::Bad);
                }
                Some(HasArg::No) => p.opts.push(Opt::Known(c, None)),
                Some(kind) => {
                    let rest: String = chars[k..].iter().collect();
                    k = chars.len();
                    if !rest.is_empty() {
                        p.opts.push(Opt::Known(c, Some(rest)));
                    } else if kind == HasArg::Optional {
                        p.opts.push(Opt::Known(c, None));
                    } else if let Some(v) = args.get(i) {
                        p.opts.push(Opt::Known(c, Some(v.clone())));
                        i += 1;
                    } else {
                        eprintln!("{prog}: option requires an argument -- '{c}'");
                        p.opts.push(Opt::Bad);
                    }
                }
            }
        }
    }
    p.operands = args[i.min(args.len())..].to_vec();
    p
}
