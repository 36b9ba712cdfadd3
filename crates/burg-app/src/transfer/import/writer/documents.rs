//! The sections kept as documents (policies, projects, apps, grants,
//! texts, …): one event per item on its aggregate, projected into
//! `org_objects`.

use burg_domain::Result;
use burg_domain::crypto::MasterKey;
use burg_domain::event::{Aggregate, NewEvent};
use burg_store::transfer::import as stored;
use serde_json::{Value, json};

use super::super::super::{Kind, SECTIONS, Section, key_of, report_id, text_at};
use super::super::doc::{Batches, OrgDoc, Reading};
use super::{OrgWriter, Stored};
use crate::App;

impl App {
    /// Every document section: in an organization that was stored before,
    /// a document stored under the same key with the same JSON is the
    /// same.
    pub(super) async fn write_documents(&self, w: &mut OrgWriter<'_>, org: &OrgDoc) -> Result<()> {
        let org_id = org.org_id();
        for section in SECTIONS {
            let prepare = |item: Value| document_event(&self.key, section, org_id, item);
            let mut docs = if section.many {
                org.batches(section.json, Reading::Typed, prepare)
            } else {
                let one = org.value(section.json).filter(Value::is_object).map(prepare);
                Batches(Box::new(one.into_iter()))
            };
            while let Some(batch) = docs.next() {
                w.tally.settle();
                for (key, event) in batch {
                    w.room().await?;
                    let data = &event.payload["data"];
                    if matches!(section.kind, Kind::UserGrant | Kind::ProjectMember | Kind::ProjectGrantMember)
                        && !w.user_exists(text_at(data, "userId")).await?
                    {
                        let e = super::no_such_user(crate::shared_ids::USER_NOT_FOUND);
                        w.settle(section.kind, &report_id(section, org_id, &key, data), Stored::Skipped(e));
                        continue;
                    }
                    if let Some(e) = super::duplicate(section.kind) {
                        // A project grant is also one per project and granted organization.
                        let pair = (section.kind == Kind::ProjectGrant).then(|| {
                            format!(
                                "{}/{}",
                                text_at(data, "projectGrant.projectId"),
                                text_at(data, "projectGrant.grantedOrgId")
                            )
                        });
                        let again = !w.first_time(section.kind, &key);
                        let again_pair = pair.is_some_and(|p| !w.first_time(section.kind, &p));
                        if again || again_pair {
                            w.settle(section.kind, &report_id(section, org_id, &key, data), Stored::Skipped(e));
                            continue;
                        }
                    }
                    if w.org_existed {
                        let found = match stored::object_data(w.tx, org_id, section.kind.as_str(), &key).await? {
                            Some(stored) => {
                                Stored::found(serde_json::from_str::<Value>(&stored).ok().as_ref() == Some(data))
                            }
                            None => Stored::Absent,
                        };
                        if !w.settle(section.kind, &report_id(section, org_id, &key, data), found) {
                            continue;
                        }
                    }
                    w.tally.document(section.kind, data, &key);
                    w.add(event);
                }
            }
        }
        Ok(())
    }
}

/// The key and event of one item kept as a document; the event's
/// `data` is the item (an OIDC IdP's client secret sealed beside it).
fn document_event(key: &MasterKey, section: &Section, org: &str, mut item: Value) -> (String, NewEvent) {
    // A flow's trigger is kept in one form, under one key per trigger,
    // whether the document names its types by id or (v1) by enum name.
    if section.kind == Kind::TriggerAction {
        burg_domain::events::action::canonical_trigger_document(&mut item);
    }
    let object_key = key_of(section, &item);
    let sealed = (section.kind == Kind::OidcIdp)
        .then(|| text_at(&item, "idp.clientSecret"))
        .filter(|s| !s.is_empty())
        .map(|s| key.seal(s.as_bytes()));
    let (agg_kind, agg_id) = section.agg.of(&item, &object_key, org);
    let aggregate = Aggregate::new(agg_kind, agg_id, org);
    let mut data = item;
    if sealed.is_some()
        && let Some(idp) = data.get_mut("idp").and_then(Value::as_object_mut)
    {
        idp.remove("clientSecret");
    }
    let mut payload = json!({"objectKind": section.kind.as_str(), "key": object_key, "data": data});
    if let Some(sealed) = sealed {
        payload["sealedSecret"] = serde_json::to_value(sealed).unwrap_or_default();
    }
    (object_key, NewEvent { aggregate, event_type: section.event, payload })
}
