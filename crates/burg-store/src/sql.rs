//! A small builder for dynamic SQL with `$N` placeholders, which both
//! backends accept.

use sqlx::any::{AnyArguments, AnyQueryResult};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Arguments, AssertSqlSafe};

/// A bind value of one of the types every backend stores.
#[derive(Debug, Clone)]
pub enum SqlValue {
    Text(String),
    Int(i64),
    Bool(bool),
}

/// SQL text with its bind values in order.
#[derive(Debug, Default, Clone)]
pub struct Sql {
    text: String,
    binds: Vec<SqlValue>,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Self {
        Sql { text: text.into(), binds: Vec::new() }
    }

    /// Appends raw SQL.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder for `value`.
    pub fn bind(&mut self, value: impl Into<SqlValue>) -> &mut Self {
        use std::fmt::Write;
        self.binds.push(value.into());
        // Writing to a String cannot fail.
        let _ = write!(self.text, "${}", self.binds.len());
        self
    }

    /// Appends `(…)` with a placeholder for each of `values`, for `IN`.
    pub fn bind_list<V: Into<SqlValue>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Self {
        self.push("(");
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self.push(")")
    }

    /// Appends another builder's text and binds, renumbering its placeholders.
    pub fn extend(&mut self, other: &Sql) -> &mut Self {
        let offset = self.binds.len();
        let mut chars = other.text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                let mut n = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    n.push(*d);
                    chars.next();
                }
                let n: usize = n.parse().unwrap_or(0);
                self.text.push('$');
                self.text.push_str(&(n + offset).to_string());
            } else {
                self.text.push(c);
            }
        }
        self.binds.extend(other.binds.iter().cloned());
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The query, ready to run. The text is ours (values go in binds), so it
    /// is safe to hand to sqlx as dynamic SQL.
    pub fn query(&self) -> Query<'static, Any, AnyArguments> {
        sqlx::query_with(AssertSqlSafe(self.text.clone()), arguments(self.binds.clone()))
    }

    /// The query, for running on `conn` (the builder's values move into it).
    /// On SQLite the `$N` placeholders become plain `?`: sqlx asks SQLite for the name of every parameter
    /// it binds, and SQLite finds a numbered one by a scan of all of them,
    /// so a statement of n numbered parameters costs n² lookups (a perf
    /// profile of an import showed 60% of its time there). Plain `?` have
    /// no name and cost nothing to look up. The rewrite is only made when
    /// the placeholders are `$1, $2, …` in order, as `bind` writes them.
    pub fn query_for(self, conn: &AnyConnection) -> Query<'static, Any, AnyArguments> {
        let text = match conn.backend_name() {
            "SQLite" => positional(&self.text, self.binds.len()),
            _ => None,
        };
        sqlx::query_with(AssertSqlSafe(text.unwrap_or(self.text)), arguments(self.binds))
    }

    /// Runs the statement on `conn` and calls `meanwhile` while the
    /// database works on it: the first poll hands the statement over
    /// (SQLite runs it on its connection's own thread, PostgreSQL on the
    /// server), so a writer can build its next statement in that time.
    pub async fn execute_overlapped<T>(
        self,
        conn: &mut AnyConnection,
        meanwhile: impl FnOnce() -> T,
    ) -> (Result<AnyQueryResult, sqlx::Error>, T) {
        let query = self.query_for(conn);
        let mut running = std::pin::pin!(query.execute(conn));
        let started = futures::poll!(running.as_mut());
        let built = meanwhile();
        let done = match started {
            std::task::Poll::Ready(done) => done,
            std::task::Poll::Pending => running.await,
        };
        (done, built)
    }
}

fn arguments(binds: Vec<SqlValue>) -> AnyArguments {
    let mut args = AnyArguments::default();
    for b in binds {
        // Adding a supported scalar to `Any` arguments cannot fail.
        let _ = match b {
            SqlValue::Text(s) => args.add(s),
            SqlValue::Int(i) => args.add(i),
            // Booleans are stored as 0/1 on both backends.
            SqlValue::Bool(v) => args.add(i64::from(v)),
        };
    }
    args
}

/// `text` with `$1` … `$count` (each once, in order) made plain `?`; `None`
/// when its placeholders are anything else.
fn positional(text: &str, count: usize) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut next = 1;
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let digits = rest[at + 1..].bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        if rest[at + 1..at + 1 + digits].parse::<usize>().ok()? != next {
            return None;
        }
        out.push('?');
        next += 1;
        rest = &rest[at + 1 + digits..];
    }
    out.push_str(rest);
    (next == count + 1).then_some(out)
}

impl From<String> for SqlValue {
    fn from(v: String) -> Self {
        SqlValue::Text(v)
    }
}
impl From<&str> for SqlValue {
    fn from(v: &str) -> Self {
        SqlValue::Text(v.to_string())
    }
}
impl From<&String> for SqlValue {
    fn from(v: &String) -> Self {
        SqlValue::Text(v.clone())
    }
}
impl From<i64> for SqlValue {
    fn from(v: i64) -> Self {
        SqlValue::Int(v)
    }
}
impl From<bool> for SqlValue {
    fn from(v: bool) -> Self {
        SqlValue::Bool(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positional_placeholders_only_from_numbered_ones_in_order() {
        let mut sql = Sql::new("INSERT INTO t VALUES (");
        sql.bind("a").push(", ").bind(2i64).push(", '$x')");
        assert_eq!(sql.text(), "INSERT INTO t VALUES ($1, $2, '$x')");
        // A `$` that is no placeholder keeps the numbered form.
        assert_eq!(positional(sql.text(), 2), None);
        assert_eq!(positional("VALUES ($1, $2), ($3, $4)", 4).as_deref(), Some("VALUES (?, ?), (?, ?)"));
        assert_eq!(positional("a = $1 OR b = $1", 1), None);
        assert_eq!(positional("a = $2 AND b = $1", 2), None);
        assert_eq!(positional("a = $1", 2), None);
        assert_eq!(positional("SELECT 1", 0).as_deref(), Some("SELECT 1"));
    }

    #[test]
    fn extend_renumbers_placeholders() {
        let mut filter = Sql::new(" WHERE a = ");
        filter.bind("x").push(" AND b = ").bind(2i64);
        let mut sql = Sql::new("SELECT * FROM t");
        sql.extend(&filter);
        sql.push(" LIMIT ").bind(10i64);
        assert_eq!(sql.text(), "SELECT * FROM t WHERE a = $1 AND b = $2 LIMIT $3");
        let mut twice = Sql::new("SELECT ");
        twice.bind(0i64);
        twice.extend(&filter);
        assert_eq!(twice.text(), "SELECT $1 WHERE a = $2 AND b = $3");
    }
}
