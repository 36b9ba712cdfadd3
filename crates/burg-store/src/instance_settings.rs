//! `secret_generators` and `instance_trusted_domains`: their reads and
//! their projection (see [`burg_domain::instance_settings`]).

use burg_domain::event::{Event, Payload};
use burg_domain::instance_settings::{
    GeneratorConfig, SecretGeneratorAdded, SecretGeneratorChanged, TrustedDomainAdded, TrustedDomainRemoved,
};
use burg_domain::{Error, Result};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::list::{Listed, Listing, Page, TextMatch, push_text};
use crate::row::{flag, number, text};
use crate::{Db, Reader, Sql, db_error};

/// A secret generator as stored: its type (ZITADEL's domain number) and
/// configuration, and its details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretGeneratorRow {
    pub generator_type: i64,
    pub config: GeneratorConfig,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

const GENERATOR_COLUMNS: &str = "SELECT generator_type, length, expiry, include_lower_letters, \
     include_upper_letters, include_digits, include_symbols, sequence, creation_date, change_date";

fn generator_from_row(row: &AnyRow) -> Result<SecretGeneratorRow> {
    let n = |c: &str| number(row, c, "SECGEN-db01");
    let f = |c: &str| flag(row, c, "SECGEN-db02");
    Ok(SecretGeneratorRow {
        generator_type: n("generator_type")?,
        config: GeneratorConfig {
            length: u64::try_from(n("length")?).unwrap_or_default(),
            expiry: n("expiry")?,
            include_lower_letters: f("include_lower_letters")?,
            include_upper_letters: f("include_upper_letters")?,
            include_digits: f("include_digits")?,
            include_symbols: f("include_symbols")?,
        },
        sequence: n("sequence")?,
        creation_date: n("creation_date")?,
        change_date: n("change_date")?,
    })
}

/// The instance's generator of `generator_type`, if it has one.
pub async fn secret_generator<'e>(
    on: impl Reader<'e>,
    instance: &str,
    generator_type: i64,
) -> Result<Option<SecretGeneratorRow>> {
    let sql = format!("{GENERATOR_COLUMNS} FROM secret_generators WHERE instance_id = $1 AND generator_type = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(instance)
        .bind(generator_type)
        .fetch_optional(on)
        .await
        .map_err(db_error("SECGEN-db03"))?;
    row.as_ref().map(generator_from_row).transpose()
}

/// A page of the instance's generators (of one type, if `generator_type`
/// is given), in the order they were set up.
pub async fn list_secret_generators(
    db: &Db,
    instance: &str,
    generator_type: Option<i64>,
    page: Page,
) -> Result<Listed<SecretGeneratorRow>> {
    let mut filter = Sql::new(" FROM secret_generators WHERE instance_id = ");
    filter.bind(instance);
    if let Some(t) = generator_type {
        filter.push(" AND generator_type = ").bind(t);
    }
    Listing { select: GENERATOR_COLUMNS, filter, order: "creation_date, sequence" }
        .run(db, page, generator_from_row)
        .await
}

/// How many generators the instance has.
pub async fn secret_generator_count<'e>(on: impl Reader<'e>, instance: &str) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM secret_generators WHERE instance_id = $1")
        .bind(instance)
        .fetch_one(on)
        .await
        .map_err(db_error("SECGEN-db04"))
}

/// A trusted domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedDomainRow {
    pub domain: String,
    pub sequence: i64,
    pub creation_date: i64,
}

/// The order of listed trusted domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustedDomainOrder {
    Domain,
    CreationDate,
}

/// A page of the instance's trusted domains that match every filter.
pub async fn list_trusted_domains(
    db: &Db,
    instance: &str,
    filters: &[TextMatch],
    order: TrustedDomainOrder,
    page: Page,
) -> Result<Listed<TrustedDomainRow>> {
    let mut filter = Sql::new(" FROM instance_trusted_domains WHERE instance_id = ");
    filter.bind(instance);
    for m in filters {
        push_text(&mut filter, db.backend(), "domain", m);
    }
    let order = match order {
        TrustedDomainOrder::Domain => "domain",
        TrustedDomainOrder::CreationDate => "creation_date",
    };
    Listing { select: "SELECT domain, sequence, creation_date", filter, order }
        .run(db, page, |row| {
            Ok(TrustedDomainRow {
                domain: text(row, "domain", "TRUST-db01")?,
                sequence: number(row, "sequence", "TRUST-db02")?,
                creation_date: number(row, "creation_date", "TRUST-db04")?,
            })
        })
        .await
}

/// Whether the instance trusts `domain`.
pub async fn trusts<'e>(on: impl Reader<'e>, instance: &str, domain: &str) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM instance_trusted_domains WHERE instance_id = $1 AND domain = $2")
            .bind(instance)
            .bind(domain)
            .fetch_optional(on)
            .await
            .map_err(db_error("TRUST-db03"))?;
    Ok(found.is_some())
}

/// Projects the events of these tables; `false` for any other event.
pub(crate) async fn apply(conn: &mut AnyConnection, e: &Event) -> Result<bool> {
    let (inst, seq, at) = (&e.instance_id, e.sequence, e.created_at);
    match e.event_type.as_str() {
        SecretGeneratorAdded::TYPE => {
            let p: SecretGeneratorAdded = e.decode()?;
            write_generator(conn, e, i64::from(p.generator_type), &p.config(), at).await?;
        }
        SecretGeneratorChanged::TYPE => {
            let p: SecretGeneratorChanged = e.decode()?;
            let code = i64::from(p.generator_type);
            let stored = secret_generator(&mut *conn, inst, code).await?.ok_or_else(|| {
                Error::internal("PROJ-sec01", format!("{} names generator {code}, which is not stored", e.event_type))
            })?;
            let mut config = stored.config;
            p.apply(&mut config);
            write_generator(conn, e, code, &config, stored.creation_date).await?;
        }
        "instance.secret.generator.removed" => {
            let code = e.payload.get("generatorType").and_then(|v| v.as_i64()).unwrap_or_default();
            sqlx::query("DELETE FROM secret_generators WHERE instance_id = $1 AND generator_type = $2")
                .bind(inst)
                .bind(code)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-sec02"))?;
        }
        TrustedDomainAdded::TYPE => {
            let p: TrustedDomainAdded = e.decode()?;
            sqlx::query(
                "INSERT INTO instance_trusted_domains (instance_id, domain, sequence, creation_date) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(inst)
            .bind(p.domain)
            .bind(seq)
            .bind(at)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-tru01"))?;
        }
        TrustedDomainRemoved::TYPE => {
            let p: TrustedDomainRemoved = e.decode()?;
            sqlx::query("DELETE FROM instance_trusted_domains WHERE instance_id = $1 AND domain = $2")
                .bind(inst)
                .bind(p.domain)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-tru02"))?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

async fn write_generator(
    conn: &mut AnyConnection,
    e: &Event,
    code: i64,
    c: &GeneratorConfig,
    created: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO secret_generators (instance_id, generator_type, length, expiry, include_lower_letters, \
         include_upper_letters, include_digits, include_symbols, sequence, creation_date, change_date) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (instance_id, generator_type) DO UPDATE SET length = excluded.length, \
         expiry = excluded.expiry, include_lower_letters = excluded.include_lower_letters, \
         include_upper_letters = excluded.include_upper_letters, include_digits = excluded.include_digits, \
         include_symbols = excluded.include_symbols, sequence = excluded.sequence, \
         change_date = excluded.change_date",
    )
    .bind(&e.instance_id)
    .bind(code)
    .bind(i64::try_from(c.length).unwrap_or(i64::MAX))
    .bind(c.expiry)
    .bind(i64::from(c.include_lower_letters))
    .bind(i64::from(c.include_upper_letters))
    .bind(i64::from(c.include_digits))
    .bind(i64::from(c.include_symbols))
    .bind(e.sequence)
    .bind(created)
    .bind(e.created_at)
    .execute(&mut *conn)
    .await
    .map_err(db_error("PROJ-sec03"))?;
    Ok(())
}

/// The instance's newest event: its position and time (every read table
/// has processed it, as projections run in the appending transaction).
pub async fn newest_event<'e>(on: impl Reader<'e>, instance: &str) -> Result<Option<(i64, i64)>> {
    sqlx::query_as("SELECT position, created_at FROM events WHERE instance_id = $1 ORDER BY position DESC LIMIT 1")
        .bind(instance)
        .fetch_optional(on)
        .await
        .map_err(db_error("VIEW-db01"))
}

/// The instance's newest event of `event_type`, if any.
pub async fn newest_of_type<'e>(on: impl Reader<'e>, instance: &str, event_type: &str) -> Result<Option<Event>> {
    let sql = format!(
        "SELECT {} FROM events WHERE instance_id = $1 AND event_type = $2 ORDER BY position DESC LIMIT 1",
        crate::event_store::EVENT_COLUMNS
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(instance)
        .bind(event_type)
        .fetch_optional(on)
        .await
        .map_err(db_error("VIEW-db02"))?;
    row.as_ref().map(crate::event_store::event_from_row).transpose()
}

/// When the first organization document of one of `kinds` was written
/// (`org_objects`), if one was.
pub async fn first_object<'e>(on: impl Reader<'e>, instance: &str, kinds: &[&str]) -> Result<Option<i64>> {
    let mut sql = Sql::new("SELECT MIN(creation_date) FROM org_objects WHERE instance_id = ");
    sql.bind(instance).push(" AND kind IN ").bind_list(kinds.iter().copied());
    let first: Option<i64> =
        sql.query().fetch_one(on).await.and_then(|r| sqlx::Row::try_get(&r, 0)).map_err(db_error("VIEW-db03"))?;
    Ok(first)
}

/// Every generator of the instance, by type.
pub async fn all_secret_generators<'e>(on: impl Reader<'e>, instance: &str) -> Result<Vec<SecretGeneratorRow>> {
    let sql = format!("{GENERATOR_COLUMNS} FROM secret_generators WHERE instance_id = $1 ORDER BY generator_type");
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(instance).fetch_all(on).await.map_err(db_error("SECGEN-db05"))?;
    rows.iter().map(generator_from_row).collect()
}

/// Every trusted domain of the instance, in order.
pub async fn all_trusted_domains<'e>(on: impl Reader<'e>, instance: &str) -> Result<Vec<String>> {
    sqlx::query_scalar("SELECT domain FROM instance_trusted_domains WHERE instance_id = $1 ORDER BY domain")
        .bind(instance)
        .fetch_all(on)
        .await
        .map_err(db_error("TRUST-db05"))
}
