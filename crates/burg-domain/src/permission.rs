//! Roles and the permissions they grant, as ZITADEL's default authorization
//! configuration (`InternalAuthZ.RolePermissionMappings`) defines them.
//!
//! Instance roles (`IAM_*`) grant their permissions everywhere; organization
//! roles (`ORG_*`) grant theirs within one organization.

use std::collections::BTreeSet;

/// A role and the permissions it grants.
pub struct RoleDef {
    pub role: &'static str,
    pub permissions: &'static [&'static str],
}

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
    "iam.web_key.read",
    "iam.web_key.write",
    "iam.web_key.delete",
    "iam.debug.read",
    "iam.debug.write",
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
    "session.delete",
    "execution.target.read",
    "execution.target.write",
    "execution.target.delete",
    "execution.read",
    "execution.write",
    "userschema.read",
    "userschema.write",
    "userschema.delete",
];

/// The `.read` half of [`IAM_OWNER_PERMISSIONS`].
const IAM_OWNER_VIEWER_PERMISSIONS: &[&str] = &[
    "iam.read",
    "iam.policy.read",
    "iam.member.read",
    "iam.idp.read",
    "iam.action.read",
    "iam.flow.read",
    "iam.feature.read",
    "iam.restrictions.read",
    "iam.web_key.read",
    "iam.debug.read",
    "org.read",
    "org.global.read",
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
    "session.read",
    "execution.target.read",
    "execution.read",
    "userschema.read",
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
    "policy.read",
    "project.read",
    "project.member.read",
    "project.role.read",
    "project.app.read",
    "project.grant.read",
    "project.grant.member.read",
    "session.read",
    "session.delete",
];

const IAM_LOGIN_CLIENT_PERMISSIONS: &[&str] = &[
    "iam.read",
    "iam.policy.read",
    "iam.member.read",
    "iam.idp.read",
    "iam.action.read",
    "iam.flow.read",
    "iam.feature.read",
    "org.read",
    "org.global.read",
    "org.member.read",
    "org.idp.read",
    "org.feature.read",
    "user.read",
    "user.global.read",
    "user.write",
    "user.grant.read",
    "user.membership.read",
    "user.credential.write",
    "user.passkey.write",
    "user.feature.read",
    "policy.read",
    "project.read",
    "project.app.read",
    "session.read",
    "session.link",
    "session.delete",
    "userschema.read",
];

const ORG_OWNER_PERMISSIONS: &[&str] = &[
    "org.read",
    "org.write",
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

const ORG_OWNER_VIEWER_PERMISSIONS: &[&str] = &[
    "org.read",
    "org.member.read",
    "org.idp.read",
    "org.action.read",
    "org.flow.read",
    "org.feature.read",
    "user.read",
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
    "session.read",
];

const ORG_USER_MANAGER_PERMISSIONS: &[&str] = &[
    "org.read",
    "user.read",
    "user.write",
    "user.delete",
    "user.grant.read",
    "user.grant.write",
    "user.grant.delete",
    "user.membership.read",
    "user.passkey.write",
    "policy.read",
    "project.read",
    "project.role.read",
    "session.read",
    "session.delete",
];

const ORG_USER_PERMISSION_EDITOR_PERMISSIONS: &[&str] = &[
    "org.read",
    "org.member.read",
    "user.read",
    "user.grant.read",
    "user.grant.write",
    "user.grant.delete",
    "policy.read",
    "project.read",
    "project.role.read",
    "project.grant.read",
    "project.grant.member.read",
];

const ORG_PROJECT_PERMISSION_EDITOR_PERMISSIONS: &[&str] = &[
    "org.read",
    "org.member.read",
    "user.read",
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
    "project.grant.member.write",
    "project.grant.member.delete",
];

const ORG_PROJECT_CREATOR_PERMISSIONS: &[&str] =
    &["user.global.read", "policy.read", "project.read:self", "project.create"];

const IMPERSONATOR_PERMISSIONS: &[&str] = &["impersonation"];
const ADMIN_IMPERSONATOR_PERMISSIONS: &[&str] = &["admin.impersonation", "impersonation"];

/// Every role burg knows, instance roles first.
pub static ROLES: &[RoleDef] = &[
    RoleDef { role: "IAM_OWNER", permissions: IAM_OWNER_PERMISSIONS },
    RoleDef { role: "IAM_OWNER_VIEWER", permissions: IAM_OWNER_VIEWER_PERMISSIONS },
    RoleDef { role: "IAM_ORG_MANAGER", permissions: IAM_ORG_MANAGER_PERMISSIONS },
    RoleDef { role: "IAM_USER_MANAGER", permissions: IAM_USER_MANAGER_PERMISSIONS },
    RoleDef { role: "IAM_ADMIN_IMPERSONATOR", permissions: ADMIN_IMPERSONATOR_PERMISSIONS },
    RoleDef { role: "IAM_END_USER_IMPERSONATOR", permissions: IMPERSONATOR_PERMISSIONS },
    RoleDef { role: "IAM_LOGIN_CLIENT", permissions: IAM_LOGIN_CLIENT_PERMISSIONS },
    RoleDef { role: "ORG_OWNER", permissions: ORG_OWNER_PERMISSIONS },
    RoleDef { role: "ORG_OWNER_VIEWER", permissions: ORG_OWNER_VIEWER_PERMISSIONS },
    RoleDef { role: "ORG_USER_MANAGER", permissions: ORG_USER_MANAGER_PERMISSIONS },
    RoleDef { role: "ORG_USER_PERMISSION_EDITOR", permissions: ORG_USER_PERMISSION_EDITOR_PERMISSIONS },
    RoleDef { role: "ORG_PROJECT_PERMISSION_EDITOR", permissions: ORG_PROJECT_PERMISSION_EDITOR_PERMISSIONS },
    RoleDef { role: "ORG_PROJECT_CREATOR", permissions: ORG_PROJECT_CREATOR_PERMISSIONS },
    RoleDef { role: "ORG_ADMIN_IMPERSONATOR", permissions: ADMIN_IMPERSONATOR_PERMISSIONS },
    RoleDef { role: "ORG_END_USER_IMPERSONATOR", permissions: IMPERSONATOR_PERMISSIONS },
];

/// The instance roles an IAM member may hold (`ListIAMMemberRoles`).
pub fn instance_roles() -> impl Iterator<Item = &'static str> {
    ROLES.iter().map(|r| r.role).filter(|r| r.starts_with("IAM_"))
}

/// The organization roles an org member may hold.
pub fn org_roles() -> impl Iterator<Item = &'static str> {
    ROLES.iter().map(|r| r.role).filter(|r| r.starts_with("ORG_"))
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
    fn unknown_roles_grant_nothing() {
        assert!(permissions_of(["ROOT"]).is_empty());
        assert!(instance_roles().all(|r| r.starts_with("IAM_")));
        assert!(org_roles().any(|r| r == "ORG_OWNER"));
    }
}
