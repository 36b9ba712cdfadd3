//! A project's applications: the OIDC configuration as one value, the
//! document the import and export keep it as (`DataOIDCApplication`'s
//! `app`, which is `AddOIDCAppRequest` in proto3 JSON), ZITADEL's checks of
//! a configuration (`domain.OIDCApp.IsValid`) and its compliance report
//! (`domain.GetOIDCV1Compliance`).

use serde_json::{Map, Value, json};

use crate::events::app::{OidcConfigAdded, OidcConfigChanged};

/// `zitadel.app.v1.OIDCResponseType` by number.
pub const RESPONSE_TYPES: &[&str] =
    &["OIDC_RESPONSE_TYPE_CODE", "OIDC_RESPONSE_TYPE_ID_TOKEN", "OIDC_RESPONSE_TYPE_ID_TOKEN_TOKEN"];
/// `zitadel.app.v1.OIDCGrantType` by number.
pub const GRANT_TYPES: &[&str] = &[
    "OIDC_GRANT_TYPE_AUTHORIZATION_CODE",
    "OIDC_GRANT_TYPE_IMPLICIT",
    "OIDC_GRANT_TYPE_REFRESH_TOKEN",
    "OIDC_GRANT_TYPE_DEVICE_CODE",
    "OIDC_GRANT_TYPE_TOKEN_EXCHANGE",
];
/// `zitadel.app.v1.OIDCAppType` by number.
pub const APP_TYPES: &[&str] = &["OIDC_APP_TYPE_WEB", "OIDC_APP_TYPE_USER_AGENT", "OIDC_APP_TYPE_NATIVE"];
/// `zitadel.app.v1.OIDCAuthMethodType` by number.
pub const AUTH_METHODS: &[&str] = &[
    "OIDC_AUTH_METHOD_TYPE_BASIC",
    "OIDC_AUTH_METHOD_TYPE_POST",
    "OIDC_AUTH_METHOD_TYPE_NONE",
    "OIDC_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT",
];
/// `zitadel.app.v1.OIDCTokenType` by number.
pub const TOKEN_TYPES: &[&str] = &["OIDC_TOKEN_TYPE_BEARER", "OIDC_TOKEN_TYPE_JWT"];
/// `zitadel.app.v1.OIDCVersion` by number.
pub const VERSIONS: &[&str] = &["OIDC_VERSION_1_0"];
/// `zitadel.app.v1.APIAuthMethodType` by number.
pub const API_AUTH_METHODS: &[&str] = &["API_AUTH_METHOD_TYPE_BASIC", "API_AUTH_METHOD_TYPE_PRIVATE_KEY_JWT"];

pub const RESPONSE_CODE: i32 = 0;
pub const RESPONSE_ID_TOKEN: i32 = 1;
pub const RESPONSE_ID_TOKEN_TOKEN: i32 = 2;
pub const GRANT_CODE: i32 = 0;
pub const GRANT_IMPLICIT: i32 = 1;
pub const GRANT_REFRESH: i32 = 2;
pub const GRANT_DEVICE: i32 = 3;
pub const APP_WEB: i32 = 0;
pub const APP_USER_AGENT: i32 = 1;
pub const APP_NATIVE: i32 = 2;
pub const AUTH_BASIC: i32 = 0;
pub const AUTH_POST: i32 = 1;
pub const AUTH_NONE: i32 = 2;
pub const AUTH_PRIVATE_KEY_JWT: i32 = 3;
/// `APIAuthMethodType`: basic (a secret) and private key JWT.
pub const API_AUTH_BASIC: i32 = 0;
pub const API_AUTH_PRIVATE_KEY_JWT: i32 = 1;
/// `domain.LoginVersion`: unspecified, the first login, the second.
pub const LOGIN_V1: i32 = 1;
pub const LOGIN_V2: i32 = 2;

/// The longest clock skew ZITADEL allows, in nanoseconds (5 s).
pub const MAX_CLOCK_SKEW: i64 = 5_000_000_000;

/// An OIDC application's configuration, as its events carry it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OidcValues {
    pub version: i32,
    pub redirect_uris: Vec<String>,
    pub response_types: Vec<i32>,
    pub grant_types: Vec<i32>,
    pub app_type: i32,
    pub auth_method: i32,
    pub post_logout_redirect_uris: Vec<String>,
    pub dev_mode: bool,
    pub access_token_type: i32,
    pub access_token_role_assertion: bool,
    pub id_token_role_assertion: bool,
    pub id_token_userinfo_assertion: bool,
    /// Nanoseconds.
    pub clock_skew: i64,
    pub additional_origins: Vec<String>,
    pub skip_native_app_success_page: bool,
    pub back_channel_logout_uri: String,
    pub login_version: i32,
    pub login_base_uri: String,
}

impl OidcValues {
    pub fn from_added(e: &OidcConfigAdded) -> OidcValues {
        OidcValues {
            version: e.oidc_version,
            redirect_uris: e.redirect_uris.clone(),
            response_types: e.response_types.clone(),
            grant_types: e.grant_types.clone(),
            app_type: e.application_type,
            auth_method: e.auth_method_type,
            post_logout_redirect_uris: e.post_logout_redirect_uris.clone(),
            dev_mode: e.dev_mode,
            access_token_type: e.access_token_type,
            access_token_role_assertion: e.access_token_role_assertion,
            id_token_role_assertion: e.id_token_role_assertion,
            id_token_userinfo_assertion: e.id_token_userinfo_assertion,
            clock_skew: e.clock_skew,
            additional_origins: e.additional_origins.clone(),
            skip_native_app_success_page: e.skip_native_app_success_page,
            back_channel_logout_uri: e.back_channel_logout_uri.clone(),
            login_version: e.login_version,
            login_base_uri: e.login_base_uri.clone(),
        }
    }

    /// The `added` event of these values.
    pub fn added(&self, app_id: &str, client_id: &str, hashed_secret: &str) -> OidcConfigAdded {
        OidcConfigAdded {
            oidc_version: self.version,
            app_id: app_id.into(),
            client_id: client_id.into(),
            hashed_secret: hashed_secret.into(),
            redirect_uris: self.redirect_uris.clone(),
            response_types: self.response_types.clone(),
            grant_types: self.grant_types.clone(),
            application_type: self.app_type,
            auth_method_type: self.auth_method,
            post_logout_redirect_uris: self.post_logout_redirect_uris.clone(),
            dev_mode: self.dev_mode,
            access_token_type: self.access_token_type,
            access_token_role_assertion: self.access_token_role_assertion,
            id_token_role_assertion: self.id_token_role_assertion,
            id_token_userinfo_assertion: self.id_token_userinfo_assertion,
            clock_skew: self.clock_skew,
            additional_origins: self.additional_origins.clone(),
            skip_native_app_success_page: self.skip_native_app_success_page,
            back_channel_logout_uri: self.back_channel_logout_uri.clone(),
            login_version: self.login_version,
            login_base_uri: self.login_base_uri.clone(),
        }
    }

    /// The `changed` event that turns `self` into `to`: the members that
    /// differ; `None` when nothing does.
    pub fn changes_to(&self, app_id: &str, to: &OidcValues) -> Option<OidcConfigChanged> {
        fn d<T: PartialEq + Clone>(a: &T, b: &T) -> Option<T> {
            (a != b).then(|| b.clone())
        }
        let c = OidcConfigChanged {
            app_id: app_id.into(),
            oidc_version: d(&self.version, &to.version),
            redirect_uris: d(&self.redirect_uris, &to.redirect_uris),
            response_types: d(&self.response_types, &to.response_types),
            grant_types: d(&self.grant_types, &to.grant_types),
            application_type: d(&self.app_type, &to.app_type),
            auth_method_type: d(&self.auth_method, &to.auth_method),
            post_logout_redirect_uris: d(&self.post_logout_redirect_uris, &to.post_logout_redirect_uris),
            dev_mode: d(&self.dev_mode, &to.dev_mode),
            access_token_type: d(&self.access_token_type, &to.access_token_type),
            access_token_role_assertion: d(&self.access_token_role_assertion, &to.access_token_role_assertion),
            id_token_role_assertion: d(&self.id_token_role_assertion, &to.id_token_role_assertion),
            id_token_userinfo_assertion: d(&self.id_token_userinfo_assertion, &to.id_token_userinfo_assertion),
            clock_skew: d(&self.clock_skew, &to.clock_skew),
            additional_origins: d(&self.additional_origins, &to.additional_origins),
            skip_native_app_success_page: d(&self.skip_native_app_success_page, &to.skip_native_app_success_page),
            back_channel_logout_uri: d(&self.back_channel_logout_uri, &to.back_channel_logout_uri),
            login_version: d(&self.login_version, &to.login_version),
            login_base_uri: d(&self.login_base_uri, &to.login_base_uri),
        };
        (c != OidcConfigChanged { app_id: app_id.into(), ..Default::default() }).then_some(c)
    }

    /// `self` with the members a `changed` event carries.
    pub fn apply(&mut self, c: &OidcConfigChanged) {
        fn set<T: Clone>(to: &mut T, from: &Option<T>) {
            if let Some(v) = from {
                *to = v.clone();
            }
        }
        set(&mut self.version, &c.oidc_version);
        set(&mut self.redirect_uris, &c.redirect_uris);
        set(&mut self.response_types, &c.response_types);
        set(&mut self.grant_types, &c.grant_types);
        set(&mut self.app_type, &c.application_type);
        set(&mut self.auth_method, &c.auth_method_type);
        set(&mut self.post_logout_redirect_uris, &c.post_logout_redirect_uris);
        set(&mut self.dev_mode, &c.dev_mode);
        set(&mut self.access_token_type, &c.access_token_type);
        set(&mut self.access_token_role_assertion, &c.access_token_role_assertion);
        set(&mut self.id_token_role_assertion, &c.id_token_role_assertion);
        set(&mut self.id_token_userinfo_assertion, &c.id_token_userinfo_assertion);
        set(&mut self.clock_skew, &c.clock_skew);
        set(&mut self.additional_origins, &c.additional_origins);
        set(&mut self.skip_native_app_success_page, &c.skip_native_app_success_page);
        set(&mut self.back_channel_logout_uri, &c.back_channel_logout_uri);
        set(&mut self.login_version, &c.login_version);
        set(&mut self.login_base_uri, &c.login_base_uri);
    }

    /// The `app` member of the application's document: `AddOIDCAppRequest`
    /// in proto3 JSON (defaults left out).
    pub fn to_doc(&self, project_id: &str, name: &str) -> Value {
        let mut m = Map::new();
        m.insert("projectId".into(), json!(project_id));
        m.insert("name".into(), json!(name));
        put_list(&mut m, "redirectUris", &self.redirect_uris);
        put_enums(&mut m, "responseTypes", &self.response_types, RESPONSE_TYPES);
        put_enums(&mut m, "grantTypes", &self.grant_types, GRANT_TYPES);
        put_enum(&mut m, "appType", self.app_type, APP_TYPES);
        put_enum(&mut m, "authMethodType", self.auth_method, AUTH_METHODS);
        put_list(&mut m, "postLogoutRedirectUris", &self.post_logout_redirect_uris);
        put_enum(&mut m, "version", self.version, VERSIONS);
        put_flag(&mut m, "devMode", self.dev_mode);
        put_enum(&mut m, "accessTokenType", self.access_token_type, TOKEN_TYPES);
        put_flag(&mut m, "accessTokenRoleAssertion", self.access_token_role_assertion);
        put_flag(&mut m, "idTokenRoleAssertion", self.id_token_role_assertion);
        put_flag(&mut m, "idTokenUserinfoAssertion", self.id_token_userinfo_assertion);
        if self.clock_skew != 0 {
            m.insert("clockSkew".into(), json!(duration_text(self.clock_skew)));
        }
        put_list(&mut m, "additionalOrigins", &self.additional_origins);
        put_flag(&mut m, "skipNativeAppSuccessPage", self.skip_native_app_success_page);
        if !self.back_channel_logout_uri.is_empty() {
            m.insert("backChannelLogoutUri".into(), json!(self.back_channel_logout_uri));
        }
        if let Some(v) = login_version_doc(self.login_version, &self.login_base_uri) {
            m.insert("loginVersion".into(), v);
        }
        Value::Object(m)
    }

    /// The values of a document's `app` member (what `to_doc` writes, or
    /// what an import brought: enums by name or number).
    pub fn from_doc(app: &Value) -> OidcValues {
        let (login_version, login_base_uri) = login_version_of(app.get("loginVersion"));
        OidcValues {
            version: enum_of(app.get("version"), VERSIONS),
            redirect_uris: list_of(app.get("redirectUris")),
            response_types: enums_of(app.get("responseTypes"), RESPONSE_TYPES),
            grant_types: enums_of(app.get("grantTypes"), GRANT_TYPES),
            app_type: enum_of(app.get("appType"), APP_TYPES),
            auth_method: enum_of(app.get("authMethodType"), AUTH_METHODS),
            post_logout_redirect_uris: list_of(app.get("postLogoutRedirectUris")),
            dev_mode: flag_of(app.get("devMode")),
            access_token_type: enum_of(app.get("accessTokenType"), TOKEN_TYPES),
            access_token_role_assertion: flag_of(app.get("accessTokenRoleAssertion")),
            id_token_role_assertion: flag_of(app.get("idTokenRoleAssertion")),
            id_token_userinfo_assertion: flag_of(app.get("idTokenUserinfoAssertion")),
            clock_skew: app.get("clockSkew").and_then(Value::as_str).and_then(parse_duration).unwrap_or_default(),
            additional_origins: list_of(app.get("additionalOrigins")),
            skip_native_app_success_page: flag_of(app.get("skipNativeAppSuccessPage")),
            back_channel_logout_uri: app
                .get("backChannelLogoutUri")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            login_version,
            login_base_uri,
        }
    }

    /// Whether a client secret goes with this configuration (basic or
    /// post authentication).
    pub fn needs_secret(&self) -> bool {
        matches!(self.auth_method, AUTH_BASIC | AUTH_POST)
    }

    /// ZITADEL's `OIDCApp.IsValid`: the clock skew within 0–5 s, every
    /// additional origin an origin, and the grant types that the response
    /// types need (some needed) all present.
    pub fn is_valid(&self) -> bool {
        if !(0..=MAX_CLOCK_SKEW).contains(&self.clock_skew)
            || !self.additional_origins.iter().all(|o| is_origin(o.trim()))
        {
            return false;
        }
        let required = required_grant_types(&self.response_types, &self.grant_types);
        !required.is_empty() && required.iter().all(|g| self.grant_types.contains(g))
    }

    /// ZITADEL's compliance report of an OIDC 1.0 configuration: whether it
    /// is not compliant, and the problems' message keys.
    pub fn compliance(&self) -> (bool, Vec<&'static str>) {
        let mut c = Compliance::default();
        let grants = &self.grant_types;
        let has = |g: i32| grants.contains(&g);
        if !has(GRANT_DEVICE) && has(GRANT_REFRESH) && !has(GRANT_CODE) {
            c.problem("Application.OIDC.V1.GrantType.Refresh.NoAuthCode");
        }
        let uris = &self.redirect_uris;
        if uris.is_empty() && (!has(GRANT_DEVICE) || has(GRANT_CODE)) {
            c.none_compliant = true;
            c.problems.insert(0, "Application.OIDC.V1.NoRedirectUris");
        }
        let app = self.app_type;
        if has(GRANT_IMPLICIT) && has(GRANT_CODE) {
            if !all_https(uris) {
                if has_custom(uris) && app != APP_NATIVE {
                    c.problem("Application.OIDC.V1.Implicit.RedirectUris.CustomNotAllowed");
                }
                if any_http(uris) {
                    if app == APP_USER_AGENT {
                        c.problem("Application.OIDC.V1.Code.RedirectUris.HttpOnlyForWeb");
                    }
                    if !only_localhost_http(uris) && app == APP_NATIVE {
                        c.problem("Application.OIDC.V1.Native.RedirectUris.MustBeHttpLocalhost");
                    }
                }
                if !c.none_compliant {
                    c.problems.push("Application.OIDC.V1.NotAllCombinationsAreAllowed");
                }
            }
        } else {
            if has(GRANT_IMPLICIT) && !all_https(uris) {
                if has_custom(uris) {
                    c.problem("Application.OIDC.V1.Implicit.RedirectUris.CustomNotAllowed");
                }
                if any_http(uris) {
                    if app == APP_NATIVE {
                        if !only_localhost_http(uris) {
                            c.problem("Application.OIDC.V1.Native.RedirectUris.MustBeHttpLocalhost");
                        }
                    } else {
                        c.problem("Application.OIDC.V1.Implicit.RedirectUris.HttpNotAllowed");
                    }
                }
            }
            if has(GRANT_CODE) && !all_https(uris) {
                if any_http(uris) {
                    if app == APP_USER_AGENT {
                        c.problem("Application.OIDC.V1.Code.RedirectUris.HttpOnlyForWeb");
                    }
                    if app == APP_NATIVE && !only_localhost_http(uris) {
                        c.problem("Application.OIDC.V1.Native.RedirectUris.MustBeHttpLocalhost");
                    }
                }
                if has_custom(uris) && app != APP_NATIVE {
                    c.problem("Application.OIDC.V1.Code.RedirectUris.CustomOnlyForNative");
                }
            }
        }
        match app {
            APP_NATIVE if self.auth_method != AUTH_NONE => {
                c.problem("Application.OIDC.V1.Native.AuthMethodType.NotNone");
            }
            APP_USER_AGENT if self.auth_method != AUTH_NONE => {
                c.problem("Application.OIDC.V1.UserAgent.AuthMethodType.NotNone");
            }
            _ => {}
        }
        // ZITADEL heads the list once per check that found a problem
        // (the application type's check and the whole report).
        if c.none_compliant {
            if app != APP_WEB {
                c.problems.insert(0, "Application.OIDC.V1.NotCompliant");
            }
            c.problems.insert(0, "Application.OIDC.V1.NotCompliant");
        }
        (c.none_compliant, c.problems)
    }
}

#[derive(Default)]
struct Compliance {
    none_compliant: bool,
    problems: Vec<&'static str>,
}

impl Compliance {
    fn problem(&mut self, key: &'static str) {
        self.none_compliant = true;
        self.problems.push(key);
    }
}

fn all_https(uris: &[String]) -> bool {
    uris.iter().all(|u| u.starts_with("https://"))
}

fn any_http(uris: &[String]) -> bool {
    uris.iter().any(|u| u.starts_with("http://"))
}

fn has_custom(uris: &[String]) -> bool {
    uris.iter().any(|u| !u.starts_with("http://") && !u.starts_with("https://"))
}

/// Whether every `http` URI is on localhost or a loopback address.
fn only_localhost_http(uris: &[String]) -> bool {
    uris.iter().all(|u| match url::Url::parse(u) {
        Err(_) => false,
        Ok(url) if url.scheme() == "http" => match url.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(url::Host::Ipv4(a)) => a.is_loopback(),
            Some(url::Host::Ipv6(a)) => a.is_loopback(),
            None => false,
        },
        Ok(_) => true,
    })
}

/// The grant types that `response` types need (`RequiredOIDCGrantTypes`):
/// the code flow needs authorization code (or device code, when that is
/// granted), the token response types need implicit.
pub fn required_grant_types(response: &[i32], granted: &[i32]) -> Vec<i32> {
    let mut out = Vec::new();
    let mut implicit = false;
    for r in response {
        match *r {
            RESPONSE_CODE => out.push(if granted.contains(&GRANT_DEVICE) { GRANT_DEVICE } else { GRANT_CODE }),
            RESPONSE_ID_TOKEN | RESPONSE_ID_TOKEN_TOKEN if !implicit => {
                implicit = true;
                out.push(GRANT_IMPLICIT);
            }
            _ => {}
        }
    }
    out
}

/// ZITADEL's `http_util.IsOrigin`: a URL with a scheme and a host and no
/// path, query or fragment.
pub fn is_origin(text: &str) -> bool {
    let Ok(url) = url::Url::parse(text) else { return false };
    url.host().is_some()
        && matches!(url.path(), "" | "/")
        && !text.ends_with('/')
        && url.query().is_none_or(str::is_empty)
        && url.fragment().is_none()
}

fn put_list(m: &mut Map<String, Value>, key: &str, list: &[String]) {
    if !list.is_empty() {
        m.insert(key.into(), json!(list));
    }
}

fn put_flag(m: &mut Map<String, Value>, key: &str, on: bool) {
    if on {
        m.insert(key.into(), json!(true));
    }
}

fn put_enum(m: &mut Map<String, Value>, key: &str, n: i32, names: &[&str]) {
    if n != 0 {
        m.insert(key.into(), enum_name(n, names));
    }
}

fn put_enums(m: &mut Map<String, Value>, key: &str, list: &[i32], names: &[&str]) {
    if !list.is_empty() {
        m.insert(key.into(), Value::Array(list.iter().map(|n| enum_name(*n, names)).collect()));
    }
}

/// An enum value by name, or by number when it has none (as proto3 JSON
/// writes an unknown number).
fn enum_name(n: i32, names: &[&str]) -> Value {
    usize::try_from(n).ok().and_then(|i| names.get(i)).map_or_else(|| json!(n), |name| json!(name))
}

/// An enum member's number: by name or number; 0 when absent or unknown.
pub fn enum_of(v: Option<&Value>, names: &[&str]) -> i32 {
    match v {
        Some(Value::String(s)) => names.iter().position(|n| n == s).and_then(|i| i32::try_from(i).ok()).unwrap_or(0),
        Some(Value::Number(n)) => n.as_i64().and_then(|n| i32::try_from(n).ok()).unwrap_or(0),
        _ => 0,
    }
}

fn enums_of(v: Option<&Value>, names: &[&str]) -> Vec<i32> {
    v.and_then(Value::as_array).map(|a| a.iter().map(|e| enum_of(Some(e), names)).collect()).unwrap_or_default()
}

fn list_of(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

fn flag_of(v: Option<&Value>) -> bool {
    v.and_then(Value::as_bool).unwrap_or_default()
}

/// The proto3 JSON `LoginVersion` message of a version and base URI.
pub fn login_version_doc(version: i32, base_uri: &str) -> Option<Value> {
    match version {
        LOGIN_V1 => Some(json!({"loginV1": {}})),
        LOGIN_V2 if base_uri.is_empty() => Some(json!({"loginV2": {}})),
        LOGIN_V2 => Some(json!({"loginV2": {"baseUri": base_uri}})),
        _ => None,
    }
}

/// The version and base URI of a `LoginVersion` message in proto3 JSON.
pub fn login_version_of(v: Option<&Value>) -> (i32, String) {
    let Some(v) = v else { return (0, String::new()) };
    if v.get("loginV1").is_some() {
        (LOGIN_V1, String::new())
    } else if let Some(v2) = v.get("loginV2") {
        (LOGIN_V2, v2.get("baseUri").and_then(Value::as_str).unwrap_or_default().to_string())
    } else {
        (0, String::new())
    }
}

/// A duration of nanoseconds as proto3 JSON writes one (`1.5s`).
pub fn duration_text(nanos: i64) -> String {
    let seconds = nanos / 1_000_000_000;
    let fraction = (nanos % 1_000_000_000).abs();
    if fraction == 0 {
        format!("{seconds}s")
    } else {
        let digits = format!("{fraction:09}");
        format!("{seconds}.{}s", digits.trim_end_matches('0'))
    }
}

/// Nanoseconds of a proto3 JSON duration (`1.5s`).
pub fn parse_duration(text: &str) -> Option<i64> {
    let number = text.strip_suffix('s')?;
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let negative = whole.starts_with('-');
    let seconds: i64 = whole.parse().ok()?;
    let frac: i64 = if fraction.is_empty() { 0 } else { format!("{fraction:0<9}").parse().ok()? };
    let frac = if negative { -frac } else { frac };
    seconds.checked_mul(1_000_000_000)?.checked_add(frac)
}

/// The entity id of a SAML service provider's metadata: the `entityID`
/// of its root `EntityDescriptor` (ZITADEL's `ParseMetadataXmlIntoStruct`).
pub fn saml_entity_id(xml: &[u8]) -> std::result::Result<String, String> {
    use quick_xml::events::Event as X;
    let mut reader = quick_xml::reader::Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).map_err(|e| format!("malformed XML: {e}"))? {
            X::Start(e) | X::Empty(e) => {
                if e.local_name().as_ref() != "EntityDescriptor" {
                    return Err("the metadata's root element is not an EntityDescriptor".into());
                }
                for a in e.attributes().flatten() {
                    if a.key.local_name().as_ref() == "entityID" {
                        let value =
                            quick_xml::escape::unescape(&a.value).map_err(|e| format!("malformed entityID: {e}"))?;
                        return Ok(value.into_owned());
                    }
                }
                return Err("the EntityDescriptor has no entityID".into());
            }
            X::Eof => return Err("the metadata has no element".into()),
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn web(uris: &[&str], auth: i32, grants: &[i32]) -> OidcValues {
        OidcValues {
            redirect_uris: uris.iter().map(|u| u.to_string()).collect(),
            response_types: vec![RESPONSE_CODE],
            grant_types: grants.to_vec(),
            auth_method: auth,
            ..Default::default()
        }
    }

    #[test]
    fn the_document_keeps_every_value() {
        let v = OidcValues {
            redirect_uris: vec!["https://a.example/cb".into()],
            response_types: vec![RESPONSE_CODE, RESPONSE_ID_TOKEN],
            grant_types: vec![GRANT_CODE, GRANT_IMPLICIT],
            app_type: APP_USER_AGENT,
            auth_method: AUTH_NONE,
            dev_mode: true,
            access_token_type: 1,
            clock_skew: 1_500_000_000,
            additional_origins: vec!["https://b.example".into()],
            back_channel_logout_uri: "https://a.example/logout".into(),
            login_version: LOGIN_V2,
            login_base_uri: "https://login.example".into(),
            ..Default::default()
        };
        let doc = v.to_doc("p1", "web");
        assert_eq!(doc["clockSkew"], "1.5s");
        assert_eq!(doc["responseTypes"][1], "OIDC_RESPONSE_TYPE_ID_TOKEN");
        assert_eq!(doc["loginVersion"]["loginV2"]["baseUri"], "https://login.example");
        assert_eq!(OidcValues::from_doc(&doc), v);
        let c = v.changes_to("a", &OidcValues { dev_mode: false, ..v.clone() }).unwrap();
        assert_eq!(c.dev_mode, Some(false));
        assert_eq!(c.redirect_uris, None);
        assert!(v.changes_to("a", &v).is_none());
    }

    #[test]
    fn validity_follows_the_response_types() {
        assert!(web(&["https://a"], AUTH_BASIC, &[GRANT_CODE]).is_valid());
        assert!(!web(&["https://a"], AUTH_BASIC, &[GRANT_IMPLICIT]).is_valid());
        assert!(!OidcValues::default().is_valid(), "no response type is invalid");
        assert!(!OidcValues { clock_skew: 6_000_000_000, ..web(&[], 0, &[GRANT_CODE]) }.is_valid());
        assert!(
            !OidcValues { additional_origins: vec!["https://a/path".into()], ..web(&[], 0, &[GRANT_CODE]) }.is_valid()
        );
    }

    #[test]
    fn compliance_reports_zitadels_keys() {
        assert_eq!(web(&["https://a/cb"], AUTH_BASIC, &[GRANT_CODE]).compliance(), (false, vec![]));
        let (bad, problems) =
            OidcValues { app_type: APP_NATIVE, ..web(&["http://host/cb"], AUTH_BASIC, &[GRANT_CODE]) }.compliance();
        assert!(bad);
        assert_eq!(
            problems,
            [
                "Application.OIDC.V1.NotCompliant",
                "Application.OIDC.V1.NotCompliant",
                "Application.OIDC.V1.Native.RedirectUris.MustBeHttpLocalhost",
                "Application.OIDC.V1.Native.AuthMethodType.NotNone"
            ]
        );
        let (bad, problems) = web(&[], AUTH_BASIC, &[GRANT_CODE]).compliance();
        assert!(bad);
        assert_eq!(problems, ["Application.OIDC.V1.NotCompliant", "Application.OIDC.V1.NoRedirectUris"]);
    }

    #[test]
    fn durations_and_entity_ids_read() {
        assert_eq!(parse_duration("1.5s"), Some(1_500_000_000));
        assert_eq!(parse_duration("0s"), Some(0));
        assert_eq!(duration_text(5_000_000_000), "5s");
        let xml = br#"<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.example/meta"><md:SPSSODescriptor/></md:EntityDescriptor>"#;
        assert_eq!(saml_entity_id(xml).unwrap(), "https://sp.example/meta");
        assert!(saml_entity_id(b"<x/>").is_err());
    }
}
