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
                SqlValue::Bool(v) => args.add(*v),
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
