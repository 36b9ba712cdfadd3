//! Identity-provider configurations of ZITADEL's first IdP API
//! (`AddOIDCIDP`, `AddJWTIDP`, `UpdateIDP`, …), which ZITADEL still
//! answers beside the templates and which its exports carry.
//!
//! A configuration is two events: `iam.idp.config.added` (name, styling,
//! auto-register; `org.…` for an organization's) and then
//! `…idp.oidc.config.added` or `…idp.jwt.config.added` (the protocol's
//! settings), with ZITADEL's
//! payloads (`internal/repository/idpconfig`). The read table keeps the
//! whole configuration as an [`IdpConfig`] document, made by [`reduce`].
//! As ZITADEL's template projection does, a configuration is also a
//! template (OIDC or JWT) from its protocol event on, so that
//! `ListProviders`, login policies and user links see it ([`IdpConfig::template`]).

use serde::{Deserialize, Serialize};

use crate::crypto::Sealed;
use crate::events::is_zero;
use crate::idp::{Config, Options, Template};
use crate::{Error, Result};

/// The event types of one scope (the instance's, or an organization's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigEvents {
    pub added: &'static str,
    pub changed: &'static str,
    pub deactivated: &'static str,
    pub reactivated: &'static str,
    pub removed: &'static str,
    pub oidc_added: &'static str,
    pub oidc_changed: &'static str,
    pub jwt_added: &'static str,
    pub jwt_changed: &'static str,
}

macro_rules! config_events {
    ($scope:literal) => {
        ConfigEvents {
            added: concat!($scope, ".idp.config.added"),
            changed: concat!($scope, ".idp.config.changed"),
            deactivated: concat!($scope, ".idp.config.deactivated"),
            reactivated: concat!($scope, ".idp.config.reactivated"),
            removed: concat!($scope, ".idp.config.removed"),
            oidc_added: concat!($scope, ".idp.oidc.config.added"),
            oidc_changed: concat!($scope, ".idp.oidc.config.changed"),
            jwt_added: concat!($scope, ".idp.jwt.config.added"),
            jwt_changed: concat!($scope, ".idp.jwt.config.changed"),
        }
    };
}

/// The instance's: ZITADEL kept the `iam.` prefix of these types when the
/// IAM became the instance (`repository/instance/idp_config.go`); they are
/// events of the `instance` aggregate.
pub const INSTANCE: ConfigEvents = config_events!("iam");
pub const ORG: ConfigEvents = config_events!("org");

impl ConfigEvents {
    pub const fn all(&self) -> [&'static str; 9] {
        [
            self.added,
            self.changed,
            self.deactivated,
            self.reactivated,
            self.removed,
            self.oidc_added,
            self.oidc_changed,
            self.jwt_added,
            self.jwt_changed,
        ]
    }

    /// The scope whose event `event_type` is, if it is one of these.
    pub fn of(event_type: &str) -> Option<&'static ConfigEvents> {
        [&INSTANCE, &ORG].into_iter().find(|s| s.all().contains(&event_type))
    }
}

/// `domain.IDPConfigType`, the `idpType` of the added event.
pub const TYPE_OIDC: i32 = 0;
pub const TYPE_JWT: i32 = 2;

/// `domain.IDPConfigState` as the read table keeps it (and as
/// `zitadel.idp.v1.IDPState` numbers it).
pub const STATE_ACTIVE: i32 = 1;
pub const STATE_INACTIVE: i32 = 2;

fn no_text(s: &str) -> bool {
    s.is_empty()
}

/// `…idp.config.added`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigAdded {
    pub idp_config_id: String,
    #[serde(default, skip_serializing_if = "no_text")]
    pub name: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub idp_type: i32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub styling_type: i32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub auto_register: bool,
}

/// `…idp.config.changed`: the members that changed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigChanged {
    pub idp_config_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub styling_type: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_register: Option<bool>,
}

/// `…idp.config.deactivated`, `.reactivated` and `.removed`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigId {
    pub idp_config_id: String,
}

/// `…idp.oidc.config.added`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcAdded {
    pub idp_config_id: String,
    #[serde(default, skip_serializing_if = "no_text")]
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Sealed>,
    #[serde(default, skip_serializing_if = "no_text")]
    pub issuer: String,
    #[serde(default, skip_serializing_if = "no_text")]
    pub authorization_endpoint: String,
    #[serde(default, skip_serializing_if = "no_text")]
    pub token_endpoint: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub idp_display_name_mapping: i32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub username_mapping: i32,
}

/// `…idp.oidc.config.changed`: the members that changed. Scopes set to
/// none are written as `[]` (ZITADEL's `omitempty` would drop the change).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcChanged {
    pub idp_config_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Sealed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idp_display_name_mapping: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_mapping: Option<i32>,
}

/// `…idp.jwt.config.added`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JwtAdded {
    pub idp_config_id: String,
    #[serde(default, skip_serializing_if = "no_text")]
    pub jwt_endpoint: String,
    #[serde(default, skip_serializing_if = "no_text")]
    pub issuer: String,
    #[serde(default, skip_serializing_if = "no_text")]
    pub keys_endpoint: String,
    #[serde(default, skip_serializing_if = "no_text")]
    pub header_name: String,
}

/// `…idp.jwt.config.changed`: the members that changed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JwtChanged {
    pub idp_config_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_name: Option<String>,
}

/// A configuration as the read table keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdpConfig {
    pub id: String,
    pub name: String,
    pub styling_type: i32,
    pub auto_register: bool,
    pub state: i32,
    /// None until its protocol event.
    pub protocol: Option<Protocol>,
}

/// What a configuration's protocol event sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", rename_all_fields = "camelCase")]
pub enum Protocol {
    Oidc {
        client_id: String,
        client_secret: Option<Sealed>,
        issuer: String,
        authorization_endpoint: String,
        token_endpoint: String,
        scopes: Vec<String>,
        display_name_mapping: i32,
        username_mapping: i32,
    },
    Jwt {
        jwt_endpoint: String,
        issuer: String,
        keys_endpoint: String,
        header_name: String,
    },
}

/// What an event does to the read table's row.
#[derive(Debug, Clone, PartialEq)]
pub enum Reduced {
    Write(Box<IdpConfig>),
    Remove(String),
}

fn decode<T: serde::de::DeserializeOwned>(event_type: &str, payload: &serde_json::Value) -> Result<T> {
    T::deserialize(payload).map_err(|e| Error::internal("IDPC-dec01", format!("unreadable {event_type} event: {e}")))
}

/// The configuration an event names (`idpConfigId`).
pub fn config_id(payload: &serde_json::Value) -> &str {
    payload.get("idpConfigId").and_then(|v| v.as_str()).unwrap_or_default()
}

/// The row after the event `event_type` (of either scope) with `payload`,
/// given the stored one. An event for a configuration that is not stored
/// (other than its `added` event) changes nothing.
pub fn reduce(event_type: &str, payload: &serde_json::Value, stored: Option<IdpConfig>) -> Result<Option<Reduced>> {
    let Some(scope) = ConfigEvents::of(event_type) else {
        return Ok(None);
    };
    if event_type == scope.added {
        let p: ConfigAdded = decode(event_type, payload)?;
        return Ok(Some(Reduced::Write(Box::new(IdpConfig {
            id: p.idp_config_id,
            name: p.name,
            styling_type: p.styling_type,
            auto_register: p.auto_register,
            state: STATE_ACTIVE,
            protocol: None,
        }))));
    }
    let Some(mut c) = stored else { return Ok(None) };
    match event_type {
        t if t == scope.removed => return Ok(Some(Reduced::Remove(c.id))),
        t if t == scope.deactivated => c.state = STATE_INACTIVE,
        t if t == scope.reactivated => c.state = STATE_ACTIVE,
        t if t == scope.changed => {
            let p: ConfigChanged = decode(t, payload)?;
            c.name = p.name.unwrap_or(c.name);
            c.styling_type = p.styling_type.unwrap_or(c.styling_type);
            c.auto_register = p.auto_register.unwrap_or(c.auto_register);
        }
        t if t == scope.oidc_added => {
            let p: OidcAdded = decode(t, payload)?;
            c.protocol = Some(Protocol::Oidc {
                client_id: p.client_id,
                client_secret: p.client_secret,
                issuer: p.issuer,
                authorization_endpoint: p.authorization_endpoint,
                token_endpoint: p.token_endpoint,
                scopes: p.scopes,
                display_name_mapping: p.idp_display_name_mapping,
                username_mapping: p.username_mapping,
            });
        }
        t if t == scope.oidc_changed => {
            let p: OidcChanged = decode(t, payload)?;
            if let Some(Protocol::Oidc {
                client_id,
                client_secret,
                issuer,
                authorization_endpoint,
                token_endpoint,
                scopes,
                display_name_mapping,
                username_mapping,
            }) = &mut c.protocol
            {
                set(client_id, p.client_id);
                if p.client_secret.is_some() {
                    *client_secret = p.client_secret;
                }
                set(issuer, p.issuer);
                set(authorization_endpoint, p.authorization_endpoint);
                set(token_endpoint, p.token_endpoint);
                set(scopes, p.scopes);
                set(display_name_mapping, p.idp_display_name_mapping);
                set(username_mapping, p.username_mapping);
            }
        }
        t if t == scope.jwt_added => {
            let p: JwtAdded = decode(t, payload)?;
            c.protocol = Some(Protocol::Jwt {
                jwt_endpoint: p.jwt_endpoint,
                issuer: p.issuer,
                keys_endpoint: p.keys_endpoint,
                header_name: p.header_name,
            });
        }
        t if t == scope.jwt_changed => {
            let p: JwtChanged = decode(t, payload)?;
            if let Some(Protocol::Jwt { jwt_endpoint, issuer, keys_endpoint, header_name }) = &mut c.protocol {
                set(jwt_endpoint, p.jwt_endpoint);
                set(issuer, p.issuer);
                set(keys_endpoint, p.keys_endpoint);
                set(header_name, p.header_name);
            }
        }
        _ => return Ok(None),
    }
    Ok(Some(Reduced::Write(Box::new(c))))
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *slot = v;
    }
}

impl IdpConfig {
    /// The template ZITADEL's template projection makes of this
    /// configuration (`reduceOldConfigAdded` and the protocol reducers):
    /// creation and linking allowed, auto-creation as auto-register, no
    /// ID-token mapping or PKCE. None before the protocol event, or for an
    /// OIDC configuration without a secret (which only an import brings).
    /// The template kind of its protocol (none before its protocol event).
    pub fn kind(&self) -> Option<crate::idp::Kind> {
        Some(match self.protocol.as_ref()? {
            Protocol::Oidc { .. } => crate::idp::Kind::Oidc,
            Protocol::Jwt { .. } => crate::idp::Kind::Jwt,
        })
    }

    pub fn template(&self) -> Option<Template> {
        let config = match self.protocol.as_ref()? {
            Protocol::Oidc { client_id, client_secret, issuer, scopes, .. } => Config::Oidc {
                issuer: issuer.clone(),
                client_id: client_id.clone(),
                client_secret: client_secret.clone()?,
                scopes: scopes.clone(),
                is_id_token_mapping: false,
                use_pkce: false,
            },
            Protocol::Jwt { jwt_endpoint, issuer, keys_endpoint, header_name } => Config::Jwt {
                issuer: issuer.clone(),
                jwt_endpoint: jwt_endpoint.clone(),
                keys_endpoint: keys_endpoint.clone(),
                header_name: header_name.clone(),
            },
        };
        Some(Template {
            id: self.id.clone(),
            name: self.name.clone(),
            options: Options {
                is_linking_allowed: true,
                is_creation_allowed: true,
                is_auto_creation: self.auto_register,
                is_auto_update: false,
                auto_linking: 0,
            },
            config,
        })
    }
}

/// The `org_objects` kind of an organization's OIDC configuration as
/// ZITADEL's export carries it (`DataOrg.oidcIdps`).
pub const DOC_OIDC: &str = "oidc_idp";
/// The `org_objects` kind of an organization's JWT configuration
/// (`DataOrg.jwtIdps`).
pub const DOC_JWT: &str = "jwt_idp";

/// `zitadel.idp.v1.IDPStylingType` by number, as proto3 JSON names it.
const STYLING: [&str; 2] = ["STYLING_TYPE_UNSPECIFIED", "STYLING_TYPE_GOOGLE"];
/// `zitadel.idp.v1.OIDCMappingField` by number.
const MAPPING: [&str; 3] =
    ["OIDC_MAPPING_FIELD_UNSPECIFIED", "OIDC_MAPPING_FIELD_PREFERRED_USERNAME", "OIDC_MAPPING_FIELD_EMAIL"];

/// An enum member of a document: its name, or its number.
fn enum_of(v: Option<&serde_json::Value>, names: &[&str]) -> i32 {
    match v {
        Some(serde_json::Value::String(s)) => {
            names.iter().position(|n| *n == s.as_str()).and_then(|i| i32::try_from(i).ok()).unwrap_or(0)
        }
        Some(v) => v.as_i64().and_then(|n| i32::try_from(n).ok()).unwrap_or(0),
        None => 0,
    }
}

/// The configuration an organization's export document holds (the
/// `DataOIDCIDP` or `DataJWTIDP` of `kind`), active, with `secret` as
/// its OIDC client secret; `None` for another kind or a document without
/// its id.
pub fn from_document(kind: &str, data: &serde_json::Value, secret: Option<Sealed>) -> Option<IdpConfig> {
    let id = data.get("idpId")?.as_str().filter(|s| !s.is_empty())?;
    let idp = data.get("idp").cloned().unwrap_or_default();
    let text = |k: &str| idp.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let protocol = match kind {
        DOC_OIDC => Protocol::Oidc {
            client_id: text("clientId"),
            client_secret: secret,
            issuer: text("issuer"),
            authorization_endpoint: String::new(),
            token_endpoint: String::new(),
            scopes: idp
                .get("scopes")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
                .unwrap_or_default(),
            display_name_mapping: enum_of(idp.get("displayNameMapping"), &MAPPING),
            username_mapping: enum_of(idp.get("usernameMapping"), &MAPPING),
        },
        DOC_JWT => Protocol::Jwt {
            jwt_endpoint: text("jwtEndpoint"),
            issuer: text("issuer"),
            keys_endpoint: text("keysEndpoint"),
            header_name: text("headerName"),
        },
        _ => return None,
    };
    Some(IdpConfig {
        id: id.to_string(),
        name: text("name"),
        styling_type: enum_of(idp.get("stylingType"), &STYLING),
        auto_register: idp.get("autoRegister").and_then(|v| v.as_bool()).unwrap_or(false),
        state: STATE_ACTIVE,
        protocol: Some(protocol),
    })
}

/// The export document of an organization's configuration: its kind and
/// the `DataOIDCIDP` or `DataJWTIDP` in proto3 JSON (zero values left out,
/// enums by name, no secret), as an import keeps it; `None` before its
/// protocol event.
pub fn to_document(c: &IdpConfig) -> Option<(&'static str, serde_json::Value)> {
    use serde_json::{Map, Value, json};
    let mut idp = Map::new();
    let mut put = |k: &str, v: Value| {
        let zero = match &v {
            Value::String(s) => s.is_empty(),
            Value::Bool(b) => !b,
            Value::Array(a) => a.is_empty(),
            _ => false,
        };
        if !zero {
            idp.insert(k.to_string(), v);
        }
    };
    let name_of = |names: &[&str], n: i32| match usize::try_from(n) {
        Ok(0) => String::new(),
        Ok(i) if i < names.len() => names[i].to_string(),
        _ => String::new(),
    };
    put("name", json!(c.name));
    put("stylingType", json!(name_of(&STYLING, c.styling_type)));
    let kind = match c.protocol.as_ref()? {
        Protocol::Oidc { client_id, issuer, scopes, display_name_mapping, username_mapping, .. } => {
            put("clientId", json!(client_id));
            put("issuer", json!(issuer));
            put("scopes", json!(scopes));
            put("displayNameMapping", json!(name_of(&MAPPING, *display_name_mapping)));
            put("usernameMapping", json!(name_of(&MAPPING, *username_mapping)));
            DOC_OIDC
        }
        Protocol::Jwt { jwt_endpoint, issuer, keys_endpoint, header_name } => {
            put("jwtEndpoint", json!(jwt_endpoint));
            put("issuer", json!(issuer));
            put("keysEndpoint", json!(keys_endpoint));
            put("headerName", json!(header_name));
            DOC_JWT
        }
    };
    put("autoRegister", json!(c.auto_register));
    Some((kind, json!({ "idpId": c.id, "idp": Value::Object(idp) })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sealed() -> Sealed {
        serde_json::from_value(json!({"CryptoType": 0, "Algorithm": "aes", "KeyID": "k", "Crypted": "eA=="})).unwrap()
    }

    #[test]
    fn payloads_are_zitadels() {
        let added =
            ConfigAdded { idp_config_id: "1".into(), name: "n".into(), idp_type: TYPE_OIDC, ..Default::default() };
        assert_eq!(serde_json::to_value(&added).unwrap(), json!({"idpConfigId": "1", "name": "n"}));
        let jwt = ConfigAdded { idp_type: TYPE_JWT, styling_type: 1, auto_register: true, ..added };
        assert_eq!(
            serde_json::to_value(&jwt).unwrap(),
            json!({"idpConfigId": "1", "name": "n", "idpType": 2, "stylingType": 1, "autoRegister": true})
        );
        let changed = OidcChanged { idp_config_id: "1".into(), scopes: Some(vec![]), ..Default::default() };
        assert_eq!(serde_json::to_value(&changed).unwrap(), json!({"idpConfigId": "1", "scopes": []}));
        assert_eq!(INSTANCE.oidc_added, "iam.idp.oidc.config.added");
        assert_eq!(ORG.removed, "org.idp.config.removed");
        assert_eq!(ConfigEvents::of("org.idp.jwt.config.changed"), Some(&ORG));
        assert_eq!(ConfigEvents::of("instance.idp.oidc.added"), None);
    }

    #[test]
    fn events_make_the_row_and_its_template() {
        let added = json!({"idpConfigId": "7", "name": "corp", "autoRegister": true});
        let Some(Reduced::Write(c)) = reduce(INSTANCE.added, &added, None).unwrap() else { panic!("no row") };
        assert_eq!((c.state, c.template()), (STATE_ACTIVE, None));
        let oidc = serde_json::to_value(OidcAdded {
            idp_config_id: "7".into(),
            client_id: "cid".into(),
            client_secret: Some(sealed()),
            issuer: "https://issuer".into(),
            scopes: vec!["openid".into()],
            ..Default::default()
        })
        .unwrap();
        let Some(Reduced::Write(c)) = reduce(INSTANCE.oidc_added, &oidc, Some(*c)).unwrap() else { panic!() };
        let change = json!({"idpConfigId": "7", "issuer": "https://other", "scopes": []});
        let Some(Reduced::Write(c)) = reduce(INSTANCE.oidc_changed, &change, Some(*c)).unwrap() else { panic!() };
        let deactivated = json!({"idpConfigId": "7"});
        let Some(Reduced::Write(c)) = reduce(INSTANCE.deactivated, &deactivated, Some(*c)).unwrap() else { panic!() };
        assert_eq!(c.state, STATE_INACTIVE);
        let template = c.template().unwrap();
        assert_eq!(template.name, "corp");
        assert!(template.options.is_auto_creation && template.options.is_creation_allowed);
        match template.config {
            Config::Oidc { issuer, client_id, scopes, .. } => {
                assert_eq!((issuer.as_str(), client_id.as_str(), scopes.len()), ("https://other", "cid", 0));
            }
            other => panic!("not OIDC: {other:?}"),
        }
        assert_eq!(reduce(INSTANCE.removed, &deactivated, Some(*c)).unwrap(), Some(Reduced::Remove("7".into())));
        // An event for a configuration that is not stored changes nothing.
        assert_eq!(reduce(INSTANCE.changed, &json!({"idpConfigId": "8", "name": "x"}), None).unwrap(), None);
    }

    #[test]
    fn documents_round_trip() {
        let doc = json!({"idpId": "9", "idp": {"name": "Corp", "stylingType": "STYLING_TYPE_GOOGLE",
            "clientId": "c", "issuer": "https://i", "scopes": ["openid"],
            "displayNameMapping": "OIDC_MAPPING_FIELD_EMAIL", "autoRegister": true}});
        let c = from_document(DOC_OIDC, &doc, Some(sealed())).unwrap();
        assert_eq!((c.styling_type, c.auto_register, c.state), (1, true, STATE_ACTIVE));
        assert!(c.template().is_some(), "with its secret it is a template");
        assert_eq!(to_document(&c), Some((DOC_OIDC, doc)));
        let jwt = json!({"idpId": "8", "idp": {"name": "J", "jwtEndpoint": "https://j", "issuer": "i",
            "keysEndpoint": "https://k", "headerName": "x-auth"}});
        let c = from_document(DOC_JWT, &jwt, None).unwrap();
        assert_eq!(to_document(&c), Some((DOC_JWT, jwt)));
        assert_eq!(from_document("project", &json!({"idpId": "1"}), None), None);
        assert_eq!(from_document(DOC_JWT, &json!({"idp": {}}), None), None);
    }
}
