//! `ExportData`: the chosen organizations as one `{"orgs": [...]}`
//! document, written row by row from one read snapshot to every output
//! asked for.

use burg_api::admin::{ExportDataRequest, ExportDataResponse};
use burg_domain::state::DomainValidationType;
use burg_domain::{Error, Result};
use burg_store::transfer::{HumanRow, OrgRow, Snapshot};
use futures::TryStreamExt;
use serde_json::{Value, json};

use super::storage::{self, LocalFile, S3, Sink};
use super::{SECTIONS, timeout_of};
use crate::{App, Ctx, Tick};

/// Bytes gathered before they go to the outputs.
const CHUNK: usize = 256 * 1024;

/// Which organizations an export holds, and what of the references
/// between them it keeps. As ZITADEL's `ExportData`, an export of some
/// organizations keeps a member, a grant or a flow's action only where
/// everything it names is exported too: its user, its project, its grant
/// and the granted organization, its action. An export of every
/// organization holds all of them, so it checks nothing.
struct Scope {
    /// The chosen organizations; `None` when that is all of them.
    chosen: Option<std::collections::HashSet<String>>,
    /// Projects, grants and actions already looked up, by kind and id
    /// (few; users are many, each named by few items, so not kept).
    known: std::collections::HashMap<(&'static str, String), bool>,
}

impl Scope {
    fn holds_org(&self, org: &str) -> bool {
        self.chosen.as_ref().is_none_or(|c| c.contains(org))
    }

    /// Whether the export holds `id` of `kind` (`user`, or an object kind
    /// such as `project`).
    async fn holds(&mut self, snapshot: &mut Snapshot, kind: &'static str, id: &str) -> Result<bool> {
        if self.chosen.is_none() {
            return Ok(true);
        }
        if let Some(known) = self.known.get(&(kind, id.to_string())) {
            return Ok(*known);
        }
        let held = match kind {
            "user" => snapshot.user_owner(id).await?.is_some_and(|org| self.holds_org(&org)),
            _ => match snapshot.object(kind, id).await? {
                // A grant is exported with its project, to an exported organization.
                Some((org, data)) if kind == super::Kind::ProjectGrant.as_str() => {
                    let data: Value = serde_json::from_str(&data).unwrap_or_default();
                    self.holds_org(&org) && self.holds_org(super::text_at(&data, "projectGrant.grantedOrgId"))
                }
                Some((org, _)) => self.holds_org(&org),
                None => false,
            },
        };
        if kind != "user" {
            self.known.insert((kind, id.to_string()), held);
        }
        Ok(held)
    }

    /// Whether item `value` of `kind` is kept: everything it names is
    /// exported. A flow keeps its exported actions only.
    async fn keep(&mut self, snapshot: &mut Snapshot, kind: super::Kind, value: &mut Value) -> Result<bool> {
        use super::Kind as K;
        if self.chosen.is_none() {
            return Ok(true);
        }
        let text = |path: &str| super::text_at(value, path).to_string();
        let (user, project, grant) = match kind {
            K::ProjectMember => (text("userId"), text("projectId"), String::new()),
            K::ProjectGrantMember => (text("userId"), text("projectId"), text("grantId")),
            K::UserGrant => (text("userId"), text("projectId"), text("projectGrantId")),
            K::ProjectGrant => {
                let granted = text("projectGrant.grantedOrgId");
                return Ok(self.holds_org(&granted));
            }
            K::TriggerAction => {
                let ids: Vec<String> = value["actionIds"]
                    .as_array()
                    .map(|ids| ids.iter().filter_map(Value::as_str).map(str::to_string).collect())
                    .unwrap_or_default();
                let mut kept = Vec::with_capacity(ids.len());
                for id in ids {
                    if self.holds(snapshot, K::Action.as_str(), &id).await? {
                        kept.push(Value::String(id));
                    }
                }
                value["actionIds"] = Value::Array(kept);
                return Ok(true);
            }
            _ => return Ok(true),
        };
        Ok(self.holds(snapshot, "user", &user).await?
            && self.holds(snapshot, K::Project.as_str(), &project).await?
            && (grant.is_empty() || self.holds(snapshot, K::ProjectGrant.as_str(), &grant).await?))
    }

    /// Whether `kind`'s items are looked at one by one.
    fn filters(&self, kind: super::Kind) -> bool {
        use super::Kind as K;
        self.chosen.is_some()
            && matches!(
                kind,
                K::ProjectMember | K::ProjectGrantMember | K::UserGrant | K::ProjectGrant | K::TriggerAction
            )
    }
}

/// The outputs of one export, written together.
struct Out {
    sinks: Vec<Sink>,
    buffer: Vec<u8>,
    users: u64,
}

impl Out {
    async fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.flush().await?;
        }
        Ok(())
    }

    async fn put_json(&mut self, value: &Value) -> Result<()> {
        let bytes = serde_json::to_vec(value)
            .map_err(|e| Error::internal("EXPORT-enc01", format!("cannot encode the document: {e}")))?;
        self.put(&bytes).await
    }

    async fn flush(&mut self) -> Result<()> {
        for sink in &mut self.sinks {
            sink.write(&self.buffer).await?;
        }
        self.buffer.clear();
        Ok(())
    }
}

/// Writes `"name":[` before the first item of a list, `,` between items.
struct List {
    name: &'static str,
    started: bool,
}

impl List {
    fn new(name: &'static str) -> Self {
        List { name, started: false }
    }

    async fn item(&mut self, out: &mut Out, value: &Value) -> Result<()> {
        if self.started {
            out.put(b",").await?;
        } else {
            out.put(format!(",\"{}\":[", self.name).as_bytes()).await?;
            self.started = true;
        }
        out.put_json(value).await
    }

    async fn end(self, out: &mut Out) -> Result<()> {
        if self.started { out.put(b"]").await } else { Ok(()) }
    }
}

impl App {
    pub async fn export_data(&self, ctx: &Ctx, req: ExportDataRequest) -> Result<ExportDataResponse> {
        if req.with_passwords || req.with_otp {
            // Credentials leave only for those who could also write them.
            ctx.principal.require("iam.write", None)?;
        }
        let timeout = timeout_of(&req.timeout)?;
        let mut sinks = Vec::new();
        if let Err(e) = self.open_sinks(&req, &mut sinks).await {
            for sink in sinks {
                sink.abort().await;
            }
            return Err(e);
        }
        let mut out = Out { sinks, buffer: Vec::with_capacity(CHUNK), users: 0 };
        let deadline = std::time::Instant::now() + timeout;
        let written = tokio::time::timeout(timeout, self.write_export(&req, &mut out, deadline)).await;
        let failure = match written {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(_) => {
                Some(Error::deadline_exceeded("EXPORT-time01", "the export ran out of time; no output was written"))
            }
        };
        if let Some(e) = failure {
            for sink in out.sinks {
                sink.abort().await;
            }
            return Err(e);
        }
        // Remote outputs complete first, the local file next, the response
        // last; after a failure the rest are dropped unfinished.
        let mut response = ExportDataResponse::default();
        let mut sinks = out.sinks.into_iter();
        while let Some(sink) = sinks.next() {
            match sink.finish().await {
                Ok(Some(bytes)) => {
                    response = burg_api::json::decode(burg_api::json::JsonInput::Bytes(bytes.into()))
                        .map_err(|e| Error::internal("EXPORT-dec01", format!("the export is unreadable: {e}")))?;
                }
                Ok(None) => {}
                Err(e) => {
                    for rest in sinks {
                        rest.abort().await;
                    }
                    return Err(e);
                }
            }
        }
        Ok(response)
    }

    /// The outputs of `req`, remote ones first: each is checked against
    /// the egress policy (and a GCS upload started) before a local file is
    /// created, so a refused one leaves nothing behind.
    async fn open_sinks(&self, req: &ExportDataRequest, sinks: &mut Vec<Sink>) -> Result<()> {
        if let Some(s3) = &req.s3_output {
            let bucket = S3 {
                field: "s3Output".into(),
                endpoint: s3.endpoint.clone(),
                ssl: s3.ssl,
                bucket: s3.bucket.clone(),
                access_key_id: s3.access_key_id.clone(),
                secret_access_key: s3.secret_access_key.clone(),
            };
            let store = storage::s3_store(&self.egress, &bucket, storage::S3_ANSWER_MAX).await?;
            sinks.push(Sink::object(store, &bucket, "s3Output.path", &s3.path, "S3")?);
        }
        if let Some(gcs) = &req.gcs_output {
            let field = "gcsOutput.serviceaccountJson";
            let client = storage::Gcs::connect(&self.egress, field, &gcs.bucket, &gcs.serviceaccount_json).await?;
            sinks.push(Sink::Gcs(storage::GcsUpload::start(client, "gcsOutput.path", &gcs.path).await?));
        }
        if let Some(local) = &req.local_output {
            let path = self.config.transfer_dir.resolve("localOutput.path", &local.path, LocalFile::Output)?;
            sinks.push(Sink::file(path).await?);
        }
        let to_files = req.local_output.is_some() || req.s3_output.is_some() || req.gcs_output.is_some();
        if req.response_output || !to_files {
            sinks.push(Sink::Memory(Vec::new()));
        }
        Ok(())
    }

    async fn write_export(&self, req: &ExportDataRequest, out: &mut Out, deadline: std::time::Instant) -> Result<()> {
        let late = || Error::deadline_exceeded("EXPORT-time02", "the export ran out of time; no output was written");
        let mut snapshot = self.db.snapshot(&self.instance_id).await?;
        let orgs = snapshot.orgs().await?;
        let every = orgs.len();
        let chosen: Vec<OrgRow> = orgs
            .into_iter()
            .filter(|org| req.org_ids.is_empty() || req.org_ids.contains(&org.id))
            .filter(|org| !req.excluded_org_ids.contains(&org.id))
            .collect();
        let mut scope = Scope {
            chosen: (chosen.len() < every).then(|| chosen.iter().map(|o| o.id.clone()).collect()),
            known: Default::default(),
        };
        if self.config.progress.0.is_some() {
            let counts = snapshot.users_per_org().await?;
            let users =
                counts.iter().filter(|(org, _)| chosen.iter().any(|c| c.id == *org)).map(|(_, n)| *n as u64).sum();
            self.config.progress.tell(Tick::Planned { orgs: chosen.len() as u64, users });
        }
        out.put(b"{\"orgs\":[").await?;
        for (i, org) in chosen.iter().enumerate() {
            // The timer only fires at the next await; a small export could
            // finish before it, so look at the clock too.
            if std::time::Instant::now() >= deadline {
                return Err(late());
            }
            if i > 0 {
                out.put(b",").await?;
            }
            self.export_org(&mut snapshot, &mut scope, req, out, org).await?;
            self.config.progress.tell(Tick::Users(out.users));
            self.config.progress.tell(Tick::Orgs(i as u64 + 1));
        }
        out.put(b"]").await?;
        if req.burg_with_instance {
            out.put(b",\"burgInstance\":").await?;
            let orgs: Vec<&str> = chosen.iter().map(|o| o.id.as_str()).collect();
            out.put_json(&self.export_instance(req.with_passwords, &orgs).await?).await?;
        }
        out.put(b"}").await?;
        if std::time::Instant::now() >= deadline {
            return Err(late());
        }
        out.flush().await?;
        snapshot.end().await
    }

    async fn export_org(
        &self,
        snapshot: &mut Snapshot,
        scope: &mut Scope,
        req: &ExportDataRequest,
        out: &mut Out,
        org: &OrgRow,
    ) -> Result<()> {
        let org_id = org.id.as_str();
        out.put(b"{\"orgId\":").await?;
        out.put_json(&json!(org_id)).await?;
        out.put(b",\"org\":").await?;
        out.put_json(&json!({ "name": org.name })).await?;

        // Domains.
        let mut list = List::new("domains");
        {
            let mut rows = std::pin::pin!(snapshot.domains(org_id));
            while let Some(row) = rows.try_next().await? {
                let mut d = json!({ "orgId": org_id, "domainName": row.domain });
                if row.verified {
                    d["isVerified"] = json!(true);
                }
                if row.primary {
                    d["isPrimary"] = json!(true);
                }
                if row.validation_type != DomainValidationType::Unspecified
                    && let Ok(t) =
                        burg_api::zitadel::org::v1::DomainValidationType::try_from(row.validation_type.code() as i32)
                {
                    d["validationType"] = json!(t.as_str_name());
                }
                list.item(out, &d).await?;
            }
        }
        list.end(out).await?;

        // Humans, then machines.
        let mut humans = List::new("humanUsers");
        {
            let mut rows = std::pin::pin!(snapshot.humans(org_id));
            while let Some(row) = rows.try_next().await? {
                let user = self.human_json(row, req)?;
                humans.item(out, &user).await?;
                out.users += 1;
                if out.users.is_multiple_of(1000) {
                    self.config.progress.tell(Tick::Users(out.users));
                }
            }
        }
        humans.end(out).await?;
        let mut machines = List::new("machineUsers");
        {
            let mut rows = std::pin::pin!(snapshot.machines(org_id));
            while let Some(row) = rows.try_next().await? {
                let mut user = json!({ "userName": row.user_name, "name": row.name });
                if !row.description.is_empty() {
                    user["description"] = json!(row.description);
                }
                let token_type = row.access_token_type as i32;
                if let Ok(t) = burg_api::zitadel::user::v1::AccessTokenType::try_from(token_type)
                    && token_type != 0
                {
                    user["accessTokenType"] = json!(t.as_str_name());
                }
                let mut item = json!({ "userId": row.id, "user": user });
                if let Some(state) = user_state(row.state) {
                    item["state"] = json!(state);
                }
                machines.item(out, &item).await?;
                out.users += 1;
            }
        }
        machines.end(out).await?;

        // User links and org members.
        let mut links = List::new("userLinks");
        {
            let mut rows = std::pin::pin!(snapshot.links(org_id));
            while let Some(row) = rows.try_next().await? {
                let mut link =
                    json!({ "userId": row.user_id, "idpId": row.idp_id, "providedUserId": row.external_user_id });
                if !row.display_name.is_empty() {
                    link["providedUserName"] = json!(row.display_name);
                }
                if !row.idp_name.is_empty() {
                    link["idpName"] = json!(row.idp_name);
                }
                if let Some(idp_type) = link_idp_type(row.idp_type) {
                    link["idpType"] = idp_type;
                }
                links.item(out, &link).await?;
            }
        }
        links.end(out).await?;
        // An organization's members are few: read them all, then keep
        // those whose user is exported.
        let stored: Vec<_> = snapshot.members(org_id).try_collect().await?;
        let mut members = List::new("orgMembers");
        for row in stored {
            if scope.holds(snapshot, "user", &row.user_id).await? {
                members.item(out, &json!({ "userId": row.user_id, "roles": row.roles })).await?;
            }
        }
        members.end(out).await?;

        // Documents, section by section.
        for section in SECTIONS {
            // A policy the organization holds as its own setting (given
            // or changed through the API) is exported from there; one an
            // earlier import kept only as a document, from the document.
            let setting = crate::mgmt_policies::imported::setting_kind(section.kind.as_str()).filter(|_| !section.many);
            if let Some(kind) = setting
                && let Some(data) = snapshot.org_setting(org_id, kind).await?
            {
                let mut value = crate::mgmt_policies::imported::document_of_setting(kind, &data, org_id)?;
                if section.kind == super::Kind::LoginPolicy {
                    offered_idps(snapshot, org_id, &mut value).await?;
                }
                out.put(format!(",\"{}\":", section.json).as_bytes()).await?;
                out.put_json(&value).await?;
                continue;
            }
            let mut login_documents = Vec::new();
            let mut references = Vec::new();
            let mut list = List::new(section.json);
            {
                let mut rows = std::pin::pin!(snapshot.objects(org_id, section.kind.as_str()));
                while let Some(row) = rows.try_next().await? {
                    let mut value: Value = serde_json::from_str(&row.data).map_err(|e| {
                        Error::internal("EXPORT-db017", format!("a stored {} is unreadable: {e}", section.kind))
                    })?;
                    // An org IdP's client secret travels with the passwords, so
                    // that a moved instance still logs in through it.
                    if req.with_passwords
                        && let Some(secret) = self.open_sealed(&row.sealed_secret)?
                        && let Some(idp) = value.get_mut("idp").and_then(Value::as_object_mut)
                    {
                        idp.insert("clientSecret".into(), Value::String(secret));
                    }
                    // A flow's trigger as ZITADEL's export writes it (ids as
                    // strings), whatever form it was stored in.
                    if section.kind == super::Kind::TriggerAction {
                        burg_domain::events::action::canonical_trigger_document(&mut value);
                    }
                    // Rows are read one at a time, so the links after the row.
                    if section.kind == super::Kind::LoginPolicy {
                        login_documents.push(value);
                        continue;
                    }
                    if scope.filters(section.kind) {
                        references.push(value);
                    } else if section.many {
                        list.item(out, &value).await?;
                    } else {
                        out.put(format!(",\"{}\":", section.json).as_bytes()).await?;
                        out.put_json(&value).await?;
                    }
                }
            }
            for mut value in references {
                if scope.keep(snapshot, section.kind, &mut value).await? {
                    list.item(out, &value).await?;
                }
            }
            list.end(out).await?;
            for mut value in login_documents {
                offered_idps(snapshot, org_id, &mut value).await?;
                out.put(format!(",\"{}\":", section.json).as_bytes()).await?;
                out.put_json(&value).await?;
            }
        }
        // `orgState` (field 40) last, as ZITADEL writes it.
        let state = burg_api::zitadel::org::v1::OrgState::try_from(org.state as i32);
        if let Ok(state) = state.as_ref().map(|s| s.as_str_name())
            && org.state != 0
        {
            out.put(format!(",\"orgState\":\"{state}\"").as_bytes()).await?;
        }
        out.put(b"}").await
    }

    /// A human user's item; its password hash and OTP secret when `req`
    /// asks for them.
    fn human_json(&self, row: HumanRow, req: &ExportDataRequest) -> Result<Value> {
        let mut profile = json!({ "firstName": row.first_name, "lastName": row.last_name });
        for (key, value) in [
            ("nickName", row.nick_name),
            ("displayName", row.display_name),
            ("preferredLanguage", row.preferred_language),
        ] {
            if !value.is_empty() {
                profile[key] = json!(value);
            }
        }
        if let Ok(g) = burg_api::zitadel::user::v1::Gender::try_from(row.gender as i32)
            && row.gender != 0
        {
            profile["gender"] = json!(g.as_str_name());
        }
        let mut user = json!({ "userName": row.user_name, "profile": profile });
        // As ZITADEL's export: no email member for a user without an address.
        if !row.email.is_empty() {
            let mut email = json!({ "email": row.email });
            if row.email_verified {
                email["isEmailVerified"] = json!(true);
            }
            user["email"] = email;
        }
        if !row.phone.is_empty() {
            let mut phone = json!({ "phone": row.phone });
            if row.phone_verified {
                phone["isPhoneVerified"] = json!(true);
            }
            user["phone"] = phone;
        }
        if req.with_passwords
            && let Some(hash) = self.open_sealed(&row.password_hash)?
        {
            user["hashedPassword"] = json!({ "value": hash });
        }
        // As ZITADEL's export: neither `passwordChangeRequired` (an imported
        // hash never has to be changed) nor `requestPasswordlessRegistration`
        // (a second import would send the registration again).
        if req.with_otp
            && let Some(otp) = self.open_sealed(&row.otp_secret)?
        {
            user["otpCode"] = json!(otp);
        }
        let mut item = json!({ "userId": row.id, "user": user });
        if let Some(state) = user_state(row.state) {
            item["state"] = json!(state);
        }
        Ok(item)
    }

    /// A sealed value stored as JSON ("" for none), opened.
    fn open_sealed(&self, stored: &str) -> Result<Option<String>> {
        if stored.is_empty() {
            return Ok(None);
        }
        let sealed: burg_domain::crypto::Sealed = serde_json::from_str(stored)
            .map_err(|e| Error::internal("EXPORT-seal1", format!("a stored secret is unreadable: {e}")))?;
        Ok(Some(self.key.open_string(&sealed)?.expose().to_string()))
    }
}

/// A stored user state by its wire name, as ZITADEL's export writes
/// `DataHumanUser.state` and `DataMachineUser.state`.
fn user_state(code: i64) -> Option<&'static str> {
    let state = burg_api::zitadel::user::v1::UserState::try_from(code as i32).ok()?;
    (code != 0).then(|| state.as_str_name())
}

/// The providers organization `org`'s login policy offers, as `DataOrg`'s
/// login policy names them (`idps`, each with its owner type), in place of
/// what the document held: added and removed through the API or imported,
/// they are the policy's links.
async fn offered_idps(snapshot: &mut Snapshot, org: &str, policy: &mut Value) -> Result<()> {
    let links = snapshot.org_policy_links(org).await?;
    let Some(map) = policy.as_object_mut() else { return Ok(()) };
    map.remove("idps");
    if !links.is_empty() {
        let owner = |own: bool| if own { "IDP_OWNER_TYPE_ORG" } else { "IDP_OWNER_TYPE_SYSTEM" };
        let idps = links.into_iter().map(|(id, own)| json!({"idpId": id, "ownerType": owner(own)})).collect();
        map.insert("idps".into(), Value::Array(idps));
    }
    Ok(())
}

/// A user link's `idpType` as ZITADEL's export writes it: the provider's
/// `domain.IDPType` number taken as a `zitadel.idp.v1.IDPType`, so OIDC and
/// JWT by name and the newer kinds by number; `None` for a provider that
/// is gone. `provider_type`: the template's stored `ProviderType`.
fn link_idp_type(provider_type: i64) -> Option<Value> {
    use burg_api::idp::IdpType;
    let number = burg_domain::idp::Kind::from_provider_type(provider_type)?.domain_idp_type();
    Some(match IdpType::try_from(number) {
        Ok(known) => json!(known.as_str_name()),
        Err(_) => json!(number),
    })
}
