//! The check before anything is written: each organization's required
//! fields, limits, hash formats and ids unique within the document (its
//! users are checked one by one as they are written).

use std::collections::{HashMap, HashSet};

use burg_domain::{Error, Result, validate};

use super::super::{Kind, SECTIONS, check_item, key_of, report_id, text_at};
use super::doc::{Backing, OrgDoc};
use super::reader::{Checked, Format, Pass, read_orgs_from, read_v1_orgs};
use super::report::{Refused, error};

/// Checks an import document as `ImportData` does before it writes: the
/// proto3-JSON decoding, then each organization's required fields, limits,
/// hash formats and unique ids. Answers how many items would be refused.
pub fn check_document(bytes: &[u8]) -> Result<usize> {
    let doc: burg_api::admin::ImportDataOrg =
        burg_api::json::decode(burg_api::json::JsonInput::Bytes(bytes.to_vec().into()))
            .map_err(|e| Error::invalid_argument("IMPORT-json02", e))?;
    let mut refused = 0;
    for org in &doc.orgs {
        if let Err(r) = check_org(&OrgDoc::of(org)?) {
            refused += r.0.len();
        }
    }
    Ok(refused)
}

/// Checks an import document as `ImportData` checks one read from a file
/// or object storage: types item by item, then each organization's
/// required fields, limits, hash formats and unique ids. Answers how many
/// items would be refused.
pub fn check_file_document(bytes: &[u8], format: Format) -> Result<usize> {
    let mut refused = 0;
    let mut each = |org: OrgDoc| {
        if let Err(r) = check_org(&org) {
            refused += r.0.len();
        }
        true
    };
    match format {
        Format::V1 => read_v1_orgs(bytes, &mut || true, &mut each)?,
        Format::Today => read_orgs_from(bytes, Backing::Memory(bytes.into()), Pass::Check, &mut || true, &mut each)?,
    }
    Ok(refused)
}

/// The kinds whose second item in a document is reported on its own (see
/// the writer), not a refusal of the organization.
const REPORTED_TWICE: [Kind; 13] = [
    Kind::OidcIdp,
    Kind::JwtIdp,
    Kind::ProjectGrant,
    Kind::ProjectGrantMember,
    Kind::ProjectMember,
    Kind::UserGrant,
    Kind::MachineUserKey,
    Kind::Project,
    Kind::Action,
    Kind::OidcApp,
    Kind::ApiApp,
    Kind::ProjectRole,
    Kind::AppKey,
];

/// Checks an organization before anything is written: required fields,
/// limits, and ids unique within the document.
pub(super) fn check_org(org: &OrgDoc) -> Checked {
    let org_id = org.org_id();
    let mut refused = Vec::new();
    let mut check = |kind: Kind, id: String, r: Result<()>| {
        if let Err(e) = r {
            refused.push(error(kind, id, &e));
        }
    };
    check(Kind::Org, org_id.into(), validate::len("orgId", org_id, 1, 200));
    // The name is the writer's: an organization that is stored needs none.

    // Kind → ids; boxed strings: these sets grow with the organization.
    let mut seen: HashMap<Kind, HashSet<Box<str>>> = HashMap::new();
    // Domains and users are checked one by one as they are written:
    // ZITADEL's import reports each refused one and goes on.
    for l in org.each("userLinks") {
        let l = &l;
        // Required ids are the writer's: ZITADEL reports such a link alone.
        if let Err(e) = check_item("userLinks", &[], l) {
            let id = format!("{}_{}", text_at(l, "userId"), text_at(l, "idpId"));
            refused.push(error(Kind::UserLink, &id, &e));
        }
    }
    for section in SECTIONS {
        for item in org.items(section) {
            let item = &item;
            let key = key_of(section, item);
            let mut r = check_item(section.json, section.required, item);
            if section.json == "userMetadata" && r.is_ok() {
                // The value is bytes: its limit counts bytes, not base64.
                let len = base64_len(text_at(item, "value"));
                if len == 0 || len > 500_000 {
                    r = Err(Error::invalid_argument(
                        "IMPORT-meta01",
                        format!("`userMetadata.value` must have between 1 and 500000 bytes; it has {len}"),
                    ));
                }
            }
            if let Err(e) = r {
                refused.push(error(section.kind, report_id(section, org_id, &key, item), &e));
            }
            // Members and grants given twice are reported one by one when
            // written, as ZITADEL's import does; other ids given twice
            // refuse the organization.
            // A text given twice for a language is set twice (ZITADEL's
            // `SetOrg*Text`): the last one holds.
            if section.many
                && !REPORTED_TWICE.contains(&section.kind)
                && section.key != ["language"]
                && !seen.entry(section.kind).or_default().insert(key.as_str().into())
            {
                refused.push(error(section.kind, report_id(section, org_id, &key, item), &twice(&key)));
            }
        }
    }
    if refused.is_empty() { Ok(()) } else { Err(Refused(refused)) }
}

/// An id that appears twice in the document.
fn twice(id: &str) -> Error {
    Error::invalid_argument("IMPORT-dup01", format!("the id {id} appears twice in the document"))
}

fn base64_len(text: &str) -> usize {
    let padding = text.bytes().rev().take_while(|b| *b == b'=').count();
    (text.len() / 4 * 3).saturating_sub(padding)
}
