//! The user aggregate: human and machine users, their credentials, links,
//! metadata and keys. Secrets (password hashes, OTP secrets) are sealed
//! with the master key inside the payload.

use crate::crypto::Sealed;

payloads! {
    MachineAdded = "user.machine.added" { user_name: String, name: String, description: String, access_token_type: i32 }
    HumanAdded = "user.human.added" {
        user_name: String,
        first_name: String,
        last_name: String,
        nick_name: String,
        display_name: String,
        preferred_language: String,
        gender: i32,
        email: String,
        phone: String,
        /// The password hash (modular crypt format), sealed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        encoded_hash: Option<Sealed>,
        change_required: bool,
    }
    EmailVerified = "user.human.email.verified" {}
    PhoneVerified = "user.human.phone.verified" {}
    PasswordChanged = "user.human.password.changed" { encoded_hash: Option<Sealed>, change_required: bool }
    OtpAdded = "user.human.mfa.otp.added" { otp_secret: Option<Sealed> }
    OtpVerified = "user.human.mfa.otp.verified" {}
    PasswordlessCodeRequested = "user.human.passwordless.initialization.code.requested" {}
    UserRemoved = "user.removed" { user_name: String }
    UserDeactivated = "user.deactivated" {}
    UserReactivated = "user.reactivated" {}
    /// The token itself is never stored; `tokenHash` is its SHA-256.
    PersonalAccessTokenAdded = "user.pat.added" { token_id: String, expiration: i64, scopes: Vec<String>, token_hash: String }
    PersonalAccessTokenRemoved = "user.pat.removed" { token_id: String }
    ExternalIdpAdded = "user.human.externalidp.added" { idp_config_id: String, user_id: String, display_name: String }
    ExternalIdpRemoved = "user.human.externalidp.removed" { idp_config_id: String, user_id: String }
    ExternalIdpCascadeRemoved = "user.human.externalidp.cascade.removed" { idp_config_id: String, user_id: String }
}
