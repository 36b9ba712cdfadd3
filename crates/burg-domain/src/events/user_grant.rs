//! The user grant aggregate (`repository/usergrant/user_grant.go`): a
//! user's roles on a project (or on a project granted to the
//! organization). The aggregate's id is the grant's id; members are left
//! out when empty, as ZITADEL's (`omitempty`). The removal's members are
//! not written: ZITADEL keeps them only for its unique constraint.

payloads! {
    UserGrantAdded = "user.grant.added" {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        user_id: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        project_id: String,
        #[serde(default, rename = "grantId", skip_serializing_if = "String::is_empty")]
        project_grant_id: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        role_keys: Vec<String>,
    }
    UserGrantChanged = "user.grant.changed" { user_id: String, role_keys: Vec<String> }
    UserGrantDeactivated = "user.grant.deactivated" {}
    UserGrantReactivated = "user.grant.reactivated" {}
    UserGrantRemoved = "user.grant.removed" {}
}
