//! The instance's identity-provider configurations of ZITADEL's first IdP
//! API: `AddOIDCIDP`, `AddJWTIDP`, `UpdateIDP`, `UpdateIDPOIDCConfig`,
//! `UpdateIDPJWTConfig`, deactivate, reactivate, remove, get and list,
//! with the checks and error ids of ZITADEL's commands
//! (`internal/command/instance_idp_config.go`, `instance_idp_oidc_config.go`,
//! `instance_idp_jwt_config.go`) and queries (`query/idp.go`). The proto's
//! rules are checked before these are called; ZITADEL trims nothing here.
//!
//! Names are unique per owner (ZITADEL's `idp_config_names` constraint,
//! answered as its eventstore answers a taken unique value). Each
//! configuration is a template too (see `burg_domain::idp_config`), so
//! login policies and user links reach it as they reach templates.

use burg_api::admin::{self as a, idp_query};
use burg_api::idp as pb;
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::instance as ie;
use burg_domain::events::user as ue;
use burg_domain::idp_config::{
    self as ic, ConfigAdded, ConfigChanged, ConfigId, IdpConfig, JwtAdded, JwtChanged, OidcAdded, OidcChanged, Protocol,
};
use burg_domain::{Error, Result};
use burg_store::Conn;
use burg_store::idp_config::{ConfigFilter, ConfigOrder, ConfigRow};

use crate::list::{list_details, text_match, v1_page};
use crate::{App, Ctx, added_details, changed_details, details, retry};

/// ZITADEL's eventstore answer to a taken unique value.
const NAME_TAKEN: &str = "V3-DKcYh";

fn name_taken(name: &str) -> Error {
    Error::already_exists(NAME_TAKEN, format!("an identity provider named {name:?} exists already"))
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
    /// The instance's configuration `id`, read through `conn`.
    async fn instance_config(&self, conn: &mut Conn, id: &str) -> Result<Option<IdpConfig>> {
        let row = burg_store::idp_config::get(&mut *conn, &self.instance_id, id).await?;
        Ok(row.filter(|r| r.resource_owner == self.instance_id).map(|r| r.config))
    }

    pub async fn get_idp_by_id(&self, _ctx: &Ctx, r: a::GetIdpByIdRequest) -> Result<a::GetIdpByIdResponse> {
        let row = burg_store::idp_config::get(self.db.pool(), &self.instance_id, &r.id)
            .await?
            .filter(|row| row.resource_owner == self.instance_id)
            .ok_or_else(|| missing("QUERY-rhR2o", &r.id))?;
        Ok(a::GetIdpByIdResponse { idp: Some(to_pb(&row)) })
    }

    pub async fn list_id_ps(&self, _ctx: &Ctx, r: a::ListIdPsRequest) -> Result<a::ListIdPsResponse> {
        let page = v1_page(r.query.as_ref())?;
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
        let order = match pb::IdpFieldName::try_from(r.sorting_column) {
            Ok(pb::IdpFieldName::Name) => ConfigOrder::Name,
            _ => ConfigOrder::Created,
        };
        let listed =
            burg_store::idp_config::list(&self.db, &self.instance_id, &self.instance_id, &filters, order, page).await?;
        let seq = self.instance_row(self.db.pool()).await?.sequence;
        Ok(a::ListIdPsResponse {
            details: list_details(listed.total, seq, self.now()),
            // ZITADEL does not say by which column it sorted.
            sorting_column: 0,
            result: listed.rows.iter().map(to_pb).collect(),
        })
    }

    /// Writes a new configuration: its `added` event and its protocol's.
    async fn add_config(
        &self,
        ctx: &Ctx,
        added: ConfigAdded,
        protocol: impl Fn(&str) -> Result<NewEvent>,
    ) -> Result<(String, Option<burg_api::object::ObjectDetails>)> {
        let on = self.instance_aggregate();
        let id = self.new_id();
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if burg_store::idp_config::name_taken(tx.conn(), &self.instance_id, &self.instance_id, &added.name).await? {
                return Err(name_taken(&added.name));
            }
            let first = ConfigAdded { idp_config_id: id.clone(), ..added.clone() };
            let events = vec![event(&on, ic::INSTANCE.added, &first)?, protocol(&id)?];
            let pushed = tx.push(events).await?;
            tx.commit().await?;
            Ok(added_details(&pushed))
        })
        .await?;
        Ok((id, details))
    }

    pub async fn add_oidcidp(&self, ctx: &Ctx, r: a::AddOidcidpRequest) -> Result<a::AddOidcidpResponse> {
        let on = self.instance_aggregate();
        let secret = self.key.seal(r.client_secret.as_bytes());
        let added = ConfigAdded {
            idp_config_id: String::new(),
            name: r.name.clone(),
            idp_type: ic::TYPE_OIDC,
            styling_type: r.styling_type,
            auto_register: r.auto_register,
        };
        let (idp_id, details) = self
            .add_config(ctx, added, |id| {
                let p = OidcAdded {
                    idp_config_id: id.to_string(),
                    client_id: r.client_id.clone(),
                    client_secret: Some(secret.clone()),
                    issuer: r.issuer.clone(),
                    authorization_endpoint: String::new(),
                    token_endpoint: String::new(),
                    scopes: r.scopes.clone(),
                    idp_display_name_mapping: r.display_name_mapping,
                    username_mapping: r.username_mapping,
                };
                event(&on, ic::INSTANCE.oidc_added, &p)
            })
            .await?;
        Ok(a::AddOidcidpResponse { details, idp_id })
    }

    pub async fn add_jwtidp(&self, ctx: &Ctx, r: a::AddJwtidpRequest) -> Result<a::AddJwtidpResponse> {
        let on = self.instance_aggregate();
        let added = ConfigAdded {
            idp_config_id: String::new(),
            name: r.name.clone(),
            idp_type: ic::TYPE_JWT,
            styling_type: r.styling_type,
            auto_register: r.auto_register,
        };
        let (idp_id, details) = self
            .add_config(ctx, added, |id| {
                let p = JwtAdded {
                    idp_config_id: id.to_string(),
                    jwt_endpoint: r.jwt_endpoint.clone(),
                    issuer: r.issuer.clone(),
                    keys_endpoint: r.keys_endpoint.clone(),
                    header_name: r.header_name.clone(),
                };
                event(&on, ic::INSTANCE.jwt_added, &p)
            })
            .await?;
        Ok(a::AddJwtidpResponse { details, idp_id })
    }

    pub async fn update_idp(&self, ctx: &Ctx, r: a::UpdateIdpRequest) -> Result<a::UpdateIdpResponse> {
        let on = self.instance_aggregate();
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current = self
                .instance_config(tx.conn(), &r.idp_id)
                .await?
                .ok_or_else(|| missing("INSTANCE-m0e3r", &r.idp_id))?;
            let change = ConfigChanged {
                idp_config_id: r.idp_id.clone(),
                name: (current.name != r.name).then(|| r.name.clone()),
                styling_type: (current.styling_type != r.styling_type).then_some(r.styling_type),
                auto_register: (current.auto_register != r.auto_register).then_some(r.auto_register),
            };
            if change == (ConfigChanged { idp_config_id: r.idp_id.clone(), ..Default::default() }) {
                return Err(no_change("INSTANCE-3k0fs"));
            }
            if change.name.is_some()
                && burg_store::idp_config::name_taken(tx.conn(), &self.instance_id, &self.instance_id, &r.name).await?
            {
                return Err(name_taken(&r.name));
            }
            let pushed = tx.push(vec![event(&on, ic::INSTANCE.changed, &change)?]).await?;
            tx.commit().await?;
            Ok(changed_details(&pushed))
        })
        .await?;
        Ok(a::UpdateIdpResponse { details })
    }

    pub async fn update_idpoidc_config(
        &self,
        ctx: &Ctx,
        r: a::UpdateIdpoidcConfigRequest,
    ) -> Result<a::UpdateIdpoidcConfigResponse> {
        let on = self.instance_aggregate();
        // As ZITADEL: a secret given is a change, even the same one.
        let secret = (!r.client_secret.is_empty()).then(|| self.key.seal(r.client_secret.as_bytes()));
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current = self.instance_config(tx.conn(), &r.idp_id).await?;
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
                return Err(missing("INSTANCE-67J9d", &r.idp_id));
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
                return Err(no_change("INSTANCE-d8kwF"));
            }
            let pushed = tx.push(vec![event(&on, ic::INSTANCE.oidc_changed, &change)?]).await?;
            tx.commit().await?;
            Ok(changed_details(&pushed))
        })
        .await?;
        Ok(a::UpdateIdpoidcConfigResponse { details })
    }

    pub async fn update_idpjwt_config(
        &self,
        ctx: &Ctx,
        r: a::UpdateIdpjwtConfigRequest,
    ) -> Result<a::UpdateIdpjwtConfigResponse> {
        let on = self.instance_aggregate();
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current = self.instance_config(tx.conn(), &r.idp_id).await?;
            let Some(Protocol::Jwt { jwt_endpoint, issuer, keys_endpoint, header_name }) =
                current.and_then(|c| c.protocol)
            else {
                return Err(missing("INSTANCE-2m00d", &r.idp_id));
            };
            let changed = |stored: &str, sent: &str| (stored != sent).then(|| sent.to_string());
            let change = JwtChanged {
                idp_config_id: r.idp_id.clone(),
                jwt_endpoint: changed(&jwt_endpoint, &r.jwt_endpoint),
                issuer: changed(&issuer, &r.issuer),
                keys_endpoint: changed(&keys_endpoint, &r.keys_endpoint),
                header_name: changed(&header_name, &r.header_name),
            };
            if change == (JwtChanged { idp_config_id: r.idp_id.clone(), ..Default::default() }) {
                return Err(no_change("INSTANCE-3n9gg"));
            }
            let pushed = tx.push(vec![event(&on, ic::INSTANCE.jwt_changed, &change)?]).await?;
            tx.commit().await?;
            Ok(changed_details(&pushed))
        })
        .await?;
        Ok(a::UpdateIdpjwtConfigResponse { details })
    }

    /// Deactivates or reactivates configuration `id`: it must be in state
    /// `from` (else `wrong_state`, also for one that does not exist, as in
    /// ZITADEL).
    async fn set_config_state(
        &self,
        ctx: &Ctx,
        id: &str,
        from: i32,
        event_type: &'static str,
        wrong_state: &'static str,
    ) -> Result<Option<burg_api::object::ObjectDetails>> {
        let on = self.instance_aggregate();
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current = self.instance_config(tx.conn(), id).await?;
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
        let details =
            self.set_config_state(ctx, &r.idp_id, ic::STATE_ACTIVE, ic::INSTANCE.deactivated, "INSTANCE-2n0fs").await?;
        Ok(a::DeactivateIdpResponse { details })
    }

    pub async fn reactivate_idp(&self, ctx: &Ctx, r: a::ReactivateIdpRequest) -> Result<a::ReactivateIdpResponse> {
        let details = self
            .set_config_state(ctx, &r.idp_id, ic::STATE_INACTIVE, ic::INSTANCE.reactivated, "INSTANCE-5Mo0d")
            .await?;
        Ok(a::ReactivateIdpResponse { details })
    }

    /// Removes a configuration, and with it (as ZITADEL's command does) the
    /// instance login policy's link to it and every user's link, each a
    /// cascade event; organizations' policy links go with the projection.
    pub async fn remove_idp(&self, ctx: &Ctx, r: a::RemoveIdpRequest) -> Result<a::RemoveIdpResponse> {
        let on = self.instance_aggregate();
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if self.instance_config(tx.conn(), &r.idp_id).await?.is_none() {
                return Err(missing("INSTANCE-4M0xy", &r.idp_id));
            }
            let mut events = vec![event(&on, ic::INSTANCE.removed, &ConfigId { idp_config_id: r.idp_id.clone() })?];
            if burg_store::idp::policy_offers(tx.conn(), &self.instance_id, &self.instance_id, &r.idp_id).await? {
                let e = ie::LoginPolicyIdpCascadeRemoved { idp_config_id: r.idp_id.clone() };
                events.push(NewEvent::new(&on, &e)?);
            }
            for link in burg_store::users::links_to_idp(tx.conn(), &self.instance_id, &r.idp_id).await? {
                let user = Aggregate::new(aggregate::USER, link.user_id, link.resource_owner);
                let e =
                    ue::ExternalIdpCascadeRemoved { idp_config_id: r.idp_id.clone(), user_id: link.external_user_id };
                events.push(NewEvent::new(&user, &e)?);
            }
            let pushed = tx.push(events).await?;
            tx.commit().await?;
            Ok(changed_details(&pushed[..1]))
        })
        .await?;
        Ok(a::RemoveIdpResponse { details })
    }
}
