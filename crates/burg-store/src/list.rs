//! What the list reads share: a page of rows with the total count, and
//! matching text columns. The tables' own filters and orders are in their
//! modules (`orgs::OrgFilter`, …); the app maps the wire's queries onto
//! them.

use burg_domain::Result;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Backend, Db, Sql, db_error};

/// Which rows of the matching ones a list answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub offset: i64,
    pub limit: i64,
    /// Ascending by the list's order, else descending.
    pub asc: bool,
}

impl Page {
    /// This page of `items`, which are in the list's order already (a list
    /// made in memory).
    pub fn of<I: IntoIterator>(&self, items: I) -> impl Iterator<Item = I::Item> {
        let skip = usize::try_from(self.offset).unwrap_or(usize::MAX);
        items.into_iter().skip(skip).take(usize::try_from(self.limit).unwrap_or(usize::MAX))
    }
}

/// A page of rows and how many rows match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed<T> {
    pub total: i64,
    pub rows: Vec<T>,
}

/// How a text column is compared with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextMethod {
    Equals,
    EqualsIgnoreCase,
    StartsWith,
    StartsWithIgnoreCase,
    Contains,
    ContainsIgnoreCase,
    EndsWith,
    EndsWithIgnoreCase,
}

impl TextMethod {
    fn ignores_case(self) -> bool {
        matches!(
            self,
            TextMethod::EqualsIgnoreCase
                | TextMethod::StartsWithIgnoreCase
                | TextMethod::ContainsIgnoreCase
                | TextMethod::EndsWithIgnoreCase
        )
    }
}

/// A text column compared with `value`; the column is the filter's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextMatch {
    pub value: String,
    pub method: TextMethod,
}

impl TextMatch {
    /// Whether `text` matches, as the SQL of [`push_text`] compares (for
    /// the short lists read whole, such as an organization's projects).
    pub fn matches(&self, text: &str) -> bool {
        let (text, value) = if self.method.ignores_case() {
            (text.to_lowercase(), self.value.to_lowercase())
        } else {
            (text.to_string(), self.value.clone())
        };
        match self.method {
            TextMethod::Equals | TextMethod::EqualsIgnoreCase => text == value,
            TextMethod::StartsWith | TextMethod::StartsWithIgnoreCase => text.starts_with(&value),
            TextMethod::Contains | TextMethod::ContainsIgnoreCase => text.contains(&value),
            TextMethod::EndsWith | TextMethod::EndsWithIgnoreCase => text.ends_with(&value),
        }
    }
}

/// Appends ` AND <column matches>`.
pub(crate) fn push_text(sql: &mut Sql, backend: Backend, column: &str, matching: &TextMatch) {
    sql.push(" AND ");
    push_text_condition(sql, backend, column, matching);
}

/// Appends `<column matches>` alone (for conditions joined by OR or NOT).
pub(crate) fn push_text_condition(sql: &mut Sql, backend: Backend, column: &str, matching: &TextMatch) {
    let method = matching.method;
    let (col, val) = if method.ignores_case() {
        (format!("lower({column})"), matching.value.to_lowercase())
    } else {
        (column.to_string(), matching.value.clone())
    };
    match method {
        TextMethod::Equals | TextMethod::EqualsIgnoreCase => {
            sql.push(&col).push(" = ").bind(val);
        }
        TextMethod::StartsWith | TextMethod::StartsWithIgnoreCase => {
            let n = val.chars().count() as i64;
            sql.push("substr(").push(&col).push(", 1, CAST(").bind(n).push(" AS INTEGER)) = ").bind(val);
        }
        TextMethod::Contains | TextMethod::ContainsIgnoreCase => {
            let f = match backend {
                Backend::Sqlite => "instr(",
                Backend::Postgres => "strpos(",
            };
            sql.push(f).push(&col).push(", ").bind(val).push(") > 0");
        }
        TextMethod::EndsWith | TextMethod::EndsWithIgnoreCase => {
            let n = val.chars().count() as i64;
            sql.push("(length(").push(&col).push(") >= ").bind(n);
            // PostgreSQL has no substr(text, bigint): cast the bound numbers.
            sql.push(" AND substr(").push(&col).push(", CAST(length(").push(&col).push(") - ").bind(n);
            sql.push(" + 1 AS INTEGER)) = ").bind(val).push(")");
        }
    }
}

/// A list read: `SELECT COUNT(*)` and `select` on the same `filter` (its
/// `FROM … WHERE …`), the second ordered by `order` and paged.
pub(crate) struct Listing<'a> {
    pub select: &'a str,
    pub filter: Sql,
    pub order: &'a str,
}

impl Listing<'_> {
    /// Counts the matching rows and reads the page of them, each made a `T`
    /// by `read`.
    pub(crate) async fn run<T>(self, db: &Db, page: Page, read: impl Fn(&AnyRow) -> Result<T>) -> Result<Listed<T>> {
        let mut count = Sql::new("SELECT COUNT(*)");
        count.extend(&self.filter);
        let total: i64 =
            count.query().fetch_one(db.pool()).await.and_then(|r| r.try_get(0)).map_err(db_error("LIST-db001"))?;
        let mut select = Sql::new(self.select);
        select.extend(&self.filter);
        select.push(" ORDER BY ").push(self.order).push(if page.asc { " ASC" } else { " DESC" });
        select.push(" LIMIT ").bind(page.limit).push(" OFFSET ").bind(page.offset);
        let rows = select.query().fetch_all(db.pool()).await.map_err(db_error("LIST-db002"))?;
        let rows = rows.iter().map(read).collect::<Result<Vec<_>>>()?;
        Ok(Listed { total, rows })
    }
}
