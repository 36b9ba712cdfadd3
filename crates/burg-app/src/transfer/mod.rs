//! Export and import of whole organizations (`ExportData`, `ImportData`).
//!
//! The document is ZITADEL's `DataOrg`. Organizations, their domains,
//! users, user links and org members live in their own read tables, since
//! the rest of burg works with them. Every other section (policies,
//! projects, roles, apps, keys, actions, grants, members of projects,
//! metadata, texts, org IdPs) is kept as a document per item: the item's
//! proto3 JSON, written through an event on its aggregate and projected
//! into `org_objects`, and given back unchanged by the export.

mod export;
mod import;
mod limits;
mod scan;
mod storage;

use burg_domain::event::aggregate;
use burg_domain::{Error, Result};
use serde_json::Value;

pub use import::ImportMode;

/// Checks an import document as `ImportData` does before it writes: the
/// proto3-JSON decoding, then each organization's required fields, limits,
/// hash formats and unique ids. Answers how many items would be refused.
pub fn check_document(bytes: &[u8]) -> burg_domain::Result<usize> {
    let doc: burg_api::admin::ImportDataOrg =
        burg_api::json::decode(burg_api::json::JsonInput::Bytes(bytes.to_vec().into()))
            .map_err(|e| burg_domain::Error::invalid_argument("IMPORT-json02", e))?;
    let mut refused = 0;
    for org in &doc.orgs {
        if let Err(r) = import::check_org(&import::OrgDoc::of(org)?) {
            refused += r.0.len();
        }
    }
    Ok(refused)
}
/// Checks an import document as `ImportData` checks one read from a file
/// or object storage: types item by item, then each organization's
/// required fields, limits, hash formats and unique ids (`v1`: the
/// `dataOrgsv1` format). Answers how many items would be refused.
pub fn check_file_document(bytes: &[u8], v1: bool) -> burg_domain::Result<usize> {
    let mut refused = 0;
    let mut each = |org: import::OrgDoc| {
        if let Err(r) = import::check_org(&org) {
            refused += r.0.len();
        }
        true
    };
    if v1 {
        import::read_v1_orgs(bytes, &mut || true, &mut each)?;
    } else {
        import::read_orgs_from(bytes, import::Backing::Memory(bytes.into()), true, &mut || true, &mut each)?;
    }
    Ok(refused)
}

use limits::LIMITS;
pub use storage::TransferDir;

/// Where an item's event goes.
#[derive(Clone, Copy)]
pub(crate) enum Agg {
    Org,
    /// The project named by this JSON path of the item.
    Project(&'static str),
    Action(&'static str),
    User(&'static str),
    /// A user grant: its own aggregate, named by the item's key.
    UserGrant,
}

/// A `DataOrg` member kept as documents.
pub(crate) struct Section {
    /// The member's JSON name.
    pub json: &'static str,
    /// `org_objects.kind`, and the `type` of its import errors.
    pub kind: &'static str,
    pub event: &'static str,
    pub agg: Agg,
    /// JSON paths whose values, joined by `_`, identify an item; none for
    /// the one-per-org policies.
    pub key: &'static [&'static str],
    /// JSON paths that must be present and non-empty.
    pub required: &'static [&'static str],
    /// Whether the member is a list.
    pub many: bool,
}

const fn single(json: &'static str, kind: &'static str, event: &'static str) -> Section {
    Section { json, kind, event, agg: Agg::Org, key: &[], required: &[], many: false }
}

const fn texts(json: &'static str, kind: &'static str) -> Section {
    Section {
        json,
        kind,
        event: "org.customtext.set",
        agg: Agg::Org,
        key: &["language"],
        required: &["language"],
        many: true,
    }
}

pub(crate) const SECTIONS: &[Section] = &[
    single("domainPolicy", "domain_policy", "org.policy.domain.added"),
    single("labelPolicy", "label_policy", "org.policy.label.added"),
    single("lockoutPolicy", "lockout_policy", "org.policy.lockout.added"),
    single("loginPolicy", "login_policy", "org.policy.login.added"),
    single("passwordComplexityPolicy", "password_complexity_policy", "org.policy.password.complexity.added"),
    single("privacyPolicy", "privacy_policy", "org.policy.privacy.added"),
    Section {
        // The client secret is optional: exports leave it out, so a moved
        // instance needs it set again.
        json: "oidcIdps",
        kind: "oidc_idp",
        event: "org.idp.oidc.config.added",
        agg: Agg::Org,
        key: &["idpId"],
        required: &["idpId", "idp.name", "idp.clientId", "idp.issuer"],
        many: true,
    },
    Section {
        json: "jwtIdps",
        kind: "jwt_idp",
        event: "org.idp.jwt.config.added",
        agg: Agg::Org,
        key: &["idpId"],
        required: &["idpId", "idp.name", "idp.jwtEndpoint", "idp.issuer", "idp.keysEndpoint", "idp.headerName"],
        many: true,
    },
    texts("loginTexts", "login_texts"),
    texts("initMessages", "init_message"),
    texts("passwordResetMessages", "password_reset_message"),
    texts("verifyEmailMessages", "verify_email_message"),
    texts("verifyPhoneMessages", "verify_phone_message"),
    texts("domainClaimedMessages", "domain_claimed_message"),
    texts("passwordlessRegistrationMessages", "passwordless_registration_message"),
    texts("verifySmsOtpMessages", "verify_sms_otp_message"),
    texts("verifyEmailOtpMessages", "verify_email_otp_message"),
    texts("inviteUserMessages", "invite_user_message"),
    Section {
        json: "userMetadata",
        kind: "user_metadata",
        event: "user.metadata.set",
        agg: Agg::User("id"),
        key: &["id", "key"],
        required: &["id", "key", "value"],
        many: true,
    },
    Section {
        json: "machineKeys",
        kind: "machine_user_key",
        event: "user.machine.key.added",
        agg: Agg::User("userId"),
        key: &["keyId"],
        required: &["keyId", "userId"],
        many: true,
    },
    Section {
        json: "projects",
        kind: "project",
        event: "project.added",
        agg: Agg::Project("projectId"),
        key: &["projectId"],
        required: &["projectId", "project.name"],
        many: true,
    },
    Section {
        json: "oidcApps",
        kind: "oidc_app",
        event: "project.application.config.oidc.added",
        agg: Agg::Project("app.projectId"),
        key: &["appId"],
        required: &["appId", "app.projectId", "app.name"],
        many: true,
    },
    Section {
        json: "apiApps",
        kind: "api_app",
        event: "project.application.config.api.added",
        agg: Agg::Project("app.projectId"),
        key: &["appId"],
        required: &["appId", "app.projectId", "app.name"],
        many: true,
    },
    Section {
        json: "appKeys",
        kind: "app_key",
        event: "project.application.oidc.key.added",
        agg: Agg::Project("projectId"),
        key: &["id"],
        required: &["id", "projectId", "appId"],
        many: true,
    },
    Section {
        json: "actions",
        kind: "action",
        event: "action.added",
        agg: Agg::Action("actionId"),
        key: &["actionId"],
        required: &["actionId", "action.name", "action.script"],
        many: true,
    },
    Section {
        json: "projectRoles",
        kind: "project_role",
        event: "project.role.added",
        agg: Agg::Project("projectId"),
        key: &["projectId", "roleKey"],
        required: &["projectId", "roleKey", "displayName"],
        many: true,
    },
    Section {
        json: "triggerActions",
        kind: "trigger_action",
        event: "org.flow.trigger_actions.set",
        agg: Agg::Org,
        key: &["flowType", "triggerType"],
        required: &[],
        many: true,
    },
    Section {
        json: "projectGrants",
        kind: "project_grant",
        event: "project.grant.added",
        agg: Agg::Project("projectGrant.projectId"),
        key: &["grantId"],
        required: &["grantId", "projectGrant.projectId", "projectGrant.grantedOrgId"],
        many: true,
    },
    Section {
        json: "userGrants",
        kind: "user_grant",
        event: "user.grant.added",
        agg: Agg::UserGrant,
        key: &["projectId", "userId"],
        required: &["projectId", "userId"],
        many: true,
    },
    Section {
        json: "projectMembers",
        kind: "project_member",
        event: "project.member.added",
        agg: Agg::Project("projectId"),
        key: &["projectId", "userId"],
        required: &["projectId", "userId"],
        many: true,
    },
    Section {
        json: "projectGrantMembers",
        kind: "project_grant_member",
        event: "project.grant.member.added",
        agg: Agg::Project("projectId"),
        key: &["projectId", "grantId", "userId"],
        required: &["projectId", "grantId", "userId"],
        many: true,
    },
];

impl Agg {
    /// The aggregate type and id of an item's event in org `org`.
    pub fn of(self, item: &Value, key: &str, org: &str) -> (&'static str, String) {
        match self {
            Agg::Org => (aggregate::ORG, org.to_string()),
            Agg::Project(path) => (aggregate::PROJECT, text_at(item, path).to_string()),
            Agg::Action(path) => (aggregate::ACTION, text_at(item, path).to_string()),
            Agg::User(path) => (aggregate::USER, text_at(item, path).to_string()),
            Agg::UserGrant => (aggregate::USER_GRANT, format!("{org}_{key}")),
        }
    }
}

/// The value at a dotted JSON path.
pub(crate) fn at<'v>(item: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(item, |v, part| v.get(part))
}

/// The text at a dotted JSON path ("" when absent; numbers and enum names
/// as written).
pub(crate) fn text_at<'v>(item: &'v Value, path: &str) -> &'v str {
    at(item, path).and_then(Value::as_str).unwrap_or_default()
}

/// An item's key: its key paths' values joined by `_`.
pub(crate) fn key_of(section: &Section, item: &Value) -> String {
    section
        .key
        .iter()
        .map(|p| match at(item, p) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        })
        .collect::<Vec<_>>()
        .join("_")
}

/// Checks an item against the reference limits of its section and its
/// required paths; the error names the section member and the field.
pub(crate) fn check_item(section_json: &str, required: &[&str], item: &Value) -> Result<()> {
    for path in required {
        let present = match at(item, path) {
            Some(Value::String(s)) => !s.is_empty(),
            Some(Value::Null) | None => false,
            Some(_) => true,
        };
        if !present {
            return Err(Error::invalid_argument("IMPORT-req01", format!("`{section_json}.{path}` is required")));
        }
    }
    check_limits(section_json, "", item)
}

fn check_limits(section_json: &str, at_path: &str, value: &Value) -> Result<()> {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = if at_path.is_empty() { k.clone() } else { format!("{at_path}.{k}") };
                if let Value::String(s) = v
                    && let Some((_, _, min, max)) =
                        LIMITS.iter().find(|(sec, field, ..)| *sec == section_json && field == k)
                {
                    if section_json == "userMetadata" && k == "value" {
                        continue; // bytes: checked decoded
                    }
                    burg_domain::validate::len(&format!("{section_json}.{path}"), s, *min, *max)?;
                } else {
                    check_limits(section_json, &path, v)?;
                }
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                check_limits(section_json, &format!("{at_path}[{i}]"), v)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A Go-style duration (`30s`, `10m`, `1h30m`, `500ms`), as ZITADEL's
/// `timeout` fields take them.
pub fn parse_duration(field: &str, text: &str) -> Result<std::time::Duration> {
    let bad = || {
        Error::invalid_argument(
            "IMPORT-dur01",
            format!("`{field}` is not a duration like \"30s\" or \"10m\": {text:?}"),
        )
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(bad());
    }
    if text == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    let mut total = 0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(bad)?;
        if number_len == 0 {
            return Err(bad());
        }
        let number: f64 = rest[..number_len].parse().map_err(|_| bad())?;
        rest = &rest[number_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        total += number * seconds;
        rest = &rest[unit_len..];
    }
    if !total.is_finite() || total > 1e9 {
        return Err(bad());
    }
    Ok(std::time::Duration::from_secs_f64(total))
}

/// The timeout of an export or import: the given duration, or an hour.
pub(crate) fn timeout_of(text: &str) -> Result<std::time::Duration> {
    if text.trim().is_empty() { Ok(DEFAULT_TIMEOUT) } else { parse_duration("timeout", text) }
}

/// Used when a request gives no `timeout`.
pub(crate) const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3600);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("t", "30s").unwrap().as_secs(), 30);
        assert_eq!(parse_duration("t", "1h30m").unwrap().as_secs(), 5400);
        assert_eq!(parse_duration("t", "500ms").unwrap().as_millis(), 500);
        assert_eq!(parse_duration("t", "1.5m").unwrap().as_secs(), 90);
        for bad in ["", "10", "s", "10x", "-5s", "1h-"] {
            assert!(parse_duration("timeout", bad).is_err(), "{bad}");
        }
        assert_eq!(timeout_of("").unwrap(), DEFAULT_TIMEOUT);
    }

    #[test]
    fn limits_and_required_paths() {
        let item = serde_json::json!({"projectId": "1", "roleKey": "admin", "displayName": "x".repeat(201)});
        let e = check_item("projectRoles", &["projectId", "roleKey", "displayName"], &item).unwrap_err();
        assert!(e.message.contains("projectRoles.displayName"), "{}", e.message);
        let item = serde_json::json!({"projectId": "1", "roleKey": "admin"});
        let e = check_item("projectRoles", &["projectId", "roleKey", "displayName"], &item).unwrap_err();
        assert!(e.message.contains("`projectRoles.displayName` is required"), "{}", e.message);
        let nested = serde_json::json!({"user": {"profile": {"firstName": "x".repeat(201)}}});
        let e = check_item("humanUsers", &[], &nested).unwrap_err();
        assert!(e.message.contains("humanUsers.user.profile.firstName"), "{}", e.message);
    }

    #[test]
    fn keys() {
        let s = SECTIONS.iter().find(|s| s.json == "projectGrantMembers").unwrap();
        let item = serde_json::json!({"projectId": "p", "grantId": "g", "userId": "u"});
        assert_eq!(key_of(s, &item), "p_g_u");
    }
}
