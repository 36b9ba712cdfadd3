//! The login policy, a setting (`settings.rs`): its wire mapping and
//! validation, and the identity providers it offers (links to the
//! templates of `idp`).

use burg_api::admin::{
    self as a, GetLoginPolicyRequest, GetLoginPolicyResponse, UpdateLoginPolicyRequest, UpdateLoginPolicyResponse,
};
use burg_api::idp::{self as pb, IdpLoginPolicyLink};
use burg_api::zitadel::policy::v1 as policy;
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::instance as ie;
use burg_domain::events::instance::LoginPolicy;
use burg_domain::idp::Kind;
use burg_domain::state::IdpProviderType;
use burg_domain::{Error, Result, validate};
use burg_store::idp::PolicyLink;

use crate::list::{list_details, v1_page};
use crate::settings::Scope;
use crate::{App, Ctx, added_details, changed_details, retry};

/// The `idpProviderType` of a login-policy link to an instance template
/// (ZITADEL's 0, left out of the payload).
const PROVIDER_TYPE_SYSTEM: i32 = IdpProviderType::System.event_code();

/// The older `IDPType` of a link, from the template's kind: only OIDC and
/// JWT have one.
fn legacy_idp_type(kind: Kind) -> i32 {
    match kind {
        Kind::Oidc => pb::IdpType::Oidc as i32,
        Kind::Jwt => pb::IdpType::Jwt as i32,
        _ => pb::IdpType::Unspecified as i32,
    }
}

/// The wire form of a login policy's link.
fn to_link(link: PolicyLink) -> IdpLoginPolicyLink {
    IdpLoginPolicyLink { idp_id: link.idp_id, idp_name: link.name, idp_type: legacy_idp_type(link.kind) }
}

/// A lifetime as stored, in whole seconds. As ZITADEL, any duration is
/// taken, negative ones included (its converter has no sign check).
fn seconds(d: Option<burg_api::wkt::Duration>) -> i64 {
    d.map_or(0, |d| d.seconds)
}

fn duration(seconds: i64) -> Option<burg_api::wkt::Duration> {
    Some(burg_api::wkt::Duration { seconds, nanos: 0 })
}

impl App {
    pub async fn get_login_policy(&self, _ctx: &Ctx, _r: GetLoginPolicyRequest) -> Result<GetLoginPolicyResponse> {
        let mut conn = self.db.acquire("POLICY-db003").await?;
        let current = self.setting::<LoginPolicy>(&mut conn, Scope::Instance).await?;
        let p = current.value;
        let links = burg_store::idp::policy_links(&mut *conn, &self.instance_id, &self.instance_id).await?;
        let idps = links.into_iter().map(to_link).collect();
        Ok(GetLoginPolicyResponse {
            policy: Some(policy::LoginPolicy {
                details: current.details,
                allow_username_password: p.allow_username_password,
                allow_register: p.allow_register,
                allow_external_idp: p.allow_external_idp,
                force_mfa: p.force_mfa,
                passwordless_type: p.passwordless_type,
                is_default: current.is_default,
                hide_password_reset: p.hide_password_reset,
                ignore_unknown_usernames: p.ignore_unknown_usernames,
                default_redirect_uri: p.default_redirect_uri,
                password_check_lifetime: duration(p.password_check_lifetime),
                external_login_check_lifetime: duration(p.external_login_check_lifetime),
                mfa_init_skip_lifetime: duration(p.mfa_init_skip_lifetime),
                second_factor_check_lifetime: duration(p.second_factor_check_lifetime),
                multi_factor_check_lifetime: duration(p.multi_factor_check_lifetime),
                second_factors: p.second_factors,
                multi_factors: p.multi_factors,
                idps,
                allow_domain_discovery: p.allow_domain_discovery,
                disable_login_with_email: p.disable_login_with_email,
                disable_login_with_phone: p.disable_login_with_phone,
                force_mfa_local_only: p.force_mfa_local_only,
            }),
        })
    }

    pub async fn update_login_policy(
        &self,
        ctx: &Ctx,
        r: UpdateLoginPolicyRequest,
    ) -> Result<UpdateLoginPolicyResponse> {
        validate::defined_enum(
            "passwordlessType",
            r.passwordless_type,
            policy::PasswordlessType::try_from(r.passwordless_type).is_ok(),
        )?;
        // ZITADEL's `domain.ValidateDefaultRedirectURI`: empty, or a URL
        // with a scheme (http and https need a host); no length rule.
        if !validate::default_redirect_uri_ok(&r.default_redirect_uri) {
            return Err(Error::invalid_argument(
                "IAM-SFdqd",
                "`defaultRedirectUri` must be empty or a URL with a scheme (http and https need a host)",
            ));
        }
        let lifetimes = [
            seconds(r.password_check_lifetime),
            seconds(r.external_login_check_lifetime),
            seconds(r.mfa_init_skip_lifetime),
            seconds(r.second_factor_check_lifetime),
            seconds(r.multi_factor_check_lifetime),
        ];
        let change = |current: &LoginPolicy| LoginPolicy {
            allow_username_password: r.allow_username_password,
            allow_register: r.allow_register,
            allow_external_idp: r.allow_external_idp,
            force_mfa: r.force_mfa,
            force_mfa_local_only: r.force_mfa_local_only,
            passwordless_type: r.passwordless_type,
            hide_password_reset: r.hide_password_reset,
            ignore_unknown_usernames: r.ignore_unknown_usernames,
            allow_domain_discovery: r.allow_domain_discovery,
            disable_login_with_email: r.disable_login_with_email,
            disable_login_with_phone: r.disable_login_with_phone,
            default_redirect_uri: r.default_redirect_uri.clone(),
            password_check_lifetime: lifetimes[0],
            external_login_check_lifetime: lifetimes[1],
            mfa_init_skip_lifetime: lifetimes[2],
            second_factor_check_lifetime: lifetimes[3],
            multi_factor_check_lifetime: lifetimes[4],
            second_factors: current.second_factors.clone(),
            multi_factors: current.multi_factors.clone(),
        };
        let details = self.change_setting(ctx, Scope::Instance, change, "INSTANCE-5M9vdd", "POLICY-none1").await?;
        Ok(UpdateLoginPolicyResponse { details })
    }

    pub async fn list_login_policy_id_ps(
        &self,
        _ctx: &Ctx,
        r: a::ListLoginPolicyIdPsRequest,
    ) -> Result<a::ListLoginPolicyIdPsResponse> {
        let page = v1_page(r.query.as_ref())?;
        let listed = burg_store::idp::list_policy_links(&self.db, &self.instance_id, &self.instance_id, page).await?;
        let result = listed.rows.into_iter().map(to_link).collect();
        let seq = self.instance_row(self.db.pool()).await?.sequence;
        Ok(a::ListLoginPolicyIdPsResponse { details: list_details(listed.total, seq, self.now()), result })
    }

    pub async fn add_idp_to_login_policy(
        &self,
        ctx: &Ctx,
        r: a::AddIdpToLoginPolicyRequest,
    ) -> Result<a::AddIdpToLoginPolicyResponse> {
        validate::len("idpId", &r.idp_id, 1, 200)?;
        let inst = Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id);
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            // A reference inside a write: ZITADEL's FailedPrecondition.
            if self.load_template(tx.conn(), &r.idp_id).await?.is_none() {
                return Err(Error::failed_precondition(
                    "INSTANCE-m8fsd",
                    format!("identity provider {:?} not found", r.idp_id),
                ));
            }
            if self.policy_links(tx.conn(), &r.idp_id).await? {
                return Err(Error::already_exists(
                    "INSTANCE-2B0ps",
                    format!("identity provider {} is already in the login policy", r.idp_id),
                ));
            }
            let e =
                ie::LoginPolicyIdpAdded { idp_config_id: r.idp_id.clone(), idp_provider_type: PROVIDER_TYPE_SYSTEM };
            let events = tx.push(vec![NewEvent::new(&inst, &e)?]).await?;
            tx.commit().await?;
            Ok(added_details(&events))
        })
        .await?;
        Ok(a::AddIdpToLoginPolicyResponse { details })
    }

    pub async fn remove_idp_from_login_policy(
        &self,
        ctx: &Ctx,
        r: a::RemoveIdpFromLoginPolicyRequest,
    ) -> Result<a::RemoveIdpFromLoginPolicyResponse> {
        validate::len("idpId", &r.idp_id, 1, 200)?;
        let inst = Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id);
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if !self.policy_links(tx.conn(), &r.idp_id).await? {
                return Err(Error::not_found(
                    "INSTANCE-39fjs",
                    format!("identity provider {} is not in the login policy", r.idp_id),
                ));
            }
            let e = ie::LoginPolicyIdpRemoved { idp_config_id: r.idp_id.clone() };
            let events = tx.push(vec![NewEvent::new(&inst, &e)?]).await?;
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await?;
        Ok(a::RemoveIdpFromLoginPolicyResponse { details })
    }

    /// Whether the instance's login policy offers `idp_id`.
    async fn policy_links(&self, conn: &mut burg_store::Conn, idp_id: &str) -> Result<bool> {
        burg_store::idp::policy_offers(conn, &self.instance_id, &self.instance_id, idp_id).await
    }
}
