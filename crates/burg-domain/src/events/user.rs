//! The user aggregate: human and machine users, their credentials, links,
//! metadata and keys. Secrets (password hashes, OTP secrets) are sealed
//! with the master key inside the payload.

use crate::crypto::Sealed;
use crate::events::{EventTime, is_zero};

payloads! {
    /// `name`, `description` and `accessTokenType` are left out when empty
    /// or 0, as ZITADEL's.
    MachineAdded = "user.machine.added" {
        user_name: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        name: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        description: String,
        #[serde(default, skip_serializing_if = "is_zero")]
        access_token_type: i32,
    }
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
    /// ZITADEL's members and `expiration` in RFC 3339. The token itself is
    /// never stored; `tokenHash`, its SHA-256, is burg's own member
    /// (ZITADEL's token is its encrypted id, so it has none).
    PersonalAccessTokenAdded = "user.pat.added" { token_id: String, expiration: EventTime, scopes: Vec<String>, token_hash: String }
    PersonalAccessTokenRemoved = "user.pat.removed" { token_id: String }
    ExternalIdpAdded = "user.human.externalidp.added" { idp_config_id: String, user_id: String, display_name: String }
    ExternalIdpRemoved = "user.human.externalidp.removed" { idp_config_id: String, user_id: String }
    ExternalIdpCascadeRemoved = "user.human.externalidp.cascade.removed" { idp_config_id: String, user_id: String }
}
