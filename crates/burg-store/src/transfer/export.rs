//! What an export reads: one read snapshot of an instance, and each table
//! an organization's document is made of as a stream of typed rows.

use burg_domain::Result;
use burg_domain::state::{DomainValidationType, UserType};
use futures::{Stream, StreamExt};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::db::{Backend, Db};
use crate::db_error;
use crate::members::roles;

/// An organization, as an export lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRow {
    pub id: String,
    pub name: String,
    /// `zitadel.org.v1.OrgState`.
    pub state: i64,
}

/// `org_domains`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainRow {
    pub domain: String,
    pub verified: bool,
    pub primary: bool,
    pub validation_type: DomainValidationType,
}

/// `users` of type human. Secrets stay sealed (as JSON text, "" for none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HumanRow {
    pub id: String,
    pub user_name: String,
    pub first_name: String,
    pub last_name: String,
    pub nick_name: String,
    pub display_name: String,
    pub preferred_language: String,
    /// `zitadel.user.v1.Gender`.
    pub gender: i64,
    pub email: String,
    pub email_verified: bool,
    pub phone: String,
    pub phone_verified: bool,
    pub password_hash: String,
    pub otp_secret: String,
    /// `zitadel.user.v1.UserState`.
    pub state: i64,
}

/// `users` of type machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineRow {
    pub id: String,
    pub user_name: String,
    pub name: String,
    pub description: String,
    /// `zitadel.user.v1.AccessTokenType`.
    pub access_token_type: i64,
    /// `zitadel.user.v1.UserState`.
    pub state: i64,
}

/// `user_idp_links`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRow {
    pub user_id: String,
    pub idp_id: String,
    /// The provider's name and `ProviderType` (empty and 0 when it is gone).
    pub idp_name: String,
    pub idp_type: i64,
    pub external_user_id: String,
    pub display_name: String,
}

/// `org_members`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    pub user_id: String,
    pub roles: Vec<String>,
}

/// `org_objects`: a document's JSON text and its sealed secret ("" for
/// none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRow {
    pub data: String,
    pub sealed_secret: String,
}

/// One read snapshot of an instance's tables: every read of an export sees
/// the same data. Ends with [`Snapshot::end`] (or when dropped).
pub struct Snapshot {
    tx: Transaction<'static, Any>,
    instance_id: String,
}

impl Db {
    /// Starts a read snapshot of `instance_id` (on PostgreSQL a repeatable
    /// read, read-only transaction; SQLite's read transaction is one).
    pub async fn snapshot(&self, instance_id: &str) -> Result<Snapshot> {
        let mut tx = self.pool().begin().await.map_err(db_error("EXPORT-db001"))?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut *tx)
                .await
                .map_err(db_error("EXPORT-db002"))?;
        }
        Ok(Snapshot { tx, instance_id: instance_id.to_string() })
    }
}

/// The text in column `c` ("" when it cannot be read).
fn text(row: &AnyRow, c: &str) -> String {
    row.try_get(c).unwrap_or_default()
}

/// The number in column `c` (0 when it cannot be read).
fn number(row: &AnyRow, c: &str) -> i64 {
    row.try_get(c).unwrap_or_default()
}

/// A 0/1 column.
fn flag(row: &AnyRow, c: &str) -> bool {
    number(row, c) == 1
}

impl Snapshot {
    /// The organizations, oldest first.
    pub async fn orgs(&mut self) -> Result<Vec<OrgRow>> {
        let rows: Vec<(String, String, i64)> =
            sqlx::query_as("SELECT id, name, state FROM orgs WHERE instance_id = $1 ORDER BY creation_date, id")
                .bind(&self.instance_id)
                .fetch_all(&mut *self.tx)
                .await
                .map_err(db_error("EXPORT-db003"))?;
        Ok(rows.into_iter().map(|(id, name, state)| OrgRow { id, name, state }).collect())
    }

    /// How many users each organization that has any owns.
    pub async fn users_per_org(&mut self) -> Result<Vec<(String, i64)>> {
        sqlx::query_as("SELECT resource_owner, COUNT(*) FROM users WHERE instance_id = $1 GROUP BY resource_owner")
            .bind(&self.instance_id)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(db_error("EXPORT-db005"))
    }

    /// The rows `sql` selects for organization `org_id` (its `$2`; `$1` is
    /// the instance, `$3` `third` when given), each made a `T`.
    fn rows<'s, T: Send + 's>(
        &'s mut self,
        sql: &'static str,
        org_id: &'s str,
        third: Option<Third<'s>>,
        error_id: &'static str,
        read: fn(&AnyRow) -> Result<T>,
    ) -> impl Stream<Item = Result<T>> + Send + 's {
        let mut query = sqlx::query(sql).bind(&self.instance_id).bind(org_id);
        query = match third {
            Some(Third::Text(t)) => query.bind(t),
            Some(Third::Number(n)) => query.bind(n),
            None => query,
        };
        query.fetch(&mut *self.tx).map(move |row| row.map_err(db_error(error_id)).and_then(|row| read(&row)))
    }

    /// The domains of organization `org_id`, by name.
    pub fn domains<'s>(&'s mut self, org_id: &'s str) -> impl Stream<Item = Result<DomainRow>> + Send + 's {
        let sql = "SELECT domain, is_verified, is_primary, validation_type FROM org_domains \
                   WHERE instance_id = $1 AND org_id = $2 ORDER BY domain";
        self.rows(sql, org_id, None, "EXPORT-db010", |row| {
            Ok(DomainRow {
                domain: text(row, "domain"),
                verified: flag(row, "is_verified"),
                primary: flag(row, "is_primary"),
                validation_type: DomainValidationType::from_code(number(row, "validation_type"))
                    .unwrap_or(DomainValidationType::Unspecified),
            })
        })
    }

    /// The human users of organization `org_id`, by id.
    pub fn humans<'s>(&'s mut self, org_id: &'s str) -> impl Stream<Item = Result<HumanRow>> + Send + 's {
        let sql = "SELECT id, username, first_name, last_name, nick_name, display_name, preferred_language, gender, \
                   email, email_verified, phone, phone_verified, password_hash, otp_secret, state FROM users \
                   WHERE instance_id = $1 AND resource_owner = $2 AND user_type = $3 ORDER BY id";
        let human = Some(Third::Number(UserType::Human.code()));
        self.rows(sql, org_id, human, "EXPORT-db011", |row| {
            Ok(HumanRow {
                id: text(row, "id"),
                user_name: text(row, "username"),
                first_name: text(row, "first_name"),
                last_name: text(row, "last_name"),
                nick_name: text(row, "nick_name"),
                display_name: text(row, "display_name"),
                preferred_language: text(row, "preferred_language"),
                gender: number(row, "gender"),
                email: text(row, "email"),
                email_verified: flag(row, "email_verified"),
                phone: text(row, "phone"),
                phone_verified: flag(row, "phone_verified"),
                password_hash: text(row, "password_hash"),
                otp_secret: text(row, "otp_secret"),
                state: number(row, "state"),
            })
        })
    }

    /// The machine users of organization `org_id`, by id.
    pub fn machines<'s>(&'s mut self, org_id: &'s str) -> impl Stream<Item = Result<MachineRow>> + Send + 's {
        let sql = "SELECT id, username, machine_name, machine_description, access_token_type, state FROM users \
                   WHERE instance_id = $1 AND resource_owner = $2 AND user_type = $3 ORDER BY id";
        let machine = Some(Third::Number(UserType::Machine.code()));
        self.rows(sql, org_id, machine, "EXPORT-db012", |row| {
            Ok(MachineRow {
                id: text(row, "id"),
                user_name: text(row, "username"),
                name: text(row, "machine_name"),
                description: text(row, "machine_description"),
                access_token_type: number(row, "access_token_type"),
                state: number(row, "state"),
            })
        })
    }

    /// The IdP links of the users of organization `org_id`.
    pub fn links<'s>(&'s mut self, org_id: &'s str) -> impl Stream<Item = Result<LinkRow>> + Send + 's {
        let sql = "SELECT l.user_id, l.idp_id, l.external_user_id, l.display_name, t.name AS template_name, \
                   t.idp_type AS template_type, c.config AS legacy_config FROM user_idp_links l \
                   LEFT JOIN idp_templates t ON t.instance_id = l.instance_id AND t.id = l.idp_id \
                   LEFT JOIN idp_configs c ON c.instance_id = l.instance_id AND c.id = l.idp_id \
                   WHERE l.instance_id = $1 AND l.resource_owner = $2 ORDER BY l.user_id, l.idp_id, l.external_user_id";
        self.rows(sql, org_id, None, "EXPORT-db013", |row| {
            let provider = crate::idp_config::link_provider_of(row);
            Ok(LinkRow {
                user_id: text(row, "user_id"),
                idp_id: text(row, "idp_id"),
                external_user_id: text(row, "external_user_id"),
                display_name: text(row, "display_name"),
                idp_name: provider.0,
                idp_type: provider.1,
            })
        })
    }

    /// The members of organization `org_id`, by user id.
    pub fn members<'s>(&'s mut self, org_id: &'s str) -> impl Stream<Item = Result<MemberRow>> + Send + 's {
        let sql = "SELECT user_id, roles FROM org_members WHERE instance_id = $1 AND org_id = $2 ORDER BY user_id";
        self.rows(sql, org_id, None, "EXPORT-db014", |row| {
            Ok(MemberRow { user_id: text(row, "user_id"), roles: roles(&text(row, "roles")) })
        })
    }

    /// The documents of kind `kind` of organization `org_id`, by key.
    pub fn objects<'s>(
        &'s mut self,
        org_id: &'s str,
        kind: &'s str,
    ) -> impl Stream<Item = Result<ObjectRow>> + Send + 's {
        let sql = "SELECT data, sealed_secret FROM org_objects WHERE instance_id = $1 AND org_id = $2 AND kind = $3 \
                   ORDER BY object_key";
        self.rows(sql, org_id, Some(Third::Text(kind)), "EXPORT-db015", |row| {
            Ok(ObjectRow {
                data: row.try_get("data").map_err(db_error("EXPORT-db016"))?,
                sealed_secret: text(row, "sealed_secret"),
            })
        })
    }

    /// The JSON of organization `org_id`'s own settings document of `kind`
    /// (`settings`), if it holds one.
    pub async fn org_setting(&mut self, org_id: &str, kind: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT data FROM settings WHERE instance_id = $1 AND owner_id = $2 AND kind = $3")
            .bind(&self.instance_id)
            .bind(org_id)
            .bind(kind)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_error("EXPORT-db030"))
    }

    /// The providers organization `org_id`'s login policy offers, in the
    /// order they were added: each template's id and whether the
    /// organization owns it (else the instance does).
    pub async fn org_policy_links(&mut self, org_id: &str) -> Result<Vec<(String, bool)>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT l.idp_id, t.resource_owner FROM login_policy_idps l JOIN idp_templates t \
             ON t.instance_id = l.instance_id AND t.id = l.idp_id WHERE l.instance_id = $1 AND l.owner_id = $2 \
             ORDER BY l.creation_date, l.idp_id",
        )
        .bind(&self.instance_id)
        .bind(org_id)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db_error("EXPORT-db031"))?;
        Ok(rows.into_iter().map(|(idp, owner)| (idp, owner == org_id)).collect())
    }

    /// The organization that owns user `id`, if the user is stored.
    pub async fn user_owner(&mut self, id: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT resource_owner FROM users WHERE instance_id = $1 AND id = $2")
            .bind(&self.instance_id)
            .bind(id)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_error("EXPORT-db032"))
    }

    /// The organization that keeps document `key` of `kind`, and the
    /// document, if it is stored.
    pub async fn object(&mut self, kind: &str, key: &str) -> Result<Option<(String, String)>> {
        sqlx::query_as("SELECT org_id, data FROM org_objects WHERE instance_id = $1 AND kind = $2 AND object_key = $3")
            .bind(&self.instance_id)
            .bind(kind)
            .bind(key)
            .fetch_optional(&mut *self.tx)
            .await
            .map_err(db_error("EXPORT-db033"))
    }

    /// Ends the snapshot (it wrote nothing).
    pub async fn end(self) -> Result<()> {
        self.tx.rollback().await.map_err(db_error("EXPORT-db004"))
    }
}

/// The third bind value of [`Snapshot::rows`].
enum Third<'a> {
    Text(&'a str),
    Number(i64),
}
