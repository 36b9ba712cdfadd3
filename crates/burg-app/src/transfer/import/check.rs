//! The check before anything is written: the document's decoding and each
//! organization's id (its items are checked one by one as they are
//! written).

use burg_domain::{Error, Result, validate};

use super::super::Kind;
use super::doc::{Backing, OrgDoc};
use super::reader::{Checked, Format, Pass, read_orgs_from, read_v1_orgs};
use super::report::{Refused, error};

/// Checks an import document as `ImportData` does before it writes: the
/// proto3-JSON decoding, then each organization's id. Answers how many
/// organizations would be refused before their items are looked at.
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
/// or object storage: types item by item, then each organization's id.
/// Answers how many organizations would be refused before their items are
/// looked at.
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

/// Checks an organization before anything is written: its id. Everything
/// else is checked item by item as it is written, because ZITADEL's import
/// reports each item its command refuses and goes on (the name is the
/// writer's too: an organization that is stored needs none).
pub(super) fn check_org(org: &OrgDoc) -> Checked {
    let org_id = org.org_id();
    match validate::len("orgId", org_id, 1, 200) {
        Ok(()) => Ok(()),
        Err(e) => Err(Refused(vec![error(Kind::Org, org_id, &e)])),
    }
}
