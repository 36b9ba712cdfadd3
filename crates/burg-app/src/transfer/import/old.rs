//! `ImportData`: organizations in, ids kept, each organization in one
//! transaction.
//!
//! An organization is first checked whole: every item against the limits
//! and required fields, ids unique within the document. Then, in its
//! transaction, every item is compared with what is stored: identical
//! items are reported as existing and skipped, different ones are
//! conflicts. Any refused item leaves its whole organization unwritten; the
//! other organizations go on.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use burg_api::admin::{
    DataOrg, ImportDataError, ImportDataRequest, ImportDataResponse, ImportDataSuccess, ImportDataSuccessOrg,
    ImportDataSuccessProjectGrant, ImportDataSuccessProjectGrantMember, ImportDataSuccessProjectMember,
    ImportDataSuccessUserGrant, ImportDataSuccessUserLinks, ImportDataSuccessUserMetadata, import_data_request::Data,
};
use burg_domain::crypto::MasterKey;
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::{org as oe, user as ue};
use burg_domain::{Error, ErrorKind, Result, password, validate};
use burg_store::WriteTx;
use serde_json::{Value, json};
use sqlx::Row;

use super::scan::{Fault, Scan};
use super::storage::{self, S3};
use super::{SECTIONS, Section, at, check_item, key_of, text_at, timeout_of};
use crate::auth::db_err;
use crate::{App, Ctx, Tick};

/// Events are appended in batches of this many while an organization is
/// imported (all in its one transaction), so memory stays flat.
const PUSH_EVERY: usize = 2000;

/// What became of one organization.
#[derive(Default)]
struct Outcome {
    success: Option<ImportDataSuccessOrg>,
    /// Users imported (a summary's success entry no longer lists them).
    users: u64,
    errors: Vec<ImportDataError>,
}

/// An organization's success entry while it is imported. A summary counts
/// the users and drops the ids at each batch, so that what it holds does
/// not grow with the organization.
struct Tally {
    org: ImportDataSuccessOrg,
    summary: bool,
    users: u64,
}

impl Tally {
    fn settle(&mut self) {
        if self.summary {
            self.users += (self.org.human_user_ids.len() + self.org.machine_user_ids.len()) as u64;
            let org_id = std::mem::take(&mut self.org.org_id);
            self.org = ImportDataSuccessOrg { org_id, ..Default::default() };
        }
    }

    fn finish(mut self) -> (ImportDataSuccessOrg, u64) {
        self.settle();
        let users = self.users + (self.org.human_user_ids.len() + self.org.machine_user_ids.len()) as u64;
        (self.org, users)
    }
}

fn error(kind: &str, id: impl Into<String>, e: &Error) -> ImportDataError {
    ImportDataError { r#type: kind.to_string(), id: id.into(), message: format!("{} ({})", e.message, e.id) }
}

/// A refusal of one item: it stops its organization.
pub(crate) struct Refused(pub(crate) Vec<ImportDataError>);

/// How an import runs and what it reports.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportMode {
    /// Every check runs, against the stored data too; nothing is written.
    pub dry_run: bool,
    /// Each organization's success entry keeps its id only, not the ids of
    /// everything imported: the API's full report grows with the document
    /// (about 0.75 KB per user), a summary does not.
    pub summary: bool,
}

impl App {
    pub async fn import_data(&self, ctx: &Ctx, req: ImportDataRequest) -> Result<ImportDataResponse> {
        self.import_data_with(ctx, req, ImportMode::default()).await
    }

    /// `ImportData` run as `mode` says.
    pub async fn import_data_with(
        &self,
        ctx: &Ctx,
        req: ImportDataRequest,
        mode: ImportMode,
    ) -> Result<ImportDataResponse> {
        let timeout = timeout_of(&req.timeout)?;
        let work = async {
            let source = self.import_source(req.data).await?;
            let mut orgs = source.orgs().await?;
            let planned_users = orgs.planned.iter().sum();
            self.config.progress.tell(Tick::Planned { orgs: orgs.planned.len() as u64, users: planned_users });
            let mut seen = 0u64;
            let mut response = ImportDataResponse { errors: vec![], success: Some(ImportDataSuccess::default()) };
            let (mut done, mut written) = (0u64, 0u64);
            while let Some(org) = orgs.next().await {
                let (org, checked) = org?;
                let outcome = self.import_org(ctx, org, checked, mode).await?;
                seen += orgs.planned.pop_front().unwrap_or_default();
                written += outcome.users;
                done += 1;
                // What the organization's import freed goes back to the
                // system before the next one starts (BENCHMARKS.md: the peak
                // at 100k users varied between 42 and 49 MB without it).
                crate::memory::give_back();
                self.config.progress.tell(Tick::Users(seen));
                self.config.progress.tell(Tick::Written(written));
                self.config.progress.tell(Tick::Orgs(done));
                response.errors.extend(outcome.errors);
                if let (Some(s), Some(list)) = (outcome.success, response.success.as_mut()) {
                    list.orgs.push(s);
                }
            }
            Ok(response)
        };
        tokio::time::timeout(timeout, work).await.map_err(|_| {
            Error::deadline_exceeded(
                "IMPORT-time01",
                "the import ran out of time; organizations finished before are imported, the one in progress is not",
            )
        })?
    }

    /// Where the document is: in the request, or in a file (downloaded
    /// first when it is in S3 or GCS); in today's format or in v1's.
    async fn import_source(&self, data: Option<Data>) -> Result<Source> {
        use burg_api::admin::import_data_request::{GcsInput, LocalInput, S3Input};
        enum Input {
            Local(LocalInput),
            S3(S3Input),
            Gcs(GcsInput),
        }
        let (v1, input) = match data {
            None => return Err(Error::invalid_argument("IMPORT-data01", "one of the `dataOrgs…` inputs is required")),
            Some(Data::DataOrgs(doc)) => return Ok(Source::Inline(doc.orgs)),
            Some(Data::DataOrgsv1(doc)) => {
                return Ok(Source::Inline(doc.orgs.iter().map(upgrade_v1).collect::<Result<_>>()?));
            }
            Some(Data::DataOrgsLocal(i)) => (false, Input::Local(i)),
            Some(Data::DataOrgsv1Local(i)) => (true, Input::Local(i)),
            Some(Data::DataOrgsS3(i)) => (false, Input::S3(i)),
            Some(Data::DataOrgsv1S3(i)) => (true, Input::S3(i)),
            Some(Data::DataOrgsGcs(i)) => (false, Input::Gcs(i)),
            Some(Data::DataOrgsv1Gcs(i)) => (true, Input::Gcs(i)),
        };
        let prefix = |input: &str| format!("dataOrgs{}{input}", if v1 { "v1" } else { "" });
        let field = |input: &str| format!("{}.path", prefix(input));
        let (path, keep) = match input {
            Input::Local(local) => (self.config.transfer_dir.resolve(&field("Local"), &local.path, true)?, None),
            Input::S3(s3) => {
                let bucket = S3 {
                    field: prefix("S3"),
                    endpoint: s3.endpoint,
                    ssl: s3.ssl,
                    bucket: s3.bucket,
                    access_key_id: s3.access_key_id,
                    secret_access_key: s3.secret_access_key,
                };
                let store = storage::s3_store(&self.egress, &bucket, storage::DOWNLOAD_MAX as usize).await?;
                let (path, keep, mut file) = download_target().await?;
                storage::download_object(store, &bucket, &field("S3"), &s3.path, &mut file).await?;
                (path, Some(keep))
            }
            Input::Gcs(gcs) => {
                let account = format!("{}.serviceaccountJson", prefix("Gcs"));
                let client =
                    storage::Gcs::connect(&self.egress, &account, &gcs.bucket, &gcs.serviceaccount_json).await?;
                let (path, keep, mut file) = download_target().await?;
                client.download(&field("Gcs"), &gcs.path, &mut file).await?;
                (path, Some(keep))
            }
        };
        Ok(Source::File { path, keep, v1 })
    }

    /// Imports one organization that `checked` (see [`check_org`]).
    async fn import_org(
        &self,
        ctx: &Ctx,
        org: OrgDoc,
        checked: std::result::Result<(), Refused>,
        mode: ImportMode,
    ) -> Result<Outcome> {
        let org_id = org.org_id.clone();
        if let Err(refused) = checked {
            return Ok(Outcome { success: None, users: 0, errors: refused.0 });
        }
        let mut attempts = 0;
        loop {
            let result: Result<Outcome> = async {
                let mut tx = self.begin(ctx).await?;
                match self.import_org_in(&mut tx, &org, mode.summary).await? {
                    Ok(outcome) => {
                        // Everything read must have been read whole.
                        org.read_failure()?;
                        if !mode.dry_run {
                            tx.commit().await?;
                        }
                        Ok(outcome)
                    }
                    Err(refused) => Ok(Outcome { success: None, users: 0, errors: refused.0 }),
                }
            }
            .await;
            match result {
                Err(e) if e.kind == ErrorKind::Aborted && attempts < 5 => attempts += 1,
                Err(e) if e.kind == ErrorKind::Internal || e.kind == ErrorKind::Unavailable => return Err(e),
                Err(e) => return Ok(Outcome { success: None, users: 0, errors: vec![error("org", org_id, &e)] }),
                Ok(outcome) => return Ok(outcome),
            }
        }
    }

    /// Compares and writes one organization inside `tx`. `Ok(Err(_))` when
    /// an item was refused: the caller drops the transaction.
    async fn import_org_in(
        &self,
        tx: &mut WriteTx,
        org: &OrgDoc,
        summary: bool,
    ) -> Result<std::result::Result<Outcome, Refused>> {
        let org_id = org.org_id.clone();
        let name = text_at(&org.value("org").unwrap_or_default(), "name").to_string();
        let mut out = Outcome::default();
        let org_entry = ImportDataSuccessOrg { org_id: org_id.clone(), ..Default::default() };
        let mut tally = Tally { org: org_entry, summary, users: 0 };
        let mut refused = Vec::new();
        let mut events = Vec::new();
        let org_agg = Aggregate::new(aggregate::ORG, &org_id, &org_id);

        let existing: Option<String> = sqlx::query_scalar("SELECT name FROM orgs WHERE instance_id = $1 AND id = $2")
            .bind(&self.instance_id)
            .bind(&org_id)
            .fetch_optional(&mut *tx.conn())
            .await
            .map_err(|e| db_err("IMPORT-db001", e))?;
        let org_exists = existing.is_some();
        match existing {
            Some(stored) if stored == name => out.errors.push(exists("org", &org_id)),
            Some(_) => {
                let e = Error::already_exists("IMPORT-org02", "an organization with this id and another name exists");
                return Ok(Err(Refused(vec![error("org", &org_id, &e)])));
            }
            None => {
                let taken: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM orgs WHERE instance_id = $1 AND lower(name) = lower($2)")
                        .bind(&self.instance_id)
                        .bind(&name)
                        .fetch_one(&mut *tx.conn())
                        .await
                        .map_err(|e| db_err("IMPORT-db002", e))?;
                if taken > 0 {
                    let e = Error::already_exists("IMPORT-org03", format!("an organization named {name:?} exists"));
                    return Ok(Err(Refused(vec![error("org", &org_id, &e)])));
                }
                events.push(NewEvent::new(&org_agg, &oe::OrgAdded { name: name.clone() })?);
                // An organization that never had events has nothing else
                // either (a removed one keeps its history).
                let history: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM events WHERE instance_id = $1 AND aggregate_type = $2 AND aggregate_id = $3",
                )
                .bind(&self.instance_id)
                .bind(aggregate::ORG)
                .bind(&org_id)
                .fetch_one(&mut *tx.conn())
                .await
                .map_err(|e| db_err("IMPORT-db009", e))?;
                if history == 0 {
                    tx.assume_new_aggregates();
                }
            }
        }

        // Domains.
        for d in org.each("domains") {
            let d = &d;
            if events.len() >= PUSH_EVERY {
                tx.push(std::mem::take(&mut events)).await?;
            }
            let domain = text_at(d, "domainName").to_string();
            let id = format!("{org_id}_{domain}");
            let stored: Option<(String, i64, i64)> = sqlx::query_as(
                "SELECT org_id, is_verified, is_primary FROM org_domains WHERE instance_id = $1 AND domain = $2 \
                 AND (org_id = $3 OR is_verified = 1)",
            )
            .bind(&self.instance_id)
            .bind(&domain)
            .bind(&org_id)
            .fetch_optional(&mut *tx.conn())
            .await
            .map_err(|e| db_err("IMPORT-db003", e))?;
            let verified = at(d, "isVerified").and_then(Value::as_bool).unwrap_or(false);
            let primary = at(d, "isPrimary").and_then(Value::as_bool).unwrap_or(false);
            match stored {
                Some((owner, v, p)) if owner == org_id && (v == 1) == verified && (p == 1) == primary => {
                    out.errors.push(exists("domain", &id));
                    continue;
                }
                Some(_) => {
                    refused.push(conflict("domain", &id));
                    continue;
                }
                None => {}
            }
            events.push(NewEvent::new(&org_agg, &oe::DomainAdded { domain: domain.clone() })?);
            if verified {
                events.push(NewEvent::new(&org_agg, &oe::DomainVerified { domain: domain.clone() })?);
            }
            if primary {
                events.push(NewEvent::new(&org_agg, &oe::DomainPrimarySet { domain: domain.clone() })?);
            }
            tally.org.domains.push(domain);
        }

        // Users, a batch at a time: the stored users among a batch's ids
        // are looked up together. `stats`: see `refresh_statistics`.
        let mut stats = Statistics::Unneeded;
        // Each user's first event, then the others grouped by type, so
        // that the projections write them many rows at a time.
        let (mut added, mut rest) = (Vec::new(), Vec::new());
        let mut humans = org.batches("humanUsers", false, |u| u);
        let mut seen = 0;
        while let Some(batch) = humans.next() {
            tally.settle();
            seen += batch.len() as u64;
            self.config.progress.tell(Tick::OrgUsers(seen));
            let known = self.user_batch(tx, &batch, &mut stats).await?;
            for u in &batch {
                if added.len() + rest.len() >= PUSH_EVERY {
                    events.append(&mut added);
                    rest.sort_by_key(|e: &NewEvent| e.event_type);
                    events.append(&mut rest);
                    tx.push(std::mem::take(&mut events)).await?;
                    self.refresh_statistics(tx, &mut stats).await?;
                }
                let user_id = text_at(u, "userId").to_string();
                let state =
                    self.user_state(tx, &known, &org_id, org_exists, &user_id, text_at(u, "user.userName")).await?;
                if !state.settle("human_user", &user_id, &mut out, &mut refused) {
                    continue;
                }
                match human_events(&self.key, self.config.password_cost, &org_id, u) {
                    Ok(mut evs) => {
                        rest.extend(evs.drain(1..));
                        added.append(&mut evs);
                        tally.org.human_user_ids.push(user_id);
                    }
                    Err(e) => refused.push(error("human_user", &user_id, &e)),
                }
            }
        }
        events.append(&mut added);
        rest.sort_by_key(|e: &NewEvent| e.event_type);
        events.append(&mut rest);
        let mut machines = org.batches("machineUsers", false, |m| m);
        while let Some(batch) = machines.next() {
            tally.settle();
            seen += batch.len() as u64;
            self.config.progress.tell(Tick::OrgUsers(seen));
            let known = self.user_batch(tx, &batch, &mut stats).await?;
            for m in &batch {
                if events.len() >= PUSH_EVERY {
                    tx.push(std::mem::take(&mut events)).await?;
                    self.refresh_statistics(tx, &mut stats).await?;
                }
                let user_id = text_at(m, "userId").to_string();
                let state =
                    self.user_state(tx, &known, &org_id, org_exists, &user_id, text_at(m, "user.userName")).await?;
                if !state.settle("machine_user", &user_id, &mut out, &mut refused) {
                    continue;
                }
                let agg = Aggregate::new(aggregate::USER, &user_id, &org_id);
                let added = ue::MachineAdded {
                    user_name: text_at(m, "user.userName").into(),
                    name: text_at(m, "user.name").into(),
                    description: text_at(m, "user.description").into(),
                    access_token_type: enum_number(
                        at(m, "user.accessTokenType"),
                        burg_api::zitadel::user::v1::AccessTokenType::from_str_name,
                    ),
                };
                events.push(NewEvent::new(&agg, &added)?);
                tally.org.machine_user_ids.push(user_id);
            }
        }

        // User links of the document's own list. The links they would
        // clash with (same IdP and external id) are looked up a batch at a
        // time.
        let mut links = org.batches("userLinks", false, |l| Link {
            user_id: text_at(&l, "userId").to_string(),
            idp_id: text_at(&l, "idpId").to_string(),
            external: text_at(&l, "providedUserId").to_string(),
            display_name: text_at(&l, "providedUserName").to_string(),
        });
        while let Some(batch) = links.next() {
            tally.settle();
            let stored_links =
                self.known_links(tx, batch.iter().map(|l| (l.idp_id.as_str(), l.external.as_str()))).await?;
            for l in batch {
                if events.len() >= PUSH_EVERY {
                    tx.push(std::mem::take(&mut events)).await?;
                }
                let id = format!("{}_{}", l.user_id, l.idp_id);
                match stored_links.get(&(l.idp_id.clone(), l.external.clone())) {
                    Some(owner) if *owner == l.user_id => {
                        out.errors.push(exists("user_link", &id));
                        continue;
                    }
                    Some(_) => {
                        refused.push(conflict("user_link", &id));
                        continue;
                    }
                    None => {}
                }
                let agg = Aggregate::new(aggregate::USER, &l.user_id, &org_id);
                let e = ue::ExternalIdpAdded {
                    idp_config_id: l.idp_id.clone(),
                    user_id: l.external.clone(),
                    display_name: l.display_name.clone(),
                };
                events.push(NewEvent::new(&agg, &e)?);
                tally.org.user_links.push(ImportDataSuccessUserLinks {
                    user_id: l.user_id,
                    external_user_id: l.external,
                    display_name: l.display_name,
                    idp_id: l.idp_id,
                });
            }
        }

        // Org members.
        for m in org.each("orgMembers") {
            let m = &m;
            if events.len() >= PUSH_EVERY {
                tx.push(std::mem::take(&mut events)).await?;
            }
            let user_id = text_at(m, "userId").to_string();
            let roles: Vec<String> = list(m, "roles").filter_map(|r| r.as_str().map(str::to_string)).collect();
            let stored: Option<String> = sqlx::query_scalar(
                "SELECT roles FROM org_members WHERE instance_id = $1 AND org_id = $2 AND user_id = $3",
            )
            .bind(&self.instance_id)
            .bind(&org_id)
            .bind(&user_id)
            .fetch_optional(&mut *tx.conn())
            .await
            .map_err(|e| db_err("IMPORT-db005", e))?;
            let id = format!("{org_id}_{user_id}");
            match stored {
                Some(r) if crate::auth::parse_roles(Some(&r)) == roles => {
                    out.errors.push(exists("org_member", &id));
                    continue;
                }
                Some(_) => {
                    refused.push(conflict("org_member", &id));
                    continue;
                }
                None => {}
            }
            events.push(NewEvent::new(&org_agg, &oe::MemberAdded { user_id: user_id.clone(), roles })?);
            tally.org.org_members.push(user_id);
        }

        // Documents.
        for section in SECTIONS {
            let prepare = |item: Value| document_event(&self.key, section, &org_id, item);
            let mut docs = if section.many {
                org.batches(section.json, true, prepare)
            } else {
                let one = org.value(section.json).filter(Value::is_object).map(prepare);
                Batches(Box::new(one.into_iter()))
            };
            while let Some(batch) = docs.next() {
                tally.settle();
                for (key, event) in batch {
                    if events.len() >= PUSH_EVERY {
                        tx.push(std::mem::take(&mut events)).await?;
                    }
                    let data = &event.payload["data"];
                    if org_exists {
                        let stored: Option<String> = sqlx::query_scalar(
                            "SELECT data FROM org_objects WHERE instance_id = $1 AND org_id = $2 AND kind = $3 \
                             AND object_key = $4",
                        )
                        .bind(&self.instance_id)
                        .bind(&org_id)
                        .bind(section.kind)
                        .bind(&key)
                        .fetch_optional(&mut *tx.conn())
                        .await
                        .map_err(|e| db_err("IMPORT-db006", e))?;
                        if let Some(stored) = stored {
                            if serde_json::from_str::<Value>(&stored).ok().as_ref() == Some(data) {
                                out.errors.push(exists(section.kind, &key));
                            } else {
                                refused.push(conflict(section.kind, &key));
                            }
                            continue;
                        }
                    }
                    record_success(&mut tally.org, section, data, &key);
                    events.push(event);
                }
            }
        }

        if !refused.is_empty() {
            return Ok(Err(Refused(refused)));
        }
        tx.push(events).await?;
        let (entry, users) = tally.finish();
        out.success = Some(entry);
        out.users = users;
        Ok(Ok(out))
    }

    /// PostgreSQL plans the projections' `id IN (…)` statements from table
    /// statistics. A large organization grows the tables inside its one
    /// transaction, and stale statistics then pick a plan that walks every
    /// user of the instance per statement (auto_explain: 360 ms each, an
    /// import of 100k users at 300 users/s). ANALYZE counts the
    /// transaction's own rows, so the plans use the primary key again.
    /// A large organization refreshes them before its first users (the
    /// organizations committed before it are counted) and, when the table
    /// was close to empty then, once more after its first users are
    /// written; `stats` says which is due.
    async fn refresh_statistics(&self, tx: &mut WriteTx, stats: &mut Statistics) -> Result<()> {
        if self.db.backend() != burg_store::Backend::Postgres {
            return Ok(());
        }
        let first = match *stats {
            Statistics::Due => true,
            Statistics::AgainAfterWrite => false,
            Statistics::Unneeded | Statistics::Refreshed => return Ok(()),
        };
        let conn = tx.conn();
        sqlx::query("ANALYZE users, user_idp_links")
            .execute(&mut *conn)
            .await
            .map_err(|e| db_err("IMPORT-db010", e))?;
        *stats = Statistics::Refreshed;
        if first {
            let rows: f32 = sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE oid = 'users'::regclass")
                .fetch_one(&mut *conn)
                .await
                .map_err(|e| db_err("IMPORT-db012", e))?;
            if rows < 1000.0 {
                *stats = Statistics::AgainAfterWrite;
            }
        }
        Ok(())
    }

    /// Starts a batch of (human or machine) users: the first large batch
    /// refreshes the statistics (see `refresh_statistics`), then the
    /// stored users among the batch are looked up.
    async fn user_batch(
        &self,
        tx: &mut WriteTx,
        batch: &[Value],
        stats: &mut Statistics,
    ) -> Result<HashMap<String, (String, String)>> {
        if *stats == Statistics::Unneeded && batch.len() >= 100 {
            *stats = Statistics::Due;
            self.refresh_statistics(tx, stats).await?;
        }
        self.known_users(tx, batch.iter().map(|u| text_at(u, "userId"))).await
    }

    /// The stored users among `ids`: id → (organization, user name); one
    /// query per 100 ids.
    async fn known_users<'i>(
        &self,
        tx: &mut WriteTx,
        ids: impl Iterator<Item = &'i str>,
    ) -> Result<HashMap<String, (String, String)>> {
        let ids: Vec<&str> = ids.collect();
        let mut known = HashMap::new();
        for chunk in ids.chunks(100) {
            let mut sql = burg_store::Sql::new("SELECT id, resource_owner, username FROM users WHERE instance_id = ");
            sql.bind(&self.instance_id).push(" AND id IN (");
            for (i, id) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind(*id);
            }
            sql.push(")");
            let rows =
                sql.query_for(tx.conn()).fetch_all(&mut *tx.conn()).await.map_err(|e| db_err("IMPORT-db007", e))?;
            for row in rows {
                let s = |c: &str| -> Result<String> { row.try_get(c).map_err(|e| db_err("IMPORT-db010", e)) };
                known.insert(s("id")?, (s("resource_owner")?, s("username")?));
            }
        }
        Ok(known)
    }

    /// The stored links among `pairs` of (IdP id, external user id):
    /// (IdP id, external user id) → user id; one query per IdP.
    async fn known_links<'p>(
        &self,
        tx: &mut WriteTx,
        pairs: impl Iterator<Item = (&'p str, &'p str)>,
    ) -> Result<HashMap<(String, String), String>> {
        let mut by_idp: HashMap<&str, Vec<&str>> = HashMap::new();
        for (idp, external) in pairs {
            by_idp.entry(idp).or_default().push(external);
        }
        let mut known = HashMap::new();
        for (idp, externals) in by_idp {
            let mut sql =
                burg_store::Sql::new("SELECT external_user_id, user_id FROM user_idp_links WHERE instance_id = ");
            sql.bind(&self.instance_id).push(" AND idp_id = ").bind(idp).push(" AND external_user_id IN (");
            for (i, external) in externals.iter().enumerate() {
                sql.push(if i == 0 { "" } else { ", " }).bind(*external);
            }
            sql.push(")");
            let rows =
                sql.query_for(tx.conn()).fetch_all(&mut *tx.conn()).await.map_err(|e| db_err("IMPORT-db004", e))?;
            for row in rows {
                let s = |c: &str| -> Result<String> { row.try_get(c).map_err(|e| db_err("IMPORT-db011", e)) };
                known.insert((idp.to_string(), s("external_user_id")?), s("user_id")?);
            }
        }
        Ok(known)
    }

    async fn user_state(
        &self,
        tx: &mut WriteTx,
        known: &HashMap<String, (String, String)>,
        org: &str,
        org_existed: bool,
        id: &str,
        user_name: &str,
    ) -> Result<UserState> {
        if let Some((owner, name)) = known.get(id) {
            return Ok(if owner == org && name.eq_ignore_ascii_case(user_name) {
                UserState::Same
            } else {
                UserState::Conflict(Error::already_exists("IMPORT-usr01", "a different user with this id exists"))
            });
        }
        if !org_existed {
            // A new organization has no users whose names could clash.
            return Ok(UserState::Free);
        }
        let by_name: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE instance_id = $1 AND resource_owner = $2 AND lower(username) = lower($3)",
        )
        .bind(&self.instance_id)
        .bind(org)
        .bind(user_name)
        .fetch_one(&mut *tx.conn())
        .await
        .map_err(|e| db_err("IMPORT-db008", e))?;
        Ok(if by_name > 0 {
            UserState::Conflict(Error::already_exists("IMPORT-usr02", "the user name is taken in this organization"))
        } else {
            UserState::Free
        })
    }
}

/// The events of one imported human user; `cost`: of hashing a plain
/// password.
fn human_events(key: &MasterKey, cost: u32, org: &str, u: &Value) -> Result<Vec<NewEvent>> {
    let user_id = text_at(u, "userId");
    let agg = Aggregate::new(aggregate::USER, user_id, org);
    let hash = match (text_at(u, "user.hashedPassword.value"), text_at(u, "user.password")) {
        ("", "") => None,
        ("", plain) => Some(password::hash_plain(plain, cost)?),
        (hash, _) => {
            password::recognize(hash).map_err(|e| {
                Error::invalid_argument(e.id, format!("`humanUsers.user.hashedPassword.value`: {}", e.message))
            })?;
            Some(hash.to_string())
        }
    };
    let gender = enum_number(at(u, "user.profile.gender"), burg_api::zitadel::user::v1::Gender::from_str_name);
    let added = ue::HumanAdded {
        user_name: text_at(u, "user.userName").into(),
        first_name: text_at(u, "user.profile.firstName").into(),
        last_name: text_at(u, "user.profile.lastName").into(),
        nick_name: text_at(u, "user.profile.nickName").into(),
        display_name: text_at(u, "user.profile.displayName").into(),
        preferred_language: text_at(u, "user.profile.preferredLanguage").into(),
        gender,
        email: text_at(u, "user.email.email").into(),
        phone: text_at(u, "user.phone.phone").into(),
        encoded_hash: hash.map(|h| key.seal(h.as_bytes())),
        change_required: flag(u, "user.passwordChangeRequired"),
    };
    let mut events = vec![NewEvent::new(&agg, &added)?];
    if flag(u, "user.email.isEmailVerified") {
        events.push(NewEvent::new(&agg, &ue::EmailVerified {})?);
    }
    if flag(u, "user.phone.isPhoneVerified") {
        events.push(NewEvent::new(&agg, &ue::PhoneVerified {})?);
    }
    let otp = text_at(u, "user.otpCode");
    if !otp.is_empty() {
        events.push(NewEvent::new(&agg, &ue::OtpAdded { otp_secret: Some(key.seal(otp.as_bytes())) })?);
        events.push(NewEvent::new(&agg, &ue::OtpVerified {})?);
    }
    if flag(u, "user.requestPasswordlessRegistration") {
        events.push(NewEvent::new(&agg, &ue::PasswordlessCodeRequested {})?);
    }
    for idp in list(u, "user.idps") {
        let e = ue::ExternalIdpAdded {
            idp_config_id: text_at(idp, "configId").into(),
            user_id: text_at(idp, "externalUserId").into(),
            display_name: text_at(idp, "displayName").into(),
        };
        events.push(NewEvent::new(&agg, &e)?);
    }
    Ok(events)
}

/// Where an organization's import stands with PostgreSQL's statistics
/// (see `App::refresh_statistics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Statistics {
    /// Small so far: the plans do not depend on them.
    Unneeded,
    /// Large: to be refreshed now.
    Due,
    /// Refreshed on a nearly empty table: again after the next write.
    AgainAfterWrite,
    Refreshed,
}

/// One user link of the document.
struct Link {
    user_id: String,
    idp_id: String,
    external: String,
    display_name: String,
}

/// The key and event of one item kept as a document; the event's
/// `data` is the item (an OIDC IdP's client secret sealed beside it).
fn document_event(key: &MasterKey, section: &Section, org: &str, item: Value) -> (String, NewEvent) {
    let object_key = key_of(section, &item);
    let sealed = (section.kind == "oidc_idp")
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
    let mut payload = json!({"objectKind": section.kind, "key": object_key, "data": data});
    if let Some(sealed) = sealed {
        payload["sealedSecret"] = serde_json::to_value(sealed).unwrap_or_default();
    }
    (object_key, NewEvent { aggregate, event_type: section.event, payload })
}

/// A section's items in batches of [`BATCH`]: a batch's stored
/// counterparts are looked up with a few queries.
struct Batches<'a, T>(Box<dyn Iterator<Item = T> + Send + 'a>);

impl<T> Batches<'_, T> {
    fn next(&mut self) -> Option<Vec<T>> {
        let batch: Vec<T> = self.0.by_ref().take(BATCH).collect();
        (!batch.is_empty()).then_some(batch)
    }
}

/// Items per batch of [`OrgDoc::batches`].
const BATCH: usize = 500;

/// An import document.
enum Source {
    Inline(Vec<DataOrg>),
    /// A file; `keep` removes a downloaded copy when dropped; `v1` when it
    /// is in v1's format.
    File {
        path: std::path::PathBuf,
        keep: Option<TempFile>,
        v1: bool,
    },
}

/// The organizations of a document, handed out one by one, each with the
/// result of its [`check_org`].
struct Orgs {
    rx: tokio::sync::mpsc::Receiver<Result<(OrgDoc, std::result::Result<(), Refused>)>>,
    /// Asks the file reader for the next organization.
    demand: std::sync::mpsc::Sender<()>,
    /// The users of each organization to come, as the check counted them.
    planned: std::collections::VecDeque<u64>,
}

impl Orgs {
    async fn next(&mut self) -> Option<Result<(OrgDoc, std::result::Result<(), Refused>)>> {
        let _ = self.demand.send(());
        self.rx.recv().await
    }
}

/// A temporary file for a downloaded document: removed when the guard is
/// dropped, so a failed download leaves nothing.
async fn download_target() -> Result<(std::path::PathBuf, TempFile, tokio::fs::File)> {
    let path = std::env::temp_dir().join(format!("burg-import-{:016x}.json", rand::random::<u64>()));
    let file = tokio::fs::File::create(&path)
        .await
        .map_err(|e| Error::internal("IMPORT-tmp01", format!("cannot keep the downloaded document: {e}")))?;
    Ok((path.clone(), TempFile(path), file))
}

/// An organization of a v1 document (`dataOrgsv1…`) in today's form. The
/// JSON names are the same but for three things: the org IAM policy is the
/// domain policy, and the second factors, multi factors and IdPs that v1
/// lists beside the login policy belong in it.
fn upgrade_v1(org: &burg_api::zitadel::v1::v1::DataOrg) -> Result<DataOrg> {
    let bad = |e: serde_json::Error| Error::invalid_argument("IMPORT-v1001", format!("a v1 organization: {e}"));
    let mut value = serde_json::to_value(org).map_err(bad)?;
    let Some(map) = value.as_object_mut() else {
        return Err(Error::invalid_argument("IMPORT-v1002", "a v1 organization is not an object"));
    };
    if let Some(policy) = map.remove("iamPolicy") {
        map.insert("domainPolicy".into(), policy);
    }
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
    if !(second.is_empty() && multi.is_empty() && idps.is_empty()) {
        let policy = map.entry("loginPolicy").or_insert_with(|| json!({}));
        for (key, items) in [("secondFactors", second), ("multiFactors", multi), ("idps", idps)] {
            if !items.is_empty() {
                policy[key] = Value::Array(items);
            }
        }
    }
    serde_json::from_value(value).map_err(bad)
}

/// A file that is removed when dropped.
struct TempFile(std::path::PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
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
    async fn orgs(self) -> Result<Orgs> {
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let (demand, wanted) = std::sync::mpsc::channel::<()>();
        let checked = |org: OrgDoc| {
            let result = check_org(&org);
            (org, result)
        };
        let planned;
        match self {
            Source::Inline(orgs) => {
                planned = orgs.iter().map(|o| (o.human_users.len() + o.machine_users.len()) as u64).collect();
                tokio::task::spawn_blocking(move || {
                    for org in orgs {
                        if wanted.recv().is_err() || tx.blocking_send(OrgDoc::of(&org).map(checked)).is_err() {
                            return;
                        }
                    }
                });
            }
            Source::File { path, keep, v1 } => {
                // The organizations handed out read their items from the
                // file: it stays until the last of them is dropped.
                let file = Arc::new(DocFile { path, _downloaded: keep });
                let check = file.clone();
                planned = tokio::task::spawn_blocking(move || {
                    let mut users = std::collections::VecDeque::new();
                    read_orgs(&check, v1, true, &mut || true, &mut |org| {
                        users.push_back(org.users);
                        true
                    })
                    .map(|_| users)
                })
                .await
                .map_err(|e| Error::internal("IMPORT-read1", format!("the reader stopped: {e}")))??;
                tokio::task::spawn_blocking(move || {
                    // An organization is read only when the importer asks
                    // for it.
                    let sent = read_orgs(&file, v1, false, &mut || wanted.recv().is_ok(), &mut |org| {
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
        Ok(Orgs { rx, demand, planned })
    }
}

/// Streams the organizations of a file to `each` (which says whether to go
/// on), asking `before` each one whether one is wanted. With `check`, each
/// is first checked against the document's types, one item at a time.
fn read_orgs(
    file: &Arc<DocFile>,
    v1: bool,
    check: bool,
    before: &mut dyn FnMut() -> bool,
    each: &mut dyn FnMut(OrgDoc) -> bool,
) -> Result<()> {
    let opened = std::fs::File::open(&file.path)
        .map_err(|e| Error::invalid_argument("IMPORT-file01", format!("cannot read the input file: {e}")))?;
    let reader = std::io::BufReader::with_capacity(1 << 20, opened);
    if v1 {
        read_v1_orgs(reader, before, each)
    } else {
        read_orgs_from(reader, Backing::File(file.clone()), check, before, each)
    }
}

/// Organizations of a document in today's format (`{"orgs": [...]}`; other
/// members are skipped). Each is handed out as where its sections lie in
/// `backing`, which holds the same bytes as `reader`.
pub(crate) fn read_orgs_from(
    reader: impl std::io::BufRead,
    backing: Backing,
    check: bool,
    before: &mut dyn FnMut() -> bool,
    each: &mut dyn FnMut(OrgDoc) -> bool,
) -> Result<()> {
    let bad = |e: Fault| Error::invalid_argument("IMPORT-json01", format!("the input document: {e}"));
    let mut s = Scan::new(reader, 0);
    if s.open(b'{').map_err(bad)? {
        loop {
            if s.key().map_err(bad)? == "orgs" {
                let mut n = 0;
                if s.open(b'[').map_err(bad)? {
                    loop {
                        if !before() {
                            return Ok(());
                        }
                        let (org_id, sections, users) = scan_org(&mut s, check).map_err(|e| {
                            Error::invalid_argument(
                                "IMPORT-json01",
                                format!("the input document: organization {n} (counting from 0): {e}"),
                            )
                        })?;
                        n += 1;
                        let org = OrgDoc {
                            org_id,
                            backing: backing.clone(),
                            sections,
                            users,
                            written: false,
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
type Sections = HashMap<String, Range<u64>>;

/// One organization object: its id, where each member lies and (with
/// `check`) how many human and machine users it has. With `check`, its
/// members are read as a `DataOrg` would read them, but one list item at a
/// time: each item as the only member of its list, the other members
/// together.
fn scan_org<R: std::io::BufRead>(s: &mut Scan<R>, check: bool) -> std::result::Result<(String, Sections, u64), String> {
    let typed = |place: &str, text: &[u8]| -> std::result::Result<(), String> {
        serde_json::from_slice::<DataOrg>(text).map(drop).map_err(|e| {
            let message = e.to_string();
            format!("{place}: {}", message.split(" at line ").next().unwrap_or_default())
        })
    };
    let mut sections = HashMap::new();
    let mut org_id = String::new();
    let mut users = 0;
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
                        typed(&format!("{key}[{i}]"), &one)?;
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
    Ok((org_id, sections, users))
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
        .map_err(|e| Error::invalid_argument("IMPORT-json01", format!("the input document: {e}")))
}

enum UserState {
    Free,
    Same,
    Conflict(Error),
}

impl UserState {
    /// Reports a user that is there already (the same, or another); true
    /// when the user is to be written.
    fn settle(self, kind: &str, id: &str, out: &mut Outcome, refused: &mut Vec<ImportDataError>) -> bool {
        match self {
            UserState::Free => true,
            UserState::Same => {
                out.errors.push(exists(kind, id));
                false
            }
            UserState::Conflict(e) => {
                refused.push(error(kind, id, &e));
                false
            }
        }
    }
}

fn exists(kind: &str, id: &str) -> ImportDataError {
    ImportDataError {
        r#type: kind.to_string(),
        id: id.to_string(),
        message: "already exists with the same content; left as it is (IMPORT-exists)".into(),
    }
}

fn conflict(kind: &str, id: &str) -> ImportDataError {
    ImportDataError {
        r#type: kind.to_string(),
        id: id.to_string(),
        message: "already exists with different content; the organization was not imported (IMPORT-conflict)".into(),
    }
}

fn flag(v: &Value, path: &str) -> bool {
    at(v, path).and_then(Value::as_bool).unwrap_or(false)
}

fn enum_number<E: Into<i32>>(v: Option<&Value>, by_name: fn(&str) -> Option<E>) -> i32 {
    match v {
        Some(Value::String(name)) => by_name(name).map(Into::into).unwrap_or_default(),
        Some(Value::Number(n)) => n.as_i64().unwrap_or_default() as i32,
        _ => 0,
    }
}

/// The members of a list at `path` (none when absent).
fn list<'v>(v: &'v Value, path: &str) -> impl Iterator<Item = &'v Value> {
    at(v, path).and_then(Value::as_array).into_iter().flatten()
}

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
    path: std::path::PathBuf,
    _downloaded: Option<TempFile>,
}

/// One organization of a document, kept as where each of its sections
/// lies: an item is read and parsed only while it is worked on, so an
/// organization of any size costs a few ranges, not its text or a tree.
pub(crate) struct OrgDoc {
    org_id: String,
    backing: Backing,
    sections: HashMap<String, Range<u64>>,
    /// Its human and machine users, when known (counted by the check).
    pub(crate) users: u64,
    /// The text was written from a `DataOrg`, so it holds only what the
    /// types know. Text from a file is read through the types item by item
    /// (unknown members dropped, as a `DataOrg` would drop them).
    written: bool,
    /// The first read that failed after the check had passed (the file
    /// went away or changed): the organization must not be committed.
    failed: std::sync::Mutex<Option<String>>,
}

impl OrgDoc {
    pub(crate) fn of(org: &DataOrg) -> Result<OrgDoc> {
        let bytes: Arc<[u8]> = serde_json::to_vec(org)
            .map_err(|e| Error::internal("IMPORT-enc01", format!("cannot encode an org: {e}")))?
            .into();
        let (org_id, sections, _) = scan_org(&mut Scan::new(&bytes[..], 0), false)
            .map_err(|e| Error::internal("IMPORT-enc02", format!("cannot read an encoded org: {e}")))?;
        let users = (org.human_users.len() + org.machine_users.len()) as u64;
        Ok(OrgDoc {
            org_id,
            backing: Backing::Memory(bytes),
            sections,
            users,
            written: true,
            failed: Default::default(),
        })
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
    fn read_failure(&self) -> Result<()> {
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
    fn value(&self, json: &str) -> Option<Value> {
        let mut text = Vec::new();
        self.reader(json)?.value(Some(&mut text)).ok()?;
        self.parse(json, false, true, &text)
    }

    /// The items of a list section, each read and parsed when it is reached.
    fn each<'a>(&'a self, json: &str) -> Box<dyn Iterator<Item = Value> + Send + 'a> {
        self.list(json, false)
    }

    /// A list section's items as the types read them: unknown members
    /// dropped, values in their canonical form (for what is stored whole).
    fn each_typed<'a>(&'a self, json: &str) -> Box<dyn Iterator<Item = Value> + Send + 'a> {
        self.list(json, true)
    }

    fn list<'a>(&'a self, json: &str, typed: bool) -> Box<dyn Iterator<Item = Value> + Send + 'a> {
        match self.reader(json) {
            Some(scan) => Box::new(Items { doc: self, json: json.to_string(), scan, started: false, typed }),
            None => Box::new(std::iter::empty()),
        }
    }

    /// A section's value or one of its items; `typed`: as the types read
    /// it, else as JSON (falling back to the types for text that only they
    /// accept, such as unknown members that are not UTF-8).
    fn parse(&self, json: &str, item: bool, typed: bool, text: &[u8]) -> Option<Value> {
        if self.written || !typed {
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

    /// A section's items: the list, or the one policy.
    fn items<'a>(&'a self, section: &Section) -> Box<dyn Iterator<Item = Value> + Send + 'a> {
        if section.many {
            self.each_typed(section.json)
        } else {
            Box::new(self.value(section.json).filter(Value::is_object).into_iter())
        }
    }

    /// The items of list section `json`, each made a `T` by `f`, handed
    /// out in batches.
    fn batches<'a, T>(&'a self, json: &str, typed: bool, f: impl Fn(Value) -> T + Send + 'a) -> Batches<'a, T> {
        Batches(Box::new(self.list(json, typed).map(f).fuse()))
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
    typed: bool,
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
                let item = self.doc.parse(&self.json, true, self.typed, &text);
                if item.is_none() {
                    self.doc.fail(format!("`{}`: an item does not parse", self.json));
                }
                item
            }
        }
    }
}

/// Checks an organization before anything is written: required fields,
/// limits, and ids unique within the document.
pub(crate) fn check_org(org: &OrgDoc) -> std::result::Result<(), Refused> {
    let org_id = org.org_id.as_str();
    let mut refused = Vec::new();
    let mut check = |kind: &str, id: String, r: Result<()>| {
        if let Err(e) = r {
            refused.push(error(kind, id, &e));
        }
    };
    check("org", org_id.into(), validate::len("orgId", org_id, 1, 200));
    check("org", org_id.into(), check_item("org", &["name"], &org.value("org").unwrap_or_default()));

    // Kind → ids; boxed strings: these sets grow with the organization.
    let mut seen: HashMap<&'static str, HashSet<Box<str>>> = HashMap::new();
    let mut names: HashSet<Box<str>> = HashSet::new();
    let mut names_unique = |name: &str, kind: &str, id: &str, refused: &mut Vec<ImportDataError>| {
        if !names.insert(name.to_lowercase().into_boxed_str()) {
            let e = Error::invalid_argument(
                "IMPORT-dup02",
                format!("the user name {name:?} appears twice in the organization"),
            );
            refused.push(error(kind, id, &e));
        }
    };
    let mut unique = |kind: &'static str, id: &str, refused: &mut Vec<ImportDataError>| {
        if !seen.entry(kind).or_default().insert(id.into()) {
            let e = Error::invalid_argument("IMPORT-dup01", format!("the id {id} appears twice in the document"));
            refused.push(error(kind, id, &e));
        }
    };
    for d in org.each("domains") {
        let d = &d;
        let domain = text_at(d, "domainName");
        let id = format!("{org_id}_{domain}");
        if let Err(e) = validate::len("domains.domainName", domain, 1, 200) {
            refused.push(error("domain", &id, &e));
        }
        unique("domain", &id, &mut refused);
    }
    for u in org.each("humanUsers") {
        let u = &u;
        let id = text_at(u, "userId");
        let required =
            ["userId", "user.userName", "user.profile.firstName", "user.profile.lastName", "user.email.email"];
        let r = check_item("humanUsers", &required, u)
            .and_then(|_| validate::len("humanUsers.user.userName", text_at(u, "user.userName"), 1, 200))
            .and_then(|_| validate::email("humanUsers.user.email.email", text_at(u, "user.email.email")))
            .and_then(|_| match text_at(u, "user.hashedPassword.value") {
                "" => Ok(()),
                hash => password::recognize(hash).map(|_| ()).map_err(|e| {
                    Error::invalid_argument(e.id, format!("`humanUsers.user.hashedPassword.value`: {}", e.message))
                }),
            });
        if let Err(e) = r {
            refused.push(error("human_user", id, &e));
        }
        unique("user", id, &mut refused);
        names_unique(text_at(u, "user.userName"), "human_user", id, &mut refused);
    }
    for m in org.each("machineUsers") {
        let m = &m;
        let id = text_at(m, "userId");
        if let Err(e) = check_item("machineUsers", &["userId", "user.userName", "user.name"], m) {
            refused.push(error("machine_user", id, &e));
        }
        unique("user", id, &mut refused);
        names_unique(text_at(m, "user.userName"), "machine_user", id, &mut refused);
    }
    for l in org.each("userLinks") {
        let l = &l;
        let id = format!("{}_{}", text_at(l, "userId"), text_at(l, "idpId"));
        if let Err(e) = check_item("userLinks", &["userId", "idpId", "providedUserId"], l) {
            refused.push(error("user_link", &id, &e));
        }
    }
    for m in org.each("orgMembers") {
        let m = &m;
        let id = format!("{org_id}_{}", text_at(m, "userId"));
        let r = check_item("orgMembers", &["userId", "roles"], m).and_then(|_| {
            match list(m, "roles")
                .filter_map(Value::as_str)
                .find(|r| !burg_domain::permission::org_roles().any(|k| k == *r))
            {
                Some(role) => {
                    Err(Error::invalid_argument("IMPORT-role01", format!("`orgMembers.roles`: unknown role {role}")))
                }
                None => Ok(()),
            }
        });
        if let Err(e) = r {
            refused.push(error("org_member", &id, &e));
        }
        unique("org_member", &id, &mut refused);
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
                refused.push(error(section.kind, &key, &e));
            }
            if section.many {
                unique(section.kind, &key, &mut refused);
            }
        }
    }
    if refused.is_empty() { Ok(()) } else { Err(Refused(refused)) }
}

fn base64_len(text: &str) -> usize {
    let padding = text.bytes().rev().take_while(|b| *b == b'=').count();
    (text.len() / 4 * 3).saturating_sub(padding)
}

fn record_success(s: &mut ImportDataSuccessOrg, section: &Section, item: &Value, key: &str) {
    let t = |p: &str| text_at(item, p).to_string();
    match section.kind {
        "project" => s.project_ids.push(key.into()),
        "project_role" => s.project_roles.push(key.into()),
        "oidc_app" => s.oidc_app_ids.push(key.into()),
        "api_app" => s.api_app_ids.push(key.into()),
        "action" => s.action_ids.push(key.into()),
        "oidc_idp" => s.oidc_ipds.push(key.into()),
        "jwt_idp" => s.jwt_idps.push(key.into()),
        "app_key" => s.app_keys.push(key.into()),
        "machine_user_key" => s.machine_keys.push(key.into()),
        "trigger_action" => {
            if let Ok(t) = serde_json::from_value(item.clone()) {
                s.trigger_actions.push(t);
            }
        }
        "project_grant" => s.project_grants.push(ImportDataSuccessProjectGrant {
            grant_id: t("grantId"),
            project_id: t("projectGrant.projectId"),
            org_id: t("projectGrant.grantedOrgId"),
        }),
        "user_grant" => {
            s.user_grants.push(ImportDataSuccessUserGrant { project_id: t("projectId"), user_id: t("userId") })
        }
        "project_member" => {
            s.project_members.push(ImportDataSuccessProjectMember { project_id: t("projectId"), user_id: t("userId") })
        }
        "project_grant_member" => s.project_grant_members.push(ImportDataSuccessProjectGrantMember {
            project_id: t("projectId"),
            grant_id: t("grantId"),
            user_id: t("userId"),
        }),
        "user_metadata" => s.user_metadata.push(ImportDataSuccessUserMetadata { user_id: t("id"), key: t("key") }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The organizations of `text`, read from a file as an import reads them.
    fn from_file(text: &str) -> (tempfile::TempDir, Vec<OrgDoc>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.json");
        std::fs::write(&path, text).unwrap();
        let file = Arc::new(DocFile { path, _downloaded: None });
        let mut orgs = Vec::new();
        read_orgs(&file, false, true, &mut || true, &mut |org| {
            orgs.push(org);
            true
        })
        .unwrap_or_else(|e| panic!("{}", e.message));
        (dir, orgs)
    }

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
        let projects: Vec<Value> = orgs[0].each_typed("projects").collect();
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
            let err = read_orgs(&file, false, true, &mut || true, &mut |_| true).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidArgument, "{text}");
            assert!(err.message.contains(says), "{text}: {}", err.message);
        }
    }
}
