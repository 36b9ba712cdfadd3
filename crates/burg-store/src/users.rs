//! Reads of `users`, `personal_access_tokens` and `user_idp_links`.

use burg_domain::Result;
use burg_domain::state::{UserState, UserType};
use sqlx::any::AnyRow;

use crate::list::{Listed, Listing, Page, TextMatch, push_text_condition};
use crate::row::{number, text};
use crate::{Backend, Db, Reader, Sql, db_error, unknown_code};

fn user_type(code: i64, id: &'static str) -> Result<UserType> {
    UserType::from_code(code).ok_or_else(|| unknown_code(id, "users.user_type", code))
}

/// A user's organization and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRef {
    pub resource_owner: String,
    pub user_type: UserType,
}

/// User `id`, if it exists.
pub async fn get<'e>(on: impl Reader<'e>, instance: &str, id: &str) -> Result<Option<UserRef>> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT resource_owner, user_type FROM users WHERE instance_id = $1 AND id = $2")
            .bind(instance)
            .bind(id)
            .fetch_optional(on)
            .await
            .map_err(db_error("USER-db001"))?;
    let Some((resource_owner, code)) = row else { return Ok(None) };
    Ok(Some(UserRef { resource_owner, user_type: user_type(code, "USER-db003")? }))
}

/// Whether a user of the instance is named `user_name`
/// (case-insensitively), in any organization.
pub async fn name_taken<'e>(on: impl Reader<'e>, instance: &str, user_name: &str) -> Result<bool> {
    let taken: i64 =
        // COUNT(id), not COUNT(*): SQLite then finds the name by the index on
        // `lower(username)` rather than reading every user of the instance.
        sqlx::query_scalar("SELECT COUNT(id) FROM users WHERE instance_id = $1 AND lower(username) = lower($2)")
            .bind(instance)
            .bind(user_name)
            .fetch_one(on)
            .await
            .map_err(db_error("USER-db005"))?;
    Ok(taken > 0)
}

/// The id of the active machine user of organization `org_id` whose
/// lowercase name is `lower_name`.
pub async fn active_machine_named<'e>(
    on: impl Reader<'e>,
    instance: &str,
    org_id: &str,
    lower_name: &str,
) -> Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT id FROM users WHERE instance_id = $1 AND resource_owner = $2 AND lower(username) = $3 \
         AND user_type = $4 AND state = $5",
    )
    .bind(instance)
    .bind(org_id)
    .bind(lower_name)
    .bind(UserType::Machine.code())
    .bind(UserState::Active.code())
    .fetch_optional(on)
    .await
    .map_err(db_error("SETUP-db004"))
}

/// How many users the instance has.
pub async fn count(db: &Db, instance: &str) -> Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE instance_id = $1")
        .bind(instance)
        .fetch_one(db.pool())
        .await
        .map_err(db_error("INST-cnt01"))
}

/// A personal access token's user, as a bearer token is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUser {
    pub user_id: String,
    /// The user's organization.
    pub org_id: String,
    pub state: UserState,
    /// The token's end, µs since the epoch.
    pub expiration: i64,
}

/// The user of the token whose SHA-256 is `hash`, if there is one.
pub async fn token_user(db: &Db, instance: &str, hash: &str) -> Result<Option<TokenUser>> {
    // A personal access token, or one the token endpoint issued.
    let row = sqlx::query(
        "SELECT p.user_id, p.expiration, u.resource_owner, u.state FROM \
         (SELECT instance_id, user_id, expiration FROM personal_access_tokens WHERE token_hash = $1 AND instance_id = $2 \
          UNION ALL \
          SELECT instance_id, user_id, expiration FROM access_tokens WHERE token_hash = $1 AND instance_id = $2) p \
         JOIN users u ON u.instance_id = p.instance_id AND u.id = p.user_id",
    )
    .bind(hash)
    .bind(instance)
    .fetch_optional(db.pool())
    .await
    .map_err(db_error("AUTH-db001"))?;
    let Some(row) = row else { return Ok(None) };
    let state = number(&row, "state", "AUTH-db005")?;
    Ok(Some(TokenUser {
        user_id: text(&row, "user_id", "AUTH-db002")?,
        expiration: number(&row, "expiration", "AUTH-db003")?,
        org_id: text(&row, "resource_owner", "AUTH-db004")?,
        state: UserState::from_code(state).ok_or_else(|| unknown_code("AUTH-db010", "users.state", state))?,
    }))
}

/// `personal_access_tokens`, without the token's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub id: String,
    /// µs since the epoch.
    pub expiration: i64,
    pub scopes: Vec<String>,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

/// A page of the tokens of user `user_id`, when the user belongs to
/// organization `org_id` (none otherwise), oldest first unless the page
/// says otherwise.
pub async fn list_tokens(db: &Db, instance: &str, org_id: &str, user_id: &str, page: Page) -> Result<Listed<TokenRow>> {
    let mut filter = Sql::new(" FROM personal_access_tokens WHERE instance_id = ");
    filter.bind(instance).push(" AND user_id = ").bind(user_id);
    filter.push(" AND user_id IN (SELECT id FROM users WHERE instance_id = ").bind(instance);
    filter.push(" AND resource_owner = ").bind(org_id).push(")");
    let select = "SELECT id, expiration, scopes, sequence, creation_date, change_date";
    Listing { select, filter, order: "creation_date" }.run(db, page, token_from_row).await
}

fn token_from_row(row: &AnyRow) -> Result<TokenRow> {
    let n = |c: &str| number(row, c, "USER-db011");
    Ok(TokenRow {
        id: text(row, "id", "USER-db013")?,
        expiration: n("expiration")?,
        scopes: serde_json::from_str(&text(row, "scopes", "USER-db012")?).unwrap_or_default(),
        sequence: n("sequence")?,
        creation_date: n("creation_date")?,
        change_date: n("change_date")?,
    })
}

/// Whether user `user_id` has token `token_id`.
pub async fn has_token<'e>(on: impl Reader<'e>, instance: &str, user_id: &str, token_id: &str) -> Result<bool> {
    let found: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM personal_access_tokens WHERE instance_id = $1 AND user_id = $2 AND id = $3",
    )
    .bind(instance)
    .bind(user_id)
    .bind(token_id)
    .fetch_one(on)
    .await
    .map_err(db_error("USER-db020"))?;
    Ok(found > 0)
}

/// Whether the account `external_user_id` at identity provider `idp_id`
/// is linked to a user.
pub async fn link_taken<'e>(on: impl Reader<'e>, instance: &str, idp_id: &str, external_user_id: &str) -> Result<bool> {
    let taken: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM user_idp_links WHERE instance_id = $1 AND idp_id = $2 AND external_user_id = $3",
    )
    .bind(instance)
    .bind(idp_id)
    .bind(external_user_id)
    .fetch_one(on)
    .await
    .map_err(db_error("IDP-db0017"))?;
    Ok(taken > 0)
}

/// The links of user `user_id`, by identity provider: (IdP id, external
/// user id).
pub async fn links_of_user(db: &Db, instance: &str, user_id: &str) -> Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT idp_id, external_user_id FROM user_idp_links WHERE instance_id = $1 AND user_id = $2 ORDER BY idp_id",
    )
    .bind(instance)
    .bind(user_id)
    .fetch_all(db.pool())
    .await
    .map_err(db_error("IDP-db0018"))
}

/// A user's link to an account at an identity provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub user_id: String,
    pub external_user_id: String,
    /// The user's organization.
    pub resource_owner: String,
}

/// Every user's link to identity provider `idp_id`.
pub async fn links_to_idp<'e>(on: impl Reader<'e>, instance: &str, idp_id: &str) -> Result<Vec<LinkRef>> {
    let rows = sqlx::query(
        "SELECT user_id, external_user_id, resource_owner FROM user_idp_links WHERE instance_id = $1 AND idp_id = $2",
    )
    .bind(instance)
    .bind(idp_id)
    .fetch_all(on)
    .await
    .map_err(db_error("IDP-db0010"))?;
    rows.iter()
        .map(|row| {
            let s = |c: &str| text(row, c, "IDP-db0011");
            Ok(LinkRef {
                user_id: s("user_id")?,
                external_user_id: s("external_user_id")?,
                resource_owner: s("resource_owner")?,
            })
        })
        .collect()
}

/// A personal access token as stored: its hash, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    pub id: String,
    pub user_id: String,
    /// The user's organization.
    pub org_id: String,
    pub token_hash: String,
    /// Microseconds since the epoch.
    pub expiration: i64,
    pub scopes: Vec<String>,
}

/// Every personal access token of the instance, with its user's
/// organization.
pub async fn all_tokens<'e>(on: impl Reader<'e>, instance: &str) -> Result<Vec<StoredToken>> {
    let rows: Vec<(String, String, String, String, i64, String)> = sqlx::query_as(
        "SELECT t.id, t.user_id, u.resource_owner, t.token_hash, t.expiration, t.scopes FROM personal_access_tokens t \
         JOIN users u ON u.instance_id = t.instance_id AND u.id = t.user_id WHERE t.instance_id = $1 ORDER BY t.id",
    )
    .bind(instance)
    .fetch_all(on)
    .await
    .map_err(db_error("USER-db030"))?;
    Ok(rows
        .into_iter()
        .map(|(id, user_id, org_id, token_hash, expiration, scopes)| StoredToken {
            id,
            user_id,
            org_id,
            token_hash,
            expiration,
            scopes: serde_json::from_str(&scopes).unwrap_or_default(),
        })
        .collect())
}

/// The user and hash of token `id`, if it is stored.
pub async fn token_of<'e>(on: impl Reader<'e>, instance: &str, id: &str) -> Result<Option<(String, String)>> {
    sqlx::query_as("SELECT user_id, token_hash FROM personal_access_tokens WHERE instance_id = $1 AND id = $2")
        .bind(instance)
        .bind(id)
        .fetch_optional(on)
        .await
        .map_err(db_error("USER-db031"))
}

/// A whole `users` row (secrets left out: only whether they are set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    pub resource_owner: String,
    pub user_type: UserType,
    pub state: UserState,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub nick_name: String,
    pub display_name: String,
    pub preferred_language: String,
    pub gender: i32,
    pub email: String,
    pub email_verified: bool,
    pub phone: String,
    pub phone_verified: bool,
    pub has_password: bool,
    pub password_change_required: bool,
    pub passwordless_requested: bool,
    pub has_otp: bool,
    pub machine_name: String,
    pub machine_description: String,
    pub access_token_type: i32,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

const USER_COLUMNS: &str = "id, resource_owner, user_type, state, username, first_name, last_name, nick_name, \
     display_name, preferred_language, gender, email, email_verified, phone, phone_verified, \
     CASE WHEN password_hash = '' THEN 0 ELSE 1 END AS has_password, password_change_required, \
     passwordless_requested, CASE WHEN otp_secret = '' THEN 0 ELSE 1 END AS has_otp, machine_name, \
     machine_description, access_token_type, sequence, creation_date, change_date";

fn user_from_row(row: &AnyRow) -> Result<UserRow> {
    let s = |c: &str| text(row, c, "USER-db040");
    let n = |c: &str| number(row, c, "USER-db041");
    let code = n("state")?;
    Ok(UserRow {
        id: s("id")?,
        resource_owner: s("resource_owner")?,
        user_type: user_type(n("user_type")?, "USER-db042")?,
        state: UserState::from_code(code).ok_or_else(|| unknown_code("USER-db043", "users.state", code))?,
        username: s("username")?,
        first_name: s("first_name")?,
        last_name: s("last_name")?,
        nick_name: s("nick_name")?,
        display_name: s("display_name")?,
        preferred_language: s("preferred_language")?,
        gender: n("gender")? as i32,
        email: s("email")?,
        email_verified: n("email_verified")? != 0,
        phone: s("phone")?,
        phone_verified: n("phone_verified")? != 0,
        has_password: n("has_password")? != 0,
        password_change_required: n("password_change_required")? != 0,
        passwordless_requested: n("passwordless_requested")? != 0,
        has_otp: n("has_otp")? != 0,
        machine_name: s("machine_name")?,
        machine_description: s("machine_description")?,
        access_token_type: n("access_token_type")? as i32,
        sequence: n("sequence")?,
        creation_date: n("creation_date")?,
        change_date: n("change_date")?,
    })
}

/// User `id` whole, if it exists.
pub async fn user<'e>(on: impl Reader<'e>, instance: &str, id: &str) -> Result<Option<UserRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE instance_id = $1 AND id = $2"
    )))
    .bind(instance)
    .bind(id)
    .fetch_optional(on)
    .await
    .map_err(db_error("USER-db044"))?;
    row.as_ref().map(user_from_row).transpose()
}

/// The users named `user_name` (case-insensitively), in any organization.
pub async fn by_user_name(db: &Db, instance: &str, user_name: &str) -> Result<Vec<UserRow>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE instance_id = $1 AND lower(username) = lower($2)"
    )))
    .bind(instance)
    .bind(user_name)
    .fetch_all(db.pool())
    .await
    .map_err(db_error("USER-db045"))?;
    rows.iter().map(user_from_row).collect()
}

/// Whether a user of the instance has the email `email` (case-insensitively).
pub async fn email_taken(db: &Db, instance: &str, email: &str) -> Result<bool> {
    let taken: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE instance_id = $1 AND lower(email) = lower($2)")
            .bind(instance)
            .bind(email)
            .fetch_one(db.pool())
            .await
            .map_err(db_error("USER-db046"))?;
    Ok(taken > 0)
}

/// What listed users must match; a list's filters all hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserFilter {
    UserName(TextMatch),
    FirstName(TextMatch),
    LastName(TextMatch),
    NickName(TextMatch),
    DisplayName(TextMatch),
    Email(TextMatch),
    /// The login name: the user name (under the default domain policy).
    LoginName(TextMatch),
    State(UserState),
    Type(UserType),
    ResourceOwner(String),
    InIds(Vec<String>),
    InEmails(Vec<String>),
    And(Vec<UserFilter>),
    Or(Vec<UserFilter>),
    Not(Box<UserFilter>),
}

/// The order of a user list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserOrder {
    /// Creation, then id.
    Created,
    UserName,
    FirstName,
    LastName,
    NickName,
    DisplayName,
    Email,
    State,
    Type,
}

impl UserOrder {
    fn column(self) -> &'static str {
        match self {
            UserOrder::Created => "creation_date",
            UserOrder::UserName => "username",
            UserOrder::FirstName => "first_name",
            UserOrder::LastName => "last_name",
            UserOrder::NickName => "nick_name",
            UserOrder::DisplayName => "display_name",
            UserOrder::Email => "email",
            UserOrder::State => "state",
            UserOrder::Type => "user_type",
        }
    }
}

fn push_in(sql: &mut Sql, column: &str, values: &[String], lower: bool) {
    if values.is_empty() {
        sql.push("1 = 0");
        return;
    }
    sql.push(if lower { "lower(" } else { "(" }).push(column).push(") IN (");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(if lower { v.to_lowercase() } else { v.clone() });
    }
    sql.push(")");
}

/// Appends the condition of `f` (no leading AND).
fn push_user_filter(sql: &mut Sql, backend: Backend, f: &UserFilter) {
    match f {
        UserFilter::UserName(m) | UserFilter::LoginName(m) => push_text_condition(sql, backend, "username", m),
        UserFilter::FirstName(m) => push_text_condition(sql, backend, "first_name", m),
        UserFilter::LastName(m) => push_text_condition(sql, backend, "last_name", m),
        UserFilter::NickName(m) => push_text_condition(sql, backend, "nick_name", m),
        UserFilter::DisplayName(m) => push_text_condition(sql, backend, "display_name", m),
        UserFilter::Email(m) => push_text_condition(sql, backend, "email", m),
        UserFilter::State(s) => {
            sql.push("state = ").bind(s.code());
        }
        UserFilter::Type(t) => {
            sql.push("user_type = ").bind(t.code());
        }
        UserFilter::ResourceOwner(o) => {
            sql.push("resource_owner = ").bind(o.as_str());
        }
        UserFilter::InIds(ids) => push_in(sql, "id", ids, false),
        UserFilter::InEmails(emails) => push_in(sql, "email", emails, true),
        UserFilter::And(all) | UserFilter::Or(all) => {
            if all.is_empty() {
                sql.push("1 = 1");
                return;
            }
            let join = if matches!(f, UserFilter::And(_)) { " AND " } else { " OR " };
            sql.push("(");
            for (i, g) in all.iter().enumerate() {
                if i > 0 {
                    sql.push(join);
                }
                push_user_filter(sql, backend, g);
            }
            sql.push(")");
        }
        UserFilter::Not(g) => {
            sql.push("NOT (");
            push_user_filter(sql, backend, g);
            sql.push(")");
        }
    }
}

/// A page of the instance's users matching every filter (of organization
/// `org` when given).
pub async fn list_users(
    db: &Db,
    instance: &str,
    org: Option<&str>,
    filters: &[UserFilter],
    order: UserOrder,
    page: Page,
) -> Result<Listed<UserRow>> {
    let mut filter = Sql::new(" FROM users WHERE instance_id = ");
    filter.bind(instance);
    if let Some(org) = org {
        filter.push(" AND resource_owner = ").bind(org);
    }
    let backend = db.backend();
    for f in filters {
        filter.push(" AND ");
        push_user_filter(&mut filter, backend, f);
    }
    let select = format!("SELECT {USER_COLUMNS}");
    // Without a column, in creation order (ties by id), whatever the
    // page's direction: ZITADEL orders only by a column it is given.
    let (order, page) = match order {
        UserOrder::Created => ("creation_date ASC, id", Page { asc: true, ..page }),
        other => (other.column(), page),
    };
    Listing { select: &select, filter, order }.run(db, page, user_from_row).await
}

/// A user's link to an identity provider, with the provider's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRow {
    pub idp_id: String,
    pub idp_name: String,
    /// The provider's `ProviderType` (0 when it is gone).
    pub idp_type: i64,
    pub external_user_id: String,
    pub display_name: String,
    pub resource_owner: String,
    pub sequence: i64,
    pub creation_date: i64,
}

/// A page of user `user_id`'s links, by identity provider.
pub async fn list_links(db: &Db, instance: &str, user_id: &str, page: Page) -> Result<Listed<LinkRow>> {
    let mut filter = Sql::new(
        " FROM user_idp_links l LEFT JOIN idp_templates t ON t.instance_id = l.instance_id AND t.id = l.idp_id \
         LEFT JOIN idp_configs c ON c.instance_id = l.instance_id AND c.id = l.idp_id WHERE l.instance_id = ",
    );
    filter.bind(instance).push(" AND l.user_id = ").bind(user_id);
    let select = "SELECT l.idp_id, t.name AS template_name, t.idp_type AS template_type, c.config AS legacy_config, l.external_user_id, l.display_name, l.resource_owner, l.sequence, l.creation_date";
    Listing { select, filter, order: "l.idp_id" }
        .run(db, page, |row| {
            let s = |c: &str| text(row, c, "USER-db050");
            let n = |c: &str| number(row, c, "USER-db051");
            let provider = crate::idp_config::link_provider_of(row);
            Ok(LinkRow {
                idp_id: s("idp_id")?,
                idp_name: provider.0,
                idp_type: provider.1,
                external_user_id: s("external_user_id")?,
                display_name: s("display_name")?,
                resource_owner: s("resource_owner")?,
                sequence: n("sequence")?,
                creation_date: n("creation_date")?,
            })
        })
        .await
}

/// Whether user `user_id` is linked to `external_user_id` at `idp_id`.
pub async fn has_link<'e>(
    on: impl Reader<'e>,
    instance: &str,
    user_id: &str,
    idp_id: &str,
    external_user_id: &str,
) -> Result<bool> {
    let found: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM user_idp_links WHERE instance_id = $1 AND user_id = $2 AND idp_id = $3 \
         AND external_user_id = $4",
    )
    .bind(instance)
    .bind(user_id)
    .bind(idp_id)
    .bind(external_user_id)
    .fetch_one(on)
    .await
    .map_err(db_error("USER-db052"))?;
    Ok(found > 0)
}

/// The `org_objects` kind of a user's metadata (the import's documents).
pub const METADATA_KIND: &str = "user_metadata";

/// One metadata entry of a user: the value as base64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserMetadataRow {
    pub key: String,
    pub value: String,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

/// What listed metadata must match (all of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserMetadataFilter {
    Key(TextMatch),
}

/// The object key of user `user_id`'s metadata `key`.
pub fn metadata_object_key(user_id: &str, key: &str) -> String {
    format!("{user_id}_{key}")
}

fn user_metadata_from_row(row: &AnyRow) -> Result<UserMetadataRow> {
    let n = |c: &str| number(row, c, "USER-db060");
    let data: serde_json::Value = serde_json::from_str(&text(row, "data", "USER-db061")?)
        .map_err(|e| burg_domain::Error::internal("USER-db062", format!("unreadable user metadata: {e}")))?;
    let member = |m: &str| data.get(m).and_then(serde_json::Value::as_str).unwrap_or_default().to_string();
    Ok(UserMetadataRow {
        key: member("key"),
        value: member("value"),
        sequence: n("sequence")?,
        creation_date: n("creation_date")?,
        change_date: n("change_date")?,
    })
}

/// User `user_id` (of organization `org`)'s metadata `key`, if set.
pub async fn user_metadata<'e>(
    on: impl Reader<'e>,
    instance: &str,
    org: &str,
    user_id: &str,
    key: &str,
) -> Result<Option<UserMetadataRow>> {
    let row = sqlx::query(
        "SELECT data, sequence, creation_date, change_date FROM org_objects WHERE instance_id = $1 AND org_id = $2 \
         AND kind = $3 AND object_key = $4",
    )
    .bind(instance)
    .bind(org)
    .bind(METADATA_KIND)
    .bind(metadata_object_key(user_id, key))
    .fetch_optional(on)
    .await
    .map_err(db_error("USER-db063"))?;
    row.as_ref().map(user_metadata_from_row).transpose()
}

/// A page of user `user_id` (of organization `org`)'s metadata, by key.
pub async fn list_user_metadata(
    db: &Db,
    instance: &str,
    org: &str,
    user_id: &str,
    filters: &[UserMetadataFilter],
    page: Page,
) -> Result<Listed<UserMetadataRow>> {
    let prefix = metadata_object_key(user_id, "");
    let mut filter = Sql::new(" FROM org_objects WHERE instance_id = ");
    filter.bind(instance).push(" AND org_id = ").bind(org).push(" AND kind = ").bind(METADATA_KIND);
    filter.push(" AND substr(object_key, 1, CAST(").bind(prefix.chars().count() as i64);
    filter.push(" AS INTEGER)) = ").bind(prefix.clone());
    // The key is what follows the prefix.
    let key_column = format!("substr(object_key, {})", prefix.chars().count() + 1);
    let backend = db.backend();
    for f in filters {
        match f {
            UserMetadataFilter::Key(m) => {
                filter.push(" AND ");
                push_text_condition(&mut filter, backend, &key_column, m);
            }
        }
    }
    let select = "SELECT data, sequence, creation_date, change_date";
    // By key: ZITADEL's list has no sorting column, so no direction.
    let page = Page { asc: true, ..page };
    Listing { select, filter, order: "object_key" }.run(db, page, user_metadata_from_row).await
}

/// The keys of user `user_id`'s metadata.
pub async fn user_metadata_keys<'e>(
    on: impl Reader<'e>,
    instance: &str,
    org: &str,
    user_id: &str,
) -> Result<Vec<String>> {
    let prefix = metadata_object_key(user_id, "");
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT data FROM org_objects WHERE instance_id = $1 AND org_id = $2 AND kind = $3 \
         AND substr(object_key, 1, CAST($4 AS INTEGER)) = $5 ORDER BY object_key",
    )
    .bind(instance)
    .bind(org)
    .bind(METADATA_KIND)
    .bind(prefix.chars().count() as i64)
    .bind(prefix)
    .fetch_all(on)
    .await
    .map_err(db_error("USER-db064"))?;
    Ok(rows
        .into_iter()
        .filter_map(|(data,)| {
            let v: serde_json::Value = serde_json::from_str(&data).ok()?;
            Some(v.get("key")?.as_str()?.to_string())
        })
        .collect())
}

/// A membership of a user: of the instance (no org) or of an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipRow {
    /// `None` for the instance.
    pub org_id: Option<String>,
    pub org_name: String,
    pub roles: Vec<String>,
    pub sequence: i64,
    pub creation_date: i64,
    pub change_date: i64,
}

/// User `user_id`'s memberships: the instance's first, then its
/// organizations' by id.
pub async fn memberships(db: &Db, instance: &str, user_id: &str) -> Result<Vec<MembershipRow>> {
    let rows: Vec<(String, String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT '' AS org_id, '' AS org_name, roles, sequence, creation_date, change_date FROM iam_members \
         WHERE instance_id = $1 AND user_id = $2 \
         UNION ALL SELECT m.org_id, COALESCE(o.name, ''), m.roles, m.sequence, m.creation_date, m.change_date \
         FROM org_members m LEFT JOIN orgs o ON o.instance_id = m.instance_id AND o.id = m.org_id \
         WHERE m.instance_id = $1 AND m.user_id = $2 ORDER BY 1",
    )
    .bind(instance)
    .bind(user_id)
    .fetch_all(db.pool())
    .await
    .map_err(db_error("USER-db070"))?;
    Ok(rows
        .into_iter()
        .map(|(org_id, org_name, roles, sequence, creation_date, change_date)| MembershipRow {
            org_id: (!org_id.is_empty()).then_some(org_id),
            org_name,
            roles: serde_json::from_str(&roles).unwrap_or_default(),
            sequence,
            creation_date,
            change_date,
        })
        .collect())
}

/// A document of the import that names a user: a user grant, a project
/// membership or a project grant membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDocument {
    pub org_id: String,
    /// `org_objects.kind`: `user_grant`, `project_member` or
    /// `project_grant_member`.
    pub kind: String,
    pub key: String,
    /// The document's `projectId`.
    pub project_id: String,
}

/// The grants and project memberships of user `user_id`, in any
/// organization (their keys end with `_<user id>`).
pub async fn user_documents<'e>(on: impl Reader<'e>, instance: &str, user_id: &str) -> Result<Vec<UserDocument>> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT org_id, kind, object_key, data FROM org_objects WHERE instance_id = $1 \
         AND kind IN ('user_grant', 'project_member', 'project_grant_member') \
         AND length(object_key) > length($2) \
         AND substr(object_key, length(object_key) - length($2)) = '_' || $2 ORDER BY org_id, kind, object_key",
    )
    .bind(instance)
    .bind(user_id)
    .fetch_all(on)
    .await
    .map_err(db_error("USER-db090"))?;
    Ok(rows
        .into_iter()
        .filter_map(|(org_id, kind, key, data)| {
            let data: serde_json::Value = serde_json::from_str(&data).ok()?;
            // The key's last part is only the user when the document says so.
            (data.get("userId")?.as_str()? == user_id).then(|| UserDocument {
                project_id: data.get("projectId").and_then(serde_json::Value::as_str).unwrap_or_default().to_string(),
                org_id,
                kind,
                key,
            })
        })
        .collect())
}

/// User `user_name` (case-insensitively) of organization `org`.
pub async fn in_org_named(db: &Db, instance: &str, org: &str, user_name: &str) -> Result<Option<UserRow>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE instance_id = $1 AND resource_owner = $2 AND lower(username) = lower($3)"
    )))
    .bind(instance)
    .bind(org)
    .bind(user_name)
    .fetch_optional(db.pool())
    .await
    .map_err(db_error("USER-db047"))?;
    row.as_ref().map(user_from_row).transpose()
}

/// An access token the token endpoint issued, by its hash: for
/// introspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessTokenRow {
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub org_id: String,
    pub client_id: String,
    /// JSON lists.
    pub audience: String,
    pub scopes: String,
    /// µs since the epoch.
    pub expiration: i64,
    pub creation_date: i64,
}

pub async fn access_token(db: &Db, instance: &str, hash: &str) -> Result<Option<AccessTokenRow>> {
    type Row = (String, String, String, String, String, String, String, i64, i64);
    let row: Option<Row> = sqlx::query_as(
        "SELECT t.id, t.user_id, u.username, u.resource_owner, t.client_id, t.audience, t.scopes, t.expiration, \
         t.creation_date FROM access_tokens t JOIN users u ON u.instance_id = t.instance_id AND u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.instance_id = $2",
    )
    .bind(hash)
    .bind(instance)
    .fetch_optional(db.pool())
    .await
    .map_err(db_error("AUTH-db020"))?;
    Ok(row.map(|(id, user_id, user_name, org_id, client_id, audience, scopes, expiration, creation_date)| {
        AccessTokenRow { id, user_id, user_name, org_id, client_id, audience, scopes, expiration, creation_date }
    }))
}
