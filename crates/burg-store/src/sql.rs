//! A small builder for dynamic SQL with `$N` placeholders, which both
//! backends accept.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, Arguments, AssertSqlSafe};

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
        self.binds.push(value.into());
        self.text.push('$');
        self.text.push_str(&self.binds.len().to_string());
        self
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
        let mut args = AnyArguments::default();
        for b in &self.binds {
            // Adding a supported scalar to `Any` arguments cannot fail.
            let _ = match b {
                SqlValue::Text(s) => args.add(s.clone()),
                SqlValue::Int(i) => args.add(*i),
                // Booleans are stored as 0/1 on both backends.
                SqlValue::Bool(v) => args.add(i64::from(*v)),
            };
        }
        sqlx::query_with(AssertSqlSafe(self.text.clone()), args)
    }
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
