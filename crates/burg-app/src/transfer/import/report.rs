//! What an import answers: per organization a success entry (the ids of
//! what was written) or the refusals that kept it out, and an entry for
//! each item that was there already.

use burg_api::admin::{
    ImportDataError, ImportDataSuccessOrg, ImportDataSuccessProjectGrant, ImportDataSuccessProjectGrantMember,
    ImportDataSuccessProjectMember, ImportDataSuccessUserGrant, ImportDataSuccessUserMetadata,
};
use burg_domain::Error;
use serde_json::Value;

use super::super::{Kind, text_at};
use super::ImportMode;

/// What became of one organization.
#[derive(Default)]
pub(super) struct Outcome {
    pub(super) success: Option<ImportDataSuccessOrg>,
    /// Users imported (a summary's success entry no longer lists them).
    pub(super) users: u64,
    pub(super) errors: Vec<ImportDataError>,
    /// The first codes of the users added, sent once committed.
    pub(super) drawn: Vec<super::writer::Drawn>,
    /// The document's users that could not be written (and are not
    /// stored): later organizations find no such user.
    pub(super) failed_users: Vec<String>,
}

impl Outcome {
    /// An organization that was not imported.
    pub(super) fn refused(errors: Vec<ImportDataError>) -> Outcome {
        Outcome { success: None, users: 0, errors, drawn: Vec::new(), failed_users: Vec::new() }
    }
}

/// A refusal of one item or more: it stops its organization.
pub(crate) struct Refused(pub(crate) Vec<ImportDataError>);

/// An organization's success entry while it is imported. A summary counts
/// the users and drops the ids at each batch, so that what it holds does
/// not grow with the organization.
pub(super) struct Tally {
    pub(super) org: ImportDataSuccessOrg,
    summary: bool,
    users: u64,
}

impl Tally {
    pub(super) fn new(org_id: &str, mode: ImportMode) -> Tally {
        let org = ImportDataSuccessOrg { org_id: org_id.to_string(), ..Default::default() };
        Tally { org, summary: mode.summary, users: 0 }
    }

    /// Between batches: a summary counts the users so far and drops the ids.
    pub(super) fn settle(&mut self) {
        if self.summary {
            self.users += (self.org.human_user_ids.len() + self.org.machine_user_ids.len()) as u64;
            let org_id = std::mem::take(&mut self.org.org_id);
            self.org = ImportDataSuccessOrg { org_id, ..Default::default() };
        }
    }

    /// The success entry and how many users it stands for.
    pub(super) fn finish(mut self) -> (ImportDataSuccessOrg, u64) {
        self.settle();
        let users = self.users + (self.org.human_user_ids.len() + self.org.machine_user_ids.len()) as u64;
        (self.org, users)
    }

    /// Lists a document written (`item` as it was written, under `key`).
    pub(super) fn document(&mut self, kind: Kind, item: &Value, key: &str) {
        let s = &mut self.org;
        let t = |p: &str| text_at(item, p).to_string();
        match kind {
            Kind::Project => s.project_ids.push(key.into()),
            Kind::ProjectRole => s.project_roles.push(key.into()),
            Kind::OidcApp => s.oidc_app_ids.push(key.into()),
            Kind::ApiApp => s.api_app_ids.push(key.into()),
            Kind::Action => s.action_ids.push(key.into()),
            Kind::OidcIdp => s.oidc_ipds.push(key.into()),
            Kind::JwtIdp => s.jwt_idps.push(key.into()),
            Kind::AppKey => s.app_keys.push(key.into()),
            Kind::MachineUserKey => s.machine_keys.push(key.into()),
            Kind::TriggerAction => {
                if let Ok(t) = serde_json::from_value(item.clone()) {
                    s.trigger_actions.push(t);
                }
            }
            Kind::ProjectGrant => s.project_grants.push(ImportDataSuccessProjectGrant {
                grant_id: t("grantId"),
                project_id: t("projectGrant.projectId"),
                org_id: t("projectGrant.grantedOrgId"),
            }),
            Kind::UserGrant => {
                s.user_grants.push(ImportDataSuccessUserGrant { project_id: t("projectId"), user_id: t("userId") })
            }
            Kind::ProjectMember => s
                .project_members
                .push(ImportDataSuccessProjectMember { project_id: t("projectId"), user_id: t("userId") }),
            Kind::ProjectGrantMember => s.project_grant_members.push(ImportDataSuccessProjectGrantMember {
                project_id: t("projectId"),
                grant_id: t("grantId"),
                user_id: t("userId"),
            }),
            Kind::UserMetadata => {
                s.user_metadata.push(ImportDataSuccessUserMetadata { user_id: t("id"), key: t("key") })
            }
            _ => {}
        }
    }
}

/// Item `id` of `kind` refused for `e`. The message reads as ZITADEL
/// renders an error in its import report: `ID=<error id> Message=<text>`
/// (ZITADEL's text is its i18n key, which burg uses where it answers as
/// ZITADEL does).
pub(super) fn error(kind: Kind, id: impl Into<String>, e: &Error) -> ImportDataError {
    entry(kind, id, e.id, &e.message)
}

fn entry(kind: Kind, id: impl Into<String>, error_id: &str, message: &str) -> ImportDataError {
    ImportDataError {
        r#type: kind.report_type().into(),
        id: id.into(),
        message: format!("ID={error_id} Message={message}"),
    }
}

/// The error id of an item that was there already with the same content:
/// reported, not refused.
pub const EXISTS_ID: &str = "IMPORT-exists";

/// Item `id` of `kind` is stored with the same content: left as it is.
pub(super) fn exists(kind: Kind, id: &str) -> ImportDataError {
    entry(kind, id, EXISTS_ID, "already exists with the same content; left as it is")
}

/// Item `id` of `kind` is stored with other content: refused.
pub(super) fn conflict(kind: Kind, id: &str) -> ImportDataError {
    entry(kind, id, "IMPORT-conflict", "already exists with different content; the organization was not imported")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_counts_the_users_it_drops() {
        let entry = |users: &[&str]| ImportDataSuccessOrg {
            org_id: "o1".into(),
            human_user_ids: users.iter().map(|u| u.to_string()).collect(),
            domains: vec!["d.example.com".into()],
            ..Default::default()
        };
        for summary in [true, false] {
            let mut tally = Tally { org: entry(&["u1", "u2"]), summary, users: 0 };
            tally.settle();
            tally.org.human_user_ids.push("u3".into());
            tally.org.machine_user_ids.push("m1".into());
            tally.settle();
            tally.org.human_user_ids.push("u4".into());
            let (org, users) = tally.finish();
            assert_eq!(users, 5, "summary: {summary}");
            assert_eq!(org.org_id, "o1");
            if summary {
                assert!(org.human_user_ids.is_empty() && org.machine_user_ids.is_empty() && org.domains.is_empty());
            } else {
                assert_eq!(org.human_user_ids, ["u1", "u2", "u3", "u4"]);
                assert_eq!(org.machine_user_ids, ["m1"]);
                assert_eq!(org.domains, ["d.example.com"]);
            }
        }
    }

    #[test]
    fn entries_name_the_kind_as_the_wire_does() {
        let e = Error::already_exists("IMPORT-usr01", "a different user with this id exists");
        let refused = error(Kind::HumanUser, "u1", &e);
        assert_eq!(refused.r#type, "human_user");
        assert_eq!(refused.message, "ID=IMPORT-usr01 Message=a different user with this id exists");
        assert_eq!(exists(Kind::OrgMember, "o_u").r#type, "org_member");
        assert_eq!(conflict(Kind::UserLink, "u_i").r#type, "user_link");
    }
}
