//! First start: the master key check, the instance, its default
//! organization and the IAM_OWNER service account with its token.

use std::sync::Arc;

use burg_domain::crypto::{MasterKey, Sealed, SecretString, new_token, token_hash};
use burg_domain::event::{Aggregate, NewEvent, Payload, aggregate};
use burg_domain::events::{EventTime, instance as ie, org as oe, user as ue};
use burg_domain::{Clock, Error, IdGenerator, Result};
use burg_store::{Db, members, orgs, users};

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
/// PATs created without an expiration last until 9999-12-31T23:59:59Z,
/// ZITADEL's default.
pub(crate) const NO_EXPIRY: i64 = 253_402_300_799_000_000;

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

    /// Creates the instance when there is none. Unless `defer_setup` is
    /// set, also finishes its setup: a default organization and the
    /// IAM_OWNER service account with its token.
    async fn ensure_instance(&self) -> Result<Bootstrap> {
        let ctx = Ctx::system("burg.setup");
        let mut tx = self.begin(&ctx).await?;
        let created = burg_store::instance::get(tx.conn(), &self.instance_id).await?.is_none();
        if created {
            let inst = Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id);
            let domain = self.config.external_domain.to_lowercase();
            let mut events = vec![
                NewEvent::new(&inst, &ie::InstanceAdded { name: self.config.instance_name.clone() })?,
                NewEvent::new(&inst, &ie::DefaultLanguageSet { language: "en".into() })?,
                // As ZITADEL's setup: the external domain is added as a
                // domain of its own (not generated) and made primary.
                NewEvent::new(&inst, &ie::DomainAdded { domain: domain.clone(), generated: false })?,
                NewEvent::new(&inst, &ie::DomainPrimarySet { domain })?,
            ];
            // ZITADEL's secret generators and every setting's default, as
            // its setup writes them.
            events.extend(burg_domain::instance_settings::secret_generator_defaults(&inst)?);
            events.extend(burg_domain::settings::instance_defaults(&inst)?);
            events.push(burg_domain::instance_settings::login_default_org_set(&self.instance_id, true)?);
            tx.push(events).await?;
            tx.commit().await?;
        } else {
            // A store made before a setting was declared: its defaults now.
            let held = burg_store::settings::kinds(tx.conn(), &self.instance_id, &self.instance_id).await?;
            let inst = Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id);
            let mut missing = burg_domain::settings::missing_instance_defaults(&inst, |k| held.iter().any(|h| h == k))?;
            // A store made before the secret generators: ZITADEL's now.
            if burg_store::instance_settings::secret_generator_count(tx.conn(), &self.instance_id).await? == 0 {
                missing.extend(burg_domain::instance_settings::secret_generator_defaults(&inst)?);
            }
            let feature = burg_domain::instance_settings::LoginDefaultOrgSet::TYPE;
            if burg_store::instance_settings::newest_of_type(tx.conn(), &self.instance_id, feature).await?.is_none() {
                missing.push(burg_domain::instance_settings::login_default_org_set(&self.instance_id, true)?);
            }
            if missing.is_empty() {
                drop(tx);
            } else {
                tx.push(missing).await?;
                tx.commit().await?;
            }
        }
        let mut bootstrap =
            Bootstrap { created, instance_id: self.instance_id.clone(), admin_token: None, admin_user_id: None };
        if !self.config.defer_setup {
            let admin = self.finish_setup().await?;
            bootstrap.admin_token = admin.admin_token;
            bootstrap.admin_user_id = admin.admin_user_id;
        }
        Ok(bootstrap)
    }

    /// Gives an instance without a default organization (new, or just
    /// filled by an import into a new data directory) its default
    /// organization and an IAM_OWNER service account with a new token.
    ///
    /// The default organization is the one named like
    /// [`AppConfig::default_org_name`], else the oldest, else a new one.
    /// The service account is the organization's machine user
    /// `burg-admin` when there is one (a restored backup brings it back
    /// without its instance role and without tokens: the new token is the
    /// only one), else a new one. Does nothing when the instance has its
    /// default organization already.
    pub async fn finish_setup(&self) -> Result<Bootstrap> {
        if !self.instance_row(self.db.pool()).await?.default_org_id.is_empty() {
            return Ok(Bootstrap {
                created: false,
                instance_id: self.instance_id.clone(),
                admin_token: None,
                admin_user_id: None,
            });
        }
        retry(|| self.finish_setup_once()).await
    }

    async fn finish_setup_once(&self) -> Result<Bootstrap> {
        let ctx = Ctx::system("burg.setup");
        let mut tx = self.begin(&ctx).await?;
        let mut done =
            Bootstrap { created: false, instance_id: self.instance_id.clone(), admin_token: None, admin_user_id: None };
        if !self.instance_row(tx.conn()).await?.default_org_id.is_empty() {
            return Ok(done);
        }
        let inst = Aggregate::new(aggregate::INSTANCE, &self.instance_id, &self.instance_id);
        let mut events = Vec::new();
        let named = orgs::active_named(tx.conn(), &self.instance_id, &self.config.default_org_name).await?;
        let oldest = match named {
            Some(id) => Some(id),
            None => orgs::oldest_active(tx.conn(), &self.instance_id).await?,
        };
        let org_id = match oldest {
            Some(id) => id,
            None => {
                let org_id = self.new_id();
                let org = Aggregate::new(aggregate::ORG, &org_id, &org_id);
                let domain = self.config.external_domain.to_lowercase();
                let org_domain = burg_domain::validate::org_domain_name(self.config.default_org_name.trim(), &domain)?;
                events.extend([
                    NewEvent::new(&org, &oe::OrgAdded { name: self.config.default_org_name.trim().to_string() })?,
                    NewEvent::new(&org, &oe::DomainAdded { domain: org_domain.clone() })?,
                    NewEvent::new(&org, &oe::DomainVerified { domain: org_domain.clone() })?,
                    NewEvent::new(&org, &oe::DomainPrimarySet { domain: org_domain })?,
                ]);
                org_id
            }
        };
        events.push(NewEvent::new(&inst, &ie::DefaultOrgSet { org_id: org_id.clone() })?);

        let existing = users::active_machine_named(tx.conn(), &self.instance_id, &org_id, ADMIN_USER_NAME).await?;
        let user_id = match existing {
            Some(id) => id,
            None => {
                let user_id = self.new_id();
                // A human of that name keeps it; the account takes another.
                let free = self.require_unique_username(tx.conn(), ADMIN_USER_NAME).await.is_ok();
                let user_name = if free { ADMIN_USER_NAME.to_string() } else { format!("{ADMIN_USER_NAME}-{user_id}") };
                let user = Aggregate::new(aggregate::USER, &user_id, &org_id);
                events.push(NewEvent::new(
                    &user,
                    &ue::MachineAdded {
                        user_name,
                        name: "burg administrator".into(),
                        description: "created on first start; holds IAM_OWNER".into(),
                        access_token_type: 0,
                    },
                )?);
                user_id
            }
        };
        let member = members::iam_roles(tx.conn(), &self.instance_id, &user_id).await?;
        let org_member = members::org_roles(tx.conn(), &self.instance_id, &org_id, &user_id).await?;
        let token = new_token();
        let user = Aggregate::new(aggregate::USER, &user_id, &org_id);
        events.push(NewEvent::new(
            &user,
            &ue::PersonalAccessTokenAdded {
                token_id: self.new_id(),
                expiration: EventTime(NO_EXPIRY),
                scopes: crate::user::PAT_SCOPES.iter().map(|s| s.to_string()).collect(),
                token_hash: token_hash(&token),
            },
        )?);
        let roles = vec!["IAM_OWNER".to_string()];
        events.push(if member.is_none() {
            NewEvent::new(&inst, &ie::MemberAdded { user_id: user_id.clone(), roles })?
        } else {
            NewEvent::new(&inst, &ie::MemberChanged { user_id: user_id.clone(), roles })?
        });
        // As ZITADEL's setupAdminMembers: the first administrator also
        // owns the default organization.
        if org_member.is_none() {
            let org = Aggregate::new(aggregate::ORG, &org_id, &org_id);
            events.push(NewEvent::new(
                &org,
                &oe::MemberAdded { user_id: user_id.clone(), roles: vec!["ORG_OWNER".to_string()] },
            )?);
        }
        tx.push(events).await?;
        tx.commit().await?;
        done.admin_token = Some(SecretString(token));
        done.admin_user_id = Some(user_id);
        Ok(done)
    }
}

/// The user name of the IAM_OWNER service account made at setup.
const ADMIN_USER_NAME: &str = "burg-admin";

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
