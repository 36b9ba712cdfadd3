//! The restrictions aggregate (`restrictions`, one per instance, its id
//! chosen when it is first written): ZITADEL's `restrictions.set` event
//! carries only the members that change.

payloads! {
    /// `repository/restrictions/events.go`: a member is written only when
    /// it changes; `allowedLanguages` as the whole new list (empty: every
    /// supported language is allowed).
    RestrictionsSet = "restrictions.set" {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        disallow_public_org_registration: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        allowed_languages: Option<Vec<String>>,
    }
}
