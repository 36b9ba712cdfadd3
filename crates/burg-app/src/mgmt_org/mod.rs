//! The Management API's organization family: the organization of the call
//! (`x-zitadel-orgid`, else the caller's own), read, added, renamed,
//! deactivated, reactivated and removed, its changes, and (in the
//! submodules) its domains, metadata and members.

mod dns;
mod domain;
pub(crate) mod member;
mod metadata;

use burg_api::management::{
    AddOrgRequest, AddOrgResponse, DeactivateOrgRequest, DeactivateOrgResponse, GetMyOrgRequest, GetMyOrgResponse,
    GetOrgByDomainGlobalRequest, GetOrgByDomainGlobalResponse, ListOrgChangesRequest, ListOrgChangesResponse,
    ReactivateOrgRequest, ReactivateOrgResponse, UpdateOrgRequest, UpdateOrgResponse,
};
use burg_api::wkt::Timestamp;
use burg_api::zitadel::change::v1::Change;
use burg_domain::event::{Aggregate, Event, NewEvent, aggregate};
use burg_domain::events::org as oe;
use burg_domain::state::OrgState;
use burg_domain::{Error, ErrorKind, Result, validate};
use burg_store::Conn;
use burg_store::orgs::OrgRow;

pub use domain::DomainCheck;

use crate::list::MAX_LIMIT;
use crate::org::to_org;
use crate::{App, Ctx, added_details, changed_details, retry};

/// ZITADEL's answer for an organization a query does not find.
fn org_not_found(what: String) -> Error {
    Error::not_found("QUERY-iTTGJ", what)
}

/// ZITADEL's answer for a name that is blank once trimmed.
fn blank_name() -> Error {
    Error::invalid_argument("EVENT-Mf9sd", "`name` is empty once trimmed")
}

/// The aggregate of organization `id`.
pub(crate) fn org_aggregate(id: &str) -> Aggregate {
    Aggregate::new(aggregate::ORG, id, id)
}

impl App {
    /// The organization of a write, or ZITADEL's `checkOrgExists` answer
    /// (FailedPrecondition).
    pub(crate) async fn org_of_write(&self, conn: &mut Conn, org: &str) -> Result<OrgRow> {
        self.find_org(conn, org)
            .await?
            .ok_or_else(|| Error::failed_precondition("COMMAND-QXPGs", format!("organization {org:?} not found")))
    }

    pub async fn get_my_org(&self, ctx: &Ctx, _req: GetMyOrgRequest) -> Result<GetMyOrgResponse> {
        let mut conn = self.db.acquire("ORG-db020").await?;
        let org = self
            .find_org(&mut conn, ctx.org())
            .await?
            .ok_or_else(|| org_not_found(format!("organization {:?} not found", ctx.org())))?;
        Ok(GetMyOrgResponse { org: Some(to_org(org)) })
    }

    /// The active organization whose primary domain is `domain` (as
    /// ZITADEL's `OrgByPrimaryDomain`).
    pub async fn get_org_by_domain_global(
        &self,
        _ctx: &Ctx,
        req: GetOrgByDomainGlobalRequest,
    ) -> Result<GetOrgByDomainGlobalResponse> {
        let org = burg_store::orgs::by_primary_domain(self.db.pool(), &self.instance_id, &req.domain)
            .await?
            .ok_or_else(|| org_not_found(format!("no organization has the domain {:?}", req.domain)))?;
        Ok(GetOrgByDomainGlobalResponse { org: Some(to_org(org)) })
    }

    /// The organization aggregate's events after `query.sequence`, as
    /// ZITADEL's change list shows them (descending only reverses the
    /// order).
    pub async fn list_org_changes(&self, ctx: &Ctx, req: ListOrgChangesRequest) -> Result<ListOrgChangesResponse> {
        let result = self.changes(aggregate::ORG, ctx.org(), req.query.unwrap_or_default()).await?;
        Ok(ListOrgChangesResponse { result })
    }

    /// The changes of one aggregate as ZITADEL's `List…Changes` RPCs show
    /// them: its events after `q.sequence` with their editors.
    pub(crate) async fn changes(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        q: burg_api::zitadel::change::v1::ChangeQuery,
    ) -> Result<Vec<Change>> {
        self.changes_where(aggregate_type, aggregate_id, q, |_| true).await
    }

    /// The changes of an aggregate whose events `keep` accepts (a part of
    /// the aggregate, as an application of a project): up to the query's
    /// limit of them.
    pub(crate) async fn changes_where(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        q: burg_api::zitadel::change::v1::ChangeQuery,
        keep: impl Fn(&burg_domain::event::Event) -> bool,
    ) -> Result<Vec<Change>> {
        let limit = match i64::from(q.limit) {
            0 => MAX_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        let sequence = i64::try_from(q.sequence).unwrap_or(i64::MAX);
        let rows = burg_store::events::changes(
            &self.db,
            &self.instance_id,
            aggregate_type,
            aggregate_id,
            sequence,
            q.asc,
            MAX_LIMIT,
        )
        .await?;
        Ok(rows
            .into_iter()
            .filter(|row| keep(&row.event))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|row| Change {
                change_date: Some(Timestamp::from_micros(row.event.created_at)),
                event_type: Some(crate::events::localized("EventTypes", &row.event.event_type)),
                sequence: row.event.sequence.max(0) as u64,
                editor_id: row.event.editor_user,
                editor_display_name: row.editor_name,
                resource_owner_id: row.event.resource_owner,
                editor_preferred_login_name: row.editor_login_name,
                editor_avatar_url: String::new(),
            })
            .collect())
    }

    /// A new organization with its generated domain, the caller its
    /// ORG_OWNER (ZITADEL's `AddOrg`).
    pub async fn add_org(&self, ctx: &Ctx, req: AddOrgRequest) -> Result<AddOrgResponse> {
        let name = req.name.trim().to_string();
        if name.is_empty() {
            return Err(blank_name());
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let instance_domain = self.primary_instance_domain(tx.conn()).await?;
            let generated = validate::org_domain_name(&name, &instance_domain)?;
            self.require_free_org_name(tx.conn(), &name).await?;
            if burg_store::orgs::verified_domain_taken(tx.conn(), &self.instance_id, &generated).await? {
                return Err(Error::already_exists("V3-DKcYh", format!("the domain {generated:?} is taken")));
            }
            // As ZITADEL's checkUserExists: the caller must be a user.
            let caller = ctx.principal.user_id.clone();
            self.require_user(tx.conn(), &caller).await.map_err(|e| {
                if e.kind == ErrorKind::NotFound {
                    Error::failed_precondition(crate::shared_ids::USER_NOT_FOUND, format!("user {caller:?} not found"))
                } else {
                    e
                }
            })?;
            let org_id = self.new_id();
            let agg = org_aggregate(&org_id);
            let events = vec![
                NewEvent::new(&agg, &oe::OrgAdded { name: name.clone() })?,
                NewEvent::new(&agg, &oe::DomainAdded { domain: generated.clone() })?,
                NewEvent::new(&agg, &oe::DomainVerified { domain: generated.clone() })?,
                NewEvent::new(&agg, &oe::DomainPrimarySet { domain: generated })?,
                NewEvent::new(&agg, &oe::MemberAdded { user_id: caller, roles: vec!["ORG_OWNER".to_string()] })?,
            ];
            let stored = tx.push(events).await?;
            tx.commit().await?;
            Ok(AddOrgResponse { id: org_id, details: added_details(&stored) })
        })
        .await
    }

    pub(crate) async fn require_free_org_name(&self, conn: &mut Conn, name: &str) -> Result<()> {
        if burg_store::orgs::name_taken(conn, &self.instance_id, name).await? {
            return Err(Error::already_exists("V3-DKcYh", format!("an organization named {name:?} exists")));
        }
        Ok(())
    }

    /// Renames the organization; its generated domain follows the name (as
    /// ZITADEL's `ChangeOrg` with `changeDefaultDomain`).
    pub async fn update_org(&self, ctx: &Ctx, req: UpdateOrgRequest) -> Result<UpdateOrgResponse> {
        let name = req.name.trim().to_string();
        if name.is_empty() {
            return Err(blank_name());
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = self
                .find_org(tx.conn(), ctx.org())
                .await?
                .ok_or_else(|| Error::not_found("ORG-1MRds", format!("organization {:?} not found", ctx.org())))?;
            if org.name == name {
                return Err(Error::failed_precondition("ORG-4VSdf", "`name`: the organization has this name"));
            }
            if !org.name.eq_ignore_ascii_case(&name) {
                self.require_free_org_name(tx.conn(), &name).await?;
            }
            let agg = org_aggregate(&org.id);
            let mut events = vec![NewEvent::new(&agg, &oe::OrgChanged { name: name.clone() })?];
            let instance_domain = self.primary_instance_domain(tx.conn()).await?;
            // The domain generated from the old name, when the organization
            // still has it, is replaced by the one of the new name.
            if let Ok(old) = validate::org_domain_name(&org.name, &instance_domain)
                && let Some(current) = burg_store::orgs::domain(tx.conn(), &self.instance_id, &org.id, &old).await?
            {
                let new = validate::org_domain_name(&name, &instance_domain)?;
                if new != old {
                    if burg_store::orgs::domain_verified_elsewhere(tx.conn(), &self.instance_id, &org.id, &new).await? {
                        return Err(Error::already_exists("V3-DKcYh", format!("the domain {new:?} is taken")));
                    }
                    let exists = burg_store::orgs::domain(tx.conn(), &self.instance_id, &org.id, &new).await?;
                    if exists.is_none() {
                        events.push(NewEvent::new(&agg, &oe::DomainAdded { domain: new.clone() })?);
                    }
                    if !exists.is_some_and(|d| d.is_verified) {
                        events.push(NewEvent::new(&agg, &oe::DomainVerified { domain: new.clone() })?);
                    }
                    if current.is_primary {
                        events.push(NewEvent::new(&agg, &oe::DomainPrimarySet { domain: new })?);
                    }
                    events.push(NewEvent::new(&agg, &oe::DomainRemoved { domain: old })?);
                }
            }
            let stored = tx.push(events).await?;
            tx.commit().await?;
            // As ZITADEL's UpdateOrg: the add flavour of details.
            Ok(UpdateOrgResponse { details: added_details(&stored) })
        })
        .await
    }

    pub async fn deactivate_org(&self, ctx: &Ctx, _req: DeactivateOrgRequest) -> Result<DeactivateOrgResponse> {
        let events = self.set_org_state(ctx, OrgState::Inactive).await?;
        Ok(DeactivateOrgResponse { details: changed_details(&events) })
    }

    pub async fn reactivate_org(&self, ctx: &Ctx, _req: ReactivateOrgRequest) -> Result<ReactivateOrgResponse> {
        let events = self.set_org_state(ctx, OrgState::Active).await?;
        Ok(ReactivateOrgResponse { details: changed_details(&events) })
    }

    async fn set_org_state(&self, ctx: &Ctx, to: OrgState) -> Result<Vec<Event>> {
        let (not_found, already, already_text) = match to {
            OrgState::Inactive => ("ORG-oL9nT", "EVENT-Dbs2g", "is inactive already"),
            OrgState::Active => ("ORG-Dgf3g", "EVENT-bfnrh", "is active already"),
        };
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = self
                .find_org(tx.conn(), ctx.org())
                .await?
                .ok_or_else(|| Error::not_found(not_found, format!("organization {:?} not found", ctx.org())))?;
            if org.state == to {
                return Err(Error::failed_precondition(already, format!("the organization {already_text}")));
            }
            let agg = org_aggregate(&org.id);
            let event = match to {
                OrgState::Inactive => NewEvent::new(&agg, &oe::OrgDeactivated {})?,
                OrgState::Active => NewEvent::new(&agg, &oe::OrgReactivated {})?,
            };
            let events = tx.push(vec![event]).await?;
            tx.commit().await?;
            Ok(events)
        })
        .await
    }
}
