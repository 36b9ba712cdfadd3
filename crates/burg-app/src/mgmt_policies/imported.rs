//! An imported organization's policies as earlier releases kept them: one
//! `org_objects` document per policy, in the JSON of ZITADEL's `DataOrg`
//! member (the Management API's add request of the kind). Read as the
//! organization's own setting while it has no settings row of that kind.

use burg_api::admin::{AddCustomDomainPolicyRequest, UpdateLabelPolicyRequest, UpdateLoginPolicyRequest};
use burg_api::management as m;
use burg_api::zitadel::policy::v1 as policy;
use burg_domain::label_policy::LabelPolicy;
use burg_domain::policies::DomainPolicy;
use burg_domain::settings::Setting;
use burg_domain::{Error, Result};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::label_policy::label_style;
use crate::policies::{PrivacyInput, complexity, lockout, privacy};
use crate::policy::login_value;

/// The `org_objects` kind an import gave a setting kind's document.
pub(crate) fn document_kind(kind: &str) -> Option<&'static str> {
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

fn parse<T: DeserializeOwned>(doc: &str) -> Result<T> {
    serde_json::from_str(doc)
        .map_err(|e| Error::internal("SETTING-doc01", format!("an imported policy document is unreadable: {e}")))
}

fn encode<S: Setting>(value: &S) -> Result<Value> {
    serde_json::to_value(value)
        .map_err(|e| Error::internal("SETTING-doc02", format!("cannot encode the {}: {e}", S::NAME)))
}

/// The setting of `kind` (its serde JSON) that the imported document `doc`
/// holds, read as an import reads it (an imported label policy is active).
pub(crate) fn setting_of_document(kind: &str, doc: &str) -> Result<Value> {
    match kind {
        "policy.login" => {
            let r: m::AddCustomLoginPolicyRequest = parse(doc)?;
            let defined2 = |t: &i32| *t != 0 && policy::SecondFactorType::try_from(*t).is_ok();
            let definedm = |t: &i32| *t != 0 && policy::MultiFactorType::try_from(*t).is_ok();
            let u = UpdateLoginPolicyRequest {
                allow_username_password: r.allow_username_password,
                allow_register: r.allow_register,
                allow_external_idp: r.allow_external_idp,
                force_mfa: r.force_mfa,
                passwordless_type: r.passwordless_type,
                hide_password_reset: r.hide_password_reset,
                ignore_unknown_usernames: r.ignore_unknown_usernames,
                default_redirect_uri: r.default_redirect_uri.clone(),
                password_check_lifetime: r.password_check_lifetime,
                external_login_check_lifetime: r.external_login_check_lifetime,
                mfa_init_skip_lifetime: r.mfa_init_skip_lifetime,
                second_factor_check_lifetime: r.second_factor_check_lifetime,
                multi_factor_check_lifetime: r.multi_factor_check_lifetime,
                allow_domain_discovery: r.allow_domain_discovery,
                disable_login_with_email: r.disable_login_with_email,
                disable_login_with_phone: r.disable_login_with_phone,
                force_mfa_local_only: r.force_mfa_local_only,
            };
            let second = r.second_factors.iter().copied().filter(defined2).collect();
            let multi = r.multi_factors.iter().copied().filter(definedm).collect();
            encode(&login_value(&u, "Org-WSfdq", second, multi)?)
        }
        "policy.label" => {
            let r: m::AddCustomLabelPolicyRequest = parse(doc)?;
            let style = label_style(&UpdateLabelPolicyRequest {
                primary_color: r.primary_color,
                hide_login_name_suffix: r.hide_login_name_suffix,
                warn_color: r.warn_color,
                background_color: r.background_color,
                font_color: r.font_color,
                primary_color_dark: r.primary_color_dark,
                background_color_dark: r.background_color_dark,
                warn_color_dark: r.warn_color_dark,
                font_color_dark: r.font_color_dark,
                disable_watermark: r.disable_watermark,
                theme_mode: r.theme_mode,
            })?;
            encode(&LabelPolicy { preview: style.clone(), active: Some(style), active_sequence: 0, active_at: 0 })
        }
        "policy.lockout" => {
            let r: m::AddCustomLockoutPolicyRequest = parse(doc)?;
            encode(&lockout(r.max_password_attempts, r.max_otp_attempts))
        }
        "policy.password.complexity" => {
            let r: m::AddCustomPasswordComplexityPolicyRequest = parse(doc)?;
            encode(&complexity(r.min_length, r.has_uppercase, r.has_lowercase, r.has_number, r.has_symbol)?)
        }
        "policy.privacy" => {
            let r: m::AddCustomPrivacyPolicyRequest = parse(doc)?;
            encode(&privacy(PrivacyInput {
                tos_link: r.tos_link,
                privacy_link: r.privacy_link,
                help_link: r.help_link,
                support_email: r.support_email,
                docs_link: r.docs_link,
                custom_link: r.custom_link,
                custom_link_text: r.custom_link_text,
            }))
        }
        "policy.domain" => {
            let r: AddCustomDomainPolicyRequest = parse(doc)?;
            encode(&DomainPolicy {
                user_login_must_be_domain: r.user_login_must_be_domain,
                validate_org_domains: r.validate_org_domains,
                smtp_sender_address_matches_instance_domain: r.smtp_sender_address_matches_instance_domain,
            })
        }
        _ => Err(Error::internal("SETTING-doc03", format!("no imported document of setting {kind}"))),
    }
}

/// The `org_objects` kind of an import's document back to its setting kind.
pub(crate) fn setting_kind(document_kind: &str) -> Option<&'static str> {
    ["policy.login", "policy.label", "policy.lockout", "policy.password.complexity", "policy.privacy", "policy.domain"]
        .into_iter()
        .find(|k| self::document_kind(k) == Some(document_kind))
}

fn stored<S: Setting>(data: &str) -> Result<S> {
    serde_json::from_str(data)
        .map_err(|e| Error::internal("SETTING-doc04", format!("the stored {} is unreadable: {e}", S::NAME)))
}

fn json<T: serde::Serialize>(message: &T) -> Result<Value> {
    serde_json::to_value(message).map_err(|e| Error::internal("SETTING-doc05", format!("cannot encode a policy: {e}")))
}

/// The `DataOrg` member (ZITADEL's add request of the kind, as JSON) of
/// organization `org`'s own setting of `kind`, stored as `data`: what an
/// export writes for it. The login policy's providers are not part of it.
pub(crate) fn document_of_setting(kind: &str, data: &str, org: &str) -> Result<Value> {
    let n = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    match kind {
        "policy.login" => {
            use crate::policy::duration;
            let p: burg_domain::events::instance::LoginPolicy = stored(data)?;
            json(&m::AddCustomLoginPolicyRequest {
                allow_username_password: p.allow_username_password,
                allow_register: p.allow_register,
                allow_external_idp: p.allow_external_idp,
                force_mfa: p.force_mfa,
                passwordless_type: p.passwordless_type,
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
                idps: Vec::new(),
                allow_domain_discovery: p.allow_domain_discovery,
                disable_login_with_email: p.disable_login_with_email,
                disable_login_with_phone: p.disable_login_with_phone,
                force_mfa_local_only: p.force_mfa_local_only,
            })
        }
        "policy.label" => {
            let p: LabelPolicy = stored(data)?;
            let s = p.active.unwrap_or(p.preview);
            json(&m::AddCustomLabelPolicyRequest {
                primary_color: s.primary_color,
                hide_login_name_suffix: s.hide_login_name_suffix,
                warn_color: s.warn_color,
                background_color: s.background_color,
                font_color: s.font_color,
                primary_color_dark: s.primary_color_dark,
                background_color_dark: s.background_color_dark,
                warn_color_dark: s.warn_color_dark,
                font_color_dark: s.font_color_dark,
                disable_watermark: s.disable_watermark,
                // Left out when automatic, which is what an import reads
                // for none (ZITADEL's export leaves the mode out always).
                theme_mode: match crate::label_policy::theme_to_api(s.theme_mode) {
                    auto if auto == burg_api::zitadel::policy::v1::ThemeMode::Auto as i32 => 0,
                    theme => theme,
                },
            })
        }
        "policy.lockout" => {
            let p: burg_domain::policies::LockoutPolicy = stored(data)?;
            json(&m::AddCustomLockoutPolicyRequest {
                max_password_attempts: n(p.max_password_attempts),
                max_otp_attempts: n(p.max_otp_attempts),
            })
        }
        "policy.password.complexity" => {
            let p: burg_domain::policies::PasswordComplexityPolicy = stored(data)?;
            json(&m::AddCustomPasswordComplexityPolicyRequest {
                min_length: p.min_length,
                has_uppercase: p.has_uppercase,
                has_lowercase: p.has_lowercase,
                has_number: p.has_number,
                has_symbol: p.has_symbol,
            })
        }
        "policy.privacy" => {
            let p: burg_domain::policies::PrivacyPolicy = stored(data)?;
            json(&m::AddCustomPrivacyPolicyRequest {
                tos_link: p.tos_link,
                privacy_link: p.privacy_link,
                help_link: p.help_link,
                support_email: p.support_email,
                docs_link: p.docs_link,
                custom_link: p.custom_link,
                custom_link_text: p.custom_link_text,
            })
        }
        "policy.domain" => {
            let p: DomainPolicy = stored(data)?;
            json(&AddCustomDomainPolicyRequest {
                org_id: org.to_string(),
                user_login_must_be_domain: p.user_login_must_be_domain,
                validate_org_domains: p.validate_org_domains,
                smtp_sender_address_matches_instance_domain: p.smtp_sender_address_matches_instance_domain,
            })
        }
        _ => Err(Error::internal("SETTING-doc06", format!("no document of setting {kind}"))),
    }
}
