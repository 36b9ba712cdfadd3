//! The organization itself, its domains and its members.

use burg_domain::event::{NewEvent, aggregate};
use burg_domain::events::org as oe;
use burg_domain::{Error, Result};
use burg_store::transfer::import as stored;
use serde_json::Value;

use super::super::super::{Kind, at, list, text_at};
use super::super::doc::OrgDoc;
use super::{OrgWriter, Stored};
use crate::App;

/// ZITADEL's `AddOrgWithID` on an id that has an organization, or had one:
/// an import goes on into a stored one.
pub const ORG_EXISTS_ID: &str = "ORG-lapo2m";

impl App {
    /// The organization, as ZITADEL's `AddOrgWithID`: one stored under its
    /// id (whatever its name) is reported as existing and the import goes
    /// on into it; a removed one's id, an empty name or a name another
    /// organization has refuses it.
    pub(super) async fn write_org_row(&self, w: &mut OrgWriter<'_>, org: &OrgDoc) -> Result<()> {
        let org_id = org.org_id();
        let name = text_at(&org.value("org").unwrap_or_default(), "name").trim().to_string();
        let stored_name = stored::org_name(w.tx, org_id).await?;
        w.org_existed = stored_name.is_some();
        let existing = || Error::not_found(ORG_EXISTS_ID, "Errors.Org.AlreadyExisting");
        let found = match stored_name {
            Some(_) => Stored::Skipped(existing()),
            None if stored::has_history(w.tx, aggregate::ORG, org_id).await? => Stored::Refused(existing()),
            None if name.is_empty() => {
                Stored::Refused(Error::invalid_argument("COMM-deLSk", "`org.name` is empty once trimmed"))
            }
            None if stored::org_name_taken(w.tx, &name).await? => {
                Stored::Refused(Error::already_exists("V3-DKcYh", "Errors.Org.AlreadyExists"))
            }
            None => Stored::Absent,
        };
        if !w.settle(Kind::Org, org_id, found) {
            return Ok(());
        }
        // The generated domain, added verified and primary with the
        // organization (ZITADEL's `addOrgWithID`, `AddIAMDomain`).
        let instance_domain = self.primary_instance_domain(w.tx.conn()).await?;
        let generated = match burg_domain::validate::org_domain_name(&name, &instance_domain) {
            Ok(generated) => generated,
            Err(e) => {
                w.settle(Kind::Org, org_id, Stored::Refused(e));
                return Ok(());
            }
        };
        if stored::domain(w.tx, org_id, &generated).await?.1 {
            let e = Error::already_exists("V3-DKcYh", "Errors.Org.Domain.AlreadyExists");
            w.settle(Kind::Org, org_id, Stored::Refused(e));
            return Ok(());
        }
        w.add(NewEvent::new(&w.org, &oe::OrgAdded { name })?);
        w.add(NewEvent::new(&w.org, &oe::DomainAdded { domain: generated.clone() })?);
        w.add(NewEvent::new(&w.org, &oe::DomainVerified { domain: generated.clone() })?);
        w.add(NewEvent::new(&w.org, &oe::DomainPrimarySet { domain: generated.clone() })?);
        w.generated_domain = Some(generated);
        // An inactive organization is deactivated as it is added (ZITADEL's
        // AddOrgWithID with `setOrgInactive`); one stored already is left as it is.
        let state = org.value("orgState").unwrap_or_default();
        let inactive = burg_api::zitadel::org::v1::OrgState::Inactive;
        if state.as_str() == Some(inactive.as_str_name()) || state.as_i64() == Some(inactive as i64) {
            w.add(NewEvent::new(&w.org, &oe::OrgDeactivated {})?);
        }
        // The user who imports owns the new organization, as ZITADEL's
        // AddOrgWithID makes them; a member entry of theirs in the document
        // is then reported as one that exists. From the command line there
        // is no such user.
        let caller = w.caller;
        if !caller.is_empty() && w.user_exists(caller).await? {
            w.first_time(Kind::OrgMember, caller);
            let owner = vec!["ORG_OWNER".to_string()];
            w.add(NewEvent::new(&w.org, &oe::MemberAdded { user_id: caller.to_string(), roles: owner })?);
        }
        // An organization that never had events has nothing else either
        // (a removed one, refused above, keeps its history).
        w.tx.assume_new_aggregates();
        Ok(())
    }

    /// The domains, each as ZITADEL's import adds it: `AddOrgDomain`
    /// (trimmed; empty IA `ORG-r3h4J`; one the organization has AE
    /// `V2-e1wse`, or the same with the same flags "exists"; verified at
    /// once when the organization's domain policy does not validate
    /// domains; verified in another organization AE `V3-DKcYh`), then its
    /// `isVerified` and `isPrimary` (a primary domain must be verified,
    /// `domain_isprimary` FP `ORG-Ggd32`).
    pub(super) async fn write_domains(&self, w: &mut OrgWriter<'_>, org: &OrgDoc) -> Result<()> {
        use burg_domain::policies::DomainPolicy;
        let org_id = org.org_id();
        let validated = self.import_setting::<DomainPolicy>(w, org, "domainPolicy").await?.validate_org_domains;
        for d in org.each("domains") {
            w.room().await?;
            let domain = text_at(&d, "domainName").trim().to_string();
            let id = format!("{org_id}_{}", text_at(&d, "domainName"));
            let verify = at(&d, "isVerified").and_then(Value::as_bool).unwrap_or(false);
            let primary = at(&d, "isPrimary").and_then(Value::as_bool).unwrap_or(false);
            let (mut here, taken) = stored::domain(w.tx, org_id, &domain).await?;
            let generated = w.generated_domain.as_deref() == Some(domain.as_str());
            // The organization's own domain, added verified with it: the
            // document's entry for it (ZITADEL's export lists it) asks for
            // what is there. ZITADEL reports it as AE `V2-e1wse`; burg
            // does not (docs/departures.md).
            if generated && verify {
                w.tally.org.domains.push(domain);
                continue;
            }
            if generated {
                here = Some(stored::StoredDomain { org_id: org_id.to_string(), verified: true, primary: true });
            }
            let verified_now = !validated || verify;
            let found = match &here {
                _ if domain.is_empty() => Stored::Skipped(Error::invalid_argument(
                    crate::shared_ids::DOMAIN_BLANK,
                    "`domains.domainName` is empty",
                )),
                // The organization's own, asked for unverified.
                _ if generated => {
                    Stored::Skipped(Error::already_exists(crate::shared_ids::DOMAIN_ON_ORG, "Errors.Already.Exists"))
                }
                Some(s) if s.verified == verify && s.primary == primary => Stored::Same,
                Some(_) => {
                    Stored::Skipped(Error::already_exists(crate::shared_ids::DOMAIN_ON_ORG, "Errors.Already.Exists"))
                }
                None if !w.first_time(Kind::Domain, &domain) => {
                    Stored::Skipped(Error::already_exists(crate::shared_ids::DOMAIN_ON_ORG, "Errors.Already.Exists"))
                }
                // The verified domain's unique constraint, which
                // AddOrgDomain's own verified event hits.
                None if taken && !validated => {
                    Stored::Skipped(Error::already_exists("V3-DKcYh", "Errors.Org.Domain.AlreadyExists"))
                }
                None => Stored::Absent,
            };
            let written = w.settle(Kind::Domain, &id, found);
            // Under a policy that validates domains the domain is added
            // unverified, and verifying one that another organization
            // verified hits the constraint (`domain_isverified`).
            let verified_now = verified_now && !(written && validated && taken);
            if written && validated && verify && taken {
                let e = Error::already_exists("V3-DKcYh", "Errors.Org.Domain.AlreadyExists");
                w.settle(Kind::DomainIsVerified, &id, Stored::Skipped(e));
            }
            if written {
                w.add(NewEvent::new(&w.org, &oe::DomainAdded { domain: domain.clone() })?);
                if verified_now {
                    w.add(NewEvent::new(&w.org, &oe::DomainVerified { domain: domain.clone() })?);
                }
                w.tally.org.domains.push(domain.clone());
            }
            // A domain the organization had goes on to its flags, as
            // ZITADEL's import goes on after AddOrgDomain failed.
            let Some(is_verified) = (if written { Some(verified_now) } else { here.as_ref().map(|s| s.verified) })
            else {
                continue;
            };
            let is_primary = !written && here.as_ref().is_some_and(|s| s.primary);
            if primary && !is_primary {
                if is_verified {
                    w.add(NewEvent::new(&w.org, &oe::DomainPrimarySet { domain: domain.clone() })?);
                } else {
                    let e = Error::failed_precondition(
                        crate::shared_ids::DOMAIN_NOT_VERIFIED,
                        "Errors.Org.DomainNotVerified",
                    );
                    w.settle(Kind::DomainIsPrimary, &id, Stored::Skipped(e));
                }
            }
        }
        Ok(())
    }

    /// The members: one stored with the same roles is the same.
    pub(super) async fn write_members(&self, w: &mut OrgWriter<'_>, org: &OrgDoc) -> Result<()> {
        let org_id = org.org_id();
        for m in org.each("orgMembers") {
            w.room().await?;
            let user_id = text_at(&m, "userId").to_string();
            let roles: Vec<String> = list(&m, "roles").filter_map(|r| r.as_str().map(str::to_string)).collect();
            let id = format!("{org_id}_{user_id}");
            // ZITADEL's AddOrgMember, in its order: a user and roles, the
            // roles of an organization member, the user, then the member.
            if let Err(e) = crate::mgmt_org::member::org_member_valid(&user_id, &roles, "orgMembers.") {
                w.settle(Kind::OrgMember, &id, Stored::Skipped(e));
                continue;
            }
            if !w.user_exists(&user_id).await? {
                w.settle(
                    Kind::OrgMember,
                    &id,
                    Stored::Skipped(super::no_such_user(crate::shared_ids::MEMBER_USER_NOT_FOUND)),
                );
                continue;
            }
            if !w.first_time(Kind::OrgMember, &user_id)
                && let Some(e) = super::duplicate(Kind::OrgMember)
            {
                w.settle(Kind::OrgMember, &id, Stored::Skipped(e));
                continue;
            }
            // A member stored with other roles is reported, as ZITADEL's
            // AddOrgMember answers it, and left as it is.
            let found = match stored::member_roles(w.tx, org_id, &user_id).await? {
                Some(stored) if stored == roles => Stored::Same,
                Some(_) => Stored::Different,
                None => Stored::Absent,
            };
            if !w.settle(Kind::OrgMember, &id, found) {
                continue;
            }
            w.add(NewEvent::new(&w.org, &oe::MemberAdded { user_id: user_id.clone(), roles })?);
            w.tally.org.org_members.push(user_id);
        }
        Ok(())
    }
}
