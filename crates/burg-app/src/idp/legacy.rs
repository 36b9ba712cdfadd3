//! The identity-provider configurations of ZITADEL's first IdP API, the
//! instance's (Admin API: `AddOIDCIDP`, `AddJWTIDP`, `UpdateIDP`,
//! `UpdateIDPOIDCConfig`, `UpdateIDPJWTConfig`, deactivate, reactivate,
//! remove, get and list) and an organization's (Management API: the same
//! as `…OrgIDP…`), with the checks and error ids of ZITADEL's commands
//! (`internal/command/instance_idp_config.go`, `org_idp_config.go` and
//! their OIDC and JWT siblings) and queries (`query/idp.go`). The proto's
//! rules are checked before these are called; ZITADEL trims nothing here.
//!
//! An organization's configurations are also its export documents
//! (`DataOrg.oidcIdps`, `jwtIdps`): the projection makes an import's
//! documents configurations and keeps the documents in step with the
//! events written here (see `burg_store`'s `projection::idp_config`).
//!
//! Names are unique per owner (ZITADEL's `idp_config_names` constraint,
//! answered as its eventstore answers a taken unique value). Each
//! configuration is a template too (see `burg_domain::idp_config`), so
//! login policies and user links reach it as they reach templates.

use burg_api::admin::{self as a, idp_query};
use burg_api::idp as pb;
use burg_api::management as m;
use burg_api::object::ObjectDetails;
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::instance as ie;
use burg_domain::events::org as oe;
use burg_domain::events::user as ue;
use burg_domain::idp_config::{
    self as ic, ConfigAdded, ConfigChanged, ConfigId, IdpConfig, JwtAdded, JwtChanged, OidcAdded, OidcChanged, Protocol,
};
use burg_domain::{Error, Result};
use burg_store::Conn;
use burg_store::idp_config::{ConfigFilter, ConfigOrder, ConfigRow};

use super::Scope;
use crate::list::{list_details, text_match, v1_page};
use crate::{App, Ctx, added_details, changed_details, details, retry};

/// ZITADEL's eventstore answer to a taken unique value.
const NAME_TAKEN: &str = "V3-DKcYh";

fn name_taken(name: &str) -> Error {
    Error::already_exists(NAME_TAKEN, format!("an identity provider named {name:?} exists already"))
}

/// ZITADEL's error ids of one scope's commands.
struct Ids {
    update_missing: &'static str,
    update_unchanged: &'static str,
    oidc_missing: &'static str,
    oidc_unchanged: &'static str,
    jwt_missing: &'static str,
    jwt_unchanged: &'static str,
    not_active: &'static str,
    not_inactive: &'static str,
    remove_missing: &'static str,
}

const INSTANCE_IDS: Ids = Ids {
    update_missing: "INSTANCE-m0e3r",
    update_unchanged: "INSTANCE-3k0fs",
    oidc_missing: "INSTANCE-67J9d",
    oidc_unchanged: "INSTANCE-d8kwF",
    jwt_missing: "INSTANCE-2m00d",
    jwt_unchanged: "INSTANCE-3n9gg",
    not_active: "INSTANCE-2n0fs",
    not_inactive: "INSTANCE-5Mo0d",
    remove_missing: "INSTANCE-4M0xy",
};

/// `Errors.Org.IDPConfig.AlreadyExists`, ZITADEL's answer (NotFound) for an
/// organization's OIDC or JWT configuration that is not there.
const ORG_CONFIG_MISSING: &str = "Org-67J9d";

const ORG_IDS: Ids = Ids {
    update_missing: "Org-1J9fs",
    update_unchanged: "Org-jf9w",
    oidc_missing: ORG_CONFIG_MISSING,
    oidc_unchanged: "Org-10ods",
    jwt_missing: ORG_CONFIG_MISSING,
    jwt_unchanged: "Org-2k9fs",
    not_active: "Org-BBmd0",
    not_inactive: "Org-5Mo0d",
    remove_missing: "Org-Yx9vd",
};

/// What differs between the scopes: events, error ids.
fn of(scope: Scope<'_>) -> (&'static ic::ConfigEvents, &'static Ids) {
    match scope {
        Scope::Instance => (&ic::INSTANCE, &INSTANCE_IDS),
        Scope::Org(_) => (&ic::ORG, &ORG_IDS),
    }
}

fn missing(id: &'static str, idp_id: &str) -> Error {
    Error::not_found(id, format!("identity provider configuration {idp_id} does not exist"))
}

fn no_change(id: &'static str) -> Error {
    Error::failed_precondition(id, "the identity provider configuration already has these values")
}

fn event<P: serde::Serialize>(on: &Aggregate, event_type: &'static str, payload: &P) -> Result<NewEvent> {
    let payload = serde_json::to_value(payload)
        .map_err(|e| Error::internal("IDPC-enc01", format!("cannot encode {event_type}: {e}")))?;
    Ok(NewEvent { aggregate: on.clone(), event_type, payload })
}

/// `zitadel.idp.v1.IDP` of a stored configuration (no secret).
fn to_pb(row: &ConfigRow) -> pb::Idp {
    let c = &row.config;
    let config = c.protocol.as_ref().map(|p| match p {
        Protocol::Oidc { client_id, issuer, scopes, display_name_mapping, username_mapping, .. } => {
            pb::idp::Config::OidcConfig(pb::OidcConfig {
                client_id: client_id.clone(),
                issuer: issuer.clone(),
                scopes: scopes.clone(),
                display_name_mapping: *display_name_mapping,
                username_mapping: *username_mapping,
            })
        }
        Protocol::Jwt { jwt_endpoint, issuer, keys_endpoint, header_name } => {
            pb::idp::Config::JwtConfig(pb::JwtConfig {
                jwt_endpoint: jwt_endpoint.clone(),
                issuer: issuer.clone(),
                keys_endpoint: keys_endpoint.clone(),
                header_name: header_name.clone(),
            })
        }
    });
    pb::Idp {
        id: c.id.clone(),
        details: details(row.sequence, row.creation_date, row.change_date, &row.resource_owner),
        state: c.state,
        name: c.name.clone(),
        styling_type: c.styling_type,
        owner: i32::try_from(row.owner_type).unwrap_or_default(),
        auto_register: c.auto_register,
        config,
    }
}

impl App {
    /// Configuration `id` of `scope` (held by its owner), read through `conn`.
    async fn scoped_config(&self, conn: &mut Conn, scope: Scope<'_>, id: &str) -> Result<Option<IdpConfig>> {
        let row = burg_store::idp_config::get(&mut *conn, &self.instance_id, id).await?;
        Ok(row.filter(|r| r.resource_owner == scope.owner(self)).map(|r| r.config))
    }

    /// Configuration `id` held by one of `owners`, or ZITADEL's NotFound.
    async fn config_of(&self, owners: &[&str], id: &str) -> Result<ConfigRow> {
        burg_store::idp_config::get(self.db.pool(), &self.instance_id, id)
            .await?
            .filter(|row| owners.contains(&row.resource_owner.as_str()))
            .ok_or_else(|| missing("QUERY-rhR2o", id))
    }

    pub async fn get_idp_by_id(&self, _ctx: &Ctx, r: a::GetIdpByIdRequest) -> Result<a::GetIdpByIdResponse> {
        let row = self.config_of(&[self.instance_id.as_str()], &r.id).await?;
        Ok(a::GetIdpByIdResponse { idp: Some(to_pb(&row)) })
    }

    /// As ZITADEL: the organization's configuration, or the instance's.
    pub async fn get_org_idp_by_id(&self, ctx: &Ctx, r: m::GetOrgIdpByIdRequest) -> Result<m::GetOrgIdpByIdResponse> {
        let row = self.config_of(&[ctx.org(), self.instance_id.as_str()], &r.id).await?;
        Ok(m::GetOrgIdpByIdResponse { idp: Some(to_pb(&row)) })
    }

    /// A page of the configurations of `owners`.
    async fn list_configs(
        &self,
        owners: &[&str],
        filters: Vec<ConfigFilter>,
        sorting_column: i32,
        query: Option<&burg_api::object::ListQuery>,
    ) -> Result<(Option<burg_api::object::ListDetails>, Vec<pb::Idp>)> {
        let page = v1_page(query)?;
        let order = match pb::IdpFieldName::try_from(sorting_column) {
            Ok(pb::IdpFieldName::Name) => ConfigOrder::Name,
            _ => ConfigOrder::Created,
        };
        let listed = burg_store::idp_config::list(&self.db, &self.instance_id, owners, &filters, order, page).await?;
        let seq = self.instance_row(self.db.pool()).await?.sequence;
        Ok((list_details(listed.total, seq, self.now()), listed.rows.iter().map(to_pb).collect()))
    }

    pub async fn list_id_ps(&self, _ctx: &Ctx, r: a::ListIdPsRequest) -> Result<a::ListIdPsResponse> {
        let mut filters = Vec::with_capacity(r.queries.len());
        for q in &r.queries {
            match &q.query {
                Some(idp_query::Query::IdpIdQuery(q)) => filters.push(ConfigFilter::Id(q.id.clone())),
                Some(idp_query::Query::IdpNameQuery(q)) => {
                    filters.push(ConfigFilter::Name(text_match(&q.name, q.method)?))
                }
                None => return Err(Error::invalid_argument("ADMIN-VmqQu", "a query names no field to match")),
            }
        }
        let (details, result) =
            self.list_configs(&[self.instance_id.as_str()], filters, r.sorting_column, r.query.as_ref()).await?;
        // ZITADEL does not say by which column it sorted.
        Ok(a::ListIdPsResponse { details, sorting_column: 0, result })
    }

    /// As ZITADEL: the organization's configurations and the instance's,
    /// each with its owner type.
    pub async fn list_org_id_ps(&self, ctx: &Ctx, r: m::ListOrgIdPsRequest) -> Result<m::ListOrgIdPsResponse> {
        use m::idp_query::Query as Q;
        let mut filters = Vec::with_capacity(r.queries.len());
        for q in &r.queries {
            match &q.query {
                Some(Q::IdpIdQuery(q)) => filters.push(ConfigFilter::Id(q.id.clone())),
                Some(Q::IdpNameQuery(q)) => filters.push(ConfigFilter::Name(text_match(&q.name, q.method)?)),
                Some(Q::OwnerTypeQuery(q)) => filters.push(ConfigFilter::OwnerType(i64::from(q.owner_type))),
                None => return Err(Error::invalid_argument("MANAG-WtLPV", "a query names no field to match")),
            }
        }
        let owners = [ctx.org(), self.instance_id.as_str()];
        let (details, result) = self.list_configs(&owners, filters, r.sorting_column, r.query.as_ref()).await?;
        Ok(m::ListOrgIdPsResponse { details, sorting_column: 0, result })
    }

    /// Writes a new configuration of `scope`: its `added` event and its
    /// protocol's.
    async fn add_config(
        &self,
        ctx: &Ctx,
        scope: Scope<'_>,
        added: ConfigAdded,
        protocol: impl Fn(&str) -> Result<NewEvent>,
    ) -> Result<(String, Option<ObjectDetails>)> {
        let (events_of, _) = of(scope);
        let on = scope.aggregate(self);
        let owner = scope.owner(self);
        let id = self.new_id();
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if burg_store::idp_config::name_taken(tx.conn(), &self.instance_id, owner, &added.name).await? {
                return Err(name_taken(&added.name));
            }
            let first = ConfigAdded { idp_config_id: id.clone(), ..added.clone() };
            let events = vec![event(&on, events_of.added, &first)?, protocol(&id)?];
            let pushed = tx.push(events).await?;
            tx.commit().await?;
            Ok(added_details(&pushed))
        })
        .await?;
        Ok((id, details))
    }

    /// Adds an OIDC configuration to `scope`.
    #[allow(clippy::too_many_arguments)]
    async fn add_oidc_config(
        &self,
        ctx: &Ctx,
        scope: Scope<'_>,
        added: ConfigAdded,
        client_id: &str,
        client_secret: &str,
        issuer: &str,
        scopes: &[String],
        (display_name_mapping, username_mapping): (i32, i32),
    ) -> Result<(String, Option<ObjectDetails>)> {
        let (events_of, _) = of(scope);
        let on = scope.aggregate(self);
        let secret = self.key.seal(client_secret.as_bytes());
        self.add_config(ctx, scope, added, |id| {
            let p = OidcAdded {
                idp_config_id: id.to_string(),
                client_id: client_id.to_string(),
                client_secret: Some(secret.clone()),
                issuer: issuer.to_string(),
                authorization_endpoint: String::new(),
                token_endpoint: String::new(),
                scopes: scopes.to_vec(),
                idp_display_name_mapping: display_name_mapping,
                username_mapping,
            };
            event(&on, events_of.oidc_added, &p)
        })
        .await
    }

    /// Adds a JWT configuration to `scope`.
    async fn add_jwt_config(
        &self,
        ctx: &Ctx,
        scope: Scope<'_>,
        added: ConfigAdded,
        jwt: JwtAdded,
    ) -> Result<(String, Option<ObjectDetails>)> {
        let (events_of, _) = of(scope);
        let on = scope.aggregate(self);
        self.add_config(ctx, scope, added, |id| {
            event(&on, events_of.jwt_added, &JwtAdded { idp_config_id: id.to_string(), ..jwt.clone() })
        })
        .await
    }

    pub async fn add_oidcidp(&self, ctx: &Ctx, r: a::AddOidcidpRequest) -> Result<a::AddOidcidpResponse> {
        let added = config_added(&r.name, ic::TYPE_OIDC, r.styling_type, r.auto_register);
        let mappings = (r.display_name_mapping, r.username_mapping);
        let (idp_id, details) = self
            .add_oidc_config(
                ctx,
                Scope::Instance,
                added,
                &r.client_id,
                &r.client_secret,
                &r.issuer,
                &r.scopes,
                mappings,
            )
            .await?;
        Ok(a::AddOidcidpResponse { details, idp_id })
    }

    pub async fn add_org_oidcidp(&self, ctx: &Ctx, r: m::AddOrgOidcidpRequest) -> Result<m::AddOrgOidcidpResponse> {
        let added = config_added(&r.name, ic::TYPE_OIDC, r.styling_type, r.auto_register);
        let mappings = (r.display_name_mapping, r.username_mapping);
        let scope = Scope::Org(ctx.org());
        let (idp_id, details) = self
            .add_oidc_config(ctx, scope, added, &r.client_id, &r.client_secret, &r.issuer, &r.scopes, mappings)
            .await?;
        Ok(m::AddOrgOidcidpResponse { details, idp_id })
    }

    pub async fn add_jwtidp(&self, ctx: &Ctx, r: a::AddJwtidpRequest) -> Result<a::AddJwtidpResponse> {
        let added = config_added(&r.name, ic::TYPE_JWT, r.styling_type, r.auto_register);
        let jwt = jwt_added(r.jwt_endpoint, r.issuer, r.keys_endpoint, r.header_name);
        let (idp_id, details) = self.add_jwt_config(ctx, Scope::Instance, added, jwt).await?;
        Ok(a::AddJwtidpResponse { details, idp_id })
    }

    pub async fn add_org_jwtidp(&self, ctx: &Ctx, r: m::AddOrgJwtidpRequest) -> Result<m::AddOrgJwtidpResponse> {
        let added = config_added(&r.name, ic::TYPE_JWT, r.styling_type, r.auto_register);
        let jwt = jwt_added(r.jwt_endpoint, r.issuer, r.keys_endpoint, r.header_name);
        let (idp_id, details) = self.add_jwt_config(ctx, Scope::Org(ctx.org()), added, jwt).await?;
        Ok(m::AddOrgJwtidpResponse { details, idp_id })
    }

    /// Changes the name, styling and auto-registration of configuration
    /// `idp_id` of `scope`.
    async fn update_config(
        &self,
        ctx: &Ctx,
        scope: Scope<'_>,
        idp_id: &str,
        (name, styling_type, auto_register): (&str, i32, bool),
    ) -> Result<Option<ObjectDetails>> {
        let (events_of, ids) = of(scope);
        let on = scope.aggregate(self);
        let owner = scope.owner(self);
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current = self
                .scoped_config(tx.conn(), scope, idp_id)
                .await?
                .ok_or_else(|| missing(ids.update_missing, idp_id))?;
            let change = ConfigChanged {
                idp_config_id: idp_id.to_string(),
                name: (current.name != name).then(|| name.to_string()),
                styling_type: (current.styling_type != styling_type).then_some(styling_type),
                auto_register: (current.auto_register != auto_register).then_some(auto_register),
            };
            if change == (ConfigChanged { idp_config_id: idp_id.to_string(), ..Default::default() }) {
                return Err(no_change(ids.update_unchanged));
            }
            if change.name.is_some()
                && burg_store::idp_config::name_taken(tx.conn(), &self.instance_id, owner, name).await?
            {
                return Err(name_taken(name));
            }
            let pushed = tx.push(vec![event(&on, events_of.changed, &change)?]).await?;
            tx.commit().await?;
            Ok(changed_details(&pushed))
        })
        .await
    }

    pub async fn update_idp(&self, ctx: &Ctx, r: a::UpdateIdpRequest) -> Result<a::UpdateIdpResponse> {
        let values = (r.name.as_str(), r.styling_type, r.auto_register);
        Ok(a::UpdateIdpResponse { details: self.update_config(ctx, Scope::Instance, &r.idp_id, values).await? })
    }

    pub async fn update_org_idp(&self, ctx: &Ctx, r: m::UpdateOrgIdpRequest) -> Result<m::UpdateOrgIdpResponse> {
        let values = (r.name.as_str(), r.styling_type, r.auto_register);
        let details = self.update_config(ctx, Scope::Org(ctx.org()), &r.idp_id, values).await?;
        Ok(m::UpdateOrgIdpResponse { details })
    }

    /// Changes the OIDC settings of configuration `r.idp_id` of `scope`.
    async fn update_oidc_config(
        &self,
        ctx: &Ctx,
        scope: Scope<'_>,
        r: a::UpdateIdpoidcConfigRequest,
    ) -> Result<Option<ObjectDetails>> {
        let (events_of, ids) = of(scope);
        let on = scope.aggregate(self);
        // As ZITADEL: a secret given is a change, even the same one.
        let secret = (!r.client_secret.is_empty()).then(|| self.key.seal(r.client_secret.as_bytes()));
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current = self.scoped_config(tx.conn(), scope, &r.idp_id).await?;
            let Some(Protocol::Oidc {
                client_id,
                issuer,
                authorization_endpoint,
                token_endpoint,
                scopes,
                display_name_mapping,
                username_mapping,
                ..
            }) = current.and_then(|c| c.protocol)
            else {
                return Err(missing(ids.oidc_missing, &r.idp_id));
            };
            let change = OidcChanged {
                idp_config_id: r.idp_id.clone(),
                client_id: (client_id != r.client_id).then(|| r.client_id.clone()),
                client_secret: secret.clone(),
                issuer: (issuer != r.issuer).then(|| r.issuer.clone()),
                // Not on the wire: set to empty when stored otherwise.
                authorization_endpoint: (!authorization_endpoint.is_empty()).then(String::new),
                token_endpoint: (!token_endpoint.is_empty()).then(String::new),
                scopes: (scopes != r.scopes).then(|| r.scopes.clone()),
                idp_display_name_mapping: (display_name_mapping != r.display_name_mapping)
                    .then_some(r.display_name_mapping),
                username_mapping: (username_mapping != r.username_mapping).then_some(r.username_mapping),
            };
            if change == (OidcChanged { idp_config_id: r.idp_id.clone(), ..Default::default() }) {
                return Err(no_change(ids.oidc_unchanged));
            }
            let pushed = tx.push(vec![event(&on, events_of.oidc_changed, &change)?]).await?;
            tx.commit().await?;
            Ok(changed_details(&pushed))
        })
        .await
    }

    pub async fn update_idpoidc_config(
        &self,
        ctx: &Ctx,
        r: a::UpdateIdpoidcConfigRequest,
    ) -> Result<a::UpdateIdpoidcConfigResponse> {
        Ok(a::UpdateIdpoidcConfigResponse { details: self.update_oidc_config(ctx, Scope::Instance, r).await? })
    }

    pub async fn update_org_idpoidc_config(
        &self,
        ctx: &Ctx,
        r: m::UpdateOrgIdpoidcConfigRequest,
    ) -> Result<m::UpdateOrgIdpoidcConfigResponse> {
        let r = a::UpdateIdpoidcConfigRequest {
            idp_id: r.idp_id,
            issuer: r.issuer,
            client_id: r.client_id,
            client_secret: r.client_secret,
            scopes: r.scopes,
            display_name_mapping: r.display_name_mapping,
            username_mapping: r.username_mapping,
        };
        let details = self.update_oidc_config(ctx, Scope::Org(ctx.org()), r).await?;
        Ok(m::UpdateOrgIdpoidcConfigResponse { details })
    }

    /// Changes the JWT settings of configuration `idp_id` of `scope`.
    async fn update_jwt_config(
        &self,
        ctx: &Ctx,
        scope: Scope<'_>,
        idp_id: &str,
        sent: JwtAdded,
    ) -> Result<Option<ObjectDetails>> {
        let (events_of, ids) = of(scope);
        let on = scope.aggregate(self);
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current = self.scoped_config(tx.conn(), scope, idp_id).await?;
            let Some(Protocol::Jwt { jwt_endpoint, issuer, keys_endpoint, header_name }) =
                current.and_then(|c| c.protocol)
            else {
                return Err(missing(ids.jwt_missing, idp_id));
            };
            let changed = |stored: &str, sent: &str| (stored != sent).then(|| sent.to_string());
            let change = JwtChanged {
                idp_config_id: idp_id.to_string(),
                jwt_endpoint: changed(&jwt_endpoint, &sent.jwt_endpoint),
                issuer: changed(&issuer, &sent.issuer),
                keys_endpoint: changed(&keys_endpoint, &sent.keys_endpoint),
                header_name: changed(&header_name, &sent.header_name),
            };
            if change == (JwtChanged { idp_config_id: idp_id.to_string(), ..Default::default() }) {
                return Err(no_change(ids.jwt_unchanged));
            }
            let pushed = tx.push(vec![event(&on, events_of.jwt_changed, &change)?]).await?;
            tx.commit().await?;
            Ok(changed_details(&pushed))
        })
        .await
    }

    pub async fn update_idpjwt_config(
        &self,
        ctx: &Ctx,
        r: a::UpdateIdpjwtConfigRequest,
    ) -> Result<a::UpdateIdpjwtConfigResponse> {
        let sent = jwt_added(r.jwt_endpoint, r.issuer, r.keys_endpoint, r.header_name);
        let details = self.update_jwt_config(ctx, Scope::Instance, &r.idp_id, sent).await?;
        Ok(a::UpdateIdpjwtConfigResponse { details })
    }

    pub async fn update_org_idpjwt_config(
        &self,
        ctx: &Ctx,
        r: m::UpdateOrgIdpjwtConfigRequest,
    ) -> Result<m::UpdateOrgIdpjwtConfigResponse> {
        let sent = jwt_added(r.jwt_endpoint, r.issuer, r.keys_endpoint, r.header_name);
        let details = self.update_jwt_config(ctx, Scope::Org(ctx.org()), &r.idp_id, sent).await?;
        Ok(m::UpdateOrgIdpjwtConfigResponse { details })
    }

    /// Deactivates (`deactivate`) or reactivates configuration `id` of
    /// `scope`: it must be active, or inactive (else ZITADEL's
    /// FailedPrecondition, also for one that does not exist).
    async fn set_config_state(
        &self,
        ctx: &Ctx,
        scope: Scope<'_>,
        id: &str,
        deactivate: bool,
    ) -> Result<Option<ObjectDetails>> {
        let (events_of, ids) = of(scope);
        let (from, event_type, wrong_state) = match deactivate {
            true => (ic::STATE_ACTIVE, events_of.deactivated, ids.not_active),
            false => (ic::STATE_INACTIVE, events_of.reactivated, ids.not_inactive),
        };
        let on = scope.aggregate(self);
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current = self.scoped_config(tx.conn(), scope, id).await?;
            if current.map(|c| c.state) != Some(from) {
                let is = if from == ic::STATE_ACTIVE { "active" } else { "inactive" };
                return Err(Error::failed_precondition(
                    wrong_state,
                    format!("identity provider configuration {id} is not {is}"),
                ));
            }
            let pushed = tx.push(vec![event(&on, event_type, &ConfigId { idp_config_id: id.to_string() })?]).await?;
            tx.commit().await?;
            Ok(changed_details(&pushed))
        })
        .await
    }

    pub async fn deactivate_idp(&self, ctx: &Ctx, r: a::DeactivateIdpRequest) -> Result<a::DeactivateIdpResponse> {
        Ok(a::DeactivateIdpResponse { details: self.set_config_state(ctx, Scope::Instance, &r.idp_id, true).await? })
    }

    pub async fn reactivate_idp(&self, ctx: &Ctx, r: a::ReactivateIdpRequest) -> Result<a::ReactivateIdpResponse> {
        Ok(a::ReactivateIdpResponse { details: self.set_config_state(ctx, Scope::Instance, &r.idp_id, false).await? })
    }

    pub async fn deactivate_org_idp(
        &self,
        ctx: &Ctx,
        r: m::DeactivateOrgIdpRequest,
    ) -> Result<m::DeactivateOrgIdpResponse> {
        let details = self.set_config_state(ctx, Scope::Org(ctx.org()), &r.idp_id, true).await?;
        Ok(m::DeactivateOrgIdpResponse { details })
    }

    pub async fn reactivate_org_idp(
        &self,
        ctx: &Ctx,
        r: m::ReactivateOrgIdpRequest,
    ) -> Result<m::ReactivateOrgIdpResponse> {
        let details = self.set_config_state(ctx, Scope::Org(ctx.org()), &r.idp_id, false).await?;
        Ok(m::ReactivateOrgIdpResponse { details })
    }

    /// Removes configuration `idp_id` of `scope`, and with it (as ZITADEL's
    /// command does) the scope's login policy's link to it and every
    /// user's link, each a cascade event; other login policies' links go
    /// with the projection.
    async fn remove_config(&self, ctx: &Ctx, scope: Scope<'_>, idp_id: &str) -> Result<Option<ObjectDetails>> {
        let (events_of, ids) = of(scope);
        let on = scope.aggregate(self);
        let owner = scope.owner(self);
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if self.scoped_config(tx.conn(), scope, idp_id).await?.is_none() {
                return Err(missing(ids.remove_missing, idp_id));
            }
            let id = idp_id.to_string();
            let mut events = vec![event(&on, events_of.removed, &ConfigId { idp_config_id: id.clone() })?];
            if burg_store::idp::policy_offers(tx.conn(), &self.instance_id, owner, idp_id).await? {
                events.push(match scope {
                    Scope::Instance => {
                        NewEvent::new(&on, &ie::LoginPolicyIdpCascadeRemoved { idp_config_id: id.clone() })?
                    }
                    Scope::Org(_) => {
                        NewEvent::new(&on, &oe::LoginPolicyIdpCascadeRemoved { idp_config_id: id.clone() })?
                    }
                });
            }
            for link in burg_store::users::links_to_idp(tx.conn(), &self.instance_id, idp_id).await? {
                let user = Aggregate::new(aggregate::USER, link.user_id, link.resource_owner);
                let e = ue::ExternalIdpCascadeRemoved { idp_config_id: id.clone(), user_id: link.external_user_id };
                events.push(NewEvent::new(&user, &e)?);
            }
            let pushed = tx.push(events).await?;
            tx.commit().await?;
            Ok(changed_details(&pushed[..1]))
        })
        .await
    }

    pub async fn remove_idp(&self, ctx: &Ctx, r: a::RemoveIdpRequest) -> Result<a::RemoveIdpResponse> {
        Ok(a::RemoveIdpResponse { details: self.remove_config(ctx, Scope::Instance, &r.idp_id).await? })
    }

    /// As ZITADEL: a configuration that neither the organization nor the
    /// instance holds is not found by the query before the command; the
    /// instance's is not the organization's to remove. The answer has no
    /// details.
    pub async fn remove_org_idp(&self, ctx: &Ctx, r: m::RemoveOrgIdpRequest) -> Result<m::RemoveOrgIdpResponse> {
        self.config_of(&[ctx.org(), self.instance_id.as_str()], &r.idp_id).await?;
        self.remove_config(ctx, Scope::Org(ctx.org()), &r.idp_id).await?;
        Ok(m::RemoveOrgIdpResponse {})
    }
}

/// `…idp.config.added` of a new configuration (its id set when it is
/// written).
fn config_added(name: &str, idp_type: i32, styling_type: i32, auto_register: bool) -> ConfigAdded {
    ConfigAdded { idp_config_id: String::new(), name: name.to_string(), idp_type, styling_type, auto_register }
}

/// The JWT settings of a request (its id set when it is written).
fn jwt_added(jwt_endpoint: String, issuer: String, keys_endpoint: String, header_name: String) -> JwtAdded {
    JwtAdded { idp_config_id: String::new(), jwt_endpoint, issuer, keys_endpoint, header_name }
}
