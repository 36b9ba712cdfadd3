//! The instance aggregate: the instance itself, its members and defaults.

use serde::{Deserialize, Serialize};

use crate::events::is_zero;

payloads! {
    InstanceAdded = "instance.added" { name: String }
    InstanceChanged = "instance.changed" { name: String }
    DefaultLanguageSet = "instance.default.language.set" { language: String }
    DefaultOrgSet = "instance.default.org.set" { org_id: String }
    DomainAdded = "instance.domain.added" { domain: String, generated: bool }
    DomainPrimarySet = "instance.domain.primary.set" { domain: String }
    DomainRemoved = "instance.domain.removed" { domain: String }
    MemberAdded = "instance.member.added" { user_id: String, roles: Vec<String> }
    MemberChanged = "instance.member.changed" { user_id: String, roles: Vec<String> }
    MemberRemoved = "instance.member.removed" { user_id: String }
    MemberCascadeRemoved = "instance.member.cascade.removed" { user_id: String }
    /// `idpProviderType` as ZITADEL's domain numbers it
    /// (`IdpProviderType::event_code`), left out when 0 (the instance's).
    LoginPolicyIdpAdded = "instance.policy.login.idpprovider.added" {
        idp_config_id: String,
        #[serde(default, skip_serializing_if = "is_zero")]
        idp_provider_type: i32,
    }
    LoginPolicyIdpRemoved = "instance.policy.login.idpprovider.removed" { idp_config_id: String }
    /// Not written any more (removing a template removes its links in the
    /// projection, as in ZITADEL); stores of earlier releases hold it.
    LoginPolicyIdpCascadeRemoved = "instance.policy.login.idpprovider.cascade.removed" { idp_config_id: String }
    IdpRemoved = "instance.idp.removed" { id: String }
}

/// The settings of a login policy (the instance default or an org's), in
/// the JSON shape of ZITADEL's login policy events. Durations are in
/// seconds. A [`crate::settings::Setting`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LoginPolicy {
    pub allow_username_password: bool,
    pub allow_register: bool,
    pub allow_external_idp: bool,
    pub force_mfa: bool,
    pub force_mfa_local_only: bool,
    pub passwordless_type: i32,
    pub hide_password_reset: bool,
    pub ignore_unknown_usernames: bool,
    pub allow_domain_discovery: bool,
    pub disable_login_with_email: bool,
    pub disable_login_with_phone: bool,
    pub default_redirect_uri: String,
    pub password_check_lifetime: i64,
    pub external_login_check_lifetime: i64,
    pub mfa_init_skip_lifetime: i64,
    pub second_factor_check_lifetime: i64,
    pub multi_factor_check_lifetime: i64,
    pub second_factors: Vec<i32>,
    pub multi_factors: Vec<i32>,
}

impl LoginPolicy {
    /// A new instance's default login policy (ZITADEL's defaults).
    pub fn instance_default() -> Self {
        const HOUR: i64 = 3600;
        LoginPolicy {
            allow_username_password: true,
            allow_register: true,
            allow_external_idp: true,
            allow_domain_discovery: true,
            passwordless_type: 1,
            password_check_lifetime: 240 * HOUR,
            external_login_check_lifetime: 240 * HOUR,
            mfa_init_skip_lifetime: 720 * HOUR,
            second_factor_check_lifetime: 18 * HOUR,
            multi_factor_check_lifetime: 12 * HOUR,
            second_factors: vec![1, 2],
            multi_factors: vec![1],
            ..LoginPolicy::default()
        }
    }
}
