//! A user's metadata: keys with byte values, set and removed one at a time
//! or in bulk, with ZITADEL's `user.metadata.set {key, value}` and
//! `user.metadata.removed {key}`. Kept as the import keeps it: one
//! `org_objects` document per key (`user_metadata`, keyed
//! `<user id>_<key>`), which the projection makes of those events.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use burg_api::management::{
    BulkRemoveUserMetadataRequest, BulkRemoveUserMetadataResponse, BulkSetUserMetadataRequest,
    BulkSetUserMetadataResponse, GetUserMetadataRequest, GetUserMetadataResponse, ListUserMetadataRequest,
    ListUserMetadataResponse, RemoveUserMetadataRequest, RemoveUserMetadataResponse, SetUserMetadataRequest,
    SetUserMetadataResponse,
};
use burg_api::zitadel::metadata::v1::{Metadata, metadata_query::Query};
use burg_domain::event::{Aggregate, NewEvent};
use burg_domain::events::user as ue;
use burg_domain::{Error, Result};
use burg_store::users::{UserMetadataFilter, UserMetadataRow, UserRow};

use super::user_aggregate;
use crate::list::{list_details, text_match, v1_page};
use crate::{App, Ctx, changed_details, details, retry};

/// `SetUserMetadata` and the others: the user is not found.
const USER_NOT_FOUND: &str = "META-ko0vs";

fn to_metadata(owner: &str, row: UserMetadataRow) -> Result<Metadata> {
    let value = B64
        .decode(row.value.as_bytes())
        .map_err(|e| Error::internal("USER-md001", format!("the stored value of {:?} is unreadable: {e}", row.key)))?;
    Ok(Metadata { details: details(row.sequence, row.creation_date, row.change_date, owner), key: row.key, value })
}

/// The event that sets `key` to `value`; ZITADEL's `Metadata.IsValid`.
fn set_event(user: &UserRow, key: &str, value: &[u8]) -> Result<NewEvent> {
    metadata_set_event(user_aggregate(user), key, value)
}

/// The event that sets metadata `key` of the user of `user` (its
/// aggregate) to `value`.
pub(crate) fn metadata_set_event(user: Aggregate, key: &str, value: &[u8]) -> Result<NewEvent> {
    if key.is_empty() || value.is_empty() {
        return Err(Error::invalid_argument(
            crate::shared_ids::USER_METADATA_INVALID,
            "metadata needs a `key` and a `value`",
        ));
    }
    NewEvent::new(&user, &ue::MetadataSet { key: key.to_string(), value: B64.encode(value) })
}

fn removed_event(user: &UserRow, key: &str) -> Result<NewEvent> {
    NewEvent::new(&user_aggregate(user), &ue::MetadataRemoved { key: key.to_string() })
}

impl App {
    pub async fn set_user_metadata(&self, ctx: &Ctx, req: SetUserMetadataRequest) -> Result<SetUserMetadataResponse> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let user = self.org_user(tx.conn(), ctx, &req.id, USER_NOT_FOUND).await?;
            let events = tx.push(vec![set_event(&user, &req.key, &req.value)?]).await?;
            tx.commit().await?;
            Ok(SetUserMetadataResponse { id: user.id.clone(), details: changed_details(&events) })
        })
        .await
    }

    pub async fn bulk_set_user_metadata(
        &self,
        ctx: &Ctx,
        req: BulkSetUserMetadataRequest,
    ) -> Result<BulkSetUserMetadataResponse> {
        if req.metadata.is_empty() {
            return Err(Error::failed_precondition(crate::shared_ids::USER_METADATA_INVALID, "`metadata` is empty"));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let user = self.org_user(tx.conn(), ctx, &req.id, USER_NOT_FOUND).await?;
            let events = req.metadata.iter().map(|m| set_event(&user, &m.key, &m.value)).collect::<Result<Vec<_>>>()?;
            let stored = tx.push(events).await?;
            tx.commit().await?;
            Ok(BulkSetUserMetadataResponse { details: changed_details(&stored) })
        })
        .await
    }

    pub async fn list_user_metadata(
        &self,
        ctx: &Ctx,
        req: ListUserMetadataRequest,
    ) -> Result<ListUserMetadataResponse> {
        let user = self.read_org_user(ctx, &req.id).await?;
        let mut filters = Vec::with_capacity(req.queries.len());
        for q in &req.queries {
            if let Some(Query::KeyQuery(k)) = &q.query {
                filters.push(UserMetadataFilter::Key(text_match(&k.key, k.method)?));
            }
        }
        let page = v1_page(req.query.as_ref())?;
        let owner = user.resource_owner.as_str();
        let listed =
            burg_store::users::list_user_metadata(&self.db, &self.instance_id, owner, &user.id, &filters, page).await?;
        let result = listed.rows.into_iter().map(|row| to_metadata(owner, row)).collect::<Result<Vec<_>>>()?;
        Ok(ListUserMetadataResponse { details: list_details(listed.total, 0, self.now()), result })
    }

    pub async fn get_user_metadata(&self, ctx: &Ctx, req: GetUserMetadataRequest) -> Result<GetUserMetadataResponse> {
        let user = self.read_org_user(ctx, &req.id).await?;
        let owner = user.resource_owner.as_str();
        let row = burg_store::users::user_metadata(self.db.pool(), &self.instance_id, owner, &user.id, &req.key)
            .await?
            .ok_or_else(|| Error::not_found("QUERY-Rgh32", format!("no metadata {:?}", req.key)))?;
        Ok(GetUserMetadataResponse { metadata: Some(to_metadata(owner, row)?) })
    }

    pub async fn remove_user_metadata(
        &self,
        ctx: &Ctx,
        req: RemoveUserMetadataRequest,
    ) -> Result<RemoveUserMetadataResponse> {
        if req.key.is_empty() {
            return Err(Error::invalid_argument(crate::shared_ids::METADATA_KEY_MISSING, "`key` is required"));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let user = self.org_user(tx.conn(), ctx, &req.id, USER_NOT_FOUND).await?;
            let owner = user.resource_owner.clone();
            if burg_store::users::user_metadata(tx.conn(), &self.instance_id, &owner, &user.id, &req.key)
                .await?
                .is_none()
            {
                return Err(Error::not_found("META-ncnw3", format!("no metadata {:?}", req.key)));
            }
            let events = tx.push(vec![removed_event(&user, &req.key)?]).await?;
            tx.commit().await?;
            Ok(RemoveUserMetadataResponse { details: changed_details(&events) })
        })
        .await
    }

    pub async fn bulk_remove_user_metadata(
        &self,
        ctx: &Ctx,
        req: BulkRemoveUserMetadataRequest,
    ) -> Result<BulkRemoveUserMetadataResponse> {
        if req.keys.is_empty() {
            return Err(Error::failed_precondition(crate::shared_ids::METADATA_NO_KEYS, "`keys` is empty"));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let user = self.org_user(tx.conn(), ctx, &req.id, USER_NOT_FOUND).await?;
            let owner = user.resource_owner.clone();
            let mut events = Vec::with_capacity(req.keys.len());
            for key in &req.keys {
                if key.is_empty() {
                    return Err(Error::invalid_argument("COMMAND-m29ds", "`keys` holds an empty key"));
                }
                if burg_store::users::user_metadata(tx.conn(), &self.instance_id, &owner, &user.id, key)
                    .await?
                    .is_none()
                {
                    return Err(Error::not_found("META-2n0fs", format!("no metadata {key:?}")));
                }
                events.push(removed_event(&user, key)?);
            }
            let stored = tx.push(events).await?;
            tx.commit().await?;
            Ok(BulkRemoveUserMetadataResponse { details: changed_details(&stored) })
        })
        .await
    }
}
