//! Reading a document: its organizations one at a time, each checked, the
//! next one read while the current one is written. A file is scanned for
//! where each organization's sections lie ([`scan_org`]); v1's documents
//! are parsed organization by organization and upgraded.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use burg_api::admin::DataOrg;
use burg_domain::{Error, Result};

use super::check::check_org;
use super::doc::{Backing, DocFile, OrgDoc, upgrade_v1};
use super::report::Refused;
use super::scan::{Fault, Scan};
use super::source::Source;

/// The format of an import document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `{"orgs": [...]}` of today's `DataOrg`s (`dataOrgs…`).
    Today,
    /// v1's (`dataOrgsv1…`).
    V1,
}

/// What a pass over a document does with each organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Pass {
    /// Reads its members as a `DataOrg` would read them (one list item at
    /// a time) and counts its users.
    Check,
    /// Only finds where its members lie.
    Locate,
}

/// The users of a whole document, as 64-bit hashes of their ids (an eighth
/// of the memory of the ids at 100,000 users; a collision could only hide
/// a missing user, never refuse a present one).
#[derive(Debug, Default)]
pub(super) struct DocumentUsers(HashSet<u64>);

impl DocumentUsers {
    fn key(id: &str) -> u64 {
        // DefaultHasher::new() has fixed keys: the same id, the same hash.
        let mut h = DefaultHasher::new();
        id.hash(&mut h);
        h.finish()
    }

    pub(super) fn extend<'i>(&mut self, ids: impl Iterator<Item = &'i str>) {
        self.0.extend(ids.map(Self::key));
    }

    pub(super) fn remove(&mut self, id: &str) {
        self.0.remove(&Self::key(id));
    }

    pub(super) fn contains(&self, id: &str) -> bool {
        self.0.contains(&Self::key(id))
    }
}

/// What [`check_org`] found.
pub(super) type Checked = std::result::Result<(), Refused>;

/// The organizations of a document, handed out one by one, each with the
/// result of its [`check_org`].
pub(super) struct Orgs {
    rx: tokio::sync::mpsc::Receiver<Result<(OrgDoc, Checked)>>,
    /// Asks the file reader for the next organization.
    demand: std::sync::mpsc::Sender<()>,
    /// The users of each organization to come, as the check counted them.
    pub(super) planned: std::collections::VecDeque<u64>,
    /// Every user of the document: members and grants may name a user of
    /// any of its organizations, earlier or later.
    pub(super) document_users: DocumentUsers,
    /// The instance's section (`burgInstance`), when the document has one.
    pub(super) instance: Option<serde_json::Value>,
}

impl Orgs {
    pub(super) async fn next(&mut self) -> Option<Result<(OrgDoc, Checked)>> {
        let _ = self.demand.send(());
        self.rx.recv().await
    }
}

impl Source {
    /// The organizations, one at a time. A file is read twice: once to
    /// check the whole document (types, enums, base64) before anything is
    /// written, then to import it org by org, so that memory holds one
    /// organization, not the document.
    ///
    /// The reader keeps one organization ahead of the importer: it reads
    /// and checks the next one while the current one is written.
    pub(super) async fn orgs(self) -> Result<Orgs> {
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let (demand, wanted) = std::sync::mpsc::channel::<()>();
        let checked = |org: OrgDoc| {
            let result = check_org(&org);
            (org, result)
        };
        let planned;
        let mut document_users = DocumentUsers::default();
        let instance;
        match self {
            Source::Inline(orgs, section, v1) => {
                instance = section;
                planned = orgs.iter().map(|o| (o.human_users.len() + o.machine_users.len()) as u64).collect();
                for org in &orgs {
                    let humans = org.human_users.iter().map(|u| &u.user_id);
                    let ids = humans.chain(org.machine_users.iter().map(|u| &u.user_id));
                    document_users.extend(ids.map(|id| id.as_str()));
                }
                tokio::task::spawn_blocking(move || {
                    for org in orgs {
                        let doc = OrgDoc::of(&org).map(|doc| OrgDoc { v1, ..doc });
                        if wanted.recv().is_err() || tx.blocking_send(doc.map(checked)).is_err() {
                            return;
                        }
                    }
                });
            }
            Source::File { path, keep, format } => {
                // The organizations handed out read their items from the
                // file: it stays until the last of them is dropped.
                let file = Arc::new(DocFile { path, _downloaded: keep });
                let check = file.clone();
                let section;
                (planned, document_users, section) = tokio::task::spawn_blocking(move || {
                    let mut users = std::collections::VecDeque::new();
                    let mut ids = DocumentUsers::default();
                    let mut section = None;
                    let each = &mut |org: OrgDoc| {
                        users.push_back(org.users);
                        ids.extend(org.user_ids.iter().map(|id| &**id));
                        true
                    };
                    read_document(&check, format, Pass::Check, &mut || true, each, &mut section)
                        .map(|_| (users, ids, section))
                })
                .await
                .map_err(|e| Error::internal("IMPORT-read1", format!("the reader stopped: {e}")))??;
                instance = section
                    .map(|bytes| {
                        serde_json::from_slice(&bytes).map_err(|e| {
                            Error::invalid_argument("IMPORT-inst00", format!("`burgInstance` is no JSON value: {e}"))
                        })
                    })
                    .transpose()?;
                tokio::task::spawn_blocking(move || {
                    // An organization is read only when the importer asks
                    // for it.
                    let sent = read_orgs(&file, format, Pass::Locate, &mut || wanted.recv().is_ok(), &mut |org| {
                        tx.blocking_send(Ok(checked(org))).is_ok()
                    });
                    if let Err(e) = sent {
                        let _ = tx.blocking_send(Err(e));
                    }
                });
            }
        }
        // The one ahead.
        let _ = demand.send(());
        Ok(Orgs { rx, demand, planned, document_users, instance })
    }
}

/// Streams the organizations of a file to `each` (which says whether to go
/// on), asking `before` each one whether one is wanted; `pass`: see
/// [`Pass`].
pub(super) fn read_orgs(
    file: &Arc<DocFile>,
    format: Format,
    pass: Pass,
    before: &mut dyn FnMut() -> bool,
    each: &mut dyn FnMut(OrgDoc) -> bool,
) -> Result<()> {
    read_document(file, format, pass, before, each, &mut None)
}

/// [`read_orgs`], keeping the bytes of the instance's section
/// (`burgInstance`) in `instance` when the document has one.
pub(super) fn read_document(
    file: &Arc<DocFile>,
    format: Format,
    pass: Pass,
    before: &mut dyn FnMut() -> bool,
    each: &mut dyn FnMut(OrgDoc) -> bool,
    instance: &mut Option<Vec<u8>>,
) -> Result<()> {
    let opened = std::fs::File::open(&file.path)
        .map_err(|e| Error::invalid_argument("IMPORT-file01", format!("cannot read the input file: {e}")))?;
    let reader = std::io::BufReader::with_capacity(1 << 20, opened);
    match format {
        Format::V1 => read_v1_orgs(reader, before, each),
        Format::Today => read_today(reader, Backing::File(file.clone()), pass, before, each, instance),
    }
}

/// Organizations of a document in today's format (`{"orgs": [...]}`; other
/// members are skipped). Each is handed out as where its sections lie in
/// `backing`, which holds the same bytes as `reader`.
pub(crate) fn read_orgs_from(
    reader: impl std::io::BufRead,
    backing: Backing,
    pass: Pass,
    before: &mut dyn FnMut() -> bool,
    each: &mut dyn FnMut(OrgDoc) -> bool,
) -> Result<()> {
    read_today(reader, backing, pass, before, each, &mut None)
}

fn read_today(
    reader: impl std::io::BufRead,
    backing: Backing,
    pass: Pass,
    before: &mut dyn FnMut() -> bool,
    each: &mut dyn FnMut(OrgDoc) -> bool,
    instance: &mut Option<Vec<u8>>,
) -> Result<()> {
    let bad = |e: Fault| Error::invalid_argument("IMPORT-json01", format!("the input document: {e}"));
    let mut s = Scan::new(reader, 0);
    if s.open(b'{').map_err(bad)? {
        loop {
            let key = s.key().map_err(bad)?;
            if key == "orgs" {
                let mut n = 0;
                if s.open(b'[').map_err(bad)? {
                    loop {
                        if !before() {
                            return Ok(());
                        }
                        let Scanned { org_id, sections, users, user_ids } = scan_org(&mut s, pass).map_err(|e| {
                            Error::invalid_argument(
                                "IMPORT-json03",
                                format!("the input document: organization {n} (counting from 0): {e}"),
                            )
                        })?;
                        n += 1;
                        let org = OrgDoc {
                            org_id,
                            backing: backing.clone(),
                            sections,
                            users,
                            user_ids,
                            written: false,
                            v1: false,
                            failed: Default::default(),
                        };
                        if !each(org) {
                            return Ok(());
                        }
                        if !s.more(b']').map_err(bad)? {
                            break;
                        }
                    }
                }
            } else if key == "burgInstance" {
                let mut bytes = Vec::new();
                s.value(Some(&mut bytes)).map_err(bad)?;
                *instance = Some(bytes);
            } else {
                s.value(None).map_err(bad)?;
            }
            if !s.more(b'}').map_err(bad)? {
                break;
            }
        }
    }
    match s.ws().map_err(bad)? {
        None => Ok(()),
        Some(_) => Err(bad(Fault { at: s.pos(), message: "more after the document".into() })),
    }
}

/// Where each member of an organization lies.
pub(super) type Sections = HashMap<String, Range<u64>>;

/// What [`scan_org`] found of one organization.
pub(super) struct Scanned {
    pub(super) org_id: String,
    pub(super) sections: Sections,
    /// Its human and machine users, counted by a check.
    pub(super) users: u64,
    /// Their ids, read by a check.
    pub(super) user_ids: Vec<Box<str>>,
}

/// One organization object: its id, where each member lies and (when
/// `pass` checks) how many human and machine users it has. A check reads
/// its members as a `DataOrg` would read them, but one list item at a
/// time: each item as the only member of its list, the other members
/// together.
pub(super) fn scan_org<R: std::io::BufRead>(s: &mut Scan<R>, pass: Pass) -> std::result::Result<Scanned, String> {
    let check = pass == Pass::Check;
    let typed = |place: &str, text: &[u8]| -> std::result::Result<DataOrg, String> {
        serde_json::from_slice::<DataOrg>(text).map_err(|e| {
            let message = e.to_string();
            format!("{place}: {}", message.split(" at line ").next().unwrap_or_default())
        })
    };
    let mut sections = HashMap::new();
    let mut org_id = String::new();
    let mut users = 0;
    let mut user_ids = Vec::new();
    let mut rest = b"{".to_vec();
    if s.open(b'{')? {
        loop {
            let key = s.key()?;
            let range = if check && s.ws()? == Some(b'[') {
                let start = s.pos();
                let wrapped = serde_json::to_string(&key).unwrap_or_default();
                if s.open(b'[')? {
                    let mut i = 0;
                    loop {
                        let mut one = format!("{{{wrapped}:[").into_bytes();
                        s.value(Some(&mut one))?;
                        one.extend_from_slice(b"]}");
                        let item = typed(&format!("{key}[{i}]"), &one)?;
                        let user = item.human_users.first().map(|u| &u.user_id);
                        if let Some(id) = user.or(item.machine_users.first().map(|u| &u.user_id)) {
                            user_ids.push(id.as_str().into());
                        }
                        i += 1;
                        if !s.more(b']')? {
                            break;
                        }
                    }
                    if key == "humanUsers" || key == "machineUsers" {
                        users += i;
                    }
                }
                start..s.pos()
            } else if check || key == "orgId" {
                let mut text = Vec::new();
                let range = s.value(Some(&mut text))?;
                if key == "orgId" {
                    org_id = serde_json::from_slice(&text).unwrap_or_default();
                }
                if check {
                    if rest.len() > 1 {
                        rest.push(b',');
                    }
                    rest.extend_from_slice(serde_json::to_string(&key).unwrap_or_default().as_bytes());
                    rest.push(b':');
                    rest.extend_from_slice(&text);
                }
                range
            } else {
                s.value(None)?
            };
            sections.insert(key, range);
            if !s.more(b'}')? {
                break;
            }
        }
    }
    if check {
        rest.push(b'}');
        typed("an organization", &rest)?;
    }
    Ok(Scanned { org_id, sections, users, user_ids })
}

/// Organizations of a v1 document (`dataOrgsv1…`), in today's form.
pub(crate) fn read_v1_orgs(
    reader: impl std::io::Read,
    before: &mut dyn FnMut() -> bool,
    each: &mut dyn FnMut(OrgDoc) -> bool,
) -> Result<()> {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    type Hooks<'a> = (&'a mut dyn FnMut() -> bool, &'a mut dyn FnMut(OrgDoc) -> bool);
    struct Doc<'a>(Hooks<'a>);
    struct OrgList<'a>(Hooks<'a>);
    impl<'de> Visitor<'de> for Doc<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str(r#"a document {"orgs": [...]}"#)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
            while let Some(key) = map.next_key::<String>()? {
                if key == "orgs" {
                    map.next_value_seed(OrgList((&mut *self.0.0, &mut *self.0.1)))?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(())
        }
    }
    impl<'de> DeserializeSeed<'de> for OrgList<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    impl<'de> Visitor<'de> for OrgList<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of organizations")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
            let (before, each) = self.0;
            let mut n = 0;
            while before() {
                let at = |e: &dyn std::fmt::Display| format!("organization {n} (counting from 0): {e}");
                let next = seq.next_element::<burg_api::zitadel::v1::v1::DataOrg>();
                let Some(org) = next.map_err(|e| serde::de::Error::custom(at(&e)))? else {
                    return Ok(());
                };
                let org = upgrade_v1(&org)
                    .and_then(|org| OrgDoc::of(&org))
                    .map(|doc| OrgDoc { v1: true, ..doc })
                    .map_err(|e| serde::de::Error::custom(at(&e.message)))?;
                n += 1;
                if !each(org) {
                    break;
                }
            }
            // Nobody wants more: stop reading.
            Err(serde::de::Error::custom("the import stopped"))
        }
    }
    let mut de = serde_json::Deserializer::from_reader(reader);
    de.deserialize_map(Doc((before, each)))
        .and_then(|_| de.end())
        .map_err(|e| Error::invalid_argument("IMPORT-json04", format!("the input document: {e}")))
}

#[cfg(test)]
mod tests {
    use burg_domain::ErrorKind;

    use super::*;

    #[test]
    fn structure_faults_name_the_organization() {
        for (text, says) in [
            (r#"{"orgs": [{"orgId": "1"} {"orgId": "2"}]}"#, "expected `,` or `]`"),
            (r#"{"orgs": [{"orgId": "1", "humanUsers": [{"userId": 5}]}]}"#, "humanUsers[0]"),
            (r#"{"orgs": []} trailing"#, "more after the document"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("doc.json");
            std::fs::write(&path, text).unwrap();
            let file = Arc::new(DocFile { path, _downloaded: None });
            let err = read_orgs(&file, Format::Today, Pass::Check, &mut || true, &mut |_| true).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidArgument, "{text}");
            assert!(err.message.contains(says), "{text}: {}", err.message);
        }
    }
}
