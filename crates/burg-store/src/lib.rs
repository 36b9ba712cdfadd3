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

pub mod assets;
mod db;
pub mod documents;
pub mod event_store;
pub mod events;
pub mod idp;
pub mod idp_config;
pub mod instance;
pub mod instance_settings;
pub mod list;
pub mod machine;
pub mod members;
pub mod notify;
pub mod orgs;
pub mod projection;
mod row;
pub mod settings;
mod sql;
pub mod texts;
pub mod transfer;
pub mod tuning;
pub mod users;
pub mod web_keys;

pub use db::{Backend, Db, DbOptions, Pooled};
pub use event_store::{Editor, WriteTx};
pub use sql::{Sql, SqlValue};

use burg_domain::Error;

/// A connection: a write's (`WriteTx::conn`, whose reads see its writes)
/// or one of the pool's ([`Db::acquire`]).
pub type Conn = sqlx::AnyConnection;

/// Where a read of one statement runs: the pool (`db.pool()`), or a
/// connection (`&mut Conn`). Reads of several statements take a `&mut
/// Conn`, or the [`Db`] when they always run on the pool.
pub trait Reader<'e>: sqlx::Executor<'e, Database = sqlx::Any> {}

impl<'e, E: sqlx::Executor<'e, Database = sqlx::Any>> Reader<'e> for E {}

/// A stored state or type that its `from_code` does not know: the data is
/// not what this version writes.
pub(crate) fn unknown_code(id: &'static str, column: &str, code: i64) -> Error {
    tracing::error!(error_id = id, column, code, "unknown stored code");
    Error::internal(id, format!("{column} holds an unknown value"))
}

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
