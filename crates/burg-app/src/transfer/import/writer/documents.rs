//! The sections kept as documents (projects, apps, grants, texts, …): one
//! event per item on its aggregate, projected into `org_objects`. The
//! one-per-organization policies are the organization's own settings, as
//! the API keeps them.

use burg_domain::crypto::MasterKey;
use burg_domain::event::{Aggregate, NewEvent};
use burg_domain::events::instance::LoginPolicy;
use burg_domain::events::org as oe;
use burg_domain::settings::{self, Setting};
use burg_domain::state::IdpProviderType;
use burg_domain::{Error, ErrorKind, Result};
use burg_store::transfer::import as stored;
use serde_json::{Value, json};

use super::super::super::{Kind, SECTIONS, Section, at, key_of, list, parse_duration, report_id, text_at};
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
            let policy = (!section.many).then(|| crate::mgmt_policies::imported::setting_kind(section.kind.as_str()));
            if let Some(Some(kind)) = policy {
                if let Some(mut item) = org.value(section.json).filter(Value::is_object) {
                    if org.v1 {
                        self.v1_defaults(w, kind, &mut item).await?;
                    }
                    self.write_policy(w, section, kind, item).await?;
                }
                continue;
            }
            let prepare = |mut item: Value| {
                // An item without its id gets a new one, as the command
                // makes one.
                if section.new_id
                    && let Some(path) = section.key.first()
                    && text_at(&item, path).is_empty()
                    && let Some(fields) = item.as_object_mut()
                {
                    fields.insert(path.to_string(), Value::String(self.new_id()));
                }
                document_event(&self.key, section, org_id, item)
            };
            let mut docs = if section.many {
                org.batches(section.json, Reading::Typed, prepare)
            } else {
                let one = org.value(section.json).filter(Value::is_object).map(prepare);
                Batches(Box::new(one.into_iter()))
            };
            // The sections that name other items look those up in this
            // transaction: ZITADEL's import adds them after the projects,
            // apps, actions and roles (and, for grants and members, after
            // those of every organization before).
            if matches!(
                section.kind,
                Kind::OidcApp
                    | Kind::TriggerAction
                    | Kind::ApiApp
                    | Kind::AppKey
                    | Kind::ProjectRole
                    | Kind::UserGrant
                    | Kind::ProjectMember
                    | Kind::ProjectGrantMember
            ) {
                w.flush().await?;
            }
            while let Some(batch) = docs.next() {
                w.tally.settle();
                for (key, mut event) in batch {
                    w.room().await?;
                    let data = &event.payload["data"];
                    // A member's roles first, as ZITADEL's commands check them.
                    let roles = || -> Vec<String> {
                        list(data, "roles").filter_map(|r| r.as_str().map(str::to_string)).collect()
                    };
                    let ids_given = |paths: &[&str]| paths.iter().all(|p| !text_at(data, p).is_empty());
                    let roles_checked = match section.kind {
                        Kind::ProjectMember if !ids_given(&["projectId", "userId"]) => Err(Error::invalid_argument(
                            crate::shared_ids::PROJECT_MEMBER_INVALID,
                            "`projectMembers.projectId` and `userId` are needed",
                        )),
                        Kind::ProjectMember => crate::project::project_member_roles(&roles(), "projectMembers.roles"),
                        Kind::ProjectGrantMember if !ids_given(&["projectId", "grantId", "userId"]) => {
                            Err(Error::invalid_argument(
                                crate::shared_ids::GRANT_MEMBER_INVALID,
                                "`projectGrantMembers.projectId`, `grantId` and `userId` are needed",
                            ))
                        }
                        Kind::ProjectGrantMember => {
                            crate::project_grant::grant_member_roles(&roles(), "projectGrantMembers.roles")
                        }
                        _ => Ok(()),
                    };
                    if let Err(e) = roles_checked.and_then(|()| fields_valid(section, data)) {
                        w.settle(section.kind, &report_id(section, org_id, &key, data), Stored::Skipped(e));
                        continue;
                    }
                    if let Err(e) = self.references_valid(w, section.kind, org_id, data).await? {
                        w.settle(section.kind, &report_id(section, org_id, &key, data), Stored::Skipped(e));
                        continue;
                    }
                    if matches!(section.kind, Kind::UserGrant | Kind::ProjectMember | Kind::ProjectGrantMember)
                        && !w.user_exists(text_at(data, "userId")).await?
                    {
                        let e = super::no_such_user(crate::shared_ids::USER_NOT_FOUND);
                        w.settle(section.kind, &report_id(section, org_id, &key, data), Stored::Skipped(e));
                        continue;
                    }
                    // After the user: a member's project or grant (ZITADEL's
                    // AddProjectMember, AddProjectGrantMember), a user
                    // grant's project and roles.
                    if let Err(e) = self.member_target_valid(w, section.kind, org_id, data).await? {
                        w.settle(section.kind, &report_id(section, org_id, &key, data), Stored::Skipped(e));
                        continue;
                    }
                    if section.kind == Kind::UserGrant
                        && let Err(e) = self.user_grant_roles(w, org_id, data).await?
                    {
                        w.settle(section.kind, &report_id(section, org_id, &key, data), Stored::Skipped(e));
                        continue;
                    }
                    // A user's own items need their user, which may have
                    // been refused above (ZITADEL's check in each command).
                    let owner = match section.kind {
                        Kind::UserMetadata => Some(("id", crate::shared_ids::USER_NOT_FOUND)),
                        Kind::MachineUserKey => Some(("userId", crate::shared_ids::MACHINE_KEY_USER_NOT_FOUND)),
                        _ => None,
                    };
                    // A key is checked before its user (ZITADEL's
                    // `AddUserMachineKey`).
                    if section.kind == Kind::MachineUserKey
                        && let Err(e) = machine_key_valid(data, self.now())
                    {
                        w.settle(section.kind, &report_id(section, org_id, &key, data), Stored::Skipped(e));
                        continue;
                    }
                    if let Some((field, id)) = owner
                        && !w.user_here(text_at(data, field)).await?
                    {
                        let e = super::no_such_user(id);
                        w.settle(section.kind, &report_id(section, org_id, &key, data), Stored::Skipped(e));
                        continue;
                    }
                    // `SetUserMetadata`: an empty value where none is stored
                    // changes nothing; otherwise a key and a value are needed.
                    if section.kind == Kind::UserMetadata
                        && (text_at(data, "key").is_empty() || text_at(data, "value").is_empty())
                    {
                        let stored = w.org_existed
                            && stored::object_data(w.tx, org_id, section.kind.as_str(), &key).await?.is_some();
                        if text_at(data, "value").is_empty() && !stored {
                            w.tally.document(section.kind, data, &key);
                            continue;
                        }
                        let e = Error::invalid_argument(
                            crate::shared_ids::USER_METADATA_INVALID,
                            "`userMetadata.key` and `value` must not be empty",
                        );
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
                    // An action's name is one per organization (the unique
                    // constraint of ZITADEL's `action.added`).
                    if section.kind == Kind::Action {
                        let name = text_at(data, "action.name");
                        let again = !w.first_time(Kind::Action, &format!("\0name\0{name}"));
                        if again || (w.org_existed && self.action_name_taken(w.tx.conn(), org_id, name, &key).await?) {
                            let e = crate::mgmt_actions::name_taken(name);
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
                        // Metadata, a flow's trigger and texts are set, not
                        // added: another value under the key is overwritten
                        // (ZITADEL's SetUserMetadata, SetTriggerActions,
                        // SetOrg*Text).
                        let found = match found {
                            Stored::Different
                                if matches!(section.kind, Kind::UserMetadata | Kind::TriggerAction)
                                    || section.key == ["language"] =>
                            {
                                Stored::Absent
                            }
                            found => found,
                        };
                        if !w.settle(section.kind, &report_id(section, org_id, &key, data), found) {
                            continue;
                        }
                    }
                    // A key without its public half gets a new pair, as
                    // ZITADEL's `AddUserMachineKey` makes one; the private
                    // half goes nowhere.
                    if section.kind == Kind::MachineUserKey && text_at(data, "publicKey").is_empty() {
                        event.payload["data"]["publicKey"] = Value::String(new_public_key().await?);
                    }
                    w.tally.document(section.kind, &event.payload["data"], &key);
                    // Kinds the API writes with ZITADEL's own events get
                    // those events, which its projection keeps as the
                    // same documents.
                    w.add(command_event(section.kind, &event)?.unwrap_or(event));
                }
            }
        }
        Ok(())
    }
}

impl App {
    /// What an item's command checks of what it names, before any user:
    /// a user grant names a user and a project (IA `COMMAND-kVfMa`); an
    /// app's or role's project is the organization's (FP `COMMA-VCnwD`);
    /// a flow's trigger is one of the flow and its actions the
    /// organization's (`SetTriggerActions`); an app key's app is the
    /// project's (FP `COMMAND-sak24`).
    async fn references_valid(
        &self,
        w: &mut OrgWriter<'_>,
        kind: Kind,
        org_id: &str,
        data: &Value,
    ) -> Result<burg_domain::Result<()>> {
        let project = text_at(data, "projectId");
        Ok(match kind {
            Kind::UserGrant if text_at(data, "userId").is_empty() || project.is_empty() => {
                Err(Error::invalid_argument(
                    crate::shared_ids::USER_GRANT_INVALID,
                    "`userGrants.userId` and `projectId` are needed",
                ))
            }
            // An app or role needs its project (ZITADEL's `checkProjectExists`).
            Kind::OidcApp | Kind::ApiApp | Kind::ProjectRole => {
                let project = match kind {
                    Kind::OidcApp | Kind::ApiApp => text_at(data, "app.projectId"),
                    _ => project,
                };
                answer(self.require_project(w.tx.conn(), org_id, project).await, ErrorKind::FailedPrecondition)?
            }
            // A flow's trigger and its actions (`SetTriggerActions`); a new
            // organization's trigger without actions changes nothing
            // (`COMMAND-Nfh52`). A stored one is compared below.
            Kind::TriggerAction => {
                use burg_domain::events::action as ev;
                let (flow, trigger) = (&data["flowType"], &data["triggerType"]);
                let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
                let ids: Vec<String> = list(data, "actionIds").filter_map(|a| a.as_str().map(str::to_string)).collect();
                let valid = crate::mgmt_actions::trigger_valid(
                    (ev::flow_of_document(flow), &text(flow)),
                    (ev::trigger_of_document(trigger), &text(trigger)),
                );
                match valid {
                    Err(e) => Err(e),
                    Ok(()) if ids.is_empty() && !w.org_existed => {
                        Err(Error::failed_precondition(crate::shared_ids::TRIGGER_UNCHANGED, "Errors.Flow.NoChanges"))
                    }
                    Ok(()) => {
                        answer(self.require_actions(w.tx.conn(), org_id, &ids).await, ErrorKind::FailedPrecondition)?
                    }
                }
            }
            // A key needs its app in the project (`AddApplicationKeyWithID`).
            Kind::AppKey => match self.has_app(w.tx.conn(), org_id, project, text_at(data, "appId")).await? {
                true => Ok(()),
                false => Err(Error::failed_precondition("COMMAND-sak24", "Errors.Project.App.NotFound")),
            },
            _ => Ok(()),
        })
    }

    /// A project member's project (FP `COMMA-VCnwD`) or a project grant
    /// member's grant (NF `PROJECT-D8JxR`), the organization's: checked
    /// after the user, as ZITADEL's commands check them.
    async fn member_target_valid(
        &self,
        w: &mut OrgWriter<'_>,
        kind: Kind,
        org_id: &str,
        data: &Value,
    ) -> Result<burg_domain::Result<()>> {
        let project = text_at(data, "projectId");
        Ok(match kind {
            Kind::ProjectMember => {
                answer(self.require_project(w.tx.conn(), org_id, project).await, ErrorKind::FailedPrecondition)?
            }
            Kind::ProjectGrantMember => {
                let found = self.require_grant(w.tx.conn(), org_id, project, text_at(data, "grantId")).await;
                answer(found, ErrorKind::NotFound)?
            }
            _ => Ok(()),
        })
    }

    /// A user grant's project (the organization's own, or granted to it)
    /// and roles, as ZITADEL's `checkUserGrantPreCondition` after the
    /// user; looked up once per project and project grant.
    async fn user_grant_roles(
        &self,
        w: &mut OrgWriter<'_>,
        org_id: &str,
        data: &Value,
    ) -> Result<burg_domain::Result<()>> {
        let on = (text_at(data, "projectId").to_string(), text_at(data, "projectGrantId").to_string());
        let grantable = match w.grantable.get(&on) {
            Some(found) => found.clone(),
            None => {
                let found = match self.grantable_roles(w.tx.conn(), org_id, &on.0, &on.1).await {
                    Err(e) if e.kind == ErrorKind::FailedPrecondition => Err(e),
                    other => Ok(other?.0),
                };
                w.grantable.insert(on, found.clone());
                found
            }
        };
        let wanted: Vec<String> = list(data, "roleKeys").filter_map(|r| r.as_str().map(str::to_string)).collect();
        Ok(grantable.and_then(|allowed| Self::require_roles(&wanted, &allowed)))
    }

    /// What ZITADEL's upgrade of a v1 document takes from the instance's
    /// defaults: the domain policy's flags beside `userLoginMustBeDomain`,
    /// and the login policy's five lifetimes.
    async fn v1_defaults(&self, w: &mut OrgWriter<'_>, kind: &str, item: &mut Value) -> Result<()> {
        use burg_domain::policies::DomainPolicy;
        let instance = crate::settings::Scope::Instance;
        if kind == DomainPolicy::KIND {
            let default = self.setting::<DomainPolicy>(w.tx.conn(), instance).await?.value;
            item["validateOrgDomains"] = json!(default.validate_org_domains);
            item["smtpSenderAddressMatchesInstanceDomain"] = json!(default.smtp_sender_address_matches_instance_domain);
        } else if kind == LoginPolicy::KIND {
            let default = self.setting::<LoginPolicy>(w.tx.conn(), instance).await?.value;
            for (member, seconds) in [
                ("passwordCheckLifetime", default.password_check_lifetime),
                ("externalLoginCheckLifetime", default.external_login_check_lifetime),
                ("mfaInitSkipLifetime", default.mfa_init_skip_lifetime),
                ("secondFactorCheckLifetime", default.second_factor_check_lifetime),
                ("multiFactorCheckLifetime", default.multi_factor_check_lifetime),
            ] {
                item[member] = json!(format!("{seconds}s"));
            }
        }
        Ok(())
    }

    /// A policy of the organization, written as the API writes it: its own
    /// setting of `kind`, with ZITADEL's events (`…added`, the label
    /// policy's `…activated`, the login policy's factors and providers).
    /// In an organization stored before, the same setting, or the same
    /// document of an earlier release's import, is the same policy.
    async fn write_policy(&self, w: &mut OrgWriter<'_>, section: &Section, kind: &str, item: Value) -> Result<()> {
        let org_id = w.org.id.clone();
        w.room().await?;
        let next = match crate::mgmt_policies::imported::setting_of_document(kind, &item.to_string()) {
            Ok(next) => next,
            // Refused as ZITADEL's command refuses it, alone.
            Err(e) if e.kind == ErrorKind::InvalidArgument => {
                w.settle(section.kind, &org_id, Stored::Skipped(e));
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let stored = burg_store::settings::load(w.tx.conn(), &self.instance_id, &org_id, kind).await?.map(|r| r.data);
        let mut events = settings::transition(kind, section.json, &w.org, stored.as_deref(), &next)?;
        if w.org_existed {
            let found = match &stored {
                Some(_) => Stored::found(events.is_empty()),
                None => match stored::object_data(w.tx, &org_id, section.kind.as_str(), "").await? {
                    Some(doc) => Stored::found(serde_json::from_str::<Value>(&doc).ok().as_ref() == Some(&item)),
                    None => Stored::Absent,
                },
            };
            if !w.settle(section.kind, &org_id, found) {
                return Ok(());
            }
        }
        if kind == LoginPolicy::KIND {
            // Each provider offered must be the organization's or the
            // instance's (ZITADEL's `prepareAddLoginPolicy`).
            for idp in item["idps"].as_array().into_iter().flatten() {
                if !w.idp(idp["idpId"].as_str().unwrap_or_default()).await?.is_some_and(|found| found.here) {
                    let e = Error::failed_precondition("Org-FEd32", "Errors.IDPConfig.NotExisting");
                    w.settle(section.kind, &org_id, Stored::Skipped(e));
                    return Ok(());
                }
            }
            let mut offered: Vec<&str> = Vec::new();
            for idp in item["idps"].as_array().into_iter().flatten() {
                let id = idp["idpId"].as_str().unwrap_or_default();
                if id.is_empty() || offered.contains(&id) {
                    continue;
                }
                offered.push(id);
                let owner = IdpProviderType::of_owner_type(&idp["ownerType"]);
                let added =
                    oe::LoginPolicyIdpAdded { idp_config_id: id.to_string(), idp_provider_type: owner.event_code() };
                events.push(NewEvent::new(&w.org, &added)?);
            }
        }
        for event in events {
            w.add(event);
        }
        Ok(())
    }
}

/// Checks imported machine key `data` as ZITADEL's `AddUserMachineKey`
/// does before it looks for the user: a public key given must be one, and
/// the expiry must come after `now` (microseconds). A key without an expiry
/// is refused too: ZITADEL's import reads it as the start of 1970.
fn machine_key_valid(data: &Value, now: i64) -> burg_domain::Result<()> {
    use base64::Engine as _;
    let public = text_at(data, "publicKey");
    if !public.is_empty() {
        let pem = base64::engine::general_purpose::STANDARD.decode(public).unwrap_or_default();
        if !burg_domain::machine_key::is_public_key(&pem) {
            let e = "`machineKeys.publicKey` is not an RSA public key in PEM";
            return Err(Error::invalid_argument(crate::shared_ids::NOT_A_PUBLIC_KEY, e));
        }
    }
    let expiry = burg_api::wkt::Timestamp::parse(text_at(data, "expirationDate")).map_or(0, |t| t.to_micros());
    if expiry <= now {
        let e = "`machineKeys.expirationDate` must be in the future";
        return Err(Error::invalid_argument(crate::shared_ids::EXPIRY_IN_PAST, e));
    }
    Ok(())
}

/// Check `r` as an item's answer: an error of `kind` (the check's own)
/// refuses the item, any other stops the import.
fn answer(r: Result<()>, kind: ErrorKind) -> Result<burg_domain::Result<()>> {
    match r {
        Err(e) if e.kind == kind => Ok(Err(e)),
        Err(e) => Err(e),
        Ok(()) => Ok(Ok(())),
    }
}

/// The public half of a new key pair, base64 of its PEM as a document
/// carries it.
async fn new_public_key() -> Result<String> {
    use base64::Engine as _;
    let (_, public) = crate::machine::new_key_pair().await?;
    Ok(base64::engine::general_purpose::STANDARD.encode(public))
}

/// The event ZITADEL's command writes for an item of `kind` (its
/// document event `doc`), on the same aggregate, for the kinds whose API
/// events burg's projection keeps as the documents the import would keep;
/// none for the other kinds, which keep their document event.
fn command_event(kind: Kind, doc: &NewEvent) -> Result<Option<NewEvent>> {
    use burg_domain::events::{action as ae, project as pe};
    let data = &doc.payload["data"];
    let texts =
        |path: &str| -> Vec<String> { list(data, path).filter_map(|v| v.as_str().map(str::to_string)).collect() };
    let flag = |path: &str| at(data, path).and_then(Value::as_bool).unwrap_or_default();
    let agg = &doc.aggregate;
    Ok(Some(match kind {
        Kind::Project => NewEvent::new(
            agg,
            &pe::ProjectAdded {
                name: text_at(data, "project.name").to_string(),
                project_role_assertion: flag("project.projectRoleAssertion"),
                project_role_check: flag("project.projectRoleCheck"),
                has_project_check: flag("project.hasProjectCheck"),
                private_labeling_setting: labeling_number(at(data, "project.privateLabelingSetting")),
            },
        )?,
        Kind::ProjectRole => NewEvent::new(
            agg,
            &pe::RoleAdded {
                key: text_at(data, "roleKey").to_string(),
                display_name: text_at(data, "displayName").to_string(),
                group: text_at(data, "group").to_string(),
            },
        )?,
        Kind::ProjectMember => NewEvent::new(
            agg,
            &pe::MemberAdded { user_id: text_at(data, "userId").to_string(), roles: texts("roles") },
        )?,
        Kind::ProjectGrant => NewEvent::new(
            agg,
            &pe::GrantAdded {
                grant_id: text_at(data, "grantId").to_string(),
                granted_org_id: text_at(data, "projectGrant.grantedOrgId").to_string(),
                role_keys: texts("projectGrant.roleKeys"),
            },
        )?,
        Kind::ProjectGrantMember => NewEvent::new(
            agg,
            &pe::GrantMemberAdded {
                user_id: text_at(data, "userId").to_string(),
                grant_id: text_at(data, "grantId").to_string(),
                roles: texts("roles"),
            },
        )?,
        // On the import's aggregate `<org>_<projectId>_<userId>`, which the
        // projection keys the grant by.
        Kind::UserGrant => NewEvent::new(
            agg,
            &burg_domain::events::user_grant::UserGrantAdded {
                user_id: text_at(data, "userId").to_string(),
                project_id: text_at(data, "projectId").to_string(),
                project_grant_id: text_at(data, "projectGrantId").to_string(),
                role_keys: texts("roleKeys"),
            },
        )?,
        // The projection keeps the key as a JSON key, as the API's are.
        Kind::MachineUserKey => NewEvent::new(
            agg,
            &burg_domain::events::machine::MachineKeyAdded {
                key_id: text_at(data, "keyId").to_string(),
                r#type: 1,
                expiration_date: burg_domain::events::EventTime(
                    burg_api::wkt::Timestamp::parse(text_at(data, "expirationDate")).map_or(0, |t| t.to_micros()),
                ),
                public_key: text_at(data, "publicKey").to_string(),
            },
        )?,
        Kind::UserMetadata => NewEvent::new(
            agg,
            &burg_domain::events::user::MetadataSet {
                key: text_at(data, "key").to_string(),
                value: text_at(data, "value").to_string(),
            },
        )?,
        Kind::Action => {
            let timeout = match text_at(data, "action.timeout") {
                "" => 0,
                t => parse_duration("action.timeout", t).map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)),
            };
            NewEvent::new(
                agg,
                &ae::ActionAdded {
                    name: text_at(data, "action.name").to_string(),
                    script: text_at(data, "action.script").to_string(),
                    timeout,
                    allowed_to_fail: flag("action.allowedToFail"),
                },
            )?
        }
        Kind::TriggerAction => NewEvent::new(
            agg,
            &ae::TriggerActionsSet {
                flow_type: ae::flow_of_document(&data["flowType"]),
                trigger_type: ae::trigger_of_document(&data["triggerType"]),
                action_ids: texts("actionIds"),
            },
        )?,
        _ => return Ok(None),
    }))
}

/// `zitadel.project.v1.PrivateLabelingSetting`'s number for its name as
/// proto3 JSON writes it, or its number.
fn labeling_number(value: Option<&Value>) -> i32 {
    match value {
        Some(Value::Number(n)) => n.as_i64().and_then(|n| i32::try_from(n).ok()).unwrap_or_default(),
        Some(Value::String(s)) if s == "PRIVATE_LABELING_SETTING_ENFORCE_PROJECT_RESOURCE_OWNER_POLICY" => 1,
        Some(Value::String(s)) if s == "PRIVATE_LABELING_SETTING_ALLOW_LOGIN_USER_RESOURCE_OWNER_POLICY" => 2,
        _ => 0,
    }
}

/// What an item's command refuses of its own fields before it looks
/// anything up (ZITADEL's ids); the fields it does not check are taken as
/// they are, empty or not.
fn fields_valid(section: &Section, data: &Value) -> Result<()> {
    use crate::shared_ids::{PROJECT_INVALID, PROJECT_OR_APP_INVALID};
    let empty = |path: &str| text_at(data, path).is_empty();
    let invalid = |id: &'static str, field: &str| {
        Err(Error::invalid_argument(id, format!("`{}.{field}` must not be empty", section.json)))
    };
    match section.kind {
        Kind::MachineUserKey if empty("userId") => invalid("COMMAND-xuiwk2", "userId"),
        Kind::Project if text_at(data, "project.name").trim().is_empty() => invalid(PROJECT_INVALID, "project.name"),
        Kind::AppKey if empty("appId") => invalid("COMMAND-029sn", "appId"),
        Kind::ProjectRole if empty("roleKey") => invalid(PROJECT_OR_APP_INVALID, "roleKey"),
        Kind::ProjectGrant if empty("projectGrant.projectId") => {
            invalid("COMMAND-FYRnWEzBzV", "projectGrant.projectId")
        }
        Kind::ProjectGrant if empty("projectGrant.grantedOrgId") => {
            invalid("COMMAND-PPhHpWGRAE", "projectGrant.grantedOrgId")
        }
        // `SetOrg*Text`: the language must be defined (an empty one is
        // `und`) and supported.
        _ if section.key == ["language"] => {
            crate::texts::supported_language(&crate::texts::make_language(text_at(data, "language")))
        }
        _ => Ok(()),
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
