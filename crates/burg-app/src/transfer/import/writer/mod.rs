//! Writing one organization inside its transaction.
//!
//! Each section compares its items with what is stored under the same
//! identity and hands the finding to the [`OrgWriter`], which decides for
//! all of them: nothing stored → written, the same → reported as existing
//! and skipped, something else → its command's "already exists", or
//! skipped alone for another reason that is reported (a user its command
//! refuses, what names a user that does not exist); the organization goes
//! on. The writer also owns the batching rule: events are appended
//! [`PUSH_EVERY`] at a time, a user's first event apart from its others so
//! that the projections write each kind many rows at a time.

mod documents;
mod org;
mod users;

pub use org::ORG_EXISTS_ID;
pub(super) use users::Drawn;

use burg_api::admin::ImportDataError;
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::state::IdpOwnerType;
use burg_domain::{Error, Result};
use burg_store::WriteTx;
use serde_json::Value;

use super::super::{Kind, text_at};
use super::ImportMode;
use super::doc::OrgDoc;
use super::reader::DocumentUsers;
use super::report::{Outcome, Refused, Tally, conflict, error, exists};
use crate::App;

/// Events are appended in batches of this many while an organization is
/// imported (all in its one transaction), so memory stays flat.
const PUSH_EVERY: usize = 2000;

/// What is stored under an item's identity, as its section found it.
pub(super) enum Stored {
    /// Nothing: the item is written.
    Absent,
    /// The same item: reported as existing, not written again.
    Same,
    /// Another item: reported alone with its command's "already exists".
    Different,
    /// Something that refuses the item for this reason.
    Refused(Error),
    /// Something that skips the item for this reason, which is reported;
    /// the organization goes on (as ZITADEL's import goes on after a
    /// member or grant whose user exists nowhere).
    Skipped(Error),
}

impl Stored {
    /// A stored counterpart that is the same item or not.
    fn found(same: bool) -> Stored {
        if same { Stored::Same } else { Stored::Different }
    }
}

/// One organization being written in `tx`.
pub(super) struct OrgWriter<'t> {
    tx: &'t mut WriteTx,
    /// The users of the whole document.
    document_users: &'t DocumentUsers,
    /// The identity providers of its instance section.
    instance_idps: &'t InstanceIdps,
    /// The organization's aggregate.
    org: Aggregate,
    /// Whether the organization was stored before this import.
    org_existed: bool,
    /// The domain generated from a new organization's name.
    generated_domain: Option<String>,
    /// The user who imports, who becomes the owner of each new
    /// organization ("SYSTEM" from the command line: no user).
    caller: &'t str,
    /// Events to append, in order.
    events: Vec<NewEvent>,
    /// Users' first events, their other events, and the events of their
    /// state (see [`Self::add_user`]).
    added: Vec<NewEvent>,
    rest: Vec<NewEvent>,
    states: Vec<NewEvent>,
    /// Items that are there already with the same content, and items
    /// skipped for a reason that does not stop the organization.
    existing: Vec<ImportDataError>,
    refused: Vec<ImportDataError>,
    /// Members and grants written so far, to report a second one.
    seen: std::collections::HashSet<(Kind, Box<str>)>,
    /// The users written so far, by id and by lowercase name, to report a
    /// second one as ZITADEL's commands do.
    user_ids: std::collections::HashSet<Box<str>>,
    user_names: std::collections::HashSet<Box<str>>,
    /// The users of this organization that could not be written (and are
    /// not stored): what names them finds no user.
    failed_users: std::collections::HashSet<String>,
    /// Users not written by this import, by whether they are stored in
    /// this organization (looked up once).
    stored_here: std::collections::HashMap<Box<str>, bool>,
    /// The identity providers of the document's organization (its
    /// `oidcIdps` and `jwtIdps`, which ZITADEL imports before its users).
    document_idps: std::collections::HashSet<String>,
    /// The roles a user grant may hold, by project and project grant
    /// (looked up once).
    grantable: std::collections::HashMap<(String, String), Result<Vec<String>>>,
    /// Identity providers looked up by id (`None`: the instance has none).
    idps: std::collections::HashMap<Box<str>, Option<FoundIdp>>,
    tally: Tally,
    /// The first codes of the users added, to send after the commit.
    drawn: Vec<users::Drawn>,
}

impl<'t> OrgWriter<'t> {
    fn new(
        tx: &'t mut WriteTx,
        (document_users, instance_idps): (&'t DocumentUsers, &'t InstanceIdps),
        caller: &'t str,
        org_id: &str,
        mode: ImportMode,
    ) -> Self {
        OrgWriter {
            tx,
            document_users,
            instance_idps,
            org: Aggregate::new(aggregate::ORG, org_id, org_id),
            org_existed: false,
            generated_domain: None,
            caller,
            events: Vec::new(),
            added: Vec::new(),
            rest: Vec::new(),
            states: Vec::new(),
            existing: Vec::new(),
            refused: Vec::new(),
            seen: Default::default(),
            user_ids: Default::default(),
            user_names: Default::default(),
            failed_users: Default::default(),
            stored_here: Default::default(),
            document_idps: Default::default(),
            idps: Default::default(),
            grantable: Default::default(),
            tally: Tally::new(org_id, mode),
            drawn: Vec::new(),
        }
    }

    /// Decides on item `id` of `kind` from what is stored: true when it is
    /// to be written; otherwise it is reported as existing or refused.
    fn settle(&mut self, kind: Kind, id: &str, stored: Stored) -> bool {
        match stored {
            Stored::Absent => true,
            Stored::Same => {
                self.existing.push(exists(kind, id));
                false
            }
            // The command's "already exists", alone; a kind without one
            // (none is left) refuses the organization.
            Stored::Different => {
                match duplicate(kind) {
                    Some(e) => self.existing.push(error(kind, id, &e)),
                    None => self.refused.push(conflict(kind, id)),
                }
                false
            }
            Stored::Refused(e) => {
                self.refused.push(error(kind, id, &e));
                false
            }
            Stored::Skipped(e) => {
                self.existing.push(error(kind, id, &e));
                false
            }
        }
    }

    /// False when an item of `kind` under `key` came before in this
    /// organization (for the kinds of [`duplicate`], and user links).
    fn first_time(&mut self, kind: Kind, key: &str) -> bool {
        self.seen.insert((kind, key.into()))
    }

    /// Whether user `user_id` is in the document or stored, in any
    /// organization.
    async fn user_exists(&mut self, user_id: &str) -> Result<bool> {
        Ok((self.document_users.contains(user_id) && !self.failed(user_id))
            || !burg_store::transfer::import::users(self.tx, std::iter::once(user_id)).await?.is_empty())
    }

    /// Whether user `user_id` is a user of this organization: written by
    /// this import, or stored in it (ZITADEL's commands for a user's own
    /// items look the user up in the organization they import into).
    async fn user_here(&mut self, user_id: &str) -> Result<bool> {
        if self.user_ids.contains(user_id) {
            return Ok(true);
        }
        if self.failed(user_id) {
            return Ok(false);
        }
        if let Some(here) = self.stored_here.get(user_id) {
            return Ok(*here);
        }
        let stored = burg_store::transfer::import::users(self.tx, std::iter::once(user_id)).await?;
        let here = stored.get(user_id).is_some_and(|u| u.org_id == self.org.id);
        self.stored_here.insert(user_id.into(), here);
        Ok(here)
    }

    /// Identity provider `id` as a user's link finds it: one of the
    /// document's organization, or stored for any owner; `None` when the
    /// instance has no such provider.
    async fn idp(&mut self, id: &str) -> Result<Option<FoundIdp>> {
        if self.document_idps.contains(id) {
            // Imported as a configuration of ZITADEL's first IdP API,
            // which lets users be created and linked.
            return Ok(Some(FoundIdp { here: true, creation_allowed: true }));
        }
        if let Some(creation_allowed) = self.instance_idps.get(id) {
            return Ok(Some(FoundIdp { here: true, creation_allowed: *creation_allowed }));
        }
        if let Some(found) = self.idps.get(id) {
            return Ok(*found);
        }
        let instance = self.tx.instance_id().to_string();
        let template = burg_store::idp::get(self.tx.conn(), &instance, id).await?;
        let found = match template {
            Some(row) => Some(FoundIdp {
                here: row.owner == IdpOwnerType::System || row.resource_owner == self.org.id,
                creation_allowed: row.template.options.is_creation_allowed,
            }),
            // A configuration of the first IdP API without a client secret
            // has no template; such configurations let users be created.
            None => burg_store::idp_config::get(self.tx.conn(), &instance, id).await?.map(|row| FoundIdp {
                here: row.owner_type == IdpOwnerType::System.code() || row.resource_owner == self.org.id,
                creation_allowed: true,
            }),
        };
        self.idps.insert(id.into(), found);
        Ok(found)
    }

    /// Whether user `user_id` of this organization could not be written.
    fn failed(&self, user_id: &str) -> bool {
        self.failed_users.contains(user_id)
    }

    /// User `id` of `kind` could not be written for `e`: reported, and
    /// what names it finds no user; the organization goes on.
    fn user_failed(&mut self, kind: Kind, id: &str, e: Error) {
        self.existing.push(error(kind, id, &e));
        if !self.user_ids.contains(id) {
            self.failed_users.insert(id.to_string());
        }
    }

    /// User `id`, named `lower_name` in lower case, is written.
    fn user_written(&mut self, id: &str, lower_name: String) {
        // An earlier entry with this id may have failed.
        self.failed_users.remove(id);
        self.user_ids.insert(id.into());
        self.user_names.insert(lower_name.into());
    }

    /// Whether a user with id `id` was written before in this organization.
    fn user_written_before(&self, id: &str) -> bool {
        self.user_ids.contains(id)
    }

    /// Whether a user named `lower_name` (in lower case) was written before
    /// in this organization.
    fn name_written(&self, lower_name: &str) -> bool {
        self.user_names.contains(lower_name)
    }

    /// Before an item: appends the events gathered so far once there are
    /// [`PUSH_EVERY`] of them. True when it did.
    async fn room(&mut self) -> Result<bool> {
        if self.events.len() + self.added.len() + self.rest.len() + self.states.len() < PUSH_EVERY {
            return Ok(false);
        }
        self.flush().await?;
        Ok(true)
    }

    /// Appends what is queued, so that lookups in the transaction see it.
    async fn flush(&mut self) -> Result<()> {
        self.merge_users();
        if !self.events.is_empty() {
            self.tx.push(std::mem::take(&mut self.events)).await?;
        }
        Ok(())
    }

    fn add(&mut self, event: NewEvent) {
        self.events.push(event);
    }

    /// Adds one user's events: the user added goes with the other users'
    /// first events, the `rest` with the others' rest, and the event of
    /// its state (deactivated, locked) after all of them, as ZITADEL's
    /// import writes it last.
    fn add_user(&mut self, added: NewEvent, rest: impl IntoIterator<Item = NewEvent>, state: Option<NewEvent>) {
        self.added.push(added);
        self.rest.extend(rest);
        self.states.extend(state);
    }

    /// Queues the users' events: every first event, then the others
    /// grouped by type (each group in the users' order), then their states.
    fn merge_users(&mut self) {
        self.events.append(&mut self.added);
        self.rest.sort_by_key(|e| e.event_type);
        self.events.append(&mut self.rest);
        self.events.append(&mut self.states);
    }

    /// Appends the rest and tells what became of the organization; `Err`
    /// when an item was refused (then nothing more is appended and the
    /// caller drops the transaction).
    async fn finish(mut self) -> Result<std::result::Result<Outcome, Refused>> {
        if !self.refused.is_empty() {
            return Ok(Err(Refused(self.refused)));
        }
        self.merge_users();
        self.tx.push(self.events).await?;
        let (entry, users) = self.tally.finish();
        Ok(Ok(Outcome {
            success: Some(entry),
            users,
            errors: self.existing,
            drawn: self.drawn,
            failed_users: self.failed_users.into_iter().collect(),
        }))
    }
}

/// The identity providers of the document's instance section
/// (`burgInstance`, imported after the organizations), by id: whether each
/// lets users be created. What the organizations name may be among them.
pub(crate) type InstanceIdps = std::collections::HashMap<String, bool>;

/// The [`InstanceIdps`] of instance section `section`.
pub(crate) fn instance_idps(section: Option<&Value>) -> InstanceIdps {
    let mut idps = InstanceIdps::new();
    let Some(section) = section else { return idps };
    for t in section["idpTemplates"].as_array().into_iter().flatten() {
        if let Ok(template) = serde_json::from_value::<burg_domain::idp::Template>(t["template"].clone()) {
            idps.insert(template.id, template.options.is_creation_allowed);
        }
    }
    for c in section["idpConfigs"].as_array().into_iter().flatten() {
        // Configurations of the first IdP API let users be created.
        idps.insert(text_at(&c["config"], "id").to_string(), true);
    }
    idps
}

/// A stored identity provider as an imported link finds it.
#[derive(Debug, Clone, Copy)]
struct FoundIdp {
    /// The organization's own or the instance's (not another
    /// organization's).
    here: bool,
    /// Whether its options let it create users.
    creation_allowed: bool,
}

/// A member or grant naming a user that is neither in the document nor
/// stored: skipped and reported with ZITADEL's id and message for it.
fn no_such_user(id: &'static str) -> Error {
    Error::failed_precondition(id, "Errors.User.NotFound")
}

/// What ZITADEL's import reports for the second of two items of `kind` in
/// one document (its command's "already exists" answer), for the kinds it
/// reports item by item instead of refusing.
fn duplicate(kind: Kind) -> Option<Error> {
    Some(match kind {
        Kind::ProjectGrant => Error::already_exists("V3-DKcYh", "Errors.Project.Grant.AlreadyExists"),
        Kind::ProjectGrantMember => {
            Error::already_exists(crate::shared_ids::GRANT_MEMBER_NOT_FOUND, "Errors.AlreadyExists")
        }
        Kind::ProjectMember => {
            Error::already_exists(crate::shared_ids::PROJECT_MEMBER_EXISTS, "Errors.Project.Member.AlreadyExists")
        }
        Kind::UserGrant => Error::already_exists("V3-DKcYh", "Errors.UserGrant.AlreadyExists"),
        Kind::OrgMember => Error::already_exists(crate::shared_ids::MEMBER_EXISTS, "Errors.Org.Member.AlreadyExists"),
        Kind::MachineUserKey => Error::already_exists("COMMAND-091mops", "Errors.User.Machine.Key.AlreadyExists"),
        Kind::Project => Error::already_exists(crate::shared_ids::PROJECT_EXISTS, "Errors.Project.AlreadyExisting"),
        Kind::Action => Error::failed_precondition("COMMAND-nau2k", "Errors.Action.AlreadyExisting"),
        Kind::OidcApp => {
            Error::failed_precondition(crate::shared_ids::APP_EXISTS, "Errors.Project.App.AlreadyExisting")
        }
        Kind::ApiApp => {
            Error::failed_precondition(crate::shared_ids::API_APP_EXISTS, "Errors.Project.App.AlreadyExisting")
        }
        // The unique constraint of a project's role keys.
        Kind::ProjectRole => Error::already_exists("V3-DKcYh", "Errors.Project.Role.AlreadyExists"),
        Kind::AppKey => Error::failed_precondition("COMMAND-so20alo", "Errors.Project.App.Key.AlreadyExisting"),
        // `ImportIDPConfig` on an id the organization has.
        Kind::OidcIdp | Kind::JwtIdp => Error::not_found("Org-1J8fs", "Errors.Org.IDPConfig.AlreadyExisting"),
        // The one-per-organization policies: the command that adds one
        // finds the organization's own.
        Kind::DomainPolicy => {
            Error::already_exists(crate::shared_ids::ORG_DOMAIN_POLICY_EXISTS, "Errors.Org.DomainPolicy.AlreadyExists")
        }
        Kind::LabelPolicy => Error::already_exists("Org-2B0ps", "Errors.Org.LabelPolicy.AlreadyExists"),
        Kind::LockoutPolicy => Error::already_exists(
            crate::shared_ids::ORG_LOCKOUT_POLICY_EXISTS,
            "Errors.ORG.LockoutPolicy.AlreadyExists",
        ),
        Kind::LoginPolicy => Error::already_exists("Org-Dgfb2", "Errors.Org.LoginPolicy.AlreadyExists"),
        Kind::PasswordComplexityPolicy => {
            Error::already_exists("Org-LdhbS", "Errors.Org.PasswordComplexityPolicy.AlreadyExists")
        }
        Kind::PrivacyPolicy => Error::already_exists("Org-0oLpd", "Errors.Org.PrivacyPolicy.AlreadyExists"),
        _ => return None,
    })
}

impl App {
    /// Compares and writes one organization inside `tx`. `Ok(Err(_))` when
    /// an item was refused: the caller drops the transaction.
    pub(super) async fn write_org(
        &self,
        tx: &mut WriteTx,
        caller: &str,
        org: &OrgDoc,
        document: (&DocumentUsers, &InstanceIdps),
        mode: ImportMode,
    ) -> Result<std::result::Result<Outcome, Refused>> {
        let mut w = OrgWriter::new(tx, document, caller, org.org_id(), mode);
        for idps in ["oidcIdps", "jwtIdps"] {
            w.document_idps.extend(org.each(idps).map(|idp| text_at(&idp, "idpId").to_string()));
        }
        self.write_org_row(&mut w, org).await?;
        if w.refused.is_empty() {
            self.write_domains(&mut w, org).await?;
            self.write_users(&mut w, org).await?;
            self.write_links(&mut w, org).await?;
            self.write_members(&mut w, org).await?;
            self.write_documents(&mut w, org).await?;
        }
        w.finish().await
    }
}

#[cfg(test)]
mod tests {
    use burg_domain::idp_config::{IdpConfig, Protocol};

    use super::*;

    #[test]
    fn the_instance_sections_providers_are_found_by_id() {
        let config = IdpConfig {
            id: "legacy".into(),
            name: "Legacy".into(),
            styling_type: 0,
            auto_register: false,
            state: 1,
            protocol: Some(Protocol::Jwt {
                jwt_endpoint: "https://jwt.example.com".into(),
                issuer: "https://jwt.example.com".into(),
                keys_endpoint: "https://jwt.example.com/keys".into(),
                header_name: "x-jwt".into(),
            }),
        };
        let mut template = config.template().unwrap();
        template.id = "closed".into();
        template.options.is_creation_allowed = false;
        // The section as the export writes it.
        let section = crate::transfer::instance::InstanceSection {
            idp_templates: vec![crate::transfer::instance::IdpTemplate {
                template: serde_json::to_value(&template).unwrap(),
                ..Default::default()
            }],
            idp_configs: vec![crate::transfer::instance::LegacyIdp {
                config: serde_json::to_value(&config).unwrap(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let found = instance_idps(Some(&serde_json::to_value(&section).unwrap()));
        assert_eq!(found, InstanceIdps::from([("closed".into(), false), ("legacy".into(), true)]));
        assert!(instance_idps(None).is_empty());
    }
}
