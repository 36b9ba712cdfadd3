//! The Feature API v2 at the instance and system levels
//! (`zitadel.feature.v2.FeatureService`): flags kept as ZITADEL keeps them
//! (`burg_domain::feature`), read by folding their events. A Set writes an
//! event per flag whose value changes (none changed: no event, the last
//! change's details); a Reset writes the level's reset event. The system
//! level takes `system.feature.*` permissions, which only a `SYSTEM_OWNER`
//! made with `burg token create` holds (ZITADEL's system users are the
//! operator's too, configured outside the API).

// The deprecated flags (token exchange, back-channel logout) are still set
// and read, as ZITADEL does.
#![allow(deprecated)]

use std::collections::BTreeMap;

use burg_api::object::ObjectDetails;
use burg_api::wkt::Timestamp;
use burg_api::zitadel::feature::v2 as f;
use burg_domain::feature::{self, Level};
use burg_domain::{Error, Result};
use serde_json::{Value, json};

use crate::{App, Ctx, changed_details};

type Flags = BTreeMap<&'static str, Value>;

impl App {
    /// A level's flags and the details of its newest event.
    pub(crate) async fn flags(&self, level: Level) -> Result<(Flags, Option<ObjectDetails>)> {
        let aggregate = level.aggregate(&self.instance_id);
        let rows =
            burg_store::events::changes(&self.db, &self.instance_id, aggregate.kind, &aggregate.id, 0, true, i64::MAX)
                .await?;
        let flags = feature::fold(level, rows.iter().map(|r| (r.event.event_type.as_str(), &r.event.payload)));
        let details = rows.last().map(|r| ObjectDetails {
            sequence: r.event.sequence as u64,
            creation_date: None,
            change_date: Some(Timestamp::from_micros(r.event.created_at)),
            resource_owner: r.event.resource_owner.clone(),
        });
        Ok((flags, details))
    }

    /// Writes the flags of `wanted` that differ from the level's.
    async fn set_flags(
        &self,
        ctx: &Ctx,
        level: Level,
        wanted: Vec<(&'static str, Value)>,
        empty: fn(&'static str, String) -> Error,
        empty_id: &'static str,
    ) -> Result<Option<ObjectDetails>> {
        if wanted.is_empty() {
            return Err(empty(empty_id, "no feature to set: the request names none".into()));
        }
        crate::retry(|| async {
            let (current, details) = self.flags(level).await?;
            let events: Vec<_> = wanted
                .iter()
                .filter(|(key, value)| current.get(key) != Some(value))
                .filter_map(|(key, value)| feature::set(level, &self.instance_id, key, value.clone()))
                .collect();
            if events.is_empty() {
                return Ok(details);
            }
            let mut tx = self.begin(ctx).await?;
            let pushed = tx.push(events).await?;
            tx.commit().await?;
            Ok(changed_details(&pushed))
        })
        .await
    }

    async fn reset_flags(&self, ctx: &Ctx, level: Level) -> Result<Option<ObjectDetails>> {
        let pushed = crate::in_tx!(self, ctx, |_conn| { Ok(vec![feature::reset(level, &self.instance_id)]) })?;
        Ok(changed_details(&pushed))
    }

    pub async fn get_instance_features(
        &self,
        _ctx: &Ctx,
        r: f::GetInstanceFeaturesRequest,
    ) -> Result<f::GetInstanceFeaturesResponse> {
        let (own, details) = self.flags(Level::Instance).await?;
        let system = if r.inheritance { self.flags(Level::System).await?.0 } else { Flags::new() };
        let read = Reader { own: &own, own_source: f::Source::Instance, system: &system };
        Ok(f::GetInstanceFeaturesResponse {
            details: crate::details_v2(details),
            login_default_org: read.flag("login_default_org"),
            user_schema: read.flag("user_schema"),
            oidc_token_exchange: read.flag("token_exchange"),
            improved_performance: read.improved_performance(),
            debug_oidc_parent_error: read.flag("debug_oidc_parent_error"),
            oidc_single_v1_session_termination: read.flag("oidc_single_v1_session_termination"),
            enable_back_channel_logout: read.flag("enable_back_channel_logout"),
            login_v2: read.login_v2(),
            permission_check_v2: read.flag("permission_check_v2"),
            console_use_v2_user_api: read.flag("console_use_v2_user_api"),
        })
    }

    pub async fn set_instance_features(
        &self,
        ctx: &Ctx,
        r: f::SetInstanceFeaturesRequest,
    ) -> Result<f::SetInstanceFeaturesResponse> {
        let mut wanted = flags_of(
            [
                ("login_default_org", r.login_default_org),
                ("user_schema", r.user_schema),
                ("token_exchange", r.oidc_token_exchange),
                ("debug_oidc_parent_error", r.debug_oidc_parent_error),
                ("oidc_single_v1_session_termination", r.oidc_single_v1_session_termination),
                ("enable_back_channel_logout", r.enable_back_channel_logout),
                ("permission_check_v2", r.permission_check_v2),
                ("console_use_v2_user_api", r.console_use_v2_user_api),
            ],
            r.login_v2,
        );
        // An empty list sets nothing (ZITADEL tells it from an unset one
        // only in Go; on the wire both are empty).
        if !r.improved_performance.is_empty() {
            wanted.push(("improved_performance", json!(r.improved_performance)));
        }
        let details = self.set_flags(ctx, Level::Instance, wanted, Error::invalid_argument, "COMMAND-Vigh1").await?;
        Ok(f::SetInstanceFeaturesResponse { details: crate::details_v2(details) })
    }

    pub async fn reset_instance_features(
        &self,
        ctx: &Ctx,
        _r: f::ResetInstanceFeaturesRequest,
    ) -> Result<f::ResetInstanceFeaturesResponse> {
        let details = self.reset_flags(ctx, Level::Instance).await?;
        Ok(f::ResetInstanceFeaturesResponse { details: crate::details_v2(details) })
    }

    pub async fn get_system_features(
        &self,
        _ctx: &Ctx,
        _r: f::GetSystemFeaturesRequest,
    ) -> Result<f::GetSystemFeaturesResponse> {
        let (own, details) = self.flags(Level::System).await?;
        let none = Flags::new();
        let read = Reader { own: &own, own_source: f::Source::System, system: &none };
        Ok(f::GetSystemFeaturesResponse {
            details: crate::details_v2(details),
            login_default_org: read.flag("login_default_org"),
            user_schema: read.flag("user_schema"),
            oidc_token_exchange: read.flag("token_exchange"),
            improved_performance: read.improved_performance(),
            oidc_single_v1_session_termination: read.flag("oidc_single_v1_session_termination"),
            enable_back_channel_logout: read.flag("enable_back_channel_logout"),
            login_v2: read.login_v2(),
            permission_check_v2: read.flag("permission_check_v2"),
        })
    }

    pub async fn set_system_features(
        &self,
        ctx: &Ctx,
        r: f::SetSystemFeaturesRequest,
    ) -> Result<f::SetSystemFeaturesResponse> {
        let mut wanted = flags_of(
            [
                ("login_default_org", r.login_default_org),
                ("user_schema", r.user_schema),
                ("token_exchange", r.oidc_token_exchange),
                ("oidc_single_v1_session_termination", r.oidc_single_v1_session_termination),
                ("enable_back_channel_logout", r.enable_back_channel_logout),
                ("permission_check_v2", r.permission_check_v2),
            ],
            r.login_v2,
        );
        if !r.improved_performance.is_empty() {
            wanted.push(("improved_performance", json!(r.improved_performance)));
        }
        // ZITADEL answers an empty request here with Internal.
        let details = self.set_flags(ctx, Level::System, wanted, Error::internal, "COMMAND-Oop8a").await?;
        Ok(f::SetSystemFeaturesResponse { details: crate::details_v2(details) })
    }

    pub async fn reset_system_features(
        &self,
        ctx: &Ctx,
        _r: f::ResetSystemFeaturesRequest,
    ) -> Result<f::ResetSystemFeaturesResponse> {
        let details = self.reset_flags(ctx, Level::System).await?;
        Ok(f::ResetSystemFeaturesResponse { details: crate::details_v2(details) })
    }
}

/// The flags a Set request names: the booleans given, and the login v2
/// flag (its base URI kept as the text given).
fn flags_of<const N: usize>(
    booleans: [(&'static str, Option<bool>); N],
    login_v2: Option<f::LoginV2>,
) -> Vec<(&'static str, Value)> {
    let mut out: Vec<(&'static str, Value)> =
        booleans.into_iter().filter_map(|(key, value)| Some((key, Value::Bool(value?)))).collect();
    if let Some(l) = login_v2 {
        let mut value = json!({ "required": l.required });
        if let Some(uri) = l.base_uri {
            value["base_uri"] = Value::String(uri);
        }
        out.push(("login_v2", value));
    }
    out
}

/// Reads flags for an answer: the level's own value, else (when asked to
/// inherit) the system's, else unset (`false`, source unspecified).
struct Reader<'a> {
    own: &'a Flags,
    own_source: f::Source,
    system: &'a Flags,
}

impl Reader<'_> {
    fn value(&self, key: &str) -> Option<(&Value, f::Source)> {
        match (self.own.get(key), self.system.get(key)) {
            (Some(v), _) => Some((v, self.own_source)),
            (None, Some(v)) => Some((v, f::Source::System)),
            (None, None) => None,
        }
    }

    fn flag(&self, key: &str) -> Option<f::FeatureFlag> {
        Some(match self.value(key) {
            Some((v, source)) => f::FeatureFlag { enabled: v.as_bool().unwrap_or(false), source: source as i32 },
            None => f::FeatureFlag::default(),
        })
    }

    fn improved_performance(&self) -> Option<f::ImprovedPerformanceFeatureFlag> {
        Some(match self.value("improved_performance") {
            Some((v, source)) => f::ImprovedPerformanceFeatureFlag {
                execution_paths: v
                    .as_array()
                    .map(|items| items.iter().filter_map(|i| i.as_i64()).map(|i| i as i32).collect())
                    .unwrap_or_default(),
                source: source as i32,
            },
            None => f::ImprovedPerformanceFeatureFlag::default(),
        })
    }

    fn login_v2(&self) -> Option<f::LoginV2FeatureFlag> {
        Some(match self.value("login_v2") {
            Some((v, source)) => f::LoginV2FeatureFlag {
                required: v.get("required").and_then(Value::as_bool).unwrap_or(false),
                base_uri: v.get("base_uri").and_then(Value::as_str).map(str::to_string),
                source: source as i32,
            },
            None => f::LoginV2FeatureFlag::default(),
        })
    }
}
