//! A machine user's own events on the user aggregate
//! (`repository/user/machine*.go`): its name and description, its client
//! secret (only a hash, ZITADEL's `hashedSecret`) and its keys (the public
//! half; the private key goes once to the caller and is kept nowhere).

use crate::events::EventTime;

payloads! {
    /// The members that changed (pointers in ZITADEL's payload).
    MachineChanged = "user.machine.changed" {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        access_token_type: Option<i32>,
    }
    MachineSecretSet = "user.machine.secret.set" {
        #[serde(default, skip_serializing_if = "String::is_empty")]
        hashed_secret: String,
    }
    MachineSecretRemoved = "user.machine.secret.removed" {}
    /// `type` as `domain.AuthNKeyType` (1: JSON), `publicKey` the PEM's
    /// bytes, base64 (a Go `[]byte`).
    MachineKeyAdded = "user.machine.key.added" {
        key_id: String,
        r#type: i32,
        expiration_date: EventTime,
        public_key: String,
    }
    MachineKeyRemoved = "user.machine.key.removed" { key_id: String }
}
