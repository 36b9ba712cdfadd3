//! Reading the columns of a row, each failure with its error id.

use burg_domain::Result;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::db_error;

/// The text of column `c`.
pub(crate) fn text(row: &AnyRow, c: &str, id: &'static str) -> Result<String> {
    row.try_get(c).map_err(db_error(id))
}

/// The number of column `c`.
pub(crate) fn number(row: &AnyRow, c: &str, id: &'static str) -> Result<i64> {
    row.try_get(c).map_err(db_error(id))
}

/// A 0/1 column (any number but 0 is true).
pub(crate) fn flag(row: &AnyRow, c: &str, id: &'static str) -> Result<bool> {
    Ok(number(row, c, id)? != 0)
}
