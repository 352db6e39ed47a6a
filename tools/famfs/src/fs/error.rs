// SPDX-License-Identifier: GPL-2.0

//! Errors of the operations on a file system, with the context a user acts on.

use crate::alloc::AllocError;
use crate::format::FormatError;
use std::io;
use thiserror::Error;

/// Everything that can go wrong, each with a message a user can act on.
#[derive(Debug, Error)]
pub enum Error {
    /// A system call failed.
    #[error("{what}: {err}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        err: io::Error,
    },
    /// Bad metadata.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// Allocation failure.
    #[error(transparent)]
    Alloc(#[from] AllocError),
    /// A refusal, with the reason.
    #[error("{0}")]
    Refused(String),
}

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Adds context to an `io::Error`.
pub trait Context<T> {
    /// Says what was being done.
    fn ctx(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T> Context<T> for io::Result<T> {
    fn ctx(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|err| Error::Io { what: what(), err })
    }
}

pub(super) fn refuse<T>(msg: impl Into<String>) -> Result<T> {
    Err(Error::Refused(msg.into()))
}
