//! Users' links to accounts at identity providers.

use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::user as ue;
use burg_domain::{Error, Result, validate};

use super::not_found;
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
            let Some(user) = burg_store::users::get(tx.conn(), &self.instance_id, user_id).await? else {
                return Err(Error::not_found("USER-lnk001", format!("user {user_id} does not exist")));
            };
            if self.load_template(tx.conn(), idp_id).await?.is_none() {
                return Err(not_found("USER-lnk002", idp_id));
            }
            if burg_store::users::link_taken(tx.conn(), &self.instance_id, idp_id, external_user_id).await? {
                return Err(Error::already_exists("USER-lnk003", "this external account is already linked"));
            }
            let e = ue::ExternalIdpAdded {
                idp_config_id: idp_id.to_string(),
                user_id: external_user_id.to_string(),
                display_name: display_name.to_string(),
            };
            let agg = Aggregate::new(aggregate::USER, user_id, user.resource_owner);
            tx.push(vec![NewEvent::new(&agg, &e)?]).await?;
            tx.commit().await
        })
        .await
    }

    /// The identity providers a user is linked to: (idp id, external id).
    pub async fn user_idp_links(&self, user_id: &str) -> Result<Vec<(String, String)>> {
        burg_store::users::links_of_user(&self.db, &self.instance_id, user_id).await
    }
}
