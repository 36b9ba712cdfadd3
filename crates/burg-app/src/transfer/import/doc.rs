//! The document model: an organization held as the place of each of its
//! sections, its items read back and parsed one by one while they are
//! worked on; and v1's organizations turned into today's form.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use burg_api::admin::DataOrg;
use burg_domain::{Error, Result};
use serde_json::{Value, json};

use super::reader::{Pass, scan_org};
use super::scan::Scan;
use super::source::TempFile;

/// Where an organization's JSON text is: in memory (a request's document)
/// or in a file (a local import file, or one downloaded from S3 or GCS).
#[derive(Clone)]
pub(crate) enum Backing {
    Memory(Arc<[u8]>),
    File(Arc<DocFile>),
}

/// An import document's file, and the downloaded copy to remove when the
/// last organization that reads from it is gone.
pub(crate) struct DocFile {
    pub(super) path: std::path::PathBuf,
    pub(super) _downloaded: Option<TempFile>,
}

/// One organization of a document, kept as where each of its sections
/// lies: an item is read and parsed only while it is worked on, so an
/// organization of any size costs a few ranges, not its text or a tree.
pub(crate) struct OrgDoc {
    pub(super) org_id: String,
    pub(super) backing: Backing,
    pub(super) sections: HashMap<String, Range<u64>>,
    /// Its human and machine users, when known (counted by the check).
    pub(crate) users: u64,
    /// Their ids, when known (read by the check): what other organizations
    /// of the document may refer to.
    pub(super) user_ids: Vec<Box<str>>,
    /// The text was written from a `DataOrg`, so it holds only what the
    /// types know. Text from a file is read through the types item by item
    /// (unknown members dropped, as a `DataOrg` would drop them).
    pub(super) written: bool,
    /// Read from a v1 document: its policies take the instance's defaults
    /// where ZITADEL's upgrade gives them (see [`upgrade_v1`]).
    pub(super) v1: bool,
    /// The first read that failed after the check had passed (the file
    /// went away or changed): the organization must not be committed.
    pub(super) failed: std::sync::Mutex<Option<String>>,
}

impl OrgDoc {
    pub(crate) fn of(org: &DataOrg) -> Result<OrgDoc> {
        let bytes: Arc<[u8]> = serde_json::to_vec(org)
            .map_err(|e| Error::internal("IMPORT-enc01", format!("cannot encode an org: {e}")))?
            .into();
        let scanned = scan_org(&mut Scan::new(&bytes[..], 0), Pass::Locate)
            .map_err(|e| Error::internal("IMPORT-enc02", format!("cannot read an encoded org: {e}")))?;
        let users = (org.human_users.len() + org.machine_users.len()) as u64;
        let humans = org.human_users.iter().map(|u| &u.user_id);
        let user_ids =
            humans.chain(org.machine_users.iter().map(|u| &u.user_id)).map(|id| id.as_str().into()).collect();
        Ok(OrgDoc {
            org_id: scanned.org_id,
            backing: Backing::Memory(bytes),
            sections: scanned.sections,
            users,
            user_ids,
            written: true,
            v1: false,
            failed: Default::default(),
        })
    }

    pub(super) fn org_id(&self) -> &str {
        &self.org_id
    }

    /// The bytes of a section (`None` when there is no such section, or
    /// when they cannot be read: then the failure is noted).
    fn reader(&self, json: &str) -> Option<Scan<Box<dyn std::io::BufRead + Send>>> {
        let range = self.sections.get(json)?;
        let reader: Box<dyn std::io::BufRead + Send> = match &self.backing {
            Backing::Memory(bytes) => {
                let part = Part(bytes.clone(), range.start as usize..range.end as usize);
                Box::new(std::io::Cursor::new(part))
            }
            Backing::File(doc) => {
                use std::io::{Read, Seek};
                let opened = std::fs::File::open(&doc.path)
                    .and_then(|mut file| file.seek(std::io::SeekFrom::Start(range.start)).map(|_| file));
                match opened {
                    Ok(file) => {
                        Box::new(std::io::BufReader::with_capacity(1 << 16, file.take(range.end - range.start)))
                    }
                    Err(e) => {
                        self.fail(format!("`{json}`: {e}"));
                        return None;
                    }
                }
            }
        };
        Some(Scan::new(reader, range.start))
    }

    fn fail(&self, message: String) {
        let mut failed = self.failed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        failed.get_or_insert(message);
    }

    /// An error when a section could not be read whole.
    pub(super) fn read_failure(&self) -> Result<()> {
        match self.failed.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref() {
            None => Ok(()),
            Some(message) => Err(Error::internal(
                "IMPORT-read2",
                format!(
                    "organization {}: the document could not be read again after its check: {message}",
                    self.org_id
                ),
            )),
        }
    }

    /// A section whole (`org`, a policy).
    pub(super) fn value(&self, json: &str) -> Option<Value> {
        let mut text = Vec::new();
        self.reader(json)?.value(Some(&mut text)).ok()?;
        self.parse(json, Shape::Whole, Reading::Typed, &text)
    }

    /// The items of a list section, each read and parsed when it is reached.
    pub(super) fn each<'a>(&'a self, json: &str) -> Box<dyn Iterator<Item = Value> + Send + 'a> {
        self.list(json, Reading::Json)
    }

    fn list<'a>(&'a self, json: &str, reading: Reading) -> Box<dyn Iterator<Item = Value> + Send + 'a> {
        match self.reader(json) {
            Some(scan) => Box::new(Items { doc: self, json: json.to_string(), scan, started: false, reading }),
            None => Box::new(std::iter::empty()),
        }
    }

    /// Section `json`'s value or one of its items (`shape`), read as
    /// `reading` says.
    fn parse(&self, json: &str, shape: Shape, reading: Reading, text: &[u8]) -> Option<Value> {
        let item = shape == Shape::Item;
        if self.written || reading == Reading::Json {
            if let Ok(value) = serde_json::from_slice(text) {
                return Some(value);
            }
            if self.written {
                return None;
            }
        }
        let key = serde_json::to_string(json).ok()?;
        let mut one = format!("{{{key}:{}", if item { "[" } else { "" }).into_bytes();
        one.extend_from_slice(text);
        one.extend_from_slice(if item { b"]}" } else { b"}" });
        let typed: DataOrg = serde_json::from_slice(&one).ok()?;
        let mut value = serde_json::to_value(&typed).ok()?;
        let mut member = value.get_mut(json)?.take();
        if item { member.get_mut(0).map(Value::take) } else { Some(member) }
    }

    /// The items of list section `json`, read as `reading` says, each
    /// made a `T` by `f`, handed out in batches.
    pub(super) fn batches<'a, T>(
        &'a self,
        json: &str,
        reading: Reading,
        f: impl Fn(Value) -> T + Send + 'a,
    ) -> Batches<'a, T> {
        Batches(Box::new(self.list(json, reading).map(f).fuse()))
    }
}

/// How an item's text is made a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reading {
    /// As JSON, falling back to the types for text that only they accept
    /// (such as unknown members that are not UTF-8).
    Json,
    /// As the types read it: unknown members dropped, values in their
    /// canonical form (for what is stored whole).
    Typed,
}

/// What a text is within its section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// The section's whole value.
    Whole,
    /// One item of the section's list.
    Item,
}

/// Items per batch of [`OrgDoc::batches`].
const BATCH: usize = 500;

/// A section's items in batches of [`BATCH`]: a batch's stored
/// counterparts are looked up with a few queries.
pub(super) struct Batches<'a, T>(pub(super) Box<dyn Iterator<Item = T> + Send + 'a>);

impl<T> Batches<'_, T> {
    pub(super) fn next(&mut self) -> Option<Vec<T>> {
        let batch: Vec<T> = self.0.by_ref().take(BATCH).collect();
        (!batch.is_empty()).then_some(batch)
    }
}

/// A range of shared bytes, for a reader.
struct Part(Arc<[u8]>, std::ops::Range<usize>);

impl AsRef<[u8]> for Part {
    fn as_ref(&self) -> &[u8] {
        self.0.get(self.1.clone()).unwrap_or_default()
    }
}

/// The items of a list section, parsed one by one; an item that does not
/// parse is passed over (the check before the import refuses such a
/// document), a broken list ends the items.
struct Items<'a> {
    doc: &'a OrgDoc,
    json: String,
    scan: Scan<Box<dyn std::io::BufRead + Send>>,
    started: bool,
    reading: Reading,
}

impl Iterator for Items<'_> {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        let more = if self.started {
            self.scan.more(b']')
        } else {
            self.started = true;
            self.scan.open(b'[')
        };
        let mut text = Vec::new();
        let read = more.and_then(|more| if more { self.scan.value(Some(&mut text)).map(|_| true) } else { Ok(false) });
        match read {
            Ok(false) => None,
            // The check read this list whole, so a fault or an item that
            // does not parse means the bytes changed since.
            Err(fault) => {
                self.doc.fail(format!("`{}`: {fault}", self.json));
                None
            }
            Ok(true) => {
                let item = self.doc.parse(&self.json, Shape::Item, self.reading, &text);
                if item.is_none() {
                    self.doc.fail(format!("`{}`: an item does not parse", self.json));
                }
                item
            }
        }
    }
}

/// An organization of a v1 document (`dataOrgsv1…`) in today's form, as
/// ZITADEL's `dataOrgsV1ToDataOrgs` makes it. The JSON names are the same
/// but for these: the org IAM policy becomes the domain policy (its other
/// two flags and the login policy's lifetimes are the instance's defaults,
/// filled in when written: [`OrgDoc::v1`]); the second factors, multi
/// factors and IdPs that v1 lists beside the login policy go into it, and
/// are dropped when there is none; invite texts are not carried over.
pub(super) fn upgrade_v1(org: &burg_api::zitadel::v1::v1::DataOrg) -> Result<DataOrg> {
    let bad = |e: serde_json::Error| Error::invalid_argument("IMPORT-v1001", format!("a v1 organization: {e}"));
    let mut value = serde_json::to_value(org).map_err(bad)?;
    let Some(map) = value.as_object_mut() else {
        return Err(Error::invalid_argument("IMPORT-v1002", "a v1 organization is not an object"));
    };
    if let Some(policy) = map.remove("iamPolicy") {
        let must_be_domain = policy.get("userLoginMustBeDomain").cloned().unwrap_or(Value::Bool(false));
        map.insert("domainPolicy".into(), json!({"userLoginMustBeDomain": must_be_domain}));
    }
    map.remove("inviteUserMessages");
    let types = |items: Option<Value>| -> Vec<Value> {
        items
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|i| i.get("type").cloned())
            .collect()
    };
    let second = types(map.remove("secondFactors"));
    let multi = types(map.remove("multiFactors"));
    let idps = map.remove("idps").and_then(|v| v.as_array().cloned()).unwrap_or_default();
    if let Some(policy) = map.get_mut("loginPolicy").filter(|p| p.is_object()) {
        for (key, items) in [("secondFactors", second), ("multiFactors", multi), ("idps", idps)] {
            if !items.is_empty() {
                policy[key] = Value::Array(items);
            }
        }
    }
    serde_json::from_value(value).map_err(bad)
}

#[cfg(test)]
mod tests {
    use super::super::super::text_at;
    use super::super::reader::{Format, read_orgs};
    use super::*;

    /// The organizations of `text`, read from a file as an import reads them.
    fn from_file(text: &str) -> (tempfile::TempDir, Vec<OrgDoc>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.json");
        std::fs::write(&path, text).unwrap();
        let file = Arc::new(DocFile { path, _downloaded: None });
        let mut orgs = Vec::new();
        read_orgs(&file, Format::Today, Pass::Check, &mut || true, &mut |org| {
            orgs.push(org);
            true
        })
        .unwrap_or_else(|e| panic!("{}", e.message));
        (dir, orgs)
    }

    #[test]
    fn items_are_read_back_from_the_file_by_place() {
        let (_dir, orgs) = from_file(
            r#"{"orgs": [{"orgId": "1", "humanUsers": [{"userId": "u1", "user": {"userName": "a", "x": 1}},
                {"userId": "u2", "user": {"userName": "b"}}], "machineUsers": [],
                "projects": [{"projectId": "p", "project": {"name": "P"}, "unknown": true}]},
                {"orgId": "2"}], "other": [1]}"#,
        );
        assert_eq!(orgs.len(), 2);
        let ids: Vec<String> = orgs[0].each("humanUsers").map(|u| text_at(&u, "userId").to_string()).collect();
        assert_eq!(ids, ["u1", "u2"]);
        assert_eq!(orgs[0].each("machineUsers").count(), 0);
        assert_eq!(orgs[0].each("orgMembers").count(), 0, "an absent list");
        let projects: Vec<Value> = orgs[0].list("projects", Reading::Typed).collect();
        assert_eq!(projects, [json!({"projectId": "p", "project": {"name": "P"}})], "unknown members dropped");
        assert_eq!(orgs[1].org_id, "2");
        assert!(orgs[0].read_failure().is_ok());
    }

    #[test]
    fn a_file_gone_before_its_items_are_read_is_a_failure() {
        let (dir, orgs) = from_file(r#"{"orgs": [{"orgId": "1", "humanUsers": [{"userId": "u1"}]}]}"#);
        drop(dir);
        assert_eq!(orgs[0].each("humanUsers").count(), 0);
        let err = orgs[0].read_failure().unwrap_err();
        assert_eq!(err.id, "IMPORT-read2");
    }

    #[test]
    fn a_file_changed_after_its_check_is_a_failure() {
        let (dir, orgs) =
            from_file(r#"{"orgs": [{"orgId": "1", "humanUsers": [{"userId": "u1"}, {"userId": "u2"}]}]}"#);
        std::fs::write(dir.path().join("doc.json"), r#"{"orgs": [{"orgId": "1", "humanUsers": [{"userId": "#).unwrap();
        let _ = orgs[0].each("humanUsers").count();
        assert!(orgs[0].read_failure().is_err());
    }
}
