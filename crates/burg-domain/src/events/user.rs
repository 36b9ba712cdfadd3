//! The user aggregate: human and machine users, their tokens.

payloads! {
    MachineAdded = "user.machine.added" { user_name: String, name: String, description: String, access_token_type: i32 }
    UserRemoved = "user.removed" { user_name: String }
    UserDeactivated = "user.deactivated" {}
    UserReactivated = "user.reactivated" {}
    /// The token itself is never stored; `tokenHash` is its SHA-256.
    PersonalAccessTokenAdded = "user.personal.access.token.added" { token_id: String, expiration: i64, scopes: Vec<String>, token_hash: String }
    PersonalAccessTokenRemoved = "user.personal.access.token.removed" { token_id: String }
}
