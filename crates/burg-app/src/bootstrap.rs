//! First start: the master key check, the instance, its default
//! organization and the IAM_OWNER service account with its token.

use std::sync::Arc;

use burg_domain::crypto::{MasterKey, Sealed, SecretString, new_token, token_hash};
use burg_domain::event::{Aggregate, NewEvent, aggregate};
use burg_domain::events::{instance as ie, org as oe, user as ue};
use burg_domain::{Clock, Error, IdGenerator, Result};
use burg_store::Db;

use crate::{App, AppConfig, Ctx, retry};

/// What start-up found or created.
#[derive(Debug)]
pub struct Bootstrap {
    /// Whether this start created the instance.
    pub created: bool,
    pub instance_id: String,
    /// The IAM_OWNER service account's token: only when `created`.
    pub admin_token: Option<SecretString>,
    pub admin_user_id: Option<String>,
}

const KEY_CHECK: &str = "masterkey_check";
const KEY_CHECK_PLAINTEXT: &[u8] = b"burg master key check v1";
/// PATs created without an expiration last until 9999-01-01.
pub(crate) const NO_EXPIRY: i64 = 253_370_764_800_000_000;

impl App {
    /// Migrates the database, checks the master key against the data, and
    /// creates the instance if there is none yet.
    pub async fn open(
        db: Db,
        key: MasterKey,
        clock: Arc<dyn Clock>,
        ids: IdGenerator,
        config: AppConfig,
    ) -> Result<(App, Bootstrap)> {
        db.migrate().await?;
        check_master_key(&db, &key).await?;
        let instance_id = db.meta_init("instance_id", &ids.next(clock.as_ref())).await?;
        let egress = crate::egress::Egress::new(&config.egress)?;
        let app = App {
            db,
            key,
            clock,
            ids,
            instance_id,
            config,
            egress,
            tokens: crate::cache::GenCache::new(10_000),
            templates: crate::cache::GenCache::new(10_000),
        };
        let bootstrap = retry(|| app.ensure_instance()).await?;
        Ok((app, bootstrap))
    }

    async fn ensure_instance(&self) -> Result<Bootstrap> {
        let ctx = Ctx::system("burg.setup");
        let mut tx = self.begin(&ctx).await?;
        let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM instances WHERE id = $1")
            .bind(&self.instance_id)
            .fetch_one(tx.conn())
            .await
            .map_err(|e| crate::auth::db_err("SETUP-db001", e))?;
        if exists > 0 {
            return Ok(Bootstrap {
                created: false,
                instance_id: self.instance_id.clone(),
                admin_token: None,
                admin_user_id: None,
            });
        }
        let inst = Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id);
        let org_id = self.new_id();
        let org = Aggregate::new(aggregate::ORG, &org_id, &org_id);
        let user_id = self.new_id();
        let user = Aggregate::new(aggregate::USER, &user_id, &org_id);
        let token = new_token();
        let domain = self.config.external_domain.to_lowercase();
        let org_domain = format!("{}.{}", domain_label(&self.config.default_org_name), domain);

        let events = vec![
            NewEvent::new(&inst, &ie::InstanceAdded { name: self.config.instance_name.clone() })?,
            NewEvent::new(&inst, &ie::DefaultLanguageSet { language: "en".into() })?,
            NewEvent::new(&inst, &ie::DomainAdded { domain: domain.clone(), generated: true })?,
            NewEvent::new(&inst, &ie::DomainPrimarySet { domain })?,
            NewEvent::new(&inst, &ie::LoginPolicyAdded { policy: ie::LoginPolicy::instance_default() })?,
            NewEvent::new(&org, &oe::OrgAdded { name: self.config.default_org_name.clone() })?,
            NewEvent::new(&org, &oe::DomainAdded { domain: org_domain.clone() })?,
            NewEvent::new(&org, &oe::DomainVerified { domain: org_domain.clone() })?,
            NewEvent::new(&org, &oe::DomainPrimarySet { domain: org_domain })?,
            NewEvent::new(&inst, &ie::DefaultOrgSet { org_id: org_id.clone() })?,
            NewEvent::new(
                &user,
                &ue::MachineAdded {
                    user_name: "burg-admin".into(),
                    name: "burg administrator".into(),
                    description: "created on first start; holds IAM_OWNER".into(),
                    access_token_type: 0,
                },
            )?,
            NewEvent::new(
                &user,
                &ue::PersonalAccessTokenAdded {
                    token_id: self.new_id(),
                    expiration: NO_EXPIRY,
                    scopes: vec!["openid".into()],
                    token_hash: token_hash(&token),
                },
            )?,
            NewEvent::new(&inst, &ie::MemberAdded { user_id: user_id.clone(), roles: vec!["IAM_OWNER".into()] })?,
        ];
        tx.push(events).await?;
        tx.commit().await?;
        Ok(Bootstrap {
            created: true,
            instance_id: self.instance_id.clone(),
            admin_token: Some(SecretString(token)),
            admin_user_id: Some(user_id),
        })
    }
}

/// Fails before serving when the database was created with another key.
async fn check_master_key(db: &Db, key: &MasterKey) -> Result<()> {
    let candidate = serde_json::to_string(&key.seal(KEY_CHECK_PLAINTEXT))
        .map_err(|e| Error::internal("SETUP-key01", e.to_string()))?;
    let stored = db.meta_init(KEY_CHECK, &candidate).await?;
    let sealed: Sealed = serde_json::from_str(&stored)
        .map_err(|_| Error::internal("SETUP-key02", "the stored master key check is unreadable"))?;
    match key.open(&sealed) {
        Ok(plain) if plain == KEY_CHECK_PLAINTEXT => Ok(()),
        _ => Err(Error::failed_precondition(
            "SETUP-key03",
            "the master key does not match the one this database was created with; \
             start with the original key (BURG_MASTERKEY or the key file)",
        )),
    }
}

/// A DNS label from a name: lowercase letters, digits and dashes.
pub(crate) fn domain_label(name: &str) -> String {
    let label: String = name.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let label = label.trim_matches('-').to_string();
    if label.is_empty() { "org".into() } else { label }
}
