//! Paging and text matching for the list RPCs.

use burg_api::object::{ListDetails, ListQuery, TextQueryMethod};
use burg_api::wkt::Timestamp;
use burg_domain::{Error, Result};
use burg_store::{Backend, Sql};

/// Limits of a list call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page {
    pub offset: i64,
    pub limit: i64,
    pub asc: bool,
}

/// ZITADEL answers at most 1000 entries per call; 0 means "the default".
pub(crate) const MAX_LIMIT: i64 = 1000;
pub(crate) const DEFAULT_LIMIT: i64 = 100;

impl Page {
    pub fn of(query: Option<&ListQuery>) -> Page {
        let q = query.cloned().unwrap_or_default();
        let limit = match i64::from(q.limit) {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        Page { offset: i64::try_from(q.offset).unwrap_or(i64::MAX), limit, asc: q.asc }
    }

    /// Appends `ORDER BY … LIMIT … OFFSET …`.
    pub fn push(&self, sql: &mut Sql, order_column: &str) {
        sql.push(" ORDER BY ").push(order_column).push(if self.asc { " ASC" } else { " DESC" });
        sql.push(" LIMIT ").bind(self.limit).push(" OFFSET ").bind(self.offset);
    }
}

/// Appends ` AND <column matches value>` for a text query.
pub(crate) fn push_text_match(sql: &mut Sql, backend: Backend, column: &str, value: &str, method: i32) -> Result<()> {
    let method = TextQueryMethod::try_from(method)
        .map_err(|_| Error::invalid_argument("LIST-txt01", format!("unknown text query method {method}")))?;
    let (col, val) = if matches!(
        method,
        TextQueryMethod::EqualsIgnoreCase
            | TextQueryMethod::StartsWithIgnoreCase
            | TextQueryMethod::ContainsIgnoreCase
            | TextQueryMethod::EndsWithIgnoreCase
    ) {
        (format!("lower({column})"), value.to_lowercase())
    } else {
        (column.to_string(), value.to_string())
    };
    sql.push(" AND ");
    match method {
        TextQueryMethod::Equals | TextQueryMethod::EqualsIgnoreCase => {
            sql.push(&col).push(" = ").bind(val);
        }
        TextQueryMethod::StartsWith | TextQueryMethod::StartsWithIgnoreCase => {
            let n = val.chars().count() as i64;
            sql.push("substr(").push(&col).push(", 1, CAST(").bind(n).push(" AS INTEGER)) = ").bind(val);
        }
        TextQueryMethod::Contains | TextQueryMethod::ContainsIgnoreCase => {
            let f = match backend {
                Backend::Sqlite => "instr(",
                Backend::Postgres => "strpos(",
            };
            sql.push(f).push(&col).push(", ").bind(val).push(") > 0");
        }
        TextQueryMethod::EndsWith | TextQueryMethod::EndsWithIgnoreCase => {
            let n = val.chars().count() as i64;
            sql.push("(length(").push(&col).push(") >= ").bind(n);
            // PostgreSQL has no substr(text, bigint): cast the bound numbers.
            sql.push(" AND substr(").push(&col).push(", CAST(length(").push(&col).push(") - ").bind(n);
            sql.push(" + 1 AS INTEGER)) = ").bind(val).push(")");
        }
    }
    Ok(())
}

pub(crate) fn list_details(total: i64, sequence: i64, now: i64) -> Option<ListDetails> {
    Some(ListDetails {
        total_result: total.max(0) as u64,
        processed_sequence: sequence.max(0) as u64,
        view_timestamp: Some(Timestamp::from_micros(now)),
    })
}
