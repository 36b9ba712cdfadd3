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
use burg_domain::settings::Setting;
use burg_domain::state::IdpProviderType;
use burg_domain::{Error, Result, validate};
use burg_store::idp::PolicyLink;

use crate::list::{list_details, v1_page};
use crate::settings::{Current, Scope};
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

/// The older `IDPType` of a provider stored with `ProviderType`
/// `provider_type` (ZITADEL's `IDPTypeToPb`): 0 for one that is gone.
pub(crate) fn link_idp_type(provider_type: i64) -> i32 {
    Kind::from_provider_type(provider_type).map_or(pb::IdpType::Unspecified as i32, legacy_idp_type)
}

/// The wire form of a login policy's link.
pub(crate) fn to_link(link: PolicyLink) -> IdpLoginPolicyLink {
    IdpLoginPolicyLink { idp_id: link.idp_id, idp_name: link.name, idp_type: legacy_idp_type(link.kind) }
}

/// A lifetime as stored, in whole seconds. As ZITADEL, any duration is
/// taken, negative ones included (its converter has no sign check).
fn seconds(d: Option<burg_api::wkt::Duration>) -> i64 {
    d.map_or(0, |d| d.seconds)
}

pub(crate) fn duration(seconds: i64) -> Option<burg_api::wkt::Duration> {
    Some(burg_api::wkt::Duration { seconds, nanos: 0 })
}

/// The wire form of a login policy as read, with the providers it offers.
pub(crate) fn login_pb(current: Current<LoginPolicy>, links: Vec<PolicyLink>) -> policy::LoginPolicy {
    let p = current.value;
    policy::LoginPolicy {
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
        idps: links.into_iter().map(to_link).collect(),
        allow_domain_discovery: p.allow_domain_discovery,
        disable_login_with_email: p.disable_login_with_email,
        disable_login_with_phone: p.disable_login_with_phone,
        force_mfa_local_only: p.force_mfa_local_only,
    }
}

/// A login policy from the members of an update (the Admin API's, or the
/// Management API's add and update in that shape) and the factors it
/// keeps, checked as ZITADEL's commands check it; `redirect_id` is the
/// id of an invalid `defaultRedirectUri` (it differs per command).
pub(crate) fn login_value(
    r: &UpdateLoginPolicyRequest,
    redirect_id: &'static str,
    second_factors: Vec<i32>,
    multi_factors: Vec<i32>,
) -> Result<LoginPolicy> {
    validate::defined_enum(
        "passwordlessType",
        r.passwordless_type,
        policy::PasswordlessType::try_from(r.passwordless_type).is_ok(),
    )?;
    // ZITADEL's `domain.ValidateDefaultRedirectURI`: empty, or a URL
    // with a scheme (http and https need a host); no length rule.
    if !validate::default_redirect_uri_ok(&r.default_redirect_uri) {
        return Err(Error::invalid_argument(
            redirect_id,
            "`defaultRedirectUri` must be empty or a URL with a scheme (http and https need a host)",
        ));
    }
    Ok(LoginPolicy {
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
        password_check_lifetime: seconds(r.password_check_lifetime),
        external_login_check_lifetime: seconds(r.external_login_check_lifetime),
        mfa_init_skip_lifetime: seconds(r.mfa_init_skip_lifetime),
        second_factor_check_lifetime: seconds(r.second_factor_check_lifetime),
        multi_factor_check_lifetime: seconds(r.multi_factor_check_lifetime),
        second_factors,
        multi_factors,
    })
}

impl App {
    pub async fn get_login_policy(&self, _ctx: &Ctx, _r: GetLoginPolicyRequest) -> Result<GetLoginPolicyResponse> {
        let mut conn = self.db.acquire("POLICY-db003").await?;
        let current = self.setting::<LoginPolicy>(&mut conn, Scope::Instance).await?;
        let idps = burg_store::idp::policy_links(&mut *conn, &self.instance_id, &self.instance_id).await?;
        Ok(GetLoginPolicyResponse { policy: Some(login_pb(current, idps)) })
    }

    pub async fn update_login_policy(
        &self,
        ctx: &Ctx,
        r: UpdateLoginPolicyRequest,
    ) -> Result<UpdateLoginPolicyResponse> {
        // The factors are the stored ones.
        let value = login_value(&r, "IAM-SFdqd", Vec::new(), Vec::new())?;
        let change = |current: &LoginPolicy| LoginPolicy {
            second_factors: current.second_factors.clone(),
            multi_factors: current.multi_factors.clone(),
            ..value.clone()
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
                    crate::shared_ids::POLICY_IDP_NOT_FOUND,
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

/// An organization's login policy that a write of its parts does not
/// find: ZITADEL's `RemoveLoginPolicy` id (its factor commands do not
/// look at the policy; burg keeps the factors in it, so it must exist).
pub(crate) const ORG_LOGIN_MISSING: &str = "Org-GHB37";

/// Which list of the login policy's factors an RPC works on, with
/// ZITADEL's error ids for it (`command/instance_policy_login.go`, and
/// `org_policy_login.go` for an organization's, `org` true).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Factors {
    Second,
    Multi,
}

impl Factors {
    fn list(self, p: &LoginPolicy) -> &Vec<i32> {
        match self {
            Factors::Second => &p.second_factors,
            Factors::Multi => &p.multi_factors,
        }
    }

    fn list_mut(self, p: &mut LoginPolicy) -> &mut Vec<i32> {
        match self {
            Factors::Second => &mut p.second_factors,
            Factors::Multi => &mut p.multi_factors,
        }
    }

    fn defined(self, ty: i32) -> bool {
        match self {
            Factors::Second => policy::SecondFactorType::try_from(ty).is_ok(),
            Factors::Multi => policy::MultiFactorType::try_from(ty).is_ok(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Factors::Second => "second factor",
            Factors::Multi => "multi factor",
        }
    }

    /// The id of an add that finds the factor in the policy (AlreadyExists).
    fn exists_id(self, org: bool) -> &'static str {
        match (self, org) {
            (Factors::Second, false) => "INSTANCE-2B0ps",
            (Factors::Multi, false) => "INSTANCE-3M9od",
            (Factors::Second, true) => "Org-2B0ps",
            (Factors::Multi, true) => "Org-3M9od",
        }
    }

    /// The id of a remove that does not find it (NotFound).
    fn missing_id(self, org: bool) -> &'static str {
        match (self, org) {
            (Factors::Second, false) => "INSTANCE-3M9od",
            (Factors::Multi, false) => "INSTANCE-3M9df",
            (Factors::Second, true) => "Org-3M9od",
            (Factors::Multi, true) => "Org-3M9df",
        }
    }

    /// The id of an unspecified type (InvalidArgument) on add and remove.
    fn unspecified_id(self, add: bool, org: bool) -> &'static str {
        match (self, add, org) {
            (_, true, false) => "INSTANCE-5m9fs",
            (Factors::Second, false, false) => "INSTANCE-55n8s",
            (Factors::Multi, false, false) => "INSTANCE-33m9F",
            (Factors::Second, false, true) => "Org-55n8s",
            (_, _, true) => "Org-5m9fs",
        }
    }
}

impl App {
    /// The factors of one list of the login policy that applies in
    /// `scope`, and the list's details.
    pub(crate) async fn list_factors(
        &self,
        scope: Scope<'_>,
        which: Factors,
    ) -> Result<(Vec<i32>, Option<burg_api::object::ListDetails>)> {
        let current = self.read_setting::<LoginPolicy>(scope).await?;
        let factors = which.list(&current.value).clone();
        let sequence = current.details.as_ref().map_or(0, |d| d.sequence as i64);
        let details = list_details(factors.len() as i64, sequence, self.now());
        Ok((factors, details))
    }

    /// Adds (`add`) or removes factor `ty` of the login policy `scope`
    /// holds: one `…secondfactor.added`/`removed` (or `multifactor`) event.
    /// An organization without its own login policy is refused with
    /// NotFound (its factors are part of the policy it does not have).
    pub(crate) async fn change_factor(
        &self,
        ctx: &Ctx,
        scope: Scope<'_>,
        which: Factors,
        ty: i32,
        add: bool,
    ) -> Result<Option<burg_api::object::ObjectDetails>> {
        let org = scope != Scope::Instance;
        if ty == 0 || !which.defined(ty) {
            return Err(Error::invalid_argument(
                which.unspecified_id(add, org),
                format!("`type` must be a defined {} type other than unspecified", which.name()),
            ));
        }
        let on = self.aggregate_of(scope);
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current = self.own_setting::<LoginPolicy>(tx.conn(), scope).await?.ok_or_else(|| {
                Error::not_found(if org { ORG_LOGIN_MISSING } else { "POLICY-none2" }, "login policy not found")
            })?;
            let present = which.list(&current).contains(&ty);
            if add && present {
                return Err(Error::already_exists(
                    which.exists_id(org),
                    format!("the login policy has {} {ty} already", which.name()),
                ));
            }
            if !add && !present {
                return Err(Error::not_found(
                    which.missing_id(org),
                    format!("the login policy has no {} {ty}", which.name()),
                ));
            }
            let mut next = current.clone();
            let list = which.list_mut(&mut next);
            if add {
                list.push(ty);
            } else {
                list.retain(|f| *f != ty);
            }
            let events = tx.push(current.changed_events(&on, &next)?).await?;
            tx.commit().await?;
            Ok(if add { added_details(&events) } else { changed_details(&events) })
        })
        .await
    }

    pub async fn list_login_policy_second_factors(
        &self,
        _ctx: &Ctx,
        _r: a::ListLoginPolicySecondFactorsRequest,
    ) -> Result<a::ListLoginPolicySecondFactorsResponse> {
        let (result, details) = self.list_factors(Scope::Instance, Factors::Second).await?;
        Ok(a::ListLoginPolicySecondFactorsResponse { details, result })
    }

    pub async fn add_second_factor_to_login_policy(
        &self,
        ctx: &Ctx,
        r: a::AddSecondFactorToLoginPolicyRequest,
    ) -> Result<a::AddSecondFactorToLoginPolicyResponse> {
        let details = self.change_factor(ctx, Scope::Instance, Factors::Second, r.r#type, true).await?;
        Ok(a::AddSecondFactorToLoginPolicyResponse { details })
    }

    pub async fn remove_second_factor_from_login_policy(
        &self,
        ctx: &Ctx,
        r: a::RemoveSecondFactorFromLoginPolicyRequest,
    ) -> Result<a::RemoveSecondFactorFromLoginPolicyResponse> {
        let details = self.change_factor(ctx, Scope::Instance, Factors::Second, r.r#type, false).await?;
        Ok(a::RemoveSecondFactorFromLoginPolicyResponse { details })
    }

    pub async fn list_login_policy_multi_factors(
        &self,
        _ctx: &Ctx,
        _r: a::ListLoginPolicyMultiFactorsRequest,
    ) -> Result<a::ListLoginPolicyMultiFactorsResponse> {
        let (result, details) = self.list_factors(Scope::Instance, Factors::Multi).await?;
        Ok(a::ListLoginPolicyMultiFactorsResponse { details, result })
    }

    pub async fn add_multi_factor_to_login_policy(
        &self,
        ctx: &Ctx,
        r: a::AddMultiFactorToLoginPolicyRequest,
    ) -> Result<a::AddMultiFactorToLoginPolicyResponse> {
        let details = self.change_factor(ctx, Scope::Instance, Factors::Multi, r.r#type, true).await?;
        Ok(a::AddMultiFactorToLoginPolicyResponse { details })
    }

    pub async fn remove_multi_factor_from_login_policy(
        &self,
        ctx: &Ctx,
        r: a::RemoveMultiFactorFromLoginPolicyRequest,
    ) -> Result<a::RemoveMultiFactorFromLoginPolicyResponse> {
        let details = self.change_factor(ctx, Scope::Instance, Factors::Multi, r.r#type, false).await?;
        Ok(a::RemoveMultiFactorFromLoginPolicyResponse { details })
    }
}
