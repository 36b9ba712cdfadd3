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

/// Every role burg knows, instance roles first.
pub static ROLES: &[RoleDef] = &[RoleDef { role: "IAM_OWNER", permissions: IAM_OWNER_PERMISSIONS }];

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
