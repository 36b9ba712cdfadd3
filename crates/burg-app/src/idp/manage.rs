//! Get, list, delete, and the migration of generic OIDC templates to
//! Azure AD or Google: the Admin API's for the instance's templates, the
//! Management API's (`mgmt_…`) for the call's organization's.

use burg_api::admin::{self as a, migrate_generic_oidc_provider_request::Template as MigrateTo};
use burg_api::idp as pb;
use burg_api::management as m;
use burg_api::object::{ListDetails, ListQuery, ObjectDetails};
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::user as ue;
use burg_domain::idp::{self, Kind, Template};
use burg_domain::state::IdpOwnerType;
use burg_domain::{Error, Result};
use burg_store::idp::TemplateFilter;

use super::fields::id;
use super::kinds::{Azure, Google};
use super::wire::to_provider;
use super::{IdpKind, Scope, not_found};
use crate::list::{list_details, page, text_match};
use crate::{App, Ctx, added_details, changed_details, retry};
use burg_store::list::Page;

/// A provider query of either API, as the store's filter.
enum Query<'q> {
    Id(&'q str),
    Name(&'q pb::IdpNameQuery),
    OwnerType(i32),
}

impl App {
    /// Template `id` of `scope` on the wire (cached by id; another owner's
    /// is not found).
    async fn get_scoped(&self, scope: Scope<'_>, idp_id: &str) -> Result<pb::Provider> {
        id(idp_id)?;
        let generation = self.db.generation();
        let stored = match self.templates.get(idp_id, generation) {
            Some(stored) => Some(stored),
            None => {
                let mut conn = self.db.acquire("IDP-db0008").await?;
                let found = self.load_template(&mut *conn, idp_id).await?.map(std::sync::Arc::new);
                if let Some(stored) = &found {
                    self.templates.put(idp_id.to_string(), generation, stored.clone());
                }
                found
            }
        };
        match stored.filter(|s| s.resource_owner == scope.owner(self)) {
            Some(stored) => to_provider(&stored),
            None => Err(not_found("QUERY-SAFrt", idp_id)),
        }
    }

    pub async fn get_provider_by_id(
        &self,
        _ctx: &Ctx,
        r: a::GetProviderByIdRequest,
    ) -> Result<a::GetProviderByIdResponse> {
        Ok(a::GetProviderByIdResponse { idp: Some(self.get_scoped(Scope::Instance, &r.id).await?) })
    }

    /// As ZITADEL: only the organization's own templates.
    pub async fn mgmt_get_provider_by_id(
        &self,
        ctx: &Ctx,
        r: m::GetProviderByIdRequest,
    ) -> Result<m::GetProviderByIdResponse> {
        Ok(m::GetProviderByIdResponse { idp: Some(self.get_scoped(Scope::Org(ctx.org()), &r.id).await?) })
    }

    /// The templates `owners` hold that match every query, in the order
    /// they were added (ZITADEL sorts by no column, whatever `asc` says).
    async fn list_scoped(
        &self,
        owners: Vec<String>,
        queries: Vec<Option<Query<'_>>>,
        missing_query: &'static str,
        query: Option<&ListQuery>,
    ) -> Result<(Option<ListDetails>, Vec<pb::Provider>)> {
        let mut filters = vec![TemplateFilter::OwnedBy(owners)];
        for q in queries {
            match q {
                Some(Query::Id(id)) => filters.push(TemplateFilter::Id(id.to_string())),
                Some(Query::Name(q)) => filters.push(TemplateFilter::Name(text_match(&q.name, q.method)?)),
                Some(Query::OwnerType(t)) => {
                    filters.push(TemplateFilter::OwnerType(if t == pb::IdpOwnerType::Org as i32 {
                        IdpOwnerType::Org
                    } else {
                        IdpOwnerType::System
                    }))
                }
                // As ZITADEL: a query must say what it queries.
                None => return Err(Error::invalid_argument(missing_query, "a query names no field to match")),
            }
        }
        let page = Page { asc: true, ..page(query) };
        let listed = burg_store::idp::list(&self.db, &self.instance_id, &filters, page).await?;
        let result = listed.rows.iter().map(to_provider).collect::<Result<_>>()?;
        let seq = self.instance_row(self.db.pool()).await?.sequence;
        Ok((list_details(listed.total, seq, self.now()), result))
    }

    pub async fn list_providers(&self, _ctx: &Ctx, r: a::ListProvidersRequest) -> Result<a::ListProvidersResponse> {
        use a::provider_query::Query as Q;
        let queries = (r.queries.iter())
            .map(|q| match &q.query {
                Some(Q::IdpIdQuery(q)) => Some(Query::Id(&q.id)),
                Some(Q::IdpNameQuery(q)) => Some(Query::Name(q)),
                None => None,
            })
            .collect();
        let owners = vec![self.instance_id.clone()];
        let (details, result) = self.list_scoped(owners, queries, "ADMIN-Dr2aa", r.query.as_ref()).await?;
        Ok(a::ListProvidersResponse { details, result })
    }

    /// As ZITADEL: the organization's templates and the instance's, each
    /// with its owner type.
    pub async fn mgmt_list_providers(&self, ctx: &Ctx, r: m::ListProvidersRequest) -> Result<m::ListProvidersResponse> {
        use m::provider_query::Query as Q;
        let queries = (r.queries.iter())
            .map(|q| match &q.query {
                Some(Q::IdpIdQuery(q)) => Some(Query::Id(&q.id)),
                Some(Q::IdpNameQuery(q)) => Some(Query::Name(q)),
                Some(Q::OwnerTypeQuery(q)) => Some(Query::OwnerType(q.owner_type)),
                None => None,
            })
            .collect();
        let owners = vec![self.instance_id.clone(), ctx.org().to_string()];
        let (details, result) = self.list_scoped(owners, queries, "ORG-Dr2aa", r.query.as_ref()).await?;
        Ok(m::ListProvidersResponse { details, result })
    }

    /// Deletes a template of `scope`, and with it the login policies' links
    /// to it (by the projection) and the users' links (an event each).
    async fn delete_scoped(&self, ctx: &Ctx, scope: Scope<'_>, idp_id: &str) -> Result<Option<ObjectDetails>> {
        id(idp_id)?;
        let on = scope.aggregate(self);
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let stored = self
                .load_scoped(tx.conn(), scope, idp_id)
                .await?
                .ok_or_else(|| not_found(scope.id("INST-Se3tg"), idp_id))?;
            // As ZITADEL, no event for the login policies' links: the
            // projection of `…idp.removed` deletes them.
            let mut events = Vec::new();
            for link in burg_store::users::links_to_idp(tx.conn(), &self.instance_id, idp_id).await? {
                let user = Aggregate::new(aggregate::USER, link.user_id, link.resource_owner);
                let e =
                    ue::ExternalIdpCascadeRemoved { idp_config_id: idp_id.to_string(), user_id: link.external_user_id };
                events.push(NewEvent::new(&user, &e)?);
            }
            let removed = match scope {
                Scope::Instance => idp::REMOVED,
                Scope::Org(_) => idp::ORG_REMOVED,
            };
            let payload = serde_json::json!({ "id": stored.template.id });
            events.push(NewEvent { aggregate: on.clone(), event_type: removed, payload });
            let pushed = tx.push(events).await?;
            tx.commit().await?;
            Ok(changed_details(&pushed))
        })
        .await
    }

    pub async fn delete_provider(&self, ctx: &Ctx, r: a::DeleteProviderRequest) -> Result<a::DeleteProviderResponse> {
        Ok(a::DeleteProviderResponse { details: self.delete_scoped(ctx, Scope::Instance, &r.id).await? })
    }

    pub async fn mgmt_delete_provider(
        &self,
        ctx: &Ctx,
        r: m::DeleteProviderRequest,
    ) -> Result<m::DeleteProviderResponse> {
        Ok(m::DeleteProviderResponse { details: self.delete_scoped(ctx, Scope::Org(ctx.org()), &r.id).await? })
    }

    /// Turns a generic OIDC template of `scope` into an Azure AD or Google
    /// one: same id, so policy and user links stay. As ZITADEL: the
    /// options are the request's, all off when it gives none.
    async fn migrate_scoped(
        &self,
        ctx: &Ctx,
        scope: Scope<'_>,
        r: a::MigrateGenericOidcProviderRequest,
    ) -> Result<Option<ObjectDetails>> {
        id(&r.id)?;
        let org = matches!(scope, Scope::Org(_));
        let (draft, event_type, missing_id) = match r.template {
            Some(MigrateTo::Azure(t)) => (
                Azure::draft_add(self, t).await.map_err(|e| scope.error(e))?,
                if org { idp::ORG_MIGRATED_AZURE } else { idp::MIGRATED_AZURE },
                scope.id("INST-Dg29201"),
            ),
            Some(MigrateTo::Google(t)) => (
                Google::draft_add(self, t).await.map_err(|e| scope.error(e))?,
                if org { idp::ORG_MIGRATED_GOOGLE } else { idp::MIGRATED_GOOGLE },
                scope.id("INST-Dg29202"),
            ),
            None => {
                return Err(Error::invalid_argument("IDP-mig001", "one of `azure` or `google` is required"));
            }
        };
        let mut config = draft.config;
        if let Some(slot) = config.secret_mut() {
            *slot = self.key.seal(draft.secret.as_deref().unwrap_or_default());
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current =
                self.load_scoped(tx.conn(), scope, &r.id).await?.ok_or_else(|| not_found(missing_id, &r.id))?;
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
            let events = self.push_added(&mut tx, scope, event_type, &next).await?;
            tx.commit().await?;
            Ok(added_details(&events))
        })
        .await
    }

    pub async fn migrate_generic_oidc_provider(
        &self,
        ctx: &Ctx,
        r: a::MigrateGenericOidcProviderRequest,
    ) -> Result<a::MigrateGenericOidcProviderResponse> {
        Ok(a::MigrateGenericOidcProviderResponse { details: self.migrate_scoped(ctx, Scope::Instance, r).await? })
    }

    pub async fn mgmt_migrate_generic_oidc_provider(
        &self,
        ctx: &Ctx,
        r: m::MigrateGenericOidcProviderRequest,
    ) -> Result<m::MigrateGenericOidcProviderResponse> {
        let r = super::recode(&r)?;
        let details = self.migrate_scoped(ctx, Scope::Org(ctx.org()), r).await?;
        Ok(m::MigrateGenericOidcProviderResponse { details })
    }
}
