//! `users` and `personal_access_tokens`.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use burg_domain::Result;
use burg_domain::event::{Event, Payload};
use burg_domain::events::user::*;
use burg_domain::state::{UserState, UserType};
use sqlx::AnyConnection;

use crate::db_error;

/// A sealed value as stored in a text column ('' when absent).
fn sealed_json(value: Option<&burg_domain::crypto::Sealed>) -> String {
    value.and_then(|v| serde_json::to_string(v).ok()).unwrap_or_default()
}

pub(super) async fn apply(conn: &mut AnyConnection, e: &Event) -> Result<()> {
    if batchable(&e.event_type) {
        // One statement for one event, written the way a batch writes it.
        return apply_many(conn, std::slice::from_ref(e), &HashMap::new()).await;
    }
    let (inst, user, seq, at) = (&e.instance_id, &e.aggregate_id, e.sequence, e.created_at);
    match e.event_type.as_str() {
        MachineAdded::TYPE => {
            let p: MachineAdded = e.decode()?;
            sqlx::query(
                "INSERT INTO users (instance_id, id, resource_owner, user_type, state, username, display_name, \
                 machine_name, machine_description, access_token_type, sequence, creation_date, change_date) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $11)",
            )
            .bind(inst)
            .bind(user)
            .bind(&e.resource_owner)
            .bind(UserType::Machine.code())
            .bind(UserState::Active.code())
            .bind(p.user_name)
            .bind(p.name)
            .bind(p.description)
            .bind(i64::from(p.access_token_type))
            .bind(seq)
            .bind(at)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-usr01"))?;
            return Ok(());
        }
        PasswordChanged::TYPE => {
            let p: PasswordChanged = e.decode()?;
            sqlx::query(
                "UPDATE users SET password_hash = $1, password_change_required = $2 WHERE instance_id = $3 AND id = $4",
            )
            .bind(sealed_json(p.encoded_hash.as_ref()))
            .bind(i64::from(p.change_required))
            .bind(inst)
            .bind(user)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-usr11"))?;
        }
        OtpAdded::TYPE => {
            let p: OtpAdded = e.decode()?;
            sqlx::query("UPDATE users SET otp_secret = $1 WHERE instance_id = $2 AND id = $3")
                .bind(sealed_json(p.otp_secret.as_ref()))
                .bind(inst)
                .bind(user)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-usr12"))?;
        }
        UserRemoved::TYPE => {
            for statement in [
                "DELETE FROM personal_access_tokens WHERE instance_id = $1 AND user_id = $2",
                "DELETE FROM access_tokens WHERE instance_id = $1 AND user_id = $2",
                "DELETE FROM iam_members WHERE instance_id = $1 AND user_id = $2",
                "DELETE FROM org_members WHERE instance_id = $1 AND user_id = $2",
                "DELETE FROM user_idp_links WHERE instance_id = $1 AND user_id = $2",
                "DELETE FROM org_objects WHERE instance_id = $1 AND kind = 'user_metadata' \
                 AND substr(object_key, 1, length($2) + 1) = $2 || '_'",
                // A machine's keys: added ones name their user as the
                // parent, imported ones only in the document.
                "DELETE FROM org_objects WHERE instance_id = $1 AND kind = 'machine_user_key' \
                 AND (parent_key = $2 OR data LIKE '%\"userId\":\"' || $2 || '\"%')",
                "DELETE FROM users WHERE instance_id = $1 AND id = $2",
            ] {
                sqlx::query(statement)
                    .bind(inst)
                    .bind(user)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_error("PROJ-usr02"))?;
            }
            return Ok(());
        }
        UserDeactivated::TYPE | UserReactivated::TYPE | UserLocked::TYPE | UserUnlocked::TYPE | InitCodeAdded::TYPE => {
            // As ZITADEL's projection: an initialization code puts the
            // user in the initial state, whatever it was.
            let state = match e.event_type.as_str() {
                UserDeactivated::TYPE => UserState::Inactive,
                UserLocked::TYPE => UserState::Locked,
                InitCodeAdded::TYPE => UserState::Initial,
                _ => UserState::Active,
            };
            sqlx::query("UPDATE users SET state = $1 WHERE instance_id = $2 AND id = $3")
                .bind(state.code())
                .bind(inst)
                .bind(user)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-usr03"))?;
        }
        UsernameChanged::TYPE => {
            let p: UsernameChanged = e.decode()?;
            set_text(conn, inst, user, "username", p.user_name).await?;
        }
        ProfileChanged::TYPE => {
            let p: ProfileChanged = e.decode()?;
            let texts = [
                ("first_name", p.first_name),
                ("last_name", p.last_name),
                ("nick_name", p.nick_name),
                ("display_name", p.display_name),
                ("preferred_language", p.preferred_language),
            ];
            for (column, value) in texts {
                if let Some(value) = value {
                    set_text(conn, inst, user, column, value).await?;
                }
            }
            if let Some(gender) = p.gender {
                sqlx::query("UPDATE users SET gender = $1 WHERE instance_id = $2 AND id = $3")
                    .bind(i64::from(gender))
                    .bind(inst)
                    .bind(user)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_error("PROJ-usr31"))?;
            }
        }
        EmailChanged::TYPE => {
            let p: EmailChanged = e.decode()?;
            set_text(conn, inst, user, "email", p.email).await?;
            set_flag(conn, inst, user, "email_verified", false).await?;
        }
        PhoneChanged::TYPE => {
            let p: PhoneChanged = e.decode()?;
            set_text(conn, inst, user, "phone", p.phone).await?;
            set_flag(conn, inst, user, "phone_verified", false).await?;
        }
        PhoneRemoved::TYPE => {
            set_text(conn, inst, user, "phone", String::new()).await?;
            set_flag(conn, inst, user, "phone_verified", false).await?;
        }
        OtpRemoved::TYPE => set_text(conn, inst, user, "otp_secret", String::new()).await?,
        PersonalAccessTokenAdded::TYPE => {
            let p: PersonalAccessTokenAdded = e.decode()?;
            sqlx::query(
                "INSERT INTO personal_access_tokens (instance_id, id, user_id, token_hash, expiration, scopes, sequence, \
                 creation_date, change_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            )
            .bind(inst)
            .bind(p.token_id)
            .bind(user)
            .bind(p.token_hash)
            .bind(p.expiration.0)
            .bind(serde_json::to_string(&p.scopes).unwrap_or_default())
            .bind(seq)
            .bind(at)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-usr04"))?;
        }
        AccessTokenAdded::TYPE => {
            let p: AccessTokenAdded = e.decode()?;
            sqlx::query(
                "INSERT INTO access_tokens (instance_id, id, user_id, token_hash, client_id, audience, scopes, \
                 expiration, creation_date) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(inst)
            .bind(p.token_id)
            .bind(user)
            .bind(p.token_hash)
            .bind(p.application_id)
            .bind(serde_json::to_string(&p.audience).unwrap_or_default())
            .bind(serde_json::to_string(&p.scopes).unwrap_or_default())
            .bind(p.expiration.0)
            .bind(at)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-usr30"))?;
        }
        PersonalAccessTokenRemoved::TYPE => {
            let p: PersonalAccessTokenRemoved = e.decode()?;
            sqlx::query("DELETE FROM personal_access_tokens WHERE instance_id = $1 AND id = $2 AND user_id = $3")
                .bind(inst)
                .bind(p.token_id)
                .bind(user)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-usr05"))?;
        }
        ExternalIdpRemoved::TYPE | ExternalIdpCascadeRemoved::TYPE => {
            let p: ExternalIdpRemoved = serde_json::from_value(e.payload.clone()).map_err(|err| {
                burg_domain::Error::internal("PROJ-usr07", format!("unreadable {}: {err}", e.event_type))
            })?;
            sqlx::query(
                "DELETE FROM user_idp_links WHERE instance_id = $1 AND user_id = $2 AND idp_id = $3 \
                 AND external_user_id = $4",
            )
            .bind(inst)
            .bind(user)
            .bind(p.idp_config_id)
            .bind(p.user_id)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-usr08"))?;
        }
        _ => {}
    }
    sqlx::query("UPDATE users SET sequence = $1, change_date = $2 WHERE instance_id = $3 AND id = $4")
        .bind(seq)
        .bind(at)
        .bind(inst)
        .bind(user)
        .execute(&mut *conn)
        .await
        .map_err(db_error("PROJ-usr99"))?;
    Ok(())
}

/// Sets text column `column` (one of this module's names) of a user.
async fn set_text(conn: &mut AnyConnection, inst: &str, user: &str, column: &str, value: String) -> Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE users SET {column} = $1 WHERE instance_id = $2 AND id = $3")))
        .bind(value)
        .bind(inst)
        .bind(user)
        .execute(&mut *conn)
        .await
        .map_err(db_error("PROJ-usr32"))?;
    Ok(())
}

/// Sets 0/1 column `column` (one of this module's names) of a user.
async fn set_flag(conn: &mut AnyConnection, inst: &str, user: &str, column: &str, value: bool) -> Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE users SET {column} = $1 WHERE instance_id = $2 AND id = $3")))
        .bind(i64::from(value))
        .bind(inst)
        .bind(user)
        .execute(&mut *conn)
        .await
        .map_err(db_error("PROJ-usr33"))?;
    Ok(())
}

/// Runs of these event types are projected together by [`apply_many`].
pub(super) fn batchable(event_type: &str) -> bool {
    matches!(
        event_type,
        HumanAdded::TYPE
            | EmailVerified::TYPE
            | PhoneVerified::TYPE
            | PasswordlessCodeRequested::TYPE
            | ExternalIdpAdded::TYPE
    )
}

/// What a user added in a batch of events ends up with after the flag and
/// link events that follow it in the same batch: its `users` row can be
/// written that way at once, and those events need not touch it again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Fold {
    email_verified: bool,
    phone_verified: bool,
    passwordless_requested: bool,
    /// The user's last event in the batch.
    sequence: i64,
    change_date: i64,
}

impl Fold {
    /// The row of the user `added` creates, before anything else happens.
    fn added(added: &Event) -> Fold {
        Fold { sequence: added.sequence, change_date: added.created_at, ..Fold::default() }
    }
}

/// The users of `events` (one instance's, in order) whose row can be
/// folded: added in `events`, and every later event of theirs in it one
/// that only sets a flag or adds a link. Any other event of a user, or one
/// before its `HumanAdded`, leaves the user out.
pub(super) fn folds(events: &[Event]) -> HashMap<&str, Fold> {
    let mut seen: HashMap<&str, Option<Fold>> = HashMap::new();
    for e in events.iter().filter(|e| e.aggregate_type == "user") {
        let entry = seen.entry(e.aggregate_id.as_str());
        let Entry::Occupied(mut entry) = entry else {
            let first = (e.event_type == HumanAdded::TYPE).then(|| Fold::added(e));
            entry.insert_entry(first);
            continue;
        };
        let Some(fold) = entry.get_mut() else { continue };
        match e.event_type.as_str() {
            EmailVerified::TYPE => fold.email_verified = true,
            PhoneVerified::TYPE => fold.phone_verified = true,
            PasswordlessCodeRequested::TYPE => fold.passwordless_requested = true,
            ExternalIdpAdded::TYPE => {}
            _ => {
                entry.insert(None);
                continue;
            }
        }
        (fold.sequence, fold.change_date) = (e.sequence, e.created_at);
    }
    seen.into_iter().filter_map(|(id, fold)| Some((id, fold?))).collect()
}

/// Projects a run of events of one batchable type with a few multi-row
/// statements (imports bring them by the thousand); `folds` (see
/// [`folds`]) of the batch the run is part of. Same result as applying the
/// batch's events one by one.
pub(super) async fn apply_many(conn: &mut AnyConnection, events: &[Event], folds: &HashMap<&str, Fold>) -> Result<()> {
    let Some(first) = events.first() else { return Ok(()) };
    // The events whose user row is not written folded.
    let unfolded = || events.iter().filter(|e| !folds.contains_key(e.aggregate_id.as_str())).collect::<Vec<_>>();
    match first.event_type.as_str() {
        HumanAdded::TYPE => {
            let mut sql = crate::Sql::new(
                "INSERT INTO users (instance_id, id, resource_owner, user_type, state, username, first_name, \
                 last_name, nick_name, display_name, preferred_language, gender, email, email_verified, phone, \
                 phone_verified, password_hash, password_change_required, passwordless_requested, sequence, \
                 creation_date, change_date) VALUES ",
            );
            for (i, e) in events.iter().enumerate() {
                let p: HumanAdded = e.decode()?;
                let fold = folds.get(e.aggregate_id.as_str()).copied().unwrap_or_else(|| Fold::added(e));
                sql.push(if i == 0 { "(" } else { ", (" });
                sql.bind(&e.instance_id).push(", ").bind(&e.aggregate_id).push(", ").bind(&e.resource_owner);
                sql.push(", ").bind(UserType::Human.code()).push(", ").bind(UserState::Active.code());
                sql.push(", ").bind(p.user_name).push(", ").bind(p.first_name).push(", ");
                sql.bind(p.last_name).push(", ").bind(p.nick_name).push(", ").bind(p.display_name).push(", ");
                sql.bind(p.preferred_language).push(", ").bind(i64::from(p.gender)).push(", ").bind(p.email);
                sql.push(", ").bind(fold.email_verified).push(", ").bind(p.phone).push(", ");
                sql.bind(fold.phone_verified).push(", ").bind(sealed_json(p.encoded_hash.as_ref())).push(", ");
                sql.bind(p.change_required).push(", ").bind(fold.passwordless_requested).push(", ");
                sql.bind(fold.sequence).push(", ").bind(e.created_at).push(", ").bind(fold.change_date).push(")");
            }
            sql.query_for(conn).execute(&mut *conn).await.map_err(db_error("PROJ-usr20"))?;
            Ok(())
        }
        ExternalIdpAdded::TYPE => {
            let mut sql = crate::Sql::new(
                "INSERT INTO user_idp_links (instance_id, user_id, idp_id, external_user_id, display_name, \
                 resource_owner, sequence, creation_date) VALUES ",
            );
            for (i, e) in events.iter().enumerate() {
                let p: ExternalIdpAdded = e.decode()?;
                sql.push(if i == 0 { "(" } else { ", (" });
                sql.bind(&e.instance_id).push(", ").bind(&e.aggregate_id).push(", ").bind(p.idp_config_id);
                sql.push(", ").bind(p.user_id).push(", ").bind(p.display_name).push(", ");
                sql.bind(&e.resource_owner).push(", ").bind(e.sequence).push(", ").bind(e.created_at).push(")");
            }
            sql.query_for(conn).execute(&mut *conn).await.map_err(db_error("PROJ-usr21"))?;
            touch_many(conn, &unfolded(), None).await
        }
        EmailVerified::TYPE => touch_many(conn, &unfolded(), Some("email_verified")).await,
        PhoneVerified::TYPE => touch_many(conn, &unfolded(), Some("phone_verified")).await,
        PasswordlessCodeRequested::TYPE => touch_many(conn, &unfolded(), Some("passwordless_requested")).await,
        other => Err(burg_domain::Error::internal("PROJ-usr23", format!("{other} is not projected in batches"))),
    }
}

/// Sets each event's user's sequence and change date (and a 0/1 `flag`
/// column to 1) in one statement.
async fn touch_many(conn: &mut AnyConnection, events: &[&Event], flag: Option<&'static str>) -> Result<()> {
    let Some(first) = events.first() else { return Ok(()) };
    // The last event of each user wins, as applying them in order would.
    let mut last: Vec<(&str, i64, i64)> = Vec::new();
    let mut index = HashMap::new();
    for e in events {
        match index.get(e.aggregate_id.as_str()) {
            Some(&i) => last[i] = (e.aggregate_id.as_str(), e.sequence, e.created_at),
            None => {
                index.insert(e.aggregate_id.as_str(), last.len());
                last.push((e.aggregate_id.as_str(), e.sequence, e.created_at));
            }
        }
    }
    // `UPDATE … FROM (VALUES …)`: both backends name the columns of a
    // VALUES list column1, column2, …
    let mut sql = crate::Sql::new("UPDATE users SET ");
    if let Some(column) = flag {
        sql.push(column).push(" = 1, ");
    }
    sql.push("sequence = v.column2, change_date = v.column3 FROM (VALUES ");
    for (i, (id, seq, at)) in last.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" });
        sql.bind(*id).push(", ").bind(*seq).push(", ").bind(*at).push(")");
    }
    sql.push(") AS v WHERE users.instance_id = ").bind(&first.instance_id).push(" AND users.id = v.column1");
    sql.query_for(conn).execute(&mut *conn).await.map_err(db_error("PROJ-usr22"))?;
    Ok(())
}
