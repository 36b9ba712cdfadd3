//! The instance's default policies of the Admin API other than the login
//! policy (`policy.rs`): each a setting (`settings.rs`) with its wire
//! mapping and the checks and error ids of ZITADEL's commands
//! (`internal/command/instance_policy_*.go`). The proto's own rules are
//! checked before these are called.

use burg_api::admin as a;
use burg_api::object::ObjectDetails;
use burg_api::zitadel::policy::v1 as pb;
use burg_domain::event::{Aggregate, aggregate};
use burg_domain::policies::{
    DomainPolicy, LockoutPolicy, NotificationPolicy, PasswordAgePolicy, PasswordComplexityPolicy, PrivacyPolicy,
};
use burg_domain::settings::Setting;
use burg_domain::{Error, Result};

use crate::settings::{Current, Scope};
use crate::{App, Ctx, added_details, retry};

/// ZITADEL answers a missing instance policy with one id for every kind
/// (the instance holds each from its setup, so it is not expected).
const POLICY_MISSING: &str = "INSTANCE-0oPew";

pub(crate) fn complexity_pb(c: Current<PasswordComplexityPolicy>) -> pb::PasswordComplexityPolicy {
    let p = c.value;
    pb::PasswordComplexityPolicy {
        details: c.details,
        min_length: p.min_length,
        has_uppercase: p.has_uppercase,
        has_lowercase: p.has_lowercase,
        has_number: p.has_number,
        has_symbol: p.has_symbol,
        is_default: c.is_default,
    }
}

impl App {
    pub async fn get_password_complexity_policy(
        &self,
        _ctx: &Ctx,
        _r: a::GetPasswordComplexityPolicyRequest,
    ) -> Result<a::GetPasswordComplexityPolicyResponse> {
        let current = self.read_setting::<PasswordComplexityPolicy>(Scope::Instance).await?;
        Ok(a::GetPasswordComplexityPolicyResponse { policy: Some(complexity_pb(current)) })
    }

    pub async fn update_password_complexity_policy(
        &self,
        ctx: &Ctx,
        r: a::UpdatePasswordComplexityPolicyRequest,
    ) -> Result<a::UpdatePasswordComplexityPolicyResponse> {
        let next = complexity(u64::from(r.min_length), r.has_uppercase, r.has_lowercase, r.has_number, r.has_symbol)?;
        let details =
            self.change_setting(ctx, Scope::Instance, |_| next.clone(), "INSTANCE-9jlsf", POLICY_MISSING).await?;
        Ok(a::UpdatePasswordComplexityPolicyResponse { details })
    }
}

/// A password complexity policy from the wire's members, checked as
/// ZITADEL's `domain.PasswordComplexityPolicy.IsValid`.
pub(crate) fn complexity(
    min_length: u64,
    has_uppercase: bool,
    has_lowercase: bool,
    has_number: bool,
    has_symbol: bool,
) -> Result<PasswordComplexityPolicy> {
    if min_length == 0 || min_length > PasswordComplexityPolicy::MAX_MIN_LENGTH {
        return Err(Error::invalid_argument(
            "MODEL-Lsp0e",
            format!("minLength must be between 1 and {}", PasswordComplexityPolicy::MAX_MIN_LENGTH),
        ));
    }
    Ok(PasswordComplexityPolicy { min_length, has_lowercase, has_uppercase, has_number, has_symbol })
}

/// A lockout policy from the wire's members: ZITADEL's converter leaves
/// showLockOutFailures out, so it is false.
pub(crate) fn lockout(max_password_attempts: u32, max_otp_attempts: u32) -> LockoutPolicy {
    LockoutPolicy {
        max_password_attempts: u64::from(max_password_attempts),
        max_otp_attempts: u64::from(max_otp_attempts),
        show_lock_out_failures: false,
    }
}

/// A password age policy from the wire's members.
pub(crate) fn age(max_age_days: u32, expire_warn_days: u32) -> PasswordAgePolicy {
    PasswordAgePolicy { expire_warn_days: u64::from(expire_warn_days), max_age_days: u64::from(max_age_days) }
}

/// The privacy policy's members, as the wire carries them.
pub(crate) struct PrivacyInput {
    pub tos_link: String,
    pub privacy_link: String,
    pub help_link: String,
    pub support_email: String,
    pub docs_link: String,
    pub custom_link: String,
    pub custom_link_text: String,
}

/// A privacy policy from the wire's members (the support email trimmed).
pub(crate) fn privacy(r: PrivacyInput) -> PrivacyPolicy {
    PrivacyPolicy {
        tos_link: r.tos_link,
        privacy_link: r.privacy_link,
        help_link: r.help_link,
        support_email: r.support_email.trim().to_string(),
        docs_link: r.docs_link,
        custom_link: r.custom_link,
        custom_link_text: r.custom_link_text,
    }
}

pub(crate) fn lockout_pb(c: Current<LockoutPolicy>) -> pb::LockoutPolicy {
    pb::LockoutPolicy {
        details: c.details,
        max_password_attempts: c.value.max_password_attempts,
        max_otp_attempts: c.value.max_otp_attempts,
        is_default: c.is_default,
    }
}

pub(crate) fn privacy_pb(c: Current<PrivacyPolicy>) -> pb::PrivacyPolicy {
    let p = c.value;
    pb::PrivacyPolicy {
        details: c.details,
        tos_link: p.tos_link,
        privacy_link: p.privacy_link,
        is_default: c.is_default,
        help_link: p.help_link,
        support_email: p.support_email,
        docs_link: p.docs_link,
        custom_link: p.custom_link,
        custom_link_text: p.custom_link_text,
    }
}

pub(crate) fn age_pb(c: Current<PasswordAgePolicy>) -> pb::PasswordAgePolicy {
    pb::PasswordAgePolicy {
        details: c.details,
        max_age_days: c.value.max_age_days,
        expire_warn_days: c.value.expire_warn_days,
        is_default: c.is_default,
    }
}

pub(crate) fn domain_pb(c: Current<DomainPolicy>) -> pb::DomainPolicy {
    let p = c.value;
    pb::DomainPolicy {
        details: c.details,
        user_login_must_be_domain: p.user_login_must_be_domain,
        is_default: c.is_default,
        validate_org_domains: p.validate_org_domains,
        smtp_sender_address_matches_instance_domain: p.smtp_sender_address_matches_instance_domain,
    }
}

pub(crate) fn org_iam_pb(c: Current<DomainPolicy>) -> pb::OrgIamPolicy {
    pb::OrgIamPolicy {
        details: c.details,
        user_login_must_be_domain: c.value.user_login_must_be_domain,
        is_default: c.is_default,
    }
}

pub(crate) fn notification_pb(c: Current<NotificationPolicy>) -> pb::NotificationPolicy {
    pb::NotificationPolicy { details: c.details, is_default: c.is_default, password_change: c.value.password_change }
}

/// The domain policy the deprecated org IAM RPCs write: ZITADEL sets the
/// two newer flags to their former default, true.
fn org_iam(user_login_must_be_domain: bool) -> DomainPolicy {
    DomainPolicy {
        user_login_must_be_domain,
        validate_org_domains: true,
        smtp_sender_address_matches_instance_domain: true,
    }
}

// ZITADEL's ids (command/instance_policy_domain*.go, org_policy_domain*.go).
const DOMAIN_UNCHANGED: &str = "INSTANCE-pl9fN";
const DOMAIN_MISSING: &str = "INSTANCE-0Pl0d";
const ORG_DOMAIN_EXISTS: &str = crate::shared_ids::ORG_DOMAIN_POLICY_EXISTS;
const ORG_DOMAIN_UNCHANGED: &str = "ORG-3M9ds";
const ORG_DOMAIN_MISSING: &str = "ORG-2N9sd";
const ORG_DOMAIN_RESET_MISSING: &str = "ORG-Dvsh3";

impl App {
    /// Gives organization `org` its own domain policy. ZITADEL's command
    /// (`AddOrgDomainPolicy`) checks only that it has none yet, not that
    /// the organization exists or is active, so neither is checked here.
    async fn add_org_domain_policy(&self, ctx: &Ctx, org: &str, value: DomainPolicy) -> Result<Option<ObjectDetails>> {
        let agg = Aggregate::new(aggregate::ORG, org, org);
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let own = burg_store::settings::load(tx.conn(), &self.instance_id, org, DomainPolicy::KIND).await?;
            if own.is_some() {
                return Err(Error::already_exists(
                    ORG_DOMAIN_EXISTS,
                    "the organization has its own domain policy already",
                ));
            }
            let events = tx.push(value.added_events(&agg)?).await?;
            tx.commit().await?;
            Ok(added_details(&events))
        })
        .await
    }

    pub async fn get_lockout_policy(
        &self,
        _ctx: &Ctx,
        _r: a::GetLockoutPolicyRequest,
    ) -> Result<a::GetLockoutPolicyResponse> {
        let current = self.read_setting::<LockoutPolicy>(Scope::Instance).await?;
        Ok(a::GetLockoutPolicyResponse { policy: Some(lockout_pb(current)) })
    }

    pub async fn update_lockout_policy(
        &self,
        ctx: &Ctx,
        r: a::UpdateLockoutPolicyRequest,
    ) -> Result<a::UpdateLockoutPolicyResponse> {
        let next = lockout(r.max_password_attempts, r.max_otp_attempts);
        let details =
            self.change_setting(ctx, Scope::Instance, |_| next.clone(), "INSTANCE-0psjF", POLICY_MISSING).await?;
        Ok(a::UpdateLockoutPolicyResponse { details })
    }

    pub async fn get_privacy_policy(
        &self,
        _ctx: &Ctx,
        _r: a::GetPrivacyPolicyRequest,
    ) -> Result<a::GetPrivacyPolicyResponse> {
        let current = self.read_setting::<PrivacyPolicy>(Scope::Instance).await?;
        Ok(a::GetPrivacyPolicyResponse { policy: Some(privacy_pb(current)) })
    }

    pub async fn update_privacy_policy(
        &self,
        ctx: &Ctx,
        r: a::UpdatePrivacyPolicyRequest,
    ) -> Result<a::UpdatePrivacyPolicyResponse> {
        let next = privacy(PrivacyInput {
            tos_link: r.tos_link,
            privacy_link: r.privacy_link,
            help_link: r.help_link,
            support_email: r.support_email,
            docs_link: r.docs_link,
            custom_link: r.custom_link,
            custom_link_text: r.custom_link_text,
        });
        let details =
            self.change_setting(ctx, Scope::Instance, |_| next.clone(), "INSTANCE-9jJfs", POLICY_MISSING).await?;
        Ok(a::UpdatePrivacyPolicyResponse { details })
    }

    pub async fn get_password_age_policy(
        &self,
        _ctx: &Ctx,
        _r: a::GetPasswordAgePolicyRequest,
    ) -> Result<a::GetPasswordAgePolicyResponse> {
        let current = self.read_setting::<PasswordAgePolicy>(Scope::Instance).await?;
        Ok(a::GetPasswordAgePolicyResponse { policy: Some(age_pb(current)) })
    }

    pub async fn update_password_age_policy(
        &self,
        ctx: &Ctx,
        r: a::UpdatePasswordAgePolicyRequest,
    ) -> Result<a::UpdatePasswordAgePolicyResponse> {
        let next = age(r.max_age_days, r.expire_warn_days);
        let details =
            self.change_setting(ctx, Scope::Instance, |_| next.clone(), "INSTANCE-180sf", POLICY_MISSING).await?;
        Ok(a::UpdatePasswordAgePolicyResponse { details })
    }

    pub async fn get_domain_policy(
        &self,
        _ctx: &Ctx,
        _r: a::GetDomainPolicyRequest,
    ) -> Result<a::GetDomainPolicyResponse> {
        let current = self.read_setting::<DomainPolicy>(Scope::Instance).await?;
        Ok(a::GetDomainPolicyResponse { policy: Some(domain_pb(current)) })
    }

    pub async fn update_domain_policy(
        &self,
        ctx: &Ctx,
        r: a::UpdateDomainPolicyRequest,
    ) -> Result<a::UpdateDomainPolicyResponse> {
        let next = DomainPolicy {
            user_login_must_be_domain: r.user_login_must_be_domain,
            validate_org_domains: r.validate_org_domains,
            smtp_sender_address_matches_instance_domain: r.smtp_sender_address_matches_instance_domain,
        };
        let details =
            self.change_setting(ctx, Scope::Instance, |_| next.clone(), DOMAIN_UNCHANGED, DOMAIN_MISSING).await?;
        Ok(a::UpdateDomainPolicyResponse { details })
    }

    pub async fn get_org_iam_policy(
        &self,
        _ctx: &Ctx,
        _r: a::GetOrgIamPolicyRequest,
    ) -> Result<a::GetOrgIamPolicyResponse> {
        let current = self.read_setting::<DomainPolicy>(Scope::Instance).await?;
        Ok(a::GetOrgIamPolicyResponse { policy: Some(org_iam_pb(current)) })
    }

    pub async fn update_org_iam_policy(
        &self,
        ctx: &Ctx,
        r: a::UpdateOrgIamPolicyRequest,
    ) -> Result<a::UpdateOrgIamPolicyResponse> {
        let next = org_iam(r.user_login_must_be_domain);
        let details =
            self.change_setting(ctx, Scope::Instance, |_| next.clone(), DOMAIN_UNCHANGED, DOMAIN_MISSING).await?;
        Ok(a::UpdateOrgIamPolicyResponse { details })
    }

    /// An organization's domain policy, or the instance's when it has none
    /// (then `isDefault`); an unknown organization reads the instance's, as
    /// ZITADEL's query does.
    pub async fn get_custom_domain_policy(
        &self,
        _ctx: &Ctx,
        r: a::GetCustomDomainPolicyRequest,
    ) -> Result<a::GetCustomDomainPolicyResponse> {
        let current = self.read_setting::<DomainPolicy>(Scope::Org(&r.org_id)).await?;
        Ok(a::GetCustomDomainPolicyResponse { policy: Some(domain_pb(current)), is_default: false })
    }

    pub async fn get_custom_org_iam_policy(
        &self,
        _ctx: &Ctx,
        r: a::GetCustomOrgIamPolicyRequest,
    ) -> Result<a::GetCustomOrgIamPolicyResponse> {
        let current = self.read_setting::<DomainPolicy>(Scope::Org(&r.org_id)).await?;
        Ok(a::GetCustomOrgIamPolicyResponse { policy: Some(org_iam_pb(current)), is_default: false })
    }

    pub async fn add_custom_domain_policy(
        &self,
        ctx: &Ctx,
        r: a::AddCustomDomainPolicyRequest,
    ) -> Result<a::AddCustomDomainPolicyResponse> {
        let value = DomainPolicy {
            user_login_must_be_domain: r.user_login_must_be_domain,
            validate_org_domains: r.validate_org_domains,
            smtp_sender_address_matches_instance_domain: r.smtp_sender_address_matches_instance_domain,
        };
        let details = self.add_org_domain_policy(ctx, &r.org_id, value).await?;
        Ok(a::AddCustomDomainPolicyResponse { details })
    }

    pub async fn add_custom_org_iam_policy(
        &self,
        ctx: &Ctx,
        r: a::AddCustomOrgIamPolicyRequest,
    ) -> Result<a::AddCustomOrgIamPolicyResponse> {
        let details = self.add_org_domain_policy(ctx, &r.org_id, org_iam(r.user_login_must_be_domain)).await?;
        Ok(a::AddCustomOrgIamPolicyResponse { details })
    }

    pub async fn update_custom_domain_policy(
        &self,
        ctx: &Ctx,
        r: a::UpdateCustomDomainPolicyRequest,
    ) -> Result<a::UpdateCustomDomainPolicyResponse> {
        let next = DomainPolicy {
            user_login_must_be_domain: r.user_login_must_be_domain,
            validate_org_domains: r.validate_org_domains,
            smtp_sender_address_matches_instance_domain: r.smtp_sender_address_matches_instance_domain,
        };
        let scope = Scope::Org(&r.org_id);
        let details =
            self.change_setting(ctx, scope, |_| next.clone(), ORG_DOMAIN_UNCHANGED, ORG_DOMAIN_MISSING).await?;
        Ok(a::UpdateCustomDomainPolicyResponse { details })
    }

    pub async fn update_custom_org_iam_policy(
        &self,
        ctx: &Ctx,
        r: a::UpdateCustomOrgIamPolicyRequest,
    ) -> Result<a::UpdateCustomOrgIamPolicyResponse> {
        let next = org_iam(r.user_login_must_be_domain);
        let scope = Scope::Org(&r.org_id);
        let details =
            self.change_setting(ctx, scope, |_| next.clone(), ORG_DOMAIN_UNCHANGED, ORG_DOMAIN_MISSING).await?;
        Ok(a::UpdateCustomOrgIamPolicyResponse { details })
    }

    pub async fn reset_custom_domain_policy_to_default(
        &self,
        ctx: &Ctx,
        r: a::ResetCustomDomainPolicyToDefaultRequest,
    ) -> Result<a::ResetCustomDomainPolicyToDefaultResponse> {
        let details = self.reset_org_setting::<DomainPolicy>(ctx, &r.org_id, ORG_DOMAIN_RESET_MISSING).await?;
        Ok(a::ResetCustomDomainPolicyToDefaultResponse { details })
    }

    pub async fn reset_custom_org_iam_policy_to_default(
        &self,
        ctx: &Ctx,
        r: a::ResetCustomOrgIamPolicyToDefaultRequest,
    ) -> Result<a::ResetCustomOrgIamPolicyToDefaultResponse> {
        let details = self.reset_org_setting::<DomainPolicy>(ctx, &r.org_id, ORG_DOMAIN_RESET_MISSING).await?;
        Ok(a::ResetCustomOrgIamPolicyToDefaultResponse { details })
    }

    pub async fn get_notification_policy(
        &self,
        _ctx: &Ctx,
        _r: a::GetNotificationPolicyRequest,
    ) -> Result<a::GetNotificationPolicyResponse> {
        let current = self.read_setting::<NotificationPolicy>(Scope::Instance).await?;
        Ok(a::GetNotificationPolicyResponse { policy: Some(notification_pb(current)) })
    }

    /// The instance always holds its notification policy (its default from
    /// setup), so adding one is refused as ZITADEL refuses a second.
    pub async fn add_notification_policy(
        &self,
        _ctx: &Ctx,
        _r: a::AddNotificationPolicyRequest,
    ) -> Result<a::AddNotificationPolicyResponse> {
        self.read_setting::<NotificationPolicy>(Scope::Instance).await?;
        Err(Error::already_exists("INSTANCE-xpo1bj", "the instance has its notification policy already"))
    }

    pub async fn update_notification_policy(
        &self,
        ctx: &Ctx,
        r: a::UpdateNotificationPolicyRequest,
    ) -> Result<a::UpdateNotificationPolicyResponse> {
        let next = NotificationPolicy { password_change: r.password_change };
        let details =
            self.change_setting(ctx, Scope::Instance, |_| next.clone(), "INSTANCE-29x02n", "INSTANCE-x891na").await?;
        Ok(a::UpdateNotificationPolicyResponse { details })
    }
}
