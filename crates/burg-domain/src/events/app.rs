//! A project's applications (`repository/project/application.go`,
//! `oidc_config.go`, `api_config.go`, `saml_config.go`, `key.go`): events of
//! the project aggregate, members left out when empty as ZITADEL's
//! (`omitempty`). Enumerations are ZITADEL's domain numbers, which are the
//! proto's; a Go `time.Duration` is an integer of nanoseconds; secrets are
//! kept only as hashes (`hashedSecret`).

use crate::events::{EventTime, is_zero};

payloads! {
    AppAdded = "project.application.added" { app_id: String, name: String }
    AppChanged = "project.application.changed" { app_id: String, name: String }
    AppDeactivated = "project.application.deactivated" { app_id: String }
    AppReactivated = "project.application.reactivated" { app_id: String }
    AppRemoved = "project.application.removed" { app_id: String }

    OidcConfigAdded = "project.application.config.oidc.added" {
        #[serde(default, skip_serializing_if = "is_zero")]
        oidc_version: i32,
        app_id: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        client_id: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        hashed_secret: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        redirect_uris: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        response_types: Vec<i32>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        grant_types: Vec<i32>,
        #[serde(default, skip_serializing_if = "is_zero")]
        application_type: i32,
        #[serde(default, skip_serializing_if = "is_zero")]
        auth_method_type: i32,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        post_logout_redirect_uris: Vec<String>,
        #[serde(default, skip_serializing_if = "is_zero")]
        dev_mode: bool,
        #[serde(default, skip_serializing_if = "is_zero")]
        access_token_type: i32,
        #[serde(default, skip_serializing_if = "is_zero")]
        access_token_role_assertion: bool,
        #[serde(default, skip_serializing_if = "is_zero")]
        id_token_role_assertion: bool,
        #[serde(default, skip_serializing_if = "is_zero")]
        id_token_userinfo_assertion: bool,
        #[serde(default, skip_serializing_if = "is_zero")]
        clock_skew: i64,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        additional_origins: Vec<String>,
        #[serde(default, skip_serializing_if = "is_zero")]
        skip_native_app_success_page: bool,
        #[serde(default, rename = "backChannelLogoutURI", skip_serializing_if = "String::is_empty")]
        back_channel_logout_uri: String,
        #[serde(default, skip_serializing_if = "is_zero")]
        login_version: i32,
        #[serde(default, rename = "loginBaseURI", skip_serializing_if = "String::is_empty")]
        login_base_uri: String,
    }
    /// The members that changed; the others are absent.
    OidcConfigChanged = "project.application.config.oidc.changed" {
        app_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        oidc_version: Option<i32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        redirect_uris: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response_types: Option<Vec<i32>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grant_types: Option<Vec<i32>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        application_type: Option<i32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        auth_method_type: Option<i32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        post_logout_redirect_uris: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dev_mode: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        access_token_type: Option<i32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        access_token_role_assertion: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id_token_role_assertion: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id_token_userinfo_assertion: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        clock_skew: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        additional_origins: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        skip_native_app_success_page: Option<bool>,
        #[serde(default, rename = "backChannelLogoutURI", skip_serializing_if = "Option::is_none")]
        back_channel_logout_uri: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        login_version: Option<i32>,
        #[serde(default, rename = "loginBaseURI", skip_serializing_if = "Option::is_none")]
        login_base_uri: Option<String>,
    }
    OidcSecretChanged = "project.application.config.oidc.secret.changed" {
        app_id: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        hashed_secret: String,
    }

    ApiConfigAdded = "project.application.config.api.added" {
        app_id: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        client_id: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        hashed_secret: String,
        #[serde(default, skip_serializing_if = "is_zero")]
        auth_method_type: i32,
    }
    ApiConfigChanged = "project.application.config.api.changed" {
        app_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        auth_method_type: Option<i32>,
    }
    ApiSecretChanged = "project.application.config.api.secret.changed" {
        app_id: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        hashed_secret: String,
    }

    /// `metadata` is the XML's bytes, base64 (a Go `[]byte`);
    /// `metadata_url` is snake case in ZITADEL's payload.
    SamlConfigAdded = "project.application.config.saml.added" {
        app_id: String,
        entity_id: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        metadata: String,
        #[serde(default, rename = "metadata_url", skip_serializing_if = "String::is_empty")]
        metadata_url: String,
        #[serde(default, skip_serializing_if = "is_zero")]
        login_version: i32,
        #[serde(default, rename = "loginBaseURI", skip_serializing_if = "String::is_empty")]
        login_base_uri: String,
    }
    SamlConfigChanged = "project.application.config.saml.changed" {
        app_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        entity_id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        metadata: Option<String>,
        #[serde(default, rename = "metadata_url", skip_serializing_if = "Option::is_none")]
        metadata_url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        login_version: Option<i32>,
        #[serde(default, rename = "loginBaseURI", skip_serializing_if = "Option::is_none")]
        login_base_uri: Option<String>,
    }

    /// `type` as `domain.AuthNKeyType` (1: JSON); `publicKey` the PEM's
    /// bytes, base64.
    AppKeyAdded = "project.application.oidc.key.added" {
        #[serde(rename = "applicationId")]
        app_id: String,
        client_id: String,
        key_id: String,
        r#type: i32,
        expiration_date: EventTime,
        public_key: String,
    }
    AppKeyRemoved = "project.application.oidc.key.removed" { key_id: String }
}
