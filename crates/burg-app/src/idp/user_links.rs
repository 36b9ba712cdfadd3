//! Users' links to accounts at identity providers.

use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::user as ue;
use burg_domain::{Error, Result, validate};

use super::not_found;
use crate::auth::db_err;
use crate::{App, Ctx, retry};

impl App {
    /// Links a human user to an account at an identity provider (what the
    /// login does after an external login, and what import writes).
    pub async fn add_user_idp_link(
        &self,
        ctx: &Ctx,
        user_id: &str,
        idp_id: &str,
        external_user_id: &str,
        display_name: &str,
    ) -> Result<()> {
        validate::len("userId", external_user_id, 1, 200)?;
        validate::len("displayName", display_name, 0, 200)?;
        retry(|| async {
            let mut tx = self.begin(ctx).await?;
            let owner: Option<(String, i64)> =
                sqlx::query_as("SELECT resource_owner, user_type FROM users WHERE instance_id = $1 AND id = $2")
                    .bind(&self.instance_id)
                    .bind(user_id)
                    .fetch_optional(&mut *tx.conn())
                    .await
                    .map_err(|e| db_err("IDP-db0016", e))?;
            let Some((owner, _)) = owner else {
                return Err(Error::not_found("USER-lnk001", format!("user {user_id} does not exist")));
            };
            if self.load_template(tx.conn(), idp_id).await?.is_none() {
                return Err(not_found("USER-lnk002", idp_id));
            }
            let taken: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM user_idp_links WHERE instance_id = $1 AND idp_id = $2 AND external_user_id = $3",
            )
            .bind(&self.instance_id)
            .bind(idp_id)
            .bind(external_user_id)
            .fetch_one(&mut *tx.conn())
            .await
            .map_err(|e| db_err("IDP-db0017", e))?;
            if taken > 0 {
                return Err(Error::already_exists("USER-lnk003", "this external account is already linked"));
            }
            let e = ue::ExternalIdpAdded {
                idp_config_id: idp_id.to_string(),
                user_id: external_user_id.to_string(),
                display_name: display_name.to_string(),
            };
            tx.push(vec![NewEvent::new(&Aggregate::new(aggregate::USER, user_id, owner), &e)?]).await?;
            tx.commit().await
        })
        .await
    }

    /// The identity providers a user is linked to: (idp id, external id).
    pub async fn user_idp_links(&self, user_id: &str) -> Result<Vec<(String, String)>> {
        sqlx::query_as(
            "SELECT idp_id, external_user_id FROM user_idp_links WHERE instance_id = $1 AND user_id = $2 ORDER BY idp_id",
        )
        .bind(&self.instance_id)
        .bind(user_id)
        .fetch_all(self.db.pool())
        .await
        .map_err(|e| db_err("IDP-db0018", e))
    }
}
