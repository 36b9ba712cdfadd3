//! Facts from ZITADEL's API reference for `ExportData` (its response
//! schema lists these limits); the import enforces them.

/// Length limits of the export document, per DataOrg member and field name,
/// as ZITADEL's API reference states them: (section, field, min, max).
pub(crate) const LIMITS: &[(&str, &str, usize, usize)] = &[
    ("org", "name", 1, 200),
    ("domainPolicy", "orgId", 1, 200),
    ("labelPolicy", "primaryColor", 0, 50),
    ("labelPolicy", "warnColor", 0, 50),
    ("labelPolicy", "backgroundColor", 0, 50),
    ("labelPolicy", "fontColor", 0, 50),
    ("labelPolicy", "primaryColorDark", 0, 50),
    ("labelPolicy", "backgroundColorDark", 0, 50),
    ("labelPolicy", "warnColorDark", 0, 50),
    ("labelPolicy", "fontColorDark", 0, 50),
    ("projects", "name", 1, 200),
    ("projectRoles", "roleKey", 1, 200),
    ("projectRoles", "displayName", 1, 200),
    ("projectRoles", "group", 0, 200),
    ("apiApps", "name", 1, 200),
    ("oidcApps", "name", 1, 200),
    ("humanUsers", "firstName", 1, 200),
    ("humanUsers", "lastName", 1, 200),
    ("humanUsers", "nickName", 0, 200),
    ("humanUsers", "displayName", 0, 200),
    ("humanUsers", "preferredLanguage", 0, 10),
    ("humanUsers", "phone", 1, 50),
    ("humanUsers", "configId", 1, 200),
    ("humanUsers", "externalUserId", 1, 200),
    ("machineUsers", "userName", 1, 200),
    ("machineUsers", "name", 1, 200),
    ("machineUsers", "description", 0, 500),
    ("machineUsers", "userId", 0, 200),
    ("actions", "name", 1, 200),
    ("actions", "script", 1, 10000),
    ("userGrants", "projectId", 1, 200),
    ("userGrants", "projectGrantId", 0, 200),
    ("projectGrantMembers", "userId", 1, 200),
    ("userMetadata", "id", 1, 200),
    ("userMetadata", "key", 1, 200),
    ("userMetadata", "value", 1, 500000),
    ("oidcIdps", "name", 1, 200),
    ("oidcIdps", "clientId", 1, 200),
    ("oidcIdps", "clientSecret", 1, 200),
    ("jwtIdps", "name", 1, 200),
    ("jwtIdps", "jwtEndpoint", 1, 200),
    ("jwtIdps", "issuer", 1, 200),
    ("jwtIdps", "keysEndpoint", 1, 200),
    ("jwtIdps", "headerName", 1, 200),
];

/// The message texts' rules (`SetCustom*MessageTextRequest` in the sheets):
/// maximum bytes per field of every `*Messages` section, and the SMS texts
/// (verify phone, verify SMS OTP) at most 800 characters.
pub(crate) fn message_text_limit(section: &str, field: &str) -> Option<TextLimit> {
    if !section.ends_with("Messages") {
        return None;
    }
    if field == "text" && matches!(section, "verifyPhoneMessages" | "verifySmsOtpMessages") {
        return Some(TextLimit::Chars(800));
    }
    Some(TextLimit::Bytes(match field {
        "title" | "preHeader" | "subject" => 2000,
        "greeting" | "buttonText" => 4000,
        "text" => 40000,
        "footerText" => 8000,
        _ => return None,
    }))
}

/// A maximum length, counted in bytes (proto-validate's `max_bytes`) or in
/// characters (`max_len`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextLimit {
    Bytes(usize),
    Chars(usize),
}
