//! The project aggregate (`repository/project/project.go`): a project of an
//! organization and its life. Members are left out when empty or false, as
//! ZITADEL's (`omitempty`); a change carries the members that changed.

use crate::events::is_zero;

payloads! {
    ProjectAdded = "project.added" {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        name: String,
        #[serde(default, skip_serializing_if = "is_zero")]
        project_role_assertion: bool,
        #[serde(default, skip_serializing_if = "is_zero")]
        project_role_check: bool,
        #[serde(default, skip_serializing_if = "is_zero")]
        has_project_check: bool,
        #[serde(default, skip_serializing_if = "is_zero")]
        private_labeling_setting: i32,
    }
    ProjectChanged = "project.changed" {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project_role_assertion: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project_role_check: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        has_project_check: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        private_labeling_setting: Option<i32>,
    }
    ProjectDeactivated = "project.deactivated" {}
    ProjectReactivated = "project.reactivated" {}
    ProjectRemoved = "project.removed" {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        name: String,
    }
    /// `repository/project/role.go`.
    RoleAdded = "project.role.added" {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        key: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        display_name: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        group: String,
    }
    RoleChanged = "project.role.changed" {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        display_name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<String>,
    }
    RoleRemoved = "project.role.removed" {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        key: String,
    }
    /// `repository/project/member.go`.
    MemberAdded = "project.member.added" { user_id: String, roles: Vec<String> }
    MemberChanged = "project.member.changed" { user_id: String, roles: Vec<String> }
    MemberRemoved = "project.member.removed" { user_id: String }
    /// `repository/project/grant.go`.
    GrantAdded = "project.grant.added" { grant_id: String, granted_org_id: String, role_keys: Vec<String> }
    GrantChanged = "project.grant.changed" { grant_id: String, role_keys: Vec<String> }
    GrantDeactivated = "project.grant.deactivated" { grant_id: String }
    GrantReactivated = "project.grant.reactivated" { grant_id: String }
    GrantRemoved = "project.grant.removed" { grant_id: String, granted_org_id: String }
    /// `repository/project/grant_member.go`.
    GrantMemberAdded = "project.grant.member.added" { user_id: String, grant_id: String, roles: Vec<String> }
    GrantMemberChanged = "project.grant.member.changed" { user_id: String, grant_id: String, roles: Vec<String> }
    GrantMemberRemoved = "project.grant.member.removed" { user_id: String, grant_id: String }
}
