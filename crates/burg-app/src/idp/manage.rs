//! Get, list, delete, and the migration of generic OIDC templates to
//! Azure AD or Google.

use burg_api::admin::{self as a, migrate_generic_oidc_provider_request::Template as MigrateTo, provider_query};
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::instance as ie;
use burg_domain::events::user as ue;
use burg_domain::idp::{self, Kind, Template};
use burg_domain::{Error, Result};
use burg_store::idp::TemplateFilter;

use super::fields::id;
use super::kinds::{Azure, Google};
use super::wire::to_provider;
use super::{IdpKind, Scope, not_found};
use crate::list::{list_details, page, text_match};
use crate::{App, Ctx, details_of, retry};
use burg_store::list::Page;

impl App {
    pub async fn get_provider_by_id(
        &self,
        _ctx: &Ctx,
        r: a::GetProviderByIdRequest,
    ) -> Result<a::GetProviderByIdResponse> {
        id(&r.id)?;
        let generation = self.db.generation();
        if let Some(stored) = self.templates.get(&r.id, generation) {
            return Ok(a::GetProviderByIdResponse { idp: Some(to_provider(&stored)?) });
        }
        let mut conn = self.db.acquire("IDP-db0008").await?;
        let stored = self.load_template(&mut *conn, &r.id).await?.ok_or_else(|| not_found("QUERY-SAFrt", &r.id))?;
        let stored = std::sync::Arc::new(stored);
        self.templates.put(r.id.clone(), generation, stored.clone());
        Ok(a::GetProviderByIdResponse { idp: Some(to_provider(&stored)?) })
    }

    pub async fn list_providers(&self, _ctx: &Ctx, r: a::ListProvidersRequest) -> Result<a::ListProvidersResponse> {
        let mut filters = Vec::with_capacity(r.queries.len());
        for q in &r.queries {
            match &q.query {
                Some(provider_query::Query::IdpIdQuery(q)) => filters.push(TemplateFilter::Id(q.id.clone())),
                Some(provider_query::Query::IdpNameQuery(q)) => {
                    filters.push(TemplateFilter::Name(text_match(&q.name, q.method)?))
                }
                // As ZITADEL: a query must say what it queries.
                None => return Err(Error::invalid_argument("ADMIN-Dr2aa", "a query names no field to match")),
            }
        }
        // ZITADEL sorts by no column; burg answers in the order the
        // providers were added, whatever `asc` says.
        let page = Page { asc: true, ..page(r.query.as_ref()) };
        let listed = burg_store::idp::list(&self.db, &self.instance_id, &filters, page).await?;
        let result = listed.rows.iter().map(to_provider).collect::<Result<_>>()?;
        let seq = self.instance_row(self.db.pool()).await?.sequence;
        Ok(a::ListProvidersResponse { details: list_details(listed.total, seq, self.now()), result })
    }

    /// Deletes a template, and with it the login policies' links to it
    /// (the instance's and the organizations', by the projection) and the
    /// users' links (an event each).
    pub async fn delete_provider(&self, ctx: &Ctx, r: a::DeleteProviderRequest) -> Result<a::DeleteProviderResponse> {
        id(&r.id)?;
        let instance = Scope::Instance.aggregate(self);
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let stored = self.load_template(tx.conn(), &r.id).await?.ok_or_else(|| not_found("INST-Se3tg", &r.id))?;
            // As ZITADEL, no event for the login policies' links: the
            // projection of `instance.idp.removed` deletes them.
            let mut events = Vec::new();
            for link in burg_store::users::links_to_idp(tx.conn(), &self.instance_id, &r.id).await? {
                let user = Aggregate::new(aggregate::USER, link.user_id, link.resource_owner);
                let e = ue::ExternalIdpCascadeRemoved { idp_config_id: r.id.clone(), user_id: link.external_user_id };
                events.push(NewEvent::new(&user, &e)?);
            }
            events.push(NewEvent::new(&instance, &ie::IdpRemoved { id: stored.template.id.clone() })?);
            let pushed = tx.push(events).await?;
            tx.commit().await?;
            Ok(details_of(&pushed[pushed.len() - 1..]))
        })
        .await?;
        Ok(a::DeleteProviderResponse { details })
    }

    /// Turns a generic OIDC template into an Azure AD or Google one: same
    /// id, so policy and user links stay. As ZITADEL: the options are the
    /// request's, all off when it gives none.
    pub async fn migrate_generic_oidc_provider(
        &self,
        ctx: &Ctx,
        r: a::MigrateGenericOidcProviderRequest,
    ) -> Result<a::MigrateGenericOidcProviderResponse> {
        id(&r.id)?;
        let (draft, event_type, missing_id) = match r.template {
            Some(MigrateTo::Azure(t)) => (Azure::draft_add(self, t).await?, idp::MIGRATED_AZURE, "INST-Dg29201"),
            Some(MigrateTo::Google(t)) => (Google::draft_add(self, t).await?, idp::MIGRATED_GOOGLE, "INST-Dg29202"),
            None => {
                return Err(Error::invalid_argument("IDP-mig001", "one of `azure` or `google` is required"));
            }
        };
        let mut config = draft.config;
        if let Some(slot) = config.secret_mut() {
            *slot = self.key.seal(draft.secret.as_deref().unwrap_or_default());
        }
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current = self.load_template(tx.conn(), &r.id).await?.ok_or_else(|| not_found(missing_id, &r.id))?;
            // As ZITADEL: a provider that is not (or no longer) generic
            // OIDC is not found for a migration.
            if current.template.kind() != Kind::Oidc {
                return Err(not_found(missing_id, &r.id));
            }
            // The request's options alone, as ZITADEL's migration takes them (M2).
            let next = Template {
                id: r.id.clone(),
                name: draft.name.clone(),
                options: draft.options.clone(),
                config: config.clone(),
            };
            let events = self.push_added(&mut tx, Scope::Instance, event_type, &next).await?;
            tx.commit().await?;
            Ok(details_of(&events))
        })
        .await?;
        Ok(a::MigrateGenericOidcProviderResponse { details })
    }
}
