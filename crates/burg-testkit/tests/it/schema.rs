//! The SQLite and PostgreSQL migrations describe the same database.

use std::collections::BTreeSet;

use burg_testkit::{Backend, TestServer};
use sqlx::Row;

/// (table, column, NOT NULL) of every table, and the names of the indexes.
async fn schema(s: &TestServer) -> (BTreeSet<(String, String, bool)>, BTreeSet<String>) {
    let pool = s.app.db().pool();
    let (columns, indexes) = match s.backend {
        Backend::Sqlite => (
            // A key column counts as NOT NULL, as PostgreSQL makes it (SQLite
            // lets a non-integer key be NULL; burg never writes one).
            "SELECT m.name AS t, p.name AS c, (p.\"notnull\" OR p.pk > 0) AS nn FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
             AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
            // Indexes made by a statement, not those SQLite makes for keys.
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
        ),
        Backend::Postgres => (
            "SELECT table_name::text AS t, column_name::text AS c, \
             CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS nn FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
            // Likewise, not those PostgreSQL makes for keys and UNIQUE constraints.
            "SELECT indexname::text AS name FROM pg_indexes WHERE schemaname = 'public' \
             AND indexname NOT IN (SELECT conname FROM pg_constraint) AND tablename NOT LIKE '_sqlx%'",
        ),
    };
    let rows = sqlx::query(columns).fetch_all(pool).await.unwrap();
    let columns =
        rows.iter().map(|r| (r.get::<String, _>("t"), r.get::<String, _>("c"), r.get::<i64, _>("nn") != 0)).collect();
    let rows = sqlx::query(indexes).fetch_all(pool).await.unwrap();
    let indexes = rows.iter().map(|r| r.get::<String, _>("name")).collect();
    (columns, indexes)
}

#[tokio::test]
async fn both_backends_have_the_same_tables_columns_and_indexes() {
    let Some(pg) = TestServer::start_or_skip(Backend::Postgres).await else { return };
    let lite = TestServer::start(Backend::Sqlite).await.unwrap();
    let (lite_columns, lite_indexes) = schema(&lite).await;
    let (pg_columns, pg_indexes) = schema(&pg).await;
    assert!(lite_columns.len() > 50, "the schema was read: {}", lite_columns.len());
    let only = |a: &BTreeSet<(String, String, bool)>, b: &BTreeSet<(String, String, bool)>| {
        a.difference(b).cloned().collect::<Vec<_>>()
    };
    assert_eq!(only(&lite_columns, &pg_columns), vec![], "columns only SQLite has (or with other NOT NULL)");
    assert_eq!(only(&pg_columns, &lite_columns), vec![], "columns only PostgreSQL has (or with other NOT NULL)");
    assert_eq!(lite_indexes, pg_indexes, "the same indexes");
}
