//! An organization's login policy: its own or the instance's, given with
//! its factors and providers, changed, reset, and the factors and
//! providers of its own changed one by one (ZITADEL's
//! `internal/command/org_policy_login.go`).

use burg_api::admin::UpdateLoginPolicyRequest;
use burg_api::idp::IdpOwnerType;
use burg_api::management as m;
use burg_api::zitadel::policy::v1 as policy;
use burg_domain::event::NewEvent;
use burg_domain::events::instance::LoginPolicy;
use burg_domain::events::org as oe;
use burg_domain::settings::Setting;
use burg_domain::state::IdpProviderType;
use burg_domain::{Error, Result, validate};
use burg_store::Conn;

use crate::list::{list_details, v1_page};
use crate::mgmt_org::org_aggregate;
use crate::policy::{Factors, ORG_LOGIN_MISSING, login_pb, login_value, to_link};
use crate::settings::Scope;
use crate::{App, Ctx, added_details, changed_details, retry};

/// The `idpProviderType` of an event for the wire's owner type.
fn provider_type(owner_type: i32) -> i32 {
    if owner_type == IdpOwnerType::Org as i32 {
        IdpProviderType::Org.event_code()
    } else {
        IdpProviderType::System.event_code()
    }
}

/// The members an add or update carries, in the Admin API's update shape
/// (the one the shared mapping reads).
macro_rules! as_update {
    ($r:expr) => {
        UpdateLoginPolicyRequest {
            allow_username_password: $r.allow_username_password,
            allow_register: $r.allow_register,
            allow_external_idp: $r.allow_external_idp,
            force_mfa: $r.force_mfa,
            passwordless_type: $r.passwordless_type,
            hide_password_reset: $r.hide_password_reset,
            ignore_unknown_usernames: $r.ignore_unknown_usernames,
            default_redirect_uri: $r.default_redirect_uri.clone(),
            password_check_lifetime: $r.password_check_lifetime,
            external_login_check_lifetime: $r.external_login_check_lifetime,
            mfa_init_skip_lifetime: $r.mfa_init_skip_lifetime,
            second_factor_check_lifetime: $r.second_factor_check_lifetime,
            multi_factor_check_lifetime: $r.multi_factor_check_lifetime,
            allow_domain_discovery: $r.allow_domain_discovery,
            disable_login_with_email: $r.disable_login_with_email,
            disable_login_with_phone: $r.disable_login_with_phone,
            force_mfa_local_only: $r.force_mfa_local_only,
        }
    };
}

/// `types` without repeats, each a defined type other than unspecified,
/// else InvalidArgument `id`.
fn factors(types: &[i32], defined: impl Fn(i32) -> bool, id: &'static str, field: &str) -> Result<Vec<i32>> {
    let mut out = Vec::new();
    for ty in types {
        if *ty == 0 || !defined(*ty) {
            return Err(Error::invalid_argument(
                id,
                format!("`{field}` must hold defined types other than unspecified"),
            ));
        }
        if !out.contains(ty) {
            out.push(*ty);
        }
    }
    Ok(out)
}

impl App {
    /// Whether template `idp_id` exists and is the instance's (`owner_type`
    /// SYSTEM) or organization `org`'s (ORG); `any` takes either.
    async fn template_of(&self, conn: &mut Conn, idp_id: &str, org: &str, owner_type: Option<i32>) -> Result<bool> {
        let Some(t) = self.load_template(&mut *conn, idp_id).await? else {
            return Ok(false);
        };
        let instance_owned = t.resource_owner == self.instance_id;
        let org_owned = t.resource_owner == org;
        Ok(match owner_type {
            Some(o) if o == IdpOwnerType::Org as i32 => org_owned,
            Some(_) => instance_owned,
            None => instance_owned || org_owned,
        })
    }

    pub async fn org_get_login_policy(
        &self,
        ctx: &Ctx,
        _r: m::GetLoginPolicyRequest,
    ) -> Result<m::GetLoginPolicyResponse> {
        let mut conn = self.db.acquire("POLICY-db010").await?;
        let current = self.setting::<LoginPolicy>(&mut conn, Scope::Org(ctx.org())).await?;
        let owner = if current.is_default { self.instance_id.clone() } else { ctx.org().to_string() };
        let links = burg_store::idp::policy_links(&mut *conn, &self.instance_id, &owner).await?;
        let is_default = current.is_default;
        Ok(m::GetLoginPolicyResponse { policy: Some(login_pb(current, links)), is_default })
    }

    pub async fn org_get_default_login_policy(
        &self,
        _ctx: &Ctx,
        _r: m::GetDefaultLoginPolicyRequest,
    ) -> Result<m::GetDefaultLoginPolicyResponse> {
        let mut conn = self.db.acquire("POLICY-db011").await?;
        let current = self.setting::<LoginPolicy>(&mut conn, Scope::Instance).await?;
        let links = burg_store::idp::policy_links(&mut *conn, &self.instance_id, &self.instance_id).await?;
        Ok(m::GetDefaultLoginPolicyResponse { policy: Some(login_pb(current, links)) })
    }

    /// The organization's own login policy, with its factors (as
    /// `…factor.added` events after the `added` one, as ZITADEL writes
    /// them) and the providers it offers.
    pub async fn org_add_custom_login_policy(
        &self,
        ctx: &Ctx,
        r: m::AddCustomLoginPolicyRequest,
    ) -> Result<m::AddCustomLoginPolicyResponse> {
        let second = factors(
            &r.second_factors,
            |t| policy::SecondFactorType::try_from(t).is_ok(),
            "Org-SFeea",
            "secondFactors",
        )?;
        let multi =
            factors(&r.multi_factors, |t| policy::MultiFactorType::try_from(t).is_ok(), "Org-WSfrg", "multiFactors")?;
        let value = login_value(&as_update!(r), "Org-WSfdq", second, multi)?;
        for idp in &r.idps {
            validate::len("idps.idpId", &idp.idp_id, 1, 200)?;
        }
        let org = ctx.org();
        let agg = org_aggregate(org);
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            self.require_active_org(tx.conn(), org).await?;
            if self.own_setting::<LoginPolicy>(tx.conn(), Scope::Org(org)).await?.is_some() {
                return Err(Error::already_exists("Org-Dgfb2", "the organization has its own login policy already"));
            }
            let mut events = value.added_events(&agg)?;
            let mut linked: Vec<&str> = Vec::new();
            for idp in &r.idps {
                if !self.template_of(tx.conn(), &idp.idp_id, org, None).await? {
                    return Err(Error::failed_precondition(
                        "Org-FEd32",
                        format!("identity provider {:?} not found", idp.idp_id),
                    ));
                }
                if linked.contains(&idp.idp_id.as_str()) {
                    continue;
                }
                linked.push(&idp.idp_id);
                let e = oe::LoginPolicyIdpAdded {
                    idp_config_id: idp.idp_id.clone(),
                    idp_provider_type: provider_type(idp.owner_type),
                };
                events.push(NewEvent::new(&agg, &e)?);
            }
            let events = tx.push(events).await?;
            tx.commit().await?;
            Ok(added_details(&events))
        })
        .await?;
        Ok(m::AddCustomLoginPolicyResponse { details })
    }

    pub async fn org_update_custom_login_policy(
        &self,
        ctx: &Ctx,
        r: m::UpdateCustomLoginPolicyRequest,
    ) -> Result<m::UpdateCustomLoginPolicyResponse> {
        let value = login_value(&as_update!(r), "Org-Sfd21", Vec::new(), Vec::new())?;
        let change = |current: &LoginPolicy| LoginPolicy {
            second_factors: current.second_factors.clone(),
            multi_factors: current.multi_factors.clone(),
            ..value.clone()
        };
        let details = self.change_setting(ctx, Scope::Org(ctx.org()), change, "Org-5M9vdd", "Org-M0sif").await?;
        Ok(m::UpdateCustomLoginPolicyResponse { details })
    }

    /// Takes the organization's login policy away; its providers go with
    /// it (the projection drops its links on `org.policy.login.removed`).
    pub async fn org_reset_login_policy_to_default(
        &self,
        ctx: &Ctx,
        _r: m::ResetLoginPolicyToDefaultRequest,
    ) -> Result<m::ResetLoginPolicyToDefaultResponse> {
        let details = self.reset_org_setting::<LoginPolicy>(ctx, ctx.org(), ORG_LOGIN_MISSING).await?;
        Ok(m::ResetLoginPolicyToDefaultResponse { details })
    }

    /// The providers of the login policy that applies to the organization.
    pub async fn org_list_login_policy_id_ps(
        &self,
        ctx: &Ctx,
        r: m::ListLoginPolicyIdPsRequest,
    ) -> Result<m::ListLoginPolicyIdPsResponse> {
        let page = v1_page(r.query.as_ref())?;
        let current = self.read_setting::<LoginPolicy>(Scope::Org(ctx.org())).await?;
        let owner = if current.is_default { self.instance_id.clone() } else { ctx.org().to_string() };
        let listed = burg_store::idp::list_policy_links(&self.db, &self.instance_id, &owner, page).await?;
        let result = listed.rows.into_iter().map(to_link).collect();
        let sequence = current.details.as_ref().map_or(0, |d| d.sequence as i64);
        Ok(m::ListLoginPolicyIdPsResponse { details: list_details(listed.total, sequence, self.now()), result })
    }

    pub async fn org_add_idp_to_login_policy(
        &self,
        ctx: &Ctx,
        r: m::AddIdpToLoginPolicyRequest,
    ) -> Result<m::AddIdpToLoginPolicyResponse> {
        let org = ctx.org();
        let agg = org_aggregate(org);
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if !self.has_own_setting::<LoginPolicy>(tx.conn(), Scope::Org(org)).await? {
                return Err(Error::not_found("Org-Ffgw2", "login policy not found"));
            }
            if !self.template_of(tx.conn(), &r.idp_id, org, Some(r.owner_type)).await? {
                return Err(Error::failed_precondition(
                    "Org-3N9fs",
                    format!("identity provider {:?} not found", r.idp_id),
                ));
            }
            if burg_store::idp::policy_offers(tx.conn(), &self.instance_id, org, &r.idp_id).await? {
                return Err(Error::already_exists(
                    "Org-2B0ps",
                    format!("identity provider {} is already in the login policy", r.idp_id),
                ));
            }
            let e = oe::LoginPolicyIdpAdded {
                idp_config_id: r.idp_id.clone(),
                idp_provider_type: provider_type(r.owner_type),
            };
            let events = tx.push(vec![NewEvent::new(&agg, &e)?]).await?;
            tx.commit().await?;
            Ok(added_details(&events))
        })
        .await?;
        Ok(m::AddIdpToLoginPolicyResponse { details })
    }

    pub async fn org_remove_idp_from_login_policy(
        &self,
        ctx: &Ctx,
        r: m::RemoveIdpFromLoginPolicyRequest,
    ) -> Result<m::RemoveIdpFromLoginPolicyResponse> {
        let org = ctx.org();
        let agg = org_aggregate(org);
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if !self.has_own_setting::<LoginPolicy>(tx.conn(), Scope::Org(org)).await? {
                return Err(Error::not_found("Org-GVDfe", "login policy not found"));
            }
            if !burg_store::idp::policy_offers(tx.conn(), &self.instance_id, org, &r.idp_id).await? {
                return Err(Error::not_found(
                    "Org-39fjs",
                    format!("identity provider {} is not in the login policy", r.idp_id),
                ));
            }
            let e = oe::LoginPolicyIdpRemoved { idp_config_id: r.idp_id.clone() };
            let events = tx.push(vec![NewEvent::new(&agg, &e)?]).await?;
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await?;
        Ok(m::RemoveIdpFromLoginPolicyResponse { details })
    }

    pub async fn org_list_login_policy_second_factors(
        &self,
        ctx: &Ctx,
        _r: m::ListLoginPolicySecondFactorsRequest,
    ) -> Result<m::ListLoginPolicySecondFactorsResponse> {
        let (result, details) = self.list_factors(Scope::Org(ctx.org()), Factors::Second).await?;
        Ok(m::ListLoginPolicySecondFactorsResponse { details, result })
    }

    pub async fn org_add_second_factor_to_login_policy(
        &self,
        ctx: &Ctx,
        r: m::AddSecondFactorToLoginPolicyRequest,
    ) -> Result<m::AddSecondFactorToLoginPolicyResponse> {
        let details = self.change_factor(ctx, Scope::Org(ctx.org()), Factors::Second, r.r#type, true).await?;
        Ok(m::AddSecondFactorToLoginPolicyResponse { details })
    }

    pub async fn org_remove_second_factor_from_login_policy(
        &self,
        ctx: &Ctx,
        r: m::RemoveSecondFactorFromLoginPolicyRequest,
    ) -> Result<m::RemoveSecondFactorFromLoginPolicyResponse> {
        let details = self.change_factor(ctx, Scope::Org(ctx.org()), Factors::Second, r.r#type, false).await?;
        Ok(m::RemoveSecondFactorFromLoginPolicyResponse { details })
    }

    pub async fn org_list_login_policy_multi_factors(
        &self,
        ctx: &Ctx,
        _r: m::ListLoginPolicyMultiFactorsRequest,
    ) -> Result<m::ListLoginPolicyMultiFactorsResponse> {
        let (result, details) = self.list_factors(Scope::Org(ctx.org()), Factors::Multi).await?;
        Ok(m::ListLoginPolicyMultiFactorsResponse { details, result })
    }

    pub async fn org_add_multi_factor_to_login_policy(
        &self,
        ctx: &Ctx,
        r: m::AddMultiFactorToLoginPolicyRequest,
    ) -> Result<m::AddMultiFactorToLoginPolicyResponse> {
        let details = self.change_factor(ctx, Scope::Org(ctx.org()), Factors::Multi, r.r#type, true).await?;
        Ok(m::AddMultiFactorToLoginPolicyResponse { details })
    }

    pub async fn org_remove_multi_factor_from_login_policy(
        &self,
        ctx: &Ctx,
        r: m::RemoveMultiFactorFromLoginPolicyRequest,
    ) -> Result<m::RemoveMultiFactorFromLoginPolicyResponse> {
        let details = self.change_factor(ctx, Scope::Org(ctx.org()), Factors::Multi, r.r#type, false).await?;
        Ok(m::RemoveMultiFactorFromLoginPolicyResponse { details })
    }
}
