//! Templates read back from `idp_templates` (through
//! [`burg_store::idp`]) and the events that add and change them.

use burg_api::object::ObjectDetails;
use burg_domain::event::{Event, NewEvent};
use burg_domain::idp::Template;
use burg_domain::{Result, idp_events};
use burg_store::{Reader, WriteTx};

use super::Scope;
use crate::{App, details};

/// A template as read from `idp_templates`.
pub(crate) type Stored = burg_store::idp::TemplateRow;

/// The `details` of a stored template.
pub(super) fn stored_details(s: &Stored) -> Option<ObjectDetails> {
    details(s.sequence, s.creation_date, s.change_date, &s.resource_owner)
}

impl App {
    /// The template `id` of the instance, if there is one; read `on` the
    /// pool or a connection.
    pub(crate) async fn load_template<'e>(&self, on: impl Reader<'e>, id: &str) -> Result<Option<Stored>> {
        burg_store::idp::get(on, &self.instance_id, id).await
    }

    /// The template `id` of `scope` (held by the instance, or by the
    /// organization), if there is one; another owner's is none.
    pub(crate) async fn load_scoped<'e>(
        &self,
        on: impl Reader<'e>,
        scope: Scope<'_>,
        id: &str,
    ) -> Result<Option<Stored>> {
        let found = burg_store::idp::get(on, &self.instance_id, id).await?;
        Ok(found.filter(|s| s.resource_owner == scope.owner(self)))
    }

    /// Pushes the `event_type` event (`added`, or a `migrated` one) of a
    /// new `template` of `scope`: ZITADEL's flat payload.
    pub(super) async fn push_added(
        &self,
        tx: &mut WriteTx,
        scope: Scope<'_>,
        event_type: &'static str,
        template: &Template,
    ) -> Result<Vec<Event>> {
        let payload = idp_events::added_payload(template)?;
        tx.push(vec![NewEvent { aggregate: scope.aggregate(self), event_type, payload }]).await
    }

    /// Pushes the `changed` event of `scope` that makes `current` into
    /// `next` (`{id}` and the members that differ); `None`, and no event,
    /// when no member differs.
    pub(super) async fn push_changed(
        &self,
        tx: &mut WriteTx,
        scope: Scope<'_>,
        current: &Template,
        next: &Template,
    ) -> Result<Option<Vec<Event>>> {
        let Some(payload) = idp_events::changed_payload(current, next)? else {
            return Ok(None);
        };
        let event_type = scope.changed_event(next.kind());
        Ok(Some(tx.push(vec![NewEvent { aggregate: scope.aggregate(self), event_type, payload }]).await?))
    }
}
