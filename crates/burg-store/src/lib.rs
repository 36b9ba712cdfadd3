//! burg's storage: one event store, its projections, and the queries on them.
//!
//! The same SQL runs on an embedded SQLite file (the default) and on
//! PostgreSQL (for several stateless nodes): queries use `$N` placeholders
//! and portable SQL through sqlx's `Any` driver; where the dialects differ,
//! [`Backend`] says how. A write is one transaction that appends events and
//! updates every projection they touch, so the next read on any node sees it.
//!
//! This crate knows nothing of HTTP, gRPC or the wire format.
// A dependency nothing uses fails the lints (unit tests use dev-dependencies).
#![cfg_attr(not(test), deny(unused_crate_dependencies))]

mod db;
pub mod event_store;
pub mod projection;
pub mod settings;
mod sql;
pub mod transfer;
pub mod tuning;

pub use db::{Backend, Db, DbOptions};
pub use event_store::{Editor, WriteTx};
pub use sql::{Sql, SqlValue};

use burg_domain::Error;

/// Converts a database error into the domain's, keeping the cause in the
/// log only: SQL errors may quote values, and values may be secret.
pub(crate) fn db_error(id: &'static str) -> impl FnOnce(sqlx::Error) -> Error {
    move |err| {
        if is_unique_violation(&err) {
            return Error::already_exists(id, "an object with the same identity already exists");
        }
        tracing::error!(error_id = id, error = %err, "database error");
        Error::internal(id, "database error")
    }
}

/// Whether the error is a unique-constraint violation.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(e) if e.kind() == sqlx::error::ErrorKind::UniqueViolation)
}
