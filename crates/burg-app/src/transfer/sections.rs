//! The members of ZITADEL's `DataOrg` that burg keeps as documents, one
//! row of `org_objects` per item: where each item's event goes and what
//! identifies it.

use burg_domain::event::aggregate;
use serde_json::Value;

use super::{Kind, at, text_at};

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
    /// What its items are.
    pub kind: Kind,
    pub event: &'static str,
    pub agg: Agg,
    /// JSON paths whose values, joined by `_`, identify an item; none for
    /// the one-per-org policies.
    pub key: &'static [&'static str],
    /// Whether an item without its id (the first key path) gets a new one,
    /// as ZITADEL's command makes one (or keeps the empty id, which no
    /// call could name).
    pub new_id: bool,
    /// Whether the member is a list.
    pub many: bool,
}

const fn single(json: &'static str, kind: Kind, event: &'static str) -> Section {
    Section { json, kind, event, agg: Agg::Org, key: &[], new_id: false, many: false }
}

const fn texts(json: &'static str, kind: Kind) -> Section {
    Section { json, kind, event: "org.customtext.set", agg: Agg::Org, key: &["language"], new_id: false, many: true }
}

pub(crate) const SECTIONS: &[Section] = &[
    single("domainPolicy", Kind::DomainPolicy, "org.policy.domain.added"),
    single("labelPolicy", Kind::LabelPolicy, "org.policy.label.added"),
    single("lockoutPolicy", Kind::LockoutPolicy, "org.policy.lockout.added"),
    single("loginPolicy", Kind::LoginPolicy, "org.policy.login.added"),
    single("passwordComplexityPolicy", Kind::PasswordComplexityPolicy, "org.policy.password.complexity.added"),
    single("privacyPolicy", Kind::PrivacyPolicy, "org.policy.privacy.added"),
    Section {
        // ZITADEL's `ImportIDPConfig` checks none of the fields; the client
        // secret is left out of exports, so a moved instance needs it set again.
        json: "oidcIdps",
        kind: Kind::OidcIdp,
        event: "org.idp.oidc.config.added",
        agg: Agg::Org,
        key: &["idpId"],
        new_id: true,
        many: true,
    },
    Section {
        json: "jwtIdps",
        kind: Kind::JwtIdp,
        event: "org.idp.jwt.config.added",
        agg: Agg::Org,
        key: &["idpId"],
        new_id: true,
        many: true,
    },
    texts("loginTexts", Kind::LoginTexts),
    texts("initMessages", Kind::InitMessage),
    texts("passwordResetMessages", Kind::PasswordResetMessage),
    texts("verifyEmailMessages", Kind::VerifyEmailMessage),
    texts("verifyPhoneMessages", Kind::VerifyPhoneMessage),
    texts("domainClaimedMessages", Kind::DomainClaimedMessage),
    texts("passwordlessRegistrationMessages", Kind::PasswordlessRegistrationMessage),
    texts("verifySmsOtpMessages", Kind::VerifySmsOtpMessage),
    texts("verifyEmailOtpMessages", Kind::VerifyEmailOtpMessage),
    texts("inviteUserMessages", Kind::InviteUserMessage),
    texts("burgPasswordChangeMessages", Kind::PasswordChangeMessage),
    Section {
        json: "userMetadata",
        kind: Kind::UserMetadata,
        event: "user.metadata.set",
        agg: Agg::User("id"),
        key: &["id", "key"],
        new_id: false,
        many: true,
    },
    Section {
        json: "machineKeys",
        kind: Kind::MachineUserKey,
        event: "user.machine.key.added",
        agg: Agg::User("userId"),
        key: &["keyId"],
        new_id: true,
        many: true,
    },
    Section {
        json: "projects",
        kind: Kind::Project,
        event: "project.added",
        agg: Agg::Project("projectId"),
        key: &["projectId"],
        new_id: true,
        many: true,
    },
    Section {
        json: "oidcApps",
        kind: Kind::OidcApp,
        event: "project.application.config.oidc.added",
        agg: Agg::Project("app.projectId"),
        key: &["appId"],
        new_id: true,
        many: true,
    },
    Section {
        json: "apiApps",
        kind: Kind::ApiApp,
        event: "project.application.config.api.added",
        agg: Agg::Project("app.projectId"),
        key: &["appId"],
        new_id: true,
        many: true,
    },
    Section {
        json: "appKeys",
        kind: Kind::AppKey,
        event: "project.application.oidc.key.added",
        agg: Agg::Project("projectId"),
        key: &["id"],
        new_id: true,
        many: true,
    },
    Section {
        json: "actions",
        kind: Kind::Action,
        event: "action.added",
        agg: Agg::Action("actionId"),
        key: &["actionId"],
        new_id: true,
        many: true,
    },
    Section {
        json: "projectRoles",
        kind: Kind::ProjectRole,
        event: "project.role.added",
        agg: Agg::Project("projectId"),
        key: &["projectId", "roleKey"],
        new_id: false,
        many: true,
    },
    Section {
        json: "triggerActions",
        kind: Kind::TriggerAction,
        event: "org.flow.trigger_actions.set",
        agg: Agg::Org,
        key: &["flowType", "triggerType"],
        new_id: false,
        many: true,
    },
    Section {
        json: "projectGrants",
        kind: Kind::ProjectGrant,
        event: "project.grant.added",
        agg: Agg::Project("projectGrant.projectId"),
        key: &["grantId"],
        new_id: true,
        many: true,
    },
    Section {
        json: "userGrants",
        kind: Kind::UserGrant,
        event: "user.grant.added",
        agg: Agg::UserGrant,
        key: &["projectId", "userId"],
        new_id: false,
        many: true,
    },
    Section {
        json: "projectMembers",
        kind: Kind::ProjectMember,
        event: "project.member.added",
        agg: Agg::Project("projectId"),
        key: &["projectId", "userId"],
        new_id: false,
        many: true,
    },
    Section {
        json: "projectGrantMembers",
        kind: Kind::ProjectGrantMember,
        event: "project.grant.member.added",
        agg: Agg::Project("projectId"),
        key: &["projectId", "grantId", "userId"],
        new_id: false,
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

/// The id ZITADEL's import report gives an item of `section` (its stored
/// key aside): a one-per-org policy is its organization,
/// `<org>_<language>` a text, `<org>_<project>_<granted org>` a project
/// grant, `<org>_<project>[_<grant>]_<user>` a member or user grant; other
/// kinds are their key.
pub(crate) fn report_id(section: &Section, org_id: &str, key: &str, item: &Value) -> String {
    match section.kind {
        _ if !section.many => org_id.to_string(),
        _ if section.key == ["language"] => format!("{org_id}_{key}"),
        Kind::ProjectGrant => format!(
            "{org_id}_{}_{}",
            text_at(item, "projectGrant.projectId"),
            text_at(item, "projectGrant.grantedOrgId")
        ),
        Kind::UserGrant | Kind::ProjectMember | Kind::ProjectGrantMember => format!("{org_id}_{key}"),
        _ => key.to_string(),
    }
}
