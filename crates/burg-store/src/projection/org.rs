//! `orgs`, `org_domains`, `org_members`; removing an org removes what it owns.

use burg_domain::Result;
use burg_domain::event::{Event, Payload};
use burg_domain::events::org::*;
use burg_domain::state::{DomainValidationType, IdpOwnerType, OrgState};
use sqlx::AnyConnection;

use super::roles_json;
use crate::db_error;

pub(super) async fn apply(conn: &mut AnyConnection, e: &Event) -> Result<()> {
    let (inst, org, seq, at) = (&e.instance_id, &e.aggregate_id, e.sequence, e.created_at);
    match e.event_type.as_str() {
        OrgAdded::TYPE => {
            let p: OrgAdded = e.decode()?;
            sqlx::query(
                "INSERT INTO orgs (instance_id, id, name, state, primary_domain, sequence, creation_date, change_date) \
                 VALUES ($1, $2, $3, $4, '', $5, $6, $6)",
            )
            .bind(inst)
            .bind(org)
            .bind(p.name)
            .bind(OrgState::Active.code())
            .bind(seq)
            .bind(at)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-org01"))?;
            return Ok(());
        }
        OrgChanged::TYPE => {
            let p: OrgChanged = e.decode()?;
            sqlx::query("UPDATE orgs SET name = $1 WHERE instance_id = $2 AND id = $3")
                .bind(p.name)
                .bind(inst)
                .bind(org)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-org02"))?;
        }
        OrgDeactivated::TYPE | OrgReactivated::TYPE => {
            let state = if e.event_type == OrgDeactivated::TYPE { OrgState::Inactive } else { OrgState::Active };
            sqlx::query("UPDATE orgs SET state = $1 WHERE instance_id = $2 AND id = $3")
                .bind(state.code())
                .bind(inst)
                .bind(org)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-org03"))?;
        }
        OrgRemoved::TYPE => {
            remove_org(conn, inst, org).await?;
            return Ok(());
        }
        DomainAdded::TYPE => {
            let p: DomainAdded = e.decode()?;
            sqlx::query(
                "INSERT INTO org_domains (instance_id, org_id, domain, is_verified, is_primary, validation_type, sequence, \
                 creation_date, change_date) VALUES ($1, $2, $3, 0, 0, $4, $5, $6, $6)",
            )
            .bind(inst)
            .bind(org)
            .bind(p.domain)
            .bind(DomainValidationType::Unspecified.code())
            .bind(seq)
            .bind(at)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-org04"))?;
        }
        DomainVerificationAdded::TYPE => {
            let p: DomainVerificationAdded = e.decode()?;
            let code = match &p.validation_code {
                Some(sealed) => serde_json::to_string(sealed).map_err(|e| {
                    burg_domain::Error::internal("PROJ-org13", format!("cannot encode a sealed value: {e}"))
                })?,
                None => String::new(),
            };
            sqlx::query(
                "UPDATE org_domains SET validation_type = $1, validation_code = $2, sequence = $3, change_date = $4 \
                 WHERE instance_id = $5 AND org_id = $6 AND domain = $7",
            )
            .bind(i64::from(p.validation_type))
            .bind(code)
            .bind(seq)
            .bind(at)
            .bind(inst)
            .bind(org)
            .bind(p.domain)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-org14"))?;
        }
        DomainVerificationFailed::TYPE => {}
        MetadataSet::TYPE => {
            let p: MetadataSet = e.decode()?;
            sqlx::query(
                "INSERT INTO org_metadata (instance_id, org_id, meta_key, meta_value, sequence, creation_date, change_date) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (instance_id, org_id, meta_key) DO UPDATE SET \
                 meta_value = excluded.meta_value, sequence = excluded.sequence, change_date = excluded.change_date",
            )
            .bind(inst)
            .bind(org)
            .bind(p.key)
            .bind(p.value)
            .bind(seq)
            .bind(at)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-org15"))?;
        }
        MetadataRemoved::TYPE => {
            let p: MetadataRemoved = e.decode()?;
            sqlx::query("DELETE FROM org_metadata WHERE instance_id = $1 AND org_id = $2 AND meta_key = $3")
                .bind(inst)
                .bind(org)
                .bind(p.key)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-org16"))?;
        }
        DomainVerified::TYPE => {
            let p: DomainVerified = e.decode()?;
            sqlx::query(
                "UPDATE org_domains SET is_verified = 1, validation_code = '', sequence = $1, change_date = $2 \
                 WHERE instance_id = $3 AND org_id = $4 AND domain = $5",
            )
            .bind(seq)
            .bind(at)
            .bind(inst)
            .bind(org)
            .bind(p.domain)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-org05"))?;
        }
        DomainPrimarySet::TYPE => {
            let p: DomainPrimarySet = e.decode()?;
            sqlx::query(
                "UPDATE org_domains SET is_primary = CASE WHEN domain = $1 THEN 1 ELSE 0 END, sequence = $2, change_date = $3 \
                 WHERE instance_id = $4 AND org_id = $5",
            )
            .bind(&p.domain)
            .bind(seq)
            .bind(at)
            .bind(inst)
            .bind(org)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-org06"))?;
            sqlx::query("UPDATE orgs SET primary_domain = $1 WHERE instance_id = $2 AND id = $3")
                .bind(p.domain)
                .bind(inst)
                .bind(org)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-org07"))?;
        }
        DomainRemoved::TYPE => {
            let p: DomainRemoved = e.decode()?;
            sqlx::query("DELETE FROM org_domains WHERE instance_id = $1 AND org_id = $2 AND domain = $3")
                .bind(inst)
                .bind(org)
                .bind(&p.domain)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-org08"))?;
            sqlx::query(
                "UPDATE orgs SET primary_domain = '' WHERE instance_id = $1 AND id = $2 AND primary_domain = $3",
            )
            .bind(inst)
            .bind(org)
            .bind(p.domain)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-org09"))?;
        }
        MemberAdded::TYPE => {
            let p: MemberAdded = e.decode()?;
            sqlx::query(
                "INSERT INTO org_members (instance_id, org_id, user_id, roles, sequence, creation_date, change_date) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(inst)
            .bind(org)
            .bind(p.user_id)
            .bind(roles_json(&p.roles))
            .bind(seq)
            .bind(at)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-org10"))?;
        }
        MemberChanged::TYPE => {
            let p: MemberChanged = e.decode()?;
            sqlx::query(
                "UPDATE org_members SET roles = $1, sequence = $2, change_date = $3 \
                 WHERE instance_id = $4 AND org_id = $5 AND user_id = $6",
            )
            .bind(roles_json(&p.roles))
            .bind(seq)
            .bind(at)
            .bind(inst)
            .bind(org)
            .bind(p.user_id)
            .execute(&mut *conn)
            .await
            .map_err(db_error("PROJ-org11"))?;
        }
        MemberRemoved::TYPE | MemberCascadeRemoved::TYPE => {
            let user_id = e.payload.get("userId").and_then(|v| v.as_str()).unwrap_or_default();
            sqlx::query("DELETE FROM org_members WHERE instance_id = $1 AND org_id = $2 AND user_id = $3")
                .bind(inst)
                .bind(org)
                .bind(user_id)
                .execute(&mut *conn)
                .await
                .map_err(db_error("PROJ-org12"))?;
        }
        t if burg_domain::idp_config::ORG.all().contains(&t) => {
            super::idp_config::apply(conn, e, IdpOwnerType::Org).await?;
        }
        t if burg_domain::idp::carries_template(t) => super::idp_config::template(conn, e, IdpOwnerType::Org).await?,
        burg_domain::idp::ORG_REMOVED => {
            let id = e.payload.get("id").and_then(|v| v.as_str()).unwrap_or_default();
            super::idp_config::remove_template(conn, inst, id).await?;
        }
        LoginPolicyIdpAdded::TYPE => super::add_policy_link(conn, e).await?,
        LoginPolicyIdpRemoved::TYPE | LoginPolicyIdpCascadeRemoved::TYPE => super::remove_policy_link(conn, e).await?,
        t => {
            if let Some((kind, op)) = burg_domain::settings::of_event(t) {
                crate::settings::apply(conn, e, kind, op).await?;
                // A reset also drops the document an earlier release's
                // import kept the policy as (read while there is no row).
                if op == burg_domain::settings::SettingOp::Remove
                    && let Some(document) = imported_document_kind(kind)
                {
                    sqlx::query(
                        "DELETE FROM org_objects WHERE instance_id = $1 AND org_id = $2 AND kind = $3 \
                         AND object_key = ''",
                    )
                    .bind(inst)
                    .bind(org)
                    .bind(document)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_error("PROJ-org24"))?;
                }
                // An organization's login policy takes the providers it
                // offers with it, as ZITADEL's link projection does.
                if op == burg_domain::settings::SettingOp::Remove
                    && kind == <burg_domain::events::instance::LoginPolicy as burg_domain::settings::Setting>::KIND
                {
                    sqlx::query("DELETE FROM login_policy_idps WHERE instance_id = $1 AND owner_id = $2")
                        .bind(inst)
                        .bind(org)
                        .execute(&mut *conn)
                        .await
                        .map_err(db_error("PROJ-org23"))?;
                }
            }
        }
    }
    sqlx::query("UPDATE orgs SET sequence = $1, change_date = $2 WHERE instance_id = $3 AND id = $4")
        .bind(seq)
        .bind(at)
        .bind(inst)
        .bind(org)
        .execute(&mut *conn)
        .await
        .map_err(db_error("PROJ-org99"))?;
    Ok(())
}

/// The `org_objects` kind under which an import kept an organization's
/// policy of setting `kind` (the import's section kinds).
fn imported_document_kind(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "policy.login" => "login_policy",
        "policy.label" => "label_policy",
        "policy.lockout" => "lockout_policy",
        "policy.password.complexity" => "password_complexity_policy",
        "policy.privacy" => "privacy_policy",
        "policy.domain" => "domain_policy",
        _ => return None,
    })
}

/// Deletes an organization and every read row it owns.
async fn remove_org(conn: &mut AnyConnection, inst: &str, org: &str) -> Result<()> {
    const STATEMENTS: &[&str] = &[
        "DELETE FROM personal_access_tokens WHERE instance_id = $1 AND user_id IN \
         (SELECT id FROM users WHERE instance_id = $1 AND resource_owner = $2)",
        "DELETE FROM iam_members WHERE instance_id = $1 AND user_id IN \
         (SELECT id FROM users WHERE instance_id = $1 AND resource_owner = $2)",
        "DELETE FROM org_members WHERE instance_id = $1 AND (org_id = $2 OR user_id IN \
         (SELECT id FROM users WHERE instance_id = $1 AND resource_owner = $2))",
        "DELETE FROM user_idp_links WHERE instance_id = $1 AND resource_owner = $2",
        "DELETE FROM users WHERE instance_id = $1 AND resource_owner = $2",
        "DELETE FROM org_domains WHERE instance_id = $1 AND org_id = $2",
        "DELETE FROM org_metadata WHERE instance_id = $1 AND org_id = $2",
        "DELETE FROM org_objects WHERE instance_id = $1 AND org_id = $2",
        "DELETE FROM login_policy_idps WHERE instance_id = $1 AND owner_id = $2",
        "DELETE FROM settings WHERE instance_id = $1 AND owner_id = $2",
        "DELETE FROM idp_templates WHERE instance_id = $1 AND resource_owner = $2",
        "DELETE FROM idp_configs WHERE instance_id = $1 AND resource_owner = $2",
        "DELETE FROM orgs WHERE instance_id = $1 AND id = $2",
    ];
    for statement in STATEMENTS {
        sqlx::query(*statement).bind(inst).bind(org).execute(&mut *conn).await.map_err(db_error("PROJ-org20"))?;
    }
    Ok(())
}
