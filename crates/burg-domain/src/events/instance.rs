//! The instance aggregate: the instance itself, its members and defaults,
//! and the login policy (a setting, also an organization's).

use serde::{Deserialize, Serialize};

use crate::Result;
use crate::event::{Aggregate, NewEvent, aggregate};
use crate::events::is_zero;
use crate::settings::{self, Setting, SettingEvents};

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

/// The settings of a login policy (the instance default or an org's): the
/// document the `settings` table keeps (durations in seconds, every member
/// written, the factors as lists). Its events are ZITADEL's
/// (`repository/policy/login.go`, `policy_login_factors.go`): see
/// [`LoginPolicyAdded`], [`LoginPolicyChanged`] and the factor events.
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
            second_factors: vec![SECOND_FACTOR_TOTP, SECOND_FACTOR_U2F],
            multi_factors: vec![MULTI_FACTOR_U2F_WITH_PIN],
            ..LoginPolicy::default()
        }
    }
}

/// ZITADEL's `domain.SecondFactorType` and `MultiFactorType` numbers.
pub const SECOND_FACTOR_TOTP: i32 = 1;
pub const SECOND_FACTOR_U2F: i32 = 2;
pub const MULTI_FACTOR_U2F_WITH_PIN: i32 = 1;

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// A lifetime of the document (seconds) as a Go duration (nanoseconds).
fn nanos(seconds: i64) -> i64 {
    seconds.saturating_mul(NANOS_PER_SECOND)
}

/// A Go duration as whole seconds.
fn seconds(nanos: i64) -> i64 {
    nanos / NANOS_PER_SECOND
}

/// `<aggregate>.policy.login.added`: the policy without its factors and
/// identity providers, each member left out when it is zero; lifetimes in
/// nanoseconds.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LoginPolicyAdded {
    #[serde(skip_serializing_if = "is_zero")]
    pub allow_username_password: bool,
    #[serde(skip_serializing_if = "is_zero")]
    pub allow_register: bool,
    #[serde(skip_serializing_if = "is_zero")]
    pub allow_external_idp: bool,
    #[serde(rename = "forceMFA", skip_serializing_if = "is_zero")]
    pub force_mfa: bool,
    #[serde(rename = "forceMFALocalOnly", skip_serializing_if = "is_zero")]
    pub force_mfa_local_only: bool,
    #[serde(skip_serializing_if = "is_zero")]
    pub hide_password_reset: bool,
    #[serde(skip_serializing_if = "is_zero")]
    pub ignore_unknown_usernames: bool,
    #[serde(skip_serializing_if = "is_zero")]
    pub allow_domain_discovery: bool,
    #[serde(skip_serializing_if = "is_zero")]
    pub disable_login_with_email: bool,
    #[serde(skip_serializing_if = "is_zero")]
    pub disable_login_with_phone: bool,
    #[serde(skip_serializing_if = "is_zero")]
    pub passwordless_type: i32,
    #[serde(rename = "defaultRedirectURI", skip_serializing_if = "String::is_empty")]
    pub default_redirect_uri: String,
    #[serde(skip_serializing_if = "is_zero")]
    pub password_check_lifetime: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub external_login_check_lifetime: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub mfa_init_skip_lifetime: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub second_factor_check_lifetime: i64,
    #[serde(skip_serializing_if = "is_zero")]
    pub multi_factor_check_lifetime: i64,
}

/// `<aggregate>.policy.login.changed`: the members that changed, with
/// their new values (false and 0 included).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LoginPolicyChanged {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_username_password: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_register: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_external_idp: Option<bool>,
    #[serde(rename = "forceMFA", skip_serializing_if = "Option::is_none")]
    pub force_mfa: Option<bool>,
    #[serde(rename = "forceMFALocalOnly", skip_serializing_if = "Option::is_none")]
    pub force_mfa_local_only: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hide_password_reset: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore_unknown_usernames: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_domain_discovery: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_login_with_email: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_login_with_phone: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passwordless_type: Option<i32>,
    #[serde(rename = "defaultRedirectURI", skip_serializing_if = "Option::is_none")]
    pub default_redirect_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_check_lifetime: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_login_check_lifetime: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_init_skip_lifetime: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub second_factor_check_lifetime: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_factor_check_lifetime: Option<i64>,
}

/// A factor added to or removed from a login policy
/// (`…policy.login.secondfactor.added`, `…multifactor.removed`, …).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LoginPolicyFactor {
    pub mfa_type: i32,
}

/// The types of the factor events: second factor added, removed, multi
/// factor added, removed; on the instance, then on an org.
const FACTOR_EVENTS: [[&str; 4]; 2] = [
    [
        "instance.policy.login.secondfactor.added",
        "instance.policy.login.secondfactor.removed",
        "instance.policy.login.multifactor.added",
        "instance.policy.login.multifactor.removed",
    ],
    [
        "org.policy.login.secondfactor.added",
        "org.policy.login.secondfactor.removed",
        "org.policy.login.multifactor.added",
        "org.policy.login.multifactor.removed",
    ],
];

const FACTOR_PARTS: [&str; 8] = [
    FACTOR_EVENTS[0][0],
    FACTOR_EVENTS[0][1],
    FACTOR_EVENTS[0][2],
    FACTOR_EVENTS[0][3],
    FACTOR_EVENTS[1][0],
    FACTOR_EVENTS[1][1],
    FACTOR_EVENTS[1][2],
    FACTOR_EVENTS[1][3],
];

fn factor_events(on: &Aggregate) -> [&'static str; 4] {
    FACTOR_EVENTS[usize::from(on.kind == aggregate::ORG)]
}

/// The events that add (`added`) or remove the factors of `from` that
/// `to` lacks and those `to` has that `from` lacks.
fn factor_changes(on: &Aggregate, types: [&'static str; 2], from: &[i32], to: &[i32]) -> Result<Vec<NewEvent>> {
    let [added, removed] = types;
    let mut events = Vec::new();
    for f in from.iter().filter(|f| !to.contains(f)) {
        events.push(settings::event(on, removed, &LoginPolicyFactor { mfa_type: *f })?);
    }
    for f in to.iter().filter(|f| !from.contains(f)) {
        events.push(settings::event(on, added, &LoginPolicyFactor { mfa_type: *f })?);
    }
    Ok(events)
}

impl Setting for LoginPolicy {
    const KIND: &'static str = "policy.login";
    const NAME: &'static str = "login policy";
    const EVENTS: SettingEvents = settings::setting_events!("policy.login", parts: &FACTOR_PARTS);

    fn instance_default() -> Self {
        LoginPolicy::instance_default()
    }

    /// The policy, then one event per factor, as ZITADEL's setup writes
    /// them.
    fn added_events(&self, on: &Aggregate) -> Result<Vec<NewEvent>> {
        let added = LoginPolicyAdded {
            allow_username_password: self.allow_username_password,
            allow_register: self.allow_register,
            allow_external_idp: self.allow_external_idp,
            force_mfa: self.force_mfa,
            force_mfa_local_only: self.force_mfa_local_only,
            hide_password_reset: self.hide_password_reset,
            ignore_unknown_usernames: self.ignore_unknown_usernames,
            allow_domain_discovery: self.allow_domain_discovery,
            disable_login_with_email: self.disable_login_with_email,
            disable_login_with_phone: self.disable_login_with_phone,
            passwordless_type: self.passwordless_type,
            default_redirect_uri: self.default_redirect_uri.clone(),
            password_check_lifetime: nanos(self.password_check_lifetime),
            external_login_check_lifetime: nanos(self.external_login_check_lifetime),
            mfa_init_skip_lifetime: nanos(self.mfa_init_skip_lifetime),
            second_factor_check_lifetime: nanos(self.second_factor_check_lifetime),
            multi_factor_check_lifetime: nanos(self.multi_factor_check_lifetime),
        };
        let [second_added, second_removed, multi_added, multi_removed] = factor_events(on);
        let mut events = vec![settings::event(on, Self::EVENTS.added(on), &added)?];
        events.extend(factor_changes(on, [second_added, second_removed], &[], &self.second_factors)?);
        events.extend(factor_changes(on, [multi_added, multi_removed], &[], &self.multi_factors)?);
        Ok(events)
    }

    /// A `changed` event with the members that differ (if any do), then
    /// the factors removed and added.
    fn changed_events(&self, on: &Aggregate, next: &Self) -> Result<Vec<NewEvent>> {
        fn diff<T: PartialEq + Clone>(from: &T, to: &T) -> Option<T> {
            (from != to).then(|| to.clone())
        }
        let lifetime = |from: i64, to: i64| diff(&from, &to).map(nanos);
        let changed = LoginPolicyChanged {
            allow_username_password: diff(&self.allow_username_password, &next.allow_username_password),
            allow_register: diff(&self.allow_register, &next.allow_register),
            allow_external_idp: diff(&self.allow_external_idp, &next.allow_external_idp),
            force_mfa: diff(&self.force_mfa, &next.force_mfa),
            force_mfa_local_only: diff(&self.force_mfa_local_only, &next.force_mfa_local_only),
            hide_password_reset: diff(&self.hide_password_reset, &next.hide_password_reset),
            ignore_unknown_usernames: diff(&self.ignore_unknown_usernames, &next.ignore_unknown_usernames),
            allow_domain_discovery: diff(&self.allow_domain_discovery, &next.allow_domain_discovery),
            disable_login_with_email: diff(&self.disable_login_with_email, &next.disable_login_with_email),
            disable_login_with_phone: diff(&self.disable_login_with_phone, &next.disable_login_with_phone),
            passwordless_type: diff(&self.passwordless_type, &next.passwordless_type),
            default_redirect_uri: diff(&self.default_redirect_uri, &next.default_redirect_uri),
            password_check_lifetime: lifetime(self.password_check_lifetime, next.password_check_lifetime),
            external_login_check_lifetime: lifetime(
                self.external_login_check_lifetime,
                next.external_login_check_lifetime,
            ),
            mfa_init_skip_lifetime: lifetime(self.mfa_init_skip_lifetime, next.mfa_init_skip_lifetime),
            second_factor_check_lifetime: lifetime(
                self.second_factor_check_lifetime,
                next.second_factor_check_lifetime,
            ),
            multi_factor_check_lifetime: lifetime(self.multi_factor_check_lifetime, next.multi_factor_check_lifetime),
        };
        let mut events = Vec::new();
        if changed != LoginPolicyChanged::default() {
            events.push(settings::event(on, Self::EVENTS.changed(on), &changed)?);
        }
        let [second_added, second_removed, multi_added, multi_removed] = factor_events(on);
        events.extend(factor_changes(on, [second_added, second_removed], &self.second_factors, &next.second_factors)?);
        events.extend(factor_changes(on, [multi_added, multi_removed], &self.multi_factors, &next.multi_factors)?);
        Ok(events)
    }

    fn reduce(stored: Option<Self>, event_type: &str, payload: &serde_json::Value) -> Result<Self> {
        let events = &Self::EVENTS;
        if event_type == events.instance_added || event_type == events.org_added {
            let p: LoginPolicyAdded = settings::decode(event_type, payload)?;
            return Ok(LoginPolicy {
                allow_username_password: p.allow_username_password,
                allow_register: p.allow_register,
                allow_external_idp: p.allow_external_idp,
                force_mfa: p.force_mfa,
                force_mfa_local_only: p.force_mfa_local_only,
                passwordless_type: p.passwordless_type,
                hide_password_reset: p.hide_password_reset,
                ignore_unknown_usernames: p.ignore_unknown_usernames,
                allow_domain_discovery: p.allow_domain_discovery,
                disable_login_with_email: p.disable_login_with_email,
                disable_login_with_phone: p.disable_login_with_phone,
                default_redirect_uri: p.default_redirect_uri,
                password_check_lifetime: seconds(p.password_check_lifetime),
                external_login_check_lifetime: seconds(p.external_login_check_lifetime),
                mfa_init_skip_lifetime: seconds(p.mfa_init_skip_lifetime),
                second_factor_check_lifetime: seconds(p.second_factor_check_lifetime),
                multi_factor_check_lifetime: seconds(p.multi_factor_check_lifetime),
                second_factors: Vec::new(),
                multi_factors: Vec::new(),
            });
        }
        let mut policy = stored.unwrap_or_default();
        if event_type == events.instance_changed || event_type == events.org_changed {
            let p: LoginPolicyChanged = settings::decode(event_type, payload)?;
            fn set<T>(slot: &mut T, value: Option<T>) {
                if let Some(v) = value {
                    *slot = v;
                }
            }
            set(&mut policy.allow_username_password, p.allow_username_password);
            set(&mut policy.allow_register, p.allow_register);
            set(&mut policy.allow_external_idp, p.allow_external_idp);
            set(&mut policy.force_mfa, p.force_mfa);
            set(&mut policy.force_mfa_local_only, p.force_mfa_local_only);
            set(&mut policy.hide_password_reset, p.hide_password_reset);
            set(&mut policy.ignore_unknown_usernames, p.ignore_unknown_usernames);
            set(&mut policy.allow_domain_discovery, p.allow_domain_discovery);
            set(&mut policy.disable_login_with_email, p.disable_login_with_email);
            set(&mut policy.disable_login_with_phone, p.disable_login_with_phone);
            set(&mut policy.passwordless_type, p.passwordless_type);
            set(&mut policy.default_redirect_uri, p.default_redirect_uri);
            set(&mut policy.password_check_lifetime, p.password_check_lifetime.map(seconds));
            set(&mut policy.external_login_check_lifetime, p.external_login_check_lifetime.map(seconds));
            set(&mut policy.mfa_init_skip_lifetime, p.mfa_init_skip_lifetime.map(seconds));
            set(&mut policy.second_factor_check_lifetime, p.second_factor_check_lifetime.map(seconds));
            set(&mut policy.multi_factor_check_lifetime, p.multi_factor_check_lifetime.map(seconds));
            return Ok(policy);
        }
        let position = FACTOR_EVENTS.iter().find_map(|types| types.iter().position(|t| *t == event_type));
        let Some(position) = position else {
            return Err(crate::Error::internal("SETTING-evt1", format!("{event_type} is no login policy event")));
        };
        let factor: LoginPolicyFactor = settings::decode(event_type, payload)?;
        let list = if position < 2 { &mut policy.second_factors } else { &mut policy.multi_factors };
        if position % 2 == 0 {
            if !list.contains(&factor.mfa_type) {
                list.push(factor.mfa_type);
            }
        } else {
            list.retain(|f| *f != factor.mfa_type);
        }
        Ok(policy)
    }
}
