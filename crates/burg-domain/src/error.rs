//! The error every layer speaks.
//!
//! Each error has a kind (which becomes the gRPC code and the HTTP status at
//! the edge), a stable id in ZITADEL's style (`IDP-x7k2p`) that operators can
//! grep for, and a message for humans. Messages never contain secrets.

use std::fmt;

/// What went wrong, in gRPC's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InvalidArgument,
    NotFound,
    AlreadyExists,
    FailedPrecondition,
    PermissionDenied,
    Unauthenticated,
    DeadlineExceeded,
    /// A concurrent write changed the same aggregate; retrying may succeed.
    Aborted,
    Unavailable,
    Unimplemented,
    Internal,
}

/// An error with a kind, a stable id and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub id: &'static str,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

macro_rules! constructors {
    ($($name:ident => $kind:ident),* $(,)?) => {
        impl Error {
            $(
                pub fn $name(id: &'static str, message: impl Into<String>) -> Self {
                    Error { kind: ErrorKind::$kind, id, message: message.into() }
                }
            )*
        }
    };
}

constructors! {
    invalid_argument => InvalidArgument,
    not_found => NotFound,
    already_exists => AlreadyExists,
    failed_precondition => FailedPrecondition,
    permission_denied => PermissionDenied,
    unauthenticated => Unauthenticated,
    deadline_exceeded => DeadlineExceeded,
    aborted => Aborted,
    unavailable => Unavailable,
    unimplemented => Unimplemented,
    internal => Internal,
}

impl Error {
    /// Prefixes the message with context, keeping kind and id.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.id)
    }
}

impl std::error::Error for Error {}
