//! Projections: the read tables, kept in step with the events inside the
//! transaction that appends them.
//!
//! Each module handles the events of one area and ignores the rest; an event
//! that no projection handles is still stored and listed.

use burg_domain::Result;
use burg_domain::event::Event;
use sqlx::AnyConnection;

mod instance;
mod org;
mod user;

pub(crate) async fn apply(conn: &mut AnyConnection, event: &Event) -> Result<()> {
    match event.aggregate_type.as_str() {
        "instance" => instance::apply(conn, event).await,
        "org" => org::apply(conn, event).await,
        "user" => user::apply(conn, event).await,
        _ => Ok(()),
    }
}

/// Roles are stored as a JSON array of strings.
pub(crate) fn roles_json(roles: &[String]) -> String {
    serde_json::to_string(roles).unwrap_or_else(|_| "[]".into())
}
