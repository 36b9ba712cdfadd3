//! An organization's metadata: keys with byte values, set and removed one
//! at a time or in bulk (`org.metadata.set`, `org.metadata.removed`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use burg_api::management::{
    BulkRemoveOrgMetadataRequest, BulkRemoveOrgMetadataResponse, BulkSetOrgMetadataRequest, BulkSetOrgMetadataResponse,
    GetOrgMetadataRequest, GetOrgMetadataResponse, ListOrgMetadataRequest, ListOrgMetadataResponse,
    RemoveOrgMetadataRequest, RemoveOrgMetadataResponse, SetOrgMetadataRequest, SetOrgMetadataResponse,
};
use burg_api::zitadel::metadata::v1::{Metadata, metadata_query::Query};
use burg_domain::event::{Aggregate, NewEvent};
use burg_domain::events::org as oe;
use burg_domain::{Error, Result};
use burg_store::orgs::{MetadataFilter, MetadataRow};

use super::org_aggregate;
use crate::list::{list_details, text_match, v1_page};
use crate::{App, Ctx, added_details, changed_details, details, retry};

fn to_metadata(org: &str, row: MetadataRow) -> Result<Metadata> {
    let value = B64
        .decode(row.value.as_bytes())
        .map_err(|e| Error::internal("ORG-md001", format!("the stored value of {:?} is unreadable: {e}", row.key)))?;
    Ok(Metadata { details: details(row.sequence, row.creation_date, row.change_date, org), key: row.key, value })
}

/// The event that sets `key` to `value`; ZITADEL's `Metadata.IsValid`.
fn set_event(agg: &Aggregate, key: &str, value: &[u8]) -> Result<NewEvent> {
    if key.is_empty() || value.is_empty() {
        return Err(Error::invalid_argument(
            crate::shared_ids::ORG_METADATA_INVALID,
            "metadata needs a `key` and a `value`",
        ));
    }
    NewEvent::new(agg, &oe::MetadataSet { key: key.to_string(), value: B64.encode(value) })
}

impl App {
    pub async fn set_org_metadata(&self, ctx: &Ctx, req: SetOrgMetadataRequest) -> Result<SetOrgMetadataResponse> {
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = self.org_of_write(tx.conn(), ctx.org()).await?;
            let events = tx.push(vec![set_event(&org_aggregate(&org.id), &req.key, &req.value)?]).await?;
            tx.commit().await?;
            Ok(SetOrgMetadataResponse { details: added_details(&events) })
        })
        .await
    }

    pub async fn bulk_set_org_metadata(
        &self,
        ctx: &Ctx,
        req: BulkSetOrgMetadataRequest,
    ) -> Result<BulkSetOrgMetadataResponse> {
        if req.metadata.is_empty() {
            return Err(Error::failed_precondition(crate::shared_ids::METADATA_NO_DATA, "`metadata` is empty"));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = self.org_of_write(tx.conn(), ctx.org()).await?;
            let agg = org_aggregate(&org.id);
            let events = req.metadata.iter().map(|m| set_event(&agg, &m.key, &m.value)).collect::<Result<Vec<_>>>()?;
            let stored = tx.push(events).await?;
            tx.commit().await?;
            Ok(BulkSetOrgMetadataResponse { details: changed_details(&stored) })
        })
        .await
    }

    pub async fn list_org_metadata(&self, ctx: &Ctx, req: ListOrgMetadataRequest) -> Result<ListOrgMetadataResponse> {
        let mut filters = Vec::with_capacity(req.queries.len());
        for q in &req.queries {
            if let Some(Query::KeyQuery(k)) = &q.query {
                filters.push(MetadataFilter::Key(text_match(&k.key, k.method)?));
            }
        }
        let page = v1_page(req.query.as_ref())?;
        let org = ctx.org();
        let listed = burg_store::orgs::list_metadata(&self.db, &self.instance_id, org, &filters, page).await?;
        let result = listed.rows.into_iter().map(|row| to_metadata(org, row)).collect::<Result<Vec<_>>>()?;
        Ok(ListOrgMetadataResponse { details: list_details(listed.total, 0, self.now()), result })
    }

    pub async fn get_org_metadata(&self, ctx: &Ctx, req: GetOrgMetadataRequest) -> Result<GetOrgMetadataResponse> {
        let org = ctx.org();
        let row = burg_store::orgs::metadata(self.db.pool(), &self.instance_id, org, &req.key)
            .await?
            .ok_or_else(|| Error::not_found("QUERY-Rph32", format!("no metadata {:?}", req.key)))?;
        Ok(GetOrgMetadataResponse { metadata: Some(to_metadata(org, row)?) })
    }

    pub async fn remove_org_metadata(
        &self,
        ctx: &Ctx,
        req: RemoveOrgMetadataRequest,
    ) -> Result<RemoveOrgMetadataResponse> {
        if req.key.is_empty() {
            return Err(Error::invalid_argument(crate::shared_ids::METADATA_KEY_MISSING, "`key` is required"));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = self.org_of_write(tx.conn(), ctx.org()).await?;
            if burg_store::orgs::metadata(tx.conn(), &self.instance_id, &org.id, &req.key).await?.is_none() {
                return Err(Error::not_found("META-mcnw3", format!("no metadata {:?}", req.key)));
            }
            let event = oe::MetadataRemoved { key: req.key.clone() };
            let events = tx.push(vec![NewEvent::new(&org_aggregate(&org.id), &event)?]).await?;
            tx.commit().await?;
            Ok(RemoveOrgMetadataResponse { details: changed_details(&events) })
        })
        .await
    }

    pub async fn bulk_remove_org_metadata(
        &self,
        ctx: &Ctx,
        req: BulkRemoveOrgMetadataRequest,
    ) -> Result<BulkRemoveOrgMetadataResponse> {
        if req.keys.is_empty() {
            return Err(Error::failed_precondition(crate::shared_ids::METADATA_NO_KEYS, "`keys` is empty"));
        }
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let org = self.org_of_write(tx.conn(), ctx.org()).await?;
            let agg = org_aggregate(&org.id);
            let mut events = Vec::with_capacity(req.keys.len());
            for key in &req.keys {
                if key.is_empty() {
                    return Err(Error::invalid_argument("COMMAND-m19ds", "`keys` holds an empty key"));
                }
                if burg_store::orgs::metadata(tx.conn(), &self.instance_id, &org.id, key).await?.is_none() {
                    return Err(Error::not_found("META-2npds", format!("no metadata {key:?}")));
                }
                events.push(NewEvent::new(&agg, &oe::MetadataRemoved { key: key.clone() })?);
            }
            let stored = tx.push(events).await?;
            tx.commit().await?;
            Ok(BulkRemoveOrgMetadataResponse { details: changed_details(&stored) })
        })
        .await
    }
}
