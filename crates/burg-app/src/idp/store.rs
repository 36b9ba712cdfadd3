//! Templates read back from `idp_templates` (through
//! [`burg_store::idp`]), the name check, and the event that writes a
//! template whole.

use burg_api::object::ObjectDetails;
use burg_domain::event::{Event, NewEvent};
use burg_domain::idp::Template;
use burg_domain::{Error, Result};
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

    /// Pushes `template` whole as an `event_type` event of `scope`.
    pub(super) async fn push_template(
        &self,
        tx: &mut WriteTx,
        scope: Scope,
        event_type: &'static str,
        template: &Template,
    ) -> Result<Vec<Event>> {
        let payload = serde_json::to_value(template)
            .map_err(|e| Error::internal("IDP-enc001", format!("cannot encode the identity provider: {e}")))?;
        tx.push(vec![NewEvent { aggregate: scope.aggregate(self), event_type, payload }]).await
    }
}
