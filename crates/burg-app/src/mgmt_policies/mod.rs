//! The Management API's organization-level settings: the policies of the
//! call's organization (`x-zitadel-orgid`, else the caller's own), each
//! read as the organization's own value or the instance's (`isDefault`),
//! and given, changed and taken back (reset) as the organization's own.
//! The wire mappings and checks are the Admin API's (`policies.rs`,
//! `policy.rs`, `label_policy.rs`); the error ids are those of ZITADEL's
//! `internal/command/org_policy_*.go`. The login policy is in `login`, the
//! label policy in `label`.

pub(crate) mod imported;
mod label;
pub(crate) use label::remove_missing as org_label_missing;
mod login;

use burg_api::management as m;
use burg_domain::Result;
use burg_domain::policies::{
    DomainPolicy, LockoutPolicy, NotificationPolicy, PasswordAgePolicy, PasswordComplexityPolicy, PrivacyPolicy,
};

use crate::policies::{
    PrivacyInput, age, age_pb, complexity, complexity_pb, domain_pb, lockout, lockout_pb, notification_pb, org_iam_pb,
    privacy, privacy_pb,
};
use crate::settings::Scope;
use crate::{App, Ctx};

/// ZITADEL's ids of one kind's organization commands: add when the
/// organization has its own (AlreadyExists), update when it has none
/// (NotFound), update to the same value (FailedPrecondition), reset when
/// it has none (NotFound).
struct OrgIds {
    exists: &'static str,
    missing: &'static str,
    unchanged: &'static str,
    reset_missing: &'static str,
}

const COMPLEXITY: OrgIds =
    OrgIds { exists: "Org-LdhbS", missing: "ORG-Dgs3g", unchanged: "Org-DAs21", reset_missing: "ORG-ADgs2" };
const AGE: OrgIds =
    OrgIds { exists: "ORG-Lk0dS", missing: "ORG-0oPew", unchanged: "Org-dsgjR", reset_missing: "ORG-Dgs1g" };
const LOCKOUT: OrgIds = OrgIds {
    exists: crate::shared_ids::ORG_LOCKOUT_POLICY_EXISTS,
    missing: "ORG-ADfs1",
    unchanged: "ORG-0JFSr",
    reset_missing: "ORG-D4zuz",
};
const PRIVACY: OrgIds =
    OrgIds { exists: "Org-0oLpd", missing: "ORG-Ng8sf", unchanged: "Org-4N9fs", reset_missing: "ORG-Ze9gs" };
const NOTIFICATION: OrgIds =
    OrgIds { exists: "Org-xa08n2", missing: "ORG-x029n3", unchanged: "Org-ioqnxz", reset_missing: "ORG-x029n1s" };

impl App {
    /// Gives the call's organization `value` as its own.
    async fn org_add<S: burg_domain::settings::Setting>(
        &self,
        ctx: &Ctx,
        value: S,
        ids: &OrgIds,
    ) -> Result<Option<burg_api::object::ObjectDetails>> {
        self.add_org_setting(ctx, ctx.org(), value, ids.exists).await
    }

    /// Changes the call's organization's own value to `next`.
    async fn org_update<S: burg_domain::settings::Setting>(
        &self,
        ctx: &Ctx,
        next: S,
        ids: &OrgIds,
    ) -> Result<Option<burg_api::object::ObjectDetails>> {
        self.change_setting(ctx, Scope::Org(ctx.org()), |_| next.clone(), ids.unchanged, ids.missing).await
    }

    /// Takes the call's organization's own value away.
    async fn org_reset<S: burg_domain::settings::Setting>(
        &self,
        ctx: &Ctx,
        ids: &OrgIds,
    ) -> Result<Option<burg_api::object::ObjectDetails>> {
        self.reset_org_setting::<S>(ctx, ctx.org(), ids.reset_missing).await
    }

    // The domain policy: only read here (the Admin API writes an
    // organization's).

    pub async fn org_get_org_iam_policy(
        &self,
        ctx: &Ctx,
        _r: m::GetOrgIamPolicyRequest,
    ) -> Result<m::GetOrgIamPolicyResponse> {
        let current = self.read_setting::<DomainPolicy>(Scope::Org(ctx.org())).await?;
        Ok(m::GetOrgIamPolicyResponse { policy: Some(org_iam_pb(current)) })
    }

    pub async fn org_get_domain_policy(
        &self,
        ctx: &Ctx,
        _r: m::GetDomainPolicyRequest,
    ) -> Result<m::GetDomainPolicyResponse> {
        let current = self.read_setting::<DomainPolicy>(Scope::Org(ctx.org())).await?;
        Ok(m::GetDomainPolicyResponse { policy: Some(domain_pb(current)) })
    }

    // Password complexity.

    pub async fn org_get_password_complexity_policy(
        &self,
        ctx: &Ctx,
        _r: m::GetPasswordComplexityPolicyRequest,
    ) -> Result<m::GetPasswordComplexityPolicyResponse> {
        let current = self.read_setting::<PasswordComplexityPolicy>(Scope::Org(ctx.org())).await?;
        let is_default = current.is_default;
        Ok(m::GetPasswordComplexityPolicyResponse { policy: Some(complexity_pb(current)), is_default })
    }

    pub async fn org_get_default_password_complexity_policy(
        &self,
        _ctx: &Ctx,
        _r: m::GetDefaultPasswordComplexityPolicyRequest,
    ) -> Result<m::GetDefaultPasswordComplexityPolicyResponse> {
        let current = self.read_setting::<PasswordComplexityPolicy>(Scope::Instance).await?;
        Ok(m::GetDefaultPasswordComplexityPolicyResponse { policy: Some(complexity_pb(current)) })
    }

    pub async fn org_add_custom_password_complexity_policy(
        &self,
        ctx: &Ctx,
        r: m::AddCustomPasswordComplexityPolicyRequest,
    ) -> Result<m::AddCustomPasswordComplexityPolicyResponse> {
        let value = complexity(r.min_length, r.has_uppercase, r.has_lowercase, r.has_number, r.has_symbol)?;
        let details = self.org_add(ctx, value, &COMPLEXITY).await?;
        Ok(m::AddCustomPasswordComplexityPolicyResponse { details })
    }

    pub async fn org_update_custom_password_complexity_policy(
        &self,
        ctx: &Ctx,
        r: m::UpdateCustomPasswordComplexityPolicyRequest,
    ) -> Result<m::UpdateCustomPasswordComplexityPolicyResponse> {
        let next = complexity(r.min_length, r.has_uppercase, r.has_lowercase, r.has_number, r.has_symbol)?;
        let details = self.org_update(ctx, next, &COMPLEXITY).await?;
        Ok(m::UpdateCustomPasswordComplexityPolicyResponse { details })
    }

    pub async fn org_reset_password_complexity_policy_to_default(
        &self,
        ctx: &Ctx,
        _r: m::ResetPasswordComplexityPolicyToDefaultRequest,
    ) -> Result<m::ResetPasswordComplexityPolicyToDefaultResponse> {
        let details = self.org_reset::<PasswordComplexityPolicy>(ctx, &COMPLEXITY).await?;
        Ok(m::ResetPasswordComplexityPolicyToDefaultResponse { details })
    }

    // Password age.

    pub async fn org_get_password_age_policy(
        &self,
        ctx: &Ctx,
        _r: m::GetPasswordAgePolicyRequest,
    ) -> Result<m::GetPasswordAgePolicyResponse> {
        let current = self.read_setting::<PasswordAgePolicy>(Scope::Org(ctx.org())).await?;
        let is_default = current.is_default;
        Ok(m::GetPasswordAgePolicyResponse { policy: Some(age_pb(current)), is_default })
    }

    pub async fn org_get_default_password_age_policy(
        &self,
        _ctx: &Ctx,
        _r: m::GetDefaultPasswordAgePolicyRequest,
    ) -> Result<m::GetDefaultPasswordAgePolicyResponse> {
        let current = self.read_setting::<PasswordAgePolicy>(Scope::Instance).await?;
        Ok(m::GetDefaultPasswordAgePolicyResponse { policy: Some(age_pb(current)) })
    }

    pub async fn org_add_custom_password_age_policy(
        &self,
        ctx: &Ctx,
        r: m::AddCustomPasswordAgePolicyRequest,
    ) -> Result<m::AddCustomPasswordAgePolicyResponse> {
        let details = self.org_add(ctx, age(r.max_age_days, r.expire_warn_days), &AGE).await?;
        Ok(m::AddCustomPasswordAgePolicyResponse { details })
    }

    pub async fn org_update_custom_password_age_policy(
        &self,
        ctx: &Ctx,
        r: m::UpdateCustomPasswordAgePolicyRequest,
    ) -> Result<m::UpdateCustomPasswordAgePolicyResponse> {
        let details = self.org_update(ctx, age(r.max_age_days, r.expire_warn_days), &AGE).await?;
        Ok(m::UpdateCustomPasswordAgePolicyResponse { details })
    }

    pub async fn org_reset_password_age_policy_to_default(
        &self,
        ctx: &Ctx,
        _r: m::ResetPasswordAgePolicyToDefaultRequest,
    ) -> Result<m::ResetPasswordAgePolicyToDefaultResponse> {
        let details = self.org_reset::<PasswordAgePolicy>(ctx, &AGE).await?;
        Ok(m::ResetPasswordAgePolicyToDefaultResponse { details })
    }

    // Lockout.

    pub async fn org_get_lockout_policy(
        &self,
        ctx: &Ctx,
        _r: m::GetLockoutPolicyRequest,
    ) -> Result<m::GetLockoutPolicyResponse> {
        let current = self.read_setting::<LockoutPolicy>(Scope::Org(ctx.org())).await?;
        let is_default = current.is_default;
        Ok(m::GetLockoutPolicyResponse { policy: Some(lockout_pb(current)), is_default })
    }

    pub async fn org_get_default_lockout_policy(
        &self,
        _ctx: &Ctx,
        _r: m::GetDefaultLockoutPolicyRequest,
    ) -> Result<m::GetDefaultLockoutPolicyResponse> {
        let current = self.read_setting::<LockoutPolicy>(Scope::Instance).await?;
        Ok(m::GetDefaultLockoutPolicyResponse { policy: Some(lockout_pb(current)) })
    }

    pub async fn org_add_custom_lockout_policy(
        &self,
        ctx: &Ctx,
        r: m::AddCustomLockoutPolicyRequest,
    ) -> Result<m::AddCustomLockoutPolicyResponse> {
        let details = self.org_add(ctx, lockout(r.max_password_attempts, r.max_otp_attempts), &LOCKOUT).await?;
        Ok(m::AddCustomLockoutPolicyResponse { details })
    }

    pub async fn org_update_custom_lockout_policy(
        &self,
        ctx: &Ctx,
        r: m::UpdateCustomLockoutPolicyRequest,
    ) -> Result<m::UpdateCustomLockoutPolicyResponse> {
        let details = self.org_update(ctx, lockout(r.max_password_attempts, r.max_otp_attempts), &LOCKOUT).await?;
        Ok(m::UpdateCustomLockoutPolicyResponse { details })
    }

    pub async fn org_reset_lockout_policy_to_default(
        &self,
        ctx: &Ctx,
        _r: m::ResetLockoutPolicyToDefaultRequest,
    ) -> Result<m::ResetLockoutPolicyToDefaultResponse> {
        let details = self.org_reset::<LockoutPolicy>(ctx, &LOCKOUT).await?;
        Ok(m::ResetLockoutPolicyToDefaultResponse { details })
    }

    // Privacy.

    pub async fn org_get_privacy_policy(
        &self,
        ctx: &Ctx,
        _r: m::GetPrivacyPolicyRequest,
    ) -> Result<m::GetPrivacyPolicyResponse> {
        let current = self.read_setting::<PrivacyPolicy>(Scope::Org(ctx.org())).await?;
        Ok(m::GetPrivacyPolicyResponse { policy: Some(privacy_pb(current)) })
    }

    pub async fn org_get_default_privacy_policy(
        &self,
        _ctx: &Ctx,
        _r: m::GetDefaultPrivacyPolicyRequest,
    ) -> Result<m::GetDefaultPrivacyPolicyResponse> {
        let current = self.read_setting::<PrivacyPolicy>(Scope::Instance).await?;
        Ok(m::GetDefaultPrivacyPolicyResponse { policy: Some(privacy_pb(current)) })
    }

    pub async fn org_add_custom_privacy_policy(
        &self,
        ctx: &Ctx,
        r: m::AddCustomPrivacyPolicyRequest,
    ) -> Result<m::AddCustomPrivacyPolicyResponse> {
        let value = privacy(PrivacyInput {
            tos_link: r.tos_link,
            privacy_link: r.privacy_link,
            help_link: r.help_link,
            support_email: r.support_email,
            docs_link: r.docs_link,
            custom_link: r.custom_link,
            custom_link_text: r.custom_link_text,
        });
        let details = self.org_add(ctx, value, &PRIVACY).await?;
        Ok(m::AddCustomPrivacyPolicyResponse { details })
    }

    pub async fn org_update_custom_privacy_policy(
        &self,
        ctx: &Ctx,
        r: m::UpdateCustomPrivacyPolicyRequest,
    ) -> Result<m::UpdateCustomPrivacyPolicyResponse> {
        let next = privacy(PrivacyInput {
            tos_link: r.tos_link,
            privacy_link: r.privacy_link,
            help_link: r.help_link,
            support_email: r.support_email,
            docs_link: r.docs_link,
            custom_link: r.custom_link,
            custom_link_text: r.custom_link_text,
        });
        let details = self.org_update(ctx, next, &PRIVACY).await?;
        Ok(m::UpdateCustomPrivacyPolicyResponse { details })
    }

    pub async fn org_reset_privacy_policy_to_default(
        &self,
        ctx: &Ctx,
        _r: m::ResetPrivacyPolicyToDefaultRequest,
    ) -> Result<m::ResetPrivacyPolicyToDefaultResponse> {
        let details = self.org_reset::<PrivacyPolicy>(ctx, &PRIVACY).await?;
        Ok(m::ResetPrivacyPolicyToDefaultResponse { details })
    }

    // Notification.

    pub async fn org_get_notification_policy(
        &self,
        ctx: &Ctx,
        _r: m::GetNotificationPolicyRequest,
    ) -> Result<m::GetNotificationPolicyResponse> {
        let current = self.read_setting::<NotificationPolicy>(Scope::Org(ctx.org())).await?;
        Ok(m::GetNotificationPolicyResponse { policy: Some(notification_pb(current)) })
    }

    pub async fn org_get_default_notification_policy(
        &self,
        _ctx: &Ctx,
        _r: m::GetDefaultNotificationPolicyRequest,
    ) -> Result<m::GetDefaultNotificationPolicyResponse> {
        let current = self.read_setting::<NotificationPolicy>(Scope::Instance).await?;
        Ok(m::GetDefaultNotificationPolicyResponse { policy: Some(notification_pb(current)) })
    }

    pub async fn org_add_custom_notification_policy(
        &self,
        ctx: &Ctx,
        r: m::AddCustomNotificationPolicyRequest,
    ) -> Result<m::AddCustomNotificationPolicyResponse> {
        let value = NotificationPolicy { password_change: r.password_change };
        let details = self.org_add(ctx, value, &NOTIFICATION).await?;
        Ok(m::AddCustomNotificationPolicyResponse { details })
    }

    pub async fn org_update_custom_notification_policy(
        &self,
        ctx: &Ctx,
        r: m::UpdateCustomNotificationPolicyRequest,
    ) -> Result<m::UpdateCustomNotificationPolicyResponse> {
        let next = NotificationPolicy { password_change: r.password_change };
        let details = self.org_update(ctx, next, &NOTIFICATION).await?;
        Ok(m::UpdateCustomNotificationPolicyResponse { details })
    }

    pub async fn org_reset_notification_policy_to_default(
        &self,
        ctx: &Ctx,
        _r: m::ResetNotificationPolicyToDefaultRequest,
    ) -> Result<m::ResetNotificationPolicyToDefaultResponse> {
        let details = self.org_reset::<NotificationPolicy>(ctx, &NOTIFICATION).await?;
        Ok(m::ResetNotificationPolicyToDefaultResponse { details })
    }
}
