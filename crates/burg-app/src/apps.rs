//! A project's applications through the Management API: OIDC, API and SAML
//! apps (added with a client id and, where the authentication method takes
//! one, a client secret shown once; changed; deactivated, reactivated,
//! removed; read and listed with their changes) and app keys.
//!
//! An app is read from its document in `org_objects` (kinds `oidc_app`,
//! `api_app`, `saml_app`; keys `app_key`), where the import keeps apps
//! too, so imported and created apps are one list and export alike; the
//! events are ZITADEL's (`burg_domain::events::app`) and the projection
//! `burg_store::projection::app` keeps the documents. Only a client
//! secret's hash is kept. ZITADEL's ids are from `command/project_application*.go`.

use burg_api::management::*;
use burg_api::object::{LocalizedMessage, ObjectDetails};
use burg_api::wkt::{Duration, Timestamp};
use burg_api::zitadel::app::v1::{
    ApiConfig, App as WireApp, AppState, LoginV1, LoginV2, LoginVersion, OidcConfig, SamlConfig, app, app_query,
    login_version, saml_config,
};
use burg_api::zitadel::authn::v1::{Key, KeyType};
use burg_domain::app::{self as oidc, OidcValues};
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::EventTime;
use burg_domain::events::app::*;
use burg_domain::{Error, Result, machine_key};
use burg_store::Conn;
use burg_store::documents::DocRow;
use burg_store::projection::app::{API_KIND, APP_KINDS, CLIENT_ID, ENTITY_ID, KEY_KIND, OIDC_KIND, SAML_KIND};
use serde_json::Value;

use crate::list::{list_details, text_match, v1_page};
use crate::machine::base64_of;
use crate::{App, Ctx, added_details, changed_details, details, in_tx};

/// `AppState` numbers as stored.
const ACTIVE: i64 = 1;
const INACTIVE: i64 = 2;

/// `Errors.Project.App.NotExisting` of ZITADEL's app query.
pub(crate) const QUERY_NOT_FOUND: &str = "QUERY-pCP8P";
/// `Errors.Project.App.AlreadyExisting` of an OIDC (and here SAML) app
/// added with an id given.
const OIDC_APP_EXISTS: &str = crate::shared_ids::APP_EXISTS;
/// `Errors.Project.App.NotExisting` of the OIDC configuration's change.
const OIDC_NOT_FOUND: &str = "COMMAND-2n8uU";
/// `Errors.Project.App.NotExisting` of a secret's regeneration.
const SECRET_APP_NOT_FOUND: &str = "COMMAND-2g66f";
/// `Errors.Project.App.Invalid` of a SAML app: no name or no metadata.
const SAML_INVALID: &str = "PROJECT-1n9df";
/// `Errors.NoChangesFound` of a configuration's change.
pub(crate) const CONFIG_UNCHANGED: &str = "COMMAND-1m88i";

/// The OIDC configuration of an add or change request (see [`values_of`]):
/// both name their members alike.
macro_rules! oidc_values_of {
    ($req:expr) => {
        values_of(
            &$req.redirect_uris,
            &$req.response_types,
            &$req.grant_types,
            $req.app_type,
            $req.auth_method_type,
            &$req.post_logout_redirect_uris,
            $req.dev_mode,
            $req.access_token_type,
            ($req.access_token_role_assertion, $req.id_token_role_assertion, $req.id_token_userinfo_assertion),
            $req.clock_skew.as_ref(),
            &$req.additional_origins,
            $req.skip_native_app_success_page,
            &$req.back_channel_logout_uri,
            $req.login_version.as_ref(),
        )
    };
}

/// An application as stored: its kind, document and row.
struct Stored {
    kind: &'static str,
    row: DocRow,
    doc: Value,
}

impl Stored {
    fn app(&self) -> &Value {
        &self.doc["app"]
    }

    fn name(&self) -> &str {
        self.app().get("name").and_then(Value::as_str).unwrap_or_default()
    }

    fn project(&self) -> &str {
        self.app().get("projectId").and_then(Value::as_str).unwrap_or_default()
    }

    /// The client id: burg's member, or the app id for an imported app
    /// that came without one.
    fn client_id(&self) -> String {
        match self.doc.get(CLIENT_ID).and_then(Value::as_str) {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => self.row.key.clone(),
        }
    }

    fn api_auth(&self) -> i32 {
        oidc::enum_of(self.app().get("authMethodType"), oidc::API_AUTH_METHODS)
    }

    /// Whether keys may be added: private key JWT authentication.
    fn keys_allowed(&self) -> bool {
        match self.kind {
            OIDC_KIND => OidcValues::from_doc(self.app()).auth_method == oidc::AUTH_PRIVATE_KEY_JWT,
            API_KIND => self.api_auth() == oidc::API_AUTH_PRIVATE_KEY_JWT,
            _ => false,
        }
    }

    fn wire(&self, org: &str) -> WireApp {
        let config = match self.kind {
            OIDC_KIND => {
                let v = OidcValues::from_doc(self.app());
                let (none_compliant, problems) = v.compliance();
                app::Config::OidcConfig(OidcConfig {
                    redirect_uris: v.redirect_uris.clone(),
                    response_types: v.response_types.clone(),
                    grant_types: v.grant_types.clone(),
                    app_type: v.app_type,
                    client_id: self.client_id(),
                    auth_method_type: v.auth_method,
                    post_logout_redirect_uris: v.post_logout_redirect_uris.clone(),
                    version: v.version,
                    none_compliant,
                    compliance_problems: localized(&problems),
                    dev_mode: v.dev_mode,
                    access_token_type: v.access_token_type,
                    access_token_role_assertion: v.access_token_role_assertion,
                    id_token_role_assertion: v.id_token_role_assertion,
                    id_token_userinfo_assertion: v.id_token_userinfo_assertion,
                    clock_skew: Some(duration(v.clock_skew)),
                    additional_origins: v.additional_origins.clone(),
                    allowed_origins: allowed_origins(&v),
                    skip_native_app_success_page: v.skip_native_app_success_page,
                    back_channel_logout_uri: v.back_channel_logout_uri.clone(),
                    login_version: login_version_wire(v.login_version, &v.login_base_uri),
                })
            }
            API_KIND => {
                app::Config::ApiConfig(ApiConfig { client_id: self.client_id(), auth_method_type: self.api_auth() })
            }
            _ => {
                let xml = self.app().get("metadataXml").and_then(Value::as_str).unwrap_or_default();
                let (version, base) = oidc::login_version_of(self.app().get("loginVersion"));
                app::Config::SamlConfig(SamlConfig {
                    metadata: Some(saml_config::Metadata::MetadataXml(bytes_of(xml))),
                    login_version: login_version_wire(version, &base),
                })
            }
        };
        WireApp {
            id: self.row.key.clone(),
            details: details(self.row.sequence, self.row.creation_date, self.row.change_date, org),
            state: if self.row.state == INACTIVE { AppState::Inactive } else { AppState::Active } as i32,
            name: self.name().to_string(),
            config: Some(config),
        }
    }
}

fn bytes_of(base64: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(base64).unwrap_or_default()
}

fn duration(nanos: i64) -> Duration {
    Duration { seconds: nanos.div_euclid(1_000_000_000), nanos: nanos.rem_euclid(1_000_000_000) as i32 }
}

/// A wire duration in nanoseconds (saturating, as Go's `AsDuration`).
fn nanos_of(d: Option<&Duration>) -> i64 {
    d.map_or(0, |d| d.seconds.saturating_mul(1_000_000_000).saturating_add(i64::from(d.nanos)))
}

/// The origins a browser may call from: each redirect URI's origin, then
/// the additional origins, each once (`OIDCOriginAllowList`).
fn allowed_origins(v: &OidcValues) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let from_redirects = v.redirect_uris.iter().filter_map(|u| url::Url::parse(u).ok()).map(|u| u.origin());
    for origin in from_redirects.filter(|o| o.is_tuple()).map(|o| o.ascii_serialization()) {
        if !out.contains(&origin) {
            out.push(origin);
        }
    }
    for origin in &v.additional_origins {
        if !out.contains(origin) {
            out.push(origin.clone());
        }
    }
    out
}

fn login_version_wire(version: i32, base: &str) -> Option<LoginVersion> {
    let v = match version {
        oidc::LOGIN_V1 => login_version::Version::LoginV1(LoginV1 {}),
        oidc::LOGIN_V2 => login_version::Version::LoginV2(LoginV2 { base_uri: Some(base.to_string()) }),
        _ => return None,
    };
    Some(LoginVersion { version: Some(v) })
}

/// `domain.LoginVersion` and base URI of a request's `LoginVersion`.
fn login_version_domain(v: Option<&LoginVersion>) -> (i32, String) {
    match v.and_then(|v| v.version.as_ref()) {
        Some(login_version::Version::LoginV1(_)) => (oidc::LOGIN_V1, String::new()),
        Some(login_version::Version::LoginV2(v2)) => {
            (oidc::LOGIN_V2, v2.base_uri.clone().unwrap_or_default().trim().to_string())
        }
        None => (0, String::new()),
    }
}

/// Compliance problems as ZITADEL answers them: the message key and a
/// sentence of burg's own.
fn localized(problems: &[&str]) -> Vec<LocalizedMessage> {
    problems
        .iter()
        .map(|key| LocalizedMessage { key: (*key).to_string(), localized_message: problem_text(key).to_string() })
        .collect()
}

fn problem_text(key: &str) -> &'static str {
    match key.rsplit_once("V1.").map_or(key, |(_, rest)| rest) {
        "NotCompliant" => "The configuration does not comply with OpenID Connect 1.0.",
        "NoRedirectUris" => "At least one redirect URI is needed.",
        "NotAllCombinationsAreAllowed" => "Some combinations of these settings are not compliant.",
        "GrantType.Refresh.NoAuthCode" => "The refresh token grant needs the authorization code grant.",
        "Implicit.RedirectUris.CustomNotAllowed" => "The implicit flow allows no custom URI schemes.",
        "Implicit.RedirectUris.HttpNotAllowed" => "The implicit flow allows only https redirect URIs.",
        "Code.RedirectUris.HttpOnlyForWeb" => "Plain http redirect URIs are allowed only for web apps.",
        "Code.RedirectUris.CustomOnlyForNative" => "Custom URI schemes are allowed only for native apps.",
        "Native.RedirectUris.MustBeHttpLocalhost" => "A native app may use plain http only for localhost.",
        "Native.AuthMethodType.NotNone" => "A native app must use the authentication method none.",
        "UserAgent.AuthMethodType.NotNone" => "A user agent app must use the authentication method none.",
        _ => "The configuration has a compliance problem.",
    }
}

/// The values of an OIDC request, with the v1 API's defaults: the code
/// response type and the authorization code grant when none is given.
#[allow(clippy::too_many_arguments)]
fn values_of(
    redirect_uris: &[String],
    response_types: &[i32],
    grant_types: &[i32],
    app_type: i32,
    auth_method: i32,
    post_logout_redirect_uris: &[String],
    dev_mode: bool,
    access_token_type: i32,
    assertions: (bool, bool, bool),
    clock_skew: Option<&Duration>,
    additional_origins: &[String],
    skip_native_app_success_page: bool,
    back_channel_logout_uri: &str,
    login: Option<&LoginVersion>,
) -> OidcValues {
    let trimmed = |l: &[String]| l.iter().map(|s| s.trim().to_string()).collect::<Vec<_>>();
    let (login_version, login_base_uri) = login_version_domain(login);
    OidcValues {
        version: 0,
        redirect_uris: trimmed(redirect_uris),
        response_types: if response_types.is_empty() { vec![oidc::RESPONSE_CODE] } else { response_types.to_vec() },
        grant_types: if grant_types.is_empty() { vec![oidc::GRANT_CODE] } else { grant_types.to_vec() },
        app_type,
        auth_method,
        post_logout_redirect_uris: trimmed(post_logout_redirect_uris),
        dev_mode,
        access_token_type,
        access_token_role_assertion: assertions.0,
        id_token_role_assertion: assertions.1,
        id_token_userinfo_assertion: assertions.2,
        clock_skew: nanos_of(clock_skew),
        additional_origins: trimmed(additional_origins),
        skip_native_app_success_page,
        back_channel_logout_uri: back_channel_logout_uri.trim().to_string(),
        login_version,
        login_base_uri,
    }
}

/// ZITADEL's check of a back-channel logout URI: a URL (its deny list is
/// burg's egress policy, which applies when a logout is sent).
fn check_back_channel(uri: &str) -> Result<()> {
    if !uri.is_empty() && url::Url::parse(uri).is_err() {
        return Err(Error::invalid_argument("PROJECT-iZL2Ac", "`backChannelLogoutUri` is not a URL"));
    }
    Ok(())
}

impl App {
    /// Application `app_id` of project `project` of `org`.
    async fn stored_app(&self, conn: &mut Conn, org: &str, project: &str, app_id: &str) -> Result<Option<Stored>> {
        for kind in APP_KINDS {
            if let Some(row) = burg_store::documents::get(&mut *conn, &self.instance_id, org, kind, app_id).await? {
                let doc: Value = serde_json::from_str(&row.data).unwrap_or_default();
                let stored = Stored { kind, row, doc };
                return Ok((stored.project() == project).then_some(stored));
            }
        }
        Ok(None)
    }

    /// Whether organization `org` has app `app_id` in `project`.
    pub(crate) async fn has_app(&self, conn: &mut Conn, org: &str, project: &str, app_id: &str) -> Result<bool> {
        Ok(self.stored_app(conn, org, project, app_id).await?.is_some())
    }

    /// The project of app `app_id` of organization `org`, if it has one.
    pub(crate) async fn project_of_app(&self, org: &str, app_id: &str) -> Result<Option<String>> {
        let mut conn = self.db.acquire("APP-db30").await?;
        for kind in APP_KINDS {
            if let Some(row) = burg_store::documents::get(&mut *conn, &self.instance_id, org, kind, app_id).await? {
                let doc: Value = serde_json::from_str(&row.data).unwrap_or_default();
                return Ok(Some(Stored { kind, row, doc }.project().to_string()));
            }
        }
        Ok(None)
    }

    /// The app, or `missing` when the project has none of that id.
    async fn require_app(
        &self,
        conn: &mut Conn,
        ctx: &Ctx,
        project: &str,
        app_id: &str,
        missing: &'static str,
    ) -> Result<Stored> {
        self.stored_app(conn, ctx.org(), project, app_id)
            .await?
            .ok_or_else(|| Error::not_found(missing, format!("application {app_id:?} not found")))
    }

    fn project_aggregate(ctx: &Ctx, project: &str) -> Aggregate {
        Aggregate::new(aggregate::PROJECT, project, ctx.org())
    }

    pub async fn add_oidc_app(&self, ctx: &Ctx, req: AddOidcAppRequest) -> Result<AddOidcAppResponse> {
        self.add_oidc_app_as(ctx, req, None).await
    }

    /// Adds an OIDC app with the id given (the v2 API may name one) or a new one.
    pub(crate) async fn add_oidc_app_as(
        &self,
        ctx: &Ctx,
        req: AddOidcAppRequest,
        given_id: Option<String>,
    ) -> Result<AddOidcAppResponse> {
        let values = oidc_values_of!(req);
        let values = OidcValues { version: req.version, ..values };
        if req.name.is_empty() || !values.is_valid() {
            return Err(Error::invalid_argument(
                "PROJECT-1n8df",
                "the OIDC configuration is invalid: the grant types must include what the response types need, \
                 `clockSkew` must be 0 to 5 s and `additionalOrigins` must be origins",
            ));
        }
        check_back_channel(&values.back_channel_logout_uri)?;
        let (secret, hash) =
            if values.needs_secret() { self.new_hashed_secret().await? } else { (String::new(), String::new()) };
        let (app_id, client_id) = (given_id.clone().unwrap_or_else(|| self.new_id()), self.new_id());
        let events = in_tx!(self, ctx, |conn| {
            if given_id.is_some() {
                self.require_new_app_id(conn, &app_id, OIDC_APP_EXISTS).await?;
            }
            self.require_project(conn, ctx.org(), &req.project_id).await?;
            let on = Self::project_aggregate(ctx, &req.project_id);
            Ok(vec![
                NewEvent::new(&on, &AppAdded { app_id: app_id.clone(), name: req.name.clone() })?,
                NewEvent::new(&on, &values.added(&app_id, &client_id, &hash))?,
            ])
        })?;
        let (none_compliant, problems) = values.compliance();
        Ok(AddOidcAppResponse {
            app_id,
            details: added_details(&events),
            client_id,
            client_secret: secret,
            none_compliant,
            compliance_problems: localized(&problems),
        })
    }

    pub async fn add_api_app(&self, ctx: &Ctx, req: AddApiAppRequest) -> Result<AddApiAppResponse> {
        self.add_api_app_as(ctx, req, None).await
    }

    /// Adds an API app with the id given (the v2 API may name one) or a new one.
    pub(crate) async fn add_api_app_as(
        &self,
        ctx: &Ctx,
        req: AddApiAppRequest,
        given_id: Option<String>,
    ) -> Result<AddApiAppResponse> {
        if req.name.is_empty() {
            return Err(Error::invalid_argument("PROJECT-Bff2g", "`name` must not be empty"));
        }
        let (secret, hash) = if req.auth_method_type == oidc::API_AUTH_BASIC {
            self.new_hashed_secret().await?
        } else {
            (String::new(), String::new())
        };
        let (app_id, client_id) = (given_id.clone().unwrap_or_else(|| self.new_id()), self.new_id());
        let events = in_tx!(self, ctx, |conn| {
            if given_id.is_some() {
                self.require_new_app_id(conn, &app_id, crate::shared_ids::API_APP_EXISTS).await?;
            }
            self.require_project(conn, ctx.org(), &req.project_id).await?;
            let on = Self::project_aggregate(ctx, &req.project_id);
            let config = ApiConfigAdded {
                app_id: app_id.clone(),
                client_id: client_id.clone(),
                hashed_secret: hash.clone(),
                auth_method_type: req.auth_method_type,
            };
            Ok(vec![
                NewEvent::new(&on, &AppAdded { app_id: app_id.clone(), name: req.name.clone() })?,
                NewEvent::new(&on, &config)?,
            ])
        })?;
        Ok(AddApiAppResponse { app_id, details: added_details(&events), client_id, client_secret: secret })
    }

    /// SAML metadata of a request: the XML given or fetched from the URL,
    /// and its entity id.
    async fn saml_metadata_of(
        &self,
        metadata: Option<&add_saml_app_request::Metadata>,
    ) -> Result<(Vec<u8>, String, String)> {
        let (xml, url) = match metadata {
            Some(add_saml_app_request::Metadata::MetadataXml(xml)) if !xml.is_empty() => (xml.clone(), String::new()),
            Some(add_saml_app_request::Metadata::MetadataUrl(url)) if !url.is_empty() => {
                let unreadable = |why: String| {
                    Error::invalid_argument("SAML-wmqlo1", format!("`metadataUrl` could not be read: {why}"))
                };
                (self.fetch_metadata_document(url, unreadable).await?, url.clone())
            }
            _ => {
                return Err(Error::invalid_argument(SAML_INVALID, "the SAML app needs `metadataXml` or `metadataUrl`"));
            }
        };
        let entity = oidc::saml_entity_id(&xml)
            .map_err(|why| Error::invalid_argument("SAML-bquso", format!("the SAML metadata is invalid: {why}")))?;
        Ok((xml, url, entity))
    }

    /// Fails when an app of the instance has the id `id` (one a v2 request
    /// names): ZITADEL's `Errors.Project.App.AlreadyExisting`.
    async fn require_new_app_id(&self, conn: &mut Conn, id: &str, error_id: &'static str) -> Result<()> {
        if burg_store::documents::owner_of(conn, &self.instance_id, &APP_KINDS, id).await?.is_some() {
            return Err(Error::failed_precondition(error_id, format!("an application with id {id:?} exists")));
        }
        Ok(())
    }

    /// Fails when another SAML app of the instance has the entity id (the
    /// unique constraint of ZITADEL's `saml_entity_ids`).
    async fn require_free_entity_id(&self, conn: &mut Conn, entity: &str, except: &str) -> Result<()> {
        let taken = burg_store::documents::of_kind(conn, &self.instance_id, SAML_KIND)
            .await?
            .into_iter()
            .filter(|(_, row)| row.key != except)
            .any(|(_, row)| {
                serde_json::from_str::<Value>(&row.data)
                    .is_ok_and(|d| d.get(ENTITY_ID).and_then(Value::as_str) == Some(entity))
            });
        if taken {
            return Err(Error::already_exists("V3-DKcYh", format!("a SAML app with entity id {entity:?} exists")));
        }
        Ok(())
    }

    pub async fn add_saml_app(&self, ctx: &Ctx, req: AddSamlAppRequest) -> Result<AddSamlAppResponse> {
        self.add_saml_app_as(ctx, req, None).await
    }

    /// Adds a SAML app with the id given (the v2 API may name one) or a new one.
    pub(crate) async fn add_saml_app_as(
        &self,
        ctx: &Ctx,
        req: AddSamlAppRequest,
        given_id: Option<String>,
    ) -> Result<AddSamlAppResponse> {
        if req.name.is_empty() {
            return Err(Error::invalid_argument(SAML_INVALID, "`name` must not be empty"));
        }
        let (xml, url, entity) = self.saml_metadata_of(req.metadata.as_ref()).await?;
        let (login_version, login_base_uri) = login_version_domain(req.login_version.as_ref());
        let app_id = given_id.clone().unwrap_or_else(|| self.new_id());
        let events = in_tx!(self, ctx, |conn| {
            if given_id.is_some() {
                self.require_new_app_id(conn, &app_id, OIDC_APP_EXISTS).await?;
            }
            self.require_project(conn, ctx.org(), &req.project_id).await?;
            self.require_free_entity_id(conn, &entity, "").await?;
            let on = Self::project_aggregate(ctx, &req.project_id);
            let config = SamlConfigAdded {
                app_id: app_id.clone(),
                entity_id: entity.clone(),
                metadata: base64_of(&xml),
                metadata_url: url.clone(),
                login_version,
                login_base_uri: login_base_uri.clone(),
            };
            Ok(vec![
                NewEvent::new(&on, &AppAdded { app_id: app_id.clone(), name: req.name.clone() })?,
                NewEvent::new(&on, &config)?,
            ])
        })?;
        Ok(AddSamlAppResponse { app_id, details: added_details(&events) })
    }

    pub async fn update_app(&self, ctx: &Ctx, req: UpdateAppRequest) -> Result<UpdateAppResponse> {
        if req.name.is_empty() {
            return Err(Error::invalid_argument(crate::shared_ids::PROJECT_OR_APP_INVALID, "`name` must not be empty"));
        }
        let events = in_tx!(self, ctx, |conn| {
            let app = self.require_app(conn, ctx, &req.project_id, &req.app_id, "COMMAND-28di9").await?;
            if app.name() == req.name {
                return Err(Error::failed_precondition("COMMAND-2m8vx", "the application has this name already"));
            }
            let on = Self::project_aggregate(ctx, &req.project_id);
            Ok(vec![NewEvent::new(&on, &AppChanged { app_id: req.app_id.clone(), name: req.name.clone() })?])
        })?;
        Ok(UpdateAppResponse { details: changed_details(&events) })
    }

    pub async fn update_oidc_app_config(
        &self,
        ctx: &Ctx,
        req: UpdateOidcAppConfigRequest,
    ) -> Result<UpdateOidcAppConfigResponse> {
        let wanted = oidc_values_of!(req);
        if !wanted.is_valid() {
            return Err(Error::invalid_argument(
                "COMMAND-5m9fs",
                "the OIDC configuration is invalid: the grant types must include what the response types need, \
                 `clockSkew` must be 0 to 5 s and `additionalOrigins` must be origins",
            ));
        }
        check_back_channel(&wanted.back_channel_logout_uri)?;
        let events = in_tx!(self, ctx, |conn| {
            let app = self.require_app(conn, ctx, &req.project_id, &req.app_id, OIDC_NOT_FOUND).await?;
            if app.kind != OIDC_KIND {
                return Err(Error::invalid_argument("COMMAND-GBr34", "the application is not an OIDC app"));
            }
            let current = OidcValues::from_doc(app.app());
            // The request names no version; one without a login
            // version keeps the app's.
            let mut to = OidcValues { version: current.version, ..wanted.clone() };
            if req.login_version.is_none() {
                to.login_version = current.login_version;
                to.login_base_uri = current.login_base_uri.clone();
            }
            let Some(changed) = current.changes_to(&req.app_id, &to) else {
                return Err(Error::failed_precondition(CONFIG_UNCHANGED, "the configuration has these values already"));
            };
            let on = Self::project_aggregate(ctx, &req.project_id);
            Ok(vec![NewEvent::new(&on, &changed)?])
        })?;
        Ok(UpdateOidcAppConfigResponse { details: changed_details(&events) })
    }

    pub async fn update_api_app_config(
        &self,
        ctx: &Ctx,
        req: UpdateApiAppConfigRequest,
    ) -> Result<UpdateApiAppConfigResponse> {
        let events = in_tx!(self, ctx, |conn| {
            let app = self.require_app(conn, ctx, &req.project_id, &req.app_id, OIDC_NOT_FOUND).await?;
            if app.kind != API_KIND {
                return Err(Error::invalid_argument("COMMAND-Gnwt3", "the application is not an API app"));
            }
            if app.api_auth() == req.auth_method_type {
                return Err(Error::failed_precondition(CONFIG_UNCHANGED, "the configuration has these values already"));
            }
            let on = Self::project_aggregate(ctx, &req.project_id);
            let changed = ApiConfigChanged { app_id: req.app_id.clone(), auth_method_type: Some(req.auth_method_type) };
            Ok(vec![NewEvent::new(&on, &changed)?])
        })?;
        Ok(UpdateApiAppConfigResponse { details: changed_details(&events) })
    }

    pub async fn update_saml_app_config(
        &self,
        ctx: &Ctx,
        req: UpdateSamlAppConfigRequest,
    ) -> Result<UpdateSamlAppConfigResponse> {
        let metadata = req.metadata.as_ref().map(|m| match m {
            update_saml_app_config_request::Metadata::MetadataXml(x) => {
                add_saml_app_request::Metadata::MetadataXml(x.clone())
            }
            update_saml_app_config_request::Metadata::MetadataUrl(u) => {
                add_saml_app_request::Metadata::MetadataUrl(u.clone())
            }
        });
        let (xml, url, entity) = self.saml_metadata_of(metadata.as_ref()).await?;
        let login = req.login_version.as_ref().map(|l| login_version_domain(Some(l)));
        let events = in_tx!(self, ctx, |conn| {
            let app = self.require_app(conn, ctx, &req.project_id, &req.app_id, "COMMAND-GMPQ9").await?;
            if app.kind != SAML_KIND {
                return Err(Error::invalid_argument("COMMAND-GvPs9", "the application is not a SAML app"));
            }
            let old_entity = app.doc.get(ENTITY_ID).and_then(Value::as_str).unwrap_or_default();
            let old_xml = app.app().get("metadataXml").and_then(Value::as_str).unwrap_or_default();
            let old_url = app.app().get("metadataUrl").and_then(Value::as_str).unwrap_or_default();
            let (old_version, old_base) = oidc::login_version_of(app.app().get("loginVersion"));
            let xml = base64_of(&xml);
            let changed = SamlConfigChanged {
                app_id: req.app_id.clone(),
                entity_id: (old_entity != entity).then(|| entity.clone()),
                metadata: (old_xml != xml).then(|| xml.clone()),
                metadata_url: (old_url != url).then(|| url.clone()),
                login_version: login.as_ref().filter(|(v, _)| *v != old_version).map(|(v, _)| *v),
                login_base_uri: login.as_ref().filter(|(_, b)| *b != old_base).map(|(_, b)| b.clone()),
            };
            if changed == (SamlConfigChanged { app_id: req.app_id.clone(), ..Default::default() }) {
                return Err(Error::failed_precondition(CONFIG_UNCHANGED, "the configuration has these values already"));
            }
            if changed.entity_id.is_some() {
                self.require_free_entity_id(conn, &entity, &req.app_id).await?;
            }
            let on = Self::project_aggregate(ctx, &req.project_id);
            Ok(vec![NewEvent::new(&on, &changed)?])
        })?;
        Ok(UpdateSamlAppConfigResponse { details: changed_details(&events) })
    }

    /// Deactivates (`to` inactive) or reactivates an app.
    async fn set_app_state(&self, ctx: &Ctx, project: &str, app_id: &str, to: i64) -> Result<Option<ObjectDetails>> {
        let events = in_tx!(self, ctx, |conn| {
            let app = self.require_app(conn, ctx, project, app_id, "COMMAND-ov9d3").await?;
            if app.row.state == to {
                return Err(if to == INACTIVE {
                    Error::failed_precondition("COMMAND-dsh35", "the application is not active")
                } else {
                    Error::failed_precondition("COMMAND-1n8cM", "the application is not inactive")
                });
            }
            let on = Self::project_aggregate(ctx, project);
            let app_id = app_id.to_string();
            Ok(vec![if to == INACTIVE {
                NewEvent::new(&on, &AppDeactivated { app_id })?
            } else {
                NewEvent::new(&on, &AppReactivated { app_id })?
            }])
        })?;
        Ok(changed_details(&events))
    }

    pub async fn deactivate_app(&self, ctx: &Ctx, req: DeactivateAppRequest) -> Result<DeactivateAppResponse> {
        let details = self.set_app_state(ctx, &req.project_id, &req.app_id, INACTIVE).await?;
        Ok(DeactivateAppResponse { details })
    }

    pub async fn reactivate_app(&self, ctx: &Ctx, req: ReactivateAppRequest) -> Result<ReactivateAppResponse> {
        let details = self.set_app_state(ctx, &req.project_id, &req.app_id, ACTIVE).await?;
        Ok(ReactivateAppResponse { details })
    }

    /// Removes an app and its keys.
    pub async fn remove_app(&self, ctx: &Ctx, req: RemoveAppRequest) -> Result<RemoveAppResponse> {
        let events = in_tx!(self, ctx, |conn| {
            self.require_app(conn, ctx, &req.project_id, &req.app_id, "COMMAND-0po9s").await?;
            let on = Self::project_aggregate(ctx, &req.project_id);
            Ok(vec![NewEvent::new(&on, &AppRemoved { app_id: req.app_id.clone() })?])
        })?;
        Ok(RemoveAppResponse { details: changed_details(&events) })
    }

    /// A new client secret for an OIDC (`oidc`) or API app, shown once.
    async fn regenerate_secret(
        &self,
        ctx: &Ctx,
        project: &str,
        app_id: &str,
        oidc: bool,
    ) -> Result<(String, Option<ObjectDetails>)> {
        let (secret, hash) = self.new_hashed_secret().await?;
        let events = in_tx!(self, ctx, |conn| {
            let app = self.require_app(conn, ctx, project, app_id, SECRET_APP_NOT_FOUND).await?;
            let on = Self::project_aggregate(ctx, project);
            let (app_id, hashed_secret) = (app_id.to_string(), hash.clone());
            match (oidc, app.kind) {
                (true, OIDC_KIND) => Ok(vec![NewEvent::new(&on, &OidcSecretChanged { app_id, hashed_secret })?]),
                (false, API_KIND) => Ok(vec![NewEvent::new(&on, &ApiSecretChanged { app_id, hashed_secret })?]),
                (true, _) => Err(Error::invalid_argument("COMMAND-Ghrh3", "the application is not an OIDC app")),
                (false, _) => Err(Error::invalid_argument("COMMAND-aeH4", "the application is not an API app")),
            }
        })?;
        Ok((secret, changed_details(&events)))
    }

    pub async fn regenerate_oidc_client_secret(
        &self,
        ctx: &Ctx,
        req: RegenerateOidcClientSecretRequest,
    ) -> Result<RegenerateOidcClientSecretResponse> {
        let (client_secret, details) = self.regenerate_secret(ctx, &req.project_id, &req.app_id, true).await?;
        Ok(RegenerateOidcClientSecretResponse { client_secret, details })
    }

    pub async fn regenerate_api_client_secret(
        &self,
        ctx: &Ctx,
        req: RegenerateApiClientSecretRequest,
    ) -> Result<RegenerateApiClientSecretResponse> {
        let (client_secret, details) = self.regenerate_secret(ctx, &req.project_id, &req.app_id, false).await?;
        Ok(RegenerateApiClientSecretResponse { client_secret, details })
    }

    pub async fn get_app_by_id(&self, ctx: &Ctx, req: GetAppByIdRequest) -> Result<GetAppByIdResponse> {
        let mut conn = self.db.acquire("APP-db01").await?;
        let app = self
            .stored_app(&mut conn, ctx.org(), &req.project_id, &req.app_id)
            .await?
            .ok_or_else(|| Error::not_found(QUERY_NOT_FOUND, format!("application {:?} not found", req.app_id)))?;
        Ok(GetAppByIdResponse { app: Some(app.wire(ctx.org())) })
    }

    /// The project's apps that match every query, oldest first.
    pub async fn list_apps(&self, ctx: &Ctx, req: ListAppsRequest) -> Result<ListAppsResponse> {
        let page = v1_page(req.query.as_ref())?;
        let org = ctx.org();
        let mut names = Vec::new();
        for q in &req.queries {
            if let Some(app_query::Query::NameQuery(n)) = &q.query {
                names.push(text_match(&n.name, n.method)?);
            }
        }
        let mut apps = Vec::new();
        for kind in APP_KINDS {
            for row in burg_store::documents::all(self.db.pool(), &self.instance_id, org, kind).await? {
                let doc: Value = serde_json::from_str(&row.data).unwrap_or_default();
                let app = Stored { kind, row, doc };
                if app.project() == req.project_id && names.iter().all(|m| m.matches(app.name())) {
                    apps.push(app);
                }
            }
        }
        apps.sort_by(|a, b| (a.row.creation_date, &a.row.key).cmp(&(b.row.creation_date, &b.row.key)));
        let total = apps.len() as i64;
        let result = page.of(apps.iter()).map(|a| a.wire(org)).collect();
        Ok(ListAppsResponse { details: list_details(total, 0, self.now()), result })
    }

    /// The changes of the project that concern the app.
    pub async fn list_app_changes(&self, ctx: &Ctx, req: ListAppChangesRequest) -> Result<ListAppChangesResponse> {
        let mut conn = self.db.acquire("APP-db02").await?;
        if self.require_project(&mut conn, ctx.org(), &req.project_id).await.is_err() {
            return Ok(ListAppChangesResponse { result: Vec::new() });
        }
        drop(conn);
        let app_id = req.app_id.clone();
        let result = self
            .changes_where(aggregate::PROJECT, &req.project_id, req.query.unwrap_or_default(), move |e| {
                ["appId", "applicationId"].iter().any(|k| e.payload.get(*k).and_then(Value::as_str) == Some(&app_id))
            })
            .await?;
        Ok(ListAppChangesResponse { result })
    }

    pub async fn add_app_key(&self, ctx: &Ctx, req: AddAppKeyRequest) -> Result<AddAppKeyResponse> {
        let expiration = self.key_expiry(req.expiration_date)?;
        let (private, public) = tokio::task::spawn_blocking(|| machine_key::new_key_pair(machine_key::KEY_BITS))
            .await
            .map_err(|e| Error::internal("APP-key01", format!("key generation stopped: {e}")))??;
        let key_id = self.new_id();
        let (events, client) = in_tx!(self, ctx, |conn| -> out {
            let Some(app) = self.stored_app(conn, ctx.org(), &req.project_id, &req.app_id).await? else {
                return Err(Error::failed_precondition(
                    "COMMAND-sak25",
                    format!("application {:?} not found", req.app_id),
                ));
            };
            if !app.keys_allowed() {
                return Err(Error::failed_precondition(
                    "COMMAND-Dff54",
                    "keys need the authentication method private key JWT",
                ));
            }
            let client = app.client_id();
            let on = Self::project_aggregate(ctx, &req.project_id);
            let added = AppKeyAdded {
                app_id: req.app_id.clone(),
                client_id: client.clone(),
                key_id: key_id.clone(),
                r#type: machine_key::TYPE_JSON,
                expiration_date: EventTime(expiration),
                public_key: base64_of(public.as_bytes()),
            };
            Ok((vec![NewEvent::new(&on, &added)?], client))
        })?;
        let key_details = machine_key::app_key_file(&key_id, &private, &req.app_id, &client)?;
        Ok(AddAppKeyResponse { id: key_id, details: added_details(&events), key_details })
    }

    pub async fn remove_app_key(&self, ctx: &Ctx, req: RemoveAppKeyRequest) -> Result<RemoveAppKeyResponse> {
        let events = in_tx!(self, ctx, |conn| {
            let key = burg_store::documents::get(&mut *conn, &self.instance_id, ctx.org(), KEY_KIND, &req.key_id)
                .await?
                .filter(|row| key_belongs(row, &req.project_id, &req.app_id));
            if key.is_none() {
                return Err(Error::not_found(
                    crate::shared_ids::MACHINE_CREDENTIAL_NOT_FOUND,
                    format!("key {:?} not found", req.key_id),
                ));
            }
            let on = Self::project_aggregate(ctx, &req.project_id);
            Ok(vec![NewEvent::new(&on, &AppKeyRemoved { key_id: req.key_id.clone() })?])
        })?;
        Ok(RemoveAppKeyResponse { details: changed_details(&events) })
    }

    pub async fn get_app_key(&self, ctx: &Ctx, req: GetAppKeyRequest) -> Result<GetAppKeyResponse> {
        let org = ctx.org();
        let row = burg_store::documents::get(self.db.pool(), &self.instance_id, org, KEY_KIND, &req.key_id)
            .await?
            .filter(|row| key_belongs(row, &req.project_id, &req.app_id))
            .ok_or_else(|| {
                Error::not_found(crate::shared_ids::KEY_NOT_FOUND, format!("key {:?} not found", req.key_id))
            })?;
        Ok(GetAppKeyResponse { key: Some(app_key_of(&row, org)) })
    }

    /// The app's keys, oldest first.
    pub async fn list_app_keys(&self, ctx: &Ctx, req: ListAppKeysRequest) -> Result<ListAppKeysResponse> {
        let page = v1_page(req.query.as_ref())?;
        let org = ctx.org();
        let rows: Vec<DocRow> = burg_store::documents::all(self.db.pool(), &self.instance_id, org, KEY_KIND)
            .await?
            .into_iter()
            .filter(|row| key_belongs(row, &req.project_id, &req.app_id))
            .collect();
        let total = rows.len() as i64;
        let result = page.of(rows.iter()).map(|r| app_key_of(r, org)).collect();
        Ok(ListAppKeysResponse { details: list_details(total, 0, self.now()), result })
    }
}

/// Whether a stored key is one of app `app_id` of project `project`.
fn key_belongs(row: &DocRow, project: &str, app_id: &str) -> bool {
    let doc: Value = serde_json::from_str(&row.data).unwrap_or_default();
    doc.get("projectId").and_then(Value::as_str) == Some(project)
        && doc.get("appId").and_then(Value::as_str) == Some(app_id)
}

fn app_key_of(row: &DocRow, org: &str) -> Key {
    let data: Value = serde_json::from_str(&row.data).unwrap_or_default();
    let text = |k: &str| data.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let expiration = serde_json::from_value::<EventTime>(data.get("expirationDate").cloned().unwrap_or_default())
        .map(|t| Timestamp::from_micros(t.0))
        .ok();
    Key {
        id: row.key.clone(),
        details: details(row.sequence, row.creation_date, row.change_date, org),
        r#type: KeyType::from_str_name(&text("type")).unwrap_or(KeyType::Json) as i32,
        expiration_date: expiration,
    }
}
