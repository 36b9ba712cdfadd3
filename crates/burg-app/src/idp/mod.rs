//! Identity-provider templates: add and update for the twelve kinds, get,
//! list, delete, migrate generic OIDC to Azure AD or Google, and SAML
//! certificate regeneration.
//!
//! Each kind is one declaration in `kinds/`: a type implementing
//! [`IdpKind`] that names its request messages, turns each into a
//! [`Draft`] (the validated template with its secret still in clear; the
//! request mapping says what an empty secret means), and maps the stored
//! config back to its wire branch; a `provider_rpcs!` line there gives
//! [`App`] the kind's two RPC methods. Everything else is shared:
//! [`App::add_provider`] and [`App::update_provider`] are the one write
//! path (validate → load → one event → commit), `store` reads the
//! `idp_templates` read table and writes the events, `wire` builds the answer,
//! `saml` fetches metadata and makes the service provider's certificates,
//! `manage` answers get, list, delete and migrate, and `user_links` links
//! users to providers. The login policy's links are in `policy`.
//!
//! An add writes ZITADEL's `added` event of the kind, an update its
//! `changed` event with the members that changed
//! ([`burg_domain::idp_events`]); the projection keeps the whole template
//! in `idp_templates`. Secrets are sealed before they reach an event. Reads
//! leave every secret out.

mod fields;
mod kinds;
mod legacy;
mod manage;
mod org_ids;
mod saml;
mod store;
mod user_links;
mod wire;

use std::future::Future;

use burg_api::idp as pb;
use burg_api::object::ObjectDetails;
use burg_domain::event::{Aggregate, aggregate};
use burg_domain::idp::{self, Config, Kind, Template};
use burg_domain::{Error, Result};

pub(crate) use store::Stored;

use crate::{App, Ctx, added_details, changed_details, retry, unchanged_details};

/// A template from a request, validated, its secret not yet sealed.
pub(crate) struct Draft {
    name: String,
    options: idp::Options,
    /// The config with a placeholder where the secret goes.
    config: Config,
    /// The secret in clear; `None` when the request left it empty and the
    /// stored one stays (or the kind has none).
    secret: Option<Vec<u8>>,
}

/// One kind of identity provider, as data: its requests, how each becomes
/// a [`Draft`], and its wire config. The generic write path does the rest.
pub(crate) trait IdpKind {
    /// The stored kind (its event types and `ProviderType` come with it).
    const KIND: Kind;
    /// ZITADEL's error id when an update names no provider of this kind.
    const UPDATE_NOT_FOUND: &'static str;
    /// ZITADEL's error id when the id an update names is blank.
    const UPDATE_ID_EMPTY: &'static str;
    /// `Add<Kind>ProviderRequest`.
    type Add: Send;
    /// `Update<Kind>ProviderRequest`.
    type Update: Send;

    /// The id an update request names.
    fn update_id(r: &Self::Update) -> &str;

    /// The validated template of an add request.
    fn draft_add(app: &App, r: Self::Add) -> impl Future<Output = Result<Draft>> + Send;

    /// The validated template of an update request.
    fn draft_update(app: &App, r: Self::Update) -> impl Future<Output = Result<Draft>> + Send;

    /// The wire branch of a stored config of this kind (`None` for another
    /// kind's config).
    fn wire(config: &Config) -> Option<pb::provider_config::Config>;

    /// Fills in what the server makes for a new template (SAML's key
    /// pair); nothing for most kinds.
    fn generate(_app: &App, _id: &str, _config: &mut Config) -> impl Future<Output = Result<()>> + Send {
        async { Ok(()) }
    }

    /// Carries into an update's config what the update leaves as stored:
    /// what the server made (SAML's key pair), or what an empty field
    /// keeps (LDAP's root CA); nothing for most kinds. (Secrets left empty
    /// are kept by the generic path.)
    fn keep_stored(_stored: &Config, _next: &mut Config) {}
}

/// Whose templates a call works on: the instance's (Admin API), or an
/// organization's (Management API; `org.idp.*` events on the
/// organization's aggregate, ZITADEL's `ORG-` error ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope<'a> {
    Instance,
    Org(&'a str),
}

impl<'a> Scope<'a> {
    /// The aggregate that templates of this scope are events of.
    fn aggregate(self, app: &App) -> Aggregate {
        match self {
            Scope::Instance => Aggregate::new(aggregate::INSTANCE, &app.instance_id, &app.instance_id),
            Scope::Org(org) => crate::mgmt_org::org_aggregate(org),
        }
    }

    /// The resource owner of this scope's templates.
    fn owner<'s>(self, app: &'s App) -> &'s str
    where
        'a: 's,
    {
        match self {
            Scope::Instance => &app.instance_id,
            Scope::Org(org) => org,
        }
    }

    fn added_event(self, kind: Kind) -> &'static str {
        match self {
            Scope::Instance => kind.added_event(),
            Scope::Org(_) => kind.org_added_event(),
        }
    }

    fn changed_event(self, kind: Kind) -> &'static str {
        match self {
            Scope::Instance => kind.changed_event(),
            Scope::Org(_) => kind.org_changed_event(),
        }
    }

    /// ZITADEL's id, in this scope, of what the instance's code answers
    /// with `instance_id` (see `org_ids`).
    fn id(self, instance_id: &'static str) -> &'static str {
        match self {
            Scope::Instance => instance_id,
            Scope::Org(_) => org_ids::of(instance_id),
        }
    }

    /// `e` with this scope's id.
    fn error(self, mut e: Error) -> Error {
        e.id = self.id(e.id);
        e
    }

    /// The id of an update that names no template of kind `kind`.
    fn update_not_found<K: IdpKind>(self) -> &'static str {
        match self {
            Scope::Instance => K::UPDATE_NOT_FOUND,
            Scope::Org(_) => org_ids::update_not_found(K::KIND),
        }
    }
}

/// A message of one API as the same message of the other (the Admin and
/// Management APIs declare the IdP requests twice, field for field).
pub(crate) fn recode<A: serde::Serialize, B: serde::de::DeserializeOwned>(a: &A) -> Result<B> {
    serde_json::to_value(a)
        .and_then(serde_json::from_value)
        .map_err(|e| Error::internal("IDP-recode", format!("cannot read the request as the Admin API's: {e}")))
}

/// The `identity provider … does not exist` answer.
pub(crate) fn not_found(id: &'static str, idp_id: &str) -> Error {
    Error::not_found(id, format!("identity provider {idp_id} does not exist"))
}

/// Gives [`App`] a kind's Add and Update RPC methods (the names the gRPC
/// and REST fronts call), each a call of the generic path: the Admin API's
/// for the instance's templates, the Management API's (`mgmt_…`) for the
/// call's organization's.
macro_rules! provider_rpcs {
    (
        $kind:ty,
        $add:ident($add_req:ident) -> $add_resp:ident,
        $update:ident($update_req:ident) -> $update_resp:ident,
        $mgmt_add:ident, $mgmt_update:ident $(,)?
    ) => {
        impl crate::App {
            pub async fn $add(
                &self,
                ctx: &crate::Ctx,
                r: burg_api::admin::$add_req,
            ) -> burg_domain::Result<burg_api::admin::$add_resp> {
                let (id, details) = self.add_provider::<$kind>(ctx, crate::idp::Scope::Instance, r).await?;
                Ok(burg_api::admin::$add_resp { details, id })
            }

            pub async fn $update(
                &self,
                ctx: &crate::Ctx,
                r: burg_api::admin::$update_req,
            ) -> burg_domain::Result<burg_api::admin::$update_resp> {
                let details = self.update_provider::<$kind>(ctx, crate::idp::Scope::Instance, r).await?;
                Ok(burg_api::admin::$update_resp { details })
            }

            pub async fn $mgmt_add(
                &self,
                ctx: &crate::Ctx,
                r: burg_api::management::$add_req,
            ) -> burg_domain::Result<burg_api::management::$add_resp> {
                let r = crate::idp::recode(&r)?;
                let (id, details) = self.add_provider::<$kind>(ctx, crate::idp::Scope::Org(ctx.org()), r).await?;
                Ok(burg_api::management::$add_resp { details, id })
            }

            pub async fn $mgmt_update(
                &self,
                ctx: &crate::Ctx,
                r: burg_api::management::$update_req,
            ) -> burg_domain::Result<burg_api::management::$update_resp> {
                let r = crate::idp::recode(&r)?;
                let details = self.update_provider::<$kind>(ctx, crate::idp::Scope::Org(ctx.org()), r).await?;
                Ok(burg_api::management::$update_resp { details })
            }
        }
    };
}
pub(crate) use provider_rpcs;

impl App {
    /// Adds a template of kind `K` to `scope`: its id and the details.
    pub(crate) async fn add_provider<K: IdpKind>(
        &self,
        ctx: &Ctx,
        scope: Scope<'_>,
        r: K::Add,
    ) -> Result<(String, Option<ObjectDetails>)> {
        let draft = K::draft_add(self, r).await.map_err(|e| scope.error(e))?;
        let id = self.new_id();
        let mut config = draft.config;
        if let Some(slot) = config.secret_mut() {
            *slot = self.key.seal(draft.secret.as_deref().unwrap_or_default());
        }
        K::generate(self, &id, &mut config).await?;
        let template = Template { id: id.clone(), name: draft.name, options: draft.options, config };
        let details = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let events = self.push_added(&mut tx, scope, scope.added_event(K::KIND), &template).await?;
            tx.commit().await?;
            Ok(added_details(&events))
        })
        .await?;
        Ok((id, details))
    }

    /// Updates a template of kind `K` in `scope`. A secret left empty keeps
    /// the stored one; an update that changes nothing writes no event.
    pub(crate) async fn update_provider<K: IdpKind>(
        &self,
        ctx: &Ctx,
        scope: Scope<'_>,
        r: K::Update,
    ) -> Result<Option<ObjectDetails>> {
        // As ZITADEL: the id is used trimmed.
        let idp_id = fields::update_id(K::update_id(&r), K::UPDATE_ID_EMPTY).map_err(|e| scope.error(e))?;
        let draft = K::draft_update(self, r).await.map_err(|e| scope.error(e))?;
        let fresh_secret = draft.secret.as_deref().map(|s| self.key.seal(s));
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let current = self
                .load_scoped(tx.conn(), scope, &idp_id)
                .await?
                .filter(|s| s.template.kind() == K::KIND)
                .ok_or_else(|| not_found(scope.update_not_found::<K>(), &idp_id))?;
            let mut config = draft.config.clone();
            let mut stored = current.template.config.clone();
            if let (Some(slot), Some(stored_secret)) = (config.secret_mut(), stored.secret_mut()) {
                *slot = fresh_secret.clone().unwrap_or_else(|| stored_secret.clone());
            }
            K::keep_stored(&current.template.config, &mut config);
            let next =
                Template { id: idp_id.clone(), name: draft.name.clone(), options: draft.options.clone(), config };
            // As ZITADEL: nothing to change (no member of the event
            // differs) is a success without an event.
            let Some(events) = self.push_changed(&mut tx, scope, &current.template, &next).await? else {
                return Ok(unchanged_details(current.sequence, current.change_date, &current.resource_owner));
            };
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await
    }
}
