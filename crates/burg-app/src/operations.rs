//! The instance's operational views of the Admin API: its projections
//! (`ListViews`), their failed events, its milestones, and the deprecated
//! feature switch `ActivateFeatureLoginDefaultOrg`.

use burg_api::admin as a;
use burg_api::wkt::Timestamp;
use burg_api::zitadel::milestone::v1::{self as ms, MilestoneFieldName, MilestoneType, milestone_query};
use burg_domain::Result;
use burg_domain::instance_settings::login_default_org_set;

use crate::list::list_details;
use crate::{App, Ctx, changed_details};

/// What ZITADEL calls the database of its views; burg's read tables are
/// one database whatever the backend.
const DATABASE: &str = "burg";

/// burg's projections: the read tables the appending transaction keeps.
const PROJECTIONS: &[&str] = &[
    "assets",
    "iam_members",
    "idp_templates",
    "instance_domains",
    "instance_trusted_domains",
    "instances",
    "login_policy_idps",
    "org_domains",
    "org_members",
    "org_objects",
    "orgs",
    "personal_access_tokens",
    "secret_generators",
    "settings",
    "user_idp_links",
    "users",
];

impl App {
    /// Every projection with its position: as each is written in the
    /// transaction that appends the events, all have processed the
    /// instance's newest event.
    pub async fn list_views(&self, _ctx: &Ctx, _r: a::ListViewsRequest) -> Result<a::ListViewsResponse> {
        let newest = burg_store::instance_settings::newest_event(self.db.pool(), &self.instance_id).await?;
        let (position, at) = newest.unwrap_or((0, 0));
        let result = PROJECTIONS
            .iter()
            .map(|name| a::View {
                database: DATABASE.into(),
                view_name: (*name).into(),
                processed_sequence: position.max(0) as u64,
                event_timestamp: Some(Timestamp::from_micros(at)),
                last_successful_spooler_run: Some(Timestamp::from_micros(at)),
            })
            .collect();
        Ok(a::ListViewsResponse { result })
    }

    /// No projection of burg fails apart from its write: an event a
    /// projection cannot apply fails the write that appends it.
    pub async fn list_failed_events(
        &self,
        _ctx: &Ctx,
        _r: a::ListFailedEventsRequest,
    ) -> Result<a::ListFailedEventsResponse> {
        Ok(a::ListFailedEventsResponse { result: Vec::new() })
    }

    /// ZITADEL deletes the matching failed event and answers the same
    /// whether there was one or not.
    pub async fn remove_failed_event(
        &self,
        _ctx: &Ctx,
        _r: a::RemoveFailedEventRequest,
    ) -> Result<a::RemoveFailedEventResponse> {
        Ok(a::RemoveFailedEventResponse {})
    }

    /// The milestones burg can know of: the instance's creation, the first
    /// project and the first application (kept as organization documents);
    /// the authentications and the instance's deletion are never reached.
    pub async fn list_milestones(&self, _ctx: &Ctx, r: a::ListMilestonesRequest) -> Result<a::ListMilestonesResponse> {
        let instance = self.instance_row(self.db.pool()).await?;
        let first = |kinds: &'static [&'static str]| async move {
            burg_store::instance_settings::first_object(self.db.pool(), &self.instance_id, kinds).await
        };
        let project = first(&["project"][..]).await?;
        let application = first(&["oidc_app", "api_app"][..]).await?;
        let mut milestones: Vec<(MilestoneType, Option<i64>)> = vec![
            (MilestoneType::InstanceCreated, Some(instance.creation_date)),
            (MilestoneType::AuthenticationSucceededOnInstance, None),
            (MilestoneType::ProjectCreated, project),
            (MilestoneType::ApplicationCreated, application),
            (MilestoneType::AuthenticationSucceededOnApplication, None),
            (MilestoneType::InstanceDeleted, None),
        ];
        for q in &r.queries {
            if let Some(milestone_query::Query::IsReachedQuery(reached)) = &q.query {
                milestones.retain(|(_, at)| at.is_some() == reached.reached);
            }
        }
        // By type unless a column is asked for; then in the asked direction.
        let asc = r.query.as_ref().is_some_and(|q| q.asc);
        match MilestoneFieldName::try_from(r.sorting_column).unwrap_or_default() {
            MilestoneFieldName::Unspecified => {}
            MilestoneFieldName::ReachedDate => {
                milestones.sort_by_key(|(_, at)| *at);
                if !asc {
                    milestones.reverse();
                }
            }
            MilestoneFieldName::Type => {
                if !asc {
                    milestones.reverse();
                }
            }
        }
        let total = milestones.len() as i64;
        let (offset, limit) = r.query.as_ref().map_or((0, 0), |q| (q.offset as usize, q.limit as usize));
        let limit = if limit == 0 { usize::MAX } else { limit };
        let result = milestones
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|(t, at)| ms::Milestone { r#type: t as i32, reached_date: at.map(Timestamp::from_micros) })
            .collect();
        Ok(a::ListMilestonesResponse { details: list_details(total, instance.sequence, self.now()), result })
    }

    /// Deprecated: sets the instance feature `login_default_org` to true
    /// (ZITADEL's `SetInstanceFeatures`). A new instance has it set, so
    /// this writes nothing and answers the feature's details.
    pub async fn activate_feature_login_default_org(
        &self,
        ctx: &Ctx,
        _r: a::ActivateFeatureLoginDefaultOrgRequest,
    ) -> Result<a::ActivateFeatureLoginDefaultOrgResponse> {
        // The flag as the Feature API v2 keeps it (a reset unsets it).
        let (flags, newest) = self.flags(burg_domain::feature::Level::Instance).await?;
        if flags.get("login_default_org") == Some(&serde_json::Value::Bool(true)) {
            return Ok(a::ActivateFeatureLoginDefaultOrgResponse { details: newest });
        }
        let events = crate::in_tx!(self, ctx, |_conn| { Ok(vec![login_default_org_set(&self.instance_id, true)?]) })?;
        let details = changed_details(&events);
        Ok(a::ActivateFeatureLoginDefaultOrgResponse { details })
    }
}
