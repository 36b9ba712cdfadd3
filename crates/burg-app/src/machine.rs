//! Machine users through the Management API: their name and description,
//! their client secret, their keys, and a personal access token by id.
//!
//! Keys are kept as `DataMachineKey` documents (`burg_store::machine`), so
//! that the keys an import brought in are listed, read and removed like the
//! ones added here, and the export shows both.

use burg_api::management::{
    AddMachineKeyRequest, AddMachineKeyResponse, GenerateMachineSecretRequest, GenerateMachineSecretResponse,
    GetMachineKeyByIDsRequest, GetMachineKeyByIDsResponse, GetPersonalAccessTokenByIDsRequest,
    GetPersonalAccessTokenByIDsResponse, ListMachineKeysRequest, ListMachineKeysResponse, RemoveMachineKeyRequest,
    RemoveMachineKeyResponse, RemoveMachineSecretRequest, RemoveMachineSecretResponse, UpdateMachineRequest,
    UpdateMachineResponse,
};
use burg_api::wkt::Timestamp;
use burg_api::zitadel::authn::v1::{Key, KeyType};
use burg_api::zitadel::user::v1::PersonalAccessToken;
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::EventTime;
use burg_domain::events::machine::{
    MachineChanged, MachineKeyAdded, MachineKeyRemoved, MachineSecretRemoved, MachineSecretSet,
};
use burg_domain::instance_settings::SecretGeneratorType;
use burg_domain::{Error, Result, machine_key};
use burg_store::Conn;
use burg_store::machine::{KeyRow, MachineRow};

use crate::bootstrap::NO_EXPIRY;
use crate::list::{list_details, v1_page};
use crate::{App, Ctx, added_details, changed_details, details, retry};

/// ZITADEL's `SecretHasher` (`cmd/defaults.yaml`): bcrypt at cost 4, as the
/// secret is long and random.
const SECRET_COST: u32 = 4;

impl App {
    /// Machine user `user_id` of the call's organization; `missing`
    /// answers otherwise.
    async fn org_machine(&self, conn: &mut Conn, ctx: &Ctx, user_id: &str, missing: Error) -> Result<MachineRow> {
        match burg_store::machine::machine(conn, &self.instance_id, user_id).await? {
            Some(m) if m.resource_owner == ctx.org() => Ok(m),
            _ => Err(missing),
        }
    }

    /// A new client secret, drawn as the instance's app-secret generator
    /// says, and its hash (ZITADEL's `newHashedSecret`).
    pub(crate) async fn new_hashed_secret(&self) -> Result<(String, String)> {
        let code = i64::from(SecretGeneratorType::AppSecret.code());
        let generator = burg_store::instance_settings::secret_generator(self.db.pool(), &self.instance_id, code)
            .await?
            .map(|row| row.config)
            .unwrap_or_else(|| SecretGeneratorType::AppSecret.instance_default());
        let secret = generator.generate();
        let hash = tokio::task::spawn_blocking({
            let secret = secret.clone();
            move || burg_domain::password::hash_plain(&secret, SECRET_COST)
        })
        .await
        .map_err(|e| Error::internal("MACH-hash1", format!("hashing stopped: {e}")))??;
        Ok((secret, hash))
    }

    pub async fn update_machine(&self, ctx: &Ctx, req: UpdateMachineRequest) -> Result<UpdateMachineResponse> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let missing = Error::not_found("COMMAND-5M0od", format!("machine user {:?} not found", req.user_id));
            let m = self.org_machine(tx.conn(), ctx, &req.user_id, missing).await?;
            let changed = MachineChanged {
                name: (m.name != req.name).then(|| req.name.clone()),
                description: (m.description != req.description).then(|| req.description.clone()),
                access_token_type: (m.access_token_type != i64::from(req.access_token_type))
                    .then_some(req.access_token_type),
            };
            if changed == MachineChanged::default() {
                return Err(Error::failed_precondition("COMMAND-2n8vs", "the machine user has these values already"));
            }
            let on = Aggregate::new(aggregate::USER, &req.user_id, &m.resource_owner);
            let events = tx.push(vec![NewEvent::new(&on, &changed)?]).await?;
            tx.commit().await?;
            Ok(UpdateMachineResponse { details: changed_details(&events) })
        })
        .await
    }

    /// A new client secret, drawn as the instance's app-secret generator
    /// says and shown once; only its hash is kept. The client id is the
    /// user name, as ZITADEL answers.
    pub async fn generate_machine_secret(
        &self,
        ctx: &Ctx,
        req: GenerateMachineSecretRequest,
    ) -> Result<GenerateMachineSecretResponse> {
        let (secret, hash) = self.new_hashed_secret().await?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let missing =
                Error::failed_precondition("COMMAND-x8910n", format!("machine user {:?} not found", req.user_id));
            let m = self.org_machine(tx.conn(), ctx, &req.user_id, missing).await?;
            let on = Aggregate::new(aggregate::USER, &req.user_id, &m.resource_owner);
            let events = tx.push(vec![NewEvent::new(&on, &MachineSecretSet { hashed_secret: hash.clone() })?]).await?;
            tx.commit().await?;
            Ok(GenerateMachineSecretResponse {
                client_id: m.user_name,
                client_secret: secret.clone(),
                details: changed_details(&events),
            })
        })
        .await
    }

    pub async fn remove_machine_secret(
        &self,
        ctx: &Ctx,
        req: RemoveMachineSecretRequest,
    ) -> Result<RemoveMachineSecretResponse> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let missing =
                Error::failed_precondition("COMMAND-x7s802", format!("machine user {:?} not found", req.user_id));
            let m = self.org_machine(tx.conn(), ctx, &req.user_id, missing).await?;
            if m.secret_hash.is_empty() {
                return Err(Error::failed_precondition("COMMAND-coi82n", "the machine user has no client secret"));
            }
            let on = Aggregate::new(aggregate::USER, &req.user_id, &m.resource_owner);
            let events = tx.push(vec![NewEvent::new(&on, &MachineSecretRemoved {})?]).await?;
            tx.commit().await?;
            Ok(RemoveMachineSecretResponse { details: changed_details(&events) })
        })
        .await
    }

    /// A key's expiry in microseconds: none (or zero) is no expiry, one in
    /// the past is refused (ZITADEL's `ValidateExpirationDate`).
    pub(crate) fn key_expiry(&self, at: Option<burg_api::wkt::Timestamp>) -> Result<i64> {
        match at {
            None => Ok(NO_EXPIRY),
            Some(t) if t.seconds == 0 && t.nanos == 0 => Ok(NO_EXPIRY),
            Some(t) if t.to_micros() <= self.now() => Err(Error::invalid_argument(
                crate::shared_ids::EXPIRY_IN_PAST,
                "`expirationDate` must be in the future",
            )),
            Some(t) => Ok(t.to_micros()),
        }
    }

    /// Adds a key: the caller's public key, or a new key pair whose private
    /// half goes back once, in the key file.
    pub async fn add_machine_key(&self, ctx: &Ctx, req: AddMachineKeyRequest) -> Result<AddMachineKeyResponse> {
        let expiration = self.key_expiry(req.expiration_date)?;
        let (private, public) = if req.public_key.is_empty() {
            let pair = new_key_pair().await?;
            (Some(pair.0), pair.1.into_bytes())
        } else if machine_key::is_public_key(&req.public_key) {
            (None, req.public_key.clone())
        } else {
            return Err(Error::invalid_argument(
                crate::shared_ids::NOT_A_PUBLIC_KEY,
                "`publicKey` is not an RSA public key in PEM",
            ));
        };
        let key_id = self.new_id();
        let events = retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let missing = Error::failed_precondition(
                crate::shared_ids::MACHINE_KEY_USER_NOT_FOUND,
                format!("machine user {:?} not found", req.user_id),
            );
            let m = self.org_machine(tx.conn(), ctx, &req.user_id, missing).await?;
            let on = Aggregate::new(aggregate::USER, &req.user_id, &m.resource_owner);
            let added = MachineKeyAdded {
                key_id: key_id.clone(),
                r#type: machine_key::TYPE_JSON,
                expiration_date: EventTime(expiration),
                public_key: base64_of(&public),
            };
            let events = tx.push(vec![NewEvent::new(&on, &added)?]).await?;
            tx.commit().await?;
            Ok(events)
        })
        .await?;
        let key_details = match private {
            Some(private) => machine_key::key_file(&key_id, &private, EventTime(expiration), &req.user_id)?,
            None => Vec::new(),
        };
        Ok(AddMachineKeyResponse { key_id, key_details, details: added_details(&events) })
    }

    pub async fn remove_machine_key(
        &self,
        ctx: &Ctx,
        req: RemoveMachineKeyRequest,
    ) -> Result<RemoveMachineKeyResponse> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = ctx.org().to_string();
            let missing = || {
                Error::not_found(
                    crate::shared_ids::MACHINE_CREDENTIAL_NOT_FOUND,
                    format!("key {:?} not found", req.key_id),
                )
            };
            let row = burg_store::machine::key(tx.conn(), &self.instance_id, &org, &req.key_id).await?;
            if row.as_ref().is_none_or(|r| key_user(r) != req.user_id) {
                return Err(missing());
            }
            let on = Aggregate::new(aggregate::USER, &req.user_id, &org);
            let removed = MachineKeyRemoved { key_id: req.key_id.clone() };
            let events = tx.push(vec![NewEvent::new(&on, &removed)?]).await?;
            tx.commit().await?;
            Ok(RemoveMachineKeyResponse { details: changed_details(&events) })
        })
        .await
    }

    pub async fn get_machine_key_by_i_ds(
        &self,
        ctx: &Ctx,
        req: GetMachineKeyByIDsRequest,
    ) -> Result<GetMachineKeyByIDsResponse> {
        let org = ctx.org();
        let row = burg_store::machine::key(self.db.pool(), &self.instance_id, org, &req.key_id).await?;
        match row {
            Some(row) if key_user(&row) == req.user_id => {
                Ok(GetMachineKeyByIDsResponse { key: Some(key_of(&row, org)) })
            }
            _ => Err(Error::not_found(crate::shared_ids::KEY_NOT_FOUND, format!("key {:?} not found", req.key_id))),
        }
    }

    /// The user's keys (none for a user the organization does not have).
    pub async fn list_machine_keys(&self, ctx: &Ctx, req: ListMachineKeysRequest) -> Result<ListMachineKeysResponse> {
        let page = v1_page(req.query.as_ref())?;
        let org = ctx.org();
        let mut rows: Vec<KeyRow> = burg_store::machine::keys(self.db.pool(), &self.instance_id, org)
            .await?
            .into_iter()
            .filter(|r| key_user(r) == req.user_id)
            .collect();
        // ZITADEL's key list names no sorting column: oldest first.
        rows.sort_by_key(|r| (r.creation_date, r.sequence));
        let total = rows.len() as i64;
        let result = page.of(rows.iter()).map(|r| key_of(r, org)).collect();
        Ok(ListMachineKeysResponse { details: list_details(total, 0, self.now()), result })
    }

    pub async fn get_personal_access_token_by_i_ds(
        &self,
        ctx: &Ctx,
        req: GetPersonalAccessTokenByIDsRequest,
    ) -> Result<GetPersonalAccessTokenByIDsResponse> {
        let owner = ctx.org().to_string();
        let all = burg_store::list::Page { offset: 0, limit: i64::MAX, asc: true };
        let tokens = burg_store::users::list_tokens(&self.db, &self.instance_id, &owner, &req.user_id, all).await?;
        let token = tokens
            .rows
            .into_iter()
            .find(|t| t.id == req.token_id)
            .ok_or_else(|| Error::not_found("QUERY-fRunu", format!("token {:?} not found", req.token_id)))?;
        Ok(GetPersonalAccessTokenByIDsResponse {
            token: Some(PersonalAccessToken {
                id: token.id,
                details: details(token.sequence, token.creation_date, token.change_date, &owner),
                expiration_date: Some(Timestamp::from_micros(token.expiration)),
                scopes: token.scopes,
            }),
        })
    }
}

pub(crate) fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn doc(row: &KeyRow) -> serde_json::Value {
    serde_json::from_str(&row.data).unwrap_or_default()
}

/// The user a stored key belongs to.
fn key_user(row: &KeyRow) -> String {
    doc(row).get("userId").and_then(|v| v.as_str()).unwrap_or_default().to_string()
}

/// A stored key as the wire's `Key`.
fn key_of(row: &KeyRow, org: &str) -> Key {
    let data = doc(row);
    let text = |k: &str| data.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let key_type = KeyType::from_str_name(&text("type")).unwrap_or(KeyType::Json);
    let expiration = serde_json::from_value::<EventTime>(data.get("expirationDate").cloned().unwrap_or_default())
        .map(|t| Timestamp::from_micros(t.0))
        .ok();
    Key {
        id: text("keyId"),
        details: details(row.sequence, row.creation_date, row.change_date, org),
        r#type: key_type as i32,
        expiration_date: expiration,
    }
}

/// A new key pair of a machine key (private and public PEM), made off the
/// async threads.
pub(crate) async fn new_key_pair() -> Result<(String, String)> {
    tokio::task::spawn_blocking(|| machine_key::new_key_pair(machine_key::KEY_BITS))
        .await
        .map_err(|e| Error::internal("MACH-key01", format!("key generation stopped: {e}")))?
}
