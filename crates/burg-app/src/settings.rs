//! Settings documents, whatever their kind: read the organization's own
//! value or the instance's, change the instance's, add, change and reset an
//! organization's. An RPC of a setting is its wire mapping and validation
//! around these (see `policy.rs`); the declaration of a kind is in
//! [`burg_domain::settings`].

use burg_api::object::ObjectDetails;
use burg_domain::event::{Aggregate, aggregate};
use burg_domain::settings::{self, Setting};
use burg_domain::{Error, Result};
use burg_store::Conn;
use burg_store::settings::SettingRow;

use crate::{App, Ctx, added_details, changed_details, details, retry};

/// Whose setting: the instance's default, or an organization's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    Instance,
    Org(&'a str),
}

/// A setting as read: its value, whether it is the instance's default
/// (for an organization without its own), and its details.
#[derive(Debug, Clone)]
pub struct Current<S> {
    pub value: S,
    pub is_default: bool,
    pub details: Option<ObjectDetails>,
}

fn decode<S: Setting>(row: &SettingRow) -> Result<S> {
    serde_json::from_str(&row.data)
        .map_err(|e| Error::internal("SETTING-dec1", format!("the stored {} is unreadable: {e}", S::NAME)))
}

impl App {
    fn owner<'a>(&'a self, scope: Scope<'a>) -> &'a str {
        match scope {
            Scope::Instance => &self.instance_id,
            Scope::Org(org) => org,
        }
    }

    pub(crate) fn aggregate_of(&self, scope: Scope<'_>) -> Aggregate {
        match scope {
            Scope::Instance => Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id),
            Scope::Org(org) => Aggregate::new(aggregate::ORG, org, org),
        }
    }

    /// The setting that applies in `scope`: an organization's own, else the
    /// instance's.
    pub async fn setting<S: Setting>(&self, conn: &mut Conn, scope: Scope<'_>) -> Result<Current<S>> {
        let own = burg_store::settings::load(conn, &self.instance_id, self.owner(scope), S::KIND).await?;
        let own = match (own, scope) {
            (None, Scope::Org(org)) => self.imported_document::<S>(conn, org).await?,
            (own, _) => own,
        };
        let (row, is_default) = match own {
            Some(row) => (row, scope == Scope::Instance),
            None => {
                let row = burg_store::settings::load(conn, &self.instance_id, &self.instance_id, S::KIND).await?;
                let row = row.ok_or_else(|| {
                    Error::internal("SETTING-none1", format!("the instance has no default {}", S::NAME))
                })?;
                (row, true)
            }
        };
        Ok(Current {
            value: decode(&row)?,
            is_default,
            details: details(row.sequence, row.creation_date, row.change_date, &row.owner_id),
        })
    }

    /// The policy of `S`'s kind that an earlier release's import kept as an
    /// `org_objects` document of organization `org`, as a settings row
    /// (read only: see `mgmt_policies::imported`).
    pub(crate) async fn imported_document<S: Setting>(&self, conn: &mut Conn, org: &str) -> Result<Option<SettingRow>> {
        let Some(object_kind) = crate::mgmt_policies::imported::document_kind(S::KIND) else {
            return Ok(None);
        };
        let Some(mut row) = burg_store::settings::org_document(conn, &self.instance_id, org, object_kind).await? else {
            return Ok(None);
        };
        row.data = crate::mgmt_policies::imported::setting_of_document(S::KIND, &row.data)?.to_string();
        Ok(Some(row))
    }

    /// The value of an imported document ([`App::imported_document`]) of
    /// an organization's scope.
    async fn imported_value<S: Setting>(&self, conn: &mut Conn, scope: Scope<'_>) -> Result<Option<S>> {
        match scope {
            Scope::Instance => Ok(None),
            Scope::Org(org) => match self.imported_document::<S>(conn, org).await? {
                Some(row) => decode(&row).map(Some),
                None => Ok(None),
            },
        }
    }

    /// [`App::setting`] on a connection of the pool.
    pub async fn read_setting<S: Setting>(&self, scope: Scope<'_>) -> Result<Current<S>> {
        let mut conn = self.db.acquire("SETTING-db04").await?;
        self.setting(&mut conn, scope).await
    }

    /// Whether an organization has a value of its own: a settings row, or
    /// a policy an import kept as a document.
    pub(crate) async fn has_own_setting<S: Setting>(&self, conn: &mut Conn, scope: Scope<'_>) -> Result<bool> {
        Ok(self.own_setting::<S>(&mut *conn, scope).await?.is_some()
            || self.imported_value::<S>(conn, scope).await?.is_some())
    }

    /// The value an organization has of its own, if any.
    pub(crate) async fn own_setting<S: Setting>(&self, conn: &mut Conn, scope: Scope<'_>) -> Result<Option<S>> {
        match burg_store::settings::load(conn, &self.instance_id, self.owner(scope), S::KIND).await? {
            Some(row) => decode(&row).map(Some),
            None => Ok(None),
        }
    }

    /// Changes the setting `scope` holds to what `change` makes of it; a
    /// change to the same value writes nothing and is refused with
    /// `unchanged` (ZITADEL's FailedPrecondition). An organization without
    /// its own value is refused with `missing` (NotFound).
    pub async fn change_setting<S: Setting>(
        &self,
        ctx: &Ctx,
        scope: Scope<'_>,
        change: impl Fn(&S) -> S,
        unchanged: &'static str,
        missing: &'static str,
    ) -> Result<Option<ObjectDetails>> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let (current, imported) = match self.own_setting::<S>(tx.conn(), scope).await? {
                Some(current) => (current, false),
                None => (
                    self.imported_value::<S>(tx.conn(), scope)
                        .await?
                        .ok_or_else(|| Error::not_found(missing, format!("{} not found", S::NAME)))?,
                    true,
                ),
            };
            let next = change(&current);
            if next == current {
                return Err(crate::unchanged(unchanged, S::NAME));
            }
            // A policy an earlier import kept as a document has no row to
            // change: the change gives the organization the whole value.
            let on = self.aggregate_of(scope);
            let events = if imported { next.added_events(&on)? } else { current.changed_events(&on, &next)? };
            let events = tx.push(events).await?;
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await
    }

    /// Gives organization `org` its own value; refused with `exists`
    /// (AlreadyExists) when it has one.
    pub async fn add_org_setting<S: Setting>(
        &self,
        ctx: &Ctx,
        org: &str,
        value: S,
        exists: &'static str,
    ) -> Result<Option<ObjectDetails>> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            self.require_active_org(tx.conn(), org).await?;
            if self.own_setting::<S>(tx.conn(), Scope::Org(org)).await?.is_some()
                || self.imported_value::<S>(tx.conn(), Scope::Org(org)).await?.is_some()
            {
                return Err(Error::already_exists(exists, format!("the organization has its own {} already", S::NAME)));
            }
            let events = tx.push(value.added_events(&self.aggregate_of(Scope::Org(org)))?).await?;
            tx.commit().await?;
            Ok(added_details(&events))
        })
        .await
    }

    /// Takes organization `org`'s own value away, so that the instance's
    /// applies; refused with `missing` (NotFound) when it has none.
    pub async fn reset_org_setting<S: Setting>(
        &self,
        ctx: &Ctx,
        org: &str,
        missing: &'static str,
    ) -> Result<Option<ObjectDetails>> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            if self.own_setting::<S>(tx.conn(), Scope::Org(org)).await?.is_none()
                && self.imported_value::<S>(tx.conn(), Scope::Org(org)).await?.is_none()
            {
                return Err(Error::not_found(missing, format!("{} not found", S::NAME)));
            }
            let events = tx.push(vec![settings::removed_event::<S>(&self.aggregate_of(Scope::Org(org)))?]).await?;
            tx.commit().await?;
            Ok(changed_details(&events))
        })
        .await
    }
}
