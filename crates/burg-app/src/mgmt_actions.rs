//! Actions and flows of the call's organization (Management API): actions
//! created, changed, deactivated, reactivated, deleted, read and listed;
//! the flow types and their triggers; the actions each trigger of a flow
//! runs. Only kept and managed here: running the scripts is not burg's
//! yet.
//!
//! An action is its import document (`DataAction`, kind `action`, with its
//! state beside it) and a trigger its `SetTriggerActionsRequest` document
//! (kind `trigger_action`), so imported and created ones are one list;
//! the events are ZITADEL's (`action.*` on the action's aggregate,
//! `org.flow.*` on the organization's, `burg_domain::events::action`), and
//! the projection keeps the documents. The checks and ids are those of
//! ZITADEL's `command/org_action.go` and `org_flow.go`.

use std::collections::BTreeMap;

use burg_api::management as m;
use burg_api::object::{LocalizedMessage, ObjectDetails};
use burg_api::wkt::Timestamp;
use burg_api::zitadel::action::v1 as a;
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::action::{
    self as ev, ACTION_KIND, ActionAdded, ActionChanged, ActionDeactivated, ActionReactivated, ActionRemoved,
    FlowCleared, TRIGGER_KIND, TriggerActionsCascadeRemoved, TriggerActionsSet,
};
use burg_domain::{Error, Result};
use burg_store::Conn;
use burg_store::documents::DocRow;
use burg_store::projection::action::parse_duration;
use serde_json::Value;

use crate::list::{list_details, text_match, v1_page};
use crate::mgmt_org::org_aggregate;
use crate::{App, Ctx, added_details, changed_details, retry};

/// ZITADEL's answer for a name another action of the organization has
/// (its unique constraint).
pub(crate) fn name_taken(name: &str) -> Error {
    Error::already_exists("V3-DKcYh", format!("the organization has an action named {name:?}"))
}

/// An action as read.
struct Stored {
    row: DocRow,
    action: Value,
}

impl Stored {
    fn of(row: DocRow) -> Stored {
        let doc: Value = serde_json::from_str(&row.data).unwrap_or_default();
        Stored { action: doc.get("action").cloned().unwrap_or_default(), row }
    }

    fn text(&self, key: &str) -> &str {
        self.action.get(key).and_then(Value::as_str).unwrap_or_default()
    }

    fn name(&self) -> &str {
        self.text("name")
    }

    fn timeout(&self) -> i64 {
        parse_duration(self.text("timeout"))
    }

    fn allowed_to_fail(&self) -> bool {
        self.action.get("allowedToFail").and_then(Value::as_bool).unwrap_or_default()
    }

    fn active(&self) -> bool {
        self.row.state != ev::INACTIVE
    }

    /// As ZITADEL's `ActionToPb`: the details of a change (no creation
    /// date).
    fn wire(&self, org: &str) -> a::Action {
        let nanos = self.timeout();
        a::Action {
            id: self.row.key.clone(),
            details: Some(ObjectDetails {
                sequence: self.row.sequence.max(0) as u64,
                creation_date: None,
                change_date: Some(Timestamp::from_micros(self.row.change_date)),
                resource_owner: org.to_string(),
            }),
            state: if self.active() { a::ActionState::Active } else { a::ActionState::Inactive } as i32,
            name: self.name().to_string(),
            script: self.text("script").to_string(),
            timeout: Some(burg_api::wkt::Duration {
                seconds: nanos / 1_000_000_000,
                nanos: (nanos % 1_000_000_000) as i32,
            }),
            allowed_to_fail: self.allowed_to_fail(),
        }
    }
}

/// A request's timeout in nanoseconds (the proto's rule keeps it between
/// 0 and 20 s).
fn nanos(timeout: Option<&burg_api::wkt::Duration>) -> i64 {
    timeout.map_or(0, |d| d.seconds.saturating_mul(1_000_000_000).saturating_add(i64::from(d.nanos)))
}

fn localized(key: &str, name: &str) -> Option<LocalizedMessage> {
    Some(LocalizedMessage { key: key.to_string(), localized_message: name.to_string() })
}

fn flow_type_pb(id: i32) -> a::FlowType {
    match ev::flow(id) {
        Some(f) => a::FlowType { id: id.to_string(), name: localized(f.key, f.name) },
        None => a::FlowType { id: "0".into(), name: localized("Action.Flow.Type.Unspecified", "Unspecified") },
    }
}

fn trigger_type_pb(id: i32) -> a::TriggerType {
    match ev::trigger(id) {
        Some(t) => a::TriggerType { id: id.to_string(), name: localized(t.key, t.name) },
        None => a::TriggerType { id: "0".into(), name: localized("Action.TriggerType.Unspecified", "Unspecified") },
    }
}

/// A trigger document: flow type, trigger type, action ids.
struct Trigger {
    row: DocRow,
    flow: i32,
    trigger: i32,
    ids: Vec<String>,
}

impl Trigger {
    fn of(row: DocRow) -> Trigger {
        let doc: Value = serde_json::from_str(&row.data).unwrap_or_default();
        let ids = doc
            .get("actionIds")
            .and_then(Value::as_array)
            .map(|ids| ids.iter().filter_map(Value::as_str).map(String::from).collect())
            .unwrap_or_default();
        Trigger {
            flow: ev::flow_of_document(doc.get("flowType").unwrap_or(&Value::Null)),
            trigger: ev::trigger_of_document(doc.get("triggerType").unwrap_or(&Value::Null)),
            ids,
            row,
        }
    }
}

impl App {
    async fn action(&self, conn: &mut Conn, org: &str, id: &str) -> Result<Option<Stored>> {
        Ok(burg_store::documents::get(conn, &self.instance_id, org, ACTION_KIND, id).await?.map(Stored::of))
    }

    /// Fails unless `org` has every action of `ids` (`SetTriggerActions`).
    pub(crate) async fn require_actions(&self, conn: &mut Conn, org: &str, ids: &[String]) -> Result<()> {
        for id in ids {
            if self.action(&mut *conn, org, id).await?.is_none() {
                return Err(Error::failed_precondition("COMMAND-dg422", format!("action {id:?} does not exist")));
            }
        }
        Ok(())
    }

    async fn triggers(&self, conn: &mut Conn, org: &str) -> Result<Vec<Trigger>> {
        let rows = burg_store::documents::all(conn, &self.instance_id, org, TRIGGER_KIND).await?;
        Ok(rows.into_iter().map(Trigger::of).collect())
    }

    /// Whether another action of `org` than `except` is named `name`.
    pub(crate) async fn action_name_taken(&self, conn: &mut Conn, org: &str, name: &str, except: &str) -> Result<bool> {
        let rows = burg_store::documents::all(conn, &self.instance_id, org, ACTION_KIND).await?;
        Ok(rows.into_iter().map(Stored::of).any(|s| s.row.key != except && s.name() == name))
    }

    pub async fn create_action(&self, ctx: &Ctx, req: m::CreateActionRequest) -> Result<m::CreateActionResponse> {
        if req.name.is_empty() {
            return Err(Error::invalid_argument("COMMAND-eg2gf", "`name` must not be empty"));
        }
        let id = self.new_id();
        let events = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            if self.action_name_taken(tx.conn(), &org, &req.name, &id).await? {
                return Err(name_taken(&req.name));
            }
            let added = ActionAdded {
                name: req.name.clone(),
                script: req.script.clone(),
                timeout: nanos(req.timeout.as_ref()),
                allowed_to_fail: req.allowed_to_fail,
            };
            let on = Aggregate::new(aggregate::ACTION, &id, &org);
            let events = tx.push(vec![NewEvent::new(&on, &added)?]).await?;
            tx.commit().await?;
            Ok(events)
        })
        .await?;
        Ok(m::CreateActionResponse { details: added_details(&events), id })
    }

    pub async fn update_action(&self, ctx: &Ctx, req: m::UpdateActionRequest) -> Result<m::UpdateActionResponse> {
        if req.name.is_empty() || req.id.is_empty() {
            return Err(Error::invalid_argument("COMMAND-Df2f3", "`id` and `name` must not be empty"));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            let current = self
                .action(tx.conn(), &org, &req.id)
                .await?
                .ok_or_else(|| Error::not_found("COMMAND-Sfg2t", format!("action {:?} not found", req.id)))?;
            let timeout = nanos(req.timeout.as_ref());
            let changed = ActionChanged {
                name: (current.name() != req.name).then(|| req.name.clone()),
                script: (current.text("script") != req.script).then(|| req.script.clone()),
                timeout: (current.timeout() != timeout).then_some(timeout),
                allowed_to_fail: (current.allowed_to_fail() != req.allowed_to_fail).then_some(req.allowed_to_fail),
            };
            if changed == ActionChanged::default() {
                return Err(Error::failed_precondition("ACTION-dg4t2", "the action has these values already"));
            }
            if changed.name.is_some() && self.action_name_taken(tx.conn(), &org, &req.name, &req.id).await? {
                return Err(name_taken(&req.name));
            }
            let on = Aggregate::new(aggregate::ACTION, &req.id, &org);
            let events = tx.push(vec![NewEvent::new(&on, &changed)?]).await?;
            tx.commit().await?;
            Ok(m::UpdateActionResponse { details: added_details(&events) })
        })
        .await
    }

    pub async fn deactivate_action(
        &self,
        ctx: &Ctx,
        req: m::DeactivateActionRequest,
    ) -> Result<m::DeactivateActionResponse> {
        let details = self.set_action_state(ctx, &req.id, false).await?;
        Ok(m::DeactivateActionResponse { details })
    }

    pub async fn reactivate_action(
        &self,
        ctx: &Ctx,
        req: m::ReactivateActionRequest,
    ) -> Result<m::ReactivateActionResponse> {
        let details = self.set_action_state(ctx, &req.id, true).await?;
        Ok(m::ReactivateActionResponse { details })
    }

    /// Deactivates or (`active`) reactivates an action, with ZITADEL's
    /// answers for one that is missing or already so.
    async fn set_action_state(&self, ctx: &Ctx, id: &str, active: bool) -> Result<Option<ObjectDetails>> {
        let (missing_id, not_found, already) = if active {
            ("COMMAND-BNm56", "COMMAND-Aa22g", "COMMAND-J53zh")
        } else {
            ("COMMAND-DAhk5", "COMMAND-NRmhu", "COMMAND-Dgj92")
        };
        if id.is_empty() {
            return Err(Error::invalid_argument(missing_id, "`id` must not be empty"));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            let current = self
                .action(tx.conn(), &org, id)
                .await?
                .ok_or_else(|| Error::not_found(not_found, format!("action {id:?} not found")))?;
            if current.active() == active {
                let state = if active { "active" } else { "inactive" };
                return Err(Error::failed_precondition(already, format!("the action is {state} already")));
            }
            let on = Aggregate::new(aggregate::ACTION, id, &org);
            let event = if active {
                NewEvent::new(&on, &ActionReactivated {})?
            } else {
                NewEvent::new(&on, &ActionDeactivated {})?
            };
            let events = tx.push(vec![event]).await?;
            tx.commit().await?;
            Ok(added_details(&events))
        })
        .await
    }

    /// Deletes an action and takes it out of every flow that runs it (one
    /// `org.flow.trigger_actions.cascade.removed` per flow type); the
    /// answer is empty, as ZITADEL's.
    pub async fn delete_action(&self, ctx: &Ctx, req: m::DeleteActionRequest) -> Result<m::DeleteActionResponse> {
        if req.id.is_empty() {
            return Err(Error::invalid_argument("COMMAND-Gfg3g", "`id` must not be empty"));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            if self.action(tx.conn(), &org, &req.id).await?.is_none() {
                return Err(Error::not_found("COMMAND-Dgh4h", format!("action {:?} not found", req.id)));
            }
            let mut flows: Vec<i32> = self
                .triggers(tx.conn(), &org)
                .await?
                .into_iter()
                .filter(|t| t.ids.contains(&req.id))
                .map(|t| t.flow)
                .collect();
            flows.sort_unstable();
            flows.dedup();
            let mut events = vec![NewEvent::new(&Aggregate::new(aggregate::ACTION, &req.id, &org), &ActionRemoved {})?];
            for flow_type in flows {
                let cascade = TriggerActionsCascadeRemoved { flow_type, trigger_type: 0, action_id: req.id.clone() };
                events.push(NewEvent::new(&org_aggregate(&org), &cascade)?);
            }
            tx.push(events).await?;
            tx.commit().await?;
            Ok(m::DeleteActionResponse {})
        })
        .await
    }

    pub async fn get_action(&self, ctx: &Ctx, req: m::GetActionRequest) -> Result<m::GetActionResponse> {
        let org = ctx.org();
        let mut conn = self.db.acquire("ACTION-db01").await?;
        let action = self
            .action(&mut conn, org, &req.id)
            .await?
            .ok_or_else(|| Error::not_found("QUERY-GEfnb", format!("action {:?} not found", req.id)))?;
        Ok(m::GetActionResponse { action: Some(action.wire(org)) })
    }

    /// The organization's actions that match every query, in the order of
    /// the sorting column (else oldest first).
    pub async fn list_actions(&self, ctx: &Ctx, req: m::ListActionsRequest) -> Result<m::ListActionsResponse> {
        use m::action_query::Query;
        let page = v1_page(req.query.as_ref())?;
        let asc = req.query.as_ref().is_some_and(|q| q.asc);
        let org = ctx.org();
        let mut ids = Vec::new();
        let mut names = Vec::new();
        let mut states = Vec::new();
        for q in &req.queries {
            match &q.query {
                Some(Query::ActionIdQuery(i)) => ids.push(i.id.clone()),
                Some(Query::ActionNameQuery(n)) => names.push(text_match(&n.name, n.method)?),
                Some(Query::ActionStateQuery(s)) => states.push(s.state),
                None => return Err(Error::invalid_argument("MGMT-dsg3z", "an action query has no query")),
            }
        }
        let rows = burg_store::documents::all(self.db.pool(), &self.instance_id, org, ACTION_KIND).await?;
        let state_of = |s: &Stored| if s.active() { a::ActionState::Active } else { a::ActionState::Inactive } as i32;
        let mut matching: Vec<Stored> = rows
            .into_iter()
            .map(Stored::of)
            .filter(|s| ids.iter().all(|id| *id == s.row.key))
            .filter(|s| names.iter().all(|n| n.matches(s.name())))
            .filter(|s| states.iter().all(|st| *st == state_of(s)))
            .collect();
        let column = a::ActionFieldName::try_from(req.sorting_column).unwrap_or(a::ActionFieldName::Unspecified);
        if column != a::ActionFieldName::Unspecified {
            matching.sort_by(|x, y| {
                let order = match column {
                    a::ActionFieldName::Name => x.name().cmp(y.name()),
                    a::ActionFieldName::Id => x.row.key.cmp(&y.row.key),
                    _ => state_of(x).cmp(&state_of(y)),
                };
                if asc { order } else { order.reverse() }
            });
        }
        let total = matching.len() as i64;
        let result = page.of(matching.iter()).map(|s| s.wire(org)).collect();
        Ok(m::ListActionsResponse { details: list_details(total, 0, self.now()), sorting_column: 0, result })
    }

    pub async fn list_flow_types(&self, _ctx: &Ctx, _req: m::ListFlowTypesRequest) -> Result<m::ListFlowTypesResponse> {
        Ok(m::ListFlowTypesResponse { result: ev::FLOWS.iter().map(|f| flow_type_pb(f.id)).collect() })
    }

    pub async fn list_flow_trigger_types(
        &self,
        _ctx: &Ctx,
        req: m::ListFlowTriggerTypesRequest,
    ) -> Result<m::ListFlowTriggerTypesResponse> {
        let flow = ev::flow(ev::flow_of_wire(&req.r#type))
            .ok_or_else(|| Error::not_found("MANAG-P2OBk", format!("flow type {:?} not found", req.r#type)))?;
        Ok(m::ListFlowTriggerTypesResponse { result: flow.triggers.iter().map(|t| trigger_type_pb(*t)).collect() })
    }

    /// The flow of the organization: each trigger that has actions, with
    /// the actions that still exist, in the order set.
    pub async fn get_flow(&self, ctx: &Ctx, req: m::GetFlowRequest) -> Result<m::GetFlowResponse> {
        let org = ctx.org();
        let flow_type = ev::flow_of_wire(&req.r#type);
        let mut conn = self.db.acquire("ACTION-db03").await?;
        let triggers: Vec<Trigger> = self
            .triggers(&mut conn, org)
            .await?
            .into_iter()
            .filter(|t| t.flow == flow_type && flow_type != 0)
            .collect();
        let mut by_trigger: BTreeMap<i32, Vec<a::Action>> = BTreeMap::new();
        let (mut sequence, mut changed) = (0, 0);
        for t in &triggers {
            sequence = sequence.max(t.row.sequence);
            changed = changed.max(t.row.change_date);
            let mut actions = Vec::new();
            for id in &t.ids {
                if let Some(action) = self.action(&mut conn, org, id).await? {
                    actions.push(action.wire(org));
                }
            }
            by_trigger.entry(t.trigger).or_default().extend(actions);
        }
        let details = Some(ObjectDetails {
            sequence: sequence.max(0) as u64,
            creation_date: None,
            change_date: (changed != 0).then(|| Timestamp::from_micros(changed)),
            resource_owner: if triggers.is_empty() { String::new() } else { org.to_string() },
        });
        let flow = a::Flow {
            r#type: Some(flow_type_pb(flow_type)),
            details,
            state: a::FlowState::Active as i32,
            trigger_actions: by_trigger
                .into_iter()
                .map(|(trigger, actions)| a::TriggerAction { trigger_type: Some(trigger_type_pb(trigger)), actions })
                .collect(),
        };
        Ok(m::GetFlowResponse { flow: Some(flow) })
    }

    pub async fn clear_flow(&self, ctx: &Ctx, req: m::ClearFlowRequest) -> Result<m::ClearFlowResponse> {
        let flow_type = ev::flow_of_wire(&req.r#type);
        if flow_type == 0 {
            return Err(Error::invalid_argument("COMMAND-Dfw2h", format!("flow type {:?} is not one", req.r#type)));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            if !self.triggers(tx.conn(), &org).await?.iter().any(|t| t.flow == flow_type) {
                return Err(Error::failed_precondition("COMMAND-DgGh3", "the flow has no actions"));
            }
            let events = tx.push(vec![NewEvent::new(&org_aggregate(&org), &FlowCleared { flow_type })?]).await?;
            tx.commit().await?;
            Ok(m::ClearFlowResponse { details: changed_details(&events) })
        })
        .await
    }

    pub async fn set_trigger_actions(
        &self,
        ctx: &Ctx,
        req: m::SetTriggerActionsRequest,
    ) -> Result<m::SetTriggerActionsResponse> {
        let flow_type = ev::flow_of_wire(&req.flow_type);
        let trigger_type = ev::trigger_of_wire(&req.trigger_type);
        trigger_valid((flow_type, &req.flow_type), (trigger_type, &req.trigger_type))?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            let current = self
                .triggers(tx.conn(), &org)
                .await?
                .into_iter()
                .find(|t| t.flow == flow_type && t.trigger == trigger_type)
                .map(|t| t.ids)
                .unwrap_or_default();
            if current == req.action_ids {
                return Err(Error::failed_precondition(
                    crate::shared_ids::TRIGGER_UNCHANGED,
                    "the trigger runs these actions already",
                ));
            }
            self.require_actions(tx.conn(), &org, &req.action_ids).await?;
            let set = TriggerActionsSet { flow_type, trigger_type, action_ids: req.action_ids.clone() };
            let events = tx.push(vec![NewEvent::new(&org_aggregate(&org), &set)?]).await?;
            tx.commit().await?;
            Ok(m::SetTriggerActionsResponse { details: added_details(&events) })
        })
        .await
    }
}

/// Fails unless the flow type is one and has the trigger type (each as
/// its number and as given), as `SetTriggerActions` checks them.
pub(crate) fn trigger_valid(flow: (i32, &str), trigger: (i32, &str)) -> Result<()> {
    let Some(found) = ev::flow(flow.0) else {
        return Err(Error::invalid_argument("COMMAND-Dfhj5", format!("flow type {:?} is not one", flow.1)));
    };
    if !found.triggers.contains(&trigger.0) {
        return Err(Error::invalid_argument(
            "COMMAND-Dfgh6",
            format!("flow type {:?} has no trigger type {:?}", flow.1, trigger.1),
        ));
    }
    Ok(())
}
