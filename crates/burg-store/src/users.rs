//! Reads of `users`, `personal_access_tokens` and `user_idp_links`.

use burg_domain::Result;
use burg_domain::state::{UserState, UserType};
use sqlx::any::AnyRow;

use crate::list::{Listed, Listing, Page};
use crate::row::{number, text};
use crate::{Db, Reader, Sql, db_error, unknown_code};

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
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE instance_id = $1 AND lower(username) = lower($2)")
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
    let row = sqlx::query(
        "SELECT p.user_id, p.expiration, u.resource_owner, u.state FROM personal_access_tokens p \
         JOIN users u ON u.instance_id = p.instance_id AND u.id = p.user_id \
         WHERE p.token_hash = $1 AND p.instance_id = $2",
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
