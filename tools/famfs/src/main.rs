// SPDX-License-Identifier: GPL-2.0

//! The `famfs` command (also `mkfs.famfs`).
//!
//! Scripts run `famfs creat` once per file, thousands of times, so what every process
//! pays before the command starts matters. The std runtime's start-up installs a guard
//! page check for the main thread's stack, and to find that stack glibc reads and parses
//! all of `/proc/self/maps`: about 100,000 instructions in user space, and the kernel's
//! work of printing every mapping, on every run. The tool therefore has its own C entry
//! point, which does by hand only the parts of the runtime's start-up it relies on.

#![cfg_attr(not(test), no_main)]

#[cfg(not(test))]
mod entry {
    /// The process entry point, called by the C runtime. The arguments are read through
    /// `std::env::args`, which std captures itself on Linux.
    #[no_mangle]
    extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
        open_standard_fds();
        ignore_sigpipe();
        // A panic exits with 101, as from a std `main`, rather than aborting at this
        // function's boundary.
        let status = std::panic::catch_unwind(|| {
            let argv: Vec<String> = std::env::args().collect();
            famfs::cli::main(&argv)
        })
        .unwrap_or(101);
        // `exit` flushes stdout first.
        std::process::exit(status)
    }

    /// Opens `/dev/null` on any of descriptors 0, 1 and 2 that is closed, as std's
    /// start-up does: otherwise the first file the tool opens (a log, a superblock)
    /// would become stdout or stderr, and messages would be written into it.
    fn open_standard_fds() {
        for fd in 0..3 {
            // SAFETY: F_GETFD only inspects the descriptor.
            let closed = unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1
                && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF);
            // open() returns the lowest free descriptor: this one, as the lower ones
            // are open by now.
            // SAFETY: A NUL-terminated path; the descriptor is kept for the process.
            if closed && unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) } != fd {
                std::process::abort();
            }
        }
    }

    /// Ignores SIGPIPE, as std's start-up does: writing to a closed pipe is an error
    /// the tool reports, not a silent death. (Children get the default back: std's
    /// process spawning resets it.)
    fn ignore_sigpipe() {
        // SAFETY: Setting a signal's disposition to SIG_IGN has no preconditions.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    }
}
