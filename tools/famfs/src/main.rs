// SPDX-License-Identifier: GPL-2.0

//! The `famfs` command (also `mkfs.famfs`).

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    std::process::exit(famfs::cli::main(&argv));
}
