//! `instances`, `instance_domains`, `iam_members`, the instance's settings.

use burg_domain::Result;
use burg_domain::event::{Event, Payload};
use burg_domain::events::instance::*;
use burg_domain::idp;
use burg_domain::settings::{self, Setting};
use burg_domain::state::{IdpOwnerType, InstanceState};
use sqlx::AnyConnection;

use super::roles_json;
use crate::db_error;

pub(super) async fn apply(conn: &mut AnyConnection, e: &Event) -> Result<()> {
    let (inst, seq, at) = (&e.instance_id, e.sequence, e.created_at);
    match e.event_type.as_str() {
        InstanceAdded::TYPE => {
            let p: InstanceAdded = e.decode()?;
            sqlx::query(
                "INSERT INTO instances (id, name, state, default_language, default_org_id, sequence, creation_date, change_date) \
                 VALUES ($1, $2, $3, '', '', $4, $5, $5)",
            )
            .bind(&e.aggregate_id)
            .bind(p.name)
            .bind(InstanceState::Running.code())
            .bind(seq)
            .bind(at)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-ins01"))?;
            return Ok(());
        }
        InstanceChanged::TYPE => {
            let p: InstanceChanged = e.decode()?;
            sqlx::query("UPDATE instances SET name = $1 WHERE id = $2")
                .bind(p.name)
                .bind(&e.aggregate_id)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-ins02"))?;
        }
        DefaultLanguageSet::TYPE => {
            let p: DefaultLanguageSet = e.decode()?;
            sqlx::query("UPDATE instances SET default_language = $1 WHERE id = $2")
                .bind(p.language)
                .bind(&e.aggregate_id)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-ins03"))?;
        }
        DefaultOrgSet::TYPE => {
            let p: DefaultOrgSet = e.decode()?;
            sqlx::query("UPDATE instances SET default_org_id = $1 WHERE id = $2")
                .bind(p.org_id)
                .bind(&e.aggregate_id)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-ins04"))?;
        }
        DomainAdded::TYPE => {
            let p: DomainAdded = e.decode()?;
            sqlx::query(
                "INSERT INTO instance_domains (instance_id, domain, is_primary, is_generated, sequence, creation_date, change_date) \
                 VALUES ($1, $2, 0, $3, $4, $5, $5)",
            )
            .bind(inst)
            .bind(p.domain)
            .bind(i64::from(p.generated))
            .bind(seq)
            .bind(at)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-ins05"))?;
        }
        DomainPrimarySet::TYPE => {
            let p: DomainPrimarySet = e.decode()?;
            sqlx::query(
                "UPDATE instance_domains SET is_primary = CASE WHEN domain = $1 THEN 1 ELSE 0 END, sequence = $2, \
                 change_date = $3 WHERE instance_id = $4",
            )
            .bind(p.domain)
            .bind(seq)
            .bind(at)
            .bind(inst)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-ins06"))?;
        }
        DomainRemoved::TYPE => {
            let p: DomainRemoved = e.decode()?;
            sqlx::query("DELETE FROM instance_domains WHERE instance_id = $1 AND domain = $2")
                .bind(inst)
                .bind(p.domain)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-ins07"))?;
        }
        MemberAdded::TYPE => {
            let p: MemberAdded = e.decode()?;
            sqlx::query(
                "INSERT INTO iam_members (instance_id, user_id, roles, sequence, creation_date, change_date) \
                 VALUES ($1, $2, $3, $4, $5, $5)",
            )
            .bind(inst)
            .bind(p.user_id)
            .bind(roles_json(&p.roles))
            .bind(seq)
            .bind(at)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-ins08"))?;
        }
        MemberChanged::TYPE => {
            let p: MemberChanged = e.decode()?;
            sqlx::query(
                "UPDATE iam_members SET roles = $1, sequence = $2, change_date = $3 WHERE instance_id = $4 AND user_id = $5",
            )
            .bind(roles_json(&p.roles))
            .bind(seq)
            .bind(at)
            .bind(inst)
            .bind(p.user_id)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-ins09"))?;
        }
        MemberRemoved::TYPE | MemberCascadeRemoved::TYPE => {
            let user_id = e.payload.get("userId").and_then(|v| v.as_str()).unwrap_or_default();
            sqlx::query("DELETE FROM iam_members WHERE instance_id = $1 AND user_id = $2")
                .bind(inst)
                .bind(user_id)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-ins10"))?;
        }
        LoginPolicyIdpAdded::TYPE => {
            super::add_policy_link(conn, e).await?;
            crate::settings::touch(conn, e, LoginPolicy::KIND).await?;
        }
        LoginPolicyIdpRemoved::TYPE | LoginPolicyIdpCascadeRemoved::TYPE => {
            super::remove_policy_link(conn, e).await?;
            crate::settings::touch(conn, e, LoginPolicy::KIND).await?;
        }
        IdpRemoved::TYPE => {
            let p: IdpRemoved = e.decode()?;
            super::idp_config::remove_template(conn, inst, &p.id).await?;
        }
        t if settings::of_event(t).is_some() => {
            if let Some((kind, op)) = settings::of_event(t) {
                crate::settings::apply(conn, e, kind, op).await?;
            }
        }
        t if burg_domain::idp_config::INSTANCE.all().contains(&t) => {
            super::idp_config::apply(conn, e, IdpOwnerType::System).await?;
        }
        t if burg_domain::notify::is_provider_event(t) => super::notify::apply(conn, e).await?,
        t if idp::carries_template(t) => super::idp_config::template(conn, e, IdpOwnerType::System).await?,
        _ => {
            crate::instance_settings::apply(conn, e).await?;
        }
    }
    // Every instance event advances the instance's details.
    sqlx::query("UPDATE instances SET sequence = $1, change_date = $2 WHERE id = $3")
        .bind(seq)
        .bind(at)
        .bind(&e.aggregate_id)
        .execute(&mut *conn)
        .await
        .map_err(db_error("PROJ-ins99"))?;
    Ok(())
}
