//! Roles and the permissions they grant, as ZITADEL's default authorization
//! configuration (`InternalAuthZ.RolePermissionMappings`) defines them.
//!
//! Instance roles (`IAM_*`) grant their permissions everywhere; the roles
//! of an organization member (`ORG_*`, and `SELF_MANAGEMENT_GLOBAL`) grant
//! theirs within one organization.

use std::collections::BTreeSet;

/// A role and the permissions it grants.
pub struct RoleDef {
    pub role: &'static str,
    pub permissions: &'static [&'static str],
}

// Each role's permissions as ZITADEL's `cmd/defaults.yaml` lists them
// under `InternalAuthZ.RolePermissionMappings` (its duplicate entries
// dropped), for every instance and organization role.

const IAM_OWNER_PERMISSIONS: &[&str] = &[
    "iam.read",
    "iam.write",
    "iam.policy.read",
    "iam.policy.write",
    "iam.policy.delete",
    "iam.member.read",
    "iam.member.write",
    "iam.member.delete",
    "iam.idp.read",
    "iam.idp.write",
    "iam.idp.delete",
    "iam.action.read",
    "iam.action.write",
    "iam.action.delete",
    "iam.flow.read",
    "iam.flow.write",
    "iam.flow.delete",
    "iam.feature.read",
    "iam.feature.write",
    "iam.feature.delete",
    "iam.restrictions.read",
    "iam.restrictions.write",
    "iam.web_key.write",
    "iam.web_key.delete",
    "iam.web_key.read",
    "iam.debug.write",
    "iam.debug.read",
    "org.read",
    "org.global.read",
    "org.create",
    "org.write",
    "org.delete",
    "org.member.read",
    "org.member.write",
    "org.member.delete",
    "org.idp.read",
    "org.idp.write",
    "org.idp.delete",
    "org.action.read",
    "org.action.write",
    "org.action.delete",
    "org.flow.read",
    "org.flow.write",
    "org.flow.delete",
    "org.feature.read",
    "org.feature.write",
    "org.feature.delete",
    "user.read",
    "user.global.read",
    "user.write",
    "user.delete",
    "user.grant.read",
    "user.grant.write",
    "user.grant.delete",
    "user.membership.read",
    "user.credential.write",
    "user.passkey.write",
    "user.feature.read",
    "user.feature.write",
    "user.feature.delete",
    "policy.read",
    "policy.write",
    "policy.delete",
    "project.read",
    "project.create",
    "project.write",
    "project.delete",
    "project.member.read",
    "project.member.write",
    "project.member.delete",
    "project.role.read",
    "project.role.write",
    "project.role.delete",
    "project.app.read",
    "project.app.write",
    "project.app.delete",
    "project.grant.read",
    "project.grant.write",
    "project.grant.delete",
    "project.grant.member.read",
    "project.grant.member.write",
    "project.grant.member.delete",
    "events.read",
    "milestones.read",
    "session.read",
    "session.write",
    "session.delete",
    "action.target.read",
    "action.target.write",
    "action.target.delete",
    "action.execution.read",
    "action.execution.write",
    "userschema.read",
    "userschema.write",
    "userschema.delete",
];

const IAM_OWNER_VIEWER_PERMISSIONS: &[&str] = &[
    "iam.read",
    "iam.policy.read",
    "iam.member.read",
    "iam.idp.read",
    "iam.action.read",
    "iam.flow.read",
    "iam.restrictions.read",
    "iam.feature.read",
    "iam.web_key.read",
    "iam.debug.read",
    "org.read",
    "org.member.read",
    "org.idp.read",
    "org.action.read",
    "org.flow.read",
    "org.feature.read",
    "user.read",
    "user.global.read",
    "user.grant.read",
    "user.membership.read",
    "user.feature.read",
    "policy.read",
    "project.read",
    "project.member.read",
    "project.role.read",
    "project.app.read",
    "project.grant.read",
    "project.grant.member.read",
    "events.read",
    "milestones.read",
    "action.target.read",
    "action.execution.read",
    "userschema.read",
    "session.read",
];

const IAM_ORG_MANAGER_PERMISSIONS: &[&str] = &[
    "org.read",
    "org.global.read",
    "org.create",
    "org.write",
    "org.delete",
    "org.member.read",
    "org.member.write",
    "org.member.delete",
    "org.idp.read",
    "org.idp.write",
    "org.idp.delete",
    "org.action.read",
    "org.action.write",
    "org.action.delete",
    "org.flow.read",
    "org.flow.write",
    "org.flow.delete",
    "org.feature.read",
    "org.feature.write",
    "org.feature.delete",
    "user.read",
    "user.global.read",
    "user.write",
    "user.delete",
    "user.grant.read",
    "user.grant.write",
    "user.grant.delete",
    "user.membership.read",
    "user.credential.write",
    "user.passkey.write",
    "user.feature.read",
    "user.feature.write",
    "user.feature.delete",
    "policy.read",
    "policy.write",
    "policy.delete",
    "project.read",
    "project.create",
    "project.write",
    "project.delete",
    "project.member.read",
    "project.member.write",
    "project.member.delete",
    "project.role.read",
    "project.role.write",
    "project.role.delete",
    "project.app.read",
    "project.app.write",
    "project.app.delete",
    "project.grant.read",
    "project.grant.write",
    "project.grant.delete",
    "project.grant.member.read",
    "project.grant.member.write",
    "project.grant.member.delete",
    "session.read",
    "session.delete",
];

const IAM_USER_MANAGER_PERMISSIONS: &[&str] = &[
    "org.read",
    "org.global.read",
    "org.member.read",
    "org.member.delete",
    "user.read",
    "user.global.read",
    "user.write",
    "user.delete",
    "user.grant.read",
    "user.grant.write",
    "user.grant.delete",
    "user.membership.read",
    "user.passkey.write",
    "user.feature.read",
    "user.feature.write",
    "user.feature.delete",
    "project.read",
    "project.member.read",
    "project.role.read",
    "project.app.read",
    "project.grant.read",
    "project.grant.write",
    "project.grant.delete",
    "project.grant.member.read",
    "session.read",
    "session.delete",
];

const IAM_ADMIN_IMPERSONATOR_PERMISSIONS: &[&str] = &["admin.impersonation", "impersonation"];

const IAM_END_USER_IMPERSONATOR_PERMISSIONS: &[&str] = &["impersonation"];

const IAM_LOGIN_CLIENT_PERMISSIONS: &[&str] = &[
    "iam.read",
    "iam.policy.read",
    "iam.member.read",
    "iam.member.write",
    "iam.idp.read",
    "iam.feature.read",
    "iam.restrictions.read",
    "org.read",
    "org.member.read",
    "org.member.write",
    "org.idp.read",
    "org.feature.read",
    "user.read",
    "user.write",
    "user.grant.read",
    "user.grant.write",
    "user.membership.read",
    "user.credential.write",
    "user.passkey.write",
    "user.feature.read",
    "policy.read",
    "project.read",
    "project.member.read",
    "project.member.write",
    "project.role.read",
    "project.app.read",
    "project.grant.read",
    "project.grant.member.read",
    "project.grant.member.write",
    "session.read",
    "session.write",
    "session.link",
    "session.delete",
    "userschema.read",
];

const ORG_OWNER_PERMISSIONS: &[&str] = &[
    "org.read",
    "org.global.read",
    "org.write",
    "org.delete",
    "org.member.read",
    "org.member.write",
    "org.member.delete",
    "org.idp.read",
    "org.idp.write",
    "org.idp.delete",
    "org.action.read",
    "org.action.write",
    "org.action.delete",
    "org.flow.read",
    "org.flow.write",
    "org.flow.delete",
    "org.feature.read",
    "org.feature.write",
    "org.feature.delete",
    "user.read",
    "user.global.read",
    "user.write",
    "user.delete",
    "user.grant.read",
    "user.grant.write",
    "user.grant.delete",
    "user.membership.read",
    "user.credential.write",
    "user.passkey.write",
    "user.feature.read",
    "user.feature.write",
    "user.feature.delete",
    "policy.read",
    "policy.write",
    "policy.delete",
    "project.read",
    "project.create",
    "project.write",
    "project.delete",
    "project.member.read",
    "project.member.write",
    "project.member.delete",
    "project.role.read",
    "project.role.write",
    "project.role.delete",
    "project.app.read",
    "project.app.write",
    "project.grant.read",
    "project.grant.write",
    "project.grant.delete",
    "project.grant.member.read",
    "project.grant.member.write",
    "project.grant.member.delete",
    "session.read",
    "session.delete",
];

const ORG_USER_MANAGER_PERMISSIONS: &[&str] = &[
    "org.read",
    "user.read",
    "user.global.read",
    "user.write",
    "user.delete",
    "user.grant.read",
    "user.grant.write",
    "user.grant.delete",
    "user.membership.read",
    "user.feature.read",
    "user.feature.write",
    "user.feature.delete",
    "policy.read",
    "project.read",
    "project.role.read",
    "session.read",
    "session.delete",
];

const ORG_OWNER_VIEWER_PERMISSIONS: &[&str] = &[
    "org.read",
    "org.member.read",
    "org.idp.read",
    "org.action.read",
    "org.flow.read",
    "org.feature.read",
    "user.read",
    "user.global.read",
    "user.grant.read",
    "user.membership.read",
    "user.feature.read",
    "policy.read",
    "project.read",
    "project.member.read",
    "project.role.read",
    "project.app.read",
    "project.grant.read",
    "project.grant.member.read",
    "project.grant.user.grant.read",
];

const ORG_SETTINGS_MANAGER_PERMISSIONS: &[&str] = &[
    "org.read",
    "org.write",
    "org.member.read",
    "org.idp.read",
    "org.idp.write",
    "org.idp.delete",
    "org.feature.read",
    "org.feature.write",
    "org.feature.delete",
    "policy.read",
    "policy.write",
    "policy.delete",
];

const ORG_USER_PERMISSION_EDITOR_PERMISSIONS: &[&str] = &[
    "org.read",
    "org.member.read",
    "user.read",
    "user.global.read",
    "user.grant.read",
    "user.grant.write",
    "user.grant.delete",
    "policy.read",
    "project.read",
    "project.member.read",
    "project.role.read",
    "project.app.read",
    "project.grant.read",
    "project.grant.member.read",
];

const ORG_PROJECT_PERMISSION_EDITOR_PERMISSIONS: &[&str] = &[
    "org.read",
    "org.member.read",
    "user.read",
    "user.global.read",
    "user.grant.read",
    "user.grant.write",
    "user.grant.delete",
    "policy.read",
    "project.read",
    "project.member.read",
    "project.role.read",
    "project.app.read",
    "project.grant.read",
    "project.grant.write",
    "project.grant.delete",
    "project.grant.member.read",
];

const ORG_PROJECT_CREATOR_PERMISSIONS: &[&str] =
    &["user.global.read", "policy.read", "project.read:self", "project.create"];

const ORG_ADMIN_IMPERSONATOR_PERMISSIONS: &[&str] = &["admin.impersonation", "impersonation"];

const ORG_END_USER_IMPERSONATOR_PERMISSIONS: &[&str] = &["impersonation"];

const SELF_MANAGEMENT_GLOBAL_PERMISSIONS: &[&str] = &["org.create", "policy.read", "user.self.delete"];

const ORG_USER_SELF_MANAGER_PERMISSIONS: &[&str] = &["policy.read", "user.self.delete"];

/// The system permissions that the v2 RPCs burg serves ask for (custom
/// domains, system feature flags). In ZITADEL they belong to system users,
/// whom the operator configures outside the API; in burg the operator
/// makes one with `burg token create --role SYSTEM_OWNER`, and no RPC can
/// grant it.
const SYSTEM_OWNER_PERMISSIONS: &[&str] = &[
    "system.instance.read",
    "system.instance.write",
    "system.domain.read",
    "system.domain.write",
    "system.domain.delete",
    "system.feature.read",
    "system.feature.write",
    "system.feature.delete",
];

/// The role of the operator's system users (see
/// [`SYSTEM_OWNER_PERMISSIONS`]): an instance-wide role that only the
/// command line grants.
pub const SYSTEM_OWNER: &str = "SYSTEM_OWNER";

/// Every role burg knows, in ZITADEL's order: instance roles first, then
/// the roles an organization member may hold.
pub static ROLES: &[RoleDef] = &[
    RoleDef { role: "IAM_OWNER", permissions: IAM_OWNER_PERMISSIONS },
    RoleDef { role: "IAM_OWNER_VIEWER", permissions: IAM_OWNER_VIEWER_PERMISSIONS },
    RoleDef { role: "IAM_ORG_MANAGER", permissions: IAM_ORG_MANAGER_PERMISSIONS },
    RoleDef { role: "IAM_USER_MANAGER", permissions: IAM_USER_MANAGER_PERMISSIONS },
    RoleDef { role: "IAM_ADMIN_IMPERSONATOR", permissions: IAM_ADMIN_IMPERSONATOR_PERMISSIONS },
    RoleDef { role: "IAM_END_USER_IMPERSONATOR", permissions: IAM_END_USER_IMPERSONATOR_PERMISSIONS },
    RoleDef { role: "IAM_LOGIN_CLIENT", permissions: IAM_LOGIN_CLIENT_PERMISSIONS },
    RoleDef { role: "ORG_OWNER", permissions: ORG_OWNER_PERMISSIONS },
    RoleDef { role: "ORG_USER_MANAGER", permissions: ORG_USER_MANAGER_PERMISSIONS },
    RoleDef { role: "ORG_OWNER_VIEWER", permissions: ORG_OWNER_VIEWER_PERMISSIONS },
    RoleDef { role: "ORG_SETTINGS_MANAGER", permissions: ORG_SETTINGS_MANAGER_PERMISSIONS },
    RoleDef { role: "ORG_USER_PERMISSION_EDITOR", permissions: ORG_USER_PERMISSION_EDITOR_PERMISSIONS },
    RoleDef { role: "ORG_PROJECT_PERMISSION_EDITOR", permissions: ORG_PROJECT_PERMISSION_EDITOR_PERMISSIONS },
    RoleDef { role: "ORG_PROJECT_CREATOR", permissions: ORG_PROJECT_CREATOR_PERMISSIONS },
    RoleDef { role: "ORG_ADMIN_IMPERSONATOR", permissions: ORG_ADMIN_IMPERSONATOR_PERMISSIONS },
    RoleDef { role: "ORG_END_USER_IMPERSONATOR", permissions: ORG_END_USER_IMPERSONATOR_PERMISSIONS },
    RoleDef { role: "SELF_MANAGEMENT_GLOBAL", permissions: SELF_MANAGEMENT_GLOBAL_PERMISSIONS },
    RoleDef { role: "ORG_USER_SELF_MANAGER", permissions: ORG_USER_SELF_MANAGER_PERMISSIONS },
    RoleDef { role: SYSTEM_OWNER, permissions: SYSTEM_OWNER_PERMISSIONS },
];

// The roles of a project member and of a project grant member. They grant
// their permissions on that one project (or grant) only: ZITADEL suffixes
// them with the membership's object id, and an RPC whose auth option names
// a `check_field_name` accepts them when the request's field is that id.

const PROJECT_OWNER_PERMISSIONS: &[&str] = &[
    "org.global.read",
    "policy.read",
    "project.read",
    "project.write",
    "project.delete",
    "project.member.read",
    "project.member.write",
    "project.member.delete",
    "project.role.read",
    "project.role.write",
    "project.role.delete",
    "project.app.read",
    "project.app.write",
    "project.app.delete",
    "project.grant.read",
    "project.grant.write",
    "project.grant.delete",
    "project.grant.member.read",
    "project.grant.member.write",
    "project.grant.member.delete",
    "user.read",
    "user.global.read",
    "user.grant.read",
    "user.grant.write",
    "user.grant.delete",
    "user.membership.read",
];

const PROJECT_OWNER_VIEWER_PERMISSIONS: &[&str] = &[
    "policy.read",
    "project.read",
    "project.member.read",
    "project.role.read",
    "project.app.read",
    "project.grant.read",
    "project.grant.member.read",
    "user.read",
    "user.global.read",
    "user.grant.read",
    "user.membership.read",
];

const PROJECT_OWNER_GLOBAL_PERMISSIONS: &[&str] = &[
    "org.global.read",
    "policy.read",
    "project.read",
    "project.write",
    "project.delete",
    "project.member.read",
    "project.member.write",
    "project.member.delete",
    "project.role.read",
    "project.role.write",
    "project.role.delete",
    "project.app.read",
    "project.app.write",
    "project.app.delete",
    "user.global.read",
    "user.grant.read",
    "user.grant.write",
    "user.grant.delete",
    "user.membership.read",
];

const PROJECT_OWNER_VIEWER_GLOBAL_PERMISSIONS: &[&str] = &[
    "policy.read",
    "project.read",
    "project.member.read",
    "project.role.read",
    "project.app.read",
    "project.grant.read",
    "project.grant.member.read",
    "user.global.read",
    "user.grant.read",
    "user.membership.read",
];

const PROJECT_GRANT_OWNER_PERMISSIONS: &[&str] = &[
    "policy.read",
    "org.global.read",
    "project.read",
    "project.grant.read",
    "project.grant.member.read",
    "project.grant.member.write",
    "project.grant.member.delete",
    "user.read",
    "user.global.read",
    "user.grant.read",
    "user.grant.write",
    "user.grant.delete",
    "user.membership.read",
];

const PROJECT_GRANT_OWNER_VIEWER_PERMISSIONS: &[&str] = &[
    "policy.read",
    "project.read",
    "project.grant.read",
    "project.grant.member.read",
    "user.read",
    "user.global.read",
    "user.grant.read",
    "user.membership.read",
];

/// The roles of project members and project grant members, with the
/// permissions each grants on its project (or grant).
pub static PROJECT_ROLES: &[RoleDef] = &[
    RoleDef { role: "PROJECT_OWNER", permissions: PROJECT_OWNER_PERMISSIONS },
    RoleDef { role: "PROJECT_OWNER_VIEWER", permissions: PROJECT_OWNER_VIEWER_PERMISSIONS },
    RoleDef { role: "PROJECT_OWNER_GLOBAL", permissions: PROJECT_OWNER_GLOBAL_PERMISSIONS },
    RoleDef { role: "PROJECT_OWNER_VIEWER_GLOBAL", permissions: PROJECT_OWNER_VIEWER_GLOBAL_PERMISSIONS },
    RoleDef { role: "PROJECT_GRANT_OWNER", permissions: PROJECT_GRANT_OWNER_PERMISSIONS },
    RoleDef { role: "PROJECT_GRANT_OWNER_VIEWER", permissions: PROJECT_GRANT_OWNER_VIEWER_PERMISSIONS },
];

/// The union of the permissions of project (grant) member `roles` on the
/// membership's object; unknown roles grant nothing.
pub fn project_permissions_of<'a>(roles: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'static str> {
    let mut out = BTreeSet::new();
    for role in roles {
        if let Some(def) = PROJECT_ROLES.iter().find(|r| r.role == role) {
            out.extend(def.permissions.iter().copied());
        }
    }
    out
}

/// The instance roles an IAM member may hold (`ListIAMMemberRoles`).
pub fn instance_roles() -> impl Iterator<Item = &'static str> {
    ROLES.iter().map(|r| r.role).filter(|r| r.starts_with("IAM_"))
}

/// The organization roles an org member may hold.
pub fn org_roles() -> impl Iterator<Item = &'static str> {
    ROLES.iter().map(|r| r.role).filter(|r| r.starts_with("ORG_"))
}

/// The role ZITADEL lets an organization member hold besides the `ORG_*`
/// roles.
pub const SELF_MANAGEMENT_GLOBAL: &str = "SELF_MANAGEMENT_GLOBAL";

/// Whether an organization member may be given `roles`, as ZITADEL's
/// `AddOrgMemberCommand` checks them: every role an `ORG_*` role of the
/// table, or every role `SELF_MANAGEMENT_GLOBAL` (the two do not mix).
pub fn org_member_roles_valid(roles: &[String]) -> bool {
    roles.iter().all(|r| org_roles().any(|k| k == r)) || roles.iter().all(|r| r == SELF_MANAGEMENT_GLOBAL)
}

pub fn is_known_role(role: &str) -> bool {
    ROLES.iter().any(|r| r.role == role)
}

/// The union of the permissions of `roles`; unknown roles grant nothing.
pub fn permissions_of<'a>(roles: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'static str> {
    let mut out = BTreeSet::new();
    for role in roles {
        if let Some(def) = ROLES.iter().find(|r| r.role == role) {
            out.extend(def.permissions.iter().copied());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewers_read_but_do_not_write() {
        let viewer = permissions_of(["IAM_OWNER_VIEWER"]);
        assert!(viewer.contains("iam.read") && viewer.contains("iam.idp.read") && viewer.contains("events.read"));
        assert!(!viewer.iter().any(|p| p.ends_with(".write") || p.ends_with(".delete")));
        let owner = permissions_of(["IAM_OWNER"]);
        assert!(viewer.is_subset(&owner), "the viewer holds a subset of the owner's permissions");
    }

    #[test]
    fn roles_as_zitadel_grants_them() {
        let client = permissions_of(["IAM_LOGIN_CLIENT"]);
        assert!(client.contains("iam.member.write") && client.contains("session.write"));
        assert!(!client.contains("iam.action.read") && !client.contains("user.global.read"));
        let owner = permissions_of(["ORG_OWNER"]);
        assert!(owner.contains("org.delete") && owner.contains("user.global.read"));
        assert!(!owner.contains("project.app.delete"), "ZITADEL's ORG_OWNER cannot delete apps");
        let settings = permissions_of(["ORG_SETTINGS_MANAGER"]);
        assert!(settings.contains("policy.write") && !settings.contains("user.write"));
        assert_eq!(permissions_of(["ORG_USER_SELF_MANAGER"]), BTreeSet::from(["policy.read", "user.self.delete"]));
        assert!(permissions_of([SELF_MANAGEMENT_GLOBAL]).contains("org.create"));
        let instance: Vec<&str> = instance_roles().collect();
        assert_eq!(
            instance,
            [
                "IAM_OWNER",
                "IAM_OWNER_VIEWER",
                "IAM_ORG_MANAGER",
                "IAM_USER_MANAGER",
                "IAM_ADMIN_IMPERSONATOR",
                "IAM_END_USER_IMPERSONATOR",
                "IAM_LOGIN_CLIENT"
            ]
        );
    }

    #[test]
    fn org_member_roles_as_zitadel_checks_them() {
        let roles = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(org_member_roles_valid(&roles(&["ORG_OWNER", "ORG_SETTINGS_MANAGER", "ORG_USER_SELF_MANAGER"])));
        assert!(org_member_roles_valid(&roles(&["SELF_MANAGEMENT_GLOBAL"])));
        assert!(!org_member_roles_valid(&roles(&["ORG_OWNER", "SELF_MANAGEMENT_GLOBAL"])), "they do not mix");
        assert!(!org_member_roles_valid(&roles(&["IAM_OWNER"])));
        assert!(!org_member_roles_valid(&roles(&["ORG_UNKNOWN"])));
    }

    #[test]
    fn unknown_roles_grant_nothing() {
        assert!(permissions_of(["ROOT"]).is_empty());
        assert!(instance_roles().all(|r| r.starts_with("IAM_")));
        assert!(org_roles().any(|r| r == "ORG_OWNER"));
    }
}
